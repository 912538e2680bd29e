"""Bad-input rows for the newer course_utils.regression callables (read by tests/test_bad_input.py);
the older ones have their rows in tests/test_bad_input.py."""

import numpy as np

X6 = np.stack([np.ones(6), np.linspace(0.0, 1.0, 6)], axis=1)


def rows(R):
    return {
        "regression.poisson_regression": R(dict(X=X6, y=np.array([1, 2, 2, 3, 4, 6]), n_iter=50, tol=1e-10),
                                           counts=["n_iter"], pos=["tol"],
                                           extra=[("y", "wrong length", np.ones(5)),
                                                  ("y", "not counts", np.full(6, 0.5)),
                                                  ("y", "negative", -np.ones(6)),
                                                  ("X", "p > n", np.ones((1, 2)))]),
        "regression.poisson_fisher_information": R(dict(X=X6, beta=np.array([0.1, 0.2])),
                                                   extra=[("beta", "wrong length", np.zeros(3)),
                                                          ("beta", "overflowing", np.array([800.0, 0.0]))]),
    }
