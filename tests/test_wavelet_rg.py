"""wavelet_rg against exact results on the Gaussian free field x ~ N(0, K^-1): its conditional
energies in the Haar basis are known in closed form (the precision P = W K W^T split into blocks),
so the fitted couplings, the fitted model's covariance and the law of the generated fields can
all be compared with exact values."""

import numpy as np
import pytest

from course_utils import fields
from course_utils import wavelet_rg as wrg
from course_utils.wavelet_rg import _coupling_to_coarse, _dense, _energy_and_grad


def dense_K(L, beta, mass2):
    basis = np.eye(L * L).reshape(L * L, L, L)
    return beta * fields.laplacian(basis).reshape(L * L, L * L) + mass2 * np.eye(L * L)


def spectrum_of(C, L):
    """Diagonal of F C F^* (the power spectrum of a stationary covariance)."""
    F = np.fft.fft2(np.eye(L * L).reshape(-1, L, L)).reshape(L * L, L * L) / L
    return np.real(np.einsum("ki,ij,kj->k", F, C, F.conj())).reshape(L, L)


@pytest.fixture(scope="module")
def gff():
    L, beta, mass2 = 8, 1.0, 0.1
    return L, beta, mass2, fields.gaussian_field(20000, L, beta, mass2, seed=11)


