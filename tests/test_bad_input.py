"""Every public callable of course_utils rejects bad input clearly.

The callables are enumerated automatically: every function and class in each module's
``__all__`` and every public method of those classes, so a new function is covered the day
it is added (and fails ``test_every_callable_has_examples`` until it gets a row in
``EXAMPLES``). Each row gives valid example arguments; the harness substitutes one bad value
at a time (NaN, inf, negative or zero where a positive number is needed, a wrong type, None,
an empty or NaN-filled array, a huge size, plus the row's own wrong shapes and mismatches)
and asserts a ``ValueError``/``TypeError`` whose message names the argument, raised within
a few frames of the call, inside course_utils (never deep in numpy or torch). A call that
returns nan or inf for a bad value counts as a failure ("nan"), so no public function returns
NaN for NaN input without raising. ``test_docstring_names_every_parameter`` checks that each
public docstring names every parameter (what it accepts).

``python tests/test_bad_input.py`` prints the outcome counts by category (clear, nan,
accepted, other exception, deep, wrong name, generic, hung) instead of asserting.
"""

from __future__ import annotations

import importlib
import inspect
import math
import os
import pkgutil
import re
import signal
import sys
import traceback
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch

import course_utils

PKG_DIR = Path(course_utils.__file__).resolve().parent
#: at most this many frames between the call and the ``raise`` (function, helper, check)
MAX_FRAMES = 5
#: a bad call must be rejected at once; longer counts as a hang
TIMEOUT_S = 10
HUGE = 10**12

MODULES = sorted(m.name for m in pkgutil.iter_modules(course_utils.__path__) if not m.name.startswith("_"))


def public_callables() -> dict[str, object]:
    """'module.name' (or 'module.Class.method') -> the callable, for every module's __all__."""
    found = {}
    for modname in MODULES:
        mod = importlib.import_module(f"course_utils.{modname}")
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            if inspect.isclass(obj):
                found[f"{modname}.{name}"] = obj
                for attr, member in vars(obj).items():
                    if attr.startswith("_"):
                        continue
                    if isinstance(member, (staticmethod, classmethod)) or inspect.isfunction(member):
                        found[f"{modname}.{name}.{attr}"] = getattr(obj, attr)
            elif callable(obj):
                found[f"{modname}.{name}"] = obj
    return found


# ----------------------------------------------------------------------------- markers
class Pos:
    """A number or array that must be > 0 (bad: 0, negative, plus the generic bad values)."""

    def __init__(self, value):
        self.value = value


class NonNeg(Pos):
    """A number or array that must be >= 0 (bad: negative, plus the generic bad values)."""


class Count(Pos):
    """An integer that must be >= 1 (bad: 0, -1, 2.5, a huge value, a string, None)."""


class Free:
    """A valid value for which the harness generates no bad values (an arbitrary label, a flag)."""

    def __init__(self, value):
        self.value = value


def _t(*shape, fill=None):
    return torch.zeros(*shape) if fill is None else torch.full(shape, float(fill))


def _rng(seed=0):
    return np.random.default_rng(seed)  # noqa: NPY002 - fixed test inputs, not a lecture draw


def _spins(*shape, seed=0):
    return np.where(_rng(seed).random(shape) < 0.5, -1.0, 1.0)


def _sym(n, seed=0, scale=0.3):
    a = _rng(seed).normal(size=(n, n)) * scale
    J = (a + a.T) / 2
    np.fill_diagonal(J, 0.0)
    return J


def _lazy(factory):
    """A valid value built only when needed (torch models, fitted objects)."""
    factory.lazy = True
    return factory


def _quadratic_log_p(x):
    return -0.5 * np.sum(np.asarray(x) ** 2, axis=-1)


def _quadratic_grad(x):
    return -np.asarray(x)


def _gauss_score(x, t):
    return -np.asarray(x)


def _velocity(x, t):
    return -np.asarray(x)


def _drift(x, t):
    return -np.asarray(x)


def _diffusion(x, t):
    return np.ones_like(np.asarray(x))


def _plot(a=1.0):
    return None


def _log_target_torch(x):
    return -0.5 * (x**2).sum(-1)


def _identity_torch(x):
    return x


def _shift_image(x):
    return np.roll(np.asarray(x), 1, axis=-1)


# ----------------------------------------------------------------------------- examples
def _models():
    from course_utils import ebm, equivariance, flows, training, vae

    return {
        "realnvp": lambda: flows.RealNVP(2, 2, 8),
        "coupling": lambda: flows.AffineCoupling(torch.tensor([1.0, 0.0]), 8),
        "energy": lambda: ebm.EnergyMLP(2, 8, 1),
        "dhm": lambda: equivariance.DistanceHistogramModel(4, 3.0, 8),
        "mlp": lambda: training.make_mlp(2, 8, 2),
        "ae": lambda: vae.Autoencoder(4, 2, (8,)),
        "vae": lambda: vae.VAE(4, 2, (8,)),
    }


def flows_mod():
    from course_utils import flows

    return flows


def _wrg_model():
    from course_utils import wavelet_rg

    phi = _rng(1).normal(size=(8, 8, 8))
    return wavelet_rg.fit_wavelet_rg(phi, 1, radius=1)


def _wrg_gaussian():
    from course_utils import wavelet_rg

    phi = _rng(1).normal(size=(8, 8, 8))
    return wavelet_rg.fit_wavelet_rg(phi, 1, radius=1, quartic=False)


def _schedule():
    from course_utils import interpolants

    return interpolants.schedule("linear", 0.5)


def _ax():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    plt.close(fig)
    return ax


