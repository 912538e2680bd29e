"""Denoising y = x + z, z ~ N(0, sigma^2 I): Tweedie's formula, Gaussian mixtures, the Wiener
filter and wavelet thresholding.

Conventions follow Mallat's lectures: p_sigma = p * g_sigma is the law of the noisy y, the
score is grad log p_sigma, and Tweedie's formula reads E[x | y] = y + sigma^2 grad log p_sigma(y).
For Gaussian data x ~ N(0, C) the optimal denoiser is the Wiener filter H = C (C + sigma^2 I)^-1;
for sparse signals in an orthonormal basis {psi_k} it is approached by thresholding the
coefficients <y, psi_k> at T = sigma sqrt(2 log d).
"""

from __future__ import annotations

import functools

import numpy as np
from scipy import linalg, special

from .seeding import make_rng, manual_seed, torch_generator
from .validation import (
    check_array,
    check_callable,
    check_int,
    check_memory,
    check_positive,
    check_probabilities,
    check_symmetric,
)

__all__ = [
    "gmm_sample",
    "gmm_log_density",
    "gmm_score",
    "gmm_posterior_mean",
    "tweedie_denoise",
    "wiener_filter",
    "soft_threshold",
    "hard_threshold",
    "universal_threshold",
    "oracle_risk",
    "threshold_risk",
    "wavelet_denoise",
    "wavelet_compress",
    "train_dsm_denoiser",
    "ou_gmm_marginal",
    "reverse_ou_sde",
    "threshold_keep_probability",
]


# ------------------------------------------------------------------ Gaussian mixtures
def _check_gmm(y, weights, means, stds, sigma):
    """Validate a batch y (B, d) and an isotropic mixture sum_k w_k N(mu_k, s_k^2 I)."""
    y = check_array("y", y, ndim=2)
    means = check_array("means", means, ndim=2)
    stds = np.asarray(check_positive("stds", check_array("stds", stds, ndim=1), allow_zero=True), dtype=float)
    weights = _check_mixture(weights, means, stds, y.shape[1])
    sigma = check_positive("sigma", sigma)
    if np.ndim(sigma) != 0:
        raise ValueError(f"sigma must be a positive scalar, got an array of shape {np.shape(sigma)}")
    return y, weights, means, stds, float(sigma)


def _responsibilities(y, weights, means, var):
    """log p_sigma(y) and the posterior weights r_k(y) of each component, var_k = s_k^2 + sigma^2."""
    d = y.shape[1]
    sq = ((y[:, None, :] - means[None, :, :]) ** 2).sum(axis=-1)  # (B, K)
    with np.errstate(divide="ignore"):
        log_w = np.log(weights)
    log_comp = log_w - 0.5 * sq / var - 0.5 * d * np.log(2 * np.pi * var)
    log_p = special.logsumexp(log_comp, axis=1)
    return log_p, np.exp(log_comp - log_p[:, None])


def gmm_sample(n, weights, means, stds, seed=0) -> np.ndarray:
    """n samples (n, d) of the isotropic mixture sum_k w_k N(mu_k, s_k^2 I).

    Accepts: ``weights`` mixture weights, >= 0 and summing to 1; ``means`` a finite array; ``stds``
    a finite array > 0; ``seed`` an int >= 0 or a numpy Generator.
    """
    n = check_int("n", n, minimum=1)
    means = check_array("means", means, ndim=2)
    check_memory("n", 8.0 * n * means.shape[1] * 3, what="samples")
    _, weights, means, stds, _ = _check_gmm(np.zeros((1, means.shape[1])), weights, means, stds, 1.0)
    rng = make_rng(seed)
    k = rng.choice(weights.size, size=n, p=weights)
    return means[k] + stds[k, None] * rng.standard_normal((n, means.shape[1]))


