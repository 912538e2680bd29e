"""diffusion against exact results: closed-form scores, enumeration, exact Gaussian recursions."""

import itertools

import numpy as np
import pytest
from scipy import special, stats

from course_utils import diffusion as df


def numerical_score(log_p, x, eps=1e-5):
    """Central finite differences of log p at each row of x."""
    g = np.zeros_like(x)
    for i in range(x.shape[1]):
        e = np.zeros(x.shape[1])
        e[i] = eps
        g[:, i] = (log_p(x + e) - log_p(x - e)) / (2 * eps)
    return g


# ------------------------------------------------------------------------- forward process
def test_delta_and_forward_marginal_moments():
    assert df.delta(0.0) == 0.0
    np.testing.assert_allclose(df.delta(np.array([0.5, 3.0])), 1 - np.exp(-2 * np.array([0.5, 3.0])))
    a = np.full((40000, 2), 2.0)
    x = df.forward_marginal(a, 0.7, seed=1)
    # 40000 samples: SE of the mean ~ 0.005, of the variance ~ 0.006
    np.testing.assert_allclose(x.mean(axis=0), 2 * np.exp(-0.7), atol=0.03)
    np.testing.assert_allclose(x.var(axis=0), df.delta(0.7), atol=0.03)
    per_sample = df.forward_marginal(np.ones((3, 1)), np.array([0.0, 1.0, 2.0]), seed=0)
    assert per_sample[0, 0] == 1.0  # t = 0 returns the data


# ---------------------------------------------------------------------------------- scores
def test_gaussian_score_is_grad_log_density():
    var = np.array([4.0, 0.25])
    t = 0.3
    gam = var * np.exp(-2 * t) + df.delta(t)
    x = np.random.default_rng(0).standard_normal((5, 2))
    log_p = lambda y: stats.norm.logpdf(y, scale=np.sqrt(gam)).sum(axis=1)
    np.testing.assert_allclose(df.gaussian_score(x, t, var), numerical_score(log_p, x), rtol=1e-6)


def test_mixture_score_matches_finite_differences_of_log_density():
    means = np.array([[1.0, -0.5], [-2.0, 0.3], [0.0, 2.0]])
    w = np.array([0.2, 0.5, 0.3])
    var, t = 0.4, 0.6
    v_t = var * np.exp(-2 * t) + df.delta(t)

    def log_p(y):
        comp = [np.log(wk) + stats.multivariate_normal.logpdf(y, mk * np.exp(-t), v_t) for wk, mk in zip(w, means)]
        return special.logsumexp(np.stack(comp), axis=0)

    x = np.random.default_rng(1).standard_normal((6, 2)) * 2
    np.testing.assert_allclose(df.mixture_score(x, t, means, var, w), numerical_score(log_p, x), rtol=1e-6, atol=1e-8)
    r = df.posterior_weights(x, t, means, var, w)
    np.testing.assert_allclose(r.sum(axis=1), 1.0)


def test_empirical_score_is_mixture_of_point_masses_and_tweedie_denoises():
    data = np.array([[0.0, 0.0], [3.0, 1.0]])
    t = 1e-3
    # a point next to the second training point: posterior weight ~ 1, Tweedie returns a^2
    x = data[1:] * np.exp(-t) + 0.01
    np.testing.assert_allclose(df.posterior_weights(x, t, data)[0], [0.0, 1.0], atol=1e-12)
    denoised = df.posterior_mean(x, t, lambda y, s: df.empirical_score(y, s, data))
    np.testing.assert_allclose(denoised, data[1:], atol=1e-12)
    np.testing.assert_allclose(df.empirical_score(x, t, data), df.mixture_score(x, t, data, var=0.0))


def test_curie_weiss_score_matches_enumeration():
    # p_0 as an explicit mixture of all 2^N spin states with Boltzmann weights: exact score
    N, beta = 8, 1.5
    S = np.array(list(itertools.product([-1.0, 1.0], repeat=N)))
    w = np.exp(beta * S.sum(1) ** 2 / (2 * N))
    w /= w.sum()
    x = np.random.default_rng(2).standard_normal((6, N)) * 1.3
    for t in (0.05, 0.5, 2.0):
        np.testing.assert_allclose(df.curie_weiss_score(x, t, beta), df.mixture_score(x, t, S, 0.0, w), atol=1e-6)


