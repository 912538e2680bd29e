"""Input checks shared by every module: each raises a ``ValueError`` (``TypeError`` for an
argument of the wrong kind: a callable, a model, a generator) that names the argument, says
what it got and what is expected.

Conventions: counts (steps, sweeps, samples, sizes) are integers in [minimum, MAX_COUNT];
seeds are integers in [0, 2**63) (``check_seed``); arrays are finite and non-empty unless a
routine says otherwise; a request whose arrays would not fit in memory fails at once with the
amount it would need (``check_memory``).
"""

from __future__ import annotations

import numbers
import os

import numpy as np

__all__ = [
    "check_int",
    "check_positive",
    "check_in_range",
    "check_array",
    "check_spins",
    "check_probabilities",
    "check_symmetric",
    "check_real",
    "check_seed",
    "check_callable",
    "check_memory",
    "check_tensor",
    "check_module",
    "check_device",
    "MAX_COUNT",
]

#: largest count (steps, sweeps, samples, sizes) any routine accepts: beyond it no routine of the
#: course finishes in reasonable time, and a larger request is almost always a typo
MAX_COUNT = 10**8
_MAX_SEED = 2**63 - 1


def check_int(name: str, value, *, minimum: int | None = None, maximum: int | None = MAX_COUNT) -> int:
    """Return ``value`` as an int, or raise if it is not an integer in [minimum, maximum].

    ``maximum`` defaults to ``MAX_COUNT`` (pass ``None`` for no upper bound).

    Accepts: ``name`` the argument's name (a string), used in the error message.
    """
    _check_name(name)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        extra = " (a larger count would not finish or not fit in memory)" if maximum == MAX_COUNT else ""
        raise ValueError(f"{name} must be <= {maximum}, got {value}{extra}")
    return value


def check_real(name: str, value) -> float:
    """Return ``value`` as a float if it is a finite real number (not a bool, string or None).

    Accepts: ``name`` the argument's name (a string), used in the error message.
    """
    _check_name(name)
    if isinstance(value, bool) or not _is_numeric(value) or np.ndim(value) != 0:
        raise ValueError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def check_seed(name: str, value, *, allow_generator: bool = False):
    """Return a seed: an int in [0, 2**63) (or, if allowed, a ``numpy.random.Generator`` as is).

    Accepts: ``name`` the argument's name (a string), used in the error message; ``value`` the value to check;
    ``allow_generator`` bool, accept a numpy Generator.
    """
    _check_name(name)
    if allow_generator and isinstance(value, np.random.Generator):
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        kind = "an integer >= 0 or a numpy Generator" if allow_generator else "an integer >= 0"
        raise ValueError(f"{name} must be {kind}, got {value!r} ({type(value).__name__})")
    return check_int(name, value, minimum=0, maximum=_MAX_SEED)


def check_callable(name: str, value, *, optional: bool = False):
    """Return ``value`` if it is callable (or None when ``optional``); raise a TypeError otherwise.

    Accepts: ``name`` the argument's name (a string), used in the error message.
    """
    _check_name(name)
    if value is None and optional:
        return None
    if not callable(value):
        raise TypeError(f"{name} must be a callable, got {value!r} ({type(value).__name__})")
    return value


def _available_bytes() -> int:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # pragma: no cover - not Linux
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover
        return 2**34


def check_memory(name, n_bytes: float, *, what: str = "the arrays") -> None:
    """Raise at once if ``n_bytes`` (an estimate of what a request allocates) exceeds the memory
    available now, with a message naming the argument(s) and the amount needed.

    Accepts: ``name`` the argument's name (a string), or a tuple of the names whose product sets the
    size (e.g. ``("depth", "hidden")``), all named in the message; ``n_bytes`` a number >= 0;
    ``what`` a few words saying what would be allocated.
    """
    names = (name,) if isinstance(name, str) else tuple(name) if isinstance(name, (tuple, list)) else (name,)
    if not names:
        raise ValueError("name must be a non-empty string or a tuple of them, got ()")
    for one in names:
        _check_name(one)
    if isinstance(n_bytes, bool) or not _is_numeric(n_bytes) or np.ndim(n_bytes) or not n_bytes >= 0:
        raise ValueError(f"n_bytes must be a number >= 0, got {n_bytes!r}")
    available = _available_bytes()
    if n_bytes > available:
        who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        verb = "asks" if len(names) == 1 else "ask"
        raise ValueError(f"{who} {verb} for {what} of about {n_bytes / 2**30:.3g} GiB, more than the "
                         f"{available / 2**30:.3g} GiB of memory available; use a smaller {' or '.join(names)}")