def gmm_log_density(y, weights, means, stds, sigma) -> np.ndarray:
    """log p_sigma(y) = log sum_k w_k N(y; mu_k, (s_k^2 + sigma^2) I), the mixture blurred by the noise.

    Accepts: ``weights`` mixture weights, >= 0 and summing to 1; ``means`` a finite array; ``stds``
    a finite array > 0.
    """
    y, weights, means, stds, sigma = _check_gmm(y, weights, means, stds, sigma)
    return _responsibilities(y, weights, means, stds**2 + sigma**2)[0]


def gmm_score(y, weights, means, stds, sigma) -> np.ndarray:
    """Score grad log p_sigma(y) = sum_k r_k(y) (mu_k - y) / (s_k^2 + sigma^2) of the noisy mixture.

    p_sigma = p * g_sigma with p = sum_k w_k N(mu_k, s_k^2 I) (``stds`` may be 0: point masses,
    e.g. an empirical distribution), r_k(y) the posterior probability of component k given y.
    ``y`` (B, d), ``weights`` (K,) summing to 1, ``means`` (K, d), ``stds`` (K,); returns (B, d).
    """
    return _gmm_score(*_check_gmm(y, weights, means, stds, sigma))


def _check_mixture(weights, means, stds, d):
    """Validate the weights (K,) of a mixture whose means (K, d) and stds (K,) are checked arrays; return them."""
    weights = check_probabilities("weights", check_array("weights", weights, ndim=1))
    K = weights.size
    if means.shape != (K, d):
        raise ValueError(f"means must have shape (K, d) = ({K}, {d}) to match weights and y, got {means.shape}")
    if stds.shape != (K,):
        raise ValueError(f"stds must have shape (K,) = ({K},) to match weights, got {stds.shape}")
    return weights


def _gmm_score(y, weights, means, stds, sigma):
    """gmm_score on inputs that _check_gmm has already validated (sde.ou_gmm_score calls it at every step)."""
    var = stds**2 + sigma**2
    _, r = _responsibilities(y, weights, means, var)
    return (r / var) @ means - (r / var).sum(axis=1, keepdims=True) * y


def gmm_posterior_mean(y, weights, means, stds, sigma) -> np.ndarray:
    """Bayes denoiser E[x | y] = sum_k r_k(y) [mu_k + s_k^2 / (s_k^2 + sigma^2) (y - mu_k)].

    Computed from Bayes' rule (component responsibilities times the Gaussian posterior mean
    of each component), not from Tweedie's formula, so the two can be compared.

    Accepts: ``weights`` mixture weights, >= 0 and summing to 1; ``means`` a finite array; ``stds``
    a finite array > 0.
    """
    y, weights, means, stds, sigma = _check_gmm(y, weights, means, stds, sigma)
    var = stds**2 + sigma**2
    _, r = _responsibilities(y, weights, means, var)
    shrink = stds**2 / var  # (K,) Wiener gain of each component
    comp_mean = means[None] + shrink[None, :, None] * (y[:, None, :] - means[None])  # (B, K, d)
    return np.einsum("bk,bkd->bd", r, comp_mean)


def tweedie_denoise(y, score, sigma) -> np.ndarray:
    """Tweedie's formula x_hat(y) = E[x | y] = y + sigma^2 grad log p_sigma(y).

    ``score`` is either a callable mapping y to grad log p_sigma(y) or an array of the
    same shape as ``y`` holding the score already evaluated at y.
    """
    y = check_array("y", y)
    sigma = check_positive("sigma", sigma)
    if np.ndim(sigma) != 0:
        raise ValueError(f"sigma must be a positive scalar, got an array of shape {np.shape(sigma)}")
    s = score(y) if callable(score) else score
    s = check_array("score", s)
    if s.shape != y.shape:
        raise ValueError(f"score must have the shape of y {y.shape}, got {s.shape}")
    return y + sigma**2 * s


