"""The Hopfield model: Hebbian couplings, Glauber dynamics and the Amit-Gutfreund-Sompolinsky
(AGS) replica-symmetric phase diagram.

Conventions follow the Agliari lectures and the generative-models notes: N Ising neurons
sigma_i = +-1, P = alpha N patterns xi^mu in {+-1}^N, Hebb's rule J = xi^T xi / N with zero
diagonal, local fields phi_i = sum_j J_ij sigma_j (+ h_i), Mattis overlaps
m_mu = (1/N) sum_i xi_i^mu sigma_i, Glauber dynamics P[sigma_i = +-1] = (1 +- tanh(beta phi_i))/2
and the Lyapunov function L = -1/2 sigma^T J sigma - h^T sigma.

The replica-symmetric (RS) theory of one condensed pattern has order parameters m (overlap),
q (Edwards-Anderson) and r (noise from the P - 1 uncondensed patterns), with the saddle point

    m = <tanh beta(m + sqrt(alpha r) z)>_z,   q = <tanh^2 beta(m + sqrt(alpha r) z)>_z,
    r = q / (1 - beta(1 - q))^2,

z ~ N(0, 1). Writing s = sqrt(alpha r) (the width of the crosstalk noise) and C = beta(1 - q),
all averages are computed by quadrature that stays accurate down to T = 0, where C stays finite
and the equations become m = erf(m / (sqrt(2) s)), C = sqrt(2/pi) exp(-m^2 / 2 s^2) / s.
"""

from __future__ import annotations

import functools
import sys

import numpy as np
from scipy import optimize, special
from scipy.optimize import elementwise

from .seeding import make_rng
from .validation import (
    check_array,
    check_in_range,
    check_int,
    check_memory,
    check_positive,
    check_spins,
    check_symmetric,
)

__all__ = [
    "ALPHA_MAX",
    "random_patterns",
    "hebbian_couplings",
    "overlaps",
    "lyapunov",
    "run_dynamics",
    "run_dynamics_from_patterns",
    "projector_couplings",
    "retrieval_distances",
    "ags_averages",
    "ags_free_energy",
    "ags_capacity",
    "ags_retrieval",
    "ags_phase_lines",
]

#: largest load accepted by the RS routines (the phase diagram of the lectures ends well before)
ALPHA_MAX = 1.0


# --------------------------------------------------------------------- network and dynamics
def random_patterns(P: int, N: int, seed: int = 0) -> np.ndarray:
    """P unbiased random patterns xi^mu_i = +-1 with probability 1/2 each, as a (P, N) float array.

    Accepts: ``seed`` an int >= 0 or a numpy Generator.
    """
    P = check_int("P", P, minimum=1)
    N = check_int("N", N, minimum=2)
    rng = make_rng(seed)
    return 2.0 * rng.integers(0, 2, size=(P, N)) - 1.0


def hebbian_couplings(patterns) -> np.ndarray:
    """Hebb's rule J_ij = (1/N) sum_mu xi_i^mu xi_j^mu for i != j, J_ii = 0; returns (N, N).

    ``patterns`` is (P, N) of +-1 (one pattern a row).
    """
    xi = check_spins("patterns", patterns, ndim=2)
    N = xi.shape[1]
    if N < 2:
        raise ValueError(f"patterns must have at least 2 neurons (columns), got shape {xi.shape}")
    check_memory("patterns", 8.0 * N * N, what="the N x N couplings")
    J = xi.T @ xi  # one N x N array, scaled in place (no N x N temporaries)
    J /= N
    np.fill_diagonal(J, 0.0)
    return J


def overlaps(states, patterns) -> np.ndarray:
    """Mattis overlaps m_mu = (1/N) sum_i xi_i^mu sigma_i: states (..., N), patterns (P, N) -> (..., P)."""
    xi = check_spins("patterns", patterns, ndim=2)
    sigma = check_array("states", states)
    if sigma.ndim < 1 or sigma.shape[-1] != xi.shape[1]:
        raise ValueError(f"states must have shape (..., N) with N = {xi.shape[1]} (the patterns' length), "
                         f"got {sigma.shape}")
    return sigma @ xi.T / xi.shape[1]


def lyapunov(J, states, h=0.0) -> np.ndarray:
    """Lyapunov function L = -1/2 sigma^T J sigma - h^T sigma of states (..., N) -> (...)."""
    J = check_symmetric("J", J)
    sigma = _check_states(states, J.shape[0], batch=False)
    h = check_array("h", h)
    if h.ndim > 1 or (h.ndim == 1 and h.shape[0] != J.shape[0]):
        raise ValueError(f"h must be a scalar or have shape ({J.shape[0]},), got {h.shape}")
    return -0.5 * np.einsum("...i,ij,...j->...", sigma, J, sigma) - sigma @ np.broadcast_to(h, (J.shape[0],))