def check_tensor(name: str, value, *, ndim=None, shape=None, finite: bool = True, allow_empty: bool = False):
    """Return ``value`` as a floating torch tensor (arrays and numbers are converted to the default
    dtype) after the same checks as ``check_array``; raise a ValueError naming ``name``.

    Accepts: ``ndim`` allowed number(s) of dimensions or None; ``shape`` required shape (None for a free axis) or
    None; ``finite`` bool, refuse nan and inf; ``allow_empty`` bool, accept an empty array.
    """
    _check_name(name)
    import torch

    if isinstance(value, torch.Tensor):
        t = value if value.is_floating_point() else value.to(torch.get_default_dtype())
    else:
        arr = check_array(name, value, finite=finite, allow_empty=True)
        t = torch.as_tensor(arr, dtype=torch.get_default_dtype())
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if t.dim() not in allowed:
            want = " or ".join(map(str, allowed))
            raise ValueError(f"{name} must have {want} dimensions, got shape {tuple(t.shape)}")
    if shape is not None:
        if t.dim() != len(shape) or any(s is not None and s != a for s, a in zip(shape, t.shape)):
            free = ["batch"] + ["any"] * (len(shape) - 1)
            want = "(" + ", ".join(f if s is None else str(s) for s, f in zip(shape, free)) + ")"
            raise ValueError(f"{name} must have shape {want}, got {tuple(t.shape)}")
    if not allow_empty and t.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(t.shape)}")
    if finite and not bool(torch.isfinite(t.detach()).all()):
        raise ValueError(f"{name} must contain only finite values (found nan or inf)")
    return t


def check_module(name: str, value, cls=None):
    """Return ``value`` if it is a ``torch.nn.Module`` (an instance of ``cls`` if given), else raise a TypeError.

    Accepts: ``name`` the argument's name (a string), used in the error message.
    """
    _check_name(name)
    import torch

    cls = torch.nn.Module if cls is None else cls
    if not isinstance(value, cls):
        raise TypeError(f"{name} must be a {cls.__name__}, got {type(value).__name__}")
    return value


def check_positive(name: str, value, *, allow_zero: bool = False) -> np.ndarray | float:
    """Return ``value`` (scalar or array) as float if it is finite and > 0 (>= 0 if allowed).

    Accepts: ``name`` the argument's name (a string), used in the error message; ``allow_zero`` bool, accept 0.
    """
    _check_name(name)
    arr = np.asarray(value, dtype=float) if _is_numeric(value) else None
    if arr is None:
        raise ValueError(f"{name} must be a real number or array of them, got {value!r}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    bad = arr < 0 if allow_zero else arr <= 0
    if np.any(bad):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {bound}, got {value!r}")
    return float(arr) if arr.ndim == 0 else arr


def check_in_range(name: str, value, low: float, high: float, *, closed: bool = True) -> float:
    """Return ``value`` as float if it is finite and in [low, high] (or (low, high)).

    Accepts: ``name`` the argument's name (a string), used in the error message; ``closed`` bool, closed (True) or
    open interval.
    """
    _check_name(name)
    for bound_name, bound in (("low", low), ("high", high)):
        if isinstance(bound, bool) or not _is_numeric(bound) or np.ndim(bound) or np.isnan(bound):
            raise ValueError(f"{bound_name} must be a real number (or +-inf), got {bound!r}")
    if not low <= high:
        raise ValueError(f"low must be <= high, got low={low}, high={high}")
    if not _is_numeric(value) or np.ndim(value) != 0:
        raise ValueError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    ok = low <= value <= high if closed else low < value < high
    if not (np.isfinite(value) and ok):
        interval = f"[{low}, {high}]" if closed else f"({low}, {high})"
        raise ValueError(f"{name} must lie in {interval}, got {value}")
    return value


def check_array(name: str, value, *, ndim=None, shape=None, finite: bool = True, dtype=float,
                allow_empty: bool = False) -> np.ndarray:
    """Return ``value`` as an array after checking its number of dimensions and shape.

    ``ndim`` may be an int or a tuple of allowed ints; ``shape`` may contain ``None``
    for free axes, e.g. ``(None, 2)``. An empty array is refused unless ``allow_empty``.

    Accepts: ``name`` the argument's name (a string), used in the error message; ``finite`` bool, refuse nan and inf;
    ``dtype`` the numpy dtype to convert to.
    """
    _check_name(name)
    if value is None or isinstance(value, (str, bytes)):
        raise ValueError(f"{name} must be a numeric array, got {type(value).__name__}")
    try:
        arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError, RuntimeError):
        raise ValueError(f"{name} must be a numeric array, got {type(value).__name__}") from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            raise ValueError(f"{name} must have {' or '.join(map(str, allowed))} dimensions, got shape {arr.shape}")
    if shape is not None:
        if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape)):
            want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if finite and arr.dtype.kind in "fc" and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values (found nan or inf)")
    return arr


