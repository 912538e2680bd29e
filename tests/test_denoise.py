"""denoise against exact results: quadrature of the posterior mean, Tweedie's identity,
closed-form Wiener filters, thresholding by hand, orthonormality of the wavelet transforms."""

import numpy as np
import pytest
from scipy import integrate

from course_utils import denoise

W2, MU2, S2 = np.array([0.3, 0.7]), np.array([[-2.0], [1.5]]), np.array([0.5, 0.8])


def gauss(x, m, s):
    return np.exp(-((x - m) ** 2) / (2 * s**2)) / np.sqrt(2 * np.pi * s**2)


# ------------------------------------------------------------------ Gaussian mixtures
def test_posterior_mean_matches_quadrature_in_one_dimension():
    sigma = 0.9
    y = np.array([[-3.0], [-0.2], [0.4], [2.5]])

    def prior(x):
        return sum(w * gauss(x, m[0], s) for w, m, s in zip(W2, MU2, S2, strict=True))

    post = denoise.gmm_posterior_mean(y, W2, MU2, S2, sigma)[:, 0]
    for yi, est in zip(y[:, 0], post, strict=True):
        num = integrate.quad(lambda x, yi=yi: x * prior(x) * gauss(yi, x, sigma), -15, 15)[0]
        den = integrate.quad(lambda x, yi=yi: prior(x) * gauss(yi, x, sigma), -15, 15)[0]
        assert est == pytest.approx(num / den, rel=1e-8)


def test_log_density_and_score_against_quadrature_and_finite_differences():
    sigma, y = 0.6, np.array([[0.3], [-1.7]])
    logp = denoise.gmm_log_density(y, W2, MU2, S2, sigma)
    def prior(x):
        return sum(w * gauss(x, m[0], s) for w, m, s in zip(W2, MU2, S2, strict=True))

    for yi, lp in zip(y[:, 0], logp, strict=True):
        conv = integrate.quad(lambda x, yi=yi: prior(x) * gauss(yi, x, sigma), -15, 15)[0]
        assert lp == pytest.approx(np.log(conv), rel=1e-9)
    eps = 1e-6
    up, down = (denoise.gmm_log_density(y + e, W2, MU2, S2, sigma) for e in (eps, -eps))
    num = up - down
    np.testing.assert_allclose(denoise.gmm_score(y, W2, MU2, S2, sigma)[:, 0], num / (2 * eps), rtol=1e-6)


def test_tweedie_equals_posterior_mean_in_several_dimensions():
    rng = np.random.default_rng(0)
    w = np.array([0.2, 0.5, 0.3])
    mu = rng.standard_normal((3, 4)) * 2
    s = np.array([0.0, 0.4, 1.1])  # a point mass is allowed: the noisy law stays smooth
    y = rng.standard_normal((50, 4)) * 3
    sigma = 0.7
    score = denoise.gmm_score(y, w, mu, s, sigma)
    post = denoise.gmm_posterior_mean(y, w, mu, s, sigma)
    np.testing.assert_allclose(denoise.tweedie_denoise(y, score, sigma), post, atol=1e-12)
    score_fn = lambda v: denoise.gmm_score(v, w, mu, s, sigma)  # noqa: E731
    np.testing.assert_allclose(denoise.tweedie_denoise(y, score_fn, sigma), post, atol=1e-12)


def test_single_gaussian_is_the_wiener_gain():
    # x ~ N(m, s^2 I): E[x|y] = m + s^2/(s^2 + sigma^2) (y - m), score = -(y - m)/(s^2 + sigma^2)
    m, s, sigma = np.array([[1.0, -2.0]]), np.array([1.5]), 0.5
    y = np.array([[0.0, 0.0], [3.0, 1.0]])
    gain = s[0] ** 2 / (s[0] ** 2 + sigma**2)
    post = denoise.gmm_posterior_mean(y, [1.0], m, s, sigma)
    np.testing.assert_allclose(post, m + gain * (y - m), rtol=1e-13)
    np.testing.assert_allclose(denoise.gmm_score(y, [1.0], m, s, sigma), -(y - m) / (s[0] ** 2 + sigma**2),
                               rtol=1e-13)


def test_far_from_data_the_score_points_to_the_nearest_mode():
    # numerically stable in the tails: responsibilities by log-sum-exp, no 0/0
    y = np.array([[60.0]])
    score = denoise.gmm_score(y, W2, MU2, S2, 0.1)
    assert np.isfinite(score).all()
    assert score[0, 0] == pytest.approx(-(60.0 - 1.5) / (0.64 + 0.01), rel=1e-9)


