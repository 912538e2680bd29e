"""Bad-input rows for the newer callables of course_utils.hopfield (read by tests/test_bad_input.py;
the older ones have their rows in that file's own table)."""

import numpy as np

XI = np.array([[1.0, -1.0, 1.0, 1.0, -1.0, 1.0], [1.0, 1.0, -1.0, 1.0, 1.0, -1.0]])
J6 = (XI.T @ XI) / 6 - np.eye(6) * 2 / 6


def rows(R):
    return {
        "hopfield.projector_couplings": R(dict(patterns=XI, zero_diagonal=True),
                                          extra=[("patterns", "not spins", np.full((2, 6), 0.5)),
                                                 ("patterns", "P = N", np.ones((6, 6))),
                                                 ("patterns", "dependent rows", np.vstack([XI[0], -XI[0]]))]),
        "hopfield.retrieval_distances": R(dict(J=J6, patterns=XI, delta=0.2, sweeps=3, seed=0), counts=["sweeps"],
                                          nonneg=["delta"],
                                          extra=[("delta", "above 1/2", 0.6),
                                                 ("patterns", "wrong width", np.ones((2, 5))),
                                                 ("J", "not symmetric", np.triu(np.ones((6, 6)), 1))]),
    }