# --------------------------------------------------------------------- Gaussian data
def wiener_filter(C, sigma) -> np.ndarray:
    """Wiener filter H = C (C + sigma^2 I)^-1, the optimal (Bayes and linear) denoiser of x ~ N(0, C).

    In the eigenbasis of C it multiplies the k-th component by lambda_k / (lambda_k + sigma^2).
    """
    C = check_symmetric("C", C)
    sigma = check_positive("sigma", sigma)
    if np.ndim(sigma) != 0:
        raise ValueError(f"sigma must be a positive scalar, got an array of shape {np.shape(sigma)}")
    if np.linalg.eigvalsh(C).min() < -1e-10 * max(1.0, np.abs(C).max()):
        raise ValueError("C must be positive semi-definite (a covariance matrix)")
    A = C + sigma**2 * np.eye(C.shape[0])
    # C and (C + sigma^2 I)^-1 commute, so H = (C + sigma^2 I)^-1 C, a symmetric positive solve
    H = linalg.solve(A, C, assume_a="pos")
    return 0.5 * (H + H.T)


# ------------------------------------------------------------------ sparse signals
def soft_threshold(a, T) -> np.ndarray:
    """Soft thresholding sth_T(a) = sign(a) max(|a| - T, 0), elementwise."""
    a = check_array("a", a)
    T = check_positive("T", T, allow_zero=True)
    return np.sign(a) * np.maximum(np.abs(a) - T, 0.0)


def hard_threshold(a, T) -> np.ndarray:
    """Hard thresholding a 1{|a| > T}: keep a coefficient or set it to zero, elementwise."""
    a = check_array("a", a)
    T = check_positive("T", T, allow_zero=True)
    return np.where(np.abs(a) > T, a, 0.0)


def universal_threshold(sigma, d) -> float:
    """Donoho-Johnstone universal threshold T = sigma sqrt(2 log d)."""
    sigma = check_positive("sigma", sigma)
    d = check_int("d", d, minimum=2)
    return float(sigma * np.sqrt(2.0 * np.log(d)))


def oracle_risk(coeffs, sigma) -> float:
    """Oracle projection risk eps_m = sum_k min(|<x, psi_k>|^2, sigma^2) of a signal's coefficients.

    The risk of keeping exactly the coefficients above the noise level, chosen by an oracle
    that knows x; thresholding at sigma sqrt(2 log d) stays within (2 log d + 1)(eps_m + sigma^2).

    Accepts: ``coeffs`` a finite array.
    """
    c = check_array("coeffs", coeffs)
    sigma = check_positive("sigma", sigma)
    return float(np.minimum(c**2, sigma**2).sum())


def threshold_risk(coeffs, sigma, T, mode="soft") -> float:
    """Expected risk sum_k E[(rho_T(theta_k + sigma z) - theta_k)^2], z ~ N(0, 1), in closed form.

    With mu = theta / sigma, t = T / sigma, Phi and phi the normal cdf and density, per coefficient
    (Donoho and Johnstone 1994), in units of sigma^2:
    soft: 1 + t^2 + (mu^2 - t^2 - 1)[Phi(t - mu) - Phi(-t - mu)] - (t - mu) phi(t + mu) - (t + mu) phi(t - mu);
    hard: mu^2 [Phi(t - mu) - Phi(-t - mu)] + (t - mu) phi(t - mu) + (t + mu) phi(t + mu)
    + Phi(mu - t) + Phi(-mu - t).

    Accepts: ``coeffs`` a finite array; ``mode`` one of the listed mode names.
    """
    c = check_array("coeffs", coeffs)
    sigma = check_positive("sigma", sigma)
    T = check_positive("T", T, allow_zero=True)
    if mode not in ("soft", "hard"):
        raise ValueError(f"mode must be 'soft' or 'hard', got {mode!r}")
    mu, t = np.abs(c.ravel()) / sigma, T / sigma
    Phi, phi = special.ndtr, lambda u: np.exp(-0.5 * u**2) / np.sqrt(2 * np.pi)
    inside = Phi(t - mu) - Phi(-t - mu)  # P(|theta + sigma z| <= T)
    if mode == "soft":
        r = 1 + t**2 + (mu**2 - t**2 - 1) * inside - (t - mu) * phi(t + mu) - (t + mu) * phi(t - mu)
    else:
        r = mu**2 * inside + (t - mu) * phi(t - mu) + (t + mu) * phi(t + mu) + Phi(mu - t) + Phi(-mu - t)
    return float(sigma**2 * r.sum())


