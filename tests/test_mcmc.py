"""mcmc against exact results: enumeration, closed forms and Onsager's solution."""

import numpy as np
import pytest

from course_utils import mcmc


# ---------------------------------------------------------------- detailed balance
def ring_proposal(n):
    D = np.zeros((n, n))
    for x in range(n):
        D[x, (x + 1) % n] = D[x, (x - 1) % n] = 0.5
    return D


def test_metropolis_matrix_is_stochastic_reversible_and_stationary():
    p = np.array([1.0, 3.0, 0.5, 2.0, 4.0, 0.25])
    P = mcmc.metropolis_matrix(p, ring_proposal(6))
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    assert (P >= 0).all()
    pi = p / p.sum()
    assert mcmc.detailed_balance_violation(P, pi) < 1e-15
    np.testing.assert_allclose(pi @ P, pi, atol=1e-14)
    np.testing.assert_allclose(mcmc.stationary_distribution(P), pi, atol=1e-12)


def test_metropolis_matrix_entries_by_hand():
    P = mcmc.metropolis_matrix([1.0, 2.0], [[0.0, 1.0], [1.0, 0.0]])
    # 0 -> 1 always accepted (p rises), 1 -> 0 accepted with probability 1/2
    np.testing.assert_allclose(P, [[0.0, 1.0], [0.5, 0.5]])


def test_cyclic_chain_is_stationary_but_not_reversible():
    # a drift around a ring: uniform law is stationary, yet detailed balance fails
    P = np.array([[0.1, 0.9, 0.0], [0.0, 0.1, 0.9], [0.9, 0.0, 0.1]])
    pi = mcmc.stationary_distribution(P)
    np.testing.assert_allclose(pi, np.ones(3) / 3, atol=1e-12)
    assert mcmc.detailed_balance_violation(P, pi) == pytest.approx(0.3)


def test_small_chain_errors():
    with pytest.raises(ValueError, match="proposal must be symmetric"):
        mcmc.metropolis_matrix([1, 1, 1], [[0, 1, 0], [0.5, 0, 0.5], [0, 1, 0]])
    with pytest.raises(ValueError, match="p must be > 0"):
        mcmc.metropolis_matrix([1.0, 0.0], [[0, 1], [1, 0]])
    with pytest.raises(ValueError, match="P must sum to 1"):
        mcmc.stationary_distribution([[0.5, 0.4], [0.5, 0.5]])


# ------------------------------------------------------------ continuous samplers
def gauss_logp(x, s2=2.0):
    return -0.5 * np.sum(x**2, axis=1) / s2


def test_random_walk_metropolis_samples_gaussian_moments():
    out = mcmc.random_walk_metropolis(gauss_logp, np.zeros((400, 1)), 600, step=2.0, seed=1)
    x = out["samples"][100:].ravel()
    # 400 chains x 500 correlated steps: standard error on the variance ~ 0.03
    assert x.var() == pytest.approx(2.0, abs=0.12)
    assert abs(x.mean()) < 0.08
    assert 0.3 < out["acceptance"].mean() < 0.8


@pytest.mark.parametrize("eta", [0.2, 0.8])
def test_ula_variance_matches_closed_form_and_mala_removes_bias(eta):
    s2 = 1.0
    x0 = np.zeros((2000, 1))
    ula = mcmc.langevin(lambda x: -x / s2, x0, 300, eta, seed=2)["samples"][100:]
    exact = mcmc.ula_gaussian_variance(s2, eta)
    assert ula.var() == pytest.approx(exact, rel=0.03)
    mala = mcmc.langevin(lambda x: -x / s2, x0, 300, eta, seed=2,
                         log_p=lambda x: gauss_logp(x, s2))["samples"][100:]
    assert mala.var() == pytest.approx(s2, rel=0.03)
    # the two differ by more than the tolerance once eta is large
    if eta == 0.8:
        assert exact > 1.6


