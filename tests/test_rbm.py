"""rbm against exact results: the Hubbard-Stratonovich identity, explicit sums over hidden
units, the Hopfield marginal by enumeration, and the Gaussian-mixture posterior."""

import itertools

import numpy as np
import pytest
from scipy import integrate, stats

from course_utils import boltzmann as bm
from course_utils import rbm


def test_hubbard_stratonovich_identity():
    a = np.array([0.0, 0.3, 1.0, 2.0])
    x = np.array([1.5, -2.0, 0.7, 3.0])
    np.testing.assert_allclose(rbm.hubbard_stratonovich_integral(a, x), np.exp(a * x**2 / 2), rtol=1e-12)
    # the same integral by adaptive quadrature, independent of Gauss-Hermite
    val = integrate.quad(lambda y: np.exp(-y**2 / 2 + np.sqrt(1.3) * 0.8 * y), -np.inf, np.inf)[0]
    assert val / np.sqrt(2 * np.pi) == pytest.approx(np.exp(1.3 * 0.64 / 2), rel=1e-10)


def test_hopfield_is_the_gaussian_rbm_marginal():
    g = np.random.default_rng(0)
    xi = g.choice([-1.0, 1.0], size=(3, 7))
    beta = 1.3
    s = bm.all_states(7).astype(float)
    W = rbm.hopfield_rbm_weights(xi, beta)
    log_rbm = rbm.rbm_log_marginal(s, W, hidden="gaussian")
    log_hop = rbm.hopfield_log_weight(s, xi, beta)
    # equal up to the constant (P/2) log 2 pi from the Gaussian integral
    np.testing.assert_allclose(log_rbm - log_hop, 1.5 * np.log(2 * np.pi), atol=1e-12)
    # and the Hopfield weight is the Ising weight with Hebb couplings, up to beta P / 2
    J = beta * xi.T @ xi / 7
    np.fill_diagonal(J, 0.0)
    np.testing.assert_allclose(log_hop - bm.ising_log_weight(s, J, np.zeros(7)), beta * 3 / 2, atol=1e-12)


def test_bernoulli_marginal_matches_explicit_hidden_sum():
    g = np.random.default_rng(1)
    W, b, c = g.normal(size=(5, 3)), g.normal(size=5), g.normal(size=3)
    s = bm.all_states(5).astype(float)
    total = np.zeros(len(s))
    for tau in itertools.product([0.0, 1.0], repeat=3):
        tau = np.array(tau)
        total += np.exp(s @ W @ tau + s @ b + c @ tau)
    np.testing.assert_allclose(rbm.rbm_log_marginal(s, W, b, c, "bernoulli"), np.log(total), rtol=1e-12)
    np.testing.assert_allclose(rbm.rbm_hidden_mean(s, W, c), 1 / (1 + np.exp(-(s @ W + c))), rtol=1e-12)


def test_exact_log_likelihood_is_normalised():
    g = np.random.default_rng(2)
    W = g.normal(0, 0.5, size=(6, 2))
    s = bm.all_states(6).astype(float)
    for hidden in rbm.HIDDEN_TYPES:
        logp = np.array([rbm.rbm_exact_log_likelihood(x[None], W, hidden=hidden) for x in s])
        assert np.exp(logp).sum() == pytest.approx(1.0, rel=1e-12)


def test_block_gibbs_samples_the_hopfield_model():
    g = np.random.default_rng(3)
    xi = g.choice([-1.0, 1.0], size=(2, 8))
    W = rbm.hopfield_rbm_weights(xi, 1.2)
    s = rbm.rbm_gibbs(W, None, None, "gaussian", g.choice([-1.0, 1.0], size=(3000, 8)), steps=100, seed=0)
    J = 1.2 * xi.T @ xi / 8
    np.fill_diagonal(J, 0.0)
    _, C = bm.exact_moments(J, np.zeros(8))
    # 3000 independent chains: standard error <= 0.018 per pair; 0.08 is ~4.5 sigma
    np.testing.assert_allclose(bm.sample_moments(s)[1], C, atol=0.08)