def _wavedec(y, wavelet, level):
    import pywt

    if y.ndim == 1:
        return pywt.wavedec(y, wavelet, mode="periodization", level=level)
    return pywt.wavedec2(y, wavelet, mode="periodization", level=level)


def _check_signal(y, level, wavelet, name="y"):
    import pywt

    y = check_array(name, y, ndim=(1, 2))
    if wavelet not in pywt.wavelist(kind="discrete"):
        raise ValueError(f"wavelet must be a discrete PyWavelets wavelet ('haar', 'db4'), got {wavelet!r}")
    if level is not None:
        level = check_int("level", level, minimum=1)
    for n in y.shape:
        if n < 2 or n & (n - 1):
            raise ValueError(f"{name} must have power-of-two sides (periodic wavelet transform), got {y.shape}")
    return y, level


def wavelet_denoise(y, sigma, wavelet="db4", mode="soft", T=None, level=None) -> np.ndarray:
    """Thresholding estimator x_hat = sum_k rho_T(<y, psi_k>) psi_k in an orthonormal wavelet basis.

    ``y`` is a 1-D signal or a 2-D image with power-of-two sides (periodic boundary, so the
    transform is orthonormal); rho_T is soft or hard thresholding at T, by default the
    universal T = sigma sqrt(2 log d). The coarsest approximation coefficients are kept.

    Accepts: ``mode`` one of the listed mode names; ``level`` None or a value of the kind named above.
    """
    import pywt

    y, level = _check_signal(y, level, wavelet)
    sigma = check_positive("sigma", sigma)
    if mode not in ("soft", "hard"):
        raise ValueError(f"mode must be 'soft' or 'hard', got {mode!r}")
    T = universal_threshold(sigma, y.size) if T is None else check_positive("T", T, allow_zero=True)
    rho = soft_threshold if mode == "soft" else hard_threshold
    coeffs = _wavedec(y, wavelet, level)
    out = [coeffs[0]]
    for detail in coeffs[1:]:
        out.append(rho(detail, T) if y.ndim == 1 else tuple(rho(c, T) for c in detail))
    rec = pywt.waverec(out, wavelet, mode="periodization") if y.ndim == 1 else \
        pywt.waverec2(out, wavelet, mode="periodization")
    return rec


def wavelet_compress(x, M, wavelet="db4", level=None) -> np.ndarray:
    """M-term approximation x_M = sum_{k in I_M} <x, psi_k> psi_k, I_M the M largest |<x, psi_k>|.

    Accepts: ``wavelet`` a string: one of the options named above; ``level`` None or a value of the kind named above.
    """
    import pywt

    x, level = _check_signal(x, level, wavelet, name="x")
    M = check_int("M", M, minimum=0, maximum=x.size)
    coeffs = _wavedec(x, wavelet, level)
    arr, slices = pywt.coeffs_to_array(coeffs)
    flat = arr.ravel()
    keep = np.zeros(flat.size, dtype=bool)
    keep[np.argsort(-np.abs(flat), kind="stable")[:M]] = True
    arr = np.where(keep.reshape(arr.shape), arr, 0.0)
    fmt = "wavedec" if x.ndim == 1 else "wavedec2"
    kept = pywt.array_to_coeffs(arr, slices, output_format=fmt)
    return pywt.waverec(kept, wavelet, mode="periodization") if x.ndim == 1 else \
        pywt.waverec2(kept, wavelet, mode="periodization")


