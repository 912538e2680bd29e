"""Bad-input rows for course_utils.samplers (read by tests/test_bad_input.py)."""

import numpy as np

from course_utils import samplers


def _log_gauss(x):
    return -0.5 * (x**2).sum(-1)


_MODEL = samplers.train_path_kl_sampler(_log_gauss, 2, 2, 1, batch_size=4, hidden=4, seed=0)["model"]


def rows(R):
    return {
        "samplers.ais": R(dict(log_target=_log_gauss, dim=2, n_particles=10, n_temps=3, seed=0, n_mcmc=1,
                               step_size=0.5),
                          counts=["dim", "n_particles"], counts0=["n_mcmc"], pos=["step_size"],
                          extra=[("n_temps", "one temperature", 1)]),
        "samplers.ess_from_log_weights": R(dict(log_w=np.array([0.0, -1.0, 0.5])),
                                           extra=[("log_w", "2-d", np.zeros((2, 2)))]),
        "samplers.ou_time_grid": R(dict(n_steps=4, t_max=3.0, power=2.0), counts=["n_steps"], pos=["t_max", "power"]),
        "samplers.train_path_kl_sampler": R(dict(log_target=_log_gauss, dim=2, n_steps=2, train_steps=1, batch_size=4,
                                                 lr=1e-3, hidden=4, t_max=3.0, seed=0),
                                            counts=["dim", "n_steps", "train_steps", "batch_size", "hidden"],
                                            pos=["lr", "t_max"]),
        "samplers.sample_path_kl": R(dict(model=_MODEL, log_target=_log_gauss, n=5, seed=0, n_steps=3),
                                     counts=["n", "n_steps"]),
    }
