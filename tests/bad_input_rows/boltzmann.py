"""Bad-input rows for the newer course_utils.boltzmann callables (naive mean field, pseudo-likelihood),
read by tests/test_bad_input.py; the older ones have their rows in tests/test_bad_input.py."""

import numpy as np

S = np.array([[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0], [1.0, 1.0, -1.0], [-1.0, 1.0, 1.0], [1.0, 1.0, 1.0]])
MEAN = S.mean(axis=0)
CORR = S.T @ S / S.shape[0]


def rows(R):
    return {
        "boltzmann.mean_field_couplings": R(dict(mean=MEAN, corr=CORR),
                                            extra=[("corr", "wrong shape", np.eye(2)),
                                                   ("mean", "a frozen spin", np.array([1.0, 0.0, 0.0])),
                                                   ("corr", "entries above 1", 2 * np.eye(3)),
                                                   ("corr", "singular", np.ones((3, 3)))]),
        "boltzmann.pseudolikelihood_couplings": R(dict(samples=S, l2=0.1, max_iter=50, tol=1e-10),
                                                  nonneg=["l2"], pos=["tol"], counts=["max_iter"],
                                                  extra=[("samples", "not spins", np.full((3, 3), 0.5)),
                                                         ("samples", "one spin", np.ones((4, 1)))]),
    }
