"""Markov chain Monte Carlo: detailed balance on small chains, Metropolis-Hastings and
Langevin samplers for continuous targets, and the 2-D Ising model with its exact results.

Conventions follow the EBM/MCMC notes: a target p(x) = exp(-f(x)/T) / Z, detailed balance
p(x) P[x -> x'] = p(x') P[x' -> x], Metropolis acceptance min{1, p(x')/p(x)}, Langevin
X_{t+1} = X_t + eta grad log p(X_t) + sqrt(2 eta) N(0, I).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import special

from .seeding import make_rng
from .validation import (
    check_array,
    check_callable,
    check_device,
    check_int,
    check_memory,
    check_positive,
    check_probabilities,
    check_spins,
)

__all__ = [
    "ISING_TC",
    "metropolis_matrix",
    "stationary_distribution",
    "detailed_balance_violation",
    "random_walk_metropolis",
    "langevin",
    "ula_gaussian_variance",
    "ising2d_energy",
    "metropolis_ising2d",
    "exact_ising2d",
    "onsager_energy",
    "onsager_magnetization",
]

#: Onsager's critical temperature of the square-lattice Ising model, 2 / log(1 + sqrt 2) (J = k_B = 1)
ISING_TC = 2.0 / np.log1p(np.sqrt(2.0))


# --------------------------------------------------------------------------- small chains
def metropolis_matrix(p, proposal) -> np.ndarray:
    """Transition matrix of Metropolis-Hastings on a finite state space.

    P[x, x'] = D[x, x'] min{1, p(x')/p(x)} for x' != x, and P[x, x] = 1 - sum of the rest,
    for a symmetric proposal D (rows summing to 1) and a target p > 0 (normalised or not).
    """
    p = check_positive("p", check_array("p", p, ndim=1))
    D = check_probabilities("proposal", check_array("proposal", proposal, shape=(p.size, p.size)))
    if not np.allclose(D, D.T):
        raise ValueError("proposal must be symmetric (D[x, x'] = D[x', x]) for the Metropolis rule")
    P = D * np.minimum(1.0, p[None, :] / p[:, None])
    np.fill_diagonal(P, 0.0)
    np.fill_diagonal(P, 1.0 - P.sum(axis=1))
    return P


def stationary_distribution(P) -> np.ndarray:
    """The probability vector pi with pi P = pi (left eigenvector of eigenvalue 1)."""
    P = check_probabilities("P", check_array("P", P, ndim=2), axis=1)
    if P.shape[0] != P.shape[1]:
        raise ValueError(f"P must be a square transition matrix, got shape {P.shape}")
    vals, vecs = np.linalg.eig(P.T)
    k = int(np.argmin(np.abs(vals - 1.0)))
    pi = np.real(vecs[:, k])
    return pi / pi.sum()


def detailed_balance_violation(P, pi) -> float:
    """max over x, x' of |pi(x) P[x, x'] - pi(x') P[x', x]|: zero iff detailed balance holds."""
    P = check_probabilities("P", check_array("P", P, ndim=2), axis=1)
    if P.shape[0] != P.shape[1]:
        raise ValueError(f"P must be a square stochastic matrix, got shape {P.shape}")
    pi = check_probabilities("pi", check_array("pi", pi, shape=(P.shape[0],)))
    flux = pi[:, None] * P
    return float(np.max(np.abs(flux - flux.T)))


# ------------------------------------------------------------------- continuous samplers
def random_walk_metropolis(log_p: Callable, x0, n_steps: int, step: float, seed: int = 0) -> dict:
    """Random-walk Metropolis with Gaussian proposals x' = x + step * N(0, I), many chains at once.

    ``log_p`` maps an array (B, d) to (B,) (unnormalised log density); ``x0`` is (B, d).
    Returns dict ``samples`` (n_steps, B, d) and ``acceptance`` (B,) the accepted fraction.

    Accepts: ``seed`` an int >= 0 or a numpy Generator.
    """
    log_p = check_callable("log_p", log_p)
    x = check_array("x0", x0, ndim=2).copy()
    n_steps = check_int("n_steps", n_steps, minimum=1)
    step = check_positive("step", step)
    rng = make_rng(seed)
    lp = np.asarray(log_p(x), dtype=float)
    out = np.empty((n_steps,) + x.shape)
    accepted = np.zeros(x.shape[0])
    for t in range(n_steps):
        proposal = x + step * rng.standard_normal(x.shape)
        lp_new = np.asarray(log_p(proposal), dtype=float)
        accept = np.log(rng.random(x.shape[0])) < lp_new - lp
        x[accept] = proposal[accept]
        lp[accept] = lp_new[accept]
        accepted += accept
        out[t] = x
    return {"samples": out, "acceptance": accepted / n_steps}


def langevin(grad_log_p: Callable, x0, n_steps: int, eta: float, seed: int = 0,
             log_p: Callable | None = None) -> dict:
    """Langevin sampler X_{t+1} = X_t + eta grad log p(X_t) + sqrt(2 eta) xi_t, many chains at once.

    Without ``log_p`` this is the unadjusted Langevin algorithm (ULA), whose stationary law
    is biased at order eta. With ``log_p`` each move is a proposal accepted by the
    Metropolis-Hastings rule with the Langevin kernel (MALA), which removes the bias.
    Returns dict ``samples`` (n_steps, B, d) and ``acceptance`` (B,).

    Accepts: ``grad_log_p`` a callable; ``x0`` a finite array; ``seed`` an int >= 0 or a numpy Generator.
    """
    grad_log_p = check_callable("grad_log_p", grad_log_p)
    log_p = check_callable("log_p", log_p, optional=True)
    x = check_array("x0", x0, ndim=2).copy()
    n_steps = check_int("n_steps", n_steps, minimum=1)
    eta = check_positive("eta", eta)
    rng = make_rng(seed)
    out = np.empty((n_steps,) + x.shape)
    accepted = np.zeros(x.shape[0])
    g = np.asarray(grad_log_p(x), dtype=float)
    lp = None if log_p is None else np.asarray(log_p(x), dtype=float)
    for t in range(n_steps):
        y = x + eta * g + np.sqrt(2 * eta) * rng.standard_normal(x.shape)
        gy = np.asarray(grad_log_p(y), dtype=float)
        if lp is None:
            x, g = y, gy
            accepted += 1
        else:
            lpy = np.asarray(log_p(y), dtype=float)
            # log q(x | y) - log q(y | x) for the Gaussian kernel N(x + eta g(x), 2 eta I)
            fwd = np.sum((y - x - eta * g) ** 2, axis=1)
            bwd = np.sum((x - y - eta * gy) ** 2, axis=1)
            log_ratio = lpy - lp + (fwd - bwd) / (4 * eta)
            accept = np.log(rng.random(x.shape[0])) < log_ratio
            x = np.where(accept[:, None], y, x)
            g = np.where(accept[:, None], gy, g)
            lp = np.where(accept, lpy, lp)
            accepted += accept
        out[t] = x
    return {"samples": out, "acceptance": accepted / n_steps}


def ula_gaussian_variance(sigma2, eta):
    """Stationary variance of ULA on N(0, sigma2): sigma2 / (1 - eta / (2 sigma2)), for eta < 2 sigma2.

    From X' = (1 - eta/sigma2) X + sqrt(2 eta) xi: v = (1 - eta/sigma2)^2 v + 2 eta.
    """
    sigma2 = check_positive("sigma2", sigma2)
    eta = check_positive("eta", eta)
    if np.any(np.asarray(eta) >= 2 * np.asarray(sigma2)):
        raise ValueError("eta must be < 2 sigma2: ULA on a Gaussian diverges beyond that step size")
    return sigma2 / (1.0 - eta / (2.0 * sigma2))


# ------------------------------------------------------------------------------ 2-D Ising
def _check_lattice(L) -> int:
    L = check_int("L", L, minimum=2)
    if L % 2:
        raise ValueError(f"L must be even (the checkerboard update needs two sublattices on a torus), got {L}")
    return L


def ising2d_energy(spins) -> np.ndarray:
    """Energy per spin E/N = -(1/N) sum_<ij> s_i s_j of periodic L x L lattices (..., L, L), J = 1.

    Each site is bonded to its right and lower neighbour, so there are 2N bonds.

    Accepts: ``spins`` a finite array.
    """
    s = check_spins("spins", spins, ndim=range(2, 10))
    bonds = s * (np.roll(s, -1, axis=-1) + np.roll(s, -1, axis=-2))
    return -bonds.sum(axis=(-2, -1)) / (s.shape[-1] * s.shape[-2])


def _temperatures(T) -> np.ndarray:
    T = check_array("T", T, finite=False)
    if not np.all(np.isfinite(T)) or np.any(T <= 0):
        raise ValueError(f"T must be finite and > 0 (scalar or 1-D array), got {T!r}")
    if T.ndim > 1:
        raise ValueError(f"T must be a scalar or a 1-D array of temperatures, got shape {T.shape}")
    return T


def metropolis_ising2d(L: int, T, sweeps: int, n_chains: int = 1, seed: int = 0,
                       start: str = "random", return_spins: bool = False, device=None) -> dict:
    """Metropolis sampling of the periodic L x L Ising model (J = 1) by checkerboard sweeps.

    Each sweep updates the two sublattices in turn; a spin flips with probability
    min{1, exp(-2 beta s_i h_i)}, h_i the sum of its four neighbours (detailed balance
    with p(s) ~ exp(beta sum_<ij> s_i s_j)). All chains, and all temperatures if ``T`` is
    a 1-D array, are updated at once as one array.

    Returns dict ``energy`` and ``magnetization`` (per spin, signed, recorded after each
    sweep) of shape (n_chains, sweeps) for scalar T or (len(T), n_chains, sweeps) for an
    array, and ``spins`` (final configurations, int8) if ``return_spins``.

    ``device`` (a torch device, e.g. ``course_utils.device()``, the GPU when present) runs the same
    sweeps with torch on that device and torch's random numbers (same law, another stream); the
    energies come back as numpy arrays, ``spins`` as a torch tensor on the device. None: numpy.

    Accepts: ``seed`` an int >= 0 or a numpy Generator (an int with ``device``); ``start`` 'random' or
    'up'; ``return_spins`` bool; ``device`` None, a torch.device or 'cpu'/'cuda'.
    """
    L = _check_lattice(L)
    T = _temperatures(T)
    sweeps = check_int("sweeps", sweeps, minimum=1)
    n_chains = check_int("n_chains", n_chains, minimum=1)
    # int8 spins and numpy's int64 draws for the random start, per temperature and chain
    check_memory(("L", "n_chains"), 16.0 * T.size * n_chains * L * L, what="the spin lattices")
    if start not in ("random", "up"):
        raise ValueError(f"start must be 'random' or 'up', got {start!r}")
    dev = check_device("device", device)
    if dev is not None:
        return _metropolis_ising2d_torch(L, T, sweeps, n_chains, seed, start, return_spins, dev)
    rng = make_rng(seed)
    batch = T.shape + (n_chains,)
    beta = (1.0 / T).reshape(T.shape + (1, 1, 1)).astype(np.float32)
    if start == "up":
        s = np.ones(batch + (L, L), dtype=np.int8)
    else:
        s = rng.choice(np.array([-1, 1], dtype=np.int8), size=batch + (L, L))
    i, j = np.indices((L, L))
    sublattices = [(i + j) % 2 == c for c in (0, 1)]
    n_sites = L * L
    energy = np.empty(batch + (sweeps,))
    magnet = np.empty(batch + (sweeps,))
    for t in range(sweeps):
        for mask in sublattices:
            h = (np.roll(s, 1, -1) + np.roll(s, -1, -1) + np.roll(s, 1, -2) + np.roll(s, -1, -2))
            dE = 2 * s * h  # energy change of flipping each spin, in {-8, -4, 0, 4, 8}
            accept = rng.random(s.shape, dtype=np.float32) < np.exp(-beta * dE)
            s = np.where(mask & accept, -s, s).astype(np.int8, copy=False)
        right_down = s * (np.roll(s, -1, -1) + np.roll(s, -1, -2))
        energy[..., t] = -right_down.sum(axis=(-2, -1), dtype=np.int64) / n_sites
        magnet[..., t] = s.sum(axis=(-2, -1), dtype=np.int64) / n_sites
    out = {"energy": energy, "magnetization": magnet}
    if return_spins:
        out["spins"] = s
    return out


def _metropolis_ising2d_torch(L, T, sweeps, n_chains, seed, start, return_spins, dev) -> dict:
    """``metropolis_ising2d`` with torch on ``dev``: the same checkerboard sweeps, torch's random stream."""
    import torch

    from .seeding import mix_seed

    gen = torch.Generator(device=dev).manual_seed(mix_seed(seed))
    batch = T.shape + (n_chains,)
    beta = torch.as_tensor(1.0 / T, dtype=torch.float32, device=dev).reshape(T.shape + (1, 1, 1))
    if start == "up":
        s = torch.ones(batch + (L, L), dtype=torch.int8, device=dev)
    else:
        s = (2 * torch.randint(0, 2, batch + (L, L), generator=gen, device=dev) - 1).to(torch.int8)
    i, j = torch.meshgrid(torch.arange(L, device=dev), torch.arange(L, device=dev), indexing="ij")
    sublattices = [(i + j) % 2 == c for c in (0, 1)]
    n_sites = L * L
    energy = torch.empty(batch + (sweeps,), dtype=torch.float64, device=dev)
    magnet = torch.empty(batch + (sweeps,), dtype=torch.float64, device=dev)
    for t in range(sweeps):
        for mask in sublattices:
            h = s.roll(1, -1) + s.roll(-1, -1) + s.roll(1, -2) + s.roll(-1, -2)
            accept = torch.rand(s.shape, generator=gen, device=dev) < torch.exp(-beta * (2 * s * h))
            s = torch.where(mask & accept, -s, s)
        right_down = s.to(torch.int32) * (s.roll(-1, -1) + s.roll(-1, -2))
        energy[..., t] = -right_down.sum(dim=(-2, -1), dtype=torch.int64) / n_sites
        magnet[..., t] = s.sum(dim=(-2, -1), dtype=torch.int64) / n_sites
    out = {"energy": energy.cpu().numpy(), "magnetization": magnet.cpu().numpy()}
    if return_spins:
        out["spins"] = s
    return out


def exact_ising2d(L: int, T) -> dict:
    """Exact thermal averages of the periodic L x L Ising model by enumerating all 2^(L^2) states.

    Same energy convention as :func:`metropolis_ising2d`; L must be 2 or 4. Returns dict of
    arrays over T: ``energy`` <E>/N, ``abs_magnetization`` <|M|>/N, ``specific_heat``
    (<E^2> - <E>^2)/(N T^2), ``free_energy`` -T log Z / N and ``entropy`` per spin.
    """
    L = _check_lattice(L)
    if L > 4:
        raise ValueError(f"exact enumeration needs L <= 4 (2^(L^2) states), got L={L}")
    T = np.atleast_1d(_temperatures(T))
    n = L * L
    codes = np.arange(2 ** n, dtype=np.int64)
    s = (1 - 2 * ((codes[:, None] >> np.arange(n)) & 1)).reshape(-1, L, L).astype(np.int8)
    E = ising2d_energy(s) * n
    M = np.abs(s.sum(axis=(1, 2)))
    levels, inverse = np.unique(E, return_inverse=True)  # group states by energy for stability
    logw = -levels[None, :] / T[:, None]
    log_g = np.log(np.bincount(inverse))
    logZ = special.logsumexp(logw + log_g, axis=1)
    prob = np.exp(logw[:, inverse] - logZ[:, None])
    e_mean = prob @ E
    e2 = prob @ E**2
    free = -T * logZ / n
    return {
        "T": T,
        "energy": e_mean / n,
        "abs_magnetization": prob @ M / n,
        "specific_heat": (e2 - e_mean**2) / (n * T**2),
        "free_energy": free,
        "entropy": (e_mean / n - free) / T,
    }


def onsager_energy(T):
    """Onsager's exact energy per spin of the infinite square lattice (J = 1).

    u = -coth(2 beta) [1 + (2/pi)(2 tanh^2(2 beta) - 1) K(k)], k = 2 sinh(2 beta)/cosh^2(2 beta),
    K the complete elliptic integral of the first kind (scipy's ellipk takes m = k^2).

    Accepts: ``T`` a finite array > 0.
    """
    T = _temperatures(T)
    b2 = 2.0 / T
    k = 2.0 * np.sinh(b2) / np.cosh(b2) ** 2
    m = np.minimum(k**2, 1.0)
    # at T_c, K diverges but its prefactor (2 tanh^2 - 1) vanishes: the product tends to 0
    with np.errstate(invalid="ignore", divide="ignore"):
        term = np.where(m < 1.0, (2.0 * np.tanh(b2) ** 2 - 1.0) * special.ellipk(m), 0.0)
    return -(1.0 / np.tanh(b2)) * (1.0 + (2.0 / np.pi) * term)


def onsager_magnetization(T):
    """Spontaneous magnetization per spin (1 - sinh(2 beta)^-4)^(1/8) below T_c, 0 above (Yang).

    Accepts: ``T`` a finite array > 0.
    """
    T = _temperatures(T)
    with np.errstate(divide="ignore", over="ignore"):
        x = 1.0 - np.sinh(2.0 / T) ** -4.0
    return np.where(T < ISING_TC, np.clip(x, 0.0, None) ** 0.125, 0.0)
