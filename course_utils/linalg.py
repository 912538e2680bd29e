"""Linear algebra for lecture 01: the spiked Wigner model and its BBP transition,
low-rank approximation, and rank-k updates of an inverse (Sherman-Morrison, Woodbury).

Normalisation: W is GOE(n) scaled by 1/sqrt(n) (off-diagonal variance 1/n, diagonal 2/n),
so its spectrum fills the semicircle on [-2, 2]; the spike is lambda x x^T with |x| = 1.
"""

from __future__ import annotations

import numpy as np

from .seeding import make_rng
from .validation import check_array, check_int, check_memory, check_positive

__all__ = [
    "goe",
    "spiked_wigner",
    "bbp_top_eigenvalue",
    "bbp_overlap",
    "semicircle_density",
    "low_rank_approximation",
    "sherman_morrison",
    "woodbury",
]


def goe(n: int, n_samples: int = 1, seed: int = 0) -> np.ndarray:
    """Gaussian orthogonal ensemble W = (G + G^T) / sqrt(2n): (n_samples, n, n), semicircle on [-2, 2].

    Accepts: ``seed`` an int >= 0 or a numpy Generator.
    """
    n = check_int("n", n, minimum=1)
    n_samples = check_int("n_samples", n_samples, minimum=1)
    check_memory(("n", "n_samples"), 3 * 8.0 * n_samples * n * n, what="the matrices")
    G = make_rng(seed).standard_normal((n_samples, n, n))
    return (G + np.swapaxes(G, -1, -2)) / np.sqrt(2.0 * n)


def spiked_wigner(n: int, lam, n_samples: int = 1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Spiked Wigner matrices A = lambda x x^T + W, eq. (1.12) with W ~ GOE(n)/sqrt(n).

    ``lam`` is a scalar or a 1-D array; returns (A, x) with A of shape
    lam.shape + (n_samples, n, n) and the unit spike x of shape (n,) (a random direction).

    Accepts: ``seed`` an int >= 0 or a numpy Generator.
    """
    n = check_int("n", n, minimum=2)
    lam = np.asarray(check_positive("lam", check_array("lam", lam, finite=False), allow_zero=True), dtype=float)
    n_samples = check_int("n_samples", n_samples, minimum=1)
    check_memory(("n", "n_samples"), 24.0 * max(lam.size, 1) * n_samples * n * n, what="the matrices")
    if lam.ndim > 1:
        raise ValueError(f"lam must be a scalar or a 1-D array, got shape {lam.shape}")
    rng = make_rng(seed)
    x = rng.standard_normal(n)
    x /= np.linalg.norm(x)
    W = goe(n, n_samples * max(lam.size, 1), seed=int(rng.integers(2**31))).reshape(lam.shape + (n_samples, n, n))
    A = W + lam[..., None, None, None] * np.outer(x, x)
    return A, x


def bbp_top_eigenvalue(lam):
    """Large-n limit of the top eigenvalue: lambda + 1/lambda for lambda > 1, else the bulk edge 2.

    Accepts: ``lam`` a finite array >= 0.
    """
    lam = np.asarray(check_positive("lam", check_array("lam", lam, finite=False), allow_zero=True), dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(lam > 1.0, lam + 1.0 / lam, 2.0)


def bbp_overlap(lam):
    """Large-n limit of the squared overlap (v_top . x)^2: 1 - 1/lambda^2 above lambda = 1, else 0.

    Accepts: ``lam`` a finite array >= 0.
    """
    lam = np.asarray(check_positive("lam", check_array("lam", lam, finite=False), allow_zero=True), dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(lam > 1.0, 1.0 - 1.0 / lam**2, 0.0)


def semicircle_density(x):
    """Wigner's semicircle law sqrt(4 - x^2) / (2 pi) on [-2, 2], zero outside.

    Accepts: ``x`` a finite number or non-empty array.
    """
    x = check_array("x", x)
    return np.sqrt(np.clip(4.0 - x**2, 0.0, None)) / (2.0 * np.pi)


def low_rank_approximation(A, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Best rank-k approximation (Eckart-Young): A_k = sum_{i<=k} sigma_i u_i v_i^T.

    Returns (A_k, sigma), sigma the singular values in decreasing order; the errors are
    ||A - A_k||_2 = sigma_{k+1} and ||A - A_k||_F = sqrt(sum_{i>k} sigma_i^2).
    """
    A = check_array("A", A, ndim=2)
    k = check_int("k", k, minimum=0, maximum=min(A.shape))
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    return (U[:, :k] * s[:k]) @ Vt[:k], s


def sherman_morrison(A_inv, u, v) -> np.ndarray:
    """(A + u v^T)^{-1} = A^{-1} - A^{-1} u v^T A^{-1} / (1 + v^T A^{-1} u), from A^{-1} in O(n^2).

    (The notes' eq. (1.29) prints a + sign; their derivation, eq. (1.35), gives the - sign.)

    Accepts: ``A_inv`` a finite array.
    """
    A_inv = check_array("A_inv", A_inv, ndim=2)
    n = A_inv.shape[0]
    if A_inv.shape != (n, n):
        raise ValueError(f"A_inv must be square, got shape {A_inv.shape}")
    u = check_array("u", u, shape=(n,))
    v = check_array("v", v, shape=(n,))
    Au = A_inv @ u
    vA = v @ A_inv
    denom = 1.0 + v @ Au
    if abs(denom) < 1e-12 * max(1.0, np.abs(Au).max() * np.abs(v).max()):
        raise ValueError("A + u v^T is singular (1 + v^T A^{-1} u = 0): no inverse exists")
    return A_inv - np.outer(Au, vA) / denom


def woodbury(A_inv, U, C, V) -> np.ndarray:
    """(A + U C V)^{-1} = A^{-1} - A^{-1} U (C^{-1} + V A^{-1} U)^{-1} V A^{-1}  (eq. 1.36, sign fixed).

    A is n x n (given by its inverse), U is n x k, C is k x k, V is k x n: costs O(n^2 k)
    instead of O(n^3) when k << n.

    Accepts: ``A_inv`` a finite array.
    """
    A_inv = check_array("A_inv", A_inv, ndim=2)
    n = A_inv.shape[0]
    if A_inv.shape != (n, n):
        raise ValueError(f"A_inv must be square, got shape {A_inv.shape}")
    U = check_array("U", U, ndim=2)
    if U.shape[0] != n:
        raise ValueError(f"U must have shape ({n}, k), got {U.shape}")
    k = U.shape[1]
    C = check_array("C", C, shape=(k, k))
    V = check_array("V", V, shape=(k, n))
    AU = A_inv @ U
    VA = V @ A_inv
    inner = np.linalg.inv(C) + V @ AU
    return A_inv - AU @ np.linalg.solve(inner, VA)
