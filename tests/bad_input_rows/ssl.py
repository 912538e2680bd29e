"""Bad-input rows for course_utils.ssl (read by tests/test_bad_input.py)."""

import numpy as np
import torch

Z = torch.arange(12.0).reshape(4, 3) / 7.0
ZN = np.arange(12.0).reshape(4, 3) / 7.0
E3 = np.array([0.0, 1.0, 2.0])
Q3 = np.array([0.2, 0.3, 0.5])
P3 = np.array([0.5, 0.25, 0.25])


def rows(R):
    return {
        "ssl.vicreg_loss": R(dict(z_a=Z, z_b=Z + 0.1, lam=25.0, mu=25.0, nu=1.0), nonneg=["lam", "mu", "nu"],
                             extra=[("z_b", "mismatched", torch.zeros(4, 2)),
                                    ("z_a", "one sample", torch.zeros(1, 3))]),
        "ssl.info_nce_loss": R(dict(z_a=Z, z_b=Z + 0.1, temperature=0.1), pos=["temperature"],
                               extra=[("z_b", "mismatched", torch.zeros(5, 3))]),
        "ssl.embedding_rank": R(dict(z=ZN, tol=1e-3), pos=["tol"], extra=[("z", "one sample", np.zeros((1, 3)))]),
        "ssl.linear_probe_accuracy": R(dict(z_train=ZN, y_train=np.array([0, 1, 0, 1]), z_test=ZN,
                                            y_test=np.array([0, 1, 1, 0]), ridge=1e-3), nonneg=["ridge"],
                                       extra=[("y_train", "wrong length", np.array([0, 1])),
                                              ("y_test", "not integers", np.array([0.5, 1, 1, 0])),
                                              ("z_test", "wrong width", np.zeros((4, 2)))]),
        "ssl.gibbs_posterior": R(dict(energy=E3, beta=1.0, prior=P3), pos=["beta"],
                                 extra=[("prior", "not summing to 1", np.array([0.5, 0.5, 0.5])),
                                        ("prior", "wrong length", np.array([0.5, 0.5]))]),
        "ssl.variational_free_energy": R(dict(q=Q3, energy=E3, beta=1.0, prior=P3), pos=["beta"],
                                         extra=[("q", "not summing to 1", np.array([0.5, 0.5, 0.5])),
                                                ("q", "wrong length", np.array([0.5, 0.5]))]),
        "ssl.free_energy": R(dict(energy=E3, beta=1.0, prior=None), pos=["beta"],
                             extra=[("energy", "3-d", np.zeros((2, 2, 2)))]),
    }
