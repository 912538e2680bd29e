"""Lattice fields: the phi^4 model U(x) = 1/2 x^T K x + sum_i V(x_i) on a periodic L x L lattice,
its Langevin sampling, and the wavelet (Haar) decomposition of a field scale by scale.

Conventions follow Mallat's lectures on the renormalization group: K = beta (-Laplacian) + m^2 I,
so 1/2 x^T K x = (beta/2) sum over bonds (x_i - x_j)^2 + (m^2/2) sum_i x_i^2, and the double-well
potential V(x) = lam (x^2 - 1)^2. lam = 0 gives the Gaussian free field N(0, K^-1). One level of the
orthonormal Haar transform splits x_{j-1} = (x_j, xbar_j) into the coarse field x_j (2 x 2 block
sums divided by 2) and three detail channels xbar_j.
"""

from __future__ import annotations

import numpy as np

from .seeding import make_rng
from .validation import check_array, check_int, check_memory, check_positive

__all__ = [
    "lattice_eigenvalues",
    "laplacian",
    "phi4_energy",
    "phi4_grad",
    "gaussian_field",
    "langevin_phi4",
    "haar_split",
    "haar_merge",
    "haar_matrix",
    "scale_conditioning",
    "block_average",
    "binder_cumulant",
    "autocorr_time",
]


def _check_lattice(L) -> int:
    L = check_int("L", L, minimum=2)
    if L & (L - 1):
        raise ValueError(f"L must be a power of two (for the wavelet decomposition), got {L}")
    return L


def _check_field(x, name="x") -> np.ndarray:
    x = check_array(name, x, ndim=range(2, 10))
    if x.shape[-1] != x.shape[-2]:
        raise ValueError(f"{name} must be a batch of square L x L fields (..., L, L), got shape {x.shape}")
    return x


def _check_couplings(beta, mass2, lam=0.0):
    beta = check_positive("beta", beta, allow_zero=True)
    mass2 = check_positive("mass2", mass2, allow_zero=True)
    lam = check_positive("lam", lam, allow_zero=True)
    return beta, mass2, lam


# ----------------------------------------------------------------------------- quadratic part
def lattice_eigenvalues(L: int, beta=1.0, mass2=0.0) -> np.ndarray:
    """Eigenvalues lambda(k) = m^2 + 4 beta [sin^2(pi k_1 / L) + sin^2(pi k_2 / L)] of K = beta(-Laplacian) + m^2 I.

    The Fourier modes diagonalise K on the periodic lattice; returns an (L, L) array indexed
    by (k_1, k_2). The condition number is (8 beta + m^2) / m^2 for even L.

    Accepts: ``mass2`` a finite number >= 0.
    """
    L = check_int("L", L, minimum=2)
    check_memory("L", 3 * 8.0 * L * L, what="the L x L eigenvalues")
    beta, mass2, _ = _check_couplings(beta, mass2)
    s = 4.0 * np.sin(np.pi * np.arange(L) / L) ** 2
    return mass2 + beta * (s[:, None] + s[None, :])


def laplacian(x) -> np.ndarray:
    """Minus the periodic lattice Laplacian, (-Laplacian x)_i = sum over the 4 neighbours j of (x_i - x_j)."""
    x = _check_field(x)
    return 4.0 * x - np.roll(x, 1, -1) - np.roll(x, -1, -1) - np.roll(x, 1, -2) - np.roll(x, -1, -2)


def phi4_energy(x, beta, lam, mass2=0.0) -> np.ndarray:
    """Energy U(x) = (beta/2) sum_bonds (x_i - x_j)^2 + sum_i [m^2 x_i^2 / 2 + lam (x_i^2 - 1)^2] of each field.

    ``x`` is (..., L, L); returns (...,). This is 1/2 x^T K x + sum_i V(x_i) with
    K = beta(-Laplacian) + m^2 I and V(x) = lam (x^2 - 1)^2.

    Accepts: ``mass2`` a finite number.
    """
    x = _check_field(x)
    beta, mass2, lam = _check_couplings(beta, mass2, lam)
    bonds = (x - np.roll(x, 1, -1)) ** 2 + (x - np.roll(x, 1, -2)) ** 2
    site = 0.5 * mass2 * x**2 + lam * (x**2 - 1.0) ** 2
    return (0.5 * beta * bonds + site).sum(axis=(-2, -1))


