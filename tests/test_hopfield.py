"""hopfield against exact results: hand-computed couplings, enumeration of small networks,
closed forms of the RS theory at T = 0 and the published AGS values."""

import itertools

import numpy as np
import pytest
from scipy import integrate, special

from course_utils import hopfield


# ------------------------------------------------------------------ couplings and overlaps
def test_hebbian_couplings_by_hand():
    xi = np.array([[1, -1, 1, 1], [1, 1, -1, 1]])
    J = hopfield.hebbian_couplings(xi)
    expected = np.array([[0, 0, 0, 2], [0, 0, -2, 0], [0, -2, 0, 0], [2, 0, 0, 0]]) / 4
    np.testing.assert_array_equal(J, expected)
    xi = hopfield.random_patterns(7, 50, seed=3)
    J = hopfield.hebbian_couplings(xi)
    np.testing.assert_allclose(J, J.T)
    assert np.all(np.diag(J) == 0)
    off = ~np.eye(50, dtype=bool)
    np.testing.assert_allclose(J[off], (xi.T @ xi / 50)[off])


def test_single_pattern_is_a_gauged_ferromagnet():
    # P = 1: J_ij = xi_i xi_j / N, so L(xi) = -(N - 1)/2, the Curie-Weiss ground state
    xi = hopfield.random_patterns(1, 30, seed=0)
    J = hopfield.hebbian_couplings(xi)
    assert hopfield.lyapunov(J, xi[0]) == pytest.approx(-29 / 2)
    assert hopfield.lyapunov(J, -xi[0]) == pytest.approx(-29 / 2)
    h = np.linspace(-1, 1, 30)
    assert hopfield.lyapunov(J, xi[0], h) == pytest.approx(-29 / 2 - h @ xi[0])


def test_overlaps_shapes_and_values():
    xi = hopfield.random_patterns(3, 40, seed=1)
    states = np.stack([xi, -xi])  # (2, 3, N)
    m = hopfield.overlaps(states, xi)
    assert m.shape == (2, 3, 3)
    np.testing.assert_allclose(np.diagonal(m[0]), 1.0)
    np.testing.assert_allclose(np.diagonal(m[1]), -1.0)
    np.testing.assert_allclose(m[0], xi @ xi.T / 40)
    assert hopfield.overlaps(xi[0], xi).shape == (3,)


def test_random_patterns_are_unbiased_and_seeded():
    xi = hopfield.random_patterns(20, 500, seed=4)
    assert set(np.unique(xi)) == {-1.0, 1.0}
    assert abs(xi.mean()) < 4 / np.sqrt(xi.size)  # 4 standard errors of a fair +-1 mean
    np.testing.assert_array_equal(xi, hopfield.random_patterns(20, 500, seed=4))


# --------------------------------------------------------------------------- dynamics
def test_zero_temperature_sequential_never_raises_the_lyapunov_function():
    xi = hopfield.random_patterns(30, 200, seed=5)  # alpha = 0.15: many spurious minima
    J = hopfield.hebbian_couplings(xi)
    s = 2.0 * np.random.default_rng(6).integers(0, 2, size=(40, 200)) - 1
    L = [hopfield.lyapunov(J, s)]
    for sweep in range(60):  # converges in ~20 sweeps
        new = hopfield.run_dynamics(J, s, 0.0, 1, seed=sweep)
        L.append(hopfield.lyapunov(J, new))
        if np.array_equal(new, s):
            break
        s = new
    L = np.array(L)
    assert np.all(np.diff(L, axis=0) <= 1e-12)
    assert np.all(L[-1] < L[0])
    # at the end every spin is aligned with its field: a fixed point of sign dynamics
    phi = s @ J
    assert np.all(s * phi >= -1e-12)


def test_parallel_zero_temperature_can_cycle():
    # two neurons coupled ferromagnetically, started anti-aligned: parallel updates swap
    # them forever (a 2-cycle), sequential updates reach the aligned minimum
    J = np.array([[0.0, 1.0], [1.0, 0.0]])
    s = np.array([1.0, -1.0])
    one = hopfield.run_dynamics(J, s, 0.0, 1, update="parallel")
    two = hopfield.run_dynamics(J, s, 0.0, 2, update="parallel")
    np.testing.assert_array_equal(one, [-1.0, 1.0])
    np.testing.assert_array_equal(two, s)
    seq = hopfield.run_dynamics(J, s, 0.0, 1)
    assert seq[0] == seq[1]


