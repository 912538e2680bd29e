"""Linear regression four ways (lecture 02): maximum likelihood (weighted least squares),
MAP (ridge), the Bayesian posterior and predictive law, and the minimum-norm solution for
p > n, with the exact risk of minimum-norm regression on Gaussian data (double descent).

Notation of the recitation notes: y = X beta + eps, X in R^{n x p}, eps ~ N(0, Sigma),
Sigma = diag(sigma_i^2); prior beta ~ N(0, tau^2 I). A model whose MLE is not least
squares: Poisson regression y_i ~ Poisson(exp(x_i^T beta)), fitted by Newton's method, with
its Fisher information X^T diag(mu) X (recitation notes section 4.1: asymptotic normality and
the Cramer-Rao bound).
"""

from __future__ import annotations

import numpy as np

from .validation import check_array, check_int, check_positive

__all__ = [
    "weighted_least_squares",
    "ridge",
    "ridge_filter",
    "min_norm_least_squares",
    "bayes_posterior",
    "bayes_predictive",
    "min_norm_risk",
    "poisson_regression",
    "poisson_fisher_information",
]


def _design(X, y):
    X = check_array("X", X, ndim=2)
    y = check_array("y", y, ndim=(1, 2))
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have {X.shape[0]} rows (one per row of X), got shape {y.shape}")
    return X, y


def weighted_least_squares(X, y, noise_var=1.0) -> np.ndarray:
    """Maximum-likelihood estimate beta = (X^T Sigma^-1 X)^-1 X^T Sigma^-1 y (notes eq. 4.14).

    ``noise_var`` is sigma^2 (scalar: ordinary least squares) or the vector of sigma_i^2.
    ``y`` may be (n,) or (n, k) for k data sets at once. Solved by least squares on the
    whitened system Sigma^{-1/2} X beta = Sigma^{-1/2} y, which is better conditioned than
    forming the normal equations.
    """
    X, y = _design(X, y)
    w = np.broadcast_to(check_positive("noise_var", noise_var), (X.shape[0],)) ** -0.5
    if X.shape[1] > X.shape[0]:
        raise ValueError(f"maximum likelihood needs n >= p, got n={X.shape[0]}, p={X.shape[1]}; "
                         "use ridge or min_norm_least_squares")
    yw = w[:, None] * y if y.ndim == 2 else w * y
    return np.linalg.lstsq(w[:, None] * X, yw, rcond=None)[0]


def ridge_filter(s, lam, shape) -> np.ndarray:
    """Spectral filter s / (s^2 + lam) of ridge, lam.shape + (r,), for singular values s of an X of ``shape``.

    Singular values below max(shape) * eps * s_max (numpy.linalg.pinv's cutoff) are round-off
    of a rank-deficient X: their filter is set to 0, so that lam = 0 gives the minimum-norm
    least-squares solution on every machine instead of dividing by a ~1e-14 that BLAS decides.
    ``s`` finite singular values >= 0 (non-empty), ``lam`` a finite number or array >= 0,
    ``shape`` the (n, p) of X, integers >= 1.
    """
    s = check_positive("s", check_array("s", s), allow_zero=True)
    lam = np.asarray(check_positive("lam", check_array("lam", lam), allow_zero=True), dtype=float)
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
        raise ValueError(f"shape must be a tuple of integers >= 1, got {shape!r}")
    shape = tuple(check_int("shape", m, minimum=1, maximum=None) for m in shape)
    if not shape:
        raise ValueError("shape must not be empty")
    cutoff = max(shape) * np.finfo(float).eps * (s.max() if s.size else 0.0)
    keep = s > cutoff
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(keep, s / (s**2 + lam[..., None]), 0.0)


def ridge(X, y, lam) -> np.ndarray:
    """MAP / ridge estimate beta = (X^T X + lam I)^-1 X^T y for one or many lam at once.

    Computed from the SVD X = U S V^T as V diag(s / (s^2 + lam)) U^T y, which serves
    p > n as well (it equals X^T (X X^T + lam I)^-1 y by Woodbury). Returns (p,) for a
    scalar lam and y of shape (n,), else lam.shape + (p,) + y.shape[1:].
    """
    X, y = _design(X, y)
    lam = np.asarray(check_positive("lam", lam, allow_zero=True), dtype=float)
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    Uty = U.T @ y
    filt = ridge_filter(s, lam, X.shape)  # lam.shape + (r,)
    if y.ndim == 1:
        return (filt * Uty) @ Vt
    return np.einsum("...r,rk,rp->...pk", filt, Uty, Vt)


def min_norm_least_squares(X, y) -> np.ndarray:
    """Minimum-norm interpolator beta = X^T (X X^T)^-1 y for p > n (notes eq. 1.44 with Sigma = I).

    For p <= n it is ordinary least squares; in general it is pinv(X) y, the lam -> 0 limit of ridge.
    """
    X, y = _design(X, y)
    return np.linalg.pinv(X) @ y


