"""interpolants against exact results: boundary conditions, finite differences, Monte Carlo
conditional expectations, integrator orders and scipy's energy distance."""

import numpy as np
import pytest
from scipy import stats

from course_utils import interpolants as si

SCHEDULES = [si.schedule("linear"), si.schedule("trig"), si.schedule("linear", 1.5), si.schedule("trig", 2.0)]
MIX = dict(weights=np.array([0.6, 0.4]), means=np.array([[2.0, 0.0], [-1.0, 1.5]]), stds=np.array([0.5, 0.3]))


@pytest.mark.parametrize("sched", SCHEDULES, ids=lambda s: s.name)
def test_boundary_conditions_and_derivatives(sched):
    a, b, g, *_ = sched.coefficients(np.array([0.0, 1.0]))
    np.testing.assert_allclose(a, [1.0, 0.0], atol=1e-15)
    np.testing.assert_allclose(b, [0.0, 1.0], atol=1e-15)
    np.testing.assert_allclose(g, [0.0, 0.0], atol=1e-15)
    t = np.linspace(0.05, 0.95, 7)
    h = 1e-6
    plus, minus, here = sched.coefficients(t + h), sched.coefficients(t - h), sched.coefficients(t)
    for k in range(3):  # central difference error ~ h^2
        np.testing.assert_allclose((plus[k] - minus[k]) / (2 * h), here[k + 3], atol=1e-7)


def test_interpolate_endpoints_and_time_derivative():
    r = np.random.default_rng(0)
    x0, x1, z = r.standard_normal((3, 5, 2))
    sched = si.schedule("trig", 1.0)
    np.testing.assert_allclose(si.interpolate(x0, x1, z, 0.0, sched)[0], x0, atol=1e-15)
    np.testing.assert_allclose(si.interpolate(x0, x1, z, 1.0, sched)[0], x1, atol=1e-15)
    t, h = 0.3, 1e-6
    fd = (si.interpolate(x0, x1, z, t + h, sched)[0] - si.interpolate(x0, x1, z, t - h, sched)[0]) / (2 * h)
    np.testing.assert_allclose(si.interpolate(x0, x1, z, t, sched)[1], fd, atol=1e-7)
    per_sample = si.interpolate(x0, x1, z, np.linspace(0, 1, 5), sched)[0]
    np.testing.assert_allclose(per_sample[0], x0[0], atol=1e-15)
    np.testing.assert_allclose(per_sample[-1], x1[-1], atol=1e-15)


def test_gaussian_to_gaussian_velocity_closed_form():
    # one component N(mu, s^2): b_t(x) = beta' mu + kappa / c (x - beta mu), linear in x
    sched = si.schedule("linear")
    mu, s = np.array([[1.0, -2.0]]), 0.5
    t = 0.4
    x = np.random.default_rng(1).standard_normal((4, 2))
    c = (1 - t) ** 2 + t**2 * s**2
    kappa = -(1 - t) + t * s**2
    expected = mu + kappa / c * (x - t * mu)
    got = si.exact_velocity_gaussian_mixture(x, t, sched, [1.0], mu, [s])
    np.testing.assert_allclose(got, expected, rtol=1e-12)


@pytest.mark.parametrize("sched", [si.schedule("linear"), si.schedule("trig", 2.0)], ids=["linear", "trig-noisy"])
def test_exact_velocity_and_denoiser_against_monte_carlo(sched):
    # E[dI/dt | I_t in a small ball around x] from 10^6 draws, against the closed forms
    r = np.random.default_rng(2)
    n, t = 1_000_000, 0.5
    k = r.choice(2, size=n, p=MIX["weights"])
    x1 = MIX["means"][k] + MIX["stds"][k, None] * r.standard_normal((n, 2))
    x0, z = r.standard_normal((2, n, 2))
    I, dI = si.interpolate(x0, x1, z, t, sched)
    for xq in (np.array([0.5, 0.2]), np.array([-0.3, 0.6])):
        near = np.sum((I - xq) ** 2, axis=1) < 0.05**2
        b_mc = dI[near].mean(axis=0)
        se = dI[near].std(axis=0) / np.sqrt(near.sum())
        b_th = si.exact_velocity_gaussian_mixture(xq[None], t, sched, **MIX)[0]
        # 5 SE of the ball average plus the O(radius^2) bias of averaging over the ball
        assert np.all(np.abs(b_mc - b_th) < 5 * se + 0.02), (b_mc, b_th, se)
        g = float(sched.coefficients(t)[2])
        if g > 0:  # denoiser eta = E[z | x] = -gamma * score
            eta_mc = z[near].mean(axis=0)
            eta_th = -g * si.exact_score_gaussian_mixture(xq[None], t, sched, **MIX)[0]
            assert np.all(np.abs(eta_mc - eta_th) < 5 * z[near].std(axis=0) / np.sqrt(near.sum()) + 0.02)


def test_exact_score_is_gradient_of_log_density():
    sched = si.schedule("trig", 1.0)
    t = 0.6
    a, b, g, *_ = (float(c) for c in sched.coefficients(t))

    def log_p(y):
        c = a**2 + b**2 * MIX["stds"] ** 2 + g**2
        comps = [w * stats.multivariate_normal.pdf(y, b * m, ck) for w, m, ck in zip(MIX["weights"], MIX["means"], c)]
        return np.log(np.sum(comps, axis=0))

    x = np.random.default_rng(3).standard_normal((5, 2))
    h = 1e-5
    fd = np.stack([(log_p(x + h * e) - log_p(x - h * e)) / (2 * h) for e in np.eye(2)], axis=1)
    np.testing.assert_allclose(si.exact_score_gaussian_mixture(x, t, sched, **MIX), fd, rtol=1e-6, atol=1e-8)