def test_curie_weiss_law_and_samples():
    N, beta = 12, 0.8
    M, P = df.curie_weiss_magnetization(N, beta)
    S = np.array(list(itertools.product([-1.0, 1.0], repeat=N)))
    w = np.exp(beta * S.sum(1) ** 2 / (2 * N))
    exact_m2 = (w * S.sum(1) ** 2).sum() / w.sum()
    assert P @ M**2 == pytest.approx(exact_m2, rel=1e-12)
    s = df.curie_weiss_sample(N, beta, 20000, seed=3)
    assert set(np.unique(s)) == {-1.0, 1.0}
    # SE of <M^2> from 20000 samples ~ 0.2 (M^2 has std ~ 30)
    assert (s.sum(1) ** 2).mean() == pytest.approx(exact_m2, abs=1.0)
    # given M, the spins are exchangeable: every site has the same up-probability
    assert np.abs(s.mean(axis=0)).max() < 0.05


# -------------------------------------------------------------------------------- samplers
def test_em_recursion_matches_simulation_and_converges_first_order():
    var = np.array([2.0, 0.3])
    grid = np.linspace(4.0, 0.0, 11)
    x0 = np.random.default_rng(4).standard_normal((40000, 2))
    out = df.backward_sde(lambda x, t: df.gaussian_score(x, t, var), x0, grid, seed=5)
    v_th = df.em_gaussian_variance(var, grid)[-1]
    # sample variance SE = v sqrt(2/B) ~ 0.7% of v; allow 5 SE
    np.testing.assert_allclose(out["x"].var(axis=0), v_th, rtol=0.035)
    # weak order 1: the error at t = 0 halves when the step halves (start mismatch ~ e^{-16})
    err = [np.abs(df.em_gaussian_variance(var, np.linspace(8.0, 0.0, K + 1))[-1] - var) for K in (400, 800)]
    np.testing.assert_allclose(err[0] / err[1], 2.0, rtol=0.05)


def test_exact_gaussian_backward_sampler_reproduces_target_with_few_steps():
    var = np.array([4.0, 0.25])
    x0 = np.random.default_rng(6).standard_normal((40000, 2))
    x = df.gaussian_backward_exact(x0, [6.0, 2.0, 0.5, 0.0], var, seed=7)
    np.testing.assert_allclose(x.var(axis=0), var, rtol=0.035)  # 5 SE, as above
    assert np.abs(x.mean(axis=0) / np.sqrt(var)).max() < 0.025


def test_backward_sde_observe_and_shapes():
    grid = np.linspace(2.0, 0.0, 5)
    out = df.backward_sde(lambda x, t: -x, np.zeros((3, 2)), grid, seed=0, observe=lambda x, t: x[:, 0] * 0 + t)
    assert out["x"].shape == (3, 2)
    np.testing.assert_allclose(out["observed"][:, 0], grid)
    a = df.backward_sde(lambda x, t: -x, np.zeros((3, 2)), grid, seed=9)["x"]
    b = df.backward_sde(lambda x, t: -x, np.zeros((3, 2)), grid, seed=9)["x"]
    np.testing.assert_array_equal(a, b)


def test_backward_with_mixture_score_reproduces_class_balance_and_spread():
    means = np.array([[2.0, 2.0], [-2.0, -2.0]])
    grid = np.linspace(5.0, 0.0, 201)
    x0 = np.random.default_rng(8).standard_normal((4000, 2))
    x = df.backward_sde(lambda y, t: df.mixture_score(y, t, means, 0.25), x0, grid, seed=9)["x"]
    frac = (x.sum(1) > 0).mean()
    assert frac == pytest.approx(0.5, abs=0.04)  # binomial SE 0.008; EM bias is symmetric
    spread = x - np.sign(x.sum(1))[:, None] * 2.0
    assert spread.var() == pytest.approx(0.25, rel=0.15)  # first-order EM bias at h = 0.025


# ------------------------------------------------------------------ speciation, collapse
def test_speciation_and_collapse_closed_forms():
    assert df.speciation_time(np.e**2) == pytest.approx(1.0)
    assert df.collapse_time(100, 2) == pytest.approx(-0.5 * np.log(1 - 0.01))
    # more data -> later collapse (smaller t_C); higher d -> earlier collapse
    assert df.collapse_time(1000, 16) < df.collapse_time(100, 16) < df.collapse_time(100, 64)


