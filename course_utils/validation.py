"""Input checks shared by every module: each raises a ``ValueError`` that names the
argument, says what it got and what is expected."""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "check_int",
    "check_positive",
    "check_in_range",
    "check_array",
    "check_spins",
    "check_probabilities",
    "check_symmetric",
]


def check_int(name: str, value, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an int, or raise if it is not an integer in [minimum, maximum]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_positive(name: str, value, *, allow_zero: bool = False) -> np.ndarray | float:
    """Return ``value`` (scalar or array) as float if it is finite and > 0 (>= 0 if allowed)."""
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
    """Return ``value`` as float if it is finite and in [low, high] (or (low, high))."""
    if not _is_numeric(value) or np.ndim(value) != 0:
        raise ValueError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    ok = low <= value <= high if closed else low < value < high
    if not (np.isfinite(value) and ok):
        interval = f"[{low}, {high}]" if closed else f"({low}, {high})"
        raise ValueError(f"{name} must lie in {interval}, got {value}")
    return value


def check_array(name: str, value, *, ndim=None, shape=None, finite: bool = True, dtype=float) -> np.ndarray:
    """Return ``value`` as an array after checking its number of dimensions and shape.

    ``ndim`` may be an int or a tuple of allowed ints; ``shape`` may contain ``None``
    for free axes, e.g. ``(None, 2)``.
    """
    try:
        arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a numeric array, got {type(value).__name__}") from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            raise ValueError(f"{name} must have {' or '.join(map(str, allowed))} dimensions, got shape {arr.shape}")
    if shape is not None:
        if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape)):
            want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    if finite and arr.dtype.kind in "fc" and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values (found nan or inf)")
    return arr


def check_spins(name: str, value, *, ndim=None) -> np.ndarray:
    """Return ``value`` as a float array of +-1 spins, or raise."""
    arr = check_array(name, value, ndim=ndim)
    if not np.all(np.abs(arr) == 1):
        raise ValueError(f"{name} must contain only +1 and -1 spins")
    return arr


def check_probabilities(name: str, value, *, axis: int = -1, atol: float = 1e-8) -> np.ndarray:
    """Return ``value`` as a float array of probabilities that sum to 1 along ``axis``."""
    arr = check_array(name, value)
    if np.any(arr < 0):
        raise ValueError(f"{name} must be non-negative, got a minimum of {arr.min():.3g}")
    total = arr.sum(axis=axis)
    if not np.allclose(total, 1.0, atol=atol):
        raise ValueError(f"{name} must sum to 1 along axis {axis}, got sums {np.round(total, 6)}")
    return arr


def check_symmetric(name: str, value, *, zero_diagonal: bool = False, atol: float = 1e-10) -> np.ndarray:
    """Return a square symmetric matrix (optionally with zero diagonal), or raise."""
    arr = check_array(name, value, ndim=2)
    if arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {arr.shape}")
    if not np.allclose(arr, arr.T, atol=atol):
        raise ValueError(f"{name} must be symmetric")
    if zero_diagonal and not np.allclose(np.diag(arr), 0.0, atol=atol):
        raise ValueError(f"{name} must have a zero diagonal")
    return arr


def _is_numeric(value) -> bool:
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001 - anything that is not array-like is not numeric
        return False
    return arr.dtype.kind in "iuf"