def run_dynamics(J, states, T, sweeps: int, update: str = "sequential", seed: int = 0) -> np.ndarray:
    """Glauber dynamics P[sigma_i = +-1] = (1 +- tanh(phi_i / T))/2, phi = J sigma; sign(phi) at T = 0.

    ``states`` is a batch (B, N) of +-1 spins (a single state (N,) is accepted and returned
    as (N,)); ``T`` is a scalar or one temperature per state (B,), so replicas at several
    temperatures run as one batch. One sweep is N single-spin updates:

    - ``"sequential"``: sites in a random order (a new permutation each sweep, the same for
      all states), each update applied to all B states at once; at T = 0 this never raises
      the Lyapunov function L = -1/2 sigma^T J sigma (for symmetric J with J_ii >= 0);
    - ``"parallel"``: all sites updated at once from the fields of the previous step
      (at T = 0 it can end in 2-cycles).

    A zero field leaves the spin unchanged at T = 0. Returns the states after ``sweeps``
    sweeps, with the input's shape, as floats.

    Accepts: ``seed`` an int >= 0 or a numpy Generator.
    """
    J = check_symmetric("J", J)
    N = J.shape[0]
    sigma = _check_states(states, N, batch=True)
    single = sigma.ndim == 1
    sigma = np.atleast_2d(sigma).copy()
    B = sigma.shape[0]
    T, sweeps = _check_run_args(T, sweeps, update, B)
    rng = make_rng(seed)
    hot = T > 0
    Jc = np.ascontiguousarray(J)
    all_hot, all_cold = bool(hot.all()), not hot.any()
    for _ in range(sweeps):
        up, down = _thresholds(rng, T, N)
        if update == "parallel":
            phi = sigma @ Jc
            sigma = np.where(phi > up.T, 1.0, np.where(phi < down.T, -1.0, sigma))
            continue
        before = sigma.copy() if all_cold else None
        for k, i in enumerate(rng.permutation(N)):
            phi = sigma @ Jc[i]
            if all_hot:  # up == down: one comparison
                sigma[:, i] = np.where(phi > up[k], 1.0, -1.0)
            else:
                sigma[:, i] = np.where(phi > up[k], 1.0, np.where(phi < down[k], -1.0, sigma[:, i]))
        if all_cold and np.array_equal(before, sigma):
            break  # a fixed point of sign dynamics: further sweeps change nothing
    return sigma[0] if single else sigma


#: fields smaller than this count as zero in the T = 0 rule (Hebbian fields are multiples of 1/N)
_TIE = 1e-12


def run_dynamics_from_patterns(patterns, states, T, sweeps: int, update: str = "sequential", seed: int = 0):
    """Glauber dynamics of ``run_dynamics`` with Hebb's couplings J = xi^T xi / N (J_ii = 0), never forming J.

    The field is computed from the pattern overlaps, phi_i = (1/N) [sum_mu xi_i^mu M_mu - P sigma_i]
    with M_mu = sum_j xi_j^mu sigma_j kept up to date by a rank-one change at each flip, so memory
    is O(N P + B P) instead of N^2 and a sweep costs N B P instead of N^2 B. The overlaps are
    integers, so the fields are exact and the states are those of
    ``run_dynamics(hebbian_couplings(patterns), states, T, sweeps, update, seed)`` for the same
    seed (same random stream, same tie rule at T = 0).

    Accepts ``patterns`` (P, N) of +-1 and ``states`` (B, N) or (N,) of +-1, as numpy arrays, or
    both as torch tensors on one device (e.g. ``course_utils.device()``: the GPU when present),
    in which case the dynamics runs there with torch's random numbers (same law, another stream)
    and returns a tensor; ``T`` >= 0 a scalar or one per state; ``sweeps`` >= 0; ``update``
    "sequential" or "parallel"; ``seed`` an int >= 0.
    """
    torch = sys.modules.get("torch")  # a tensor exists only if torch is imported: no import cost otherwise
    on_torch = torch is not None and isinstance(patterns, torch.Tensor)
    if on_torch:
        if not isinstance(states, torch.Tensor) or states.device != patterns.device:
            raise TypeError(f"states must be a torch tensor on {patterns.device} like patterns, "
                            f"got {type(states).__name__}")
        return _from_patterns_torch(patterns, states, T, sweeps, update, seed)
    xi = check_spins("patterns", patterns, ndim=2)
    P, N = xi.shape
    if N < 2:
        raise ValueError(f"patterns must have at least 2 neurons (columns), got shape {xi.shape}")
    sigma = _check_states(states, N, batch=True)
    single = sigma.ndim == 1
    sigma = np.atleast_2d(sigma).copy()
    B = sigma.shape[0]
    T, sweeps = _check_run_args(T, sweeps, update, B)
    rng = make_rng(seed)
    hot = T > 0
    all_hot, all_cold = bool(hot.all()), not hot.any()
    xiT = np.ascontiguousarray(xi.T)  # (N, P): row i holds xi_i^mu for every pattern
    sT = np.ascontiguousarray(sigma.T)  # (N, B): row i holds sigma_i of every state
    M = sigma @ xiT  # (B, P) overlaps times N: integers, exact in float64
    for _ in range(sweeps):
        # the same draws, in the same order, as run_dynamics: thresholds (N, B), then the site order;
        # scaled by N, since the fields here are N phi (integers)
        up, down = _thresholds(rng, T, N, scale=N)
        if update == "parallel":
            phi = M @ xi - P * sT.T  # N phi, (B, N)
            sT = np.ascontiguousarray(np.where(phi > up.T, 1.0, np.where(phi < down.T, -1.0, sT.T)).T)
            M = sT.T @ xiT
            continue
        before = sT.copy() if all_cold else None
        for k, i in enumerate(rng.permutation(N)):
            row, s = xiT[i], sT[i]
            phi = M @ row - P * s
            if all_hot:
                new = np.where(phi > up[k], 1.0, -1.0)
            else:
                new = np.where(phi > up[k], 1.0, np.where(phi < down[k], -1.0, s))
            d = new - s
            if d.any():  # rank-one update of the overlaps (rows with d = 0 add exactly 0)
                M += np.outer(d, row)
                sT[i] = new
        if all_cold and np.array_equal(before, sT):
            break
    sigma = np.ascontiguousarray(sT.T)
    return sigma[0] if single else sigma