# ------------------------------------------------------------- learned denoisers
def train_dsm_denoiser(x, sigma, hidden=64, steps=2000, lr=3e-3, batch=256, seed=0):
    """Train a small MLP x_hat_theta(y) by denoising score matching, min E ||x_hat_theta(x + sigma z) - x||^2.

    ``x`` (n, d) are clean training samples, fresh noise is drawn at every step. Returns the
    trained torch module (float32, CPU) mapping y (B, d) to the denoised estimate; its score
    is (x_hat_theta(y) - y) / sigma^2 by Tweedie's formula.

    Accepts: ``hidden`` an integer >= 1; ``steps`` an integer >= 1; ``lr`` a finite number > 0; ``batch``
    an integer >= 1; ``seed`` an int >= 0.
    """
    import torch

    x = check_array("x", x, ndim=2)
    sigma = check_positive("sigma", sigma)
    hidden = check_int("hidden", hidden, minimum=1)
    steps = check_int("steps", steps, minimum=1)
    batch = check_int("batch", batch, minimum=1)
    check_memory(("hidden", "batch"), 16.0 * (hidden + 1) * (hidden + batch + 2 * x.shape[1]),
                 what="parameters, Adam states and activations")
    lr = check_positive("lr", lr)
    gen = torch_generator(seed)
    d = x.shape[1]
    with torch.random.fork_rng(devices=[]):  # seeded initialisation, global torch RNG left untouched
        manual_seed(seed)
        net = torch.nn.Sequential(
            torch.nn.Linear(d, hidden), torch.nn.SiLU(),
            torch.nn.Linear(hidden, hidden), torch.nn.SiLU(),
            torch.nn.Linear(hidden, d),
        )
    data = torch.as_tensor(x, dtype=torch.float32)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    for _ in range(steps):
        idx = torch.randint(0, data.shape[0], (batch,), generator=gen)
        clean = data[idx]
        noisy = clean + sigma * torch.randn(clean.shape, generator=gen)
        # residual parametrisation: the network predicts the correction y -> E[x|y] - y
        loss = ((noisy + net(noisy) - clean) ** 2).sum(dim=1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    return _residual_class()(net)


@functools.cache
def _residual_class():
    import torch

    class Residual(torch.nn.Module):
        """x_hat(y) = y + f(y): the denoiser, with f the network's learned correction."""

        def __init__(self, net):
            super().__init__()
            self.net = net

        def forward(self, y):
            return y + self.net(y)

        def denoise(self, y) -> np.ndarray:
            """Numpy in, numpy out: the denoised estimate of a batch y (B, d)."""
            with torch.no_grad():
                return self(torch.as_tensor(np.asarray(y), dtype=torch.float32)).double().numpy()

    return Residual



# ------------------------------------------------- the alpha-family of reverse SDEs (issue 22)
def ou_gmm_marginal(means, stds, t):
    """Marginal p_t of the kappa = 1 Ornstein-Uhlenbeck process started from a mixture (eq. 9.12).

    x_t = e^{-t} x_0 + sqrt(1 - e^{-2t}) z maps sum_k w_k N(mu_k, s_k^2 I) to the mixture with means
    e^{-t} mu_k and stds e^{-t} s_k, blurred by Gaussian noise of std sigma_t = sqrt(1 - e^{-2t}); the
    weights do not change. ``means`` (K, d), ``stds`` (K,), ``t`` > 0. Returns (means_t, stds_t,
    sigma_t), ready for :func:`gmm_score` and :func:`gmm_log_density` with the same weights.

    Accepts: ``means`` a finite (K, d) array; ``stds`` a finite (K,) array >= 0; ``t`` > 0.
    """
    means = check_array("means", means, ndim=2)
    stds = np.asarray(check_positive("stds", check_array("stds", stds, shape=(means.shape[0],)), allow_zero=True),
                      dtype=float)
    t = check_positive("t", t)
    if np.ndim(t) != 0:
        raise ValueError(f"t must be a positive scalar, got an array of shape {np.shape(t)}")
    return means * np.exp(-t), stds * np.exp(-t), float(np.sqrt(-np.expm1(-2 * t)))


def reverse_ou_sde(y0, score, alpha, t_start, t_end, n_steps, seed=0) -> np.ndarray:
    """Euler-Maruyama integration of the alpha-family of reverse OU SDEs (Mallat's lecture, eq. 9.11).

    With y_s = x_{T-s} the time-reversed kappa = 1 OU process dx = -x dt + sqrt(2) dW, every alpha >= 0 gives

        dy = [y + (1 + alpha) grad log p_t(y)] ds + sqrt(2 alpha) dW,    t = T - s,

    whose Fokker-Planck equation is that of the reversed marginals q_s = p_{T-s} for every alpha (alpha = 0:
    the probability-flow ODE; alpha = 1: the usual reverse SDE). ``y0`` (B, d) samples of p_{t_start},
    ``score(y, t)`` -> (B, d) the score of p_t, ``alpha`` >= 0 a number or (B,) one per sample,
    ``t_start`` > ``t_end`` > 0 the forward times, ``n_steps`` >= 1 steps on a geometric time grid
    (finer near t_end, where the score varies fastest). Returns the samples (B, d) at t_end.

    Accepts: ``y0`` a finite (B, d) array; ``score`` a callable; ``alpha`` >= 0, a number or (B,) array;
    ``t_start``, ``t_end`` > 0 with t_end < t_start; ``n_steps`` an integer >= 1; ``seed`` an int >= 0 or a
    numpy Generator.
    """
    y = check_array("y0", y0, ndim=2).copy()
    check_callable("score", score)
    alpha = np.asarray(check_positive("alpha", check_array("alpha", alpha, ndim=(0, 1)), allow_zero=True), float)
    if alpha.ndim == 1 and alpha.shape != (y.shape[0],):
        raise ValueError(f"alpha must be a number or have shape (B,) = ({y.shape[0]},), got {alpha.shape}")
    a = alpha[:, None] if alpha.ndim == 1 else alpha
    t_start = float(check_positive("t_start", t_start))
    t_end = float(check_positive("t_end", t_end))
    if not t_end < t_start:
        raise ValueError(f"t_end must be < t_start (the reverse process runs t_start -> t_end), got "
                         f"t_end={t_end:g}, t_start={t_start:g}")
    n_steps = check_int("n_steps", n_steps, minimum=1)
    rng = make_rng(seed)
    times = np.geomspace(t_start, t_end, n_steps + 1)
    for t, t_next in zip(times[:-1], times[1:], strict=True):
        h = t - t_next
        s = np.asarray(score(y, t), dtype=float)
        if s.shape != y.shape:
            raise ValueError(f"score must return an array of shape {y.shape}, got {s.shape}")
        y = y + (y + (1 + a) * s) * h + np.sqrt(2 * a * h) * rng.standard_normal(y.shape)
    return y


def threshold_keep_probability(coeffs, sigma, T) -> np.ndarray:
    """P(|theta + sigma z| > T) = Phi((theta - T)/sigma) + Phi((-theta - T)/sigma) for each coefficient theta.

    The probability that a thresholding estimator keeps a coefficient of clean value theta observed in
    white noise of std ``sigma`` (Mallat's lecture, section 10: thresholding estimators); summed over
    the clean coefficients ``coeffs`` (any shape) it is the expected number kept. ``T`` >= 0.
    Returns an array of the shape of ``coeffs``.

    Accepts: ``coeffs`` a finite array; ``sigma`` > 0; ``T`` >= 0.
    """
    c = check_array("coeffs", coeffs)
    sigma = float(check_positive("sigma", sigma))
    T = float(check_positive("T", T, allow_zero=True))
    return special.ndtr((c - T) / sigma) + special.ndtr((-c - T) / sigma)
