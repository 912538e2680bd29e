"""Stochastic differential equations dX_t = mu_t(X_t) dt + sigma_t(X_t) dW_t: Brownian motion,
the Euler-Maruyama scheme, the Fokker-Planck equation, the Ornstein-Uhlenbeck process and
its time reversal.

Conventions follow the SDE recitation and Mezard's lectures: Euler-Maruyama
X_{t+h} = X_t + h mu_t(X_t) + sigma_t(X_t) (W_{t+h} - W_t), Fokker-Planck
d_t p = -div(mu p) + (1/2) Laplacian(sigma^2 p), Ornstein-Uhlenbeck dx = -kappa x dt + sigma dW
with x_t = e^{-kappa t} x_0 + sigma sqrt((1 - e^{-2 kappa t}) / (2 kappa)) z.

Shapes: a batch of paths x0 is (B,) (scalar SDE) or (B, d); paths are returned as (n_t, B)
or (n_t, B, d) with time first. ``drift`` and ``diffusion`` are callables f(x, t) returning an
array broadcastable to x (diagonal noise), or plain numbers for constant coefficients.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import linalg

from .seeding import make_rng
from .validation import check_array, check_callable, check_int, check_positive

__all__ = [
    "SQRT2",
    "time_grid",
    "brownian_motion",
    "euler_maruyama",
    "fokker_planck_1d",
    "ou_marginal",
    "ou_em_moments",
    "ou_gmm_score",
    "ou_reverse_sde",
    "em_strong_error",
    "convergence_order",
]

#: the noise amplitude of Mezard's convention dx = F dt + sqrt(2) dW (temperature 1)
SQRT2 = float(np.sqrt(2.0))


# ------------------------------------------------------------------------ time and noise
def time_grid(t_grid) -> np.ndarray:
    """The time points t_0 < t_1 < ... < t_n from an increasing 1-D array or a tuple (t0, t1, n_steps).

    Accepts: ``t_grid`` the time grid: an array of times or a (t0, t1, n_steps) tuple.
    """
    if isinstance(t_grid, tuple) and len(t_grid) == 3:
        t0, t1, n = t_grid
        n = check_int("t_grid: n_steps", n, minimum=1)
        t0 = float(check_array("t_grid: t0", t0, ndim=0))
        t1 = float(check_array("t_grid: t1", t1, ndim=0))
        if not t1 > t0:
            raise ValueError(f"t_grid must run forward in time (t1 > t0), got t0={t0}, t1={t1}")
        return np.linspace(t0, t1, n + 1)
    t = check_array("t_grid", t_grid, ndim=1)
    if t.size < 2 or np.any(np.diff(t) <= 0):
        raise ValueError("t_grid must be a strictly increasing array of at least 2 times, "
                         "or (t0, t1, n_steps)")
    return t


def _coefficient(name: str, f, x, t):
    """Evaluate a drift/diffusion callable f(x, t) (or a constant) and check it broadcasts to x."""
    if callable(f):
        value = np.asarray(f(x, t), dtype=float)
        if not np.all(np.isfinite(value)):
            raise ValueError(f"{name}(x, t) returned nan or inf at t = {t:.6g}")
    else:
        value = check_array(name, f)
    try:
        np.broadcast_shapes(value.shape, x.shape)
    except ValueError:
        raise ValueError(f"{name}(x, t) must return an array broadcastable to x {x.shape}, "
                         f"got {value.shape}") from None
    return value


def brownian_motion(n_paths: int, t_grid, dim: int | None = None, seed: int = 0) -> dict:
    """Brownian paths W_t: W_0 = 0 and independent increments W_{t+h} - W_t ~ N(0, h I).

    Returns dict ``t`` (n_t,) and ``W`` (n_t, n_paths) or (n_t, n_paths, dim).

    Accepts: ``t_grid`` the time grid: an array of times or a (t0, t1, n_steps) tuple; ``seed`` an int >= 0 or a
    numpy Generator.
    """
    n_paths = check_int("n_paths", n_paths, minimum=1)
    t = time_grid(t_grid)
    shape = (n_paths,) if dim is None else (n_paths, check_int("dim", dim, minimum=1))
    rng = make_rng(seed)
    dW = np.sqrt(np.diff(t)).reshape((-1,) + (1,) * len(shape)) * rng.standard_normal((t.size - 1,) + shape)
    W = np.concatenate([np.zeros((1,) + shape), np.cumsum(dW, axis=0)])
    return {"t": t, "W": W}


# -------------------------------------------------------------------------- integrator
def euler_maruyama(drift, diffusion, x0, t_grid, seed: int = 0, dW=None, return_path: bool = True) -> dict:
    """Euler-Maruyama paths X_{t+h} = X_t + h mu_t(X_t) + sigma_t(X_t) (W_{t+h} - W_t), all paths at once.

    ``drift(x, t)`` and ``diffusion(x, t)`` return arrays broadcastable to x (the noise is
    diagonal: each coordinate gets its own Brownian motion) or are constants; ``x0`` is (B,)
    or (B, d). ``dW`` (n_steps, *x0.shape) supplies the Brownian increments (to compare step
    sizes on the same Brownian path); otherwise they are drawn from ``seed``.
    Returns dict ``t`` (n_t,) and ``x``: (n_t, *x0.shape) if ``return_path`` else the final x.

    Accepts: ``t_grid`` the time grid: an array of times or a (t0, t1, n_steps) tuple.
    """
    x = check_array("x0", x0, ndim=(1, 2)).copy()
    t = time_grid(t_grid)
    h = np.diff(t)
    rng = make_rng(seed)
    if dW is not None:
        dW = check_array("dW", dW, shape=(h.size,) + x.shape)
    path = np.empty((t.size,) + x.shape) if return_path else None
    if return_path:
        path[0] = x
    for n in range(h.size):
        mu = _coefficient("drift", drift, x, t[n])
        sig = _coefficient("diffusion", diffusion, x, t[n])
        # increments drawn step by step: memory O(paths), not O(steps x paths)
        dWn = dW[n] if dW is not None else np.sqrt(h[n]) * rng.standard_normal(x.shape)
        x = x + h[n] * mu + sig * dWn
        if return_path:
            path[n + 1] = x
    return {"t": t, "x": path if return_path else x}


# ---------------------------------------------------------------------- Fokker-Planck
def fokker_planck_1d(drift, diffusion, p0, x, t_grid) -> dict:
    """Finite-volume Crank-Nicolson solution of d_t p = -d_x(mu p) + (1/2) d_xx(sigma^2 p) on a 1-D grid.

    ``x`` is a uniform grid wide enough that p is negligible at its ends (zero-flux walls,
    so the total mass sum(p) dx is conserved exactly); ``p0`` the initial density on it;
    ``drift(x, t)`` and ``diffusion(x, t)`` the SDE's mu and sigma (callables or constants).
    Second order in dx and dt. Returns dict ``t`` (n_t,) and ``p`` (n_t, n_x).

    Accepts: ``t_grid`` the time grid: an array of times or a (t0, t1, n_steps) tuple.
    """
    x = check_array("x", x, ndim=1)
    if x.size < 3:
        raise ValueError(f"x must have at least 3 grid points, got {x.size}")
    dx = np.diff(x)
    if np.any(dx <= 0) or not np.allclose(dx, dx[0], rtol=1e-8):
        raise ValueError("x must be a uniform, increasing grid")
    dx = float(dx[0])
    p = check_positive("p0", check_array("p0", p0, shape=(x.size,)), allow_zero=True).astype(float)
    t = time_grid(t_grid)
    xm = 0.5 * (x[1:] + x[:-1])
    n = x.size

    def operator(time):
        """Banded (3, n) form of L with d_t p = L p; columns sum to 0 (mass conservation)."""
        mu = np.broadcast_to(_coefficient("drift", drift, xm, time), xm.shape)
        D = 0.5 * np.broadcast_to(_coefficient("diffusion", diffusion, x, time), x.shape) ** 2
        a = (0.5 * mu + D[:-1] / dx) / dx  # flux J_{i+1/2} = dx (a_i p_i + b_i p_{i+1})
        b = (0.5 * mu - D[1:] / dx) / dx
        band = np.zeros((3, n))
        band[1, :-1] -= a       # L[i, i]     -= a_i
        band[0, 1:] -= b        # L[i, i+1]   -= b_i
        band[2, :-1] += a       # L[i+1, i]   += a_i
        band[1, 1:] += b        # L[i+1, i+1] += b_i
        return band

    def apply(band, v):
        out = band[1] * v
        out[:-1] += band[0, 1:] * v[1:]
        out[1:] += band[2, :-1] * v[:-1]
        return out

    out = np.empty((t.size, n))
    out[0] = p
    L_old = operator(t[0])
    for k in range(t.size - 1):
        h = t[k + 1] - t[k]
        L_new = operator(t[k + 1])
        rhs = p + 0.5 * h * apply(L_old, p)
        lhs = -0.5 * h * L_new
        lhs[1] += 1.0
        p = linalg.solve_banded((1, 1), lhs, rhs)
        out[k + 1] = p
        L_old = L_new
    return {"t": t, "p": out}


# ------------------------------------------------------------------ Ornstein-Uhlenbeck
def _ou_params(kappa, sigma):
    kappa = check_positive("kappa", kappa)
    sigma = check_positive("sigma", sigma)
    return kappa, sigma


def ou_marginal(x0, t, kappa=1.0, sigma=SQRT2):
    """Exact OU law from x0: mean e^{-kappa t} x0, variance sigma^2 (1 - e^{-2 kappa t}) / (2 kappa).

    OU is dx = -kappa x dt + sigma dW. Broadcasts over x0 and t (t >= 0); the t -> infinity
    limit is the stationary law N(0, sigma^2 / (2 kappa)), N(0, 1) with the default
    kappa = 1, sigma = sqrt(2).
    Returns (mean, var).
    """
    x0 = check_array("x0", x0)
    t = check_positive("t", t, allow_zero=True)
    kappa, sigma = _ou_params(kappa, sigma)
    decay = np.exp(-kappa * np.asarray(t))
    return decay * x0, sigma**2 * (1.0 - decay**2) / (2.0 * kappa)


def ou_em_moments(x0, kappa, sigma, h, n_steps):
    """Exact mean and variance of the Euler-Maruyama chain x_{n+1} = (1 - kappa h) x_n + sigma sqrt(h) z_n.

    mean a^n x0 and variance sigma^2 h (1 - a^{2n}) / (1 - a^2) with a = 1 - kappa h; the
    differences from :func:`ou_marginal` at t = n h are the scheme's weak error, O(h).
    Needs 0 < kappa h < 2 (the scheme is unstable beyond).

    Accepts: ``n_steps`` an integer >= 1.
    """
    x0 = check_array("x0", x0)
    kappa, sigma = _ou_params(kappa, sigma)
    h = check_positive("h", h)
    n_steps = check_int("n_steps", n_steps, minimum=0)
    a = 1.0 - kappa * h
    if not abs(a) < 1.0:
        raise ValueError(f"h must satisfy 0 < kappa h < 2 for a stable scheme, got kappa h = {kappa * h}")
    return a**n_steps * x0, sigma**2 * h * (1.0 - a ** (2 * n_steps)) / (1.0 - a**2)


def ou_gmm_score(x, t, weights, means, stds, kappa=1.0, sigma=SQRT2) -> np.ndarray:
    """Exact score grad log p_t(x) when OU noises the mixture p_0 = sum_k w_k N(mu_k, s_k^2 I).

    x_t = e^{-kappa t} x_0 + sqrt(v_t) z, so p_t is the mixture with means e^{-kappa t} mu_k and
    stds e^{-kappa t} s_k convolved with N(0, v_t I), v_t = sigma^2 (1 - e^{-2 kappa t}) / (2 kappa):
    :func:`course_utils.denoise.gmm_score` with noise level sqrt(v_t). ``x`` (B, d), ``t`` > 0.

    Accepts: ``weights`` mixture weights, >= 0 and summing to 1.
    """
    from .denoise import _check_mixture, _gmm_score

    x = check_array("x", x, ndim=2)
    means = check_array("means", means, ndim=2)
    stds = check_positive("stds", check_array("stds", stds, ndim=1), allow_zero=True)
    kappa, sigma = _ou_params(kappa, sigma)
    t = check_positive("t", t)
    if np.ndim(t):
        raise ValueError("t must be a scalar time > 0")
    weights = _check_mixture(weights, means, stds, x.shape[1])
    decay = np.exp(-kappa * t)
    v = sigma**2 * (1.0 - decay**2) / (2.0 * kappa)
    # denoise.gmm_score at noise level sqrt(v) without checking the arrays a second time (it runs at every SDE step)
    return _gmm_score(x, weights, decay * means, decay * stds, float(check_positive("sigma", np.sqrt(v))))


def ou_reverse_sde(score: Callable, y0, T, n_steps, kappa=1.0, sigma=SQRT2, alpha=1.0,
                   t_min=1e-3, seed=0, return_path=False) -> dict:
    """Reverse OU dy = [kappa y + (1 + alpha) sigma^2/2 grad log p_{T-tau}(y)] dtau + sqrt(alpha) sigma dW.

    Reverse time tau = T - t goes from 0 to T - t_min by Euler-Maruyama. ``score(x, t)`` is
    grad log p_t of the forward process at forward time t. alpha = 1 is the standard reverse
    SDE, alpha = 0 the probability-flow ODE; every alpha >= 0 transports p_T back to p_{t_min}.
    Returns dict ``t`` (forward times, decreasing from T) and ``x`` (final, or path if asked).

    Accepts: ``y0`` a finite array; ``n_steps`` an integer >= 1; ``seed`` an int >= 0; ``return_path`` bool.
    """
    score = check_callable("score", score)
    y0 = check_array("y0", y0)
    kappa, sigma = _ou_params(kappa, sigma)
    T = check_positive("T", T)
    t_min = check_positive("t_min", t_min)
    if not t_min < T:
        raise ValueError(f"t_min must be < T, got t_min={t_min}, T={T}")
    alpha = check_positive("alpha", alpha, allow_zero=True)
    n_steps = check_int("n_steps", n_steps, minimum=1)

    def drift(y, tau):
        return kappa * y + 0.5 * (1.0 + alpha) * sigma**2 * score(y, T - tau)

    out = euler_maruyama(drift, np.sqrt(alpha) * sigma, y0, (0.0, T - t_min, n_steps), seed=seed,
                         return_path=return_path)
    return {"t": T - out["t"], "x": out["x"]}


# ------------------------------------------------------------------------ convergence
def em_strong_error(drift, diffusion, x0, T, n_steps_list, n_paths=1000, seed=0, exact=None,
                    refine=8) -> dict:
    """Strong error E|X_T^h - X_T| of Euler-Maruyama for several step numbers, on shared Brownian paths.

    All step sizes h = T / n use the same Brownian paths (fine increments summed in blocks).
    The reference X_T is ``exact(x0, W_T)`` when the SDE has a closed-form pathwise solution
    (e.g. geometric Brownian motion), else Euler-Maruyama with ``refine`` times the finest step.
    ``drift`` and ``diffusion`` are callables f(x, t) or constants (as in :func:`euler_maruyama`);
    ``x0`` is a scalar start shared by all paths; ``T`` > 0; ``n_steps_list`` integers >= 1 that
    divide the largest; ``n_paths`` >= 2; ``seed`` an int >= 0; ``refine`` >= 1. Returns dict ``h``,
    ``error`` and ``se`` (its standard error over paths).
    """
    x0 = float(check_array("x0", x0, ndim=0))
    T = check_positive("T", T)
    n_paths = check_int("n_paths", n_paths, minimum=2)
    refine = check_int("refine", refine, minimum=1)
    steps = np.atleast_1d(np.asarray(n_steps_list))
    if steps.ndim != 1 or steps.dtype.kind not in "iu" or np.any(steps < 1):
        raise ValueError(f"n_steps_list must be a 1-D list of integers >= 1, got {n_steps_list!r}")
    n_fine = int(steps.max()) * (1 if exact is not None else refine)
    if np.any(n_fine % steps):
        raise ValueError("every entry of n_steps_list must divide the largest one")
    rng = make_rng(seed)
    dW = np.sqrt(T / n_fine) * rng.standard_normal((n_fine, n_paths))
    start = np.full(n_paths, x0)
    if exact is not None:
        ref = np.asarray(exact(x0, dW.sum(axis=0)), dtype=float)
    else:
        ref = euler_maruyama(drift, diffusion, start, (0.0, T, n_fine), dW=dW, return_path=False)["x"]
    errors, ses = [], []
    for n in steps:
        coarse = dW.reshape(int(n), n_fine // int(n), n_paths).sum(axis=1)
        xT = euler_maruyama(drift, diffusion, start, (0.0, T, int(n)), dW=coarse, return_path=False)["x"]
        e = np.abs(xT - ref)
        errors.append(e.mean())
        ses.append(e.std(ddof=1) / np.sqrt(n_paths))
    return {"h": T / steps, "error": np.array(errors), "se": np.array(ses)}


def convergence_order(h, error) -> float:
    """Slope of log(error) against log(h) by least squares: the order p in error ~ C h^p."""
    h = check_positive("h", check_array("h", h, ndim=1))
    error = check_positive("error", check_array("error", error, shape=(h.size,)))
    if h.size < 2:
        raise ValueError("h must hold at least 2 step sizes to fit an order")
    return float(np.polyfit(np.log(h), np.log(error), 1)[0])
