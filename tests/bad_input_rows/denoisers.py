"""Bad-input rows for course_utils.denoisers (read by tests/test_bad_input.py)."""

import numpy as np
import torch


def _net():
    from course_utils import denoisers

    return denoisers.BiasFreeCNN(2, 2)


def _lazy_net():
    return _net()


_lazy_net.lazy = True

IMG = np.random.default_rng(2).normal(size=(4, 4))
X3 = np.random.default_rng(3).normal(size=(5, 4, 4))


def rows(R):
    return {
        "denoisers.BiasFreeCNN": R(dict(channels=2, n_layers=2, kernel_size=3, padding="zeros", bias=False),
                                   counts=["channels", "kernel_size"],
                                   extra=[("n_layers", "below 2", 1), ("kernel_size", "even", 4),
                                          ("padding", "unknown mode", "reflect"), ("padding", "not a str", 0),
                                          ("bias", "not a bool", "yes")]),
        "denoisers.BiasFreeCNN.forward": R(dict(y=torch.zeros(2, 1, 4, 4)), obj=_net,
                                           extra=[("y", "two channels", torch.zeros(2, 2, 4, 4)),
                                                  ("y", "no channel axis", torch.zeros(2, 4, 4))]),
        "denoisers.jacobian": R(dict(model=_lazy_net, y=IMG),
                                extra=[("y", "a batch of two", np.zeros((2, 1, 4, 4))),
                                       ("y", "one dimension", np.zeros(16))]),
        "denoisers.field_spectrum": R(dict(L=4, exponent=2.0, k0=1.0), counts=["L"], nonneg=["exponent"],
                                      pos=["k0"]),
        "denoisers.gaussian_field": R(dict(n=2, L=4, exponent=2.0, k0=1.0, seed=0), counts=["n", "L"],
                                      nonneg=["exponent"], pos=["k0"]),
        "denoisers.train_denoiser": R(dict(model=_lazy_net, x=X3, sigma_min=0.1, sigma_max=1.0, steps=2,
                                           batch_size=4, lr=1e-3, seed=0),
                                      pos=["sigma_min", "sigma_max", "lr"], counts=["steps", "batch_size"],
                                      extra=[("sigma_max", "below sigma_min", 0.05), ("x", "flat", np.zeros((5, 16)))]),
        "denoisers.network_score": R(dict(model=_lazy_net, L=4), counts=["L"]),
        "denoisers.generate": R(dict(model=_lazy_net, n=2, L=4, t_max=1.0, t_min=0.1, n_steps=2, seed=0),
                                counts=["n", "L", "n_steps"], pos=["t_max", "t_min"],
                                extra=[("t_min", "above t_max", 2.0)]),
        "denoisers.nearest_distance": R(dict(samples=X3, reference=X3),
                                        extra=[("reference", "other image size", np.zeros((3, 3, 3)))]),
    }
