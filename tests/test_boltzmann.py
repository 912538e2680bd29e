"""boltzmann against exact results: brute-force sums, closed forms, and known couplings."""

import itertools

import numpy as np
import pytest

from course_utils import boltzmann as bm


def random_model(N, seed, scale=0.6):
    g = np.random.default_rng(seed)
    J = np.triu(g.normal(0.0, scale, (N, N)), 1)
    return J + J.T, g.normal(0.0, 0.4, N)


def brute_force(J, h):
    """Moments by an explicit loop over states: independent of the vectorised code."""
    N = len(h)
    Z, m, C = 0.0, np.zeros(N), np.zeros((N, N))
    for conf in itertools.product([-1.0, 1.0], repeat=N):
        s = np.array(conf)
        w = np.exp(sum(J[i, j] * s[i] * s[j] for i in range(N) for j in range(i + 1, N)) + h @ s)
        Z += w
        m += w * s
        C += w * np.outer(s, s)
    return np.log(Z), m / Z, C / Z


def test_all_states_lists_every_configuration_once():
    s = bm.all_states(4)
    assert s.shape == (16, 4) and s.dtype == np.int8
    assert len({tuple(row) for row in s}) == 16
    np.testing.assert_array_equal(s[0], [1, 1, 1, 1])
    np.testing.assert_array_equal(bm.all_states(4, 3, 7), s[3:7])


def test_moments_match_brute_force_sum():
    J, h = random_model(6, seed=0)
    log_z, m, C = brute_force(J, h)
    mean, corr = bm.exact_moments(J, h)
    np.testing.assert_allclose(mean, m, atol=1e-12)
    np.testing.assert_allclose(corr, C, atol=1e-12)
    np.testing.assert_allclose(np.diag(corr), 1.0)
    assert bm.exact_log_partition(J, h) == pytest.approx(log_z, rel=1e-12)


def test_independent_spins_closed_form():
    h = np.array([0.3, -1.2, 0.0, 2.0, -0.1])
    mean, corr = bm.exact_moments(np.zeros((5, 5)), h)
    np.testing.assert_allclose(mean, np.tanh(h), atol=1e-13)
    off = ~np.eye(5, dtype=bool)
    np.testing.assert_allclose(corr[off], np.outer(np.tanh(h), np.tanh(h))[off], atol=1e-13)
    assert bm.exact_log_partition(np.zeros((5, 5)), h) == pytest.approx(np.sum(np.log(2 * np.cosh(h))))


def test_two_spin_closed_form():
    # Z = 2 e^J cosh(h1 + h2) + 2 e^-J cosh(h1 - h2)
    Jc, h1, h2 = 0.7, 0.4, -0.9
    J = np.array([[0.0, Jc], [Jc, 0.0]])
    Z = 2 * np.exp(Jc) * np.cosh(h1 + h2) + 2 * np.exp(-Jc) * np.cosh(h1 - h2)
    corr12 = (2 * np.exp(Jc) * np.cosh(h1 + h2) - 2 * np.exp(-Jc) * np.cosh(h1 - h2)) / Z
    m1 = (2 * np.exp(Jc) * np.sinh(h1 + h2) + 2 * np.exp(-Jc) * np.sinh(h1 - h2)) / Z
    mean, corr = bm.exact_moments(J, [h1, h2])
    assert corr[0, 1] == pytest.approx(corr12, rel=1e-13)
    assert mean[0] == pytest.approx(m1, rel=1e-13)


def test_chunked_enumeration_and_large_fields_are_stable():
    # N = 17 spans several chunks; huge uniform fields would overflow a naive exp
    N = 17
    J, h = random_model(N, seed=3, scale=0.05)
    mean, _ = bm.exact_moments(J, h + 40.0)
    np.testing.assert_allclose(mean, 1.0, atol=1e-12)
    # Curie-Weiss-like check: uniform J = 0 reduces to tanh on all chunks
    h = np.linspace(-1, 1, N)
    mean, _ = bm.exact_moments(np.zeros((N, N)), h)
    np.testing.assert_allclose(mean, np.tanh(h), atol=1e-12)


def test_fisher_information_is_the_hessian_of_log_z():
    J, h = random_model(4, seed=5)
    chi = bm.fisher_information(J, h)
    iu = np.triu_indices(4, 1)
    theta = np.concatenate([J[iu], h])

    def log_z(t):
        Jt = np.zeros((4, 4))
        Jt[iu] = t[:6]
        return bm.exact_log_partition(Jt + Jt.T, t[6:])

    eps = 1e-4
    k, l = 2, 7  # a coupling and a field
    e_k, e_l = np.eye(10)[k] * eps, np.eye(10)[l] * eps
    hess = (log_z(theta + e_k + e_l) - log_z(theta + e_k - e_l) - log_z(theta - e_k + e_l)
            + log_z(theta - e_k - e_l)) / (4 * eps**2)
    assert chi[k, l] == pytest.approx(hess, rel=1e-5)
    assert np.all(np.linalg.eigvalsh(chi) > 0)


