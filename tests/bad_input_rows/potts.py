"""Bad-input rows for the issue-22 callables of course_utils.potts (read by tests/test_bad_input.py).

The older potts callables keep their rows in tests/test_bad_input.py."""

import numpy as np

J_IN = -np.arange(6.0).reshape(3, 2) / 6
J_OUT = -np.arange(6.0).reshape(2, 3) / 5
PERM = np.array([[0, 1, 2], [3, 4, 5]])
J6 = -np.eye(6)[:, ::-1] * 0.5 - np.eye(6)[::-1] * 0.5


def rows(R):
    return {
        "potts.linker_effective_couplings": R(dict(J_in=J_IN, J_out=J_OUT, mu_linker=np.zeros(2), T=1.0), pos=["T"],
                                              extra=[("J_out", "wrong shape", np.zeros((3, 3))),
                                                     ("mu_linker", "wrong length", np.zeros(3)),
                                                     ("J_in", "one dimension", np.zeros(3))]),
        "potts.place_swap_sweeps": R(dict(J=J6, sigma0=PERM, T=1.0, sweeps=2, seed=0), pos=["T"], counts=["sweeps"],
                                     extra=[("sigma0", "labels out of range", PERM + 1),
                                            ("sigma0", "not integers", PERM + 0.5),
                                            ("sigma0", "one dimension", np.arange(6))]),
        "potts.ring_contact_fractions": R(dict(J=-np.eye(3)[:, [1, 2, 0]], mu=np.zeros(3), T=1.0, L=6), pos=["T"],
                                          counts=["L"],
                                          extra=[("J", "not square", np.zeros((3, 2))),
                                                 ("mu", "wrong length", np.zeros(2)),
                                                 ("L", "below 2", 1)]),
    }