def test_level_one_couplings_are_the_exact_conditional_precision(gff):
    # p(xbar_1 | x_1) of the GFF has precision P_dd and linear coupling P_dc, P = W K W^T, both
    # nearest-neighbour in block units: exactly in the model's family at radius 1.
    L, beta, mass2, phi = gff
    model = wrg.fit_wavelet_rg(phi, 1, quartic=False)
    s0 = model.scales[0]
    W = fields.haar_matrix(L)
    P = W @ (s0**2 * dense_K(L, beta, mass2)) @ W.T  # precision of the normalised field
    nc, n = (L // 2) ** 2, L // 2
    Qh, Rh = wrg.conditional_precision_symbols(model, 1)
    Q = np.block([[_dense(Qh[a, b], n) for b in range(3)] for a in range(3)])
    R = np.concatenate([_dense(Rh[a], n) for a in range(3)], axis=0)
    # measured over seeds: the score-matching couplings scatter by ~0.004 (entries of P up to 2.6)
    # at 20000 fields; replacing K by the Laplacian without the mass changes P_dd by s0^2 m^2 = 0.03
    np.testing.assert_allclose(Q, P[nc:, nc:], atol=0.02)
    np.testing.assert_allclose(R, P[nc:, :nc], atol=0.02)


def test_gaussian_model_reproduces_the_exact_power_spectrum(gff):
    # one level: the conditional law is in the family (nearest-neighbour blocks) and the 4 x 4
    # coarsest field has every translation-invariant coupling, so the model is exact in law
    L, beta, mass2, phi = gff
    model = wrg.fit_wavelet_rg(phi, 1, quartic=False)
    spec = spectrum_of(wrg.gaussian_model_covariance(model), L)
    exact = 1.0 / fields.lattice_eigenvalues(L, beta, mass2)
    # each mode's variance from 20000 fields has relative error sqrt(2/20000) = 0.01;
    # a model without the detail-coarse coupling R (Ubar_j independent of x_j) is off by ~50% at low k
    assert np.max(np.abs(spec / exact - 1)) < 0.05
    assert np.sqrt(np.mean((spec / exact - 1) ** 2)) < 0.02


def test_sampling_is_exact_in_law_for_a_gaussian_model(gff):
    L, _, _, phi = gff
    model = wrg.fit_wavelet_rg(phi[:2000], 1, quartic=False)
    C = wrg.gaussian_model_covariance(model)
    x, info = wrg.sample_wavelet_rg(model, 4000, seed=3, n_steps=200, n_steps_coarsest=400, return_info=True)
    emp = x.reshape(len(x), -1)
    # 4000 independent fields: s.e. of a covariance entry ~ sqrt(2/4000) C_ii ~ 0.02 C_ii
    spec_emp = spectrum_of(emp.T @ emp / len(x), L)
    spec = spectrum_of(C, L)
    assert np.max(np.abs(spec_emp / spec - 1)) < 0.1
    assert np.sqrt(np.mean((spec_emp / spec - 1) ** 2)) < 0.04
    assert all(0.4 < a < 0.9 for a in info["acceptance"])


def test_energy_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    phi = 0.5 * rng.standard_normal((50, 8, 8)) + 0.3 * rng.standard_normal((50, 8, 8)) ** 3
    model = wrg.fit_wavelet_rg(phi, 1)
    lev = model.levels[0]
    coarse, d = fields.haar_split(phi[:2] / model.scales[0])
    lin = _coupling_to_coarse(coarse, lev)
    U, g = _energy_and_grad(d, coarse, lev, lin)
    e = np.zeros_like(d)
    e[1, 2, 3, 1] = 1e-6
    num = (_energy_and_grad(d + e, coarse, lev, lin)[0] - _energy_and_grad(d - e, coarse, lev, lin)[0])[1] / 2e-6
    assert g[1, 2, 3, 1] == pytest.approx(num, rel=1e-6)
    # the energy is the fitted <theta, phi> up to terms in the coarse field alone: compare differences
    feats = lev["features"]
    from course_utils.wavelet_rg import _features_grad_laplacian

    def linear_energy(dd):
        # phi_k is homogeneous of degree 2 (dd), 1 (dc) in d, so <theta, phi> follows from the gradients
        grads, _ = _features_grad_laplacian(dd, coarse, feats)
        deg = np.array([2.0 if f[0] == "dd" else 1.0 for f in feats[:-1]])
        quad = np.einsum("k,kbcij,bcij->b", lev["theta"][:-1] / deg, grads[:-1], dd)
        y = fields.haar_merge(coarse, dd)
        return quad + lev["theta"][-1] * (y**4).sum(axis=(-2, -1))

    np.testing.assert_allclose(U - _energy_and_grad(0 * d, coarse, lev, lin)[0],
                               linear_energy(d) - linear_energy(0 * d), rtol=1e-10)


def test_decomposition_is_orthogonal_and_normalised():
    phi = fields.gaussian_field(10, 16, 1.0, 0.5, seed=2)
    coarse, details, scales = wrg.wavelet_decompose(phi, 2)
    assert [c.shape[-1] for c in coarse] == [16, 8, 4]
    for c in coarse:
        assert np.mean(c**2) == pytest.approx(1.0)
    # Parseval at each level: |x_{j-1}|^2 = |x_j|^2 + |xbar_j|^2 in the units of x_{j-1}
    for j in (1, 2):
        lhs = np.sum(coarse[j - 1] ** 2)
        rhs = np.sum((coarse[j] * scales[j] / scales[j - 1]) ** 2) + np.sum(details[j - 1] ** 2)
        assert lhs == pytest.approx(rhs, rel=1e-12)


def test_same_seed_same_fields_and_quartic_coupling_is_positive():
    phi = fields.langevin_phi4(np.ones((16, 8, 8)), 0.9, 1.0, n_steps=400, eta=0.025, seed=1)["x"]
    model = wrg.fit_wavelet_rg(phi, 1)
    assert np.all(model.couplings("quartic") > 0)
    a = wrg.sample_wavelet_rg(model, 3, seed=5, n_steps=20, n_steps_coarsest=20)
    b = wrg.sample_wavelet_rg(model, 3, seed=5, n_steps=20, n_steps_coarsest=20)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (3, 8, 8)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"phi": np.zeros((4, 8, 6)), "n_levels": 1}, "phi"),
        ({"phi": np.zeros((4, 12, 12)), "n_levels": 1}, "power of two"),
        ({"phi": np.ones((1, 8, 8)), "n_levels": 1}, "phi"),
        ({"phi": np.full((4, 8, 8), np.nan), "n_levels": 1}, "phi"),
        ({"phi": np.ones((4, 8, 8)), "n_levels": 2}, "n_levels"),
        ({"phi": np.ones((4, 8, 8)), "n_levels": 0}, "n_levels"),
        ({"phi": np.ones((4, 8, 8)), "n_levels": 1, "radius": 0}, "radius"),
        ({"phi": np.ones((4, 8, 8)), "n_levels": 1, "quartic": "yes"}, "quartic"),
    ],
)
def test_fit_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        wrg.fit_wavelet_rg(**kwargs)