def phi4_grad(x, beta, lam, mass2=0.0) -> np.ndarray:
    """Gradient grad U(x) = K x + V'(x) = beta(-Laplacian) x + m^2 x + 4 lam x (x^2 - 1).

    ``beta`` may be a scalar or an array broadcastable against the batch axes of x (..., 1, 1).

    Accepts: ``mass2`` a finite number.
    """
    x = _check_field(x)
    beta, mass2, lam = _check_couplings(beta, mass2, lam)
    return _phi4_grad(x, beta, lam, mass2)


def _phi4_grad(x, beta, lam, mass2):
    """phi4_grad without the checks (the Langevin loop checks its inputs once)."""
    lap = 4.0 * x - np.roll(x, 1, -1) - np.roll(x, -1, -1) - np.roll(x, 1, -2) - np.roll(x, -1, -2)
    return np.asarray(beta) * lap + mass2 * x + 4.0 * lam * x * (x**2 - 1.0)


def gaussian_field(n: int, L: int, beta=1.0, mass2=1.0, seed: int = 0) -> np.ndarray:
    """n exact samples (n, L, L) of the Gaussian free field N(0, K^-1), drawn mode by mode in Fourier space.

    x = F^-1 [xi_k / sqrt(lambda(k))] with xi white noise: each Fourier mode has variance
    1 / lambda(k). Needs m^2 > 0 (the massless field has a zero mode of infinite variance).

    Accepts: ``beta`` a finite number >= 0; ``mass2`` a finite number > 0; ``seed`` an int >= 0 or a numpy Generator.
    """
    n = check_int("n", n, minimum=1)
    L = check_int("L", L, minimum=2)
    # white noise, its complex FFT (twice the size) and the inverse transform
    check_memory(("n", "L"), 5 * 8.0 * n * L * L, what="the fields and their Fourier transforms")
    beta, mass2, _ = _check_couplings(beta, mass2)
    if mass2 <= 0:
        raise ValueError("mass2 must be > 0 for the Gaussian field to be normalisable")
    lam = lattice_eigenvalues(L, beta, mass2)
    white = make_rng(seed).standard_normal((n, L, L))
    return np.fft.ifft2(np.fft.fft2(white) / np.sqrt(lam)).real


# ----------------------------------------------------------------------------- Langevin
def _per_chain(name, value, B):
    """A non-negative scalar, or a (B,) array reshaped to (B, 1, 1) to broadcast over fields."""
    arr = np.asarray(check_positive(name, value, allow_zero=True), dtype=float)
    if arr.ndim == 0:
        return arr
    if arr.shape != (B,):
        raise ValueError(f"{name} must be a scalar or one value per chain, shape ({B},), got {arr.shape}")
    return arr.reshape(B, 1, 1)


def langevin_phi4(x0, beta, lam, mass2=0.0, n_steps=1000, eta=0.05, seed=0, record_every=1) -> dict:
    """Unadjusted Langevin x <- x - eta grad U(x) + sqrt(2 eta) xi on a batch of fields, all chains at once.

    ``x0`` (B, L, L); ``beta`` and ``mass2`` scalars or (B,) arrays (one coupling per chain,
    to scan a transition in one run). Records every ``record_every`` steps the magnetisation
    m = mean_i x_i and the energy per site U/L^2 of each chain. Returns dict
    ``magnetization`` and ``energy`` (n_records, B) and ``x`` the final fields (B, L, L).
    The step must resolve the stiffest mode: eta < 2 / (8 beta + m^2 + 8 lam) or so.

    Accepts: ``n_steps`` an integer >= 1; ``seed`` an int >= 0 or a numpy Generator.
    """
    x = _check_field(x0, "x0").copy()
    if x.ndim != 3:
        raise ValueError(f"x0 must have shape (B, L, L), got {x.shape}")
    B, L = x.shape[0], x.shape[-1]
    b = _per_chain("beta", beta, B)
    m2 = _per_chain("mass2", mass2, B)
    lam = check_positive("lam", lam, allow_zero=True)
    n_steps = check_int("n_steps", n_steps, minimum=1)
    eta = check_positive("eta", eta)
    record_every = check_int("record_every", record_every, minimum=1)
    rng = make_rng(seed)
    n_rec = n_steps // record_every
    mag = np.empty((n_rec, B))
    energy = np.empty((n_rec, B))
    noise_scale = np.sqrt(2.0 * eta)
    diverged = FloatingPointError(f"Langevin diverged at eta = {eta}: decrease eta")
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(n_steps):
            x = x - eta * _phi4_grad(x, b, lam, m2) + noise_scale * rng.standard_normal(x.shape)
            if (t + 1) % record_every == 0:
                r = (t + 1) // record_every - 1
                mag[r] = x.mean(axis=(-2, -1))
                if not np.all(np.isfinite(mag[r])):
                    raise diverged
                bonds = (x - np.roll(x, 1, -1)) ** 2 + (x - np.roll(x, 1, -2)) ** 2
                site = 0.5 * m2 * x**2 + lam * (x**2 - 1.0) ** 2
                energy[r] = (0.5 * b * bonds + site).sum(axis=(-2, -1)) / L**2
    if not np.all(np.isfinite(x)):
        raise diverged
    return {"magnetization": mag, "energy": energy, "x": x}


