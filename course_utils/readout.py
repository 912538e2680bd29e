"""Representations as linearly readable information: ridge readouts, cross-validated R^2,
permutation tests, random features and a synthetic "brain response" data set.

Following King's definition, X is a representation of Y when a linear map f gives
Y-hat = f(X) close to Y on held-out data. The readout here is ridge regression,
w(alpha) = argmin ||Y - X w||^2 + alpha ||w||^2 = V diag(s / (s^2 + alpha)) U^T Y for
X = U diag(s) V^T, evaluated for all penalties alpha at once from one SVD per fold.
"""

from __future__ import annotations

import numpy as np

from . import regression
from .seeding import make_rng
from .validation import check_array, check_int, check_positive, check_seed

__all__ = [
    "ridge_path",
    "cross_validated_r2",
    "ridge_readout",
    "permutation_test",
    "ols_prediction_risk",
    "random_features",
    "synthetic_brain_responses",
    "linear_cka",
    "heldout_readout_r2",
]


def _check_xy(X, Y):
    X = check_array("X", X, ndim=2)
    Y = check_array("Y", Y, ndim=(1, 2))
    if Y.shape[0] != X.shape[0]:
        raise ValueError(f"Y must have as many rows as X ({X.shape[0]} samples), got {Y.shape[0]}")
    return X, Y


def _check_alphas(alphas) -> np.ndarray:
    alphas = np.atleast_1d(check_array("alphas", alphas, ndim=(0, 1)))
    check_positive("alphas", alphas, allow_zero=True)
    return alphas




def ridge_path(X, Y, alphas) -> np.ndarray:
    """Ridge coefficients w(alpha) = V diag(s/(s^2 + alpha)) U^T Y for every alpha, from one thin SVD of X.

    No intercept (centre X and Y first for one). X (n, p), Y (n,) or (n, k), alphas (a,)
    >= 0 (alpha = 0 gives the minimum-norm least-squares solution). Returns (a, p) or (a, p, k).
    """
    X, Y = _check_xy(X, Y)
    return regression.ridge(X, Y, _check_alphas(alphas))


def _folds(n: int, n_folds: int, seed: int):
    order = make_rng(seed).permutation(n)
    return np.array_split(order, n_folds)


def cross_validated_r2(X, Y, alphas, n_folds: int = 5, seed: int = 0) -> np.ndarray:
    """Out-of-fold R^2 = 1 - sum (y - y_cv)^2 / sum (y - mean y)^2 of ridge readouts, for every alpha and target.

    The samples are split into ``n_folds`` random folds; each fold is predicted by a ridge
    fit (with intercept: X and Y centred on the training part) on the other folds, for all
    alphas and all columns of Y at once. The pooled out-of-fold predictions give one R^2 per
    (alpha, target); it is negative when the readout predicts worse than the mean.
    Returns (a,) for a 1-D Y, else (a, k).

    Accepts: ``seed`` an int >= 0.
    """
    X, Y = _check_xy(X, Y)
    alphas = _check_alphas(alphas)
    n = X.shape[0]
    n_folds = check_int("n_folds", n_folds, minimum=2, maximum=n)
    Y2 = Y if Y.ndim == 2 else Y[:, None]
    sse = np.zeros((alphas.size, Y2.shape[1]))
    for test in _folds(n, n_folds, seed):
        train = np.ones(n, dtype=bool)
        train[test] = False  # the other folds, in their original order
        X_train, Y_train = X[train], Y2[train]
        x_mean, y_mean = X_train.mean(axis=0), Y_train.mean(axis=0)
        U, s, Vt = np.linalg.svd(X_train - x_mean, full_matrices=False)
        UtY = U.T @ (Y_train - y_mean)
        XV = (X[test] - x_mean) @ Vt.T
        filt = regression.ridge_filter(s, alphas, X_train.shape)  # (a, r), round-off singular values cut
        pred = (XV[None] * filt[:, None, :]) @ UtY + y_mean  # (a, n_test, k)
        sse += ((Y2[test][None] - pred) ** 2).sum(axis=1)
    sst = ((Y2 - Y2.mean(axis=0)) ** 2).sum(axis=0)
    r2 = 1.0 - sse / np.where(sst > 0, sst, np.nan)
    return r2 if Y.ndim == 2 else r2[:, 0]


def ridge_readout(X, Y, alphas, n_folds: int = 5, seed: int = 0) -> dict:
    """The linear readability of Y from X: cross-validated R^2 at the best ridge penalty of each target.

    Returns dict ``r2`` (best cross-validated R^2, (k,) or scalar), ``alpha`` (the best
    penalty) and ``cv_r2`` (the whole curve, (a,) or (a, k)). Choosing alpha on the same
    folds makes ``r2`` slightly optimistic; the permutation test repeats the same choice on
    shuffled data, so its p-value stays valid.

    Accepts: ``alphas`` a finite array > 0; ``n_folds`` an integer >= 1; ``seed`` an int >= 0.
    """
    seed = check_seed("seed", seed, allow_generator=True)
    alphas = _check_alphas(alphas)
    cv = cross_validated_r2(X, Y, alphas, n_folds=n_folds, seed=seed)
    best = np.nanargmax(np.nan_to_num(cv, nan=-np.inf), axis=0)
    r2 = np.take_along_axis(cv, np.expand_dims(best, 0), axis=0)[0]
    return {"r2": r2, "alpha": alphas[best], "cv_r2": cv}


