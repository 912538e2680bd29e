"""fields against exact results: Fourier spectrum of K, Gaussian-field covariances, the
orthogonality of the Haar split, closed-form condition numbers and AR(1) autocorrelations."""

import numpy as np
import pytest

from course_utils import fields


def dense_K(L, beta, mass2):
    basis = np.eye(L * L).reshape(L * L, L, L)
    return beta * fields.laplacian(basis).reshape(L * L, L * L) + mass2 * np.eye(L * L)


# ----------------------------------------------------------------------- quadratic part
def test_lattice_eigenvalues_are_the_spectrum_of_K():
    L, beta, mass2 = 6, 0.7, 0.3
    K = dense_K(L, beta, mass2)
    np.testing.assert_allclose(K, K.T)
    np.testing.assert_allclose(np.sort(fields.lattice_eigenvalues(L, beta, mass2).ravel()), np.linalg.eigvalsh(K),
                               atol=1e-12)


def test_energy_is_half_xKx_plus_potential_and_grad_is_its_gradient():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4, 4))
    beta, lam, mass2 = 0.8, 0.6, 0.2
    K = dense_K(4, beta, mass2)
    flat = x.reshape(3, -1)
    exact = 0.5 * np.einsum("bi,ij,bj->b", flat, K, flat) + lam * ((flat**2 - 1) ** 2).sum(1)
    np.testing.assert_allclose(fields.phi4_energy(x, beta, lam, mass2), exact, rtol=1e-12)
    eps = 1e-6
    e = np.zeros_like(x)
    e[1, 2, 3] = eps
    num = (fields.phi4_energy(x + e, beta, lam, mass2) - fields.phi4_energy(x - e, beta, lam, mass2))[1] / (2 * eps)
    assert fields.phi4_grad(x, beta, lam, mass2)[1, 2, 3] == pytest.approx(num, rel=1e-7)
    # a constant field costs no gradient energy: U = L^2 [m^2/2 + lam (1 - 1)^2] at x = 1
    assert fields.phi4_energy(np.ones((4, 4)), 5.0, 1.0, 0.5) == pytest.approx(16 * 0.25)


def test_gaussian_field_covariance_is_K_inverse():
    L, beta, mass2 = 4, 1.0, 0.5
    x = fields.gaussian_field(40000, L, beta, mass2, seed=1).reshape(40000, -1)
    C = np.linalg.inv(dense_K(L, beta, mass2))
    # entries of C are <= 0.6; standard error of an empirical covariance ~ 0.6 sqrt(2/40000) = 0.004
    np.testing.assert_allclose(x.T @ x / x.shape[0], C, atol=0.02)


# ------------------------------------------------------------------------------ Langevin
def test_langevin_gaussian_field_variance_and_autocorrelation():
    # lam = 0: each Fourier mode is an AR(1) chain; the magnetisation m = mode 0 / L has
    # a = 1 - eta m^2, stationary variance 1/(L^2 m^2 (1 - eta m^2 / 2)) and tau = (1 + a)/(2(1 - a))
    L, eta, m2 = 4, 0.1, np.array([1.0, 0.25])
    mass2 = np.repeat(m2, 32)
    out = fields.langevin_phi4(np.zeros((64, L, L)), 1.0, 0.0, mass2, n_steps=6000, eta=eta, seed=2)
    m = out["magnetization"][500:].reshape(-1, 2, 32)
    var = m.var(axis=(0, 2))
    exact_var = 1 / (L**2 * m2 * (1 - eta * m2 / 2))
    np.testing.assert_allclose(var, exact_var, rtol=0.1)  # 32 chains x 5500 steps / 2 tau: ~3% error
    a = 1 - eta * m2
    tau = fields.autocorr_time(out["magnetization"][500:]).reshape(2, 32).mean(axis=1)
    np.testing.assert_allclose(tau, (1 + a) / (2 * (1 - a)), rtol=0.15)


def test_langevin_records_and_per_chain_couplings():
    x0 = np.ones((4, 8, 8))
    out = fields.langevin_phi4(x0, np.array([0.1, 0.1, 3.0, 3.0]), 1.0, n_steps=400, eta=0.02, seed=3,
                               record_every=10)
    assert out["magnetization"].shape == (40, 4) and out["x"].shape == (4, 8, 8)
    # strong coupling keeps the ordered start, weak coupling melts it
    final = np.abs(out["magnetization"][-10:]).mean(axis=0)
    assert final[2:].min() > 0.8 and final[:2].max() < 0.5
    betas = np.array([0.1, 0.1, 3.0, 3.0])
    np.testing.assert_allclose(out["energy"][-1], fields.phi4_energy(out["x"], betas[:, None, None], 1.0) / 64,
                               rtol=1e-12)
    again = fields.langevin_phi4(x0, np.array([0.1, 0.1, 3.0, 3.0]), 1.0, n_steps=400, eta=0.02, seed=3,
                                 record_every=10)
    np.testing.assert_array_equal(out["x"], again["x"])


