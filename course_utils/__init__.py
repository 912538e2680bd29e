"""course_utils: the small, tested numerics behind the lecture notebooks.

One module a theme (``mcmc``, ``hopfield``, ``boltzmann``, ...). Submodules are
imported on first use, so ``import course_utils as cu; cu.mcmc.metropolis_ising2d``
works without importing torch-heavy modules a lecture does not need.
"""

from __future__ import annotations

import importlib
import os
import random

import numpy as np

__all__ = ["setup", "device", "make_rng", "torch_generator", "manual_seed", "__version__"]
__version__ = "0.1.0"

#: the number of threads every library is held to, so stored outputs are bit-identical
#: on a 2-core CI runner and on a 16-core laptop (torch reductions differ at 3+ threads).
N_THREADS = 1

_thread_limiter = None


def setup(seed: int = 0, *, plots: bool = True) -> np.random.Generator:
    """Make a notebook deterministic and return ``numpy.random.default_rng(seed)``.

    Seeds ``random``, the legacy ``numpy.random`` state and torch (with
    ``seeding.mix_seed(seed)``: ``COURSE_UTILS_SEED=k`` runs the lecture on other random
    numbers, see ``course_utils.seeding``); fixes torch, BLAS and
    OpenMP to one thread; sets torch's default dtype to float32; applies the course's
    matplotlib style (PNG figures, labelled grids) when ``plots`` is true.
    """
    from .seeding import mix_seed

    seed = mix_seed(seed)
    global _thread_limiter
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(N_THREADS))
    try:
        from threadpoolctl import threadpool_limits

        _thread_limiter = threadpool_limits(limits=N_THREADS)
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
        pass
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - seeds libraries that still use the legacy global state
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency, but keep numpy-only use working
        torch = None
    if torch is not None:
        torch.manual_seed(seed)
        torch.set_num_threads(N_THREADS)
        torch.set_default_dtype(torch.float32)
    if plots:
        from .plotting import use_course_style

        use_course_style()
    return np.random.default_rng(seed)


def make_rng(seed=0):
    """``numpy.random.default_rng`` for a lecture's own draws, with ``COURSE_UTILS_SEED`` mixed in."""
    from .seeding import make_rng as _make_rng

    return _make_rng(seed)


def torch_generator(seed=0):
    """A seeded ``torch.Generator`` for a lecture's own draws, with ``COURSE_UTILS_SEED`` mixed in."""
    from .seeding import torch_generator as _torch_generator

    return _torch_generator(seed)


def manual_seed(seed=0) -> int:
    """``torch.manual_seed`` for a lecture (e.g. before building a model), with ``COURSE_UTILS_SEED`` mixed in."""
    from .seeding import manual_seed as _manual_seed

    return _manual_seed(seed)


def device():
    """Return ``torch.device('cuda')`` when a GPU is present, else the CPU."""
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def __getattr__(name: str):
    """Import a submodule (``course_utils.mcmc`` etc.) on first attribute access."""
    if name.startswith("_"):
        raise AttributeError(name)
    try:
        module = importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as err:
        if err.name == f"{__name__}.{name}":
            raise AttributeError(f"module 'course_utils' has no attribute {name!r}") from None
        raise
    globals()[name] = module
    return module
