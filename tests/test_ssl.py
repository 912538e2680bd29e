"""Unit tests of course_utils.ssl against closed forms."""

import numpy as np
import pytest
import torch

from course_utils import ssl

SQUARE = torch.tensor([[1.0, 1.0], [-1.0, 1.0], [1.0, -1.0], [-1.0, -1.0]])


def test_vicreg_terms_closed_form():
    # the square has unbiased variance 4/3 per axis and no covariance
    loss, t = ssl.vicreg_loss(SQUARE, SQUARE)
    assert float(t["invariance"]) == 0.0
    assert float(t["variance"]) == 0.0  # std = sqrt(4/3 + 1e-4) > 1
    assert float(t["covariance"]) == pytest.approx(0.0, abs=1e-12)
    assert float(loss) == pytest.approx(0.0, abs=1e-12)


def test_vicreg_collapsed_and_scaled():
    z = torch.zeros(5, 3)
    loss, t = ssl.vicreg_loss(z, z + 0.5, lam=2.0, mu=3.0, nu=1.0)
    assert float(t["invariance"]) == pytest.approx(0.25)
    assert float(t["variance"]) == pytest.approx(2 * (1 - 0.01), rel=1e-6)
    assert float(loss) == pytest.approx(2 * 0.25 + 3 * 1.98, rel=1e-6)
    # a correlated pair: z2 = z1, unbiased variance v, off-diagonal C_12 = C_21 = v, cov = 2 v^2 / d per view
    x = torch.tensor([[0.0], [1.0], [2.0], [3.0]])
    z = torch.cat([x, x], 1)
    v = 5.0 / 3.0
    _, t = ssl.vicreg_loss(z, z)
    assert float(t["covariance"]) == pytest.approx(2 * (2 * v**2 / 2), rel=1e-6)
    assert float(t["variance"]) == pytest.approx(0.0)


def test_vicreg_gradient_flows():
    z = SQUARE.clone().mul(0.1).requires_grad_(True)
    loss, _ = ssl.vicreg_loss(z, z.detach())
    loss.backward()
    assert z.grad is not None and float(z.grad.abs().sum()) > 0


def test_info_nce_orthogonal_closed_form():
    B, tau = 4, 0.5
    z = torch.eye(B)
    expected = -np.log(np.exp(1 / tau) / (np.exp(1 / tau) + (B - 1)))
    assert float(ssl.info_nce_loss(z, z, temperature=tau)) == pytest.approx(expected, rel=1e-6)
    # a collapsed embedding cannot tell pairs apart: loss = log B
    c = torch.ones(B, 3)
    assert float(ssl.info_nce_loss(c, c, temperature=tau)) == pytest.approx(np.log(B), rel=1e-6)


def test_embedding_rank():
    assert ssl.embedding_rank(np.ones((10, 4)), tol=1e-6) == 0
    z = np.zeros((6, 3))
    z[:, 0] = np.arange(6.0)
    z[:, 1] = 2 * np.arange(6.0)
    assert ssl.embedding_rank(z, tol=1e-6) == 1
    assert ssl.embedding_rank(SQUARE, tol=1.0) == 2
    assert ssl.embedding_rank(SQUARE, tol=1.5) == 0  # eigenvalues 4/3


def test_linear_probe_separable_and_chance():
    z = np.array([[-2.0, 0.0], [-1.0, 0.1], [1.0, 0.0], [2.0, -0.1]])
    y = np.array([0, 0, 1, 1])
    assert ssl.linear_probe_accuracy(z, y, z, y) == 1.0
    assert ssl.linear_probe_accuracy(z, y, z, 1 - y) == 0.0


def test_gibbs_posterior_closed_form():
    E = np.array([0.0, 1.0, 3.0])
    p = np.array([0.2, 0.3, 0.5])
    q = ssl.gibbs_posterior(E, 2.0, p)
    w = p * np.exp(-2.0 * E)
    np.testing.assert_allclose(q, w / w.sum(), rtol=1e-12)
    np.testing.assert_allclose(ssl.gibbs_posterior(E, 2.0), np.exp(-2 * E) / np.exp(-2 * E).sum(), rtol=1e-12)
    assert ssl.free_energy(E, 2.0, p) == pytest.approx(-np.log(w.sum()) / 2.0, rel=1e-12)


def test_free_energy_is_minimum_of_eq_6_3():
    E = np.array([[0.0, 1.0, 3.0], [2.0, 0.5, 0.1]])
    p = np.array([0.2, 0.3, 0.5])
    beta = 1.5
    q_star = ssl.gibbs_posterior(E, beta, p)
    F = ssl.free_energy(E, beta, p)
    np.testing.assert_allclose(ssl.variational_free_energy(q_star, E, beta, p), F, rtol=1e-12)
    rng = np.random.Generator(np.random.PCG64(3))
    for _ in range(20):
        q = rng.dirichlet(np.ones(3), size=2)
        assert np.all(ssl.variational_free_energy(q, E, beta, p) > F)
    # zero temperature: F -> min_z E (eq. 6.2)
    assert ssl.free_energy(E[0], 1e6, p) == pytest.approx(0.0, abs=1e-5)
    # a one-hot q has no entropy: L = E(z) - log p(z) / beta
    assert ssl.variational_free_energy(np.array([0.0, 1.0, 0.0]), E[0], beta, p) == pytest.approx(
        1.0 - np.log(0.3) / beta)