def bayes_posterior(X, y, noise_var: float, prior_var: float) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian posterior of beta: cov = (X^T X / sigma^2 + I / tau^2)^-1, mean = cov X^T y / sigma^2.

    The mean is the MAP estimate, i.e. ridge with lam = sigma^2 / tau^2.

    Accepts: ``noise_var`` a finite number > 0; ``prior_var`` a finite number > 0.
    """
    X, y = _design(X, y)
    s2 = check_positive("noise_var", noise_var)
    t2 = check_positive("prior_var", prior_var)
    precision = X.T @ X / s2 + np.eye(X.shape[1]) / t2
    cov = np.linalg.inv(precision)
    cov = 0.5 * (cov + cov.T)
    return cov @ X.T @ y / s2, cov


def bayes_predictive(X_new, mean, cov, noise_var: float) -> tuple[np.ndarray, np.ndarray]:
    """Predictive law of y* = x*^T beta + eps: mean x*^T m, variance x*^T C x* + sigma^2 (per row of X_new).

    Accepts: ``cov`` a finite array; ``noise_var`` a finite number > 0.
    """
    mean = check_array("mean", mean, ndim=1)
    p = mean.size
    cov = check_array("cov", cov, shape=(p, p))
    X_new = check_array("X_new", X_new, shape=(None, p))
    s2 = check_positive("noise_var", noise_var)
    return X_new @ mean, np.einsum("ip,pq,iq->i", X_new, cov, X_new) + s2


def min_norm_risk(n: int, p, signal: float, noise_var: float):
    """Exact expected excess risk E||beta_hat - beta||^2 of min-norm least squares, x ~ N(0, I_p).

    With ||beta||^2 = signal and noise variance sigma^2 (inverse-Wishart means):
    p < n - 1: sigma^2 p / (n - p - 1);   p > n + 1: signal (1 - n/p) + sigma^2 n / (p - n - 1);
    infinite for |p - n| <= 1 (the interpolation peak of double descent).

    Accepts: ``noise_var`` a finite number >= 0.
    """
    n = check_int("n", n, minimum=2)
    p = check_array("p", p)
    if np.any(p < 1):
        raise ValueError(f"p must be >= 1, got {p}")
    signal = check_positive("signal", signal, allow_zero=True)
    s2 = check_positive("noise_var", noise_var, allow_zero=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        under = s2 * p / (n - p - 1)
        over = signal * (1 - n / p) + s2 * n / (p - n - 1)
    return np.where(p < n - 1, under, np.where(p > n + 1, over, np.inf))


def poisson_fisher_information(X, beta) -> np.ndarray:
    """Expected Fisher information I(beta) = X^T diag(mu) X, mu_i = exp(x_i^T beta), of Poisson regression.

    For the log link it is also minus the Hessian of the log-likelihood sum_i (y_i eta_i - e^eta_i),
    whatever the counts (observed = expected information). ``X`` the (n, p) design; ``beta`` the
    (p,) coefficients, or (p, k) for k parameter vectors at once (then the result is (k, p, p)).
    """
    X = check_array("X", X, ndim=2)
    beta = check_array("beta", beta, ndim=(1, 2))
    if beta.shape[0] != X.shape[1]:
        raise ValueError(f"beta must have {X.shape[1]} rows (one per column of X), got shape {beta.shape}")
    eta = X @ beta
    if np.any(eta > 700):
        raise ValueError("beta gives x^T beta > 700: exp overflows; rescale X or beta")
    mu = np.exp(eta)
    if beta.ndim == 1:
        return (X * mu[:, None]).T @ X
    return np.einsum("ip,ik,iq->kpq", X, mu, X)


def poisson_regression(X, y, n_iter: int = 100, tol: float = 1e-10) -> np.ndarray:
    """Maximum-likelihood beta of y_i ~ Poisson(exp(x_i^T beta)) by Newton's method (score X^T (y - mu) = 0).

    Each step solves I(beta) delta = X^T (y - mu) with I = X^T diag(mu) X (iteratively reweighted least
    squares), started from the least-squares fit of log(y + 1/2) and halved while it lowers the
    log-likelihood. ``X`` the (n, p) design (n >= p); ``y`` counts (integers >= 0), (n,) or (n, k) for
    k data sets at once, giving beta of shape (p,) or (p, k); ``n_iter`` the most Newton steps (>= 1);
    ``tol`` > 0 stops when every |delta| < tol. Raises if a data set has no finite MLE within n_iter
    (e.g. all counts zero) instead of returning a diverging iterate.
    """
    X, y = _design(X, y)
    n_iter = check_int("n_iter", n_iter, minimum=1)
    tol = check_positive("tol", tol)
    if np.any(y < 0) or np.any(y != np.round(y)):
        raise ValueError("y must hold counts (integers >= 0)")
    if X.shape[1] > X.shape[0]:
        raise ValueError(f"maximum likelihood needs n >= p, got n={X.shape[0]}, p={X.shape[1]}")
    Y = y[:, None] if y.ndim == 1 else y
    B = np.linalg.lstsq(X, np.log(Y + 0.5), rcond=None)[0]  # (p, k)

    def loglik(B):
        eta = X @ B
        return (Y * eta - np.exp(np.minimum(eta, 700))).sum(axis=0)

    ll = loglik(B)
    for _ in range(n_iter):
        mu = np.exp(np.minimum(X @ B, 700))
        info = np.einsum("ip,ik,iq->kpq", X, mu, X)
        score = X.T @ (Y - mu)  # (p, k)
        delta = np.linalg.solve(info, score.T[..., None])[..., 0].T
        step = np.ones(B.shape[1])
        for _ in range(30):  # step halving: Newton from far away can overshoot the exp
            ll_new = loglik(B + step * delta)
            worse = ~(ll_new >= ll - 1e-12 * np.abs(ll))
            if not worse.any():
                break
            step = np.where(worse, step / 2, step)
        B = B + step * delta
        ll = loglik(B)
        if np.all(np.abs(step * delta) < tol):
            return B[:, 0] if y.ndim == 1 else B
    raise ValueError(f"Newton did not converge in n_iter={n_iter} steps (no finite MLE, e.g. all counts 0?)")