def check_spins(name: str, value, *, ndim=None) -> np.ndarray:
    """Return ``value`` as a float array of +-1 spins, or raise.

    Accepts: ``name`` the argument's name (a string), used in the error message; ``ndim`` allowed number(s) of
    dimensions or None.
    """
    _check_name(name)
    arr = check_array(name, value, ndim=ndim)
    if not np.all(np.abs(arr) == 1):
        raise ValueError(f"{name} must contain only +1 and -1 spins")
    return arr


def check_probabilities(name: str, value, *, axis: int = -1, atol: float = 1e-8) -> np.ndarray:
    """Return ``value`` as a float array of probabilities that sum to 1 along ``axis``.

    Accepts: ``name`` the argument's name (a string), used in the error message; ``atol`` tolerance > 0.
    """
    _check_name(name)
    atol = _check_atol(atol)
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise ValueError(f"axis must be an integer, got {axis!r}")
    arr = check_array(name, value)
    if np.any(arr < 0):
        raise ValueError(f"{name} must be non-negative, got a minimum of {arr.min():.3g}")
    total = arr.sum(axis=axis)
    if not np.allclose(total, 1.0, atol=atol):
        raise ValueError(f"{name} must sum to 1 along axis {axis}, got sums {np.round(total, 6)}")
    return arr


def check_symmetric(name: str, value, *, zero_diagonal: bool = False, atol: float = 1e-10) -> np.ndarray:
    """Return a square symmetric matrix (optionally with zero diagonal), or raise.

    Accepts: ``name`` the argument's name (a string), used in the error message; ``value`` the value to check;
    ``zero_diagonal`` bool, require a zero diagonal; ``atol`` tolerance > 0.
    """
    _check_name(name)
    atol = _check_atol(atol)
    arr = check_array(name, value, ndim=2)
    if arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {arr.shape}")
    block = max(1, (1 << 22) // max(1, arr.shape[0]))  # rows compared at a time: no N x N temporaries
    for r in range(0, arr.shape[0], block):
        if not np.allclose(arr[r:r + block], arr[:, r:r + block].T, atol=atol):
            raise ValueError(f"{name} must be symmetric")
    if zero_diagonal and not np.allclose(np.diag(arr), 0.0, atol=atol):
        raise ValueError(f"{name} must have a zero diagonal")
    return arr


def check_device(name: str, value):
    """Return ``None`` (run with numpy on the CPU) or the ``torch.device`` that ``value`` names, or raise.

    Accepts: ``name`` the argument's name (a string), used in the error message; ``value`` None, a
    ``torch.device`` or a string such as 'cpu', 'cuda', 'cuda:0' (a CUDA device must be present:
    ``course_utils.device()`` gives the GPU when there is one and the CPU otherwise).
    """
    _check_name(name)
    if value is None:
        return None
    import torch

    if not isinstance(value, (str, torch.device)):
        raise TypeError(f"{name} must be None, a torch.device or a string such as 'cpu' or 'cuda', "
                        f"got {type(value).__name__}")
    try:
        dev = torch.device(value)
    except RuntimeError:
        raise ValueError(f"{name} must name a torch device ('cpu', 'cuda', 'cuda:0', ...), got {value!r}") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"{name}={value!r} but no CUDA GPU is present; course_utils.device() falls back to the CPU")
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"{name} must be a 'cpu' or 'cuda' device, got {value!r}")
    return dev


def _check_name(name) -> None:
    if not isinstance(name, str):
        raise TypeError(f"name must be a string (the argument's name), got {name!r}")


def _check_atol(atol) -> float:
    if isinstance(atol, bool) or not _is_numeric(atol) or np.ndim(atol) or not (np.isfinite(atol) and atol > 0):
        raise ValueError(f"atol must be a finite number > 0, got {atol!r}")
    return float(atol)


def _is_numeric(value) -> bool:
    if value is None or isinstance(value, (str, bytes)):
        return False
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001 - anything that is not array-like is not numeric
        return False
    return arr.dtype.kind in "iuf"
