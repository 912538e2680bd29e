"""Bad-input rows for the newer course_utils.diffusion callables (read by tests/test_bad_input.py);
the older ones have their rows in tests/test_bad_input.py itself."""

import numpy as np

X2 = np.random.default_rng(4).normal(size=(6, 2))


def _score(x, t):
    return -x


def rows(R):
    return {
        "diffusion.schedule": R(dict(kind="vp", t=np.array([0.1, 1.0]), beta_min=0.1, beta_max=20.0),
                                nonneg=["t"], pos=["beta_min", "beta_max"],
                                extra=[("beta_max", "below beta_min", 0.05)]),
        "diffusion.schedule_time": R(dict(kind="vp", sigma2=np.array([0.5, 4.0]), beta_min=0.1, beta_max=20.0),
                                     nonneg=["sigma2"], pos=["beta_min", "beta_max"],
                                     extra=[("beta_max", "below beta_min", 0.05)]),
        "diffusion.schedule_backward": R(dict(score=_score, x_init=X2, t_grid=np.linspace(1.0, 0.1, 4), kind="ou",
                                              beta_min=0.1, beta_max=20.0, method="sde", seed=0, observe=None),
                                         pos=["beta_min", "beta_max"],
                                         extra=[("t_grid", "increasing", np.linspace(0.1, 1.0, 4)),
                                                ("beta_max", "below beta_min", 0.05)]),
    }
