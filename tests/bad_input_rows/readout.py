"""Bad-input rows for the newer course_utils.readout callables (read by tests/test_bad_input.py);
the older ones have their rows in tests/test_bad_input.py."""

import numpy as np

XA = np.arange(24.0).reshape(8, 3) % 5 / 4.0
XB = (np.arange(16.0).reshape(8, 2) ** 2) % 7 / 6.0
Y8 = np.array([0.0, 1.0, 2.0, 0.5, 1.5, 2.5, 1.0, 0.0])


def rows(R):
    return {
        "readout.linear_cka": R(dict(X=XA, Y=XB),
                                extra=[("Y", "wrong rows", np.ones((5, 2))), ("X", "constant", np.ones((8, 3))),
                                       ("X", "one row", np.ones((1, 3)))]),
        "readout.heldout_readout_r2": R(dict(X_train=XA[:6], y_train=Y8[:6], X_test=XA[6:], y_test=Y8[6:]),
                                        extra=[("y_train", "wrong length", np.ones(5)),
                                               ("X_test", "wrong width", np.ones((2, 2))),
                                               ("y_test", "constant", np.ones(2))]),
    }