def permutation_test(X, y, alphas, n_permutations: int = 200, n_folds: int = 5, seed: int = 0) -> dict:
    """Permutation test of a readout: p = (1 + #{R^2_perm >= R^2}) / (1 + n_permutations).

    Under the null hypothesis that y carries no information about X, shuffling y across
    samples leaves its law unchanged; the whole readout (folds and choice of alpha included)
    is rerun on each shuffle. All shuffles are extra columns of one multi-target ridge fit.
    Returns dict ``r2`` (observed), ``null`` (n_permutations,) and ``p_value``.

    Accepts: ``alphas`` a finite array > 0; ``n_folds`` an integer >= 1; ``seed`` an int >= 0 or a numpy Generator.
    """
    y = check_array("y", y)
    if y.ndim != 1:
        raise ValueError(f"y must be a single target (1-D), got shape {y.shape}")
    X, y = _check_xy(X, y)
    n_permutations = check_int("n_permutations", n_permutations, minimum=1)
    rng = make_rng(seed)
    perms = rng.permuted(np.broadcast_to(y, (n_permutations, y.size)), axis=1)
    Y = np.column_stack([y, perms.T])
    r2 = ridge_readout(X, Y, alphas, n_folds=n_folds, seed=seed)["r2"]
    null = r2[1:]
    return {"r2": float(r2[0]), "null": null, "p_value": float((1 + np.sum(null >= r2[0])) / (1 + n_permutations))}


def ols_prediction_risk(n_train: int, p: int, noise_var: float) -> float:
    """E (y - y-hat)^2 = sigma^2 (1 + 1/n)(1 + p/(n - p - 2)) for least squares with intercept, x ~ N(0, I_p).

    With centred data the slope error is (X_c^T X_c)^-1 X_c^T eps, X_c^T X_c ~ Wishart(n-1, I_p)
    with E tr(.)^-1 = p/(n-p-2); the intercept adds sigma^2/n and the centring of the test
    point the factor (1 + 1/n). Needs n > p + 2.

    Accepts: ``n_train`` an integer >= 1; ``noise_var`` a finite number > 0.
    """
    n_train = check_int("n_train", n_train, minimum=1)
    p = check_int("p", p, minimum=1)
    if n_train <= p + 2:
        raise ValueError(f"n_train must be > p + 2 = {p + 2} for a finite risk, got {n_train}")
    noise_var = check_positive("noise_var", noise_var, allow_zero=True)
    return noise_var * (1 + 1 / n_train) * (1 + p / (n_train - p - 2))


def random_features(X, n_features: int, seed: int = 0) -> np.ndarray:
    """phi(x) = relu(W x) / sqrt(n_features), W ~ N(0, I/p): a fixed random ReLU layer.

    As n_features grows, phi(x).phi(x') tends to the degree-1 arc-cosine kernel
    |x||x'| (sin t + (pi - t) cos t) / (2 pi p), t the angle between x and x' (Cho & Saul).

    Accepts: ``X`` a finite array; ``seed`` an int >= 0 or a numpy Generator.
    """
    X = check_array("X", X, ndim=2)
    n_features = check_int("n_features", n_features, minimum=1)
    W = make_rng(seed).standard_normal((X.shape[1], n_features)) / np.sqrt(X.shape[1])
    return np.maximum(X @ W, 0.0) / np.sqrt(n_features)


