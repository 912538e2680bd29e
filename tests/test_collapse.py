"""collapse against exact results: chi-square laws, inverse-Wishart means and Zipf sums."""

import numpy as np
import pytest
from scipy import special, stats

from course_utils import collapse


# ------------------------------------------------------------------------ Gaussian refit
def test_refit_chain_shapes_start_and_determinism():
    a = collapse.gaussian_refit_chain(5, 10, n_chains=3, seed=4)
    b = collapse.gaussian_refit_chain(5, 10, n_chains=3, seed=4)
    assert a["mean"].shape == a["var"].shape == (3, 6)
    np.testing.assert_array_equal(a["var"], b["var"])
    np.testing.assert_array_equal(a["mean"][:, 0], 0.0)
    np.testing.assert_array_equal(a["var"][:, 0], 1.0)
    assert np.all(a["var"] > 0)


def test_refit_mean_variance_follows_t_minus_one_over_t_power():
    T, n_chains = 10, 20000
    var = collapse.gaussian_refit_chain(6, T, n_chains=n_chains, seed=0)["var"]
    n = np.arange(7)
    exact = collapse.expected_refit_variance(n, T)
    np.testing.assert_allclose(exact, 0.9**n)
    se = var.std(axis=0, ddof=1) / np.sqrt(n_chains)
    assert np.all(np.abs(var.mean(axis=0) - exact) < 4 * se + 1e-12)  # 4 standard errors


def test_refit_log_variance_drifts_down_even_when_unbiased():
    T, n_chains, n_gen = 8, 20000, 30
    for ddof in (0, 1):
        var = collapse.gaussian_refit_chain(n_gen, T, n_chains=n_chains, seed=1, ddof=ddof)["var"]
        logv = np.log(var)
        exact = collapse.expected_refit_log_variance(np.arange(n_gen + 1), T, ddof=ddof)
        se = logv.std(axis=0, ddof=1) / np.sqrt(n_chains)
        assert np.all(np.abs(logv.mean(axis=0) - exact) < 4 * se + 1e-12)
        assert exact[-1] < -1.0  # typical variance shrinks by e^-1 or more after 30 refits
    # the unbiased chain keeps E[var_n] = 1 while its median collapses
    assert collapse.expected_refit_variance(30, T, ddof=1) == 1.0


def test_log_chi_square_mean_by_quadrature():
    # E log(chi2_k / m) = psi(k/2) + log(2/m), the one-step drift used above
    for T, ddof in ((5, 0), (12, 1)):
        k, m = T - 1, T - ddof
        numeric = stats.chi2(k).expect(lambda x, m=m: np.log(x / m))
        assert collapse.expected_refit_log_variance(1, T, ddof=ddof) == pytest.approx(numeric, rel=1e-8)


def test_refit_second_moment_is_a_martingale():
    # E[mu_{n+1}^2 + var_{n+1} | n] = mu_n^2 + var_n/T + var_n (T-1)/T: the second moment stays 1
    out = collapse.gaussian_refit_chain(4, 5, n_chains=40000, seed=2)
    m2 = out["mean"] ** 2 + out["var"]
    se = m2.std(axis=0, ddof=1) / np.sqrt(m2.shape[0])
    assert np.all(np.abs(m2.mean(axis=0) - 1.0) < 4 * se + 1e-12)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_generations=0, n_samples=5), "n_generations must be >= 1"),
        (dict(n_generations=3, n_samples=1), "n_samples must be >= 2"),
        (dict(n_generations=3, n_samples=5, n_chains=0), "n_chains must be >= 1"),
        (dict(n_generations=3, n_samples=5.0), "n_samples must be an integer"),
        (dict(n_generations=3, n_samples=5, ddof=2), "ddof must be <= 1"),
    ],
)
def test_refit_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        collapse.gaussian_refit_chain(**kwargs)


# ------------------------------------------------------------------ regression collapse
def test_wishart_draws_have_inverse_wishart_trace():
    rng = np.random.default_rng(0)
    d, n, trials = 5, 12, 40000
    G, F = collapse._gram_and_root(rng, n, trials, d)
    np.testing.assert_allclose(F @ np.swapaxes(F, 1, 2), G, atol=1e-10)
    np.testing.assert_allclose(G.mean(axis=0), n * np.eye(d), atol=0.1)  # se of an entry ~ 0.017
    tr = np.trace(np.linalg.inv(G), axis1=1, axis2=2)
    assert tr.mean() == pytest.approx(d / (n - d - 1), abs=4 * tr.std() / np.sqrt(trials))
    G_small, F_small = collapse._gram_and_root(rng, 3, 2, d)  # n < d: explicit rows, rank 3
    assert F_small.shape == (2, d, 3) and np.linalg.matrix_rank(G_small[0]) == 3