# ------------------------------------------------------------------------------ wavelets
def haar_split(x) -> tuple[np.ndarray, np.ndarray]:
    """One level of the orthonormal 2-D Haar transform: x_{j-1} -> (x_j, xbar_j).

    ``x`` (..., L, L) with L even; returns the coarse field x_j (..., L/2, L/2) (each 2 x 2
    block summed and divided by 2) and the details xbar_j (..., 3, L/2, L/2), from PyWavelets
    with periodic boundaries. The map is orthogonal: ||x||^2 = ||x_j||^2 + ||xbar_j||^2.
    """
    import pywt

    x = _check_field(x)
    if x.shape[-1] % 2:
        raise ValueError(f"x must have an even side length to split, got {x.shape[-1]}")
    coarse, details = pywt.dwt2(x, "haar", mode="periodization", axes=(-2, -1))
    return coarse, np.stack(details, axis=-3)


def haar_merge(coarse, details) -> np.ndarray:
    """Inverse of :func:`haar_split`: rebuild x_{j-1} from (x_j, xbar_j).

    Accepts: ``coarse`` a finite array; ``details`` a finite array.
    """
    import pywt

    coarse = _check_field(coarse, "coarse")
    details = check_array("details", details, ndim=range(3, 10))
    if details.shape[-3:] != (3,) + coarse.shape[-2:]:
        raise ValueError(f"details must have shape (..., 3, {coarse.shape[-2]}, {coarse.shape[-1]}), "
                         f"got {details.shape}")
    return pywt.idwt2((coarse, tuple(np.moveaxis(details, -3, 0))), "haar", mode="periodization", axes=(-2, -1))


def haar_matrix(L: int) -> np.ndarray:
    """Orthogonal (L^2, L^2) matrix W of one Haar level: W x = (x_j, xbar_j) flattened, coarse rows first."""
    L = _check_lattice(L)
    basis = np.eye(L * L).reshape(L * L, L, L)
    coarse, details = haar_split(basis)
    return np.concatenate([coarse.reshape(L * L, -1), details.reshape(L * L, -1)], axis=1).T