def synthetic_brain_responses(n_stimuli: int, n_sensors: int = 40, n_times: int = 25, noise: float = 1.0,
                              seed: int = 0) -> dict:
    """A toy encoding-model experiment: sensors respond to low-level features early, high-level ones late.

    Each stimulus has latents z ~ N(0, I_2) and is shown as an "image" x = A z + 0.1 N(0, I_20)
    (a fixed random linear embedding). The low-level code is u = z (linearly readable from
    x); the high-level code v = (z1 z2, (z1^2 - z2^2)/2) is quadratic in z, hence not
    linearly readable from x. Sensor responses at time t in [0, 0.8] s are
    brain(t) = B_u u g_u(t) + B_v v g_v(t) + noise N(0, I), with time courses g_u, g_v peaking
    at 0.1 s and 0.35 s and fixed random sensor maps B_u, B_v (gain 1 per sensor).

    Returns dict ``x`` (n, 20), ``low`` (n, 2), ``high`` (n, 2), ``times`` (n_times,),
    ``profiles`` (2, n_times) and ``brain`` (n, n_times, n_sensors).

    Accepts: ``n_stimuli`` an integer >= 1; ``seed`` an int >= 0 or a numpy Generator.
    """
    n_stimuli = check_int("n_stimuli", n_stimuli, minimum=2)
    n_sensors = check_int("n_sensors", n_sensors, minimum=1)
    n_times = check_int("n_times", n_times, minimum=2)
    noise = check_positive("noise", noise, allow_zero=True)
    world = make_rng(12345)  # the fixed "anatomy": embedding and sensor maps
    A = world.standard_normal((2, 20))
    B_u = world.standard_normal((2, n_sensors)) / np.sqrt(2)
    B_v = world.standard_normal((2, n_sensors)) / np.sqrt(2)
    rng = make_rng(seed)
    z = rng.standard_normal((n_stimuli, 2))
    x = z @ A + 0.1 * rng.standard_normal((n_stimuli, 20))
    high = np.column_stack([z[:, 0] * z[:, 1], 0.5 * (z[:, 0] ** 2 - z[:, 1] ** 2)])
    times = np.linspace(0.0, 0.8, n_times)
    profiles = np.stack([np.exp(-0.5 * ((times - 0.10) / 0.05) ** 2),
                         np.exp(-0.5 * ((times - 0.35) / 0.10) ** 2)])
    signal = (np.einsum("nc,cs,t->nts", z, B_u, profiles[0])
              + np.einsum("nc,cs,t->nts", high, B_v, profiles[1]))
    brain = signal + noise * rng.standard_normal(signal.shape)
    return {"x": x, "low": z, "high": high, "times": times, "profiles": profiles, "brain": brain}


def linear_cka(X, Y) -> float:
    """Linear centred kernel alignment CKA = ||Yc^T Xc||_F^2 / (||Xc^T Xc||_F ||Yc^T Yc||_F) (Kornblith et al. 2019).

    The cosine similarity of the centred Gram matrices Xc Xc^T and Yc Yc^T of two representations
    of the same n stimuli: 1 when one is an orthogonal transform times a scale of the other, 0
    when their centred features are uncorrelated. ``X`` (n, p) and ``Y`` (n, q), rows the same
    stimuli (n >= 2), neither constant over the stimuli. Returns a float in [0, 1].
    """
    X = check_array("X", X, ndim=2)
    Y = check_array("Y", Y, ndim=2)
    if Y.shape[0] != X.shape[0]:
        raise ValueError(f"Y must have as many rows as X ({X.shape[0]} stimuli), got {Y.shape[0]}")
    if X.shape[0] < 2:
        raise ValueError(f"X must have at least 2 rows (stimuli), got {X.shape[0]}")
    Xc, Yc = X - X.mean(axis=0), Y - Y.mean(axis=0)
    if X.shape[1] * Y.shape[1] > X.shape[0] ** 2:  # wide features: the n x n Gram matrices are cheaper
        Kx, Ky = Xc @ Xc.T, Yc @ Yc.T
        nx, ny, cross = np.linalg.norm(Kx), np.linalg.norm(Ky), np.sum(Kx * Ky)
    else:
        nx, ny, cross = np.linalg.norm(Xc.T @ Xc), np.linalg.norm(Yc.T @ Yc), np.linalg.norm(Yc.T @ Xc) ** 2
    for name, norm in (("X", nx), ("Y", ny)):
        if norm == 0.0:
            raise ValueError(f"{name} must vary over the stimuli (its centred features are all zero)")
    return float(cross / (nx * ny))


def heldout_readout_r2(X_train, y_train, X_test, y_test) -> float:
    """Held-out R^2 = 1 - sum (y - X w)^2 / sum (y - mean y)^2 of the min-norm readout w = pinv(X_train) y_train.

    No intercept and no penalty, so that exact statements hold: for an additive code x = f(a) + g(b)
    the readout of a transfers exactly to unseen (a, b) pairs. ``X_train`` (n, p), ``y_train`` (n,),
    ``X_test`` (m, p), ``y_test`` (m,) with m >= 2 and y_test not constant.
    """
    X_train = check_array("X_train", X_train, ndim=2)
    X_test = check_array("X_test", X_test, ndim=2)
    y_train = check_array("y_train", y_train, shape=(X_train.shape[0],))
    y_test = check_array("y_test", y_test, shape=(X_test.shape[0],))
    if X_test.shape[1] != X_train.shape[1]:
        raise ValueError(f"X_test must have {X_train.shape[1]} columns like X_train, got {X_test.shape[1]}")
    ss = np.sum((y_test - y_test.mean()) ** 2)
    if ss == 0.0:
        raise ValueError("y_test must not be constant (R^2 undefined)")
    w = np.linalg.pinv(X_train) @ y_train
    return float(1.0 - np.sum((y_test - X_test @ w) ** 2) / ss)