def test_regression_collapse_matches_additive_law():
    d, T, T0, sigma, n_gen, trials = 10, 30, 40, 0.5, 8, 4000
    sim = collapse.regression_collapse(d, T, T0, sigma, n_gen, trials, seed=3)
    exact = collapse.regression_collapse_theory(d, T, T0, sigma, n_gen)
    assert exact[0] == pytest.approx(0.25 * 10 / 29)
    assert exact[-1] == pytest.approx(0.25 * 10 / 29 + 8 * 0.25 * 10 / 19)
    # ||w_n - w0||^2 has relative std ~ 1 (sum of d heavy-ish tailed terms); 4000 trials -> ~2% error
    np.testing.assert_allclose(sim, exact, rtol=0.06)


def test_regression_without_noise_is_exact_and_real_data_resets_the_error():
    assert np.all(collapse.regression_collapse(5, 12, 9, 0.0, 4, 10, seed=0) < 1e-20)
    # real_fraction = 1: every generation is a fresh OLS fit on real data
    d, T, sigma = 6, 20, 1.0
    sim = collapse.regression_collapse(d, T, 30, sigma, 5, 6000, seed=1, real_fraction=1.0)
    np.testing.assert_allclose(sim[1:], sigma**2 * d / (T - d - 1), rtol=0.06)
    half = collapse.regression_collapse(d, T, 30, sigma, 30, 2000, seed=1, real_fraction=0.5)
    pure = collapse.regression_collapse(d, T, 30, sigma, 30, 2000, seed=1)
    assert half[-1] < 0.3 * pure[-1]  # mixing keeps the error bounded, pure self-training grows linearly


def test_growing_sample_schedule_and_ridge_limits():
    d, T0, sigma, n_gen = 5, 20, 1.0, 6
    sizes = 20 * np.arange(1, n_gen + 1) ** 2
    sim = collapse.regression_collapse(d, sizes, T0, sigma, n_gen, 4000, seed=2)
    exact = collapse.regression_collapse_theory(d, sizes, T0, sigma, n_gen)
    np.testing.assert_allclose(sim, exact, rtol=0.06)
    # an enormous ridge penalty predicts w = 0, whose error is ||w0||^2 = 1 exactly
    big = collapse.regression_collapse(d, 20, T0, sigma, 2, 50, seed=0, ridge=1e12)
    np.testing.assert_allclose(big, 1.0, atol=1e-6)



def test_per_trial_errors_average_to_the_mean():
    per = collapse.regression_collapse(4, 12, 10, 0.5, 3, 50, seed=5, per_trial=True)
    mean = collapse.regression_collapse(4, 12, 10, 0.5, 3, 50, seed=5)
    assert per.shape == (4, 50)
    np.testing.assert_allclose(per.mean(axis=1), mean, rtol=1e-12)


def test_step_moments_exact_limits():
    d = 4
    ols = collapse.regression_step_moments(d, 15, 0, n_samples=20000, seed=0)  # A = I, R = 0
    assert (ols["c"], ols["a"], ols["q"], ols["r"], ols["e"]) == pytest.approx((1, 1, 0, 0, 0), abs=1e-10)
    assert ols["v"] == pytest.approx(d / (15 - d - 1), abs=4 * ols["se"]["v"])  # inverse-Wishart mean
    real = collapse.regression_step_moments(d, 0, 15, n_samples=100, seed=0)   # A = 0, R = I
    assert (real["c"], real["a"], real["r"], real["e"]) == pytest.approx((0, 0, 1, 1), abs=1e-10)
    mix = collapse.regression_step_moments(d, 10, 5, n_samples=2000, seed=1)   # A + R = I
    assert mix["a"] + mix["e"] == pytest.approx(1.0, abs=1e-10)
    assert mix["c"] + 2 * mix["q"] + mix["r"] == pytest.approx(1.0, abs=1e-10)
    assert mix["c"] > (10 / 15) ** 2  # Gram-matrix fluctuations raise the contraction above (1-rho)^2
    big = collapse.regression_step_moments(d, 7000, 3000, n_samples=2000, seed=2)
    assert big["c"] == pytest.approx(0.7**2, abs=0.005)  # T >> d: A -> (1 - rho) I