def _check_run_args(T, sweeps, update, B: int):
    """The checks shared by the dynamics: T (scalar or (B,), >= 0) broadcast to (B,), sweeps, update."""
    T = check_array("T", T)
    if T.ndim > 1 or (T.ndim == 1 and T.shape[0] != B):
        raise ValueError(f"T must be a scalar or have shape ({B},) (one per state), got {T.shape}")
    if np.any(T < 0):
        raise ValueError(f"T must be >= 0 (temperatures), got a minimum of {T.min():.3g}")
    sweeps = check_int("sweeps", sweeps, minimum=0)
    if update not in ("sequential", "parallel"):
        raise ValueError(f"update must be 'sequential' or 'parallel', got {update!r}")
    return np.broadcast_to(T, (B,)), sweeps


def _thresholds(rng, T, N: int, scale: float = 1.0):
    """One sweep's Glauber thresholds (up, down), each (N, B), on scale * phi.

    sigma_i = +1 with probability (1 + tanh(phi_i / T))/2, i.e. iff phi_i > T artanh(2u - 1) for
    u ~ U(0, 1). At T = 0 the rule is sign(phi_i), and a (numerically) zero field keeps the spin:
    up = +tie, down = -tie.
    """
    u = rng.random((N, T.shape[0]))
    with np.errstate(divide="ignore"):
        theta = T * np.arctanh(2.0 * u - 1.0) * scale
    hot = T > 0
    return np.where(hot, theta, scale * _TIE), np.where(hot, theta, -scale * _TIE)


def _from_patterns_torch(patterns, states, T, sweeps, update, seed):
    """``run_dynamics_from_patterns`` on torch tensors (on their device), torch's random stream."""
    import torch

    from .seeding import mix_seed

    dev = patterns.device
    if patterns.dim() != 2 or patterns.shape[1] < 2:
        raise ValueError(f"patterns must have shape (P, N) with N >= 2, got {tuple(patterns.shape)}")
    xi = patterns.to(torch.float64) if dev.type == "cpu" else patterns.to(torch.float32)
    if not bool(((xi == 1) | (xi == -1)).all()):
        raise ValueError("patterns must contain only +1 and -1")
    P, N = xi.shape
    single = states.dim() == 1
    sigma = (states[None] if single else states).to(xi.dtype).clone()
    if sigma.dim() != 2 or sigma.shape[1] != N:
        raise ValueError(f"states must have shape (B, N) or (N,) with N = {N}, got {tuple(states.shape)}")
    if not bool(((sigma == 1) | (sigma == -1)).all()):
        raise ValueError("states must contain only +1 and -1")
    B = sigma.shape[0]
    T_np, sweeps = _check_run_args(T.detach().cpu().numpy() if isinstance(T, torch.Tensor) else T, sweeps, update, B)
    gen = torch.Generator(device=dev).manual_seed(mix_seed(seed))
    T_t = torch.as_tensor(T_np.copy(), dtype=xi.dtype, device=dev)
    hot = T_t > 0
    tie = torch.full_like(T_t, _TIE * N)
    xiT = xi.T.contiguous()
    M = sigma @ xiT
    for _ in range(sweeps):
        u = torch.rand((N, B), generator=gen, device=dev, dtype=xi.dtype)
        theta = T_t * torch.atanh(2.0 * u - 1.0) * N
        up = torch.where(hot, theta, tie)
        down = torch.where(hot, theta, -tie)
        if update == "parallel":
            phi = M @ xi - P * sigma
            sigma = torch.where(phi > up.T, 1.0, torch.where(phi < down.T, -1.0, sigma))
            M = sigma @ xiT
            continue
        order = torch.randperm(N, generator=gen, device=dev)
        for k in range(N):
            i = order[k]
            row = xiT[i]
            old = sigma[:, i]
            phi = M @ row - P * old
            new = torch.where(phi > up[k], 1.0, torch.where(phi < down[k], -1.0, old))
            M += torch.outer(new - old, row)
            sigma[:, i] = new
    return sigma[0] if single else sigma