def test_commitment_probability_limits_and_large_lambda_form():
    q0 = np.array([-3.0, 3.0])
    c = df.commitment_probability(np.array([1e-6, 20.0]), q0)
    np.testing.assert_allclose(c, [1.0, 0.5], atol=1e-6)
    # point masses at +-sqrt(Lambda): c(t_S) -> Phi(1) as Lambda -> infinity, with O(1/Lambda) error
    Lam = 1e6
    tS = df.speciation_time(Lam)
    assert df.commitment_probability(tS, np.sqrt([Lam])) == pytest.approx(stats.norm.cdf(1.0), abs=1e-5)
    # against a Monte Carlo of the forward process for a Gaussian q0
    rng = np.random.default_rng(10)
    q_start = 2.0 + rng.standard_normal(200000)
    q_t = q_start * np.exp(-1.0) + np.sqrt(df.delta(1.0)) * rng.standard_normal(q_start.size)
    mc = np.mean(np.sign(q_t) == np.sign(q_start))
    nodes, weights = np.polynomial.hermite_e.hermegauss(40)
    assert df.commitment_probability(1.0, 2.0 + nodes, weights / weights.sum()) == pytest.approx(mc, abs=0.005)


# -------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: df.delta(-1.0), "t must be >= 0"),
        (lambda: df.forward_marginal(np.ones(3), 1.0), "a must have 2 dimensions"),
        (lambda: df.forward_marginal(np.ones((3, 2)), np.ones(2)), "t must be a scalar or have shape"),
        (lambda: df.gaussian_score(np.ones((2, 3)), 1.0, [1.0, 2.0]), "var must be a scalar or have shape"),
        (lambda: df.gaussian_score(np.ones((2, 3)), 1.0, -1.0), "var must be > 0"),
        (lambda: df.mixture_score(np.ones((2, 3)), 1.0, np.ones((2, 2))), "means must have shape"),
        (lambda: df.mixture_score(np.ones((2, 2)), 1.0, np.ones((2, 2)), weights=[0.3, 0.3]), "weights must sum to 1"),
        (lambda: df.empirical_score(np.ones((2, 2)), 0.0, np.ones((3, 2))), "t must be > 0"),
        (lambda: df.curie_weiss_score(np.ones((2, 4)), 1.0, beta=0.0), "beta must be > 0"),
        (lambda: df.curie_weiss_magnetization(0, 1.0), "N must be >= 1"),
        (lambda: df.backward_sde(lambda x, t: x, np.ones((2, 2)), [0.0, 1.0]), "t_grid must be strictly decreasing"),
        (lambda: df.backward_sde(lambda x, t: x, np.ones((2, 2)), [1.0]), "t_grid must be strictly decreasing"),
        (lambda: df.gaussian_backward_exact(np.ones((2, 2)), [1.0, -0.5], 1.0), "t_grid must be strictly decreasing"),
        (lambda: df.speciation_time(0.5), "Lambda must be > 1"),
        (lambda: df.collapse_time(1, 4), "n must be >= 2"),
        (lambda: df.commitment_probability(0.0, [1.0]), "t must be > 0"),
        (lambda: df.gaussian_score(np.array([[np.nan, 1.0]]), 1.0, 1.0), "x must contain only finite"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# -------------------------------------------------- general f(t), g(t) forward processes
def test_schedule_coefficients_solve_eq_16_14():
    from scipy import integrate

    t = np.array([0.0, 0.3, 1.0])
    for kind in ("ou", "ve", "vp"):
        c = df.schedule(kind, t, beta_min=0.1, beta_max=20.0)
        for i, ti in enumerate(t):
            f_int = integrate.quad(lambda u, k=kind: df.schedule(k, u)["f"], 0.0, ti)[0]
            s2 = integrate.quad(lambda u, k=kind: 2 * (df.schedule(k, u)["g"] / df.schedule(k, u)["s"]) ** 2,
                                0.0, ti)[0]
            assert c["s"][i] == pytest.approx(np.exp(f_int), rel=1e-10)
            assert c["sigma2"][i] == pytest.approx(s2, rel=1e-8, abs=1e-14)
    ou = df.schedule("ou", t)
    np.testing.assert_allclose(ou["s"] ** 2 * ou["sigma2"], df.delta(t), rtol=1e-14, atol=1e-300)
    ve = df.schedule("ve", 0.7)
    assert (ve["f"], ve["g"], ve["s"], ve["sigma2"]) == (0.0, 1.0, 1.0, 1.4)
    vp = df.schedule("vp", t, beta_min=0.5, beta_max=3.0)
    np.testing.assert_allclose(vp["s"] ** 2 * (1 + vp["sigma2"]), 1.0, rtol=1e-14)  # variance preserving
    assert df.schedule("vp", 1.0, beta_min=0.5, beta_max=3.0)["sigma2"] == pytest.approx(np.expm1(0.5 + 1.25))


def test_schedule_time_inverts_sigma2():
    t = np.array([0.0, 0.05, 0.4, 1.0])
    for kind, kw in (("ou", {}), ("ve", {}), ("vp", {}), ("vp", dict(beta_min=2.0, beta_max=2.0))):
        sigma2 = df.schedule(kind, t, **kw)["sigma2"]
        np.testing.assert_allclose(df.schedule_time(kind, sigma2, **kw), t, rtol=1e-12, atol=1e-15)
    assert df.schedule_time("ve", 16.0) == 8.0
    assert df.schedule_time("ou", np.e**2 - 1) == pytest.approx(1.0)


def test_schedule_backward_ou_sde_is_backward_sde():
    grid = np.linspace(3.0, 0.1, 30)
    x0 = np.random.default_rng(1).standard_normal((50, 3))
    score = lambda x, t: df.gaussian_score(x, t, np.array([4.0, 1.0, 0.25]))
    a = df.backward_sde(score, x0, grid, seed=4)["x"]
    b = df.schedule_backward(score, x0, grid, "ou", seed=4)["x"]
    np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13)