def test_ode_integrators_have_orders_one_and_two():
    # dX/dt = -X, X_1 = X_0 e^{-1} exactly
    x0 = np.ones((1, 1))
    errs = {m: [abs(si.ode_sample(lambda x, t: -x, x0, K, method=m)[0, 0] - np.exp(-1)) for K in (20, 40)]
            for m in ("euler", "heun")}
    assert errs["euler"][0] / errs["euler"][1] == pytest.approx(2.0, rel=0.05)
    assert errs["heun"][0] / errs["heun"][1] == pytest.approx(4.0, rel=0.05)


def test_ode_with_exact_velocity_transports_to_target_moments():
    sched = si.schedule("linear")
    x0 = np.random.default_rng(4).standard_normal((20000, 2))
    x1 = si.ode_sample(lambda x, t: si.exact_velocity_gaussian_mixture(x, t, sched, **MIX), x0, 60)
    mean = MIX["weights"] @ MIX["means"]
    np.testing.assert_allclose(x1.mean(axis=0), mean, atol=0.05)  # SE ~ 0.011
    frac = np.mean(np.linalg.norm(x1 - MIX["means"][0], axis=1) < 1.5)
    assert frac == pytest.approx(0.6, abs=0.02)  # cluster weight, binomial SE 0.0035


def test_sde_keeps_the_marginals_for_a_gaussian():
    # base N(0,1) -> target N(0, 4) with the linear schedule; SDE with eps = 1 must give variance 4
    sched = si.schedule("linear")
    mix = dict(weights=[1.0], means=np.zeros((1, 1)), stds=[2.0])
    b = lambda x, t: si.exact_velocity_gaussian_mixture(x, t, sched, **mix)
    s = lambda x, t: si.exact_score_gaussian_mixture(x, t, sched, **mix)
    x0 = np.random.default_rng(5).standard_normal((40000, 1))
    x1 = si.sde_sample(b, s, x0, 400, eps=1.0, seed=6)
    assert x1.var() == pytest.approx(4.0, rel=0.04)  # SE 0.7%, EM bias O(h) ~ 1%


def test_energy_distance_matches_scipy_and_vanishes_for_equal_samples():
    r = np.random.default_rng(7)
    x, y = r.standard_normal((300, 1)), 0.5 + r.standard_normal((200, 1))
    assert np.sqrt(si.energy_distance(x, y)) == pytest.approx(stats.energy_distance(x[:, 0], y[:, 0]), rel=1e-10)
    assert si.energy_distance(x, x) == pytest.approx(0.0, abs=1e-12)
    assert si.energy_distance(x, y) > 0


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: si.schedule("cubic"), "kind must be 'linear' or 'trig'"),
        (lambda: si.schedule("linear", -1.0), "noise must be >= 0"),
        (lambda: si.schedule("linear").coefficients(1.5), r"t must lie in \[0, 1\]"),
        (lambda: si.interpolate(np.ones((2, 2)), np.ones((3, 2)), np.ones((2, 2)), 0.5, si.schedule()),
         "x1 must have shape"),
        (lambda: si.exact_velocity_gaussian_mixture(np.ones((2, 3)), 0.5, si.schedule(), **MIX),
         "means must have shape"),
        (lambda: si.exact_velocity_gaussian_mixture(np.ones((2, 2)), 0.5, si.schedule(), [0.5, 0.6], MIX["means"],
                                                    MIX["stds"]), "weights must sum to 1"),
        (lambda: si.exact_score_gaussian_mixture(np.ones((2, 2)), 0.5, si.schedule(), MIX["weights"], MIX["means"],
                                                 [0.5, 0.0]), "stds must be > 0"),
        (lambda: si.ode_sample(lambda x, t: x, np.ones((2, 2)), 0), "n_steps must be >= 1"),
        (lambda: si.ode_sample(lambda x, t: x, np.ones((2, 2)), 4, method="rk4"), "method must be"),
        (lambda: si.sde_sample(lambda x, t: x, lambda x, t: x, np.ones((2, 2)), 4, eps=-1.0), "eps must be >= 0"),
        (lambda: si.energy_distance(np.ones((3, 2)), np.ones((3, 3))), "same dimension"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("kind, noise", [("linear", 0.0), ("linear", 1.0), ("trig", 0.0), ("trig", 2.0)])
def test_score_from_velocity_is_exact_for_gaussian_base(kind, noise):
    sched = si.schedule(kind, noise)
    w, mu, s = np.array([0.6, 0.4]), np.array([[2.0, 0.0], [-1.0, 1.5]]), np.array([0.5, 0.8])
    x = np.random.default_rng(3).normal(size=(50, 2)) * 2
    for t in (0.0, 0.2, 0.5, 0.9):
        b = si.exact_velocity_gaussian_mixture(x, t, sched, w, mu, s)
        np.testing.assert_allclose(si.score_from_velocity(b, x, t, sched),
                                   si.exact_score_gaussian_mixture(x, t, sched, w, mu, s), rtol=1e-10, atol=1e-12)


def test_score_from_velocity_linear_gamma_zero_closed_form_and_endpoint():
    sched = si.schedule("linear")
    x, b = np.array([[1.0, -2.0]]), np.array([[0.5, 3.0]])
    np.testing.assert_allclose(si.score_from_velocity(b, x, 0.25, sched), (0.25 * b - x) / 0.75, rtol=1e-14)
    with pytest.raises(ValueError, match="cannot be read off"):
        si.score_from_velocity(b, x, 1.0, sched)
    with pytest.raises(ValueError, match="b must have shape"):
        si.score_from_velocity(np.zeros((2, 2)), x, 0.5, sched)