def test_ula_variance_formula_and_errors():
    assert mcmc.ula_gaussian_variance(1.0, 1.0) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="eta must be < 2 sigma2"):
        mcmc.ula_gaussian_variance(1.0, 2.5)
    with pytest.raises(ValueError, match="eta must be > 0"):
        mcmc.langevin(lambda x: -x, np.zeros((2, 1)), 10, eta=0.0)
    with pytest.raises(ValueError, match="x0 must have 2 dimensions"):
        mcmc.random_walk_metropolis(gauss_logp, np.zeros(3), 10, step=1.0)


# --------------------------------------------------------------------- 2-D Ising
def test_ising_energy_of_simple_states():
    up = np.ones((4, 4))
    assert mcmc.ising2d_energy(up) == -2.0
    checker = np.fromfunction(lambda i, j: (-1.0) ** (i + j), (4, 4))
    assert mcmc.ising2d_energy(checker) == 2.0
    stripes = np.ones((4, 4))
    stripes[:, ::2] = -1  # vertical bonds satisfied, horizontal ones broken
    assert mcmc.ising2d_energy(stripes) == 0.0


def test_exact_enumeration_l2_by_hand():
    # L = 2 on a torus: each pair is bonded twice; energy levels -8 (2 states), 0 (12), +8 (2)
    T = 1.7
    b = 1 / T
    Z = 2 * np.exp(8 * b) + 12 + 2 * np.exp(-8 * b)
    e = (2 * -8 * np.exp(8 * b) + 2 * 8 * np.exp(-8 * b)) / Z / 4
    ex = mcmc.exact_ising2d(2, T)
    assert ex["energy"][0] == pytest.approx(e, rel=1e-12)
    assert ex["free_energy"][0] == pytest.approx(-T * np.log(Z) / 4, rel=1e-12)


def test_exact_enumeration_limits_and_thermodynamic_identities():
    T = np.array([0.2, 1.0, 2.0, 50.0])
    ex = mcmc.exact_ising2d(4, T)
    assert ex["energy"][0] == pytest.approx(-2.0, abs=1e-6)
    assert ex["abs_magnetization"][0] == pytest.approx(1.0, abs=1e-6)
    assert ex["entropy"][-1] == pytest.approx(np.log(2), abs=2e-3)  # all 2^16 states equally likely
    # F = E - T S, and dF/dT = -S checked by a finite difference
    np.testing.assert_allclose(ex["free_energy"], ex["energy"] - T * ex["entropy"], atol=1e-12)
    h = 1e-5
    dF = (mcmc.exact_ising2d(4, 1.0 + h)["free_energy"] - mcmc.exact_ising2d(4, 1.0 - h)["free_energy"]) / (2 * h)
    assert dF[0] == pytest.approx(-ex["entropy"][1], rel=1e-5)


@pytest.mark.parametrize("device", [None, "cpu"])  # numpy, and the torch path run on the CPU (the GPU path's code)
def test_metropolis_matches_enumeration_on_4x4(device):
    T = np.array([1.5, 2.3, 3.5])
    out = mcmc.metropolis_ising2d(4, T, 1500, n_chains=200, seed=0, device=device)
    ex = mcmc.exact_ising2d(4, T)
    for key, exact in (("energy", ex["energy"]), ("magnetization", ex["abs_magnetization"])):
        data = out[key][..., 200:]
        data = np.abs(data) if key == "magnetization" else data
        chain_means = data.mean(axis=-1)  # independent chains -> honest standard error
        mean = chain_means.mean(axis=-1)
        se = chain_means.std(axis=-1, ddof=1) / np.sqrt(chain_means.shape[-1])
        assert np.all(np.abs(mean - exact) < 4 * se + 1e-3), (key, mean, exact, se)