def test_sample_and_covariance_reject_bad_input(gff):
    with pytest.raises(TypeError, match="model"):
        wrg.sample_wavelet_rg({"levels": []}, 4)
    model = wrg.fit_wavelet_rg(gff[3][:100], 1)
    with pytest.raises(ValueError, match="n"):
        wrg.sample_wavelet_rg(model, 0)
    with pytest.raises(ValueError, match="n_steps"):
        wrg.sample_wavelet_rg(model, 2, n_steps=1)
    with pytest.raises(ValueError, match="seed"):
        wrg.sample_wavelet_rg(model, 2, seed=-1)
    with pytest.raises(ValueError, match="Gaussian"):
        wrg.gaussian_model_covariance(model)
    with pytest.raises(ValueError, match="j"):
        wrg.conditional_precision_symbols(model, 3)


def test_quartic_floor_is_the_minimum_of_the_quartic_form_on_the_sphere():
    # theta4 sum x^4 + global4 (sum x)^4 / N on |x| = 1: the floor / N must be <= every value and be
    # attained (uniform field for global4 < 0, staggered field for global4 >= 0); theta4 alone is not it
    rng = np.random.default_rng(1)
    N = 16
    for theta4, global4 in ((0.1, -0.0005), (0.1, 0.002), (2.0, -0.002)):
        x = rng.standard_normal((20000, N)) * rng.random((20000, 1)) ** 3 + rng.random((1, N))
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        q = theta4 * (x**4).sum(axis=1) + global4 * x.sum(axis=1) ** 4 / N
        floor = wrg._quartic_floor(theta4, global4, N) / N
        assert q.min() >= floor - 1e-12
        best = np.full(N, 1 / np.sqrt(N)) if global4 < 0 else np.tile([1, -1], N // 2) / np.sqrt(N)
        assert theta4 * (best**4).sum() + global4 * best.sum() ** 4 / N == pytest.approx(floor)
    assert wrg._quartic_floor(0.1, -0.0005, N) < 0 < 0.1


@pytest.mark.parametrize("seed", range(5))
def test_mle_refinement_keeps_the_coarsest_energy_bounded_below(seed):
    # 48 disordered phi^4 fields (beta = 0.7): the noisy Newton steps of the old refinement (half a
    # Newton step, no safeguard) drove theta4 + N^2 global4 below 0 for seeds 0 and 1 (and 3 more of 10),
    # so exp(-U_J) was not normalisable, the model's chains ran away and U4 of the generated fields
    # came out at -9. The damped step must keep the floor positive, never raise the estimated
    # negative log-likelihood, and leave the generated fields with the data's second moment.
    phi = fields.langevin_phi4(np.ones((48, 8, 8)), 0.7, 1.0, n_steps=1500, eta=0.025, seed=4)["x"]
    model = wrg.fit_wavelet_rg(phi, 1, mle_steps=5, seed=seed)
    th = model.coarsest["theta"]
    assert wrg._quartic_floor(th[-2], th[-1], 16) > 0
    assert all(d_ell <= 0 and 0 < t <= 1 for t, d_ell in model.coarsest["mle_steps"])
    x = wrg.sample_wavelet_rg(model, 64, seed=seed, n_steps=60, n_steps_coarsest=300)
    # 64 x 64 correlated sites: <phi^2> has a few % error; a runaway coarsest field gives > 1.5x
    assert np.mean(x**2) / np.mean(phi**2) == pytest.approx(1, abs=0.15)