def test_probability_flow_ode_maps_gaussians_exactly():
    # N(0, var) data: p_t = N(0, s^2 (var + sigma^2)), and the flow is linear: x(0) = x(t_f) sqrt(var / Gamma_f)
    var = np.array([4.0, 0.25])
    for kind, t_f in (("ou", 4.0), ("ve", 50.0), ("vp", 1.0)):
        def score(x, t, kind=kind):
            c = df.schedule(kind, t)
            return -x / (c["s"] ** 2 * (var + c["sigma2"]))
        grid = df.schedule_time(kind, np.geomspace(df.schedule(kind, t_f)["sigma2"], 1e-6, 2001))
        x_f = np.array([[1.0, 1.0], [-2.0, 0.5]])
        out = df.schedule_backward(score, x_f, grid, kind, method="ode", observe=lambda x, t: x[0])
        c_f, c_0 = df.schedule(kind, grid[0]), df.schedule(kind, grid[-1])
        ratio = np.sqrt(c_0["s"] ** 2 * (var + c_0["sigma2"]) / (c_f["s"] ** 2 * (var + c_f["sigma2"])))
        np.testing.assert_allclose(out["x"], x_f * ratio, rtol=1e-4)
        assert out["observed"].shape == (grid.size, 2)


def test_schedule_sde_reproduces_gaussian_variance():
    var = 0.25
    for kind in ("ve", "vp"):
        grid = df.schedule_time(kind, np.geomspace(100.0, 1e-4, 400))
        c_f = df.schedule(kind, grid[0])
        x_f = np.random.default_rng(2).standard_normal((20000, 1)) * np.sqrt(c_f["s"] ** 2 * (var + c_f["sigma2"]))

        def score(x, t, kind=kind):
            c = df.schedule(kind, t)
            return -x / (c["s"] ** 2 * (var + c["sigma2"]))
        x = df.schedule_backward(score, x_f, grid, kind, seed=3)["x"]
        c_0 = df.schedule(kind, grid[-1])
        # SE of a variance from 20000 draws: 1%; the Euler-Maruyama bias on this grid is below that
        assert x.var() == pytest.approx(c_0["s"] ** 2 * (var + c_0["sigma2"]), rel=0.05)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: df.schedule("cosine", 0.5), "kind must be one of"),
        (lambda: df.schedule("vp", 0.5, beta_min=2.0, beta_max=1.0), "beta_max must be >= beta_min"),
        (lambda: df.schedule("ve", -0.5), "t must be >= 0"),
        (lambda: df.schedule_time("ou", -1.0), "sigma2 must be >= 0"),
        (lambda: df.schedule_backward(lambda x, t: x, np.ones((2, 2)), [1.0, 0.5], "ou", method="heun"),
         "method must be"),
        (lambda: df.schedule_backward(lambda x, t: x, np.ones((2, 2)), [0.5, 1.0], "ve"), "t_grid must be strictly"),
    ],
)
def test_schedule_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
