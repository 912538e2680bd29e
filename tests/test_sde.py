"""sde against exact results: closed-form OU moments (continuous and discrete), the
Fokker-Planck solution of OU and of the heat equation, Brownian covariances."""

import numpy as np
import pytest

from course_utils import denoise, sde

SQ2 = np.sqrt(2.0)


# ------------------------------------------------------------------ grids and noise
def test_time_grid_forms():
    np.testing.assert_allclose(sde.time_grid((0.0, 1.0, 4)), [0, 0.25, 0.5, 0.75, 1.0])
    t = np.array([0.0, 0.1, 0.5])
    np.testing.assert_array_equal(sde.time_grid(t), t)


def test_brownian_motion_covariance_is_min_s_t():
    out = sde.brownian_motion(20000, (0.0, 2.0, 8), seed=3)
    W = out["W"]
    assert W.shape == (9, 20000)
    assert np.all(W[0] == 0)
    cov = W @ W.T / W.shape[1]
    exact = np.minimum.outer(out["t"], out["t"])
    # Var of the estimate of E[W_s W_t] is (st + min^2)/n <= 8/20000: 5 standard errors = 0.1
    np.testing.assert_allclose(cov, exact, atol=0.1)
    assert sde.brownian_motion(3, (0, 1, 5), dim=2)["W"].shape == (6, 3, 2)


# ---------------------------------------------------------------------- integrator
def test_em_without_noise_is_explicit_euler():
    out = sde.euler_maruyama(lambda x, t: -2.0 * x, 0.0, np.ones(3), (0.0, 1.0, 10))
    np.testing.assert_allclose(out["x"][:, 0], (1 - 0.2) ** np.arange(11), rtol=1e-14)


def test_em_pure_noise_with_given_increments_is_their_cumulative_sum():
    dW = np.random.default_rng(0).standard_normal((5, 4, 2))
    out = sde.euler_maruyama(0.0, lambda x, t: 3.0, np.zeros((4, 2)), (0.0, 1.0, 5), dW=dW)
    np.testing.assert_allclose(out["x"][1:], 3.0 * np.cumsum(dW, axis=0), rtol=1e-14)
    final = sde.euler_maruyama(0.0, 3.0, np.zeros((4, 2)), (0.0, 1.0, 5), dW=dW, return_path=False)["x"]
    np.testing.assert_allclose(final, out["x"][-1])


def test_em_time_dependent_drift_sees_the_grid_time():
    # dx = t dt integrates to sum_n t_n h (left Riemann sum) exactly
    t = np.array([0.0, 0.5, 1.5, 2.0])
    out = sde.euler_maruyama(lambda x, s: s * np.ones_like(x), 0.0, np.zeros(1), t)
    assert out["x"][-1, 0] == pytest.approx(0 * 0.5 + 0.5 * 1.0 + 1.5 * 0.5)


def test_em_is_seeded():
    a = sde.euler_maruyama(lambda x, t: -x, SQ2, np.zeros(7), (0, 1, 20), seed=4)["x"]
    b = sde.euler_maruyama(lambda x, t: -x, SQ2, np.zeros(7), (0, 1, 20), seed=4)["x"]
    c = sde.euler_maruyama(lambda x, t: -x, SQ2, np.zeros(7), (0, 1, 20), seed=5)["x"]
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_em_ou_matches_discrete_moments():
    kappa, sigma, h, n = 1.5, 0.8, 0.1, 10
    x0 = np.full(40000, 2.0)
    x = sde.euler_maruyama(lambda x, t: -kappa * x, sigma, x0, (0.0, h * n, n), seed=1)["x"][-1]
    mean, var = sde.ou_em_moments(2.0, kappa, sigma, h, n)
    # standard errors: sqrt(var/n) = 0.0015 on the mean, var sqrt(2/n) = 0.0014 on the variance
    assert x.mean() == pytest.approx(mean, abs=0.008)
    assert x.var() == pytest.approx(var, abs=0.008)


# --------------------------------------------------------------- Ornstein-Uhlenbeck
def test_ou_marginal_limits_and_moment_odes():
    m, v = sde.ou_marginal(3.0, 0.0, kappa=2.0, sigma=1.0)
    assert (m, v) == (3.0, 0.0)
    m, v = sde.ou_marginal(3.0, 60.0, kappa=2.0, sigma=1.0)
    assert m == pytest.approx(0.0, abs=1e-12) and v == pytest.approx(1.0 / 4.0)
    m, v = sde.ou_marginal(1.0, 100.0)  # default kappa = 1, sigma = sqrt 2: stationary N(0, 1)
    assert v == pytest.approx(1.0)
    # dm/dt = -kappa m and dv/dt = -2 kappa v + sigma^2 (Ito), checked by central differences
    k, s, t, eps = 0.7, 1.3, 0.9, 1e-6
    (m1, v1), (m0, v0), (mc, vc) = (sde.ou_marginal(2.0, t + eps, k, s), sde.ou_marginal(2.0, t - eps, k, s),
                                    sde.ou_marginal(2.0, t, k, s))
    assert (m1 - m0) / (2 * eps) == pytest.approx(-k * mc, rel=1e-7)
    assert (v1 - v0) / (2 * eps) == pytest.approx(-2 * k * vc + s**2, rel=1e-7)


