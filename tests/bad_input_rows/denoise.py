"""Bad-input rows for the issue-22 callables of course_utils.denoise (read by tests/test_bad_input.py).

The older denoise callables keep their rows in tests/test_bad_input.py."""

import numpy as np

M2 = np.array([[-1.0], [1.0]])
S2 = np.array([0.3, 0.3])
Y = np.array([[0.1], [-0.2], [0.3]])


def _score(y, t):
    return -y


def rows(R):
    return {
        "denoise.ou_gmm_marginal": R(dict(means=M2, stds=S2, t=0.5), pos=["t"],
                                     extra=[("stds", "wrong length", np.array([0.3])),
                                            ("stds", "negative", np.array([0.3, -0.1])),
                                            ("means", "one dimension", np.array([1.0, 2.0]))]),
        "denoise.reverse_ou_sde": R(dict(y0=Y, score=_score, alpha=1.0, t_start=1.0, t_end=0.1, n_steps=3, seed=0),
                                    pos=["t_start", "t_end"], nonneg=["alpha"], counts=["n_steps"],
                                    extra=[("t_end", "above t_start", 2.0), ("alpha", "wrong length", np.ones(2)),
                                           ("y0", "one dimension", np.zeros(3)),
                                           ("score", "wrong shape", lambda y, t: np.zeros(2))]),
        "denoise.threshold_keep_probability": R(dict(coeffs=np.array([0.1, -2.0]), sigma=0.5, T=1.0), pos=["sigma"],
                                                nonneg=["T"]),
    }