def test_exact_sample_reproduces_moments():
    J, h = random_model(5, seed=2)
    s = bm.exact_sample(J, h, 40000, seed=1)
    mean, corr = bm.sample_moments(s)
    m, C = bm.exact_moments(J, h)
    # 40000 independent samples: standard error <= 0.005; 0.025 is 5 sigma
    np.testing.assert_allclose(mean, m, atol=0.025)
    np.testing.assert_allclose(corr, C, atol=0.025)
    np.testing.assert_array_equal(s, bm.exact_sample(J, h, 40000, seed=1))


def test_gibbs_sampling_reaches_the_boltzmann_law():
    J, h = random_model(6, seed=4, scale=0.4)
    s0 = np.ones((3000, 6))
    s = bm.gibbs_sampling(J, h, s0, sweeps=30, seed=0)
    mean, corr = bm.sample_moments(s)
    m, C = bm.exact_moments(J, h)
    # 3000 independent chains: standard error <= 0.018; 0.08 is ~4.5 sigma
    np.testing.assert_allclose(mean, m, atol=0.08)
    np.testing.assert_allclose(corr, C, atol=0.08)
    np.testing.assert_array_equal(s0, 1.0)  # input not modified


def test_exact_learning_recovers_known_couplings():
    J, h = random_model(7, seed=6, scale=0.25)
    m, C = bm.exact_moments(J, h)
    J_fit, h_fit, hist = bm.boltzmann_learning(m, C, steps=1500, lr=0.2, return_history=True)
    np.testing.assert_allclose(J_fit, J, atol=1e-8)
    np.testing.assert_allclose(h_fit, h, atol=1e-8)
    np.testing.assert_array_equal(J_fit, J_fit.T)
    assert np.all(np.diag(J_fit) == 0)
    assert hist["max_grad"][-1] < 1e-9 < hist["max_grad"][0]


def test_mc_learning_with_persistent_chains():
    J, h = random_model(10, seed=7, scale=0.25)
    m, C = bm.exact_moments(J, h)
    J_fit, h_fit = bm.boltzmann_learning(m, C, steps=300, lr=0.1, method="mc", n_chains=400, seed=1)
    m_fit, C_fit = bm.exact_moments(J_fit, h_fit)
    # model moments estimated from 400 chains (~0.05 per step), averaged over 150 iterates
    np.testing.assert_allclose(m_fit, m, atol=0.04)
    np.testing.assert_allclose(C_fit, C, atol=0.04)
    iu = np.triu_indices(10, 1)
    assert np.sqrt(np.mean((J_fit[iu] - J[iu]) ** 2)) < 0.05  # couplings are ~0.25


def test_l2_penalty_shrinks_couplings():
    J, h = random_model(5, seed=8)
    m, C = bm.exact_moments(J, h)
    J0, _ = bm.boltzmann_learning(m, C, steps=800, lr=0.2)
    J1, _ = bm.boltzmann_learning(m, C, steps=800, lr=0.2, l2=0.2)
    assert np.abs(J1).sum() < np.abs(J0).sum()


@pytest.mark.parametrize(
    "J, h, match",
    [
        ([[0.0, 1.0], [0.5, 0.0]], [0.0, 0.0], "J must be symmetric"),
        ([[1.0, 0.2], [0.2, 0.0]], [0.0, 0.0], "J must have a zero diagonal"),
        (np.zeros((3, 3)), np.zeros(2), "J must have shape"),
        (np.zeros((21, 21)), np.zeros(21), "N <= 20"),
        (np.zeros((2, 2)), [np.nan, 0.0], "h must contain only finite"),
        (np.zeros(2), np.zeros(2), "J must have 2 dimensions"),
    ],
)
def test_exact_moments_bad_input(J, h, match):
    with pytest.raises(ValueError, match=match):
        bm.exact_moments(J, h)


def test_learning_bad_input():
    m, C = np.zeros(3), np.eye(3)
    with pytest.raises(ValueError, match="lr must be > 0"):
        bm.boltzmann_learning(m, C, 10, 0.0)
    with pytest.raises(ValueError, match="lr must be > 0"):
        bm.boltzmann_learning(m, C, 10, -0.1)
    with pytest.raises(ValueError, match="steps must be >= 1"):
        bm.boltzmann_learning(m, C, 0, 0.1)
    with pytest.raises(ValueError, match="corr must have shape"):
        bm.boltzmann_learning(m, np.eye(4), 10, 0.1)
    with pytest.raises(ValueError, match="corr must be symmetric"):
        bm.boltzmann_learning(m, np.triu(np.ones((3, 3))), 10, 0.1)
    with pytest.raises(ValueError, match="entries in"):
        bm.boltzmann_learning([0.0, 1.5, 0.0], C, 10, 0.1)
    with pytest.raises(ValueError, match="method must be"):
        bm.boltzmann_learning(m, C, 10, 0.1, method="bp")
    with pytest.raises(ValueError, match="N <= 20"):
        bm.boltzmann_learning(np.zeros(21), np.eye(21), 10, 0.1, method="exact")
    with pytest.raises(ValueError, match="states must be"):
        bm.gibbs_sampling(np.zeros((3, 3)), np.zeros(3), np.zeros((2, 3)), 1)
    with pytest.raises(ValueError, match="samples must be"):
        bm.sample_moments([[1.0, 0.0]])
    with pytest.raises(ValueError, match="N must be <= 20"):
        bm.all_states(21)


