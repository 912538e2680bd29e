"""regression against closed forms, exact identities and Monte Carlo."""

import numpy as np
import pytest

from course_utils import regression as reg


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 5))
    beta = rng.standard_normal(5)
    y = X @ beta + 0.3 * rng.standard_normal(40)
    return X, y, beta


def test_wls_equals_normal_equations_and_ols(data):
    X, y, _ = data
    s2 = np.linspace(0.1, 2.0, 40)
    Si = np.diag(1 / s2)
    direct = np.linalg.solve(X.T @ Si @ X, X.T @ Si @ y)
    np.testing.assert_allclose(reg.weighted_least_squares(X, y, s2), direct, atol=1e-12)
    np.testing.assert_allclose(reg.weighted_least_squares(X, y), np.linalg.lstsq(X, y, rcond=None)[0], atol=1e-12)


def test_wls_covariance_by_monte_carlo():
    # Var(beta_WLS) = (X^T Sigma^-1 X)^-1, checked over 20000 noise draws (rel. error ~1%)
    rng = np.random.default_rng(1)
    X = rng.standard_normal((30, 2))
    s2 = rng.uniform(0.1, 3.0, 30)
    Y = X @ np.ones(2)[:, None] + np.sqrt(s2)[:, None] * rng.standard_normal((30, 20000))
    B = reg.weighted_least_squares(X, Y, s2)
    np.testing.assert_allclose(np.cov(B), np.linalg.inv(X.T @ (X / s2[:, None])), rtol=0.05)


def test_ridge_matches_normal_equations_and_dual_form(data):
    X, y, _ = data
    lam = np.array([0.0, 0.5, 3.0])
    B = reg.ridge(X, y, lam)
    for l, b in zip(lam, B):
        np.testing.assert_allclose(b, np.linalg.solve(X.T @ X + l * np.eye(5), X.T @ y), atol=1e-10)
    Xw = np.random.default_rng(2).standard_normal((10, 30))  # p > n: Woodbury dual form
    yw = np.ones(10)
    np.testing.assert_allclose(reg.ridge(Xw, yw, 0.7), Xw.T @ np.linalg.solve(Xw @ Xw.T + 0.7 * np.eye(10), yw),
                               atol=1e-10)
    assert reg.ridge(X, np.stack([y, 2 * y], axis=1), lam).shape == (3, 5, 2)


def test_min_norm_interpolates_with_smallest_norm():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((8, 20))
    y = rng.standard_normal(8)
    b = reg.min_norm_least_squares(X, y)
    np.testing.assert_allclose(X @ b, y, atol=1e-10)
    np.testing.assert_allclose(b, X.T @ np.linalg.solve(X @ X.T, y), atol=1e-10)
    null = np.linalg.svd(X)[2][8:].T @ rng.standard_normal(12)  # any other interpolator b + null
    assert np.linalg.norm(b + null) > np.linalg.norm(b)
    np.testing.assert_allclose(reg.ridge(X, y, 1e-10), b, atol=1e-6)


def test_posterior_mean_is_ridge_and_covariance_by_hand(data):
    X, y, _ = data
    m, C = reg.bayes_posterior(X, y, noise_var=0.09, prior_var=2.0)
    np.testing.assert_allclose(m, reg.ridge(X, y, 0.09 / 2.0), atol=1e-10)
    np.testing.assert_allclose(np.linalg.inv(C), X.T @ X / 0.09 + np.eye(5) / 2.0, rtol=1e-10)
    mu, var = reg.bayes_predictive(X[:3], m, C, 0.09)
    np.testing.assert_allclose(mu, X[:3] @ m)
    np.testing.assert_allclose(var, [x @ C @ x + 0.09 for x in X[:3]])


def test_posterior_is_exact_one_dimensional_conjugate_case():
    # p = 1: posterior precision sum x^2 / s2 + 1 / t2, mean (sum x y / s2) / precision
    x = np.array([[1.0], [2.0], [-1.0]])
    y = np.array([0.5, 1.0, -0.2])
    m, C = reg.bayes_posterior(x, y, 0.5, 4.0)
    prec = 6 / 0.5 + 1 / 4.0
    assert C[0, 0] == pytest.approx(1 / prec)
    assert m[0] == pytest.approx((0.5 + 2.0 + 0.2) / 0.5 / prec)