def test_ou_em_moments_small_cases_and_limit():
    assert sde.ou_em_moments(2.0, 1.0, 1.0, 0.1, 0) == (2.0, 0.0)
    m, v = sde.ou_em_moments(2.0, 1.0, 1.0, 0.1, 1)
    assert m == pytest.approx(1.8) and v == pytest.approx(0.1)
    # weak error is O(h): halving h halves the gap to the exact variance
    exact = sde.ou_marginal(0.0, 1.0, 1.0, 1.0)[1]
    gaps = [sde.ou_em_moments(0.0, 1.0, 1.0, 1.0 / n, n)[1] - exact for n in (100, 200, 400)]
    np.testing.assert_allclose(np.array(gaps[:-1]) / np.array(gaps[1:]), 2.0, rtol=0.02)


def test_ou_gmm_score_is_gradient_of_noised_mixture():
    w, mu, s = np.array([0.3, 0.7]), np.array([[-1.0, 0.5], [2.0, 0.0]]), np.array([0.2, 0.5])
    kappa, sigma, t = 0.8, 1.1, 0.4
    decay = np.exp(-kappa * t)
    v = sigma**2 * (1 - decay**2) / (2 * kappa)
    x = np.array([[0.3, -0.2], [1.5, 1.0]])

    def logp(y):
        return denoise.gmm_log_density(y, w, decay * mu, decay * s, np.sqrt(v))

    eps = 1e-6
    num = np.stack([(logp(x + eps * e) - logp(x - eps * e)) / (2 * eps) for e in np.eye(2)], axis=1)
    np.testing.assert_allclose(sde.ou_gmm_score(x, t, w, mu, s, kappa, sigma), num, rtol=1e-6, atol=1e-8)
    # long times: p_t -> N(0, sigma^2/(2 kappa)), score -> -x 2 kappa / sigma^2
    far = sde.ou_gmm_score(x, 40.0, w, mu, s, kappa, sigma)
    np.testing.assert_allclose(far, -x * 2 * kappa / sigma**2, rtol=1e-9)


@pytest.mark.parametrize("alpha", [0.0, 1.0])
def test_reverse_sde_recovers_gaussian_data(alpha):
    # data N(1, 0.5^2): the exact score transports N(0, 1) at T = 4 back to the data law
    w, mu, s = np.array([1.0]), np.array([[1.0]]), np.array([0.5])
    y0 = np.random.default_rng(0).standard_normal((4000, 1))
    out = sde.ou_reverse_sde(lambda x, t: sde.ou_gmm_score(x, t, w, mu, s), y0, 4.0, 400, alpha=alpha, seed=1)
    x = out["x"][:, 0]
    assert out["t"][0] == 4.0 and out["t"][-1] == pytest.approx(1e-3)
    # standard errors 0.008 (mean) and 0.006 (std); EM bias at h = 0.01 is of the same size
    assert x.mean() == pytest.approx(1.0, abs=0.04)
    assert x.std() == pytest.approx(np.sqrt(0.25 + 2e-3), abs=0.03)


# --------------------------------------------------------------------- Fokker-Planck
def test_fokker_planck_ou_gaussian_and_mass():
    x = np.linspace(-6, 6, 481)
    dx = x[1] - x[0]
    s0 = 0.2
    p0 = np.exp(-((x - 2.0) ** 2) / (2 * s0**2)) / np.sqrt(2 * np.pi * s0**2)
    out = sde.fokker_planck_1d(lambda y, t: -y, SQ2, p0, x, (0.0, 1.0, 200))
    p = out["p"][-1]
    assert p.sum() * dx == pytest.approx(1.0, abs=1e-12)  # zero-flux walls conserve mass exactly
    m, v = sde.ou_marginal(2.0, 1.0)
    v += s0**2 * np.exp(-2.0)
    exact = np.exp(-((x - m) ** 2) / (2 * v)) / np.sqrt(2 * np.pi * v)
    # second-order scheme at dx = 0.025, dt = 0.005: pointwise error ~1e-4 of a peak ~0.4
    np.testing.assert_allclose(p, exact, atol=2e-4)