# ------------------------------------------------------------------ naive mean field and pseudo-likelihood
def test_mean_field_couplings_by_hand():
    corr = np.array([[1.0, 0.5], [0.5, 1.0]])
    J, h = bm.mean_field_couplings(np.zeros(2), corr)
    # C^-1 = [[1, -0.5], [-0.5, 1]] / 0.75, J_12 = 0.5 / 0.75
    np.testing.assert_allclose(J, [[0.0, 2 / 3], [2 / 3, 0.0]], atol=1e-15)
    np.testing.assert_allclose(h, [0.0, 0.0], atol=1e-15)
    m = np.array([0.2, -0.4, 0.1])
    corr3 = np.array([[1.0, 0.1, 0.3], [0.1, 1.0, -0.2], [0.3, -0.2, 1.0]])
    J3, h3 = bm.mean_field_couplings(m, corr3)
    Cinv = np.linalg.inv(corr3 - np.outer(m, m))
    np.testing.assert_allclose(J3, -(Cinv - np.diag(np.diag(Cinv))), atol=1e-13)
    np.testing.assert_allclose(h3, np.arctanh(m) - J3 @ m, atol=1e-13)


def test_mean_field_is_exact_to_first_order_in_the_couplings():
    rng = np.random.default_rng(0)
    A = np.triu(rng.normal(size=(5, 5)), 1)
    A = A + A.T
    h0 = rng.normal(0, 0.3, 5)
    errs = []
    for eps in (0.02, 0.01):
        J_nmf, _ = bm.mean_field_couplings(*bm.exact_moments(eps * A, h0))
        errs.append(np.abs(J_nmf - eps * A).max())
    assert errs[1] < 0.3 * errs[0]  # the bias is O(J^2): halving J quarters it
    assert errs[1] < 1e-3


def test_mean_field_rejects_singular_correlations():
    with pytest.raises(ValueError, match="positive-definite"):
        bm.mean_field_couplings(np.zeros(2), np.ones((2, 2)))
    with pytest.raises(ValueError, match="mean"):
        bm.mean_field_couplings(np.array([1.0, 0.0]), np.eye(2))


def test_pseudolikelihood_two_spins_closed_form():
    # counts a of s1 = s2 and b of s1 != s2: p(s1 | s2) = e^{J s1 s2} / 2 cosh J gives tanh J = (a - b)/(a + b)
    s = np.array([[1, 1]] * 3 + [[-1, -1]] * 3 + [[1, -1], [-1, 1]], dtype=float)
    J, h = bm.pseudolikelihood_couplings(s)
    assert J[0, 1] == pytest.approx(0.5 * np.log(3), abs=1e-12) and J[1, 0] == J[0, 1]
    np.testing.assert_allclose(h, 0.0, atol=1e-12)
    assert np.all(np.diag(J) == 0)


def test_pseudolikelihood_uniform_data_and_ridge():
    s = bm.all_states(4).astype(float)  # every state once: independent unbiased spins
    J, h = bm.pseudolikelihood_couplings(s)
    np.testing.assert_allclose(J, 0.0, atol=1e-12)
    np.testing.assert_allclose(h, 0.0, atol=1e-12)
    # s2 = s1 always: separable, no maximum without a penalty; with l2 the optimum is finite
    sep = np.array([[1, 1, 1], [-1, -1, 1], [1, 1, -1], [-1, -1, -1]], dtype=float)
    J, _ = bm.pseudolikelihood_couplings(sep)  # runs off until the gradient ~ 2 e^{-2 J} < tol
    assert 10 < J[0, 1] < 14
    with pytest.raises(ValueError, match="l2"):
        bm.pseudolikelihood_couplings(sep, max_iter=3)
    J, _ = bm.pseudolikelihood_couplings(sep, l2=0.1)
    assert 1.0 < J[0, 1] < 2.0 and abs(J[0, 2]) < 1e-12


def test_pseudolikelihood_is_consistent():
    J_true = np.array([[0, 0.4, -0.3, 0.0], [0.4, 0, 0.2, 0.1], [-0.3, 0.2, 0, 0.5], [0.0, 0.1, 0.5, 0]])
    h_true = np.array([0.1, -0.2, 0.3, 0.0])
    s = bm.exact_sample(J_true, h_true, 200000, seed=1)
    J, h = bm.pseudolikelihood_couplings(s)
    # standard errors ~ 1/sqrt(200000 chi) ~ 0.003: 0.02 is > 5 of them
    assert np.abs(J - J_true).max() < 0.02 and np.abs(h - h_true).max() < 0.02