X2 = _rng(0).normal(size=(6, 2))
W3 = np.array([0.5, 0.3, 0.2])
M3 = np.array([[-1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
S3 = np.array([0.5, 0.4, 0.3])
IMG = _rng(2).normal(size=(1, 1, 4, 4))
ADJ = np.array([[0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0]], float)
XG = _rng(3).normal(size=(4, 3))
Q3 = np.array([[0.5, 0.5, 0.0], [0.5, 0.0, 0.5], [0.0, 0.5, 0.5]])
P3 = np.array([[0.5, 0.5, 0.0], [0.25, 0.5, 0.25], [0.0, 0.5, 0.5]])
PI3 = np.array([0.25, 0.5, 0.25])
SEQ = _rng(4).integers(0, 3, size=(20, 4))
STRUCT = _rng(5).integers(0, 3, size=(2, 4, 4))
FIELDS = _rng(6).normal(size=(2, 4, 4))
NOT_PROB = ("weights", "not summing to 1", np.array([0.5, 0.5, 0.5]))


def _row(args, *, pos=(), nonneg=(), counts=(), counts0=(), free=(), extra=(), obj=None, no_empty=()):
    """One table row: valid ``args``; ``pos``/``nonneg`` numbers > 0 / >= 0; ``counts``/``counts0``
    integers >= 1 / >= 0 (both bounded: a huge value is bad); ``free`` arguments get no generic bad
    values; ``extra`` (argument, label, bad value) triples: wrong shapes, mismatches, ranges."""
    return dict(args=args, pos=set(pos), nonneg=set(nonneg), counts=set(counts), counts0=set(counts0),
                free=set(free), extra=list(extra), obj=obj, no_empty=set(no_empty))


def _examples():
    from course_utils import hopfield

    R = _row
    J4 = _sym(4)
    h4 = np.array([0.1, -0.2, 0.0, 0.3])
    m4 = np.zeros(4)
    c4 = np.eye(4)
    T = torch.zeros(3, 2)
    pats = hopfield.random_patterns(2, 8, seed=1)
    W_rbm = _rng(7).normal(size=(4, 2)) * 0.3
    data_spins = _spins(10, 4)
    ex = {
        # ---------------------------------------------------------------- boltzmann
        "boltzmann.all_states": R(dict(N=3, start=0, stop=None), counts=["N"], nonneg=["start"]),
        "boltzmann.ising_log_weight": R(dict(s=_spins(2, 4), J=J4, h=h4),
                                        extra=[("J", "not symmetric", np.triu(np.ones((4, 4)), 1)),
                                               ("h", "wrong length", np.zeros(3)),
                                               ("s", "not spins", np.full((2, 4), 0.5))]),
        "boltzmann.exact_log_partition": R(dict(J=J4, h=h4), extra=[("h", "wrong length", np.zeros(3))]),
        "boltzmann.exact_moments": R(dict(J=J4, h=h4), extra=[("h", "wrong length", np.zeros(3))]),
        "boltzmann.exact_sample": R(dict(J=J4, h=h4, n_samples=5, seed=0), counts=["n_samples"]),
        "boltzmann.fisher_information": R(dict(J=J4, h=h4)),
        "boltzmann.sample_moments": R(dict(samples=data_spins),
                                      extra=[("samples", "not spins", np.full((3, 4), 0.5))]),
        "boltzmann.gibbs_sampling": R(dict(J=J4, h=h4, states=_spins(3, 4), sweeps=2, seed=0), counts=["sweeps"],
                                      extra=[("states", "wrong width", _spins(3, 5))]),
        "boltzmann.boltzmann_learning": R(dict(mean=m4, corr=c4, steps=3, lr=0.1, method="exact", n_chains=10,
                                               sweeps=1, l2=0.0, average=0.5, J0=None, h0=None, seed=0,
                                               return_history=False),
                                          pos=["lr"], nonneg=["l2"], counts=["steps", "n_chains", "sweeps"],
                                          extra=[("corr", "wrong shape", np.eye(3)), ("average", "above 1", 1.5)]),
        # ---------------------------------------------------------------- collapse
        "collapse.gaussian_refit_chain": R(dict(n_generations=3, n_samples=5, n_chains=2, seed=0, ddof=0),
                                           counts=["n_generations", "n_samples", "n_chains"], nonneg=["ddof"]),
        "collapse.expected_refit_variance": R(dict(generations=np.arange(3), n_samples=5, ddof=0),
                                              nonneg=["generations", "ddof"], counts=["n_samples"]),
        "collapse.expected_refit_log_variance": R(dict(generations=np.arange(3), n_samples=5, ddof=0),
                                                  nonneg=["generations", "ddof"], counts=["n_samples"]),
        "collapse.regression_collapse": R(dict(d=2, T=10, T0=10, noise_std=0.5, n_generations=2, n_trials=3, seed=0,
                                               real_fraction=0.0, ridge=0.0),
                                          counts=["d", "T", "T0", "n_trials"], counts0=["n_generations"],
                                          nonneg=["noise_std", "ridge", "real_fraction"]),
        "collapse.regression_collapse_theory": R(dict(d=2, T=10, T0=10, noise_std=0.5, n_generations=2),
                                                 counts=["d", "T", "T0"], counts0=["n_generations"],
                                                 nonneg=["noise_std"]),
        "collapse.regression_step_moments": R(dict(d=2, n_synthetic=6, n_real=2, ridge=0.0, n_samples=10, seed=0),
                                              counts=["d", "n_samples"], counts0=["n_synthetic", "n_real"],
                                              nonneg=["ridge"]),
        "collapse.regression_collapse_recursion": R(dict(d=2, T=10, T0=10, noise_std=0.5, n_generations=2,
                                                         real_fraction=0.0, ridge=0.0, n_samples=10, seed=0),
                                                    counts=["d", "T", "T0", "n_samples"], counts0=["n_generations"],
                                                    nonneg=["noise_std", "ridge", "real_fraction"]),
        "collapse.zipf_probabilities": R(dict(i=np.arange(1, 5), beta=2.0), pos=["i", "beta"]),
        "collapse.zipf_memory_error": R(dict(T=np.array([1, 10]), beta=2.0, n_trials=3, seed=0, k=None),
                                        pos=["T", "beta"], counts=["n_trials"]),
        "collapse.hutter_test_error": R(dict(T=np.array([1.0, 10.0]), beta=2.0, k=None, rel_tol=1e-6),
                                        pos=["T", "beta", "rel_tol"]),
        "collapse.zipf_tail_mass": R(dict(k=np.array([1, 10]), beta=2.0), nonneg=["k"], pos=["beta"]),
        # ---------------------------------------------------------------- denoise
        "denoise.gmm_sample": R(dict(n=5, weights=W3, means=M3, stds=S3, seed=0), counts=["n"], pos=["stds"],
                                extra=[NOT_PROB, ("means", "mismatched", M3[:2])]),
        **{f"denoise.{f}": R(dict(y=X2, weights=W3, means=M3, stds=S3, sigma=0.5), pos=["stds", "sigma"],
                             extra=[NOT_PROB, ("y", "wrong dimension", np.zeros((6, 3))),
                                    ("stds", "mismatched", S3[:2])])
           for f in ("gmm_log_density", "gmm_score", "gmm_posterior_mean")},
        "denoise.tweedie_denoise": R(dict(y=X2, score=-X2, sigma=0.5), pos=["sigma"],
                                     extra=[("score", "mismatched", np.zeros((5, 2)))]),
        "denoise.wiener_filter": R(dict(C=np.eye(3), sigma=0.5), nonneg=["sigma"],
                                   extra=[("C", "not square", np.zeros((2, 3)))]),
        "denoise.soft_threshold": R(dict(a=np.array([1.0, -2.0]), T=0.5), nonneg=["T"]),
        "denoise.hard_threshold": R(dict(a=np.array([1.0, -2.0]), T=0.5), nonneg=["T"]),
        "denoise.universal_threshold": R(dict(sigma=0.5, d=16), nonneg=["sigma"], counts=["d"]),
        "denoise.threshold_risk": R(dict(coeffs=np.array([1.0, 0.1]), sigma=0.5, T=0.5, mode="soft"),
                                    pos=["sigma"], nonneg=["T"]),
        "denoise.oracle_risk": R(dict(coeffs=np.array([1.0, 0.1]), sigma=0.5), nonneg=["sigma"]),
        "denoise.wavelet_denoise": R(dict(y=np.sin(np.arange(32.0)), sigma=0.1, wavelet="haar", mode="soft", T=None,
                                          level=None), pos=["sigma"]),
        "denoise.wavelet_compress": R(dict(x=np.sin(np.arange(32.0)), M=4, wavelet="haar", level=None),
                                      counts=["M"]),
        "denoise.train_dsm_denoiser": R(dict(x=X2, sigma=0.5, hidden=4, steps=2, lr=1e-3, batch=4, seed=0),
                                        pos=["sigma", "lr"], counts=["hidden", "steps", "batch"]),
        # ---------------------------------------------------------------- diffusion
        "diffusion.delta": R(dict(t=np.array([0.1, 1.0])), nonneg=["t"]),
        "diffusion.forward_marginal": R(dict(a=X2, t=0.5, seed=0), nonneg=["t"]),
        "diffusion.gaussian_score": R(dict(x=X2, t=0.5, var=np.array([1.0, 2.0])), nonneg=["t", "var"],
                                      extra=[("var", "mismatched", np.ones(3))]),
        "diffusion.posterior_weights": R(dict(x=X2, t=0.5, means=M3, var=0.1, weights=W3), nonneg=["t", "var"],
                                         extra=[NOT_PROB, ("means", "wrong dimension", np.zeros((3, 3)))]),
        "diffusion.mixture_score": R(dict(x=X2, t=0.5, means=M3, var=0.1, weights=W3), nonneg=["t", "var"],
                                     extra=[NOT_PROB, ("means", "wrong dimension", np.zeros((3, 3)))]),
        "diffusion.empirical_score": R(dict(x=X2, t=0.5, data=M3), pos=["t"],
                                       extra=[("data", "wrong dimension", np.zeros((3, 3)))]),
        "diffusion.curie_weiss_magnetization": R(dict(N=6, beta=0.5), counts=["N"], nonneg=["beta"]),
        "diffusion.curie_weiss_sample": R(dict(N=6, beta=0.5, n=4, seed=0), counts=["N", "n"], nonneg=["beta"]),
        "diffusion.curie_weiss_score": R(dict(x=_rng(1).normal(size=(3, 6)), t=0.5, beta=0.5, n_grid=None),
                                         pos=["t"], nonneg=["beta"]),
        "diffusion.posterior_mean": R(dict(x=X2, t=0.5, score=_gauss_score), nonneg=["t"]),
        "diffusion.backward_sde": R(dict(score=_gauss_score, x_init=X2, t_grid=np.linspace(1.0, 0.1, 4), seed=0,
                                         observe=None),
                                    extra=[("t_grid", "increasing", np.array([0.1, 0.5, 1.0])),
                                           ("t_grid", "negative times", np.array([0.5, -1.0]))]),
        "diffusion.gaussian_backward_exact": R(dict(x_init=X2, t_grid=np.linspace(1.0, 0.1, 4),
                                                    var=np.array([1.0, 2.0]), seed=0), nonneg=["var"],
                                               extra=[("var", "mismatched", np.ones(3))]),
        "diffusion.em_gaussian_variance": R(dict(var=1.0, t_grid=np.linspace(1.0, 0.1, 4), var_init=1.0),
                                            nonneg=["var", "var_init"]),
        "diffusion.speciation_time": R(dict(Lambda=2.0), pos=["Lambda"]),
        "diffusion.commitment_probability": R(dict(t=np.array([0.1, 1.0]), q0=np.array([0.5, -0.3]), weights=None),
                                              nonneg=["t"]),
        "diffusion.collapse_time": R(dict(n=100.0, d=4.0), pos=["n", "d"]),
        # ---------------------------------------------------------------- ebm
        "ebm.EnergyMLP": R(dict(dim=2, hidden=8, depth=1), counts=["dim", "hidden", "depth"]),
        "ebm.EnergyMLP.forward": R(dict(x=T), obj="energy", extra=[("x", "wrong dimension", torch.zeros(3, 5))]),
        "ebm.langevin_negatives": R(dict(energy=_lazy(lambda: _models()["energy"]()), x=T, n_steps=2, step_size=0.01,
                                         generator=None), counts0=["n_steps"], pos=["step_size"],
                                    extra=[("energy", "not callable", 3)]),
        "ebm.train_ebm": R(dict(data=X2, steps=2, batch=4, n_langevin=2, step_size=0.01, persistent=True, reinit=0.05,
                                alpha=0.01, lr=1e-3, hidden=4, seed=0),
                           counts=["steps", "batch", "hidden"], counts0=["n_langevin"], pos=["step_size", "lr"],
                           nonneg=["alpha", "reinit"], extra=[("reinit", "above 1", 1.5)]),
        "ebm.latent_free_energy": R(dict(y=X2, W=np.array([[1.0], [0.5]]), beta=None),
                                    extra=[("W", "mismatched", np.ones((3, 1)))]),
        # ---------------------------------------------------------------- equivariance
        "equivariance.translate": R(dict(x=IMG, shift=(1, 2)), free=["shift"],
                                    extra=[("shift", "three numbers", (1, 2, 3)), ("shift", "nan", (np.nan, 1)),
                                           ("x", "not an image batch", np.zeros((4, 4)))]),
        "equivariance.conv2d": R(dict(x=IMG, kernel=np.ones((1, 1, 3, 3)), padding="circular", stride=1),
                                 counts=["stride"], extra=[("kernel", "wrong channels", np.ones((1, 2, 3, 3)))]),
        "equivariance.equivariance_error": R(dict(f=_shift_image, x=IMG, g_in=_shift_image, g_out=None)),
        "equivariance.global_avg_pool": R(dict(h=IMG)),
        "equivariance.message_passing": R(dict(x=XG, adj=ADJ, W0=np.eye(3), W1=np.eye(3), activation="relu"),
                                          extra=[("adj", "wrong shape", np.zeros((3, 4))),
                                                 ("W0", "mismatched", np.eye(2))]),
        "equivariance.gcn_layer": R(dict(x=XG, adj=ADJ, W=np.eye(3), activation="relu"),
                                    extra=[("adj", "wrong shape", np.zeros((3, 4))), ("adj", "negative", -ADJ),
                                           ("W", "mismatched", np.eye(2))]),
        "equivariance.permute_graph": R(dict(x=XG, adj=ADJ, perm=np.array([1, 0, 3, 2])),
                                        extra=[("perm", "not a permutation", np.array([0, 0, 1, 2]))]),
        "equivariance.random_rotation": R(dict(d=3, rng=0, size=(2,)), counts=["d"], free=["size"],
                                          extra=[("rng", "negative seed", -1), ("size", "negative size", (-2,))]),
        "equivariance.pairwise_distances": R(dict(points=_rng(1).normal(size=(4, 3)))),
        "equivariance.DistanceHistogramModel": R(dict(n_centers=4, r_max=3.0, hidden=8),
                                                 counts=["n_centers", "hidden"], pos=["r_max"]),
        "equivariance.DistanceHistogramModel.features": R(dict(points=torch.zeros(2, 4, 3)), obj="dhm"),
        "equivariance.DistanceHistogramModel.forward": R(dict(points=torch.zeros(2, 4, 3)), obj="dhm"),
        # ---------------------------------------------------------------- fields
        "fields.lattice_eigenvalues": R(dict(L=4, beta=1.0, mass2=0.1), counts=["L"], nonneg=["beta", "mass2"]),
        "fields.laplacian": R(dict(x=FIELDS)),
        "fields.phi4_energy": R(dict(x=FIELDS, beta=1.0, lam=0.5, mass2=0.0), nonneg=["beta", "lam"]),
        "fields.phi4_grad": R(dict(x=FIELDS, beta=1.0, lam=0.5, mass2=0.0), nonneg=["beta", "lam"]),
        "fields.gaussian_field": R(dict(n=2, L=4, beta=1.0, mass2=1.0, seed=0), counts=["n", "L"], nonneg=["beta"],
                                   pos=["mass2"]),
        "fields.langevin_phi4": R(dict(x0=FIELDS, beta=1.0, lam=0.5, mass2=0.0, n_steps=3, eta=0.01, seed=0,
                                       record_every=1), counts=["n_steps", "record_every"], pos=["eta"],
                                  nonneg=["beta", "lam"]),
        "fields.haar_split": R(dict(x=FIELDS), extra=[("x", "odd side", np.zeros((2, 3, 3)))]),
        "fields.haar_merge": R(dict(coarse=np.zeros((2, 2, 2)), details=np.zeros((2, 3, 2, 2))),
                               extra=[("details", "mismatched", np.zeros((2, 3, 3, 3)))]),
        "fields.haar_matrix": R(dict(L=4), counts=["L"], extra=[("L", "odd", 3)]),
        "fields.scale_conditioning": R(dict(L=4, beta=1.0, mass2=0.1, levels=None), counts=["L"], nonneg=["beta"],
                                       pos=["mass2"]),
        "fields.block_average": R(dict(x=FIELDS, b=2), counts=["b"], extra=[("b", "not a divisor", 3)]),
        "fields.binder_cumulant": R(dict(m=np.array([0.1, -0.2, 0.3]), axis=None)),
        "fields.autocorr_time": R(dict(series=_rng(1).normal(size=20), c=5.0), pos=["c"]),
        # ---------------------------------------------------------------- flows
        "flows.RealNVP": R(dict(dim=2, n_layers=2, hidden=8, s_max=2.0), counts=["dim", "n_layers", "hidden"],
                           pos=["s_max"]),
        "flows.RealNVP.forward": R(dict(x=T), obj="realnvp", extra=[("x", "wrong dimension", torch.zeros(3, 5))]),
        "flows.RealNVP.inverse": R(dict(z=T), obj="realnvp", extra=[("z", "wrong dimension", torch.zeros(3, 5))]),
        "flows.RealNVP.base_log_prob": R(dict(z=T)),
        "flows.RealNVP.log_prob": R(dict(x=T), obj="realnvp"),
        "flows.RealNVP.sample_with_log_prob": R(dict(n=3, generator=None), obj="realnvp", counts=["n"],
                                                extra=[("generator", "not a generator", 3)]),
        "flows.RealNVP.sample": R(dict(n=3, generator=None), obj="realnvp", counts=["n"],
                                  extra=[("generator", "not a generator", 3)]),
        "flows.AffineCoupling": R(dict(mask=torch.tensor([1.0, 0.0]), hidden=8, s_max=2.0), counts=["hidden"],
                                  pos=["s_max"], extra=[("mask", "not 0/1", torch.tensor([0.5, 0.0]))]),
        "flows.AffineCoupling.forward": R(dict(x=T), obj="coupling"),
        "flows.AffineCoupling.inverse": R(dict(y=T), obj="coupling"),
        "flows.toy_data": R(dict(name="moons", n=5, seed=0), counts=["n"]),
        "flows.ring_means": R(dict(n_modes=4, radius=3.0), counts=["n_modes"], pos=["radius"]),
        "flows.gmm_log_prob": R(dict(x=T, means=torch.zeros(2, 2), std=0.5, weights=None), pos=["std"],
                                extra=[("weights", "not summing to 1", torch.tensor([0.5, 0.6])),
                                       ("means", "wrong dimension", torch.zeros(2, 3))]),
        "flows.checkerboard_log_prob": R(dict(x=X2)),
        "flows.box_muller": R(dict(u=np.full((3, 2), 0.5)), extra=[("u", "outside (0, 1)", np.full((3, 2), 1.5))]),
        "flows.box_muller_log_det": R(dict(u=np.full((3, 2), 0.5)),
                                      extra=[("u", "outside (0, 1)", np.full((3, 2), 1.5))]),
        "flows.train_forward_kl": R(dict(flow=_lazy(lambda: _models()["realnvp"]()), data=X2, steps=2, batch_size=4,
                                         lr=1e-3, seed=0, snapshot_steps=()),
                                    counts=["steps", "batch_size"], pos=["lr"], free=["snapshot_steps"],
                                    extra=[("data", "wrong dimension", np.zeros((6, 3))),
                                           ("snapshot_steps", "beyond steps", (5,))]),
        "flows.train_forward_kl_many": R(dict(flows=_lazy(lambda: [_models()["realnvp"](), _models()["realnvp"]()]),
                                              datasets=[X2, X2], steps=2, batch_size=4, lr=1e-3, seeds=None,
                                              snapshot_steps=()),
                                         counts=["steps", "batch_size"], pos=["lr"], free=["seeds", "snapshot_steps"],
                                         extra=[("datasets", "wrong dimension", [X2, np.zeros((6, 3))]),
                                                ("datasets", "one missing", [X2]),
                                                ("flows", "not flows", [1, 2]),
                                                ("flows", "two architectures", _lazy(lambda: [
                                                    _models()["realnvp"](), flows_mod().RealNVP(2, 3, 8)])),
                                                ("seeds", "one missing", [0]), ("seeds", "negative", [0, -1]),
                                                ("snapshot_steps", "beyond steps", (5,))]),
        "flows.train_reverse_kl": R(dict(flow=_lazy(lambda: _models()["realnvp"]()), log_target=_log_target_torch,
                                         steps=2, batch_size=4, lr=1e-3, seed=0, snapshot_steps=()),
                                    counts=["steps", "batch_size"], pos=["lr"], free=["snapshot_steps"],
                                    extra=[("snapshot_steps", "beyond steps", (5,))]),
        "flows.importance_weights": R(dict(flow=_lazy(lambda: _models()["realnvp"]()), log_target=_log_target_torch,
                                           n=4, seed=0), counts=["n"]),
        "flows.effective_sample_size": R(dict(log_w=np.array([0.0, -1.0, 0.5]))),
        "flows.log_z_estimates": R(dict(log_w=np.array([0.0, -1.0, 0.5]))),
        "flows.density_on_grid": R(dict(flow=_lazy(lambda: _models()["realnvp"]()), extent=2.0, n_grid=4),
                                   pos=["extent"], counts=["n_grid"]),
        # ---------------------------------------------------------------- hopfield
        "hopfield.random_patterns": R(dict(P=2, N=8, seed=0), counts=["P", "N"]),
        "hopfield.hebbian_couplings": R(dict(patterns=pats)),
        "hopfield.overlaps": R(dict(states=_spins(3, 8), patterns=pats),
                               extra=[("states", "wrong length", _spins(3, 7))]),
        "hopfield.lyapunov": R(dict(J=hopfield.hebbian_couplings(pats), states=_spins(3, 8), h=0.0),
                               extra=[("states", "wrong length", _spins(3, 7))]),
        "hopfield.run_dynamics": R(dict(J=hopfield.hebbian_couplings(pats), states=_spins(3, 8), T=0.5, sweeps=2,
                                        update="sequential", seed=0), nonneg=["T"], counts=["sweeps"]),
        "hopfield.run_dynamics_from_patterns": R(dict(patterns=pats, states=_spins(3, 8), T=0.5, sweeps=2,
                                                      update="sequential", seed=0),
                                                 nonneg=["T"], counts0=["sweeps"]),
        "hopfield.ags_averages": R(dict(m=0.9, s=0.3, T=0.5), nonneg=["s", "T"]),
        "hopfield.ags_free_energy": R(dict(m=0.9, q=0.9, r=1.0, alpha=0.05, T=0.3), nonneg=["r", "alpha", "T"],
                                      extra=[("q", "above 1", 1.5)]),
        "hopfield.ags_capacity": R(dict()),
        "hopfield.ags_retrieval": R(dict(alphas=np.array([0.05, 0.1]), T=0.0), nonneg=["alphas", "T"]),
        "hopfield.ags_phase_lines": R(dict(alphas=np.array([0.05, 0.1])), nonneg=["alphas"]),
        # ---------------------------------------------------------------- interpolants
        "interpolants.Schedule": R(dict(name="linear", alpha=_velocity, beta=_velocity, gamma=_velocity,
                                        dalpha=_velocity, dbeta=_velocity, dgamma=_velocity), free=["name"]),
        "interpolants.Schedule.coefficients": R(dict(t=np.array([0.2, 0.5])), obj="schedule",
                                                extra=[("t", "outside [0, 1]", np.array([1.5]))]),
        "interpolants.schedule": R(dict(kind="linear", noise=0.5), nonneg=["noise"]),
        "interpolants.interpolate": R(dict(x0=X2, x1=X2, z=X2, t=np.full(6, 0.5), sched=_lazy(_schedule)),
                                      extra=[("t", "outside [0, 1]", np.full(6, 1.5)),
                                             ("x1", "mismatched", np.zeros((5, 2)))]),
        **{f"interpolants.{f}": R(dict(x=X2, t=0.5, sched=_lazy(_schedule), weights=W3, means=M3,
                                       stds=S3), pos=["stds"], extra=[NOT_PROB, ("t", "outside [0, 1]", 1.5)])
           for f in ("exact_velocity_gaussian_mixture", "exact_score_gaussian_mixture")},
        "interpolants.ode_sample": R(dict(velocity=_velocity, x0=X2, n_steps=3, method="heun"), counts=["n_steps"]),
        "interpolants.sde_sample": R(dict(velocity=_velocity, score=_gauss_score, x0=X2, n_steps=3, eps=0.5, seed=0),
                                     counts=["n_steps"], nonneg=["eps"]),
        "interpolants.energy_distance": R(dict(x=X2, y=X2 + 1.0), extra=[("y", "wrong dimension", np.zeros((4, 3)))]),
        # ---------------------------------------------------------------- linalg
        "linalg.goe": R(dict(n=4, n_samples=2, seed=0), counts=["n", "n_samples"]),
        "linalg.spiked_wigner": R(dict(n=4, lam=1.5, n_samples=2, seed=0), counts=["n", "n_samples"], nonneg=["lam"]),
        "linalg.bbp_top_eigenvalue": R(dict(lam=np.array([0.5, 2.0])), nonneg=["lam"]),
        "linalg.bbp_overlap": R(dict(lam=np.array([0.5, 2.0])), nonneg=["lam"]),
        "linalg.semicircle_density": R(dict(x=np.array([0.0, 1.0]))),
        "linalg.low_rank_approximation": R(dict(A=_rng(1).normal(size=(4, 3)), k=2), counts=["k"],
                                           extra=[("k", "above the rank", 5)]),
        "linalg.sherman_morrison": R(dict(A_inv=np.eye(3), u=np.ones(3), v=np.ones(3) * 0.1),
                                     extra=[("v", "mismatched", np.ones(2))]),
        "linalg.woodbury": R(dict(A_inv=np.eye(3), U=np.ones((3, 1)), C=np.eye(1), V=np.ones((1, 3)) * 0.1),
                             extra=[("V", "mismatched", np.ones((1, 2)))]),
        # ---------------------------------------------------------------- mcmc
        "mcmc.metropolis_matrix": R(dict(p=PI3, proposal=Q3),
                                    extra=[("p", "negative", np.array([-0.5, 1.0, 0.5])),
                                           ("proposal", "not stochastic", np.full((3, 3), 5.0))]),
        "mcmc.stationary_distribution": R(dict(P=P3), extra=[("P", "not stochastic", np.full((3, 3), 5.0))]),
        "mcmc.detailed_balance_violation": R(dict(P=P3, pi=PI3),
                                             extra=[("P", "not stochastic", np.full((3, 3), 5.0)),
                                                    ("pi", "not a distribution", np.array([7.0, -2.0, 9.0]))]),
        "mcmc.random_walk_metropolis": R(dict(log_p=_quadratic_log_p, x0=np.zeros((2, 2)), n_steps=3, step=0.5,
                                              seed=0), counts=["n_steps"], pos=["step"]),
        "mcmc.langevin": R(dict(grad_log_p=_quadratic_grad, x0=np.zeros((2, 2)), n_steps=3, eta=0.1, seed=0,
                                log_p=None), counts=["n_steps"], pos=["eta"], extra=[("log_p", "not callable", 3)]),
        "mcmc.ula_gaussian_variance": R(dict(sigma2=1.0, eta=0.1), pos=["sigma2", "eta"]),
        "mcmc.ising2d_energy": R(dict(spins=_spins(2, 4, 4)), extra=[("spins", "not spins", np.full((2, 4, 4), 0.5))]),
        "mcmc.metropolis_ising2d": R(dict(L=4, T=2.0, sweeps=2, n_chains=2, seed=0, start="random",
                                          return_spins=False, device=None), counts=["L", "sweeps", "n_chains"],
                                     pos=["T"], extra=[("device", "not a device", "tpu"),
                                                       ("device", "wrong type", 3)]),
        "mcmc.exact_ising2d": R(dict(L=2, T=2.0), counts=["L"], pos=["T"]),
        "mcmc.onsager_energy": R(dict(T=np.array([1.0, 3.0])), pos=["T"]),
        "mcmc.onsager_magnetization": R(dict(T=np.array([1.0, 3.0])), pos=["T"]),
        # ---------------------------------------------------------------- plotting
        "plotting.use_course_style": R(dict()),
        "plotting.live": R(dict(func=_plot, manual=False), free=["manual"]),
        "plotting.label": R(dict(ax=_lazy(_ax), xlabel="x", ylabel="y", title=None), free=["xlabel", "ylabel"],
                            extra=[("xlabel", "not a string", 3)]),
        # ---------------------------------------------------------------- potts
        "potts.chemical_potentials": R(dict(c=np.array([0.2, 0.3, 0.5]), T=1.0), pos=["T"],
                                       extra=[("c", "not a distribution", np.array([0.5, 0.6, -0.1]))]),
        "potts.contact_counts": R(dict(sigma=STRUCT[0], n_species=3), counts=["n_species"],
                                  extra=[("sigma", "species out of range", STRUCT[0] + 5)]),
        "potts.potts_energy": R(dict(sigma=STRUCT[0], J=_sym(3), mu=None),
                                extra=[("J", "wrong size", np.zeros((2, 2)))]),
        "potts.heat_bath_sweeps": R(dict(J=_sym(3), mu=np.zeros(3), sigma0=STRUCT[0], T=1.0, sweeps=2, seed=0,
                                         structures=None, record_every=1), pos=["T"],
                                    counts=["sweeps", "record_every"], extra=[("mu", "wrong length", np.zeros(2))]),
        "potts.exact_lattice_distribution": R(dict(J=_sym(2), mu=np.zeros(2), shape=(2, 2), T=1.0), pos=["T"],
                                              free=["shape"], extra=[("shape", "huge lattice", (100, 100))]),
        "potts.random_structures": R(dict(n_structures=2, n_species=4, L=4, seed=0),
                                     counts=["n_structures", "n_species", "L"]),
        "potts.structure_contacts": R(dict(structures=STRUCT, n_species=3), counts=["n_species"],
                                      extra=[("structures", "species out of range", STRUCT + 5)]),
        "potts.hebbian_species_couplings": R(dict(structures=STRUCT, n_species=3, epsilon=1.0), counts=["n_species"],
                                             pos=["epsilon"]),
        "potts.structure_overlaps": R(dict(sigma=STRUCT[0], structures=STRUCT, n_species=3), counts=["n_species"],
                                     extra=[("sigma", "wrong shape", np.zeros((3, 3), int))]),
        "potts.sleep_wake_learning": R(dict(data=STRUCT, n_species=3, T=1.0, steps=2, lr=0.05, n_chains=2, sweeps=1,
                                            seed=0, l2=0.0), counts=["n_species", "steps", "n_chains", "sweeps"],
                                       pos=["T", "lr"], nonneg=["l2"]),
        "potts.random_sequence_model": R(dict(L=4, q=3, coupling_std=1.0, field_std=0.5, degree=2, seed=0),
                                         counts=["L", "q", "degree"], nonneg=["coupling_std", "field_std"]),
        "potts.gibbs_sequences": R(dict(h=np.zeros((4, 3)), J=np.zeros((4, 3, 4, 3)), n_samples=3, sweeps=2, seed=0,
                                        init=None), counts=["n_samples", "sweeps"],
                                   extra=[("J", "mismatched", np.zeros((3, 3, 3, 3)))]),
        "potts.exact_sequence_distribution": R(dict(h=np.zeros((3, 2)), J=np.zeros((3, 2, 3, 2))),
                                               extra=[("J", "mismatched", np.zeros((2, 2, 2, 2)))]),
        "potts.site_frequencies": R(dict(sequences=SEQ, q=3, weights=None), counts=["q"],
                                    extra=[("weights", "negative", -np.ones(20)),
                                           ("weights", "wrong length", np.ones(3))]),
        "potts.connected_correlations": R(dict(f1=np.full((4, 3), 1 / 3), f2=np.full((4, 3, 4, 3), 1 / 9)),
                                          extra=[("f2", "mismatched", np.full((3, 3, 3, 3), 1 / 9))]),
        "potts.correlation_pearson": R(dict(C_data=_rng(1).normal(size=(4, 3, 4, 3)),
                                            C_model=_rng(2).normal(size=(4, 3, 4, 3))),
                                       extra=[("C_model", "mismatched", np.zeros((3, 3, 3, 3)))]),
        "potts.boltzmann_learning_potts": R(dict(sequences=SEQ, q=3, steps=2, lr=0.05, n_chains=4, sweeps=1, seed=0,
                                                 record_every=1),
                                            counts=["q", "steps", "n_chains", "sweeps", "record_every"], pos=["lr"]),
        # ---------------------------------------------------------------- rbm
        "rbm.hubbard_stratonovich_integral": R(dict(a=np.array([0.5, 1.0]), x=np.array([0.1, 0.2]), n_nodes=20),
                                               pos=["a"], counts=["n_nodes"]),
        "rbm.hopfield_log_weight": R(dict(s=_spins(3, 8), patterns=pats, beta=1.0), nonneg=["beta"],
                                     extra=[("s", "wrong length", _spins(3, 7))]),
        "rbm.hopfield_rbm_weights": R(dict(patterns=pats, beta=1.0), nonneg=["beta"]),
        "rbm.rbm_log_marginal": R(dict(s=data_spins, W=W_rbm, b=None, c=None, hidden="bernoulli"),
                                  extra=[("W", "mismatched", np.zeros((3, 2)))]),
        "rbm.rbm_hidden_mean": R(dict(s=data_spins, W=W_rbm, c=None, hidden="bernoulli"),
                                 extra=[("W", "mismatched", np.zeros((3, 2)))]),
        "rbm.rbm_gibbs": R(dict(W=W_rbm, b=np.zeros(4), c=np.zeros(2), hidden="bernoulli", states=data_spins, steps=2,
                                seed=0), counts=["steps"], extra=[("b", "wrong length", np.zeros(3))]),
        "rbm.rbm_exact_log_likelihood": R(dict(data=data_spins, W=W_rbm, b=None, c=None, hidden="bernoulli")),
        "rbm.train_rbm": R(dict(data=data_spins, n_hidden=2, hidden="bernoulli", epochs=2, lr=0.05, k=1, batch_size=5,
                                persistent=False, init_std=0.01, seed=0),
                           counts=["n_hidden", "epochs", "k", "batch_size"], pos=["lr"], nonneg=["init_std"]),
        "rbm.gmm_network": R(dict(weights=np.array([0.5, 0.5]), means=np.array([[1.0, 0.0], [-1.0, 0.0]]),
                                  cov=np.eye(2)),
                             extra=[("weights", "not summing to 1", np.array([0.5, 0.7])),
                                    ("cov", "not positive definite", -np.eye(2))]),
        "rbm.softmax_hidden": R(dict(x=X2, W=np.ones((2, 3)), c=np.zeros(3)),
                                extra=[("c", "wrong length", np.zeros(2))]),
        # ---------------------------------------------------------------- readout
        "readout.ridge_path": R(dict(X=_rng(1).normal(size=(10, 3)), Y=_rng(2).normal(size=(10, 2)),
                                     alphas=np.array([0.1, 1.0])), pos=["alphas"],
                                extra=[("Y", "mismatched", np.zeros((9, 2)))]),
        "readout.cross_validated_r2": R(dict(X=_rng(1).normal(size=(10, 3)), Y=_rng(2).normal(size=(10, 2)),
                                             alphas=np.array([0.1, 1.0]), n_folds=2, seed=0), pos=["alphas"],
                                        counts=["n_folds"], extra=[("n_folds", "more folds than samples", 11)]),
        "readout.ridge_readout": R(dict(X=_rng(1).normal(size=(10, 3)), Y=_rng(2).normal(size=(10, 2)),
                                        alphas=np.array([0.1, 1.0]), n_folds=2, seed=0), pos=["alphas"],
                                   counts=["n_folds"]),
        "readout.permutation_test": R(dict(X=_rng(1).normal(size=(10, 3)), y=_rng(2).normal(size=10),
                                           alphas=np.array([0.1, 1.0]), n_permutations=2, n_folds=2, seed=0),
                                      pos=["alphas"], counts=["n_permutations", "n_folds"]),
        "readout.ols_prediction_risk": R(dict(n_train=10, p=3, noise_var=1.0), counts=["n_train", "p"],
                                         pos=["noise_var"]),
        "readout.random_features": R(dict(X=_rng(1).normal(size=(5, 3)), n_features=4, seed=0), counts=["n_features"]),
        "readout.synthetic_brain_responses": R(dict(n_stimuli=5, n_sensors=3, n_times=2, noise=1.0, seed=0),
                                               counts=["n_stimuli", "n_sensors", "n_times"], nonneg=["noise"]),
        # ---------------------------------------------------------------- regression
        "regression.weighted_least_squares": R(dict(X=_rng(1).normal(size=(6, 2)), y=np.ones(6), noise_var=1.0),
                                               pos=["noise_var"], extra=[("y", "mismatched", np.ones(5))]),
        "regression.ridge": R(dict(X=_rng(1).normal(size=(6, 2)), y=np.ones(6), lam=0.1), nonneg=["lam"],
                              extra=[("y", "mismatched", np.ones(5))]),
        "regression.ridge_filter": R(dict(s=np.array([1.0, 0.5]), lam=0.1, shape=(3, 2)), nonneg=["s", "lam"],
                                     free=["shape"], extra=[("shape", "negative", (-3, 2))]),
        "regression.min_norm_least_squares": R(dict(X=_rng(1).normal(size=(3, 5)), y=np.ones(3)),
                                               extra=[("y", "mismatched", np.ones(5))]),
        "regression.bayes_posterior": R(dict(X=_rng(1).normal(size=(6, 2)), y=np.ones(6), noise_var=1.0,
                                             prior_var=1.0), pos=["noise_var", "prior_var"]),
        "regression.bayes_predictive": R(dict(X_new=_rng(1).normal(size=(4, 2)), mean=np.zeros(2), cov=np.eye(2),
                                              noise_var=1.0), pos=["noise_var"],
                                         extra=[("cov", "mismatched", np.eye(3))]),
        "regression.min_norm_risk": R(dict(n=10, p=np.array([5.0, 20.0]), signal=1.0, noise_var=1.0), counts=["n"],
                                      pos=["p"], nonneg=["signal", "noise_var"]),
        # ---------------------------------------------------------------- sde
        "sde.time_grid": R(dict(t_grid=np.linspace(0, 1, 5)),
                           extra=[("t_grid", "decreasing", np.array([1.0, 0.5])),
                                  ("t_grid", "huge number of steps", (0.0, 1.0, HUGE))]),
        "sde.brownian_motion": R(dict(n_paths=3, t_grid=np.linspace(0, 1, 5), dim=None, seed=0), counts=["n_paths"],
                                 extra=[("dim", "zero", 0)]),
        "sde.euler_maruyama": R(dict(drift=_drift, diffusion=1.0, x0=np.zeros((4, 2)), t_grid=(0.0, 1.0, 5), seed=0,
                                     dW=None, return_path=True), free=["drift"],
                                extra=[("drift", "None", None), ("diffusion", "None", None),
                                       ("t_grid", "huge number of steps", (0.0, 1.0, HUGE))]),
        "sde.fokker_planck_1d": R(dict(drift=lambda x, t: -x, diffusion=1.0, p0=np.exp(-np.linspace(-3, 3, 31) ** 2),
                                       x=np.linspace(-3, 3, 31), t_grid=(0.0, 0.1, 5)),
                                  extra=[("p0", "negative", -np.ones(31)), ("p0", "mismatched", np.ones(30))]),
        "sde.ou_marginal": R(dict(x0=np.array([1.0, 2.0]), t=0.5, kappa=1.0, sigma=1.4), nonneg=["t"],
                             pos=["kappa", "sigma"]),
        "sde.ou_em_moments": R(dict(x0=1.0, kappa=1.0, sigma=1.4, h=0.1, n_steps=5), pos=["kappa", "sigma", "h"],
                               counts=["n_steps"]),
        "sde.ou_gmm_score": R(dict(x=X2, t=0.5, weights=W3, means=M3, stds=S3, kappa=1.0, sigma=1.4), nonneg=["t"],
                              pos=["stds", "kappa", "sigma"], extra=[NOT_PROB]),
        "sde.ou_reverse_sde": R(dict(score=_gauss_score, y0=X2, T=1.0, n_steps=3, kappa=1.0, sigma=1.4, alpha=1.0,
                                     t_min=1e-3, seed=0, return_path=False),
                                counts=["n_steps"], pos=["T", "kappa", "sigma", "t_min"], nonneg=["alpha"]),
        "sde.em_strong_error": R(dict(drift=_drift, diffusion=_diffusion, x0=1.0, T=1.0, n_steps_list=[2, 4],
                                      n_paths=5, seed=0, exact=None, refine=2), pos=["T"],
                                 counts=["n_paths", "refine"], free=["n_steps_list"],
                                 extra=[("n_steps_list", "zero steps", [0, 4])]),
        "sde.convergence_order": R(dict(h=np.array([0.1, 0.05]), error=np.array([0.2, 0.1])), pos=["h", "error"],
                                   extra=[("error", "mismatched", np.array([0.1]))]),
        # ---------------------------------------------------------------- seeding
        "seeding.seed_offset": R(dict()),
        "seeding.mix_seed": R(dict(seed=3, name="seed"), free=["name"]),
        "seeding.make_rng": R(dict(seed=3, name="seed"), free=["name"]),
        "seeding.torch_generator": R(dict(seed=3, name="seed"), free=["name"]),
        "seeding.manual_seed": R(dict(seed=3, name="seed"), free=["name"]),
        # ---------------------------------------------------------------- training
        "training.init_weights": R(dict(n_in=3, n_out=2, scheme="kaiming", rng=0, size=()), counts=["n_in", "n_out"],
                                   free=["size"], extra=[("rng", "negative seed", -1), ("size", "negative", (-2,))]),
        "training.gaussian_activation_moment": R(dict(q=np.array([0.5, 1.0]), activation="relu"), nonneg=["q"]),
        "training.variance_recursion": R(dict(q0=1.0, depth=3, sigma_w2=2.0, activation="relu", sigma_b2=0.0),
                                         nonneg=["q0", "sigma_w2", "sigma_b2"], counts=["depth"]),
        "training.propagate_mlp": R(dict(x=_rng(1).normal(size=(3, 4)), depth=2, width=4, scheme="kaiming",
                                         activation="relu", sigma_w2=None, sigma_b2=0.0, n_networks=1, seed=0),
                                    counts=["depth", "width", "n_networks"], nonneg=["sigma_b2"]),
        "training.whitening_matrix": R(dict(X=_rng(1).normal(size=(10, 3)), method="zca", eps=0.0), nonneg=["eps"]),
        "training.batch_norm": R(dict(x=_rng(1).normal(size=(5, 3)), gamma=1.0, beta=0.0, eps=1e-5), pos=["eps"]),
        "training.layer_norm": R(dict(x=_rng(1).normal(size=(5, 3)), gamma=1.0, beta=0.0, eps=1e-5), pos=["eps"]),
        "training.gd_rate": R(dict(H=np.diag([1.0, 2.0])), extra=[("H", "not symmetric", np.array([[1.0, 1.0],
                                                                                                      [0.0, 1.0]]))]),
        "training.optimize_quadratic": R(dict(H=np.diag([1.0, 2.0]), theta0=np.ones(2), steps=3, method="gd", lr=0.1,
                                              betas=(0.9, 0.999), eps=1e-8), counts=["steps"], pos=["lr", "eps"],
                                         free=["betas"], extra=[("theta0", "mismatched", np.ones(3)),
                                                                ("betas", "above 1", (1.5, 0.999))]),
        "training.make_mlp": R(dict(in_dim=2, width=4, depth=2, out_dim=1, init="kaiming", activation="relu",
                                    norm=None, residual=False, residual_scale=1.0),
                               counts=["in_dim", "width", "out_dim"], counts0=["depth"], nonneg=["residual_scale"],
                               extra=[("norm", "unknown", "nonexistent")]),
        "training.layer_gradient_norms": R(dict(model=_lazy(lambda: _models()["mlp"]()), x=torch.zeros(3, 2), y=None),
                                           extra=[("x", "wrong dimension", torch.zeros(3, 5))]),
        "training.train_regression": R(dict(model=_lazy(lambda: _models()["mlp"]()), X=torch.zeros(6, 2),
                                            y=torch.zeros(6, 1), steps=2, lr=1e-3, optimizer="adam", batch_size=None,
                                            seed=0), counts=["steps"], pos=["lr"],
                                       extra=[("y", "mismatched", torch.zeros(5, 1)), ("batch_size", "zero", 0)]),
        # ---------------------------------------------------------------- vae
        "vae.gaussian_kl": R(dict(mu=torch.zeros(2, 2), log_var=torch.zeros(2, 2), reduce=True),
                             extra=[("log_var", "mismatched", torch.zeros(3, 2))]),
        "vae.Autoencoder": R(dict(dim=4, k=2, hidden=(8,)), counts=["dim", "k"], free=["hidden"],
                             extra=[("hidden", "zero width", (0,))]),
        "vae.Autoencoder.forward": R(dict(x=torch.zeros(3, 4)), obj="ae",
                                     extra=[("x", "wrong dimension", torch.zeros(3, 5))]),
        "vae.VAE": R(dict(dim=4, k=2, hidden=(8,)), counts=["dim", "k"], free=["hidden"],
                     extra=[("hidden", "zero width", (0,))]),
        "vae.VAE.encode": R(dict(x=torch.zeros(3, 4)), obj="vae", extra=[("x", "wrong dimension", torch.zeros(3, 5))]),
        "vae.VAE.decode": R(dict(z=torch.zeros(3, 2)), obj="vae", extra=[("z", "wrong dimension", torch.zeros(3, 5))]),
        "vae.VAE.log_likelihood": R(dict(x=torch.zeros(3, 4), z=torch.zeros(3, 2)), obj="vae"),
        "vae.VAE.sample": R(dict(n=3, generator=None, mean=False), obj="vae", counts=["n"],
                            extra=[("generator", "not a generator", 3)]),
        "vae.train_autoencoder": R(dict(model=_lazy(lambda: _models()["ae"]()), data=np.zeros((6, 4)), steps=2,
                                        batch_size=4, lr=1e-3, seed=0), counts=["steps", "batch_size"], pos=["lr"],
                                   extra=[("data", "wrong dimension", np.zeros((6, 3)))]),
        "vae.train_vae": R(dict(model=_lazy(lambda: _models()["vae"]()), data=np.zeros((6, 4)), steps=2, batch_size=4,
                                lr=1e-3, beta=1.0, seed=0), counts=["steps", "batch_size"], pos=["lr"], nonneg=["beta"],
                           extra=[("data", "wrong dimension", np.zeros((6, 3)))]),
        "vae.elbo": R(dict(model=_lazy(lambda: _models()["vae"]()), x=torch.zeros(3, 4), beta=1.0, generator=None),
                      nonneg=["beta"], extra=[("generator", "not a generator", 3)]),
        "vae.iwae_bound": R(dict(model=_lazy(lambda: _models()["vae"]()), x=torch.zeros(3, 4), n_samples=2, seed=0,
                                 chunk=2), counts=["n_samples", "chunk"]),
        "vae.kl_per_dimension": R(dict(model=_lazy(lambda: _models()["vae"]()), x=torch.zeros(3, 4))),
        "vae.binarized_digits": R(dict(threshold=8), extra=[("threshold", "above 16", 17),
                                                            ("threshold", "negative", -1)]),
        # ---------------------------------------------------------------- validation
        "validation.check_int": R(dict(name="n", value=3, minimum=None, maximum=None), free=["name", "value"],
                                  extra=[("name", "not a string", 3)]),
        "validation.check_positive": R(dict(name="x", value=1.0, allow_zero=False), free=["name", "value"],
                                       extra=[("name", "not a string", 3)]),
        "validation.check_in_range": R(dict(name="x", value=0.5, low=0.0, high=1.0, closed=True),
                                       free=["name", "value", "low", "high"], extra=[("low", "above high", 2.0)]),
        "validation.check_array": R(dict(name="x", value=np.zeros(2), ndim=None, shape=None, finite=True, dtype=float),
                                    free=["name", "value", "dtype"], extra=[("name", "not a string", 3)]),
        "validation.check_spins": R(dict(name="x", value=np.ones(2), ndim=None), free=["name", "value"],
                                    extra=[("name", "not a string", 3)]),
        "validation.check_probabilities": R(dict(name="x", value=np.array([0.5, 0.5]), axis=-1, atol=1e-8),
                                            free=["name", "value"], pos=["atol"]),
        "validation.check_symmetric": R(dict(name="x", value=np.eye(2), zero_diagonal=False, atol=1e-10),
                                        free=["name", "value"], pos=["atol"]),
        "validation.check_real": R(dict(name="x", value=0.5), free=["name", "value"],
                                   extra=[("name", "not a string", 3)]),
        "validation.check_seed": R(dict(name="seed", value=3, allow_generator=False), free=["name", "value"],
                                   extra=[("name", "not a string", 3)]),
        "validation.check_callable": R(dict(name="f", value=_velocity, optional=False), free=["name", "value"],
                                       extra=[("name", "not a string", 3)]),
        "validation.check_memory": R(dict(name="n", n_bytes=8.0, what="the arrays"), free=["name", "what", "n_bytes"],
                                     extra=[("name", "not a string", 3), ("n_bytes", "nan", np.nan),
                                            ("n_bytes", "negative", -1.0), ("n_bytes", "wrong type (str)", "abc")]),
        "validation.check_tensor": R(dict(name="x", value=torch.zeros(2), ndim=None, shape=None, finite=True,
                                          allow_empty=False), free=["name", "value"],
                                     extra=[("name", "not a string", 3)]),
        "validation.check_device": R(dict(name="device", value="cpu"), free=["name", "value"],
                                     extra=[("name", "not a string", 3)]),
        "validation.check_module": R(dict(name="model", value=_lazy(lambda: _models()["mlp"]()), cls=None),
                                     free=["name", "value"], extra=[("name", "not a string", 3)]),
        # ---------------------------------------------------------------- wavelet_rg
        "wavelet_rg.WaveletRGModel": R(dict(L=8, n_levels=1, radius=1, scales=np.ones(2)),
                                       counts=["L", "n_levels", "radius"]),
        "wavelet_rg.WaveletRGModel.couplings": R(dict(name="mass"), obj="wrg",
                                                 extra=[("name", "unknown", "nonexistent")],
                                                 free=["name"]),
        "wavelet_rg.WaveletRGModel.condition_numbers": R(dict(), obj="wrg"),
        "wavelet_rg.fit_wavelet_rg": R(dict(phi=_rng(1).normal(size=(8, 8, 8)), n_levels=1, radius=1, quartic=True,
                                            chunk=4), counts=["n_levels", "radius", "chunk"]),
        "wavelet_rg.sample_wavelet_rg": R(dict(model=_lazy(_wrg_model), n=2, seed=0, n_steps=2, n_steps_coarsest=2,
                                               return_info=False), counts=["n", "n_steps", "n_steps_coarsest"]),
        "wavelet_rg.wavelet_decompose": R(dict(phi=_rng(1).normal(size=(2, 8, 8)), n_levels=2), counts=["n_levels"]),
        "wavelet_rg.gaussian_model_covariance": R(dict(model=_lazy(_wrg_gaussian))),
        "wavelet_rg.conditional_precision_symbols": R(dict(model=_lazy(_wrg_model), j=1), counts=["j"]),
    }
    for key, row in _module_rows().items():
        assert key not in ex, f"{key}: a row both here and in tests/bad_input_rows/"
        ex[key] = row
    return ex


def _module_rows() -> dict:
    """Rows kept in one file per newer module, ``tests/bad_input_rows/<module>.py``, each defining
    ``rows(R)`` (R is ``_row``) that returns {'module.name': R(...)} as the table above does."""
    import importlib.util

    out = {}
    for path in sorted(Path(__file__).with_name("bad_input_rows").glob("[a-z]*.py")):
        spec = importlib.util.spec_from_file_location(f"_bad_input_rows_{path.stem}", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        out.update(mod.rows(_row))
    return out


# ----------------------------------------------------------------------------- bad values
#: argument names that are seeds (a Generator is also accepted where the name is ``rng``)
SEED_NAMES = {"seed", "rng"}


def _generic_bad(value, default):
    """(label, bad value) pairs that are wrong for any argument whose valid value is ``value``."""
    bad = []
    if value is None or isinstance(value, (bool, dict, np.random.Generator, torch.Generator)):
        return bad
    if default is not inspect.Parameter.empty and default is None:
        none_ok = True
    else:
        none_ok = False
    if isinstance(value, str):
        return [("unknown option", "nonexistent")]
    if isinstance(value, torch.nn.Module) or callable(value) and not isinstance(value, (np.ndarray, torch.Tensor)):
        bad = [("wrong type (int)", 3)]
        return bad + ([] if none_ok else [("None", None)])
    if isinstance(value, torch.Tensor):
        bad = [("wrong type (str)", "abc")]
        if value.numel():
            nan = value.clone().float()
            nan.view(-1)[0] = float("nan")
            bad += [("nan entry", nan)]
            inf = value.clone().float()
            inf.view(-1)[-1] = float("inf")
            bad += [("inf entry", inf)]
        if value.dim() >= 1:
            bad += [("empty", value[:0])]
        return bad + ([] if none_ok else [("None", None)])
    if isinstance(value, (tuple, list)):
        return [("wrong type (str)", "abc")] + ([] if none_ok else [("None", None)])
    if isinstance(value, np.ndarray):
        bad = [("wrong type (str)", "abc")]
        if value.size:
            nan = value.astype(float)
            nan.flat[0] = np.nan
            inf = value.astype(float)
            inf.flat[-1] = np.inf
            bad += [("nan entry", nan), ("inf entry", inf)]
        if value.ndim >= 1:
            bad += [("empty", value[:0])]
        return bad + ([] if none_ok else [("None", None)])
    if isinstance(value, (int, np.integer)):
        bad = [("non-integer", 2.5), ("wrong type (str)", "abc")]
        return bad + ([] if none_ok else [("None", None)])
    if isinstance(value, (float, np.floating)):
        bad = [("nan", math.nan), ("inf", math.inf), ("-inf", -math.inf), ("wrong type (str)", "abc")]
        return bad + ([] if none_ok else [("None", None)])
    return [("wrong type (str)", "abc")] + ([] if none_ok else [("None", None)])


def _negative(value):
    if isinstance(value, torch.Tensor):
        return -torch.ones_like(value.float())
    if isinstance(value, np.ndarray):
        return -np.ones(value.shape)
    return -1 if isinstance(value, (int, np.integer)) else -1.0


def _zero(value):
    if isinstance(value, torch.Tensor):
        return torch.zeros_like(value.float())
    if isinstance(value, np.ndarray):
        return np.zeros(value.shape)
    return 0 if isinstance(value, (int, np.integer)) else 0.0


def bad_values(row: dict, params: dict) -> list[tuple[str, str, object]]:
    """(argument, label, bad value) for one callable: generic, by marker, and the row's extras."""
    out = []
    for arg, value in row["args"].items():
        if arg in row["free"]:
            continue
        default = params[arg].default if arg in params else inspect.Parameter.empty
        if arg in SEED_NAMES:
            out += [(arg, "negative seed", -1), (arg, "non-integer seed", 2.5), (arg, "wrong type (str)", "abc")]
            continue
        if getattr(value, "lazy", False):
            out += [(arg, "wrong type (int)", 3), (arg, "wrong type (str)", "abc")]
            if default is inspect.Parameter.empty or default is not None:
                out += [(arg, "None", None)]
            continue
        for label, bad in _generic_bad(value, default):
            if label == "empty" and arg in row["no_empty"]:
                continue
            out.append((arg, label, bad))
        if arg in row["counts"]:
            out += [(arg, "zero", 0), (arg, "negative", -1), (arg, "huge", HUGE)]
        elif arg in row["counts0"]:
            out += [(arg, "negative", -1), (arg, "huge", HUGE)]
        elif arg in row["pos"]:
            out += [(arg, "zero", _zero(value)), (arg, "negative", _negative(value))]
        elif arg in row["nonneg"]:
            out += [(arg, "negative", _negative(value))]
    out += [tuple(e) for e in row["extra"]]
    return out


# ----------------------------------------------------------------------------- calling
class _Hang(Exception):
    pass


def _alarm(signum, frame):
    raise _Hang


def _resolve(value):
    return value() if getattr(value, "lazy", False) else value


def _target(key: str, func, row: dict):
    """The function to call: a method is bound to a fresh example instance."""
    parts = key.split(".")
    if len(parts) == 3 and row["obj"] is not None:
        factory = row["obj"] if callable(row["obj"]) else \
            {**_models(), "schedule": _schedule, "wrg": _wrg_model}[row["obj"]]
        instance = factory()
        return getattr(instance, parts[2])
    return func


def _call(target, kwargs):
    if target.__name__ == "live":
        func = kwargs.pop("func")
        return target(func, **kwargs)
    return target(**kwargs)


def _nonfinite(result, depth=0) -> bool:
    if depth > 3:
        return False
    if isinstance(result, torch.Tensor):
        return bool(result.is_floating_point() and not torch.isfinite(result).all())
    if isinstance(result, np.ndarray):
        return result.dtype.kind in "fc" and not np.all(np.isfinite(result))
    if isinstance(result, (float, np.floating)):
        return not math.isfinite(result)
    if isinstance(result, dict):
        return any(_nonfinite(v, depth + 1) for v in result.values())
    if isinstance(result, (tuple, list)):
        return any(_nonfinite(v, depth + 1) for v in result[:20])
    return False


def classify(key: str, func, row: dict, arg: str, bad, params) -> tuple[str, str]:
    """Call with one bad argument; return (category, detail)."""
    kwargs = {k: _resolve(v.value if isinstance(v, Free) else v) for k, v in row["args"].items()}
    kwargs[arg] = bad
    target = _target(key, func, row)
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIMEOUT_S)
    try:
        with np.errstate(all="ignore"):
            result = _call(target, kwargs)
    except _Hang:
        return "hung", f"no answer within {TIMEOUT_S} s"
    except (ValueError, TypeError) as err:
        signal.alarm(0)
        frames = traceback.extract_tb(err.__traceback__)[2:]  # drop classify and _call
        inside = [f for f in frames if Path(f.filename).resolve().is_relative_to(PKG_DIR)]
        msg = str(err)
        # raised in course_utils itself (a decorator such as torch.no_grad may wrap the call)
        if not frames or frames[-1] not in inside or len(inside) > MAX_FRAMES:
            where = frames[-1].filename if frames and frames[-1] not in inside else f"{len(inside)} frames"
            return "deep", f"{type(err).__name__} from {where}: {msg[:120]}"
        if re.search(rf"(?<![A-Za-z0-9_]){re.escape(arg)}(?![A-Za-z0-9_])", msg):
            return "clear", msg[:160]
        others = [p for p in params if p != arg and re.search(rf"(?<![A-Za-z0-9_]){re.escape(p)}(?![A-Za-z0-9_])", msg)]
        if others:
            return "wrong_name", f"names {others}: {msg[:120]}"
        return "generic", msg[:160]
    except Exception as err:  # noqa: BLE001 - any other exception is the failure being measured
        return "other_exception", f"{type(err).__name__}: {str(err)[:120]}"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    if _nonfinite(result):
        return "nan", "returned nan/inf"
    return "accepted", "returned a finite result"


def _params(key, func):
    target = func
    try:
        sig = inspect.signature(target)
    except (TypeError, ValueError):
        return {}
    return {n: p for n, p in sig.parameters.items() if n != "self"}


# import what torch loads lazily on the first optimizer step now, so that a timeout can never
# interrupt that import half-way (which would break every later case)
_warm = torch.zeros(1, requires_grad=True)
_opt = torch.optim.Adam([_warm])
_warm.sum().backward()
_opt.step()
CALLABLES = public_callables()
EXAMPLES = _examples()


#: cases that still fail (one id a line, as printed by ``python tests/test_bad_input.py -v``, then
#: ``# reason``): each is a deliberate exception, an expected failure, strict, so a change that
#: makes one pass fails the test until its line is removed
KNOWN_GAPS = {line.split("#")[0].strip() for line in
              Path(__file__).with_name("bad_input_known_gaps.txt").read_text().splitlines()} - {""}


def _known_gap_marks(case_id: str) -> list:
    """A strict xfail for a case listed in bad_input_known_gaps.txt, else no mark."""
    if case_id in KNOWN_GAPS:
        return [pytest.mark.xfail(strict=True, reason="known gap, see bad_input_known_gaps.txt")]
    return []


def _cases():
    cases = []
    for key in sorted(CALLABLES):
        row = EXAMPLES.get(key)
        if row is None:
            continue
        params = _params(key, CALLABLES[key])
        for arg, label, bad in bad_values(row, params):
            case_id = f"{key}-{arg}-{label}"
            cases.append(pytest.param(key, arg, bad, id=case_id, marks=_known_gap_marks(case_id)))
    return cases


# ----------------------------------------------------------------------------- tests
def test_every_callable_has_examples():
    print(f"\n{len(CALLABLES)} public callables in {len(MODULES)} modules, {len(_cases())} bad-input cases")
    missing = sorted(set(CALLABLES) - set(EXAMPLES))
    assert not missing, f"public callables without example arguments in tests/test_bad_input.py: {missing}"
    stale = sorted(set(EXAMPLES) - set(CALLABLES))
    assert not stale, f"example rows for callables that are not public: {stale}"


def test_examples_name_real_parameters():
    for key, row in EXAMPLES.items():
        params = _params(key, CALLABLES[key])
        if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
            continue
        unknown = set(row["args"]) - set(params)
        assert not unknown, f"{key}: example names unknown parameters {unknown}"
        marked = row["pos"] | row["nonneg"] | row["counts"] | row["counts0"] | {e[0] for e in row["extra"]}
        assert marked <= set(row["args"]), f"{key}: markers for arguments without examples {marked - set(row['args'])}"


@pytest.mark.parametrize("key", sorted(CALLABLES))
def test_docstring_names_every_parameter(key):
    """Each public docstring says what it accepts: every parameter is named in it (``x``, x)."""
    func = CALLABLES[key]
    doc = inspect.getdoc(func) or ""
    params = [n for n, p in _params(key, func).items() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    missing = [p for p in params if not re.search(rf"(?<![A-Za-z0-9_]){re.escape(p)}(?![A-Za-z0-9_])", doc)]
    assert not missing, f"{key}: the docstring does not mention {missing}"


@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_valid_example_runs(key):
    """The valid arguments are accepted (so every rejection below is caused by the one bad value)."""
    row = EXAMPLES[key]
    kwargs = {k: _resolve(v) for k, v in row["args"].items()}
    with np.errstate(all="ignore"):
        _call(_target(key, CALLABLES[key], row), kwargs)


@pytest.mark.parametrize(("key", "arg", "bad"), _cases())
def test_bad_input_rejected(key, arg, bad):
    func = CALLABLES[key]
    category, detail = classify(key, func, EXAMPLES[key], arg, bad, _params(key, func))
    assert category == "clear", f"{key}({arg}=<bad>): {category}: {detail}"


# ----------------------------------------------------------------------------- sizes beyond memory
#: a count well inside validation.MAX_COUNT: an array of BEYOND x BEYOND (or BEYOND x a few hundred)
#: numbers does not fit in the memory the probe pretends to have
BEYOND = 10**7
#: the child process tells check_memory that this much memory is free, and gets address space for
#: HEADROOM more: a request check_memory lets through but that allocates more than HEADROOM fails
#: with numpy's MemoryError or torch's allocator RuntimeError, which is the failure looked for
PRETEND_AVAILABLE = 2**30
HEADROOM = 3 * 2**30
#: a call still running after this long is doing work (steps, sweeps), not allocating: it passes
SIZE_TIMEOUT_S = 0.5


def _size_cases():
    cases = []
    for key in sorted(CALLABLES):
        row = EXAMPLES.get(key)
        if row is None:
            continue
        for arg in sorted(row["counts"] | row["counts0"]):
            if isinstance(row["args"][arg], (int, np.integer)):
                case_id = f"{key}-{arg}-beyond memory"
                cases.append(pytest.param(key, arg, id=case_id, marks=_known_gap_marks(case_id)))
    return cases


def probe_size(key: str, arg: str) -> str:
    """Call ``key`` with ``arg = BEYOND`` in a forked child that has PRETEND_AVAILABLE bytes of
    memory: '' if the call is refused by a ValueError naming ``arg``, returns, or is still working
    after SIZE_TIMEOUT_S; otherwise what went wrong (a MemoryError deep in numpy or torch, or an
    error that does not name the argument)."""
    row = EXAMPLES[key]
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            import resource

            from course_utils import validation

            os.close(read_fd)
            validation._available_bytes = lambda: PRETEND_AVAILABLE
            used = int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")
            resource.setrlimit(resource.RLIMIT_AS, (used + HEADROOM, resource.getrlimit(resource.RLIMIT_AS)[1]))
            signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the alarm ends the child: still working
            signal.setitimer(signal.ITIMER_REAL, SIZE_TIMEOUT_S)
            kwargs = {k: _resolve(v.value if isinstance(v, Free) else v) for k, v in row["args"].items()}
            kwargs[arg] = BEYOND
            try:
                with np.errstate(all="ignore"):
                    _call(_target(key, CALLABLES[key], row), kwargs)
                msg = ""
            except (ValueError, TypeError) as err:
                named = re.search(rf"(?<![A-Za-z0-9_]){re.escape(arg)}(?![A-Za-z0-9_])", str(err))
                msg = "" if named else f"{type(err).__name__} not naming {arg}: {str(err)[:150]}"
            except BaseException as err:  # noqa: BLE001 - MemoryError, torch's RuntimeError: the failure
                msg = f"{type(err).__name__}: {str(err)[:150]}"
            os.write(write_fd, msg.encode()[:1000])
        finally:
            os._exit(0)
    os.close(write_fd)
    chunks = []
    while chunk := os.read(read_fd, 4096):
        chunks.append(chunk)
    os.close(read_fd)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode(errors="replace")


@pytest.mark.parametrize(("key", "arg"), _size_cases())
def test_size_beyond_memory_rejected(key, arg):
    """A size that cannot fit (BEYOND, on a machine with PRETEND_AVAILABLE bytes) fails at once with
    a ValueError naming the argument and the memory it would need (validation.check_memory), never
    a MemoryError from numpy or torch part-way through."""
    problem = probe_size(key, arg)
    assert not problem, f"{key}({arg}={BEYOND}): {problem}"


# ----------------------------------------------------------------------------- report
def report(verbose: bool = False, prefixes=()) -> Counter:
    """Run every case (or those of callables starting with one of ``prefixes``) and print the
    counts per category (and the failures with -v)."""
    os.environ.setdefault("COURSE_UTILS_STATIC", "1")
    counts, failures = Counter(), []
    for param in _cases():
        key, arg, bad = param.values
        if prefixes and not key.startswith(tuple(prefixes)):
            continue
        func = CALLABLES[key]
        cat, detail = classify(key, func, EXAMPLES[key], arg, bad, _params(key, func))
        counts[cat] += 1
        if cat != "clear":
            failures.append(f"{cat:16s} {param.id}: {detail}")
    total = sum(counts.values())
    print(f"{len(CALLABLES)} public callables, {len(EXAMPLES)} with examples, {total} bad-input cases")
    for cat in ("clear", "nan", "accepted", "other_exception", "deep", "wrong_name", "generic", "hung"):
        print(f"  {cat:16s} {counts[cat]:5d}  ({100 * counts[cat] / max(total, 1):.1f} %)")
    if verbose:
        print("\n".join(failures))
    sizes = [p.values for p in _size_cases() if not prefixes or p.values[0].startswith(tuple(prefixes))]
    size_failures = [f"{key}({arg}={BEYOND}): {msg}" for key, arg in sizes if (msg := probe_size(key, arg))]
    print(f"sizes beyond memory: {len(sizes) - len(size_failures)} of {len(sizes)} refused clearly")
    if verbose:
        print("\n".join(size_failures))
    return counts


if __name__ == "__main__":
    torch.set_num_threads(1)
    report(verbose="-v" in sys.argv, prefixes=[a for a in sys.argv[1:] if not a.startswith("-")])
