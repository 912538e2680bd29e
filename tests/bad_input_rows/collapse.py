"""Bad-input rows for the newer course_utils.collapse callables (read by tests/test_bad_input.py);
the older ones have their rows in tests/test_bad_input.py."""

import numpy as np

EIG = np.array([1.0, 0.5])


def rows(R):
    return {
        "collapse.regression_collapse_cov": R(dict(cov_eigs=EIG, T=10, T0=10, noise_std=0.5, n_generations=2,
                                                   n_trials=3, seed=0),
                                              pos=["cov_eigs"], nonneg=["noise_std"], counts=["n_trials"],
                                              counts0=["n_generations"],
                                              extra=[("T", "not above d + 1", 3), ("T0", "not above d + 1", 2),
                                                     ("cov_eigs", "2-d", np.eye(2))]),
        "collapse.regression_collapse_cov_theory": R(dict(cov_eigs=EIG, T=10, T0=10, noise_std=0.5,
                                                          n_generations=2),
                                                     pos=["cov_eigs"], nonneg=["noise_std"], counts0=["n_generations"],
                                                     extra=[("T", "not above d + 1", 3),
                                                            ("cov_eigs", "2-d", np.eye(2))]),
    }