def test_cd_training_learns_the_patterns():
    g = np.random.default_rng(4)
    xi = g.choice([-1.0, 1.0], size=(2, 10))
    data = xi[g.integers(0, 2, 400)] * np.where(g.random((400, 10)) < 0.05, -1.0, 1.0)
    m = data.mean(axis=0)
    ll_indep = np.mean(np.sum(np.log((1 + m * data) / 2), axis=1))
    agree = (data @ xi.T + 10) / 2  # the generating law: mixture of two noisy patterns
    ll_true = np.mean(np.log(np.mean(0.95**agree * 0.05 ** (10 - agree), axis=1)))
    for hidden, lr in (("bernoulli", 0.05), ("gaussian", 0.01)):
        model = rbm.train_rbm(data, 2, hidden, epochs=40, lr=lr, batch_size=20, init_std=0.1, seed=0)
        ll = rbm.rbm_exact_log_likelihood(data, hidden=hidden, **model)
        # independent spins miss which pattern the other pixels follow (~1.2 nats here); the
        # RBM comes within 0.3 nats of the generating law, and cannot beat it by more than
        # the overfitting gain ~ (number of parameters) / (2 M) = 0.04 nats
        assert ll > ll_indep + 0.8, (hidden, ll, ll_indep)
        assert ll_true - 0.3 < ll < ll_true + 0.1, (hidden, ll, ll_true)
        if hidden == "gaussian":
            # Hopfield-like: what the two patterns share goes into the fields b, what tells
            # them apart, xi^1 - xi^2, must lie in span(W) (W is only fixed up to a rotation);
            # a random 2-d subspace of R^10 would capture ~ sqrt(2/10) = 0.45 of it
            q, _ = np.linalg.qr(model["W"])
            d = xi[0] - xi[1]
            assert np.linalg.norm(q.T @ d) / np.linalg.norm(d) > 0.9
    a = rbm.train_rbm(data, 2, epochs=2, seed=3)
    b = rbm.train_rbm(data, 2, epochs=2, seed=3)
    np.testing.assert_array_equal(a["W"], b["W"])