def test_gmm_sample_moments():
    x = denoise.gmm_sample(40000, W2, MU2, S2, seed=1)
    mean = (W2 * MU2[:, 0]).sum()
    var = (W2 * (S2**2 + MU2[:, 0] ** 2)).sum() - mean**2
    # standard errors: sqrt(var/n) = 0.009 on the mean, ~0.02 on the variance (3.6)
    assert x.mean() == pytest.approx(mean, abs=0.04)
    assert x.var() == pytest.approx(var, abs=0.1)


# ---------------------------------------------------------------------- Wiener filter
def test_wiener_filter_closed_forms():
    H = denoise.wiener_filter(np.diag([4.0, 1.0, 0.0]), 1.0)
    np.testing.assert_allclose(H, np.diag([0.8, 0.5, 0.0]), atol=1e-14)
    rng = np.random.default_rng(2)
    A = rng.standard_normal((6, 6))
    C = A @ A.T
    sigma = 0.8
    lam, U = np.linalg.eigh(C)
    exact = U @ np.diag(lam / (lam + sigma**2)) @ U.T
    np.testing.assert_allclose(denoise.wiener_filter(C, sigma), exact, atol=1e-12)


def test_wiener_filter_is_the_bayes_denoiser_of_gaussian_data():
    # for x ~ N(0, C) the posterior mean (a one-component mixture with covariance C) is H y;
    # here C = s^2 I so the mixture helper applies, and a circulant C is diagonal in Fourier
    s, sigma, d = 1.3, 0.4, 8
    y = np.random.default_rng(3).standard_normal((5, d))
    H = denoise.wiener_filter(s**2 * np.eye(d), sigma)
    np.testing.assert_allclose(y @ H.T, denoise.gmm_posterior_mean(y, [1.0], np.zeros((1, d)), [s], sigma),
                               atol=1e-13)
    c = 0.6 ** np.minimum(np.arange(d), d - np.arange(d))  # stationary covariance c(|i-j|) on a ring
    C = np.array([np.roll(c, k) for k in range(d)])
    lam = np.fft.fft(c).real
    H = denoise.wiener_filter(C, sigma)
    F = np.fft.fft(np.eye(d)) / np.sqrt(d)
    np.testing.assert_allclose(np.diag(F @ H @ F.conj().T).real, lam / (lam + sigma**2), atol=1e-12)


# --------------------------------------------------------------------- thresholding
def test_thresholds_by_hand():
    a = np.array([-3.0, -1.0, 0.5, 2.0, 1.5])
    np.testing.assert_allclose(denoise.soft_threshold(a, 1.5), [-1.5, 0.0, 0.0, 0.5, 0.0])
    np.testing.assert_allclose(denoise.hard_threshold(a, 1.5), [-3.0, 0.0, 0.0, 2.0, 0.0])
    np.testing.assert_allclose(denoise.soft_threshold(a, 0.0), a)
    assert denoise.universal_threshold(2.0, 1024) == pytest.approx(2.0 * np.sqrt(2 * np.log(1024)))
    assert denoise.oracle_risk([3.0, 0.5, -0.1], 1.0) == pytest.approx(1.0 + 0.25 + 0.01)


@pytest.mark.parametrize("wavelet", ["haar", "db4"])
def test_wavelet_transform_is_orthonormal_and_compress_is_exact_at_full_budget(wavelet):
    x = np.random.default_rng(4).standard_normal(256)
    np.testing.assert_allclose(denoise.wavelet_compress(x, 256, wavelet), x, atol=1e-10)
    np.testing.assert_allclose(denoise.wavelet_denoise(x, 1.0, wavelet, T=0.0), x, atol=1e-10)
    img = np.random.default_rng(5).standard_normal((32, 32))
    np.testing.assert_allclose(denoise.wavelet_compress(img, img.size, wavelet), img, atol=1e-10)
    # Parseval: the error of an M-term approximation is the energy of the dropped coefficients
    assert np.sum(denoise.wavelet_compress(x, 0, wavelet) ** 2) == pytest.approx(0.0)


def test_haar_compression_of_a_step_needs_few_terms():
    x = np.where(np.arange(256) < 100, 1.0, -0.5)
    # a jump touches one Haar wavelet per scale (8 scales) plus the mean: 9 terms are exact
    np.testing.assert_allclose(denoise.wavelet_compress(x, 9, "haar"), x, atol=1e-12)
    assert np.abs(denoise.wavelet_compress(x, 5, "haar") - x).max() > 0.1