def scale_conditioning(L: int, beta=1.0, mass2=1e-3, levels=None) -> dict:
    """Condition numbers of the Gaussian field's precision matrices scale by scale.

    For x ~ N(0, K^-1) and the orthonormal split x_{j-1} = (x_j, xbar_j), the precision of
    x_{j-1} in the wavelet basis is P = W K_{j-1} W^T. The conditional law p(xbar_j | x_j) has
    precision Kbar_j = P[detail, detail], and the coarse field x_j has precision K_j = the Schur
    complement P_cc - P_cd P_dd^-1 P_dc. Returns dict of arrays over j = 1..levels: ``L`` (side
    of x_j), ``kappa_coarse`` (condition number of K_j), ``kappa_conditional`` (of Kbar_j), and
    ``kappa_full`` the condition number of K itself.

    Accepts: ``beta`` a finite number >= 0; ``mass2`` a finite number > 0.
    """
    L = _check_lattice(L)
    beta, mass2, _ = _check_couplings(beta, mass2)
    if mass2 <= 0:
        raise ValueError("mass2 must be > 0 (the massless precision matrix is singular)")
    max_levels = int(np.log2(L))
    levels = max_levels if levels is None else check_int("levels", levels, minimum=1, maximum=max_levels)
    # dense K = beta(-Laplacian) + m^2 I, built by applying the operator to the basis fields
    K = beta * laplacian(np.eye(L * L).reshape(L * L, L, L)).reshape(L * L, L * L) + mass2 * np.eye(L * L)
    ev = np.linalg.eigvalsh(K)
    out = {"L": [], "kappa_coarse": [], "kappa_conditional": [], "kappa_full": float(ev[-1] / ev[0])}
    side, Kj = L, K
    for _ in range(levels):
        W = haar_matrix(side)
        P = W @ Kj @ W.T
        nc = (side // 2) ** 2
        Pcc, Pcd, Pdd = P[:nc, :nc], P[:nc, nc:], P[nc:, nc:]
        Kbar = Pdd
        Kj = Pcc - Pcd @ np.linalg.solve(Pdd, Pcd.T)
        Kj = 0.5 * (Kj + Kj.T)
        side //= 2
        eb, ec = np.linalg.eigvalsh(Kbar), np.linalg.eigvalsh(Kj)
        out["L"].append(side)
        out["kappa_conditional"].append(eb[-1] / eb[0])
        out["kappa_coarse"].append(ec[-1] / ec[0] if ec.size > 1 else 1.0)
    return {k: (np.array(v) if isinstance(v, list) else v) for k, v in out.items()}


def block_average(x, b: int) -> np.ndarray:
    """Block-spin coarse-graining: the mean of x over non-overlapping b x b blocks, (..., L/b, L/b)."""
    x = _check_field(x)
    b = check_int("b", b, minimum=1)
    L = x.shape[-1]
    if L % b:
        raise ValueError(f"b must divide the lattice side L = {L}, got {b}")
    return x.reshape(x.shape[:-2] + (L // b, b, L // b, b)).mean(axis=(-3, -1))


# ---------------------------------------------------------------------------- statistics
def binder_cumulant(m, axis=None) -> np.ndarray:
    """Binder cumulant U_4 = 1 - <m^4> / (3 <m^2>^2): 0 for a Gaussian m, 2/3 for m = +-const.

    Accepts: ``axis`` None or a value of the kind named above.
    """
    m = check_array("m", m)
    m2 = np.mean(m**2, axis=axis)
    if np.any(m2 == 0):
        raise ValueError("m must not be identically zero (U_4 is undefined)")
    return 1.0 - np.mean(m**4, axis=axis) / (3.0 * m2**2)


def autocorr_time(series, c: float = 5.0) -> np.ndarray:
    """Integrated autocorrelation time tau = 1/2 + sum_{t>=1} rho(t) along axis 0, with Sokal's window.

    ``series`` (n, ...) holds time along axis 0 (one column per chain); the autocorrelation is
    computed by FFT and summed up to the first window M >= c tau(M). Returns tau per column,
    in units of the recording interval.
    """
    x = check_array("series", series)
    if x.ndim < 1 or x.shape[0] < 4:
        raise ValueError("series must have at least 4 time points along axis 0")
    c = check_positive("c", c)
    n = x.shape[0]
    x = x - x.mean(axis=0)
    f = np.fft.rfft(x, n=2 * n, axis=0)
    acf = np.fft.irfft(np.abs(f) ** 2, axis=0)[:n]
    if np.any(acf[0] == 0):
        raise ValueError("series must not be constant along time")
    rho = acf / acf[0]
    tau = 0.5 + np.cumsum(rho[1:], axis=0)  # tau(M) for windows M = 1..n-1
    window_ok = np.arange(1, n)[(slice(None),) + (None,) * (x.ndim - 1)] >= c * tau
    first = np.where(window_ok.any(axis=0), window_ok.argmax(axis=0), n - 2)
    return np.take_along_axis(tau, first[None], axis=0)[0]