def _check_states(states, N: int, *, batch: bool) -> np.ndarray:
    sigma = check_spins("states", states)
    if sigma.ndim == 0 or sigma.shape[-1] != N or (batch and sigma.ndim > 2):
        want = "(B, N) or (N,)" if batch else "(..., N)"
        raise ValueError(f"states must have shape {want} with N = {N} (the size of J), got {sigma.shape}")
    return sigma


# ------------------------------------------------------------- projector rule and retrieval
def projector_couplings(patterns, zero_diagonal: bool = True) -> np.ndarray:
    """Kohonen's projector (pseudo-inverse) rule J = (1/N) xi^T C^-1 xi, C_munu = (1/N) xi^mu . xi^nu.

    J is the orthogonal projector onto the span of the P patterns, so J xi^mu = xi^mu for every
    pattern: the eigenvalue condition sum_j J_ij xi_j^mu = lambda xi_i^mu with lambda = 1 of
    Agliari's Theorem 1, which makes each pattern a fixed point of sign dynamics. Its trace is P,
    so the mean diagonal element is exactly alpha = P/N. With ``zero_diagonal`` (default True) the
    self-couplings are removed, J_ii = 0, as in Hebb's rule; then the stability of bit i of a
    pattern is xi_i^mu phi_i(xi^mu) = 1 - Pi_ii (Pi the projector), which is > 0 for all
    linearly independent patterns with every Pi_ii < 1.

    Accepts: ``patterns`` (P, N) of +-1, one pattern a row, linearly independent, P < N;
    ``zero_diagonal`` a bool. Returns the symmetric (N, N) couplings.
    """
    xi = check_spins("patterns", patterns, ndim=2)
    P, N = xi.shape
    if N < 2 or P >= N:
        raise ValueError(f"patterns must have fewer rows (patterns) than columns (neurons), P < N, "
                         f"got shape {xi.shape}")
    if not isinstance(zero_diagonal, (bool, np.bool_)):
        raise TypeError(f"zero_diagonal must be a bool, got {type(zero_diagonal).__name__}")
    check_memory("patterns", 8.0 * N * N, what="the N x N couplings")
    C = xi @ xi.T / N
    if np.linalg.matrix_rank(C) < P:
        raise ValueError("patterns must be linearly independent (the overlap matrix C = xi xi^T / N is singular)")
    J = xi.T @ np.linalg.solve(C, xi)
    J /= N
    J = 0.5 * (J + J.T)  # symmetric up to round-off; make it exact
    if zero_diagonal:
        np.fill_diagonal(J, 0.0)
    return J


def retrieval_distances(J, patterns, delta: float, sweeps: int = 30, seed: int = 0) -> dict:
    """Distances d(t) = (1 - m(t))/2 from each pattern along T = 0 dynamics started delta away from it.

    The (delta, epsilon) retrieval of Agliari's Definition 4: a pattern is retrieved if a state
    started within a ball of radius delta around it stays within radius epsilon for ever. Here
    the distance is the normalised Hamming distance d = (1 - m)/2, m the Mattis overlap; each
    pattern xi^mu is started with exactly round(delta N) of its bits flipped (random sites), and
    sequential sign dynamics (``run_dynamics`` at T = 0) runs sweep by sweep until a fixed point
    or ``sweeps`` sweeps. A pattern is (delta, epsilon)-retrieved when ``max`` <= epsilon.

    Accepts: ``J`` symmetric (N, N) couplings; ``patterns`` (P, N) of +-1; ``delta`` in [0, 1/2]
    (fraction of flipped bits at the start); ``sweeps`` >= 1; ``seed`` an int >= 0 or a numpy
    Generator. Returns a dict of (P,) arrays: ``max`` (largest d over t = 0..end, the start included),
    ``final`` (d at the end) and ``fixed`` (True where the run ended at a fixed point).
    """
    J = check_symmetric("J", J)
    xi = check_spins("patterns", patterns, ndim=2)
    N = J.shape[0]
    if xi.shape[1] != N:
        raise ValueError(f"patterns must have N = {N} columns (the size of J), got shape {xi.shape}")
    delta = check_in_range("delta", delta, 0.0, 0.5)
    sweeps = check_int("sweeps", sweeps, minimum=1)
    rng = make_rng(seed)
    P = xi.shape[0]
    k = int(round(delta * N))
    flip = np.argsort(rng.random((P, N)), axis=1)[:, :k]  # k distinct random sites per pattern
    sigma = xi.copy()
    np.put_along_axis(sigma, flip, -np.take_along_axis(xi, flip, axis=1), axis=1)
    dist = lambda s: 0.5 * (1.0 - np.einsum("bi,bi->b", s, xi) / N)
    d_max = dist(sigma)
    fixed = np.zeros(P, dtype=bool)
    for _ in range(sweeps):
        new = run_dynamics(J, sigma, 0.0, 1, seed=rng)
        fixed = np.all(new == sigma, axis=1)
        sigma = new
        d_max = np.maximum(d_max, dist(sigma))
        if fixed.all():
            break
    return {"max": d_max, "final": dist(sigma), "fixed": fixed}