def test_thresholding_risk_within_donoho_johnstone_bound():
    # piecewise-constant signal with Haar: the soft-threshold risk (averaged over noise) lies
    # between the oracle risk and (2 log d + 1)(oracle + sigma^2)
    import pywt

    d, sigma = 1024, 0.5
    t = np.arange(d) / d
    x = 4 * (t > 0.3) - 3 * (t > 0.55) + 2 * (t > 0.8)
    coeffs = pywt.coeffs_to_array(pywt.wavedec(x, "haar", mode="periodization"))[0]
    eps_m = denoise.oracle_risk(coeffs[1:], sigma)  # the kept coarse coefficient costs sigma^2 itself
    rng = np.random.default_rng(6)
    risks = [np.sum((denoise.wavelet_denoise(x + sigma * rng.standard_normal(d), sigma, "haar") - x) ** 2)
             for _ in range(20)]
    risk = np.mean(risks)
    assert eps_m < risk < (2 * np.log(d) + 1) * (eps_m + sigma**2)


@pytest.mark.parametrize("mode", ["soft", "hard"])
def test_threshold_risk_matches_quadrature(mode):
    # E[(rho_T(theta + sigma z) - theta)^2] by quadrature over z, split at the two kinks
    rho = denoise.soft_threshold if mode == "soft" else denoise.hard_threshold
    sigma, T = 0.8, 1.5
    thetas = np.array([0.0, 0.7, -1.3, 2.5, 6.0])
    quad = 0.0
    for th in thetas:
        f = lambda z, th=th: (rho(np.array(th + sigma * z), T) - th) ** 2 * np.exp(-z * z / 2) / np.sqrt(2 * np.pi)
        cuts = [-np.inf, (-T - th) / sigma, (T - th) / sigma, np.inf]
        quad += sum(integrate.quad(f, a, b, limit=200)[0] for a, b in zip(cuts[:-1], cuts[1:], strict=True))
    assert denoise.threshold_risk(thetas, sigma, T, mode) == pytest.approx(quad, rel=1e-9)
    # no threshold: the identity, risk sigma^2 per coefficient
    assert denoise.threshold_risk(thetas, sigma, 0.0, mode) == pytest.approx(thetas.size * sigma**2, rel=1e-12)


# -------------------------------------------------------------------------- learning
def test_dsm_denoiser_approaches_the_bayes_denoiser():
    pytest.importorskip("torch")
    x = denoise.gmm_sample(4000, [0.5, 0.5], [[-2.0], [2.0]], [0.3, 0.3], seed=7)
    sigma = 0.8
    net = denoise.train_dsm_denoiser(x, sigma, hidden=32, steps=400, seed=0)
    y = x + sigma * np.random.default_rng(8).standard_normal(x.shape)
    bayes = denoise.gmm_posterior_mean(y, [0.5, 0.5], [[-2.0], [2.0]], [0.3, 0.3], sigma)
    mse_bayes = np.mean((bayes - x) ** 2)
    mse_net = np.mean((net.denoise(y) - x) ** 2)
    mse_noisy = np.mean((y - x) ** 2)
    assert mse_bayes <= mse_net < mse_bayes * 1.15 < mse_noisy


