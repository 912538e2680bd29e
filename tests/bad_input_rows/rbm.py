"""Bad-input rows for the newer course_utils.rbm callables (ReLU hidden units), read by
tests/test_bad_input.py; the older ones have their rows in tests/test_bad_input.py."""

import numpy as np

W = np.array([[0.3, -0.2], [0.1, 0.4], [-0.5, 0.2], [0.2, 0.1]])
S = np.array([[1.0, -1.0, 1.0, 1.0], [-1.0, -1.0, 1.0, -1.0], [1.0, 1.0, 1.0, -1.0]])


def rows(R):
    return {
        "rbm.relu_log_partition": R(dict(x=np.array([-1.0, 0.0, 2.0]))),
        "rbm.relu_hidden_mean": R(dict(s=S, W=W, c=None),
                                  extra=[("s", "wrong width", np.ones((3, 5))), ("c", "wrong length", np.zeros(3)),
                                         ("s", "not spins", np.full((3, 4), 0.5))]),
        "rbm.relu_rbm_log_marginal": R(dict(s=S, W=W, b=None, c=None),
                                       extra=[("s", "wrong width", np.ones((3, 5))),
                                              ("b", "wrong length", np.zeros(3))]),
        "rbm.relu_rbm_gibbs": R(dict(W=W, b=None, c=None, states=S, steps=2, seed=0),
                                counts0=["steps"],
                                extra=[("states", "one chain, no batch axis", S[0]),
                                       ("states", "wrong width", np.ones((3, 5))),
                                       ("b", "wrong length", np.zeros(3))]),
    }