# ------------------------------------------------------------ replica-symmetric quadrature
_N_HERMITE, _N_LEGENDRE = 48, 48
_Z, _WZ = np.polynomial.hermite_e.hermegauss(_N_HERMITE)
_WZ = _WZ / np.sqrt(2.0 * np.pi)
_W_CUT = 20.0  # tanh(w) - sign(w), sech^2(w) and log(1 + e^-2|w|) are < 1e-16 beyond |w| = 20
_XL, _WL = np.polynomial.legendre.leggauss(_N_LEGENDRE)
_XW, _WW = (_XL + 1.0) * _W_CUT / 2.0, _WL * _W_CUT / 2.0
_ONE_MINUS_TANH = 2.0 / (1.0 + np.exp(2.0 * _XW))  # 1 - tanh w on w > 0
_SECH2 = 1.0 / np.cosh(_XW) ** 2
_LOG1P = np.log1p(np.exp(-2.0 * _XW))
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)


def ags_averages(m, s, T) -> dict:
    """Gaussian averages over u = m + s z, z ~ N(0, 1), that enter the RS equations.

    Returns dict of arrays (broadcast over m, s, T): ``M`` = <tanh(beta u)>,
    ``Q`` = <tanh^2(beta u)>, ``C`` = beta (1 - Q) = beta <sech^2(beta u)> and
    ``G`` = T <log 2 cosh(beta u)>, with beta = 1/T; all finite at T = 0.

    For beta s <= 1/2 the integrand is smooth on the scale of z and Gauss-Hermite
    quadrature is used. For beta s > 1/2 (low temperature) tanh(beta u) is a near step: the
    step is integrated exactly (erf, E|u|) and the remainders tanh w - sign w, sech^2 w and
    log(1 + e^{-2|w|}), w = beta u, by Gauss-Legendre on each half line. Both agree with
    adaptive quadrature to ~1e-9 (see the tests).
    """
    m = check_array("m", m)
    s = check_array("s", s)
    T = check_array("T", T)
    if np.any(s < 0) or np.any(T < 0):
        raise ValueError("s and T must be >= 0")
    M, Q, C, G = _averages(m, s, T, need_G=True)
    return {"M": M, "Q": Q, "C": C, "G": G}


def _averages(m, s, T, need_G=False):
    m, s, T = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (m, s, T)))
    shape = m.shape
    m, s, T = m.ravel(), s.ravel(), T.ravel()
    n = m.size
    M, Q, C, G = np.empty(n), np.empty(n), np.empty(n), np.full(n, np.nan)
    low = T < 2.0 * s  # beta s > 1/2
    hi = ~low & (T > 0)
    if np.any(hi):  # Gauss-Hermite in z
        beta = 1.0 / T[hi, None]
        t = np.tanh(beta * (m[hi, None] + s[hi, None] * _Z))
        M[hi] = t @ _WZ
        Q[hi] = (t * t) @ _WZ
        C[hi] = beta[:, 0] * (1.0 - Q[hi])
        if need_G:
            bu = beta * (m[hi, None] + s[hi, None] * _Z)
            G[hi] = (np.logaddexp(bu, -bu) @ _WZ) / beta[:, 0]
    if np.any(low):  # exact step + Gauss-Legendre remainders in w = u / T >= 0
        ml, sl, Tl = m[low, None], s[low, None], T[low, None]
        dens_p = np.exp(-0.5 * ((Tl * _XW - ml) / sl) ** 2) * _INV_SQRT_2PI  # phi((u - m)/s) at u = +T w
        dens_m = np.exp(-0.5 * ((Tl * _XW + ml) / sl) ** 2) * _INV_SQRT_2PI  # ... at u = -T w
        y = m[low] / (s[low] * np.sqrt(2.0))
        erf_y = special.erf(y)
        M[low] = erf_y + T[low] / s[low] * ((_ONE_MINUS_TANH * (dens_m - dens_p)) @ _WW)
        C[low] = ((_SECH2 * (dens_p + dens_m)) @ _WW) / s[low]
        Q[low] = 1.0 - T[low] * C[low]
        if need_G:
            abs_u = s[low] * np.sqrt(2.0 / np.pi) * np.exp(-y * y) + m[low] * erf_y
            G[low] = abs_u + T[low] ** 2 / s[low] * ((_LOG1P * (dens_p + dens_m)) @ _WW)
    frozen = ~low & (T <= 0)  # s = 0 and T = 0: u = m exactly
    M[frozen], C[frozen], G[frozen] = np.sign(m[frozen]), 0.0, np.abs(m[frozen])
    Q[frozen] = np.abs(M[frozen])
    return tuple(a.reshape(shape) for a in (M, Q, C, G))