def test_patterns_are_fixed_points_at_low_load():
    xi = hopfield.random_patterns(5, 400, seed=7)  # alpha = 0.0125: crosstalk std 0.11
    J = hopfield.hebbian_couplings(xi)
    noisy = xi * np.where(np.random.default_rng(8).random(xi.shape) < 0.15, -1, 1)
    for update in ("sequential", "parallel"):
        out = hopfield.run_dynamics(J, noisy, 0.0, 5, update=update, seed=1)
        np.testing.assert_array_equal(out, xi)


def test_glauber_samples_the_boltzmann_law_by_enumeration():
    # N = 6 with random symmetric couplings; 12000 replicas at two temperatures in one batch
    rng = np.random.default_rng(9)
    N = 6
    A = rng.normal(size=(N, N))
    J = (A + A.T) / 2
    np.fill_diagonal(J, 0.0)
    states = np.array(list(itertools.product([-1.0, 1.0], repeat=N)))
    L = hopfield.lyapunov(J, states)
    T = np.repeat([1.0, 2.5], 6000)
    start = 2.0 * rng.integers(0, 2, size=(T.size, N)) - 1  # random starts: no bias to one valley
    out = hopfield.run_dynamics(J, start, T, 50, seed=10)
    codes = ((out > 0) * (2 ** np.arange(N)[::-1])).sum(axis=1)
    for t, half in ((1.0, slice(0, 6000)), (2.5, slice(6000, None))):
        p = np.exp(-(L - L.min()) / t)
        p /= p.sum()
        freq = np.bincount(codes[half], minlength=2**N) / 6000
        # total variation of a 6000-sample histogram of 64 states: mean ~0.03 at worst
        assert 0.5 * np.abs(freq - p).sum() < 0.05
        e_sim = hopfield.lyapunov(J, out[half]).mean()
        e_err = hopfield.lyapunov(J, out[half]).std() / np.sqrt(6000)
        assert abs(e_sim - p @ L) < 4 * e_err


def test_dynamics_shapes_and_determinism():
    xi = hopfield.random_patterns(3, 60, seed=11)
    J = hopfield.hebbian_couplings(xi)
    s0 = np.repeat(xi[:1], 4, axis=0)
    a = hopfield.run_dynamics(J, s0, [0.2, 0.5, 1.0, 3.0], 3, seed=2)
    b = hopfield.run_dynamics(J, s0, [0.2, 0.5, 1.0, 3.0], 3, seed=2)
    c = hopfield.run_dynamics(J, s0, [0.2, 0.5, 1.0, 3.0], 3, seed=3)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert a.shape == (4, 60) and set(np.unique(a)) <= {-1.0, 1.0}
    assert hopfield.run_dynamics(J, xi[0], 0.5, 2).shape == (60,)
    np.testing.assert_array_equal(hopfield.run_dynamics(J, s0, 1.0, 0), s0)
    m = hopfield.overlaps(hopfield.run_dynamics(J, np.repeat(xi[:1], 200, axis=0), 50.0, 5), xi)[:, 0]
    assert abs(m.mean()) < 0.05  # T = 50: spins are nearly independent coins


