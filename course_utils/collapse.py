"""Model collapse: what happens when each model generation is trained on the previous one's output.

Three solvable models from Kempe's lectures (synthetic data and scaling laws):

* Gaussian refit: fit N(mu, var) by maximum likelihood to T samples drawn from the previous
  fit. E[var_n] = ((T-1)/T)^n, yet log var_n is a random walk with negative drift, so every
  chain collapses to a point, even with the unbiased (T-1) estimator.
* Linear regression on self-generated labels: generation 0 is ordinary least squares on T0
  real samples, generation n >= 1 on T inputs labelled by generation n-1. The errors add:
  E||w_n - w0||^2 = sigma^2 d/(T0-d-1) + n sigma^2 d/(T-d-1). With inputs x ~ N(0, Sigma)
  (Kempe's section 3.2 setting) the test error (w_n - w0)^T Sigma (w_n - w0) keeps this law for
  any Sigma, while the parameter error picks up tr(Sigma^-1) / d.
* Hutter's infinite-memory model on Zipf data p(i) ~ i^-beta: test error ~ T^-(1-1/beta),
  and a generator that cuts the tail at rank k leaves a plateau sum_{i>k} p(i) ~ k^-(beta-1).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from .seeding import make_rng
from .validation import check_array, check_in_range, check_int, check_memory, check_positive, check_seed

__all__ = [
    "gaussian_refit_chain",
    "expected_refit_variance",
    "expected_refit_log_variance",
    "regression_collapse",
    "regression_collapse_theory",
    "regression_step_moments",
    "regression_collapse_recursion",
    "regression_collapse_cov",
    "regression_collapse_cov_theory",
    "zipf_probabilities",
    "zipf_memory_error",
    "hutter_test_error",
    "zipf_tail_mass",
]


# ------------------------------------------------------------------------- Gaussian refit
def _check_ddof(ddof, n_samples: int) -> int:
    ddof = check_int("ddof", ddof, minimum=0, maximum=1)
    return ddof


def gaussian_refit_chain(n_generations: int, n_samples: int, n_chains: int = 1, seed: int = 0,
                         *, ddof: int = 0) -> dict:
    """Repeated maximum-likelihood refits mu_{n+1} = mean(x), var_{n+1} = sum (x - mean)^2 / (T - ddof).

    Generation 0 is N(0, 1); generation n+1 is fitted to T = ``n_samples`` draws
    x ~ N(mu_n, var_n) of generation n. ``ddof=0`` is the maximum-likelihood fit (variance
    divided by T), ``ddof=1`` the unbiased one. All chains advance together as one
    (n_chains, T) array per generation.

    Returns dict ``mean`` and ``var``: arrays (n_chains, n_generations + 1).

    Accepts: ``seed`` an int >= 0 or a numpy Generator.
    """
    n_generations = check_int("n_generations", n_generations, minimum=1)
    n_samples = check_int("n_samples", n_samples, minimum=2)
    n_chains = check_int("n_chains", n_chains, minimum=1)
    ddof = _check_ddof(ddof, n_samples)
    rng = make_rng(seed)
    mean = np.zeros((n_chains, n_generations + 1))
    var = np.ones((n_chains, n_generations + 1))
    for n in range(n_generations):
        x = mean[:, n, None] + np.sqrt(var[:, n, None]) * rng.standard_normal((n_chains, n_samples))
        mean[:, n + 1] = x.mean(axis=1)
        var[:, n + 1] = x.var(axis=1, ddof=ddof)
    return {"mean": mean, "var": var}


def expected_refit_variance(generations, n_samples: int, *, ddof: int = 0):
    """E[var_n] = ((T-1)/(T-ddof))^n: each refit multiplies var by chi^2_{T-1}/(T-ddof).

    Accepts: ``generations`` a finite array >= 0; ``n_samples`` an integer >= 1.
    """
    n = check_positive("generations", check_array("generations", generations), allow_zero=True)
    T = check_int("n_samples", n_samples, minimum=2)
    ddof = _check_ddof(ddof, T)
    return ((T - 1.0) / (T - ddof)) ** n


def expected_refit_log_variance(generations, n_samples: int, *, ddof: int = 0):
    """E[log var_n] = n [psi((T-1)/2) + log(2/(T-ddof))] < 0: the drift of the log-variance walk.

    log var_n is a sum of n independent log(chi^2_{T-1}/(T-ddof)), and E log chi^2_k =
    psi(k/2) + log 2 (psi the digamma function). The drift is negative for both ddof = 0
    and ddof = 1 (Jensen), so var_n -> 0 almost surely although E[var_n] stays 1 for ddof = 1.

    Accepts: ``generations`` a finite array >= 0; ``n_samples`` an integer >= 1.
    """
    n = check_positive("generations", check_array("generations", generations), allow_zero=True)
    T = check_int("n_samples", n_samples, minimum=2)
    ddof = _check_ddof(ddof, T)
    return n * (special.digamma((T - 1) / 2.0) + np.log(2.0 / (T - ddof)))


# --------------------------------------------------------------------- regression collapse
def _sample_sizes(T, n_generations: int, d: int) -> np.ndarray:
    if np.ndim(T) == 0:
        T = check_int("T", T, minimum=1)
        sizes = np.full(n_generations, T, dtype=int)
    else:
        sizes = check_array("T", T, shape=(n_generations,), dtype=float)
        if not np.all(sizes == np.round(sizes)):
            raise ValueError("T must contain integer sample sizes")
        sizes = sizes.astype(int)
    if np.any(sizes <= d + 1):
        raise ValueError(f"T must be > d + 1 = {d + 1} (E tr (X^T X)^-1 = d/(T-d-1) needs it), "
                         f"got a minimum of {sizes.min()}")
    return sizes


def _gram_and_root(rng, n: int, n_trials: int, d: int):
    """Exact draws of G = X^T X and of F with F F^T = G, for X an (n x d) matrix of N(0, 1) entries.

    Least squares sees the data only through G and X^T eps ~ N(0, sigma^2 G) given X, so
    sampling G (Wishart(n, I_d), by Bartlett's decomposition G = A A^T when n >= d) and
    X^T eps = sigma F z is exact in distribution and costs O(d^2), not O(n d), per trial.
    """
    if n < d:  # singular Wishart: draw the few rows explicitly
        X = rng.standard_normal((n_trials, n, d))
        Xt = np.swapaxes(X, 1, 2)
        return Xt @ X, Xt
    A = np.tril(rng.standard_normal((n_trials, d, d)), k=-1)
    idx = np.arange(d)
    A[:, idx, idx] = np.sqrt(rng.chisquare(n - idx, size=(n_trials, d)))
    return A @ np.swapaxes(A, 1, 2), A


def regression_collapse(d: int, T, T0: int, noise_std: float, n_generations: int, n_trials: int,
                        seed: int = 0, *, real_fraction: float = 0.0, ridge: float = 0.0,
                        per_trial: bool = False) -> np.ndarray:
    """Mean test error E||w_n - w0||^2 of least squares retrained on its own labels, generation by generation.

    Generation 0: w_0-hat = OLS on T0 real samples x ~ N(0, I_d), y = x.w0 + eps, eps ~ N(0, sigma^2).
    Generation n >= 1: T fresh inputs X_n labelled y = X_n w_{n-1}-hat + eps, refit
    w_n-hat = (X_n^T X_n + ridge I)^-1 X_n^T y. For isotropic inputs E_test = ||w_n - w0||^2
    (eq. 3.16 of the notes), and for OLS E_n = sigma^2 d/(T0-d-1) + n sigma^2 d/(T-d-1).

    ``T`` is an int or an array of n_generations sample sizes (a schedule growing with n);
    a fraction ``real_fraction`` of each later generation's samples is labelled by the true
    w0 instead (real data mixed back in); ``ridge`` >= 0 is the penalty lambda of every fit.
    w0 is drawn uniformly on the unit sphere for each trial. The fits see the data only
    through X^T X and X^T y, which are drawn exactly (Wishart by Bartlett's decomposition),
    and all trials are solved at once by a batched ``numpy.linalg.solve``, so the cost does
    not grow with T. Returns an array (n_generations + 1,), or with ``per_trial=True`` the
    squared errors of every trial, an array (n_generations + 1, n_trials) (for standard errors).

    Accepts: ``noise_std`` a finite number >= 0; ``seed`` an int >= 0 or a numpy Generator.
    """
    d = check_int("d", d, minimum=1)
    n_generations = check_int("n_generations", n_generations, minimum=0)
    n_trials = check_int("n_trials", n_trials, minimum=1)
    T0 = check_int("T0", T0, minimum=1)
    if T0 <= d + 1:
        raise ValueError(f"T0 must be > d + 1 = {d + 1} (E tr (X^T X)^-1 = d/(T0-d-1) needs it), got {T0}")
    sizes = _sample_sizes(T, n_generations, d) if n_generations else np.zeros(0, dtype=int)
    sigma = check_positive("noise_std", noise_std, allow_zero=True)
    rho = check_in_range("real_fraction", real_fraction, 0.0, 1.0)
    lam = check_positive("ridge", ridge, allow_zero=True)
    rng = make_rng(seed)
    w0 = rng.standard_normal((n_trials, d))
    w0 /= np.linalg.norm(w0, axis=1, keepdims=True)

    def moments(n, teacher):
        """X^T X and X^T y for n samples labelled y = x.teacher + eps (all trials at once)."""
        G, F = _gram_and_root(rng, n, n_trials, d)
        z = rng.standard_normal((n_trials, F.shape[2], 1))
        return G, (G @ teacher[..., None] + sigma * (F @ z))[..., 0]

    def fit(G, b):
        return np.linalg.solve(G + lam * np.eye(d), b[..., None])[..., 0]

    w = fit(*moments(T0, w0))
    errors = [np.sum((w - w0) ** 2, axis=1)]
    for T_n in sizes:
        n_real = int(round(rho * T_n))
        G, b = moments(T_n - n_real, w)  # synthetic part, labelled by the previous generation
        if n_real:
            G_r, b_r = moments(n_real, w0)
            G, b = G + G_r, b + b_r
        w = fit(G, b)
        errors.append(np.sum((w - w0) ** 2, axis=1))
    errors = np.asarray(errors)
    return errors if per_trial else errors.mean(axis=1)


def regression_collapse_theory(d: int, T, T0: int, noise_std: float, n_generations: int) -> np.ndarray:
    """E_n = sigma^2 d/(T0-d-1) + sum_{k=1}^n sigma^2 d/(T_k-d-1), exact for OLS chains (eq. 3.25).

    Each refit adds an independent zero-mean error (X^T X)^-1 X^T eps, of mean squared norm
    sigma^2 E tr (X^T X)^-1 = sigma^2 d/(T-d-1) (mean of an inverse Wishart matrix).
    ``T`` is an int or an array of n_generations sample sizes. Returns (n_generations + 1,).

    Accepts: ``noise_std`` a finite number >= 0.
    """
    d = check_int("d", d, minimum=1)
    n_generations = check_int("n_generations", n_generations, minimum=0)
    T0 = check_int("T0", T0, minimum=1)
    if T0 <= d + 1:
        raise ValueError(f"T0 must be > d + 1 = {d + 1}, got {T0}")
    sizes = _sample_sizes(T, n_generations, d) if n_generations else np.zeros(0, dtype=int)
    s2 = check_positive("noise_std", noise_std, allow_zero=True) ** 2
    steps = s2 * d / (sizes - d - 1.0)
    return s2 * d / (T0 - d - 1.0) + np.concatenate([[0.0], np.cumsum(steps)])


def regression_step_moments(d: int, n_synthetic: int, n_real: int, *, ridge: float = 0.0,
                            n_samples: int = 20000, seed: int = 0) -> dict:
    """Moments of one refit w_n = A w_{n-1} + R w0 + xi, A = M G_s, R = M G_r, M = (G_s + G_r + ridge I)^-1.

    G_s = X_s^T X_s (``n_synthetic`` inputs labelled by the previous generation), G_r the same
    for ``n_real`` inputs labelled by the truth w0, xi = M X^T eps the fresh noise. The law
    of (A, R, G) is invariant under rotations, so every matrix average is a multiple of the
    identity and the chain's second moments obey a closed linear recursion with the scalars

        c = E tr(A^T A)/d,  q = E tr(A^T R)/d,  r = E tr(R^T R)/d,  a = E tr A/d,
        e = E tr R/d,       v = E tr(M G M)   (E|xi|^2 = sigma^2 v).

    For least squares (ridge = 0) v = d/(T-d-1) exactly, and with real data mixed in
    A + R = I. The averages are Monte Carlo over ``n_samples`` exact Wishart draws.
    Returns a dict of the six means and ``se``, a dict of their standard errors.

    Accepts: ``seed`` an int >= 0.
    """
    d = check_int("d", d, minimum=1)
    n_synthetic = check_int("n_synthetic", n_synthetic, minimum=0)
    n_real = check_int("n_real", n_real, minimum=0)
    if n_synthetic + n_real <= d + 1:
        raise ValueError(f"n_synthetic + n_real must be > d + 1 = {d + 1}, got {n_synthetic + n_real}")
    lam = check_positive("ridge", ridge, allow_zero=True)
    n_samples = check_int("n_samples", n_samples, minimum=2)
    check_memory("n_samples", 10 * 8.0 * n_samples * d * d)
    rng = make_rng(check_seed("seed", seed, allow_generator=True))
    zero = np.zeros((n_samples, d, d))
    G_s = _gram_and_root(rng, n_synthetic, n_samples, d)[0] if n_synthetic else zero
    G_r = _gram_and_root(rng, n_real, n_samples, d)[0] if n_real else zero
    M = np.linalg.inv(G_s + G_r + lam * np.eye(d))
    A, R = M @ G_s, M @ G_r
    samples = {
        "c": np.sum(A * A, axis=(1, 2)) / d,
        "q": np.sum(A * R, axis=(1, 2)) / d,
        "r": np.sum(R * R, axis=(1, 2)) / d,
        "a": np.trace(A, axis1=1, axis2=2) / d,
        "e": np.trace(R, axis1=1, axis2=2) / d,
        "v": np.trace(M @ (G_s + G_r) @ M, axis1=1, axis2=2),
    }
    out = {k: float(x.mean()) for k, x in samples.items()}
    out["se"] = {k: float(x.std(ddof=1) / np.sqrt(n_samples)) for k, x in samples.items()}
    return out


def regression_collapse_recursion(d: int, T: int, T0: int, noise_std: float, n_generations: int, *,
                                  real_fraction: float = 0.0, ridge: float = 0.0,
                                  n_samples: int = 20000, seed: int = 0) -> np.ndarray:
    """E_n = W_n - 2 C_n + 1 from the exact moment recursion of the self-training chain, ||w0|| = 1.

    With W_n = E|w_n|^2 and C_n = E w_n.w0 and the step moments of ``regression_step_moments``
    (w_{n-1} is independent of the new data, and rotation invariance turns E A^T A into c I):

        W_n = c W_{n-1} + 2 q C_{n-1} + r + sigma^2 v,   C_n = a C_{n-1} + e.

    Generation 0 is the same step with only real data (T0 samples). For least squares with a
    fraction rho of real data this reduces to E_n = c E_{n-1} + sigma^2 d/(T-d-1), with fixed
    point sigma^2 d/(T-d-1) / (1 - c); for ridge without real data C_n -> 0 and
    E_n -> 1 + sigma^2 v/(1 - c). Exact up to the Monte Carlo error of the moments.
    Returns an array (n_generations + 1,).

    Accepts: ``noise_std`` a finite number >= 0; ``real_fraction`` a number in [0, 1]; ``n_samples``
    an integer >= 1; ``seed`` an int >= 0.
    """
    d = check_int("d", d, minimum=1)
    T = check_int("T", T, minimum=1)
    T0 = check_int("T0", T0, minimum=1)
    for name, value in (("T", T), ("T0", T0)):
        if value < d + 2:
            raise ValueError(f"{name} must be >= d + 2 = {d + 2} (a refit on d = {d} features needs more "
                             f"than d + 1 samples), got {value}")
    s2 = check_positive("noise_std", noise_std, allow_zero=True) ** 2
    n_generations = check_int("n_generations", n_generations, minimum=0)
    rho = check_in_range("real_fraction", real_fraction, 0.0, 1.0)
    lam = check_positive("ridge", ridge, allow_zero=True)
    n_samples = check_int("n_samples", n_samples, minimum=2)
    rng = make_rng(check_seed("seed", seed, allow_generator=True))
    n_real = int(round(rho * T))  # as in regression_collapse
    m0 = regression_step_moments(d, 0, T0, ridge=lam, n_samples=n_samples, seed=rng)
    m = regression_step_moments(d, T - n_real, n_real, ridge=lam, n_samples=n_samples, seed=rng)
    W, C = m0["r"] + s2 * m0["v"], m0["e"]
    E = [W - 2 * C + 1.0]
    for _ in range(n_generations):
        W, C = m["c"] * W + 2 * m["q"] * C + m["r"] + s2 * m["v"], m["a"] * C + m["e"]
        E.append(W - 2 * C + 1.0)
    return np.asarray(E)


def _check_cov_chain(cov_eigs, T, T0, noise_std, n_generations):
    lam = check_positive("cov_eigs", check_array("cov_eigs", cov_eigs, ndim=1))
    d = lam.size
    n_generations = check_int("n_generations", n_generations, minimum=0)
    T = check_int("T", T, minimum=1)
    T0 = check_int("T0", T0, minimum=1)
    for name, n in (("T", T), ("T0", T0)):
        if n <= d + 1:
            raise ValueError(f"{name} must be > d + 1 = {d + 1} (E (X^T X)^-1 = Sigma^-1/(T-d-1) needs it), got {n}")
    sigma = check_positive("noise_std", noise_std, allow_zero=True)
    return lam, d, T, T0, sigma, n_generations


def regression_collapse_cov(cov_eigs, T: int, T0: int, noise_std: float, n_generations: int, n_trials: int,
                            seed: int = 0) -> dict:
    """Self-trained least squares with inputs x ~ N(0, Sigma): test and parameter error of every trial.

    The setting of Kempe's section 3.2 (eqs. 3.12-3.25) with a general covariance Sigma =
    diag(cov_eigs) (its eigenbasis: a rotation of the inputs changes no error below). Generation 0
    is OLS on T0 real samples y = x.w0 + eps, eps ~ N(0, sigma^2); generation n >= 1 is OLS on T
    fresh inputs labelled by generation n - 1. Every sample x = Sigma^{1/2} z is drawn explicitly
    (no Wishart shortcut) and all trials are solved at once. Returns a dict of arrays
    (n_generations + 1, n_trials): "test" = (w_n - w0)^T Sigma (w_n - w0) = E_x (x.w_n - y)^2 - sigma^2
    (eq. 3.12) and "param" = ||w_n - w0||^2.

    ``cov_eigs`` the d eigenvalues of Sigma (> 0); ``T``, ``T0`` samples per synthetic / real
    generation (> d + 1); ``noise_std`` sigma >= 0; ``n_generations`` >= 0; ``n_trials`` >= 1
    independent chains, each with w0 uniform on the unit sphere; ``seed`` an int >= 0 or a Generator.
    """
    lam, d, T, T0, sigma, n_generations = _check_cov_chain(cov_eigs, T, T0, noise_std, n_generations)
    n_trials = check_int("n_trials", n_trials, minimum=1)
    check_memory("n_trials", 8.0 * n_trials * max(T, T0) * d * 3, what="the input matrices")
    rng = make_rng(check_seed("seed", seed, allow_generator=True))
    root = np.sqrt(lam)
    w0 = rng.standard_normal((n_trials, d))
    w0 /= np.linalg.norm(w0, axis=1, keepdims=True)

    def refit(n, teacher):
        X = rng.standard_normal((n_trials, n, d)) * root
        y = np.einsum("tnd,td->tn", X, teacher) + sigma * rng.standard_normal((n_trials, n))
        Xt = np.swapaxes(X, 1, 2)
        return np.linalg.solve(Xt @ X, (Xt @ y[..., None]))[..., 0]

    w = refit(T0, w0)
    errs = [w - w0]
    for _ in range(n_generations):
        w = refit(T, w)
        errs.append(w - w0)
    errs = np.asarray(errs)
    return {"test": np.sum(errs**2 * lam, axis=2), "param": np.sum(errs**2, axis=2)}


def regression_collapse_cov_theory(cov_eigs, T: int, T0: int, noise_std: float, n_generations: int) -> dict:
    """Exact means for x ~ N(0, Sigma): E_test,n = sigma^2 d [1/(T0-d-1) + n/(T-d-1)], any Sigma.

    Each refit adds delta = (X^T X)^-1 X^T eps with E delta delta^T = sigma^2 E (X^T X)^-1 =
    sigma^2 Sigma^-1/(T-d-1) (inverse Wishart), independent of the past. Weighted by Sigma the trace
    is d: the test error does not depend on Sigma. Unweighted it is tr(Sigma^-1): the parameter error
    E||w_n - w0||^2 = sigma^2 tr(Sigma^-1) [1/(T0-d-1) + n/(T-d-1)]. Returns a dict of arrays
    (n_generations + 1,), "test" and "param". ``cov_eigs`` the d eigenvalues of Sigma (> 0); ``T``, ``T0``
    samples per synthetic / real generation (> d + 1); ``noise_std`` sigma >= 0; ``n_generations`` >= 0.
    """
    lam, d, T, T0, sigma, n_generations = _check_cov_chain(cov_eigs, T, T0, noise_std, n_generations)
    bracket = 1.0 / (T0 - d - 1.0) + np.arange(n_generations + 1) / (T - d - 1.0)
    return {"test": sigma**2 * d * bracket, "param": sigma**2 * np.sum(1.0 / lam) * bracket}


# ------------------------------------------------------------------ Zipf / infinite memory
#: ranks summed term by term in hutter_test_error; beyond, an integral (relative error ~ M^-2)
_MAX_RANKS = 2_000_000


def _check_beta(beta) -> float:
    beta = check_positive("beta", beta)
    if np.ndim(beta) or beta <= 1.0:
        raise ValueError(f"beta must be a number > 1 (Zipf law p(i) ~ i^-beta is normalisable), got {beta!r}")
    return float(beta)


def zipf_probabilities(i, beta: float):
    """p(i) = i^-beta / zeta(beta), i = 1, 2, ...: the Zipf law of the data (eq. 3.4 of the notes)."""
    beta = _check_beta(beta)
    i = check_array("i", i)
    if np.any(i < 1):
        raise ValueError("i must be ranks >= 1")
    return i ** -beta / special.zeta(beta)


def zipf_tail_mass(k, beta: float):
    """sum_{i > k} p(i) = zeta(beta, k+1)/zeta(beta) ~ k^-(beta-1)/((beta-1) zeta(beta)), the tail-cut plateau."""
    beta = _check_beta(beta)
    k = check_positive("k", check_array("k", k), allow_zero=True)
    return special.zeta(beta, np.asarray(k) + 1.0) / special.zeta(beta)


def _check_k(k):
    if k is None:
        return None
    return check_int("k", k, minimum=1)


def zipf_memory_error(T, beta: float, n_trials: int = 20, seed: int = 0, *,
                      k: int | None = None) -> np.ndarray:
    """Monte Carlo test error of Hutter's memory model: the Zipf mass of the ranks not among T training draws.

    The model memorises f(i) for every i it has seen and answers "don't know" otherwise,
    so its test error is E_test = sum_i p(i) 1[i not in D_T] (eq. 3.4). Training draws come
    from the Zipf law p, or, with a tail cut ``k``, from p restricted to ranks i <= k (data
    from a generator that never produces rare items). ``T`` is an int or 1-D array of
    sample sizes; the trials of one T are drawn as one (n_trials, T) array.
    Returns an array (len(T), n_trials) (or (n_trials,) for a scalar T).

    Accepts: ``beta`` a finite number > 0; ``seed`` an int >= 0 or a numpy Generator.
    """
    beta = _check_beta(beta)
    n_trials = check_int("n_trials", n_trials, minimum=1)
    k = _check_k(k)
    sizes = np.atleast_1d(check_array("T", T, ndim=(0, 1)))
    if np.any(sizes < 1) or not np.all(sizes == np.round(sizes)):
        raise ValueError(f"T must contain integer sample sizes >= 1, got {T!r}")
    rng = make_rng(seed)
    zeta = special.zeta(beta)
    if k is not None:
        p_cut = np.arange(1, k + 1) ** -beta
        cdf = np.cumsum(p_cut / p_cut.sum())
    out = np.empty((sizes.size, n_trials))
    for j, T_j in enumerate(sizes.astype(int)):
        if k is None:
            draws = rng.zipf(beta, size=(n_trials, T_j))
        else:  # inverse-cdf sampling of the truncated law
            draws = np.searchsorted(cdf, rng.random((n_trials, T_j)), side="right") + 1
            draws = np.minimum(draws, k)
        draws = np.sort(draws, axis=1)
        first = np.ones_like(draws, dtype=bool)
        first[:, 1:] = draws[:, 1:] != draws[:, :-1]
        seen_mass = np.where(first, draws.astype(float) ** -beta, 0.0).sum(axis=1) / zeta
        out[j] = 1.0 - seen_mass
    return out[0] if np.ndim(T) == 0 else out


def hutter_test_error(T, beta: float, *, k: int | None = None, rel_tol: float = 1e-6):
    """E_test(T) = sum_i p(i) (1 - q(i))^T, exact up to rel_tol (eq. 3.5; with a tail cut, eq. 3.9).

    q = p for clean data; with a tail cut at rank k, q(i) = p(i)/P(i <= k) for i <= k and 0
    beyond, so the error adds the plateau sum_{i>k} p(i). The infinite sum is done exactly
    up to a rank N where T q(N) is small and by Hurwitz zeta functions beyond
    ((1-q)^T ~ 1 - T q there). For large T, E_test ~ Gamma(1-1/beta)/(beta zeta(beta)^(1/beta)) T^-(1-1/beta).
    """
    beta = _check_beta(beta)
    k = _check_k(k)
    rel_tol = check_in_range("rel_tol", rel_tol, 0.0, 1e-2, closed=False)
    T_arr = check_positive("T", check_array("T", T))
    T_arr = np.atleast_1d(np.asarray(T_arr, dtype=float))
    zeta = special.zeta(beta)
    result = np.empty_like(T_arr)
    for j, Tj in enumerate(T_arr):
        if k is not None:
            i = np.arange(1, k + 1, dtype=float)
            p = i**-beta / zeta
            q = p / p.sum()
            result[j] = np.sum(p * np.exp(Tj * np.log1p(-q))) + zipf_tail_mass(k, beta)
            continue
        # beyond N: T p(N) <= sqrt(2 rel_tol) makes the dropped (T p)^2/2 term negligible
        N = (Tj / (zeta * np.sqrt(2 * rel_tol))) ** (1.0 / beta) + 1
        M = int(min(np.ceil(N), _MAX_RANKS))
        i = np.arange(1, M + 1, dtype=float)
        p = i**-beta / zeta
        head = np.sum(p * np.exp(Tj * np.log1p(-p)))
        if M >= N:
            tail = special.zeta(beta, M + 1.0) / zeta - Tj * special.zeta(2 * beta, M + 1.0) / zeta**2
        else:  # huge T: midpoint rule, sum_{i>M} ~ integral from M + 1/2 of p(x) exp(-T p(x)) dx
            c = 1.0 - 1.0 / beta
            u = Tj * (M + 0.5) ** -beta / zeta
            tail = (Tj / zeta) ** (1.0 / beta) / (beta * Tj) * special.gamma(c) * special.gammainc(c, u)
        result[j] = head + tail
    return result[0] if np.ndim(T) == 0 else result