def ags_free_energy(m, q, r, alpha, T):
    """RS free energy per neuron of the Hopfield model with one condensed pattern (AGS 1987).

    f = alpha/2 + m^2/2 + (alpha/2)[T log(1 - C) - q/(1 - C)] + (alpha/2) r C
        - T <log 2 cosh beta(m + sqrt(alpha r) z)>_z,   C = beta (1 - q),

    where the alpha/2 comes from the zero diagonal of J. Its stationary points in
    (m, q, r) are the RS saddle-point equations. Arrays broadcast; needs T > 0.
    """
    m = check_array("m", m, allow_empty=True)
    q = check_array("q", q, allow_empty=True)
    if np.any((q < 0) | (q > 1)):
        raise ValueError("q must lie in [0, 1] (an Edwards-Anderson overlap)")
    r = check_positive("r", r, allow_zero=True)
    alpha = check_positive("alpha", alpha, allow_zero=True)
    T = check_array("T", T, allow_empty=True)
    m, q, r, alpha, T = np.broadcast_arrays(m, q, r, alpha, T)
    if np.any(T <= 0):
        raise ValueError("T must be > 0 in ags_free_energy (at T = 0, C = beta(1 - q) is a separate unknown)")
    C = (1.0 - q) / T
    if np.any(C >= 1):
        raise ValueError("beta (1 - q) must be < 1 (the physical branch of the RS free energy)")
    G = _averages(m, np.sqrt(alpha * r), T, need_G=True)[3]
    return alpha / 2 + m**2 / 2 + alpha / 2 * (T * np.log1p(-C) - q / (1.0 - C)) + alpha * r * C / 2 - G


def ags_capacity() -> tuple[float, float]:
    """Storage capacity alpha_c of the RS theory at T = 0, and the overlap m_c there.

    At T = 0 with the signal-to-noise ratio y = m / (sqrt(2) s), s = sqrt(alpha r), the
    saddle point reads m = erf(y) and sqrt(2 alpha) = erf(y)/y - (2/sqrt(pi)) exp(-y^2);
    alpha_c is the largest alpha with a solution (AGS 1985: alpha_c = 0.138, m_c = 0.967).
    """
    res = optimize.minimize_scalar(lambda y: -_alpha_zero_t(y), bounds=(0.5, 3.0), method="bounded",
                                   options={"xatol": 1e-10})
    return float(_alpha_zero_t(res.x)), float(special.erf(res.x))


def _alpha_zero_t(y):
    return 0.5 * (special.erf(y) / y - 2.0 / np.sqrt(np.pi) * np.exp(-y * y)) ** 2


def ags_retrieval(alphas, T=0.0) -> dict:
    """Retrieval state (stable branch of the RS equations) at loads ``alphas`` and temperature T.

    Returns dict of arrays over alphas: overlap ``m``, ``q``, ``r``, its free energy ``f``
    and the free energy ``f_sg`` of the spin-glass state (m = 0) at the same (alpha, T);
    nan where a state does not exist (``m`` is nan past the retrieval spinodal). At T = 0
    ``f`` is the energy per neuron.
    """
    alphas = _check_alphas(alphas)
    T = float(check_array("T", T, ndim=0))
    if not 0 <= T < 1:
        raise ValueError(f"T must lie in [0, 1) (retrieval states exist only below T = 1), got {T}")
    y = _Y_GRID
    Tg = np.full(y.shape, T)
    a = _retrieval(y, Tg)["alpha"]
    k = int(np.nanargmax(a))
    # stable branch: y beyond the fold, where alpha(y) decreases to 0 as y -> infinity
    y_st = np.append(y[k:], 1e8)
    a_st = np.append(a[k:], 0.0)
    j = np.searchsorted(-a_st, -alphas)  # first index with a_st <= alpha
    ok = (j > 0) & (j < a_st.size)
    out = {key: np.full(alphas.shape, np.nan) for key in ("m", "q", "r", "f")}
    if np.any(ok):
        res = elementwise.find_root(lambda yy, aa, TT: _retrieval(yy, TT)["alpha"] - aa,
                                    (y_st[j[ok] - 1], y_st[j[ok]]), args=(alphas[ok], np.full(ok.sum(), T)),
                                    tolerances={"xatol": 1e-12, "xrtol": 1e-12})
        br = _retrieval(res.x, np.full(ok.sum(), T), need_f=True)
        for key in out:
            out[key][ok] = br[key]
    out["f_sg"] = _spin_glass(alphas, np.full(alphas.shape, T))["f"]
    return out