def test_gmm_network_reproduces_bayes_posterior():
    weights = np.array([0.2, 0.5, 0.3])
    means = np.array([[0.0, 0.0], [2.0, 1.0], [-1.0, 2.5]])
    cov = np.array([[1.0, 0.3], [0.3, 0.6]])
    x = np.random.default_rng(5).normal(0, 2, (50, 2))
    pdfs = [w * stats.multivariate_normal(mu, cov).pdf(x) for w, mu in zip(weights, means, strict=True)]
    joint = np.stack(pdfs, axis=1)
    W, c = rbm.gmm_network(weights, means, cov)
    np.testing.assert_allclose(rbm.softmax_hidden(x, W, c), joint / joint.sum(1, keepdims=True), rtol=1e-10)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: rbm.rbm_log_marginal(np.ones(3), np.ones((3, 2)), hidden="relu"), "hidden must be one of"),
        (lambda: rbm.rbm_log_marginal(np.ones(4), np.ones((3, 2))), "s must have shape"),
        (lambda: rbm.rbm_log_marginal(np.zeros(3), np.ones((3, 2))), "s must contain only"),
        (lambda: rbm.rbm_log_marginal(np.ones(3), np.ones((3, 2)), b=np.ones(2)), "b must have shape"),
        (lambda: rbm.hopfield_log_weight(np.ones(3), np.ones((2, 3)), -1.0), "beta must be >= 0"),
        (lambda: rbm.hubbard_stratonovich_integral(-1.0, 1.0), "a must be >= 0"),
        (lambda: rbm.train_rbm(np.ones((10, 3)), 0), "n_hidden must be >= 1"),
        (lambda: rbm.train_rbm(np.ones((10, 3)), 2, lr=0.0), "lr must be > 0"),
        (lambda: rbm.train_rbm(np.ones((10, 3)), 2, batch_size=11), "batch_size must be <= 10"),
        (lambda: rbm.rbm_exact_log_likelihood(np.ones((1, 21)), np.ones((21, 2))), "N <= 20"),
        (lambda: rbm.rbm_gibbs(np.ones((3, 2)), None, None, "gaussian", np.ones(3), 1), "states must be a"),
        (lambda: rbm.gmm_network([0.5, 0.6], np.zeros((2, 2)), np.eye(2)), "weights must sum to 1"),
        (lambda: rbm.gmm_network([0.5, 0.5], np.zeros((2, 2)), -np.eye(2)), "positive definite"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------------------ ReLU (truncated-Gaussian) hidden units
def _log_gamma_quad(x):
    shift = max(x, 0.0) ** 2 / 2  # keep the integrand O(1)
    val = integrate.quad(lambda t: np.exp(-t**2 / 2 + x * t - shift), 0, np.inf, epsabs=0, epsrel=1e-13)[0]
    return np.log(val) + shift


def test_relu_log_partition_against_quadrature_and_limits():
    xs = np.array([-6.0, -2.0, -0.5, 0.0, 0.7, 3.0, 10.0])
    np.testing.assert_allclose(rbm.relu_log_partition(xs), [_log_gamma_quad(x) for x in xs], rtol=0, atol=1e-10)
    assert rbm.relu_log_partition(0.0) == pytest.approx(0.5 * np.log(2 * np.pi) - np.log(2), abs=1e-15)
    # x -> -oo: Gamma(x) = 1/|x| (1 - 1/x^2 + 3/x^4 - ...); x -> +oo: the Gaussian unit
    x = -1e3
    assert rbm.relu_log_partition(x) == pytest.approx(-np.log(-x) + np.log1p(-1 / x**2 + 3 / x**4), abs=1e-12)
    assert rbm.relu_log_partition(40.0) == pytest.approx(800 + 0.5 * np.log(2 * np.pi), rel=1e-15)
    assert rbm.relu_log_partition(np.zeros((2, 3))).shape == (2, 3)


def test_relu_hidden_mean_is_the_derivative_and_the_truncated_mean():
    W = np.array([[0.5, -1.0], [0.2, 0.3], [-0.4, 0.8]])
    c = np.array([0.1, -2.5])
    s = np.array([[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0]])
    x = s @ W + c
    mean = rbm.relu_hidden_mean(s, W, c)
    eps = 1e-6
    fd = (rbm.relu_log_partition(x + eps) - rbm.relu_log_partition(x - eps)) / (2 * eps)
    np.testing.assert_allclose(mean, fd, atol=1e-8)
    for xv, mv in zip(x.ravel(), mean.ravel(), strict=True):
        num = integrate.quad(lambda t, xv=xv: t * np.exp(-(t - xv) ** 2 / 2), 0, np.inf)[0]
        den = integrate.quad(lambda t, xv=xv: np.exp(-(t - xv) ** 2 / 2), 0, np.inf)[0]
        assert mv == pytest.approx(num / den, rel=1e-9)


def test_relu_rbm_log_marginal_is_the_hidden_integral():
    W = np.array([[0.6, -0.2], [0.1, 0.9], [-0.5, 0.4]])
    b, c = np.array([0.2, -0.1, 0.3]), np.array([-0.3, 0.2])
    for s in itertools.product([-1.0, 1.0], repeat=3):
        s = np.array(s)
        x = s @ W + c
        # two-dimensional integral over tau >= 0 done as the product of the unit integrals
        expected = s @ b + _log_gamma_quad(x[0]) + _log_gamma_quad(x[1])
        assert rbm.relu_rbm_log_marginal(s, W, b, c) == pytest.approx(expected, abs=1e-10)
    # defaults: b = c = 0
    s = np.array([1.0, 1.0, -1.0])
    assert rbm.relu_rbm_log_marginal(s, W) == pytest.approx(np.sum(rbm.relu_log_partition(s @ W)), abs=1e-14)


def test_relu_rbm_gibbs_samples_the_enumerated_marginal():
    W = np.array([[0.8, -0.3], [0.4, 0.7], [-0.6, 0.5]])
    b, c = np.array([0.1, -0.2, 0.0]), np.array([-0.4, 0.3])
    states = bm.all_states(3).astype(float)
    lw = rbm.relu_rbm_log_marginal(states, W, b, c)
    p = np.exp(lw - np.logaddexp.reduce(lw))
    B = 40000
    start = np.tile([1.0, 1.0, 1.0], (B, 1))
    s = rbm.relu_rbm_gibbs(W, b, c, start, steps=40, seed=3)
    idx = ((s > 0) @ np.array([4, 2, 1])).astype(int)
    codes = ((states > 0) @ np.array([4, 2, 1])).astype(int)
    freq = np.bincount(idx, minlength=8)[codes] / B
    se = np.sqrt(p * (1 - p) / B)
    assert np.all(np.abs(freq - p) < 5 * se)
    assert rbm.relu_rbm_gibbs(W, b, c, start[:2], steps=0).tolist() == start[:2].tolist()