# ------------------------------------------------------------------------------ wavelets
def test_haar_split_is_orthogonal_and_invertible():
    x = np.random.default_rng(4).standard_normal((2, 8, 8))
    coarse, details = fields.haar_split(x)
    assert coarse.shape == (2, 4, 4) and details.shape == (2, 3, 4, 4)
    np.testing.assert_allclose((coarse**2).sum((-2, -1)) + (details**2).sum((-3, -2, -1)), (x**2).sum((-2, -1)))
    np.testing.assert_allclose(fields.haar_merge(coarse, details), x, atol=1e-12)
    # the coarse field is the 2 x 2 block sum divided by 2 = twice the block average
    np.testing.assert_allclose(np.abs(coarse), np.abs(2 * fields.block_average(x, 2)), atol=1e-12)
    W = fields.haar_matrix(8)
    np.testing.assert_allclose(W @ W.T, np.eye(64), atol=1e-12)


def test_scale_conditioning_closed_forms():
    out = fields.scale_conditioning(8, beta=1.0, mass2=0.05)
    assert out["kappa_full"] == pytest.approx((8 + 0.05) / 0.05, rel=1e-9)
    assert out["L"].tolist() == [4, 2, 1]
    # the coarse field of a Gaussian is Gaussian with covariance W_c K^-1 W_c^T: check level 1
    L, beta, mass2 = 8, 1.0, 0.05
    C = np.linalg.inv(dense_K(L, beta, mass2))
    Wc = fields.haar_matrix(L)[:16]
    ev = np.linalg.eigvalsh(np.linalg.inv(Wc @ C @ Wc.T))
    assert out["kappa_coarse"][0] == pytest.approx(ev[-1] / ev[0], rel=1e-8)
    # the conditional laws stay well conditioned whatever the mass, unlike K
    light = fields.scale_conditioning(8, beta=1.0, mass2=1e-4)
    assert light["kappa_full"] > 1e4
    assert light["kappa_conditional"].max() < 10


def test_block_average_and_binder_cumulant():
    x = np.arange(16.0).reshape(4, 4)
    np.testing.assert_allclose(fields.block_average(x, 2), [[2.5, 4.5], [10.5, 12.5]])
    np.testing.assert_allclose(fields.block_average(x, 4), [[7.5]])
    assert fields.binder_cumulant(np.array([1.0, -1.0, 1.0])) == pytest.approx(2 / 3)
    g = np.random.default_rng(5).standard_normal(200000)
    assert fields.binder_cumulant(g) == pytest.approx(0.0, abs=0.01)  # <m^4> = 3 <m^2>^2 for a Gaussian


def test_autocorr_time_of_ar1_and_white_noise():
    rng = np.random.default_rng(6)
    a, n = 0.9, 200000
    z = rng.standard_normal((n, 2))
    x = np.empty_like(z)
    x[0] = z[0]
    for t in range(1, n):
        x[t] = a * x[t - 1] + z[t]
    np.testing.assert_allclose(fields.autocorr_time(x), (1 + a) / (2 * (1 - a)), rtol=0.1)
    assert fields.autocorr_time(rng.standard_normal(5000)) == pytest.approx(0.5, abs=0.1)


# -------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: fields.lattice_eigenvalues(1), "L must be >= 2"),
        (lambda: fields.phi4_energy(np.zeros((4, 3)), 1.0, 1.0), "square"),
        (lambda: fields.phi4_energy(np.zeros(4), 1.0, 1.0), "x must have"),
        (lambda: fields.phi4_energy(np.zeros((4, 4)), -1.0, 1.0), "beta must be >= 0"),
        (lambda: fields.phi4_energy(np.zeros((4, 4)), 1.0, -1.0), "lam must be >= 0"),
        (lambda: fields.gaussian_field(3, 4, 1.0, 0.0), "mass2 must be > 0"),
        (lambda: fields.langevin_phi4(np.zeros((2, 4, 4)), [1.0, 2.0, 3.0], 1.0), "beta must be a scalar or one"),
        (lambda: fields.langevin_phi4(np.zeros((4, 4)), 1.0, 1.0), r"x0 must have shape \(B, L, L\)"),
        (lambda: fields.langevin_phi4(np.zeros((2, 4, 4)), 1.0, 1.0, eta=0.0), "eta must be > 0"),
        (lambda: fields.langevin_phi4(np.ones((1, 4, 4)), 1.0, 1.0, n_steps=50, eta=5.0), "diverged"),
        (lambda: fields.haar_split(np.zeros((3, 3))), "even"),
        (lambda: fields.haar_matrix(6), "power of two"),
        (lambda: fields.scale_conditioning(8, mass2=0.0), "mass2 must be > 0"),
        (lambda: fields.scale_conditioning(8, levels=4), "levels must be <= 3"),
        (lambda: fields.block_average(np.zeros((6, 6)), 4), "b must divide"),
        (lambda: fields.binder_cumulant(np.zeros(5)), "identically zero"),
        (lambda: fields.autocorr_time(np.ones(10)), "constant"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises((ValueError, FloatingPointError), match=match):
        call()