def ags_phase_lines(alphas) -> dict:
    """AGS phase lines T(alpha) of the Hopfield model from the replica-symmetric theory.

    Returns dict of arrays over ``alphas`` (loads in (0, 1]):

    - ``T_g`` = 1 + sqrt(alpha): paramagnet -> spin glass (q > 0 below it);
    - ``T_M``: retrieval spinodal, the highest T at which a retrieval solution (m > 0)
      exists; nan past the largest alpha with one (0.138 at T = 0; the RS line bends
      slightly beyond it, to 0.1382, just above T = 0);
    - ``T_c``: below it the retrieval state has a lower RS free energy than the spin-glass
      state (it is the global minimum); nan past the largest alpha where this happens.

    Computed on a grid of T in [0, 1): at each T the retrieval branch is traced in the
    signal-to-noise ratio y = m / (sqrt(2) s) (one scalar root for m, then alpha is
    explicit); its maximum over y gives alpha_M(T), the zero of f_R - f_SG beyond the fold
    gives alpha_c(T); both are inverted to T(alpha), linearly in sqrt(alpha) between grid
    temperatures (the lines end as alpha ~ (1 - T)^2 at T = 1). Against a 4x finer grid the
    lines agree to 1e-4 in T for alpha <= 0.12 and to 1e-3 near alpha_c, where they are steep.
    """
    alphas = _check_alphas(alphas)
    lines = _phase_line_grid()
    out = {"T_g": 1.0 + np.sqrt(alphas)}
    for name, a_line in (("T_M", lines["alpha_M"]), ("T_c", lines["alpha_c"])):
        out[name] = _invert_line(alphas, lines["T"], a_line)
    return out


# ----------------------------------------------------------------- RS numerics (private)
_N_T = 51  # temperatures 0, 0.02, ..., 0.98 for the phase lines
_Y_GRID = np.geomspace(0.3, 300.0, 90)  # signal-to-noise ratio m / (sqrt(2) s) along the branch


def _check_alphas(alphas) -> np.ndarray:
    a = check_array("alphas", alphas, ndim=(0, 1))
    if np.any(a <= 0) or np.any(a > ALPHA_MAX):
        raise ValueError(f"alphas must lie in (0, {ALPHA_MAX}] (loads P/N), got min {a.min():.3g}, "
                         f"max {a.max():.3g}")
    return np.atleast_1d(a)


def _curie_weiss(T):
    """Largest root of m = tanh(m / T): 1 at T = 0, 0 for T >= 1."""
    T = np.asarray(T, dtype=float)
    out = np.where(T <= 0, 1.0, 0.0)
    mid = (T > 0) & (T < 1)
    if np.any(mid):
        Tm = T[mid]
        res = elementwise.find_root(lambda m, t: np.tanh(m / t) - m,
                                    (np.full_like(Tm, 1e-9), np.ones_like(Tm)), args=(Tm,),
                                    tolerances={"xatol": 1e-15, "xrtol": 1e-14})
        out[mid] = res.x
    return out


def _retrieval(y, T, need_f=False):
    """Retrieval solution at signal-to-noise ratio y = m/(sqrt(2) s) and temperature T < 1.

    m solves m = <tanh beta m (1 + z / (sqrt(2) y))> (unique positive root: the right side
    over m decreases in m); at T = 0, m = erf(y). Returns dict m, s, q, C, r, alpha (, f).
    """
    y, T = (np.array(a, dtype=float) for a in np.broadcast_arrays(y, T))
    m = special.erf(y)
    warm = T > 0
    if np.any(warm):
        yw, Tw = y[warm], T[warm]
        mcw = _curie_weiss(Tw)

        def gap(mm, yy, TT):
            return _averages(mm, mm / (np.sqrt(2.0) * yy), TT)[0] - mm

        lo = 1e-7 * mcw
        res = elementwise.find_root(gap, (lo, mcw), args=(yw, Tw),
                                    tolerances={"xatol": 1e-14, "xrtol": 1e-12})
        m[warm] = np.where(res.success, res.x, np.nan)
    return _from_m_s(m, m / (np.sqrt(2.0) * y), T, need_f=need_f)