J0, S0 = np.zeros((3, 3)), np.ones((2, 3))  # three uncoupled neurons, two states


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: hopfield.hebbian_couplings([[1, 0.5, -1]]), "patterns must contain only"),
        (lambda: hopfield.hebbian_couplings([1, -1, 1]), "patterns must have 2 dimensions"),
        (lambda: hopfield.hebbian_couplings([[1], [-1]]), "at least 2 neurons"),
        (lambda: hopfield.overlaps(np.ones((2, 5)), np.ones((3, 4))), "states must have shape"),
        (lambda: hopfield.overlaps(np.ones(4), np.full((1, 4), 2.0)), "patterns must contain only"),
        (lambda: hopfield.run_dynamics(J0, S0, -0.1, 1), "T must be >= 0"),
        (lambda: hopfield.run_dynamics(J0, S0, [1.0, 2.0, 3.0], 1), "T must be a scalar"),
        (lambda: hopfield.run_dynamics(J0, np.ones((2, 4)), 1.0, 1), "states must have shape"),
        (lambda: hopfield.run_dynamics(J0, np.zeros((2, 3)), 1.0, 1), "states must contain only"),
        (lambda: hopfield.run_dynamics(J0, S0, 1.0, -1), "sweeps must be >= 0"),
        (lambda: hopfield.run_dynamics(J0, S0, 1.0, 1, update="random"), "update must be"),
        (lambda: hopfield.run_dynamics(np.triu(np.ones((3, 3))), S0, 1.0, 1), "J must be symmetric"),
        (lambda: hopfield.ags_phase_lines([0.1, 0.0]), r"alphas must lie in \(0, 1.0\]"),
        (lambda: hopfield.ags_phase_lines(1.5), r"alphas must lie in \(0, 1.0\]"),
        (lambda: hopfield.ags_phase_lines([[0.1]]), "alphas must have 0 or 1 dimensions"),
        (lambda: hopfield.ags_retrieval(0.05, T=1.2), r"T must lie in \[0, 1\)"),
        (lambda: hopfield.ags_averages(0.5, -0.1, 0.3), "s and T must be >= 0"),
        (lambda: hopfield.random_patterns(0, 10), "P must be >= 1"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------------------ replica-symmetric theory
def _quad_averages(m, s, T):
    """Reference by adaptive quadrature, split where tanh(beta u) is steepest."""
    beta = 1 / T
    phi = lambda z: np.exp(-z * z / 2) / np.sqrt(2 * np.pi)
    kinks = sorted({-12.0, 12.0, float(np.clip(-m / s, -12, 12))})
    out = []
    for g in (np.tanh, lambda x: np.tanh(x) ** 2, lambda x: beta / np.cosh(x) ** 2):
        f = lambda z, g=g: phi(z) * g(beta * (m + s * z))
        out.append(sum(integrate.quad(f, a, b, epsabs=1e-13, epsrel=1e-12, limit=200)[0]
                       for a, b in zip(kinks[:-1], kinks[1:], strict=True)))
    return out


@pytest.mark.parametrize("m, s, T", [(0.9, 0.4, 0.05), (0.5, 0.3, 0.15), (0.0, 0.5, 0.2), (0.95, 0.35, 0.4),
                                     (0.3, 0.1, 0.9), (0.2, 0.05, 1.5), (0.97, 0.36, 0.17)])
def test_rs_averages_match_adaptive_quadrature(m, s, T):
    av = hopfield.ags_averages(m, s, T)
    np.testing.assert_allclose([av["M"], av["Q"], av["C"]], _quad_averages(m, s, T), atol=1e-8)


def test_rs_averages_zero_temperature_closed_forms():
    m, s = np.array([0.2, 0.9, 0.97]), np.array([0.3, 0.4, 0.35])
    av = hopfield.ags_averages(m, s, 0.0)
    y = m / (np.sqrt(2) * s)
    np.testing.assert_allclose(av["M"], special.erf(y), rtol=1e-14)
    np.testing.assert_allclose(av["C"], np.sqrt(2 / np.pi) / s * np.exp(-y**2), rtol=1e-12)
    np.testing.assert_allclose(av["Q"], 1.0)
    # continuity: at T = 1e-4 the corrections are O(T^2)
    near = hopfield.ags_averages(m, s, 1e-4)
    np.testing.assert_allclose(near["C"], av["C"], rtol=1e-6)


def test_capacity_at_zero_temperature_is_the_published_value():
    alpha_c, m_c = hopfield.ags_capacity()
    # AGS (1985, 1987): alpha_c = 0.138 (0.1379), overlap m = 0.967 there
    assert round(alpha_c, 3) == 0.138
    assert alpha_c == pytest.approx(0.1379, abs=1e-4)
    assert m_c == pytest.approx(0.967, abs=1e-3)
    # the phase-line grid at T = 0 finds the same fold
    assert hopfield._phase_line_grid()["alpha_M"][0] == pytest.approx(alpha_c, abs=2e-5)


def test_saddle_point_is_a_stationary_point_of_the_free_energy():
    alpha, T = 0.05, 0.3
    sol = hopfield.ags_retrieval(alpha, T)
    x0 = np.array([sol["m"][0], sol["q"][0], sol["r"][0]])
    assert np.all(np.isfinite(x0))
    # the three RS equations hold at the returned point
    av = hopfield.ags_averages(x0[0], np.sqrt(alpha * x0[2]), T)
    np.testing.assert_allclose([av["M"], av["Q"]], x0[:2], atol=1e-9)
    assert x0[2] == pytest.approx(x0[1] / (1 - (1 - x0[1]) / T) ** 2, rel=1e-9)
    # and the gradient of f in (m, q, r) vanishes there (central differences, error ~h^2)
    f = lambda x: hopfield.ags_free_energy(x[0], x[1], x[2], alpha, T)
    h = 1e-5
    grad = [(f(x0 + h * e) - f(x0 - h * e)) / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(grad, 0.0, atol=1e-6)
    assert f(x0) == pytest.approx(sol["f"][0], abs=1e-10)


def test_zero_temperature_energies_closed_forms():
    alphas = np.array([0.01, 0.04, 0.08, 0.12])
    out = hopfield.ags_retrieval(alphas, 0.0)
    # RS spin glass at T = 0: E = -1/pi - sqrt(2 alpha / pi) (the P -> infinity mixture energy
    # -1/pi plus the SK-like ground state of the crosstalk with couplings of variance alpha/N)
    np.testing.assert_allclose(out["f_sg"], -1 / np.pi - np.sqrt(2 * alphas / np.pi), atol=1e-9)
    # retrieval: m = erf(y), E -> -1/2 as alpha -> 0
    assert out["f"][0] == pytest.approx(-0.5, abs=1e-6)
    assert np.all(np.diff(out["m"]) < 0) and np.all(out["m"] > 0.967)


def test_phase_lines_limits_and_ordering():
    alphas = np.array([1e-6, 1e-4, 0.01, 0.03, 0.05, 0.1, 0.13, 0.14, 0.3])
    lines = hopfield.ags_phase_lines(alphas)
    np.testing.assert_allclose(lines["T_g"], 1 + np.sqrt(alphas), rtol=1e-15)
    # T_M(alpha -> 0) -> 1, with 1 - T_M ~ 1.95 sqrt(alpha) (AGS 1987)
    assert lines["T_M"][0] > 0.997 and lines["T_c"][0] > 0.997
    assert (1 - lines["T_M"][1]) / np.sqrt(alphas[1]) == pytest.approx(1.95, abs=0.05)
    ok = np.isfinite(lines["T_M"])
    np.testing.assert_array_equal(ok, alphas < 0.1383)
    assert np.all(np.diff(lines["T_M"][ok]) < 0)
    both = np.isfinite(lines["T_c"])
    np.testing.assert_array_equal(both, alphas < 0.052)
    assert np.all(lines["T_c"][both] < lines["T_M"][both])
    assert np.all(lines["T_M"][ok] < lines["T_g"][ok])


def test_first_order_line_reaches_zero_temperature_near_0051():
    # T = 0: retrieval (E ~ -1/2) beats the spin glass (E = -1/pi - sqrt(2 alpha/pi)) for
    # alpha < (pi/2)(1/2 - 1/pi)^2 = 0.0519 (AGS quote 0.051)
    closed = np.pi / 2 * (0.5 - 1 / np.pi) ** 2
    assert hopfield._phase_line_grid()["alpha_c"][0] == pytest.approx(closed, abs=2e-4)
    out = hopfield.ags_retrieval(np.array([0.050, 0.054]), 0.0)
    assert out["f"][0] < out["f_sg"][0] and out["f"][1] > out["f_sg"][1]


def test_spinodal_agrees_with_the_retrieval_solver():
    # just below T_M a retrieval solution exists, just above it does not
    for alpha in (0.02, 0.08):
        T_M = hopfield.ags_phase_lines(alpha)["T_M"][0]
        assert np.isfinite(hopfield.ags_retrieval(alpha, T_M - 3e-3)["m"][0])
        assert np.isnan(hopfield.ags_retrieval(alpha, T_M + 3e-3)["m"][0])


def test_spin_glass_temperature_from_the_rs_equations():
    # iterate q -> <tanh^2(beta sqrt(alpha r) z)>, r = q / (1 - beta(1 - q))^2 with m = 0:
    # a non-zero q survives just below T_g = 1 + sqrt(alpha) and dies just above
    alpha = 0.1
    T_g = hopfield.ags_phase_lines(alpha)["T_g"][0]
    for T, alive in ((0.97 * T_g, True), (1.03 * T_g, False)):
        q = 0.5
        for _ in range(3000):
            r = q / (1 - (1 - q) / T) ** 2
            q = hopfield.ags_averages(0.0, np.sqrt(alpha * r), T)["Q"]
        assert (q > 1e-3) == alive


# ------------------------------------------------------------------ projector rule, (delta, epsilon) retrieval
def test_projector_couplings_by_hand():
    # span{(1,1,1,1), (1,1,1,-1)} = span{(1,1,1,0), (0,0,0,1)}: the projector is block diagonal
    xi = np.array([[1, 1, 1, 1], [1, 1, 1, -1]])
    Pi = np.zeros((4, 4))
    Pi[:3, :3] = 1 / 3
    Pi[3, 3] = 1.0
    np.testing.assert_allclose(hopfield.projector_couplings(xi, zero_diagonal=False), Pi, atol=1e-14)
    J = hopfield.projector_couplings(xi)
    np.testing.assert_allclose(J, Pi - np.diag(np.diag(Pi)), atol=1e-14)
    assert np.all(np.diag(J) == 0)


def test_projector_is_hebb_for_orthogonal_patterns():
    xi = np.array([[1, 1, 1, 1, 1, 1, 1, 1], [1, -1, 1, -1, 1, -1, 1, -1], [1, 1, -1, -1, 1, 1, -1, -1]])
    np.testing.assert_allclose(hopfield.projector_couplings(xi), hopfield.hebbian_couplings(xi), atol=1e-14)


def test_projector_patterns_are_eigenvectors_and_fixed_points():
    xi = hopfield.random_patterns(60, 80, seed=4)  # alpha = 0.75, far above Hebb's capacity
    Pi = hopfield.projector_couplings(xi, zero_diagonal=False)
    np.testing.assert_allclose(xi @ Pi, xi, atol=1e-10)  # lambda = 1 (Theorem 1)
    np.testing.assert_allclose(Pi @ Pi, Pi, atol=1e-10)
    assert abs(np.trace(Pi) - 60) < 1e-9  # mean diagonal element = alpha
    J = hopfield.projector_couplings(xi)
    stability = xi * (xi @ J)
    np.testing.assert_allclose(stability, 1 - np.diag(Pi)[None, :] * np.ones((60, 1)), atol=1e-10)
    np.testing.assert_array_equal(hopfield.run_dynamics(J, xi, 0.0, 2), xi)


def test_projector_rejects_dependent_or_too_many_patterns():
    with pytest.raises(ValueError, match="linearly independent"):
        hopfield.projector_couplings(np.array([[1, 1, -1, 1], [-1, -1, 1, -1]]))
    with pytest.raises(ValueError, match="P < N"):
        hopfield.projector_couplings(hopfield.random_patterns(4, 4, seed=0))
    with pytest.raises(TypeError, match="zero_diagonal"):
        hopfield.projector_couplings(np.array([[1, 1, -1, 1]]), zero_diagonal=1)


def test_retrieval_distances_single_pattern():
    # P = 1 is a gauged ferromagnet: with 3 of 10 bits flipped every wrong bit has field -> its pattern
    # value, one sweep repairs the state, the next confirms the fixed point
    xi = hopfield.random_patterns(1, 10, seed=2)
    out = hopfield.retrieval_distances(hopfield.hebbian_couplings(xi), xi, 0.3, sweeps=5, seed=1)
    assert out["max"][0] == pytest.approx(0.3) and out["final"][0] == 0.0 and out["fixed"][0]
    out = hopfield.retrieval_distances(hopfield.hebbian_couplings(xi), xi, 0.0, sweeps=5, seed=1)
    assert out["max"][0] == 0.0 and out["final"][0] == 0.0 and out["fixed"][0]


def test_retrieval_distances_flips_exactly_delta_n_bits():
    xi = hopfield.random_patterns(5, 40, seed=3)
    J = np.zeros((40, 40))  # zero fields: T = 0 dynamics keeps every spin, the start is a fixed point
    out = hopfield.retrieval_distances(J, xi, 0.25, sweeps=3, seed=0)
    np.testing.assert_array_equal(out["max"], np.full(5, 0.25))
    np.testing.assert_array_equal(out["final"], np.full(5, 0.25))
    assert out["fixed"].all()