def test_min_norm_risk_against_simulation():
    rng = np.random.default_rng(4)
    n, trials = 30, 3000
    for p in (10, 60):
        beta = np.ones(p) / np.sqrt(p)
        X = rng.standard_normal((trials, n, p))
        y = X @ beta + 0.5 * rng.standard_normal((trials, n))
        B = np.linalg.pinv(X) @ y[..., None]
        risk = ((B[..., 0] - beta) ** 2).sum(axis=1).mean()
        # 3000 trials: standard error of the mean risk is a few percent
        assert risk == pytest.approx(float(reg.min_norm_risk(n, p, 1.0, 0.25)), rel=0.08)
    assert np.isinf(reg.min_norm_risk(30, 30, 1.0, 0.25))
    assert reg.min_norm_risk(30, 10, 1.0, 0.0) == 0.0


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: reg.weighted_least_squares(np.ones((3, 2)), np.ones(4)), "y must have 3 rows"),
        (lambda: reg.weighted_least_squares(np.ones((3, 2)), np.ones(3), -1.0), "noise_var must be > 0"),
        (lambda: reg.weighted_least_squares(np.ones((2, 3)), np.ones(2)), "needs n >= p"),
        (lambda: reg.ridge(np.ones((3, 2)), np.ones(3), -0.1), "lam must be >= 0"),
        (lambda: reg.ridge(np.ones(3), np.ones(3), 0.1), "X must have 2 dimensions"),
        (lambda: reg.bayes_posterior(np.ones((3, 2)), np.ones(3), 1.0, 0.0), "prior_var must be > 0"),
        (lambda: reg.bayes_predictive(np.ones((2, 3)), np.ones(2), np.eye(2), 1.0), r"X_new must have shape"),
        (lambda: reg.min_norm_risk(10, 0, 1.0, 1.0), "p must be >= 1"),
        (lambda: reg.weighted_least_squares(np.ones((3, 1)), [1.0, np.nan, 2.0]), "y must contain only finite"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_poisson_regression_group_means_exact():
    # two groups: the MLE is log of each group's mean count, exactly
    X = np.stack([np.ones(6), [0, 0, 0, 1, 1, 1]], axis=1)
    y = np.array([1, 2, 3, 4, 6, 8])
    np.testing.assert_allclose(reg.poisson_regression(X, y), [np.log(2), np.log(6 / 2)], atol=1e-12)
    Y = np.stack([y, y[::-1] + 1], axis=1)  # (n, 2) data sets at once
    B = reg.poisson_regression(X, Y)
    np.testing.assert_allclose(B[:, 1], [np.log(7), np.log(3 / 7)], atol=1e-12)


def test_poisson_regression_score_is_zero_and_fisher_is_hessian():
    rng = np.random.default_rng(3)
    X = np.stack([np.ones(30), np.linspace(-1, 1, 30)], axis=1)
    y = rng.poisson(np.exp(X @ np.array([0.5, 1.0])))
    b = reg.poisson_regression(X, y)
    np.testing.assert_allclose(X.T @ (y - np.exp(X @ b)), 0, atol=1e-9)
    # I(beta) = X^T diag(mu) X = minus the Hessian of sum(y eta - e^eta), by finite differences
    info = reg.poisson_fisher_information(X, b)

    def score(bb):
        return X.T @ (y - np.exp(X @ bb))

    h = 1e-6
    hess = np.stack([(score(b + h * e) - score(b - h * e)) / (2 * h) for e in np.eye(2)], axis=1)
    np.testing.assert_allclose(info, -hess, rtol=1e-6)
    # intercept only: I = n e^beta0 exactly; batched betas give one matrix each
    np.testing.assert_allclose(reg.poisson_fisher_information(np.ones((5, 1)), [np.log(3.0)]), [[15.0]])
    batch = reg.poisson_fisher_information(X, np.stack([b, 2 * b], axis=1))
    np.testing.assert_allclose(batch[1], reg.poisson_fisher_information(X, 2 * b))


def test_poisson_regression_refuses_no_mle():
    X = np.ones((4, 1))
    with pytest.raises(ValueError, match="n_iter"):
        reg.poisson_regression(X, np.zeros(4))
    with pytest.raises(ValueError, match="counts"):
        reg.poisson_regression(X, np.array([1.0, 0.5, 2.0, 1.0]))
