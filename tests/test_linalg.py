"""linalg against exact identities and the large-n BBP laws."""

import numpy as np
import pytest

from course_utils import linalg


def test_goe_normalisation_and_symmetry():
    W = linalg.goe(400, n_samples=3, seed=1)
    assert np.allclose(W, np.swapaxes(W, -1, -2))
    off = W[:, ~np.eye(400, dtype=bool)]
    diag = np.diagonal(W, axis1=-2, axis2=-1)
    assert off.var() * 400 == pytest.approx(1.0, rel=0.01)  # 480k entries: rel. error ~0.3%
    assert diag.var() * 400 == pytest.approx(2.0, rel=0.1)  # 1200 entries: rel. error ~4%
    eig = np.linalg.eigvalsh(W)
    assert eig.max() == pytest.approx(2.0, abs=0.1)  # Tracy-Widom scale n^{-2/3} ~ 0.02


def test_semicircle_is_a_density_with_unit_variance():
    x = np.linspace(-2, 2, 20001)
    rho = linalg.semicircle_density(x)
    assert np.trapezoid(rho, x) == pytest.approx(1.0, abs=1e-5)
    assert np.trapezoid(x**2 * rho, x) == pytest.approx(1.0, abs=1e-5)
    assert linalg.semicircle_density(2.5) == 0.0


def test_bbp_laws_by_hand():
    np.testing.assert_allclose(linalg.bbp_top_eigenvalue([0.5, 1.0, 2.0]), [2.0, 2.0, 2.5])
    np.testing.assert_allclose(linalg.bbp_overlap([0.5, 1.0, 2.0]), [0.0, 0.0, 0.75])


def test_spiked_wigner_matches_bbp_at_large_n():
    lam = np.array([0.5, 2.0, 3.0])
    A, x = linalg.spiked_wigner(500, lam, n_samples=2, seed=3)
    assert A.shape == (3, 2, 500, 500) and np.linalg.norm(x) == pytest.approx(1.0)
    vals, vecs = np.linalg.eigh(A)
    top = vals[..., -1].mean(axis=-1)
    overlap = ((vecs[..., :, -1] @ x) ** 2).mean(axis=-1)
    # finite-n corrections: O(n^{-2/3}) at the edge, O(n^{-1/2}) fluctuations of the outlier
    np.testing.assert_allclose(top, linalg.bbp_top_eigenvalue(lam), atol=0.08)
    np.testing.assert_allclose(overlap, linalg.bbp_overlap(lam), atol=0.06)


def test_low_rank_approximation_eckart_young():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((30, 20))
    for k in (0, 3, 20):
        Ak, s = linalg.low_rank_approximation(A, k)
        assert np.linalg.matrix_rank(Ak) == k
        assert np.linalg.norm(A - Ak, 2) == pytest.approx(s[k] if k < 20 else 0.0, abs=1e-10)
        assert np.linalg.norm(A - Ak) == pytest.approx(np.sqrt((s[k:] ** 2).sum()), abs=1e-10)
    # any other rank-3 matrix does worse
    B = rng.standard_normal((30, 3)) @ rng.standard_normal((3, 20))
    assert np.linalg.norm(A - B) > np.linalg.norm(A - linalg.low_rank_approximation(A, 3)[0])


def test_sherman_morrison_and_woodbury_against_direct_inverse():
    rng = np.random.default_rng(1)
    n, k = 50, 4
    A = rng.standard_normal((n, n)) + n**0.5 * np.eye(n)
    A_inv = np.linalg.inv(A)
    u, v = rng.standard_normal(n), rng.standard_normal(n)
    np.testing.assert_allclose(linalg.sherman_morrison(A_inv, u, v), np.linalg.inv(A + np.outer(u, v)), atol=1e-10)
    U, C, V = rng.standard_normal((n, k)), np.diag(rng.uniform(1, 2, k)), rng.standard_normal((k, n))
    np.testing.assert_allclose(linalg.woodbury(A_inv, U, C, V), np.linalg.inv(A + U @ C @ V), atol=1e-10)
    # the notes' printed + sign would be wrong:
    wrong = A_inv + np.outer(A_inv @ u, v @ A_inv) / (1 + v @ A_inv @ u)
    assert not np.allclose(wrong, np.linalg.inv(A + np.outer(u, v)), atol=1e-3)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: linalg.spiked_wigner(1, 1.0), "n must be >= 2"),
        (lambda: linalg.spiked_wigner(10, -1.0), "lam must be >= 0"),
        (lambda: linalg.spiked_wigner(10, [[1.0]]), "lam must be a scalar or a 1-D array"),
        (lambda: linalg.bbp_overlap(float("nan")), "lam must be finite"),
        (lambda: linalg.low_rank_approximation(np.eye(3), 4), "k must be <= 3"),
        (lambda: linalg.sherman_morrison(np.eye(3), np.ones(2), np.ones(3)), r"u must have shape \(3\)"),
        (lambda: linalg.sherman_morrison(np.eye(2), np.array([1.0, 0]), np.array([-1.0, 0])), "singular"),
        (lambda: linalg.woodbury(np.eye(3), np.ones((2, 1)), np.eye(1), np.ones((1, 3))), r"U must have shape"),
        (lambda: linalg.woodbury(np.eye(3), np.ones((3, 1)), np.eye(2), np.ones((1, 3))), r"C must have shape"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