def _from_m_s(m, s, T, alpha=None, need_f=False):
    M, q, C, G = _averages(m, s, T, need_G=need_f)
    with np.errstate(invalid="ignore", divide="ignore"):
        # r = q/(1 - C)^2 on the physical branch C < 1 (the Gaussian integral over the
        # uncondensed overlaps converges only there): alpha = s^2 (1 - C)^2 / q
        if alpha is None:
            alpha = np.where(C < 1, s**2 * (1 - C) ** 2 / q, np.nan)
        out = {"m": m, "s": s, "q": q, "C": C, "r": s**2 / alpha, "alpha": alpha}
        if need_f:
            log_term = np.where(T > 0, T * np.log1p(-np.minimum(C, 1.0)), 0.0)
            out["f"] = alpha / 2 + m**2 / 2 + alpha / 2 * (log_term - q / (1 - C)) + s**2 * C / 2 - G
    return out


def _spin_glass(alphas, T):
    """RS spin-glass solution (m = 0, q > 0) at (alpha, T < T_g): solve s (1 - C) = sqrt(alpha q)."""
    alphas, T = (np.array(a, dtype=float) for a in np.broadcast_arrays(alphas, T))

    def gap(s, a_, T_):
        _, Q, C, _ = _averages(0.0, s, T_)
        return s * (1 - C) - np.sqrt(a_ * Q)

    lo, hi = np.full(alphas.shape, 1e-9), np.full(alphas.shape, 20.0)
    s = np.full(alphas.shape, np.nan)
    ok = np.isfinite(alphas)
    ok[ok] = (gap(lo[ok], alphas[ok], T[ok]) < 0) & (gap(hi[ok], alphas[ok], T[ok]) > 0)
    if np.any(ok):
        res = elementwise.find_root(gap, (lo[ok], hi[ok]), args=(alphas[ok], T[ok]),
                                    tolerances={"xatol": 1e-13, "xrtol": 1e-12})
        s[ok] = res.x
    return _from_m_s(np.zeros_like(s), s, T, alpha=alphas, need_f=True)


@functools.lru_cache(maxsize=1)
def _phase_line_grid() -> dict:
    """alpha_M(T) and alpha_c(T) on a grid of T in [0, 1) (computed once, then cached; read-only)."""
    T = np.linspace(0.0, 1.0, _N_T)[:-1]
    y = _Y_GRID
    TT = np.broadcast_to(T[:, None], (T.size, y.size))
    br = _retrieval(np.broadcast_to(y, TT.shape), TT, need_f=True)
    a = np.where(np.isfinite(br["alpha"]), br["alpha"], -np.inf)
    k = np.clip(np.argmax(a, axis=1), 1, y.size - 2)
    rows = np.arange(T.size)
    # parabola through the three grid points around the maximum, in log y
    a0, a1, a2 = a[rows, k - 1], a[rows, k], a[rows, k + 1]
    h = np.log(y[1] / y[0])
    shift = 0.5 * (a0 - a2) / (a0 - 2 * a1 + a2)
    alpha_M = a1 - 0.25 * (a0 - a2) * shift
    # first-order line: f_R - f_SG changes sign beyond the fold (retrieval wins at large y)
    df = br["f"] - _spin_glass(br["alpha"], TT)["f"]
    beyond = np.arange(y.size)[None, :] >= k[:, None]
    cross = beyond[:, :-1] & (df[:, :-1] > 0) & (df[:, 1:] <= 0)
    has = cross.any(axis=1)
    j = np.argmax(cross, axis=1)
    alpha_c = np.full(T.size, np.nan)
    if np.any(has):
        def gap(yy, tt):
            b = _retrieval(yy, tt, need_f=True)
            return b["f"] - _spin_glass(b["alpha"], tt)["f"]

        res = elementwise.find_root(gap, (y[j[has]], y[j[has] + 1]), args=(T[has],),
                                    tolerances={"xatol": 1e-12, "xrtol": 1e-12})
        alpha_c[has] = _retrieval(res.x, T[has])["alpha"]
    out = {"T": T, "alpha_M": alpha_M, "alpha_c": alpha_c, "y_fold": y[k] * np.exp(h * shift)}
    for arr in out.values():
        arr.flags.writeable = False
    return out


def _invert_line(alphas, T, a_line):
    """Highest T with a_line(T) >= alpha, interpolated linearly in sqrt(alpha); nan where none."""
    a_ext = np.append(np.where(np.isfinite(a_line), a_line, 0.0), 0.0)  # the lines end at alpha = 0, T = 1
    T_ext = np.append(T, 1.0)
    above = a_ext[None, :] >= alphas[:, None]
    has = above.any(axis=1)
    last = np.where(has, T_ext.size - 1 - np.argmax(above[:, ::-1], axis=1), 0)
    nxt = np.minimum(last + 1, T_ext.size - 1)
    r0, r1, r = np.sqrt(a_ext[last]), np.sqrt(a_ext[nxt]), np.sqrt(alphas)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(r0 > r1, (r0 - r) / (r0 - r1), 0.0)
    return np.where(has, T_ext[last] + w * (T_ext[nxt] - T_ext[last]), np.nan)