def test_recursion_reproduces_additive_law_and_simulation():
    d, T, T0, sigma = 6, 20, 25, 0.7
    rec = collapse.regression_collapse_recursion(d, T, T0, sigma, 10, n_samples=40000, seed=0)
    np.testing.assert_allclose(rec, collapse.regression_collapse_theory(d, T, T0, sigma, 10), rtol=0.01)
    for kwargs in (dict(real_fraction=0.3), dict(ridge=2.0)):
        rec = collapse.regression_collapse_recursion(d, T, T0, sigma, 15, n_samples=40000, seed=0, **kwargs)
        per = collapse.regression_collapse(d, T, T0, sigma, 15, 8000, seed=4, per_trial=True, **kwargs)
        se = per.std(axis=1, ddof=1) / np.sqrt(per.shape[1])
        assert np.all(np.abs(per.mean(axis=1) - rec) < 4 * se + 0.002)  # + the recursion's own MC error
    with pytest.raises(ValueError, match="n_synthetic \\+ n_real must be > d \\+ 1"):
        collapse.regression_step_moments(5, 3, 3)

@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(T=11), r"T must be > d \+ 1 = 11"),
        (dict(T0=10), r"T0 must be > d \+ 1 = 11"),
        (dict(noise_std=-0.1), "noise_std must be >= 0"),
        (dict(real_fraction=1.5), r"real_fraction must lie in \[0.0, 1.0\]"),
        (dict(ridge=-1.0), "ridge must be >= 0"),
        (dict(T=[30, 30]), r"T must have shape \(3\)"),
        (dict(n_trials=0), "n_trials must be >= 1"),
    ],
)
def test_regression_bad_input(kwargs, match):
    args = dict(d=10, T=30, T0=40, noise_std=1.0, n_generations=3, n_trials=5) | kwargs
    with pytest.raises(ValueError, match=match):
        collapse.regression_collapse(**args)
    if "n_trials" not in kwargs and "real_fraction" not in kwargs and "ridge" not in kwargs:
        args.pop("n_trials")
        with pytest.raises(ValueError, match=match):
            collapse.regression_collapse_theory(**args)


# -------------------------------------------------------------------- Zipf memory model
def test_zipf_probabilities_and_tail_mass():
    beta = 2.0
    p = collapse.zipf_probabilities(np.arange(1, 4), beta)
    np.testing.assert_allclose(p, 6 / np.pi**2 / np.arange(1, 4) ** 2)
    assert collapse.zipf_tail_mass(0, beta) == pytest.approx(1.0)
    assert collapse.zipf_tail_mass(3, beta) == pytest.approx(1 - p.sum())
    # large k: sum_{i>k} i^-beta ~ k^(1-beta)/(beta-1), the plateau law k^-(beta-1)
    k = 10**4
    assert collapse.zipf_tail_mass(k, 1.5) == pytest.approx(k**-0.5 / (0.5 * special.zeta(1.5)), rel=1e-3)


def test_hutter_error_brute_force_and_asymptote():
    beta = 2.0
    for T in (1, 7, 50):
        i = np.arange(1, 2_000_001, dtype=float)
        p = i**-beta / special.zeta(beta)
        brute = np.sum(p * (1 - p) ** T) + special.zeta(beta, i[-1] + 1) / special.zeta(beta)
        assert collapse.hutter_test_error(T, beta) == pytest.approx(brute, rel=1e-5)
    # T -> infinity: E_test ~ Gamma(1-1/beta) / (beta zeta^(1/beta)) T^-(1-1/beta), corrections O(T^-1/beta)
    beta, T = 1.5, 1e6
    z = special.zeta(beta)
    lead = special.gamma(1 - 1 / beta) / (beta * z ** (1 / beta)) * T ** -(1 - 1 / beta)
    assert collapse.hutter_test_error(T, beta) == pytest.approx(lead, rel=2e-3)


def test_hutter_error_integral_tail_for_huge_t(monkeypatch):
    # above _MAX_RANKS ranks the sum is finished by an integral: it must agree with the Hurwitz route
    exact = collapse.hutter_test_error(1e6, 1.5)
    monkeypatch.setattr(collapse, "_MAX_RANKS", 10**4)
    assert collapse.hutter_test_error(1e6, 1.5) == pytest.approx(exact, rel=1e-6)


