"""Bad-input rows for course_utils.gans (read by tests/test_bad_input.py)."""

import numpy as np

P = np.array([0.1, 0.5, 0.4])
Q = np.array([0.3, 0.3, 0.4])


def rows(R):
    return {
        "gans.optimal_discriminator": R(dict(p_data=P, p_g=Q),
                                        extra=[("p_g", "wrong length", np.ones(2)),
                                               ("p_data", "negative density", np.array([-0.1, 0.5, 0.4]))]),
        "gans.js_divergence": R(dict(p=P, q=Q, dx=0.1), pos=["dx"],
                                extra=[("q", "wrong length", np.ones(2)),
                                       ("p", "negative density", np.array([-0.1, 0.5, 0.4]))]),
    }
