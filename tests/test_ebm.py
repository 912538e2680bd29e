"""ebm: Langevin negatives against the exact ULA law, contrastive training on a Gaussian,
and the latent free energy against brute-force minimisation and quadrature."""

import numpy as np
import pytest
import torch
from scipy import integrate

from course_utils import ebm, mcmc


def test_energy_mlp_shapes_and_errors():
    model = ebm.EnergyMLP(dim=3, hidden=8, depth=2)
    assert model(torch.zeros(5, 3)).shape == (5,)
    with pytest.raises(ValueError, match="hidden must be >= 1"):
        ebm.EnergyMLP(dim=2, hidden=0)


def test_langevin_negatives_stationary_variance_is_the_ula_law():
    # f(x) = x^2 / 2: ULA's stationary variance is 1 / (1 - eta/2) (closed form in mcmc)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    x = ebm.langevin_negatives(lambda x: 0.5 * (x**2).sum(dim=1), torch.zeros(20000, 1), 200, 0.5, generator=gen)
    assert x.var().item() == pytest.approx(mcmc.ula_gaussian_variance(1.0, 0.5), rel=0.03)  # 20000 samples: ~1%


def test_langevin_negatives_leave_no_graph_and_check_input():
    lin = torch.nn.Linear(2, 1)
    x = ebm.langevin_negatives(lambda x: lin(x).squeeze(-1), torch.zeros(4, 2), 3, 0.1)
    assert not x.requires_grad
    with pytest.raises(ValueError, match="x must have shape"):
        ebm.langevin_negatives(lambda x: x.sum(), torch.zeros(4), 3, 0.1)
    with pytest.raises(ValueError, match="step_size must be > 0"):
        ebm.langevin_negatives(lambda x: x.sum(), torch.zeros(4, 1), 3, 0.0)


def test_contrastive_training_finds_the_mode_of_a_gaussian():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    data = rng.normal([1.5, -1.0], 0.3, size=(2000, 2))
    model, hist = ebm.train_ebm(data, steps=200, batch=64, n_langevin=5, step_size=0.01, hidden=16, lr=1e-2, seed=0)
    g = np.linspace(-3, 3, 61)
    grid = torch.tensor(np.stack(np.meshgrid(g, g), -1).reshape(-1, 2), dtype=torch.float32)
    with torch.no_grad():
        best = grid[model(grid).argmin()].numpy()
    # the energy minimum sits on the data mode, to within the grid step and training noise
    np.testing.assert_allclose(best, [1.5, -1.0], atol=0.25)
    assert len(hist["loss"]) == 200 and hist["negatives"].shape == (64, 2)


def test_latent_free_energy_zero_temperature_is_distance_to_column_space():
    rng = np.random.default_rng(1)
    W = rng.standard_normal((5, 2))
    y = rng.standard_normal((7, 5))
    P = W @ np.linalg.solve(W.T @ W, W.T)
    np.testing.assert_allclose(ebm.latent_free_energy(y, W), ((y - y @ P) ** 2).sum(axis=1), atol=1e-12)
    # by gradient descent on z
    z = np.zeros(2)
    for _ in range(2000):
        z -= 0.05 * 2 * W.T @ (W @ z - y[0])
    assert ebm.latent_free_energy(y[0], W) == pytest.approx(((y[0] - W @ z) ** 2).sum(), abs=1e-8)


def test_latent_free_energy_finite_beta_by_quadrature():
    W = np.array([[1.0], [0.5], [-2.0]])
    y = np.array([0.3, -1.0, 0.7])
    for beta in (0.5, 2.0):
        val, _ = integrate.quad(lambda z, b=beta: np.exp(-b * ((y - W[:, 0] * z) ** 2).sum()), -20, 20)
        assert ebm.latent_free_energy(y, W, beta) == pytest.approx(-np.log(val) / beta, rel=1e-8)
    # beta -> infinity recovers the minimum
    assert ebm.latent_free_energy(y, W, 1e8) == pytest.approx(ebm.latent_free_energy(y, W), abs=1e-6)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: ebm.latent_free_energy(np.ones(3), np.ones((4, 2))), "y must have last dimension 4"),
        (lambda: ebm.latent_free_energy(np.ones(3), np.ones((3, 2))), "full column rank"),
        (lambda: ebm.latent_free_energy(np.ones(3), np.eye(3)[:, :1], beta=-1.0), "beta must be > 0"),
        (lambda: ebm.train_ebm(np.ones(5), steps=1), "data must have 2 dimensions"),
        (lambda: ebm.train_ebm(np.ones((5, 2)), steps=1, reinit=2.0), r"reinit must lie in \[0, 1\]"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
