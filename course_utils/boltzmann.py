"""The inverse Ising problem: maximum-entropy pairwise models and Boltzmann learning.

Convention (generative-models notes, part IV.A): N spins s_i = +-1 and

    p(s) = exp(1/2 s^T J s + h^T s) / Z,   J symmetric with zero diagonal,

so 1/2 s^T J s = sum_{i<j} J_ij s_i s_j. It is the maximum-entropy distribution with
prescribed <s_i> and <s_i s_j>, and maximum likelihood on data D reduces to moment
matching: dL/dJ_ij = <s_i s_j>_D - <s_i s_j>_p, dL/dh_i = <s_i>_D - <s_i>_p.

Model averages are computed exactly by enumerating all 2^N states (N <= 20, in chunks)
or estimated by Gibbs sampling with persistent chains for larger N.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy import special

from .seeding import make_rng
from .validation import check_array, check_int, check_positive, check_real, check_spins, check_symmetric

__all__ = [
    "MAX_ENUMERATION",
    "all_states",
    "ising_log_weight",
    "exact_log_partition",
    "exact_moments",
    "exact_sample",
    "fisher_information",
    "sample_moments",
    "gibbs_sampling",
    "boltzmann_learning",
    "mean_field_couplings",
    "pseudolikelihood_couplings",
]

#: the largest N for which the 2^N states are enumerated (2^20 ~ 10^6 states)
MAX_ENUMERATION = 20
_CHUNK = 2**15  # states per block of the enumeration: a (32768, 20) float array is 5 MB


# ------------------------------------------------------------------------ checks
def _check_model(J, h) -> tuple[np.ndarray, np.ndarray]:
    h = check_array("h", h, ndim=1)
    J = check_symmetric("J", J, zero_diagonal=True)
    if J.shape != (h.size, h.size):
        raise ValueError(f"J must have shape (N, N) = ({h.size}, {h.size}) to match h, got {J.shape}")
    if h.size < 1:
        raise ValueError("h must hold at least one spin (N >= 1)")
    return J, h


def _check_enumerable(N: int) -> None:
    if N > MAX_ENUMERATION:
        raise ValueError(f"exact enumeration needs N <= {MAX_ENUMERATION} spins (2^N states), got N={N}")


# ------------------------------------------------------------------- enumeration
def all_states(N: int, start: int = 0, stop: int | None = None) -> np.ndarray:
    """All 2^N spin configurations in {-1,+1}^N as an int8 array (2^N, N), or rows [start, stop).

    Row k has s_i = 1 - 2 * (bit i of k), so row 0 is all +1 and the last row all -1.
    """
    N = check_int("N", N, minimum=1, maximum=MAX_ENUMERATION)
    start = check_int("start", start, minimum=0, maximum=2**N - 1)
    stop = 2**N if stop is None else check_int("stop", stop, minimum=start + 1, maximum=2**N)
    return _states(N, start, stop)


@functools.lru_cache(maxsize=32)
def _states_cached(N: int, start: int, stop: int) -> np.ndarray:
    s = _states(N, start, stop).astype(float)
    s.flags.writeable = False
    return s


def _states(N: int, start: int, stop: int) -> np.ndarray:
    codes = np.arange(start, stop, dtype=np.int64)
    return (1 - 2 * ((codes[:, None] >> np.arange(N)) & 1)).astype(np.int8)


def ising_log_weight(s, J, h) -> np.ndarray:
    """Unnormalised log-probability 1/2 s^T J s + h^T s of spins s (..., N): minus the energy."""
    J, h = _check_model(J, h)
    s = check_spins("s", s)
    if s.shape[-1:] != h.shape:
        raise ValueError(f"s must have shape (..., {h.size}), got {s.shape}")
    return 0.5 * np.sum((s @ J) * s, axis=-1) + s @ h


def _weighted_sums(J, h, accumulate):
    """Return log Z and sum_s p(s) f(s) for the tuple of statistics f computed by ``accumulate``.

    ``accumulate(s, w)`` gets a block of states (B, N) and weights (B,) and returns a tuple
    of weighted sums; the blocks are combined with a running maximum of the log-weights
    (a streaming log-sum-exp), so neither overflow nor 2^N x N memory occurs.
    """
    N = h.size
    _check_enumerable(N)
    log_max, Z, sums = -np.inf, 0.0, None
    for start in range(0, 2**N, _CHUNK):
        stop = min(start + _CHUNK, 2**N)
        # small systems are enumerated at every learning step: keep their single block
        s = _states_cached(N, start, stop) if stop - start == 2**N else _states(N, start, stop).astype(float)
        lw = 0.5 * np.sum((s @ J) * s, axis=1) + s @ h
        block_max = lw.max()
        if block_max > log_max:
            scale = np.exp(log_max - block_max)
            Z *= scale
            sums = None if sums is None else tuple(x * scale for x in sums)
            log_max = block_max
        w = np.exp(lw - log_max)
        Z += w.sum()
        new = accumulate(s, w)
        sums = new if sums is None else tuple(a + b for a, b in zip(sums, new, strict=True))
    return np.log(Z) + log_max, tuple(x / Z for x in sums)


def exact_log_partition(J, h) -> float:
    """log Z = log sum_s exp(1/2 s^T J s + h^T s), by enumeration of the 2^N states (N <= 20)."""
    J, h = _check_model(J, h)
    log_z, _ = _weighted_sums(J, h, lambda s, w: (w.sum(),))
    return float(log_z)


def exact_moments(J, h) -> tuple[np.ndarray, np.ndarray]:
    """Exact <s_i> and <s_i s_j> under p(s) ~ exp(1/2 s^T J s + h^T s), by enumeration (N <= 20).

    Returns ``mean`` (N,) and ``corr`` (N, N), with <s_i s_i> = 1 on the diagonal.
    """
    J, h = _check_model(J, h)
    _, (mean, corr) = _weighted_sums(J, h, lambda s, w: (w @ s, (s * w[:, None]).T @ s))
    return mean, corr


def exact_sample(J, h, n_samples: int, seed: int = 0) -> np.ndarray:
    """M independent samples (n_samples, N) of p(s) ~ exp(1/2 s^T J s + h^T s), drawn exactly
    from the enumerated distribution (N <= 20): no Markov chain, no burn-in.

    Accepts: ``seed`` an int >= 0 or a numpy Generator.
    """
    J, h = _check_model(J, h)
    n_samples = check_int("n_samples", n_samples, minimum=1)
    N = h.size
    _check_enumerable(N)
    s = all_states(N).astype(float)
    lw = ising_log_weight(s, J, h)
    p = np.exp(lw - special.logsumexp(lw))
    rng = make_rng(seed)
    idx = rng.choice(2**N, size=n_samples, p=p / p.sum())
    return s[idx]


def fisher_information(J, h) -> np.ndarray:
    """Fisher information chi = Cov_p[phi, phi] = Hessian of log Z, by enumeration (N <= 20).

    phi(s) lists the sufficient statistics: first s_i s_j for i < j (the order of
    ``numpy.triu_indices(N, 1)``), then s_i. By Cramer-Rao, the maximum-likelihood
    estimate from M samples has covariance chi^-1 / M for large M.

    Accepts: ``J`` a finite array; ``h`` a finite array.
    """
    J, h = _check_model(J, h)
    iu = np.triu_indices(h.size, 1)

    def acc(s, w):
        phi = np.concatenate([s[:, iu[0]] * s[:, iu[1]], s], axis=1)
        return (w @ phi, (phi * w[:, None]).T @ phi)

    _, (m, second) = _weighted_sums(J, h, acc)
    return second - np.outer(m, m)


def sample_moments(samples) -> tuple[np.ndarray, np.ndarray]:
    """Empirical <s_i>_D = (1/M) sum_a s_i^a and <s_i s_j>_D = (1/M) sum_a s_i^a s_j^a of (M, N) spins.

    Accepts: ``samples`` a finite array.
    """
    s = check_array("samples", samples, ndim=2)
    if s.shape[0] < 1 or not np.all(np.abs(s) == 1):
        raise ValueError("samples must be a non-empty (M, N) array of +1 and -1 spins")
    return s.mean(axis=0), s.T @ s / s.shape[0]


# ------------------------------------------------------------------ Gibbs sampling
def _gibbs(J, h, s, sweeps, rng):
    """Sequential heat-bath sweeps over the sites, every chain (row of s) updated at once."""
    n_chains, N = s.shape
    field = s @ J + h  # local fields h_i + sum_j J_ij s_j, kept up to date
    for _ in range(sweeps):
        u = rng.random((N, n_chains))
        # a dense J couples every pair of sites, so sites are visited in turn (a parallel
        # update would break detailed balance); each visit is vectorised over the chains
        for i in range(N):
            new = np.where(u[i] < special.expit(2.0 * field[:, i]), 1.0, -1.0)
            delta = new - s[:, i]
            field += delta[:, None] * J[i]
            s[:, i] = new
    return s


def gibbs_sampling(J, h, states, sweeps: int, seed: int = 0) -> np.ndarray:
    """Heat-bath (Gibbs) dynamics for p(s) ~ exp(1/2 s^T J s + h^T s) on a batch of chains.

    Each sweep sets every spin in turn to +1 with probability
    p(s_i = +1 | rest) = 1 / (1 + exp(-2 (h_i + sum_j J_ij s_j))). ``states`` (B, N) of +-1;
    returns the states (B, N) after ``sweeps`` sweeps.

    Accepts: ``seed`` an int >= 0 or a numpy Generator.
    """
    J, h = _check_model(J, h)
    s = check_array("states", states, ndim=2).copy()
    if s.shape[1] != h.size or not np.all(np.abs(s) == 1):
        raise ValueError(f"states must be a (B, {h.size}) array of +1 and -1 spins, got shape {s.shape}")
    sweeps = check_int("sweeps", sweeps, minimum=1)
    return _gibbs(J, h, s, sweeps, make_rng(seed))


# ---------------------------------------------------------------- Boltzmann learning
def boltzmann_learning(mean, corr, steps: int, lr: float, *, method: str = "auto", n_chains: int = 1000,
                       sweeps: int = 1, l2: float = 0.0, average: float = 0.5, J0=None, h0=None,
                       seed: int = 0, return_history: bool = False):
    """Fit (J, h) by gradient ascent of the log-likelihood, i.e. moment matching:

        J_ij <- J_ij + lr (<s_i s_j>_D - <s_i s_j>_p - l2 J_ij),   h_i <- h_i + lr (<s_i>_D - <s_i>_p).

    ``mean`` (N,) and ``corr`` (N, N) are the data moments (see :func:`sample_moments`).
    ``method="exact"`` computes the model moments by enumeration (N <= 20, fast for
    N <~ 12); ``"mc"`` estimates them from ``n_chains`` persistent Gibbs chains advanced by
    ``sweeps`` sweeps per step, and returns the average of the iterates over the last
    ``average`` fraction of the steps (Polyak averaging removes most of the sampling noise);
    ``"auto"`` is exact for N <= 12, mc above. Returns (J, h), J symmetric with zero
    diagonal, and with ``return_history`` a dict with ``max_grad``: the largest
    |moment mismatch| at each step.

    Accepts: ``J0`` None or a value of the kind named above; ``h0`` None or a value of the kind named above; ``seed``
    an int >= 0 or a numpy Generator.
    """
    mean = check_array("mean", mean, ndim=1)
    N = mean.size
    corr = check_symmetric("corr", corr)
    if corr.shape != (N, N):
        raise ValueError(f"corr must have shape ({N}, {N}) to match mean, got {corr.shape}")
    if np.any(np.abs(mean) > 1) or np.any(np.abs(corr) > 1 + 1e-12):
        raise ValueError("mean and corr must be moments of +-1 spins, with entries in [-1, 1]")
    steps = check_int("steps", steps, minimum=1)
    lr = check_positive("lr", lr)
    l2 = check_positive("l2", l2, allow_zero=True)
    if method not in ("auto", "exact", "mc"):
        raise ValueError(f"method must be 'auto', 'exact' or 'mc', got {method!r}")
    if method == "auto":
        method = "exact" if N <= 12 else "mc"
    if method == "exact":
        _check_enumerable(N)
    n_chains = check_int("n_chains", n_chains, minimum=2)
    sweeps = check_int("sweeps", sweeps, minimum=1)
    average = check_real("average", average)
    if not 0.0 <= average < 1.0:
        raise ValueError(f"average must lie in [0, 1), got {average}")
    J = np.zeros((N, N)) if J0 is None else check_symmetric("J0", J0, zero_diagonal=True)
    J = 0.5 * (J + J.T)  # symmetric to the last bit, whatever round-off J0 carries
    h = np.zeros(N) if h0 is None else check_array("h0", h0, shape=(N,)).copy()
    if J.shape != (N, N):
        raise ValueError(f"J0 must have shape ({N}, {N}), got {J.shape}")
    corr = corr.copy()
    np.fill_diagonal(corr, 1.0)

    rng = make_rng(seed)
    chains = rng.choice([-1.0, 1.0], size=(n_chains, N)) if method == "mc" else None
    n_avg = int(average * steps) if method == "mc" else 0
    J_sum, h_sum = np.zeros_like(J), np.zeros_like(h)
    max_grad = np.empty(steps)
    for t in range(steps):
        if method == "exact":
            m, C = exact_moments(J, h)
        else:
            chains = _gibbs(J, h, chains, sweeps, rng)
            m, C = chains.mean(axis=0), chains.T @ chains / n_chains
        gJ = corr - C - l2 * J
        gJ = 0.5 * (gJ + gJ.T)  # exactly symmetric (a + b == b + a in floating point), so J stays symmetric
        np.fill_diagonal(gJ, 0.0)
        gh = mean - m
        max_grad[t] = max(np.abs(gJ).max(), np.abs(gh).max())
        J += lr * gJ
        h += lr * gh
        if t >= steps - n_avg:
            J_sum += J
            h_sum += h
    if n_avg:
        J, h = J_sum / n_avg, h_sum / n_avg
    return (J, h, {"max_grad": max_grad}) if return_history else (J, h)


# ------------------------------------------------------- fast alternatives: nMF and PLM
def mean_field_couplings(mean, corr) -> tuple[np.ndarray, np.ndarray]:
    """Naive mean-field (nMF) inverse Ising: J = -(C^-1) off the diagonal, h_i = artanh m_i - sum_j J_ij m_j.

    C_ij = <s_i s_j> - <s_i><s_j> is the connected correlation matrix. The rule inverts the
    linear response of the mean-field equations m_i = tanh(h_i + sum_j J_ij m_j), for which
    (C^-1)_ij = -J_ij (i != j); it is exact only as the couplings go to zero, so it is biased at
    strong coupling whatever the number of samples.

    Accepts: ``mean`` (N,) with entries in (-1, 1) and ``corr`` (N, N) symmetric with entries in
    [-1, 1] (the moments of :func:`sample_moments` or :func:`exact_moments`; the diagonal is taken
    as 1), with C positive definite. Returns (J, h), J symmetric with zero diagonal.
    """
    mean = check_array("mean", mean, ndim=1)
    N = mean.size
    if N < 1:
        raise ValueError("mean must hold at least one spin (N >= 1)")
    corr = check_symmetric("corr", corr)
    if corr.shape != (N, N):
        raise ValueError(f"corr must have shape ({N}, {N}) to match mean, got {corr.shape}")
    if np.any(np.abs(mean) >= 1):
        raise ValueError("mean must have entries in (-1, 1) (a frozen spin has no mean-field coupling)")
    if np.any(np.abs(corr) > 1 + 1e-12):
        raise ValueError("corr must be moments of +-1 spins, with entries in [-1, 1]")
    C = corr.copy()
    np.fill_diagonal(C, 1.0)
    C -= np.outer(mean, mean)
    C = 0.5 * (C + C.T)
    try:
        chol = np.linalg.cholesky(C)
    except np.linalg.LinAlgError:
        raise ValueError("corr must give a positive-definite connected correlation matrix C "
                         "(e.g. more samples than spins)") from None
    inv_chol = np.linalg.solve(chol, np.eye(N))
    J = -(inv_chol.T @ inv_chol)
    J = 0.5 * (J + J.T)
    np.fill_diagonal(J, 0.0)
    return J, np.arctanh(mean) - J @ mean


def pseudolikelihood_couplings(samples, l2: float = 0.0, max_iter: int = 100,
                               tol: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """Pseudo-likelihood maximisation (PLM): for each spin i maximise (1/M) sum_a log p(s_i^a | s_rest^a),

        log p(s_i | rest) = s_i theta_i - log 2 cosh theta_i,   theta_i = h_i + sum_{j != i} J_ij s_j,

    minus (l2/2) sum_j J_ij^2: a logistic regression per spin, solved by Newton's method with step
    halving (the objective is concave). The two estimates of each coupling are averaged,
    J = (J_row + J_row^T)/2. Consistent (exact as M -> infinity) without computing Z, but with a
    larger variance than maximum likelihood.

    Accepts: ``samples`` (M, N) of +-1 spins, N >= 2; ``l2`` >= 0 (ridge penalty on the couplings,
    needed when a spin is perfectly predicted by the others: without it the couplings run off until
    the gradient falls below ``tol``, to about 12 for tol = 1e-10); ``max_iter`` >= 1 Newton steps per
    spin; ``tol`` > 0 (stop when the largest gradient entry is below it). Returns (J, h), J symmetric
    with zero diagonal; raises ValueError if a fit has not converged after ``max_iter`` steps.
    """
    s = check_spins("samples", samples, ndim=2)
    M, N = s.shape
    if M < 1 or N < 2:
        raise ValueError(f"samples must be an (M, N) array with M >= 1 and N >= 2, got shape {s.shape}")
    l2 = check_positive("l2", l2, allow_zero=True)
    max_iter = check_int("max_iter", max_iter, minimum=1)
    tol = check_positive("tol", tol)
    J_row, h = np.zeros((N, N)), np.zeros(N)
    for i in range(N):
        X = s.copy()
        X[:, i] = 1.0  # column i carries the field h_i
        y = s[:, i]
        pen = np.full(N, l2)
        pen[i] = 0.0  # no penalty on h_i

        def objective(w, X=X, y=y, pen=pen):
            theta = X @ w
            return np.mean(y * theta - np.logaddexp(theta, -theta)) - 0.5 * np.sum(pen * w**2)

        w = np.zeros(N)
        f = objective(w)
        for _ in range(max_iter):
            t = np.tanh(X @ w)
            grad = X.T @ (y - t) / M - pen * w
            if np.abs(grad).max() < tol:
                break
            hess = (X * (1.0 - t**2)[:, None]).T @ X / M + np.diag(pen)
            step = np.linalg.solve(hess + 1e-12 * np.eye(N), grad)
            for _ in range(60):  # step halving keeps the ascent monotone (up to the round-off of f)
                f_new = objective(w + step)
                if f_new >= f - 1e-13 * (1.0 + abs(f)):
                    break
                step = 0.5 * step
            w, f = w + step, f_new
        else:
            t = np.tanh(X @ w)
            if np.abs(X.T @ (y - t) / M - pen * w).max() >= tol:
                raise ValueError(f"the fit of spin {i} did not converge in max_iter = {max_iter} Newton steps "
                                 "(a spin predicted perfectly by the others: use l2 > 0 or more samples)")
        h[i] = w[i]
        J_row[i] = w
        J_row[i, i] = 0.0
    J = 0.5 * (J_row + J_row.T)
    return J, h
