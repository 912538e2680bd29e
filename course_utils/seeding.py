"""Seeds: the one place where every seed that course_utils uses is checked and turned
into random numbers.

Each lecture is reproducible because every random draw comes from an explicit seed.
The lectures' checks must also hold for *other* seeds, not only for the stored one. Set
the environment variable ``COURSE_UTILS_SEED=k`` (an integer >= 0) and every seed goes
through ``mix_seed``: ``k = 0`` (or unset) leaves the seed as it is, so the stored
outputs are reproduced; ``k > 0`` maps ``(seed, k)`` to a new, unrelated seed with
``numpy.random.SeedSequence``, so the whole lecture runs on fresh random numbers
(``make test-seeds`` runs every notebook for k = 1, 2, 3).
"""

from __future__ import annotations

import os

import numpy as np

from .validation import check_int

__all__ = ["SEED_ENV", "seed_offset", "mix_seed", "make_rng", "torch_generator", "manual_seed"]

#: environment variable read by ``seed_offset``
SEED_ENV = "COURSE_UTILS_SEED"
_MAX_SEED = 2**63 - 1


def seed_offset() -> int:
    """Return k from ``COURSE_UTILS_SEED`` (0 when unset or empty)."""
    raw = os.environ.get(SEED_ENV, "").strip()
    if not raw:
        return 0
    try:
        k = int(raw)
    except ValueError:
        raise ValueError(f"{SEED_ENV} must be an integer >= 0, got {raw!r}") from None
    if k < 0:
        raise ValueError(f"{SEED_ENV} must be an integer >= 0, got {k}")
    return k


def mix_seed(seed, name: str = "seed") -> int:
    """Check that ``seed`` is an int in [0, 2**63) and return it with k mixed in.

    k = 0: ``seed`` itself; k > 0: ``SeedSequence([seed, k])`` reduced to 32 bits (a valid
    seed for numpy, ``random`` and torch alike).

    Accepts: ``name`` the argument's name (a string), used in the error message.
    """
    seed = check_int(name, seed, minimum=0, maximum=_MAX_SEED)
    k = seed_offset()
    if k == 0:
        return seed
    return int(np.random.SeedSequence([seed, k]).generate_state(1)[0])


def make_rng(seed=0, name: str = "seed") -> np.random.Generator:
    """``numpy.random.default_rng(mix_seed(seed))``; a ``Generator`` is passed through as is.

    Accepts: ``name`` the argument's name (a string), used in the error message.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(mix_seed(seed, name))


def torch_generator(seed=0, name: str = "seed"):
    """A CPU ``torch.Generator`` seeded with ``mix_seed(seed)``.

    Accepts: ``name`` the argument's name (a string), used in the error message.
    """
    import torch

    return torch.Generator().manual_seed(mix_seed(seed, name))


def manual_seed(seed=0, name: str = "seed") -> int:
    """Seed torch's global generator with ``mix_seed(seed)`` (as ``torch.manual_seed``); return it.

    Accepts: ``name`` the argument's name (a string), used in the error message.
    """
    import torch

    mixed = mix_seed(seed, name)
    torch.manual_seed(mixed)
    return mixed