def test_fokker_planck_heat_equation_and_stationary_state():
    x = np.linspace(-8, 8, 321)
    dx = x[1] - x[0]
    p0 = np.exp(-(x**2) / 2) / np.sqrt(2 * np.pi)
    heat = sde.fokker_planck_1d(0.0, 1.0, p0, x, np.linspace(0, 2, 101))["p"][-1]
    assert (x**2 * heat).sum() * dx == pytest.approx(3.0, rel=1e-3)  # Var = 1 + sigma^2 t
    # the Boltzmann law e^{-V} of dx = -V'(x) dt + sqrt 2 dW is stationary (double well V = x^4/4 - x^2)
    x = np.linspace(-3.5, 3.5, 281)
    peq = np.exp(-(x**4 / 4 - x**2))
    peq /= peq.sum() * (x[1] - x[0])
    p = sde.fokker_planck_1d(lambda y, t: -(y**3) + 2 * y, SQ2, peq, x, (0.0, 2.0, 100))["p"][-1]
    np.testing.assert_allclose(p, peq, atol=3e-3 * peq.max())  # O(dx^2) discretisation of the law


# ---------------------------------------------------------------- convergence orders
def test_strong_orders_gbm_half_and_additive_noise_one():
    gbm = sde.em_strong_error(lambda x, t: x, lambda x, t: 0.5 * x, 1.0, 1.0, [16, 32, 64, 128, 256],
                              n_paths=1000, exact=lambda x0, W: x0 * np.exp(0.875 + 0.5 * W))
    ou = sde.em_strong_error(lambda x, t: -x, SQ2, 1.0, 1.0, [8, 16, 32, 64], n_paths=1000, refine=8)
    assert 0.4 < sde.convergence_order(gbm["h"], gbm["error"]) < 0.75
    assert 0.85 < sde.convergence_order(ou["h"], ou["error"]) < 1.15
    assert np.all(gbm["se"] < 0.1 * gbm["error"])


def test_convergence_order_exact_power():
    h = np.array([0.1, 0.05, 0.025])
    assert sde.convergence_order(h, 3 * h**1.5) == pytest.approx(1.5)


# -------------------------------------------------------------------------- bad input
X3, Y0 = [0.0, 1.0, 2.0], np.zeros((2, 1))


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: sde.time_grid((1.0, 0.0, 5)), "t1 > t0"),
        (lambda: sde.time_grid((0.0, 1.0, 0)), "n_steps must be >= 1"),
        (lambda: sde.time_grid([0.0, 0.0, 1.0]), "strictly increasing"),
        (lambda: sde.euler_maruyama(0.0, 1.0, np.zeros((2, 2, 2)), (0, 1, 3)), "x0 must have 1 or 2"),
        (lambda: sde.euler_maruyama(0.0, 1.0, np.zeros(3), (0, 1, 3), dW=np.ones((3, 4))), "dW must have"),
        (lambda: sde.euler_maruyama(lambda x, t: np.zeros(5), 1.0, np.zeros(3), (0, 1, 3)), "drift"),
        (lambda: sde.euler_maruyama(0.0, 1.0, [np.nan, 0.0], (0, 1, 3)), "x0 must contain only finite"),
        (lambda: sde.ou_marginal(1.0, 1.0, kappa=0.0), "kappa must be > 0"),
        (lambda: sde.ou_marginal(1.0, 1.0, sigma=-1.0), "sigma must be > 0"),
        (lambda: sde.ou_marginal(1.0, -1.0), "t must be >= 0"),
        (lambda: sde.ou_em_moments(1.0, 1.0, 1.0, 2.5, 3), "kappa h < 2"),
        (lambda: sde.fokker_planck_1d(0.0, 1.0, np.ones(3), [0.0, 1.0, 3.0], (0, 1, 2)), "uniform"),
        (lambda: sde.fokker_planck_1d(0.0, 1.0, -np.ones(3), X3, (0, 1, 2)), "p0 must be >= 0"),
        (lambda: sde.fokker_planck_1d(0.0, 1.0, np.ones(4), X3, (0, 1, 2)), "p0 must have shape"),
        (lambda: sde.ou_reverse_sde(lambda x, t: -x, Y0, 1.0, 10, t_min=2.0), "t_min must be < T"),
        (lambda: sde.ou_reverse_sde(lambda x, t: -x, Y0, 1.0, 10, alpha=-1.0), "alpha must be >= 0"),
        (lambda: sde.ou_gmm_score(np.zeros((2, 1)), 0.0, [1.0], [[0.0]], [1.0]), "t must be > 0"),
        (lambda: sde.em_strong_error(0.0, 1.0, 0.0, 1.0, [3, 4]), "divide the largest"),
        (lambda: sde.em_strong_error(0.0, 1.0, 0.0, 1.0, [2.5, 4]), "integers"),
        (lambda: sde.convergence_order([0.1], [0.2]), "at least 2"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
