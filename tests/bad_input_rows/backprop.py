"""Bad-input rows for course_utils.backprop (read by tests/test_bad_input.py)."""

import numpy as np

P = [(np.ones((3, 2)) / 3, np.zeros(3)), (np.ones((1, 3)) / 3, np.zeros(1))]
X = np.arange(8.0).reshape(4, 2) / 8
Y = np.arange(4.0).reshape(4, 1) / 4
EXTRA = [("y", "wrong width", np.zeros((4, 2))),
         ("x", "wrong width", np.zeros((4, 3))),
         ("params", "empty list", []),
         ("activation", "unknown", "sigmoidal")]


def rows(R):
    return {
        "backprop.mlp_loss_and_grads": R(dict(params=P, x=X, y=Y, activation="tanh"), extra=EXTRA),
        "backprop.mlp_adjoints": R(dict(params=P, x=X, y=Y, activation="tanh"), extra=EXTRA),
    }
