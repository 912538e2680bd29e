"""Generative diffusion with the Ornstein-Uhlenbeck forward process: exact scores, the
backward SDE, speciation and memorization (Mezard's lectures, Biroli-Bonnaire-de Bortoli-Mezard).

Conventions of the notes: data a ~ p_0 in R^d, forward process dx/dt = -x + eta(t) with
<eta eta> = 2 delta, so that

    x(t) = a e^{-t} + sqrt(Delta_t) z,    Delta_t = 1 - e^{-2t},    z ~ N(0, I),

and the backward process, in the reversed time tau = t_f - t, is the Langevin equation
dx/dtau = F(x) + eta with force F = x + 2 grad log p_{t_f - tau}(x). Every score below is
the exact grad log p_t of the noised law at forward time t.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import special, stats

from .seeding import make_rng
from .validation import check_array, check_callable, check_int, check_positive, check_probabilities

__all__ = [
    "delta",
    "forward_marginal",
    "gaussian_score",
    "posterior_weights",
    "mixture_score",
    "empirical_score",
    "curie_weiss_magnetization",
    "curie_weiss_sample",
    "curie_weiss_score",
    "posterior_mean",
    "backward_sde",
    "gaussian_backward_exact",
    "em_gaussian_variance",
    "speciation_time",
    "commitment_probability",
    "collapse_time",
    "schedule",
    "schedule_time",
    "schedule_backward",
]


# ----------------------------------------------------------------------- forward process
def _times(name, t, *, allow_zero=True):
    return check_positive(name, check_array(name, t), allow_zero=allow_zero)


def delta(t):
    """Delta_t = 1 - e^{-2t}, the variance of the noise added by the OU process up to time t (eq. 17.1)."""
    t = _times("t", t)
    return -np.expm1(-2.0 * np.asarray(t)) if np.ndim(t) else float(-np.expm1(-2.0 * t))


def forward_marginal(a, t, seed=0):
    """Sample x(t) = a e^{-t} + sqrt(Delta_t) z (eq. 17.1) for each row of ``a`` (B, d).

    ``t`` is a scalar or an array of shape (B,) (one time per sample).

    Accepts: ``seed`` an int >= 0 or a numpy Generator.
    """
    a = check_array("a", a, ndim=2)
    t = np.asarray(_times("t", t), dtype=float)
    if t.ndim not in (0, 1) or (t.ndim == 1 and t.shape[0] != a.shape[0]):
        raise ValueError(f"t must be a scalar or have shape ({a.shape[0]},), got shape {t.shape}")
    tt = t[:, None] if t.ndim == 1 else t
    z = make_rng(seed).standard_normal(a.shape)
    return a * np.exp(-tt) + np.sqrt(-np.expm1(-2.0 * tt)) * z


# -------------------------------------------------------------------------- exact scores
def gaussian_score(x, t, var):
    """grad log p_t(x) = -x / (var e^{-2t} + Delta_t) for Gaussian data a ~ N(0, diag(var)).

    ``var`` is a scalar or a per-dimension array (d,); ``x`` has shape (B, d).

    Accepts: ``t`` a finite number >= 0.
    """
    x = check_array("x", x, ndim=2)
    t = _times("t", t)
    var = check_positive("var", var)
    if np.ndim(var) and np.shape(var) != (x.shape[1],):
        raise ValueError(f"var must be a scalar or have shape ({x.shape[1]},), got shape {np.shape(var)}")
    gamma = np.asarray(var) * np.exp(-2.0 * t) - np.expm1(-2.0 * t)
    return -x / gamma


def _mixture_args(x, t, means, var, weights, *, var_zero):
    x = check_array("x", x, ndim=2)
    means = check_array("means", means, ndim=2)
    if means.shape[1] != x.shape[1]:
        raise ValueError(f"means must have shape (K, {x.shape[1]}) to match x, got {means.shape}")
    t = _times("t", t, allow_zero=not var_zero)
    var = check_positive("var", var, allow_zero=True)
    if np.ndim(var):
        raise ValueError("var must be a scalar (isotropic components)")
    if var == 0 and t == 0:
        raise ValueError("t must be > 0 when var = 0 (the score of point masses is singular at t = 0)")
    if weights is None:
        log_w = np.full(means.shape[0], -np.log(means.shape[0]))
    else:
        weights = check_probabilities("weights", check_array("weights", weights, shape=(means.shape[0],)))
        with np.errstate(divide="ignore"):
            log_w = np.log(weights)
    v_t = var * np.exp(-2.0 * t) - np.expm1(-2.0 * t)
    return x, means * np.exp(-t), v_t, log_w


def posterior_weights(x, t, means, var=0.0, weights=None) -> np.ndarray:
    """Posterior P(component k | x(t) = x) for data sum_k w_k N(means_k, var I) (Bayes, eq. 17.5).

    At time t component k is N(means_k e^{-t}, v_t I), v_t = var e^{-2t} + Delta_t; the result
    has shape (B, K) and rows summing to one. ``var = 0`` gives point masses (training points).

    Accepts: ``means`` a finite array; ``weights`` mixture weights, >= 0 and summing to 1 (or None).
    """
    return _posterior(*_mixture_args(x, t, means, var, weights, var_zero=True))


def _posterior(x, m_t, v_t, log_w):
    # |x - m|^2 = |x|^2 - 2 x.m + |m|^2; the |x|^2 term is common to all k and drops out
    logits = log_w + (x @ m_t.T - 0.5 * np.sum(m_t**2, axis=1)) / v_t
    return special.softmax(logits, axis=1)


def mixture_score(x, t, means, var=0.0, weights=None) -> np.ndarray:
    """Exact grad log p_t(x) = (sum_k r_k(x) means_k e^{-t} - x) / v_t for a Gaussian mixture.

    Data a ~ sum_k w_k N(means_k, var I); r_k = :func:`posterior_weights`, v_t = var e^{-2t} + Delta_t.

    Accepts: ``means`` a finite array; ``weights`` mixture weights, >= 0 and summing to 1 (or None).
    """
    x, m_t, v_t, log_w = _mixture_args(x, t, means, var, weights, var_zero=True)
    return (_posterior(x, m_t, v_t, log_w) @ m_t - x) / v_t


def empirical_score(x, t, data) -> np.ndarray:
    """Score of the empirical law (1/n) sum_mu delta(a - a^mu) noised to time t > 0.

    grad log p^e_t(x) = (sum_mu w_mu a^mu e^{-t} - x) / Delta_t with softmax weights
    w_mu ~ exp(-|x - a^mu e^{-t}|^2 / 2 Delta_t): the mixture score with var = 0.

    Accepts: ``data`` a finite array.
    """
    x = check_array("x", x, ndim=2)
    data = check_array("data", data, ndim=2)
    if data.shape[1] != x.shape[1]:
        raise ValueError(f"data must have shape (n, {x.shape[1]}) to match x, got {data.shape}")
    return mixture_score(x, t, data, var=0.0)


# ----------------------------------------------------------------------------- Curie-Weiss
def curie_weiss_magnetization(N: int, beta: float):
    """Exact law of M = sum_i s_i for the Curie-Weiss model p(s) ~ exp(beta M^2 / 2N).

    P(M) ~ binom(N, (N+M)/2) exp(beta M^2 / 2N), M = -N, -N+2, ..., N. Returns (M, P(M)).
    """
    N = check_int("N", N, minimum=1)
    beta = check_positive("beta", beta, allow_zero=True)
    k = np.arange(N + 1)
    M = 2 * k - N
    log_binom = special.gammaln(N + 1) - special.gammaln(k + 1) - special.gammaln(N - k + 1)
    logp = log_binom + beta * M**2 / (2 * N)
    return M.astype(float), special.softmax(logp)


def curie_weiss_sample(N: int, beta: float, n: int, seed=0) -> np.ndarray:
    """n exact, independent Curie-Weiss configurations (n, N) of +-1 spins.

    Draw M from :func:`curie_weiss_magnetization`, then place its (N+M)/2 up spins at
    uniformly random sites (all configurations with the same M are equally likely).

    Accepts: ``beta`` a finite number >= 0; ``seed`` an int >= 0 or a numpy Generator.
    """
    n = check_int("n", n, minimum=1)
    M, prob = curie_weiss_magnetization(N, beta)
    rng = make_rng(seed)
    n_up = ((rng.choice(M, size=n, p=prob) + N) / 2).astype(int)
    ranks = rng.random((n, N)).argsort(axis=1).argsort(axis=1)  # a random permutation per row
    return np.where(ranks < n_up[:, None], 1.0, -1.0)


def curie_weiss_score(x, t, beta: float, n_grid: int | None = None) -> np.ndarray:
    """Exact grad log p_t(x) for Curie-Weiss data, by a Hubbard-Stratonovich integral.

    With h_i = x_i e^{-t}/Delta_t and exp(beta M^2/2N) ~ int dl exp(-N l^2/2beta + l M),
    p_t(x) ~ e^{-|x|^2/2Delta_t} int dl exp(-N l^2/2beta + sum_i log 2cosh(l + h_i)), so

        grad_i log p_t = -x_i/Delta_t + (e^{-t}/Delta_t) <tanh(l + h_i)>_l .

    The l-integral is a trapezoid rule on a grid of spacing sqrt(beta/N)/2 (the narrowest
    width of the integrand), exponentially accurate for this smooth integrand.

    Accepts: ``n_grid`` None or a value of the kind named above.
    """
    x = check_array("x", x, ndim=2)
    t = _times("t", t, allow_zero=False)
    beta = check_positive("beta", beta)
    N = x.shape[1]
    # sum_j log cosh(l + h_j) is convex in l, so the integrand is never narrower than the
    # Gaussian exp(-N l^2 / 2 beta); its saddle point lies in [-beta, beta]
    width = np.sqrt(beta / N)
    lam_max = beta + 8.0 * width
    if n_grid is None:
        n_grid = int(np.ceil(2 * lam_max / width)) + 1  # trapezoid error ~ exp(-2 pi^2) relative
    n_grid = check_int("n_grid", n_grid, minimum=3)
    lam = np.linspace(-lam_max, lam_max, n_grid)
    d_t = -np.expm1(-2.0 * t)
    h = x * (np.exp(-t) / d_t)
    u = h[:, :, None] + lam[None, None, :]  # (B, N, G)
    abs_u = np.abs(u)
    e = np.exp(-2.0 * abs_u)
    log_cosh = abs_u + np.log1p(e)  # log 2cosh u; the log 2 is a constant
    log_w = log_cosh.sum(axis=1) - N * lam**2 / (2 * beta)  # (B, G)
    w = special.softmax(log_w, axis=1)
    tanh_u = np.copysign((1.0 - e) / (1.0 + e), u)
    mean_spin = np.einsum("bng,bg->bn", tanh_u, w)
    return (np.exp(-t) * mean_spin - x) / d_t


def posterior_mean(x, t, score: Callable) -> np.ndarray:
    """Tweedie's formula for the OU process: E[a | x(t) = x] = e^{t} (x + Delta_t grad log p_t(x)).

    Applied after the last backward step it removes the residual noise of variance Delta_t.

    Accepts: ``score`` a callable.
    """
    x = check_array("x", x, ndim=2)
    t = _times("t", t, allow_zero=False)
    check_callable("score", score)
    return np.exp(t) * (x - np.expm1(-2.0 * t) * np.asarray(score(x, t)))


# ----------------------------------------------------------------------------- samplers
def _check_grid(t_grid):
    t_grid = check_array("t_grid", t_grid, ndim=1)
    if t_grid.size < 2 or np.any(np.diff(t_grid) >= 0) or t_grid[-1] < 0:
        raise ValueError("t_grid must be strictly decreasing forward times >= 0 (from t_f down to t_min), "
                         "with at least 2 entries")
    return t_grid


def backward_sde(score: Callable, x_init, t_grid, seed=0, observe: Callable | None = None) -> dict:
    """Euler-Maruyama for the backward SDE dx/dtau = x + 2 score(x, t) + eta (eq. 17.7).

    ``t_grid`` holds the forward times t_f = t_0 > t_1 > ... > t_K >= 0; the step from t_k to
    t_{k+1} is x <- x + h_k [x + 2 score(x, t_k)] + sqrt(2 h_k) xi with h_k = t_k - t_{k+1}.
    ``x_init`` (B, d) are the samples at t_f (N(0, I) for t_f >> 1). ``observe(x, t)``, if
    given, is recorded at every grid time and returned stacked as ``observed`` (K+1, ...).
    Returns dict ``x`` (B, d), the samples at t_K.

    Accepts: ``seed`` an int >= 0 or a numpy Generator.
    """
    check_callable("score", score)
    check_callable("observe", observe, optional=True)
    x = check_array("x_init", x_init, ndim=2).copy()
    t_grid = _check_grid(t_grid)
    rng = make_rng(seed)

    def step(x, k):
        t, h = t_grid[k], t_grid[k] - t_grid[k + 1]
        return x + h * (x + 2.0 * score(x, t)) + np.sqrt(2.0 * h) * rng.standard_normal(x.shape)

    return _run_backward(x, t_grid, step, observe)


def _run_backward(x, t_grid, step: Callable, observe: Callable | None) -> dict:
    """x <- step(x, k) for k = 0..K-1 along ``t_grid``, with ``observe(x, t)`` recorded at every grid time."""
    record = [] if observe is None else [np.asarray(observe(x, t_grid[0]))]
    for k in range(t_grid.size - 1):
        x = step(x, k)
        if observe is not None:
            record.append(np.asarray(observe(x, t_grid[k + 1])))
    out = {"x": x}
    if observe is not None:
        out["observed"] = np.stack(record)
    return out


def gaussian_backward_exact(x_init, t_grid, var, seed=0) -> np.ndarray:
    """Exact backward sampling for Gaussian data N(0, diag(var)): draw x(s) given x(t), s < t.

    The forward pair is jointly Gaussian, x(t) = e^{-(t-s)} x(s) + sqrt(1 - e^{-2(t-s)}) xi,
    x(s) ~ N(0, Gamma_s), Gamma_s = var e^{-2s} + Delta_s, so
    x(s) | x(t) ~ N(Gamma_s e^{-(t-s)} x(t) / Gamma_t, Gamma_s - Gamma_s^2 e^{-2(t-s)} / Gamma_t):
    no discretisation error at any number of steps.

    Accepts: ``x_init`` a finite array; ``t_grid`` the time grid: an array of times or a (t0, t1, n_steps) tuple;
    ``seed`` an int >= 0 or a numpy Generator.
    """
    x = check_array("x_init", x_init, ndim=2).copy()
    t_grid = _check_grid(t_grid)
    var = np.asarray(check_positive("var", var))
    if var.ndim > 1 or var.size not in (1, x.shape[1]):
        raise ValueError(f"var must be a scalar or have shape ({x.shape[1]},) to match x_init, got {var.shape}")
    rng = make_rng(seed)

    def gamma(s):
        return var * np.exp(-2.0 * s) - np.expm1(-2.0 * s)

    for t, s in zip(t_grid[:-1], t_grid[1:], strict=True):
        g_t, g_s, e = gamma(t), gamma(s), np.exp(-(t - s))
        mean = g_s * e / g_t * x
        cond_var = g_s - g_s**2 * e**2 / g_t
        x = mean + np.sqrt(cond_var) * rng.standard_normal(x.shape)
    return x


def em_gaussian_variance(var, t_grid, var_init=1.0):
    """Variance after Euler-Maruyama backward steps on Gaussian data N(0, var), exactly.

    The discretised dynamics is linear, x' = [1 + h_k (1 - 2/Gamma_{t_k})] x + sqrt(2 h_k) xi,
    so the variance obeys v' = [1 + h_k (1 - 2/Gamma_{t_k})]^2 v + 2 h_k from v = var_init.
    Returns the variance at every grid time, shape (K+1,) (or (K+1, d) for array ``var``).

    Accepts: ``t_grid`` the time grid: an array of times or a (t0, t1, n_steps) tuple.
    """
    var = np.asarray(check_positive("var", var))
    t_grid = _check_grid(t_grid)
    var_init = check_positive("var_init", var_init)
    v = np.broadcast_to(np.asarray(var_init, dtype=float), var.shape).copy()
    out = [v.copy()]
    for t, t_next in zip(t_grid[:-1], t_grid[1:], strict=True):
        h = t - t_next
        g = var * np.exp(-2.0 * t) - np.expm1(-2.0 * t)
        v = (1.0 + h * (1.0 - 2.0 / g)) ** 2 * v + 2.0 * h
        out.append(v.copy())
    return np.stack(out)


# ------------------------------------------------------------------ speciation, collapse
def speciation_time(Lambda):
    """t_S = (1/2) log Lambda, Lambda the largest eigenvalue of the data covariance.

    At t_S the signal along the top principal direction, sqrt(Lambda) e^{-t}, becomes as large
    as the unit noise: above it the classes of the data are not yet told apart.
    """
    Lambda = check_positive("Lambda", Lambda)
    if np.any(np.asarray(Lambda) <= 1):
        raise ValueError(f"Lambda must be > 1 for a speciation transition (t_S > 0), got {Lambda!r}")
    return 0.5 * np.log(Lambda)


def commitment_probability(t, q0, weights=None):
    """c(t) = E[Phi(|q_0| e^{-t} / sqrt(Delta_t))]: the probability that sign q(t) = sign q(0).

    q is the projection of x on the direction that separates the classes, q(t) =
    q_0 e^{-t} + sqrt(Delta_t) xi along the forward process; conditioned on q_0 the sign is kept
    with probability Phi(|q_0| e^{-t}/sqrt(Delta_t)). ``q0`` are values of the projected data
    (quadrature nodes or samples) with ``weights`` (uniform if None). An exact reverse process
    reproduces this joint law, so c(t) is also the fraction of backward trajectories whose
    class read at time t is their final class. Returns an array of the shape of ``t``.
    """
    t = np.asarray(_times("t", t, allow_zero=False), dtype=float)
    q0 = check_array("q0", q0, ndim=1)
    if weights is None:
        weights = np.full(q0.size, 1.0 / q0.size)
    weights = check_probabilities("weights", check_array("weights", weights, shape=q0.shape))
    snr = np.abs(q0) * (np.exp(-t) / np.sqrt(-np.expm1(-2.0 * t)))[..., None]
    return stats.norm.cdf(snr) @ weights


def collapse_time(n, d):
    """t_C = -(1/2) log(1 - n^{-2/d}): collapse onto the training set for N(0, I_d) data.

    The empirical law noised to time t is n Gaussians of variance Delta_t; they stop
    overlapping when their total volume n Delta_t^{d/2} drops below that of the exact
    p_t = N(0, I), i.e. at Delta_{t_C} = n^{-2/d} (leading order at large d, log n / d fixed).
    """
    n = np.asarray(check_positive("n", n))
    d = np.asarray(check_positive("d", d))
    if np.any(n < 2):
        raise ValueError(f"n must be >= 2 training points, got {n!r}")
    return -0.5 * np.log1p(-(n ** (-2.0 / d)))


# ------------------------------------------------- general f(t), g(t) forward processes
_SCHEDULES = ("ou", "ve", "vp")


def _schedule_args(kind, beta_min, beta_max):
    if not isinstance(kind, str) or kind not in _SCHEDULES:
        raise ValueError(f"kind must be one of {_SCHEDULES}, got {kind!r}")
    beta_min = check_positive("beta_min", beta_min)
    beta_max = check_positive("beta_max", beta_max)
    if np.ndim(beta_min) or np.ndim(beta_max):
        raise ValueError("beta_min and beta_max must be scalars")
    if beta_max < beta_min:
        raise ValueError(f"beta_max must be >= beta_min = {beta_min}, got {beta_max}")
    return kind, float(beta_min), float(beta_max)


def schedule(kind: str, t, beta_min: float = 0.1, beta_max: float = 20.0) -> dict:
    """Coefficients of the forward process dx/dt = f(t) x + g(t) eta, <eta eta> = 2 delta (eq. 16.12).

    Its solution from x(0) = a is x(t) = s(t) [a + sigma(t) z] with s = exp(int_0^t f) and
    sigma^2 = 2 int_0^t (g/s)^2 (eq. 16.14). ``kind``:

    - ``"ou"``: f = -1, g = 1 (the lecture's OU process): s = e^{-t}, sigma^2 = e^{2t} - 1;
    - ``"ve"`` (variance exploding, Brownian motion): f = 0, g = 1: s = 1, sigma^2 = 2t;
    - ``"vp"`` (variance preserving, Song et al.'s linear beta): beta(t) = beta_min + (beta_max -
      beta_min) t, f = -beta/2, g = sqrt(beta/2): s = e^{-B/2}, sigma^2 = e^{B} - 1 with
      B(t) = int_0^t beta = beta_min t + (beta_max - beta_min) t^2 / 2, so s^2 (1 + sigma^2) = 1.

    ``beta_min``, ``beta_max`` (> 0, beta_max >= beta_min) are used by "vp" only. Returns dict
    ``f``, ``g``, ``s``, ``sigma2`` of the shape of ``t`` (forward times >= 0).
    """
    kind, b0, b1 = _schedule_args(kind, beta_min, beta_max)
    t = np.asarray(_times("t", t), dtype=float)
    one = np.ones_like(t)
    if kind == "ou":
        f, g, s, sigma2 = -one, one, np.exp(-t), np.expm1(2.0 * t)
    elif kind == "ve":
        f, g, s, sigma2 = 0.0 * one, one, one, 2.0 * t
    else:
        beta = b0 + (b1 - b0) * t
        B = b0 * t + 0.5 * (b1 - b0) * t**2
        f, g, s, sigma2 = -0.5 * beta, np.sqrt(0.5 * beta), np.exp(-0.5 * B), np.expm1(B)
    out = {"f": f, "g": g, "s": s, "sigma2": sigma2}
    return {k: (float(v) if t.ndim == 0 else v) for k, v in out.items()}


def schedule_time(kind: str, sigma2, beta_min: float = 0.1, beta_max: float = 20.0):
    """The forward time t at which sigma^2(t) (eq. 16.14) reaches ``sigma2``: the inverse of :func:`schedule`.

    ou: t = (1/2) log(1 + sigma^2); ve: t = sigma^2 / 2; vp: B(t) = log(1 + sigma^2) solved for t,
    t = [-beta_min + sqrt(beta_min^2 + 2 (beta_max - beta_min) B)] / (beta_max - beta_min).
    The speciation time of a schedule is t_S = schedule_time(kind, Lambda): the class signal
    s sqrt(Lambda) along the top principal direction meets the noise s sigma.

    Accepts: ``sigma2`` a number or array >= 0; ``beta_min``, ``beta_max`` as in :func:`schedule`.
    """
    kind, b0, b1 = _schedule_args(kind, beta_min, beta_max)
    sigma2 = check_positive("sigma2", check_array("sigma2", sigma2), allow_zero=True)
    log1p = np.log1p(sigma2)
    if kind == "ou":
        t = 0.5 * log1p
    elif kind == "ve":
        t = 0.5 * np.asarray(sigma2)
    elif b1 == b0:
        t = log1p / b0
    else:
        t = 2.0 * log1p / (b0 + np.sqrt(b0**2 + 2.0 * (b1 - b0) * log1p))  # the root, without cancellation
    return float(t) if np.ndim(t) == 0 else t


def schedule_backward(score: Callable, x_init, t_grid, kind: str, beta_min: float = 0.1, beta_max: float = 20.0,
                      method: str = "sde", seed=0, observe: Callable | None = None) -> dict:
    """Backward process of the forward dx/dt = f x + g eta (eq. 16.12): the reverse SDE or the probability-flow ODE.

    ``method="sde"``: Euler-Maruyama for dx/dtau = -f x + 2 g^2 score + g eta (the force of eq. 17.7
    with the drift and noise strength of the schedule; f = -1, g = 1 gives :func:`backward_sde`),
    x <- x + h [-f x + 2 g^2 score(x, t)] + g sqrt(2 h) xi, with f, g at t_k.
    ``method="ode"``: Heun (second order) for the probability-flow ODE dx/dtau = -f x + g^2 score,
    which has the same marginals p_t as the SDE but no noise.
    ``score(x, t)`` is grad log p_t at forward time t; ``t_grid`` decreasing forward times;
    ``kind``, ``beta_min``, ``beta_max`` as in :func:`schedule`; ``x_init`` (B, d) samples of p_{t_f};
    ``seed`` the noise (sde only); ``observe(x, t)`` recorded at every grid time as in
    :func:`backward_sde`. Returns dict ``x`` (and ``observed``).
    """
    check_callable("score", score)
    check_callable("observe", observe, optional=True)
    kind, b0, b1 = _schedule_args(kind, beta_min, beta_max)
    if not isinstance(method, str) or method not in ("sde", "ode"):
        raise ValueError(f"method must be 'sde' or 'ode', got {method!r}")
    x = check_array("x_init", x_init, ndim=2).copy()
    t_grid = _check_grid(t_grid)
    rng = make_rng(seed)
    coef = schedule(kind, t_grid, b0, b1)
    f, g2 = coef["f"], coef["g"] ** 2

    def step(x, k):
        t, t_next = t_grid[k], t_grid[k + 1]
        h = t - t_next
        if method == "sde":
            return (x + h * (-f[k] * x + 2.0 * g2[k] * score(x, t))
                    + np.sqrt(2.0 * g2[k] * h) * rng.standard_normal(x.shape))
        v0 = -f[k] * x + g2[k] * score(x, t)
        x_pred = x + h * v0
        v1 = -f[k + 1] * x_pred + g2[k + 1] * score(x_pred, t_next)
        return x + 0.5 * h * (v0 + v1)

    return _run_backward(x, t_grid, step, observe)
