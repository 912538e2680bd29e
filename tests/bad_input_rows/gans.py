"""Bad-input rows for course_utils.gans (read by tests/test_bad_input.py)."""

import numpy as np
import torch

P = np.array([0.1, 0.5, 0.4])
Q = np.array([0.3, 0.3, 0.4])
X2 = np.array([[0.0, 0.1], [1.0, -0.2], [0.5, 0.5], [-1.0, 0.0]])
MEANS = np.array([[0.0, 0.0], [1.0, 0.0]])
LABELS = np.array([0, 1, 1, 0])


def _ensemble():
    from course_utils import gans

    return gans.EnsembleMLP(2, 2, 4, 1, 1, seed=0)


def _generator():
    from course_utils import gans

    return gans.EnsembleMLP(2, 2, 4, 2, 1, seed=0)


def rows(R):

    gen = _generator()
    disc = _ensemble()
    return {
        "gans.optimal_discriminator": R(dict(p_data=P, p_g=Q),
                                        extra=[("p_g", "wrong length", np.ones(2)),
                                               ("p_data", "negative density", np.array([-0.1, 0.5, 0.4]))]),
        "gans.js_divergence": R(dict(p=P, q=Q, dx=0.1), pos=["dx"],
                                extra=[("q", "wrong length", np.ones(2)),
                                       ("p", "negative density", np.array([-0.1, 0.5, 0.4]))]),
        "gans.EnsembleMLP": R(dict(n_models=2, n_in=2, hidden=4, n_out=1, depth=1, seed=0),
                              counts=["n_models", "n_in", "hidden", "n_out", "depth"]),
        "gans.EnsembleMLP.forward": R(dict(x=torch.zeros(2, 3, 2)), obj=_ensemble,
                                      extra=[("x", "wrong members", torch.zeros(3, 3, 2)),
                                             ("x", "wrong width", torch.zeros(2, 3, 5))]),
        "gans.train_discriminator": R(dict(x_data=X2, x_gen=X2 + 1.0, steps=2, n_models=2, hidden=4, depth=1,
                                           lr=1e-3, batch_size=3, seed=0),
                                      pos=["lr"], counts=["steps", "n_models", "hidden", "depth", "batch_size"],
                                      extra=[("x_gen", "wrong width", np.zeros((4, 3)))]),
        "gans.discriminator_prob": R(dict(disc=disc, x=X2, labels=None, n_classes=0),
                                     extra=[("x", "wrong width", np.zeros((4, 3))),
                                            ("disc", "not an ensemble", torch.nn.Linear(2, 1))]),
        "gans.sample": R(dict(generator=gen, n=3, latent_dim=2, labels=None, n_classes=0, seed=0),
                         counts=["n"], extra=[("latent_dim", "wrong latent size", 3),
                                              ("generator", "not an ensemble", torch.nn.Linear(2, 2))]),
        "gans.train_gan": R(dict(data=X2, steps=2, loss="nonsaturating", n_models=2, latent_dim=2, g_hidden=4,
                                 d_hidden=4, depth=1, lr=1e-3, beta1=0.5, batch_size=4, g_steps=1, pack=2,
                                 labels=LABELS, n_classes=2, record_every=1, n_record=3, seed=0),
                            pos=["lr"], counts=["steps", "n_models", "latent_dim", "g_hidden", "d_hidden", "depth",
                                                "batch_size", "g_steps", "n_record"],
                            extra=[("loss", "unknown loss", "wasserstein"),
                                   ("beta1", "not below 1", 1.0),
                                   ("pack", "batch not a multiple", 3),
                                   ("labels", "out of range", np.array([0, 1, 2, 0])),
                                   ("labels", "wrong length", np.array([0, 1])),
                                   ("data", "wrong members", np.zeros((3, 4, 2)))]),
        "gans.mode_metrics": R(dict(x=X2, means=MEANS, std=0.5, n_std=3.0, min_fraction=0.1),
                               pos=["std", "n_std"],
                               extra=[("means", "wrong width", np.zeros((2, 3))),
                                      ("min_fraction", "above 1", 1.5)]),
        "gans.nearest_distance": R(dict(x=X2, ref=MEANS), extra=[("ref", "wrong width", np.zeros((2, 3)))]),
    }