def test_tail_cut_plateau_and_monte_carlo():
    beta, k = 1.5, 30
    # with T = 10^4 draws every i <= k is seen: only the cut tail is missed
    assert collapse.hutter_test_error(10_000, beta, k=k) == pytest.approx(collapse.zipf_tail_mass(k, beta), rel=1e-9)
    Ts = np.array([10, 100, 1000])
    for kk in (k, None):
        exact = collapse.hutter_test_error(Ts, beta, k=kk)
        sim = collapse.zipf_memory_error(Ts, beta, n_trials=1000, seed=5, k=kk)
        assert sim.shape == (3, 1000)
        se = sim.std(axis=1, ddof=1) / np.sqrt(sim.shape[1])
        assert np.all(np.abs(sim.mean(axis=1) - exact) < 4 * se + 1e-12)  # 4 standard errors
    assert collapse.zipf_memory_error(10, beta, n_trials=4).shape == (4,)


@pytest.mark.parametrize("beta", [1.0, 0.5, -2.0, np.inf])
def test_zipf_bad_beta(beta):
    with pytest.raises(ValueError, match="beta must be"):
        collapse.hutter_test_error(10, beta)
    with pytest.raises(ValueError, match="beta must be"):
        collapse.zipf_memory_error(10, beta)


def test_zipf_bad_input():
    with pytest.raises(ValueError, match="k must be >= 1"):
        collapse.hutter_test_error(10, 2.0, k=0)
    with pytest.raises(ValueError, match="T must contain integer sample sizes"):
        collapse.zipf_memory_error(2.5, 2.0)
    with pytest.raises(ValueError, match="T must be > 0"):
        collapse.hutter_test_error(0, 2.0)
    with pytest.raises(ValueError, match="i must be ranks >= 1"):
        collapse.zipf_probabilities([0, 1], 2.0)


def test_cov_chain_test_error_does_not_depend_on_sigma_exactly():
    # same seed: x = Sigma^{1/2} z with the same z, so (w - w0)^T Sigma (w - w0) is the isotropic
    # parameter error of the same draws, to round-off, for any Sigma
    eig = np.array([4.0, 1.0, 0.25, 0.01])
    a = collapse.regression_collapse_cov(eig, 12, 15, 0.5, 3, 50, seed=4)
    b = collapse.regression_collapse_cov(np.ones(4), 12, 15, 0.5, 3, 50, seed=4)
    np.testing.assert_allclose(a["test"], b["test"], rtol=1e-8)
    np.testing.assert_allclose(b["test"], b["param"], rtol=1e-12)
    assert a["test"].shape == (4, 50)
    # no noise: every generation recovers w0 exactly
    z = collapse.regression_collapse_cov(eig, 12, 15, 0.0, 2, 5, seed=1)
    assert np.all(z["test"] < 1e-20) and np.all(z["param"] < 1e-20)


def test_cov_chain_theory_closed_form_and_monte_carlo():
    eig = np.array([2.0, 1.0, 0.5])
    th = collapse.regression_collapse_cov_theory(eig, 10, 20, 0.5, 2)
    bracket = np.array([1 / 16, 1 / 16 + 1 / 6, 1 / 16 + 2 / 6])
    np.testing.assert_allclose(th["test"], 0.25 * 3 * bracket, rtol=1e-14)
    np.testing.assert_allclose(th["param"], 0.25 * 3.5 * bracket, rtol=1e-14)
    sim = collapse.regression_collapse_cov(eig, 10, 20, 0.5, 2, 20000, seed=2)
    for key in ("test", "param"):
        se = sim[key].std(axis=1, ddof=1) / np.sqrt(20000)
        assert np.all(np.abs(sim[key].mean(axis=1) - th[key]) < 4 * se)


@pytest.mark.parametrize("kwargs, match", [
    (dict(cov_eigs=np.array([1.0, -1.0])), "cov_eigs"),
    (dict(T=3), "T must be > d"),
    (dict(T0=2), "T0 must be > d"),
])
def test_cov_chain_bad_input(kwargs, match):
    args = dict(cov_eigs=np.ones(2), T=10, T0=10, noise_std=0.5, n_generations=2)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        collapse.regression_collapse_cov_theory(**args)
    with pytest.raises(ValueError, match=match):
        collapse.regression_collapse_cov(**args, n_trials=2)
