"""Stochastic interpolants: schedules, exact velocity and score for Gaussian-mixture targets,
ODE and SDE samplers, and the energy distance to measure sample quality (recitation 11).

Notation of the notes: I_t = alpha_t x0 + beta_t x1 + gamma_t z with alpha_0 = beta_1 = 1,
alpha_1 = beta_0 = 0, gamma_0 = gamma_1 = 0, z ~ N(0, I) independent of (x0, x1). The velocity
b_t(x) = E[dI_t/dt | I_t = x] transports p_0 to p_1 (dX/dt = b_t(X)); with the score
s_t = grad log p_t = -E[z | I_t = x] / gamma_t the SDE dX = (b_t + eps_t s_t) dt + sqrt(2 eps_t) dW
has the same marginals for any eps_t >= 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import special
from scipy.spatial.distance import cdist

from .seeding import make_rng
from .validation import check_array, check_callable, check_int, check_positive, check_probabilities, check_real

__all__ = [
    "Schedule",
    "schedule",
    "interpolate",
    "exact_velocity_gaussian_mixture",
    "exact_score_gaussian_mixture",
    "ode_sample",
    "sde_sample",
    "energy_distance",
    "score_from_velocity",
]


@dataclass(frozen=True)
class Schedule:
    """alpha_t, beta_t, gamma_t of an interpolant and their time derivatives (vectorised over t).

    ``name`` a label; ``alpha``, ``beta``, ``gamma``, ``dalpha``, ``dbeta``, ``dgamma`` callables of
    an array of times t in [0, 1].
    """

    name: str
    alpha: Callable
    beta: Callable
    gamma: Callable
    dalpha: Callable
    dbeta: Callable
    dgamma: Callable

    def __post_init__(self):
        for field in ("alpha", "beta", "gamma", "dalpha", "dbeta", "dgamma"):
            check_callable(field, getattr(self, field))

    def coefficients(self, t):
        """(alpha, beta, gamma, dalpha, dbeta, dgamma) at time(s) t in [0, 1] (a number or a non-empty array)."""
        t = check_array("t", t)
        if np.any((t < 0) | (t > 1)):
            raise ValueError(f"t must lie in [0, 1], got {t!r}")
        return tuple(np.asarray(f(t), dtype=float) for f in
                     (self.alpha, self.beta, self.gamma, self.dalpha, self.dbeta, self.dgamma))


def schedule(kind: str = "linear", noise: float = 0.0) -> Schedule:
    """Interpolant schedule with the boundary conditions of eq. (11.5).

    ``kind="linear"``: alpha = 1 - t, beta = t; ``kind="trig"``: alpha = cos(pi t/2),
    beta = sin(pi t/2). The latent noise is gamma_t = noise * t (1 - t) (zero at both ends).
    """
    noise = check_positive("noise", noise, allow_zero=True)
    if np.ndim(noise):
        raise ValueError("noise must be a scalar")
    gamma, dgamma = (lambda t: noise * t * (1 - t)), (lambda t: noise * (1 - 2 * t))
    if kind == "linear":
        return Schedule("linear", lambda t: 1 - t, lambda t: t, gamma,
                        lambda t: -np.ones_like(t), lambda t: np.ones_like(t), dgamma)
    if kind == "trig":
        h = np.pi / 2
        return Schedule("trig", lambda t: np.cos(h * t), lambda t: np.sin(h * t), gamma,
                        lambda t: -h * np.sin(h * t), lambda t: h * np.cos(h * t), dgamma)
    raise ValueError(f"kind must be 'linear' or 'trig', got {kind!r}")


def interpolate(x0, x1, z, t, sched: Schedule):
    """(I_t, dI_t/dt) = (alpha x0 + beta x1 + gamma z, alpha' x0 + beta' x1 + gamma' z), eq. (11.3).

    ``x0, x1, z`` have shape (B, d); ``t`` is a scalar or (B,).

    Accepts: ``sched`` a Schedule from :func:`schedule`.
    """
    sched = _check_schedule(sched)
    x0 = check_array("x0", x0, ndim=2)
    x1 = check_array("x1", x1, shape=x0.shape)
    z = check_array("z", z, shape=x0.shape)
    t = check_array("t", t)
    if t.ndim not in (0, 1) or (t.ndim == 1 and t.shape[0] != x0.shape[0]):
        raise ValueError(f"t must be a scalar or have shape ({x0.shape[0]},), got shape {t.shape}")
    a, b, g, da, db, dg = (c[:, None] if c.ndim == 1 else c for c in sched.coefficients(t))
    return a * x0 + b * x1 + g * z, da * x0 + db * x1 + dg * z


def _check_schedule(sched) -> Schedule:
    if not isinstance(sched, Schedule):
        raise TypeError(f"sched must be a Schedule (see schedule()), got {type(sched).__name__}")
    return sched


def _mixture(x, t, sched, weights, means, stds):
    sched = _check_schedule(sched)
    x = check_array("x", x, ndim=2)
    means = check_array("means", means, ndim=2)
    if means.shape[1] != x.shape[1]:
        raise ValueError(f"means must have shape (K, {x.shape[1]}) to match x, got {means.shape}")
    K = means.shape[0]
    weights = check_probabilities("weights", check_array("weights", weights, shape=(K,)))
    stds = check_positive("stds", check_array("stds", stds, shape=(K,)))
    t = check_real("t", t)
    a, b, g, da, db, dg = sched.coefficients(t)
    m = b * means  # (K, d): mean of I_t given component k
    c = a**2 + b**2 * stds**2 + g**2  # (K,): its variance per coordinate
    cov = a * da + b * db * stds**2 + g * dg  # (K,): Cov(dI/dt, I_t) per coordinate
    d = x.shape[1]
    sq = np.sum((x[:, None, :] - m[None]) ** 2, axis=2)  # (B, K)
    with np.errstate(divide="ignore"):
        logits = np.log(weights) - 0.5 * sq / c - 0.5 * d * np.log(c)
    r = special.softmax(logits, axis=1)
    return x, m, c, cov, r, db * means


def exact_velocity_gaussian_mixture(x, t, sched: Schedule, weights, means, stds):
    """b_t(x) = E[dI/dt | I_t = x] for x0 ~ N(0, I), x1 ~ sum_k w_k N(mu_k, s_k^2 I), independent.

    Given component k, (I_t, dI/dt) is jointly Gaussian: I_t ~ N(beta mu_k, c_k I) with
    c_k = alpha^2 + beta^2 s_k^2 + gamma^2 and Cov(dI/dt, I_t) = (alpha alpha' + beta beta' s_k^2
    + gamma gamma') I, so b_t(x) = sum_k r_k(x) [beta' mu_k + Cov_k / c_k (x - beta mu_k)] with
    r_k(x) the posterior probability of component k (eq. 11.13).

    Accepts: ``t`` a finite number; ``sched`` a Schedule from :func:`schedule`; ``weights`` mixture weights, >= 0 and
    summing to 1; ``means`` a finite array; ``stds`` a finite array > 0.
    """
    x, m, c, cov, r, drift = _mixture(x, t, sched, weights, means, stds)
    per_k = drift[None] + (cov / c)[None, :, None] * (x[:, None, :] - m[None])
    return np.einsum("bk,bkd->bd", r, per_k)


def exact_score_gaussian_mixture(x, t, sched: Schedule, weights, means, stds):
    """grad log p_t(x) = -sum_k r_k(x) (x - beta mu_k) / c_k for the same interpolant (eq. 11.32).

    Equal to -E[z | I_t = x] / gamma_t when gamma_t > 0 (and defined at gamma_t = 0 too).

    Accepts: ``t`` a finite number; ``sched`` a Schedule from :func:`schedule`; ``weights`` mixture weights, >= 0 and
    summing to 1; ``means`` a finite array; ``stds`` a finite array > 0.
    """
    x, m, c, cov, r, drift = _mixture(x, t, sched, weights, means, stds)
    return -np.einsum("bk,bkd->bd", r / c[None], x[:, None, :] - m[None])


def _check_sampler(x0, n_steps):
    return check_array("x0", x0, ndim=2).copy(), check_int("n_steps", n_steps, minimum=1)


def ode_sample(velocity: Callable, x0, n_steps: int, method: str = "heun"):
    """Integrate dX/dt = b_t(X) from t = 0 to 1 (eq. 11.17) with n_steps uniform steps.

    ``method="euler"`` (first order) or ``"heun"`` (second order, two velocity calls a step).
    ``velocity(x, t)`` maps (B, d) and a scalar t to (B, d). Returns X_1 (B, d).

    Accepts: ``x0`` a finite array.
    """
    velocity = check_callable("velocity", velocity)
    x, n_steps = _check_sampler(x0, n_steps)
    if method not in ("euler", "heun"):
        raise ValueError(f"method must be 'euler' or 'heun', got {method!r}")
    h = 1.0 / n_steps
    for k in range(n_steps):
        t = k * h
        v = velocity(x, t)
        if method == "euler":
            x = x + h * v
        else:
            x_pred = x + h * v
            x = x + 0.5 * h * (v + velocity(x_pred, t + h))
    return x


def sde_sample(velocity: Callable, score: Callable, x0, n_steps: int, eps, seed=0):
    """Euler-Maruyama for dX = [b_t(X) + eps_t s_t(X)] dt + sqrt(2 eps_t) dW from t = 0 to 1 (eq. 11.24).

    ``eps`` is a constant >= 0 or a function of t. The last step is taken without noise
    when eps_1 = 0. Returns X_1 (B, d).

    Accepts: ``velocity`` a callable; ``score`` a callable; ``x0`` a finite array; ``n_steps`` an integer >= 1;
    ``seed`` an int >= 0 or a numpy Generator.
    """
    velocity, score = check_callable("velocity", velocity), check_callable("score", score)
    x, n_steps = _check_sampler(x0, n_steps)
    if not callable(eps):
        e = check_positive("eps", eps, allow_zero=True)
        eps_fn = lambda t: e  # noqa: E731 - a constant schedule
    else:
        eps_fn = eps
    rng = make_rng(seed)
    h = 1.0 / n_steps
    for k in range(n_steps):
        t = k * h
        e_t = float(eps_fn(t))
        if e_t < 0:
            raise ValueError(f"eps must be >= 0 at every time, got {e_t} at t = {t}")
        drift = velocity(x, t) + (e_t * score(x, t) if e_t > 0 else 0.0)
        x = x + h * drift + np.sqrt(2 * e_t * h) * rng.standard_normal(x.shape)
    return x


def energy_distance(x, y) -> float:
    """Squared energy distance D^2 = 2 E|X - Y| - E|X - X'| - E|Y - Y'| between two samples.

    V-statistic over all pairs (the square of ``scipy.stats.energy_distance`` in 1-D); zero
    iff the laws coincide, so it measures sample quality against held-out data.

    Accepts: ``x`` a finite array; ``y`` a finite array.
    """
    x = check_array("x", x, ndim=2)
    y = check_array("y", y, ndim=2)
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"x and y must have the same dimension, got {x.shape[1]} and {y.shape[1]}")
    return float(2 * cdist(x, y).mean() - cdist(x, x).mean() - cdist(y, y).mean())


def score_from_velocity(b, x, t, sched: Schedule):
    """grad log p_t(x) from the velocity b_t(x), for a N(0, I) base independent of x1 (eqs. 11.13, 11.32).

    With w = alpha x0 + gamma z ~ N(0, (alpha^2 + gamma^2) I) the two relations
    x = E[w | x] + beta E[x1 | x] and b = (alpha alpha' + gamma gamma') / (alpha^2 + gamma^2) E[w | x]
    + beta' E[x1 | x] give E[w | x], and the score is -E[w | x] / (alpha^2 + gamma^2):

        grad log p_t(x) = -(beta b - beta' x) / (beta (alpha alpha' + gamma gamma') - beta' (alpha^2 + gamma^2)).

    For gamma = 0 and the linear schedule this is (t b - x) / (1 - t). ``b`` and ``x`` have shape
    (B, d); ``t`` a time where the denominator is nonzero (t < 1 for the schedules of :func:`schedule`);
    ``sched`` the interpolant's Schedule.

    Accepts: ``b`` a finite array; ``x`` a finite array; ``t`` a finite number in [0, 1].
    """
    sched = _check_schedule(sched)
    x = check_array("x", x, ndim=2)
    b = check_array("b", b, shape=x.shape)
    t = check_real("t", t)
    a, be, g, da, db, dg = (float(c) for c in sched.coefficients(t))
    den = be * (a * da + g * dg) - db * (a**2 + g**2)
    if abs(den) < 1e-12:
        raise ValueError(f"t = {t}: the score cannot be read off the velocity here (beta (alpha alpha' + gamma "
                         "gamma') = beta' (alpha^2 + gamma^2), e.g. at t = 1)")
    return -(be * b - db * x) / den