# -------------------------------------------------------------------------- bad input
G = dict(weights=W2, means=MU2, stds=S2, sigma=1.0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(G, sigma=0.0), "sigma must be > 0"),
        (dict(G, sigma=-1.0), "sigma must be > 0"),
        (dict(G, weights=[0.5, 0.6]), "weights must sum to 1"),
        (dict(G, weights=[1.2, -0.2]), "weights must be non-negative"),
        (dict(G, means=[[0.0], [1.0], [2.0]]), r"means must have shape \(K, d\)"),
        (dict(G, means=[[0.0, 1.0], [1.0, 1.0]]), r"means must have shape \(K, d\)"),
        (dict(G, stds=[1.0]), r"stds must have shape \(K,\)"),
        (dict(G, stds=[1.0, -1.0]), "stds must be >= 0"),
    ],
)
@pytest.mark.parametrize("func", [denoise.gmm_score, denoise.gmm_posterior_mean, denoise.gmm_log_density])
def test_gmm_bad_input(func, kwargs, match):
    with pytest.raises(ValueError, match=match):
        func(np.zeros((3, 1)), **kwargs)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: denoise.gmm_score(np.zeros(3), **G), "y must have 2 dimensions"),
        (lambda: denoise.tweedie_denoise(np.zeros((2, 2)), np.zeros((2, 3)), 1.0), "score must have the"),
        (lambda: denoise.tweedie_denoise(np.zeros((2, 2)), np.zeros((2, 2)), 0.0), "sigma must be > 0"),
        (lambda: denoise.wiener_filter(np.array([[1.0, 2.0], [0.0, 1.0]]), 1.0), "C must be symmetric"),
        (lambda: denoise.wiener_filter(np.diag([1.0, -1.0]), 1.0), "positive semi-definite"),
        (lambda: denoise.wiener_filter(np.eye(2), -0.5), "sigma must be > 0"),
        (lambda: denoise.soft_threshold([1.0], -1.0), "T must be >= 0"),
        (lambda: denoise.universal_threshold(1.0, 1), "d must be >= 2"),
        (lambda: denoise.wavelet_denoise(np.zeros(100), 1.0), "power-of-two"),
        (lambda: denoise.wavelet_denoise(np.zeros(64), 1.0, mode="medium"), "mode must be"),
        (lambda: denoise.wavelet_denoise(np.zeros(64), 1.0, wavelet="nope"), "wavelet must be"),
        (lambda: denoise.wavelet_compress(np.zeros(64), 65), "M must be <= 64"),
        (lambda: denoise.train_dsm_denoiser(np.zeros(5), 1.0), "x must have 2 dimensions"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------- alpha-family of reverse SDEs, keep probabilities (issue 22)
def test_ou_gmm_marginal_closed_form():
    means, stds, t = np.array([[1.0, -2.0], [0.5, 0.0]]), np.array([0.3, 0.0]), 0.7
    m, s, sig = denoise.ou_gmm_marginal(means, stds, t)
    np.testing.assert_allclose(m, means * np.exp(-0.7))
    np.testing.assert_allclose(s, stds * np.exp(-0.7))
    assert sig == pytest.approx(np.sqrt(1 - np.exp(-1.4)))
    # the total variance of a component is e^{-2t} s^2 + 1 - e^{-2t}
    np.testing.assert_allclose(s**2 + sig**2, np.exp(-1.4) * stds**2 + 1 - np.exp(-1.4))


def test_probability_flow_ode_maps_a_gaussian_exactly():
    # x_0 ~ N(0, s^2): p_t = N(0, v_t), v_t = e^{-2t} s^2 + 1 - e^{-2t}, score -y / v_t. With alpha = 0 the
    # reverse ODE dy/ds = y - y / v is linear and maps y(t_start) to y sqrt(v_end / v_start).
    s2, t0, t1 = 0.09, 1.5, 0.1
    v = lambda t: np.exp(-2 * t) * s2 + 1 - np.exp(-2 * t)  # noqa: E731
    y0 = np.linspace(-2, 2, 5)[:, None]
    out = denoise.reverse_ou_sde(y0, lambda y, t: -y / v(t), 0.0, t0, t1, 4000, seed=0)
    np.testing.assert_allclose(out, y0 * np.sqrt(v(t1) / v(t0)), rtol=2e-3)
    # a per-sample alpha of zeros is the same deterministic map
    np.testing.assert_allclose(denoise.reverse_ou_sde(y0, lambda y, t: -y / v(t), np.zeros(5), t0, t1, 4000), out)


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0])
def test_reverse_sde_family_keeps_the_gaussian_marginal(alpha):
    s2, t0, t1, n = 0.09, 1.5, 0.1, 20000
    v = lambda t: np.exp(-2 * t) * s2 + 1 - np.exp(-2 * t)  # noqa: E731
    y0 = np.sqrt(v(t0)) * np.random.default_rng(1).standard_normal((n, 1))
    out = denoise.reverse_ou_sde(y0, lambda y, t: -y / v(t), alpha, t0, t1, 400, seed=2)
    var = out.var()
    se = v(t1) * np.sqrt(2 / n)
    assert abs(var - v(t1)) < 5 * se + 0.01 * v(t1)  # sampling error + Euler-Maruyama bias at 400 steps


def test_threshold_keep_probability_limits_and_monte_carlo():
    from scipy import special

    p = denoise.threshold_keep_probability(np.array([0.0, 1.0, 100.0, -100.0]), 0.5, 1.0)
    assert p[0] == pytest.approx(2 * special.ndtr(-2.0))
    assert p[1] == pytest.approx(0.5 + special.ndtr(-4.0))
    np.testing.assert_allclose(p[2:], 1.0)
    np.testing.assert_allclose(denoise.threshold_keep_probability(np.ones((2, 3)), 1.0, 0.0), 1.0)
    z = np.random.default_rng(3).standard_normal(200000)
    assert np.mean(np.abs(0.7 + 0.5 * z) > 1.0) == pytest.approx(
        float(denoise.threshold_keep_probability(np.array([0.7]), 0.5, 1.0)[0]), abs=5e-3)