def test_metropolis_shapes_determinism_and_start():
    a = mcmc.metropolis_ising2d(6, 2.0, 5, n_chains=3, seed=7)
    b = mcmc.metropolis_ising2d(6, 2.0, 5, n_chains=3, seed=7)
    assert a["energy"].shape == a["magnetization"].shape == (3, 5)
    np.testing.assert_array_equal(a["energy"], b["energy"])
    c = mcmc.metropolis_ising2d(6, [1.0, 2.0], 4, n_chains=3, seed=7, return_spins=True)
    assert c["energy"].shape == (2, 3, 4) and c["spins"].shape == (2, 3, 6, 6)
    # recorded energies are those of the returned spins
    np.testing.assert_allclose(c["energy"][..., -1], mcmc.ising2d_energy(c["spins"].astype(float)))
    cold = mcmc.metropolis_ising2d(8, 0.5, 10, n_chains=2, start="up")
    np.testing.assert_allclose(cold["magnetization"], 1.0, atol=0.01)


def test_metropolis_near_onsager_far_from_tc():
    T = np.array([1.6, 3.2])
    out = mcmc.metropolis_ising2d(32, T, 400, n_chains=4, seed=1, start="up")
    e = out["energy"][..., 100:].mean(axis=(1, 2))
    m = np.abs(out["magnetization"][..., 100:]).mean(axis=(1, 2))
    np.testing.assert_allclose(e, mcmc.onsager_energy(T), atol=0.01)
    assert m[0] == pytest.approx(mcmc.onsager_magnetization(1.6), abs=0.01)


def test_onsager_closed_form_values():
    assert mcmc.onsager_energy(mcmc.ISING_TC) == pytest.approx(-np.sqrt(2), rel=1e-12)
    assert mcmc.onsager_energy(0.05) == pytest.approx(-2.0, abs=1e-12)
    # high-temperature series: the smallest closed loop (a plaquette, 4 bonds) gives
    # log Z / N = log 2 + 2 log cosh(beta) + v^4 + ..., v = tanh(beta), so u = -2v - 4v^3 + O(v^5)
    v = np.tanh(1 / 40)
    assert mcmc.onsager_energy(40.0) == pytest.approx(-2 * v - 4 * v**3, rel=1e-5)
    assert mcmc.onsager_magnetization(mcmc.ISING_TC + 1e-9) == 0.0
    assert mcmc.onsager_magnetization(1.0) == pytest.approx(0.99927, abs=1e-5)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(L=1, T=1.0, sweeps=1), "L must be >= 2"),
        (dict(L=5, T=1.0, sweeps=1), "L must be even"),
        (dict(L=4.0, T=1.0, sweeps=1), "L must be an integer"),
        (dict(L=4, T=0.0, sweeps=1), "T must be finite and > 0"),
        (dict(L=4, T=-1.0, sweeps=1), "T must be finite and > 0"),
        (dict(L=4, T=float("inf"), sweeps=1), "T must be finite and > 0"),
        (dict(L=4, T=[[1.0, 2.0]], sweeps=1), "T must be a scalar or a 1-D array"),
        (dict(L=4, T=1.0, sweeps=0), "sweeps must be >= 1"),
        (dict(L=4, T=1.0, sweeps=1, n_chains=0), "n_chains must be >= 1"),
        (dict(L=4, T=1.0, sweeps=1, start="down"), "start must be 'random' or 'up'"),
    ],
)
def test_metropolis_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mcmc.metropolis_ising2d(**kwargs)


def test_exact_rejects_large_lattice():
    with pytest.raises(ValueError, match="L <= 4"):
        mcmc.exact_ising2d(6, 1.0)
    with pytest.raises(ValueError, match="spins must have"):
        mcmc.ising2d_energy(np.ones(4))


def test_metropolis_torch_path_returns_spins_on_the_device_and_rejects_a_bad_device():
    import torch

    out = mcmc.metropolis_ising2d(4, 2.0, 3, n_chains=5, seed=1, return_spins=True, device=torch.device("cpu"))
    assert isinstance(out["spins"], torch.Tensor) and out["spins"].shape == (5, 4, 4)
    assert out["energy"].shape == (5, 3) and isinstance(out["energy"], np.ndarray)
    # the recorded energy is that of the returned spins
    np.testing.assert_allclose(out["energy"][:, -1], mcmc.ising2d_energy(out["spins"].numpy()))
    with pytest.raises(ValueError, match="device"):
        mcmc.metropolis_ising2d(4, 2.0, 3, device="tpu")
