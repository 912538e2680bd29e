"""Bad-input rows for the issue-22 additions to course_utils.equivariance (read by tests/test_bad_input.py;
the module's older callables keep their rows in tests/test_bad_input.py)."""

import numpy as np
import torch

XA = torch.arange(12.0).reshape(4, 3) / 7.0
W23 = torch.ones(2, 3) / 3.0
RING = np.roll(np.eye(4), 1, axis=0) + np.roll(np.eye(4), -1, axis=0)
GENS = np.stack([np.eye(3)[[1, 0, 2]], np.eye(3)[[1, 2, 0]]])


def _energy(p):
    return (p**2).sum(dim=(1, 2))


def rows(R):
    return {
        "equivariance.self_attention": R(dict(x=XA, Wq=W23, Wk=W23, Wv=W23, adj=None, return_weights=False),
                                         extra=[("Wk", "mismatched", torch.ones(3, 3)),
                                                ("Wv", "wrong input width", torch.ones(2, 2)),
                                                ("adj", "wrong shape", np.zeros((3, 4))),
                                                ("adj", "negative", -RING),
                                                ("adj", "isolated node", np.zeros((4, 4))),
                                                ("x", "one dimension", torch.zeros(3))]),
        "equivariance.positional_encoding": R(dict(n=4, d=6), counts=["n", "d"]),
        "equivariance.permutation_matrix": R(dict(perm=np.array([1, 0, 2])),
                                             extra=[("perm", "not a permutation", np.array([0, 0, 1])),
                                                    ("perm", "not integers", np.array([1.0, 0.0, 2.0]))]),
        "equivariance.intertwiner_basis": R(dict(rho_in=GENS, rho_out=None, tol=1e-10), pos=["tol"],
                                            extra=[("rho_in", "not square", np.zeros((2, 3, 2))),
                                                   ("rho_out", "wrong number of generators", np.zeros((1, 3, 3)))]),
        "equivariance.forces": R(dict(energy=_energy, points=torch.zeros(2, 3, 2)),
                                 extra=[("points", "two dimensions", torch.zeros(3, 2)),
                                        ("energy", "wrong output shape", lambda p: p.sum())]),
    }
