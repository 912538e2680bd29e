"""readout against exact results: normal equations, scikit-learn, inverse-Wishart risk, arc-cosine kernel."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import cross_val_predict

from course_utils import readout


def linear_world(n=120, p=10, k=3, noise=0.5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    W = rng.standard_normal((p, k)) / np.sqrt(p)
    return X, X @ W + noise * rng.standard_normal((n, k))


def test_ridge_path_matches_normal_equations_and_minimum_norm():
    X, Y = linear_world()
    alphas = np.array([0.0, 0.5, 20.0])
    W = readout.ridge_path(X, Y, alphas)
    assert W.shape == (3, 10, 3)
    for a, Wa in zip(alphas, W):
        np.testing.assert_allclose(Wa, np.linalg.solve(X.T @ X + a * np.eye(10), X.T @ Y), atol=1e-10)
    assert readout.ridge_path(X, Y[:, 0], alphas).shape == (3, 10)
    # p > n at alpha = 0: the minimum-norm interpolator, i.e. the pseudo-inverse
    Xw, Yw = linear_world(n=8, p=20, k=2)
    np.testing.assert_allclose(readout.ridge_path(Xw, Yw, [0.0])[0], np.linalg.pinv(Xw) @ Yw, atol=1e-10)


def test_cross_validated_r2_matches_sklearn_out_of_fold_predictions():
    X, Y = linear_world(seed=1)
    alpha, n_folds = 3.0, 4
    ours = readout.cross_validated_r2(X, Y, [alpha], n_folds=n_folds, seed=7)[0]
    # the same folds as scikit-learn splits: rebuild them from our permutation
    folds = readout._folds(X.shape[0], n_folds, 7)
    fold_id = np.empty(X.shape[0], dtype=int)
    for j, idx in enumerate(folds):
        fold_id[idx] = j
    splits = [(np.flatnonzero(fold_id != j), np.flatnonzero(fold_id == j)) for j in range(n_folds)]
    pred = cross_val_predict(Ridge(alpha=alpha), X, Y, cv=splits)
    sk = 1 - ((Y - pred) ** 2).sum(axis=0) / ((Y - Y.mean(axis=0)) ** 2).sum(axis=0)
    np.testing.assert_allclose(ours, sk, atol=1e-10)


def test_cv_risk_of_least_squares_is_the_inverse_wishart_formula():
    # E(y - y_hat)^2 = sigma^2 (1 + 1/n)(1 + p/(n-p-2)); averaged over 400 targets and 10 designs
    n, p, folds = 100, 15, 5
    mse = []
    for seed in range(10):
        X, Y = linear_world(n=n, p=p, k=400, noise=1.0, seed=seed)
        r2 = readout.cross_validated_r2(X, Y, [0.0], n_folds=folds, seed=seed)[0]
        mse.append(((1 - r2) * Y.var(axis=0)).mean())
    exact = readout.ols_prediction_risk(n * (folds - 1) // folds, p, 1.0)
    assert exact == pytest.approx((1 + 1 / 80) * (1 + 15 / 63))
    # spread over designs of E tr(X^T X)^-1 at n = 80, p = 15 is ~3%: 10 designs -> ~1%
    assert np.mean(mse) == pytest.approx(exact, rel=0.03)


def test_ridge_readout_picks_bayes_alpha_and_permutation_test():
    rng = np.random.default_rng(2)
    n, p = 300, 30
    X = rng.standard_normal((n, p))
    W = rng.standard_normal((p, 200)) / np.sqrt(p)
    Y = X @ W + rng.standard_normal((n, 200))
    alphas = np.logspace(0, 3, 13)
    out = readout.ridge_readout(X, Y, alphas)
    assert out["r2"].shape == out["alpha"].shape == (200,)
    best = alphas[out["cv_r2"].mean(axis=1).argmax()]
    assert abs(np.log10(best / p)) <= 0.26  # Bayes alpha* = sigma^2 p = 30, grid step 10^0.25
    res = readout.permutation_test(X, Y[:, 0], alphas, n_permutations=99, seed=0)
    assert res["p_value"] == pytest.approx(0.01) and res["null"].shape == (99,)
    # a target independent of X: the p-value is uniform; over 20 such targets ~1 falls below 0.05
    pvals = [readout.permutation_test(X, rng.standard_normal(n), alphas, 49, seed=s)["p_value"] for s in range(20)]
    assert 0.3 < np.mean(pvals) < 0.7 and np.mean(np.array(pvals) <= 0.05) <= 0.2


def test_random_features_converge_to_arc_cosine_kernel():
    x = np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [-1.0, 0.5, 2.0]])
    phi = readout.random_features(x, 400_000, seed=0)
    norms = np.linalg.norm(x, axis=1)
    cos = np.clip(x @ x.T / np.outer(norms, norms), -1, 1)
    t = np.arccos(cos)
    kernel = np.outer(norms, norms) * (np.sin(t) + (np.pi - t) * cos) / (2 * np.pi * 3)
    # Monte Carlo over 4e5 features: relative error ~ 1/sqrt(4e5) * O(1) ~ 0.3%
    np.testing.assert_allclose(phi @ phi.T, kernel, rtol=0.02, atol=2e-3)
    assert np.all(phi >= 0)


def test_synthetic_brain_shapes_and_structure():
    d = readout.synthetic_brain_responses(50, n_sensors=7, n_times=11, noise=0.0, seed=3)
    assert d["brain"].shape == (50, 11, 7) and d["x"].shape == (50, 20)
    assert d["profiles"].shape == (2, 11) and d["times"][-1] == pytest.approx(0.8)
    np.testing.assert_allclose(d["high"][:, 0], d["low"][:, 0] * d["low"][:, 1])
    e = readout.synthetic_brain_responses(50, n_sensors=7, n_times=11, noise=0.0, seed=3)
    np.testing.assert_array_equal(d["brain"], e["brain"])
    # noiseless: the brain is exactly linear in (u g_u(t), v g_v(t)), so least squares fits it
    t = 3
    feats = np.column_stack([d["low"] * d["profiles"][0, t], d["high"] * d["profiles"][1, t]])
    coef, res, *_ = np.linalg.lstsq(feats, d["brain"][:, t], rcond=None)
    np.testing.assert_allclose(feats @ coef, d["brain"][:, t], atol=1e-10)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: readout.ridge_path(np.ones(5), np.ones(5), [1.0]), "X must have 2 dimensions"),
        (lambda: readout.ridge_path(np.ones((5, 2)), np.ones(4), [1.0]), "Y must have as many rows as X"),
        (lambda: readout.ridge_path(np.ones((5, 2)), np.ones(5), [-1.0]), "alphas must be >= 0"),
        (lambda: readout.cross_validated_r2(np.ones((5, 2)), np.ones(5), [1.0], n_folds=1), "n_folds must be >= 2"),
        (lambda: readout.cross_validated_r2(np.ones((5, 2)), np.ones(5), [1.0], n_folds=6), "n_folds must be <= 5"),
        (lambda: readout.cross_validated_r2(np.full((5, 2), np.nan), np.ones(5), [1.0]), "X must contain only finite"),
        (lambda: readout.permutation_test(np.ones((5, 2)), np.ones((5, 2)), [1.0]), "y must be a single target"),
        (lambda: readout.ols_prediction_risk(12, 10, 1.0), r"n_train must be > p \+ 2 = 12"),
        (lambda: readout.ols_prediction_risk(50, 10, -1.0), "noise_var must be >= 0"),
        (lambda: readout.random_features(np.ones((3, 2)), 0), "n_features must be >= 1"),
        (lambda: readout.synthetic_brain_responses(10, noise=-1.0), "noise must be >= 0"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_linear_cka_exact_values_and_invariances():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((30, 4))
    Q, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    assert abs(readout.linear_cka(X, 3.0 * X @ Q + 2.0) - 1.0) < 1e-12   # rotation, scale, shift
    # both formulas (feature space and Gram space) give the same number
    Y = rng.standard_normal((30, 3))
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    Kx, Ky = Xc @ Xc.T, Yc @ Yc.T
    gram = np.sum(Kx * Ky) / (np.linalg.norm(Kx) * np.linalg.norm(Ky))
    assert abs(readout.linear_cka(X, Y) - gram) < 1e-12
    wide = rng.standard_normal((6, 40))
    Wc = wide - wide.mean(0)
    Kw = Wc @ Wc.T
    Kx6 = Xc[:6] - Xc[:6].mean(0)
    Kx6 = Kx6 @ Kx6.T
    assert abs(readout.linear_cka(X[:6], wide) - np.sum(Kx6 * Kw) / (np.linalg.norm(Kx6) * np.linalg.norm(Kw))) < 1e-12
    # orthogonal centred features: CKA = 0 exactly
    A = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
    assert readout.linear_cka(A[:, :1], A[:, 1:]) == 0.0
    with pytest.raises(ValueError, match="vary"):
        readout.linear_cka(np.ones((4, 2)), A)


def test_heldout_readout_additive_code_transfers_exactly():
    rng = np.random.default_rng(6)
    K = 4
    a, b = np.divmod(np.arange(K * K), K)
    test = (a + b) % K == 0
    f, g = rng.standard_normal((K, 12)), rng.standard_normal((K, 12))
    X = f[a] + g[b]
    y = a - 1.5
    assert abs(readout.heldout_readout_r2(X[~test], y[~test], X[test], y[test]) - 1.0) < 1e-10
    # a readout that predicts 0 for a centred target gives R^2 = 0 exactly
    Z = np.zeros((K * K, 3))
    assert readout.heldout_readout_r2(Z[~test], y[~test], Z[test], y[test]) == 0.0
    with pytest.raises(ValueError, match="X_test"):
        readout.heldout_readout_r2(X[~test], y[~test], X[test][:, :5], y[test])
    with pytest.raises(ValueError, match="constant"):
        readout.heldout_readout_r2(X[~test], y[~test], X[test], np.ones(test.sum()))
