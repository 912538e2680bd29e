"""vae against exact results: the Gaussian KL closed form against Monte Carlo, ELBO <= log p(x)
<= IWAE limit against log p(x) by quadrature over a 1-D latent, and the linear autoencoder
against the SVD (principal subspace)."""

import math

import numpy as np
import pytest
import torch
from scipy.linalg import subspace_angles

from course_utils import vae


@pytest.fixture(autouse=True)
def _seed():
    torch.set_num_threads(1)  # tiny tensors: threads only add overhead (and contention on CI)
    torch.manual_seed(0)
    torch.set_default_dtype(torch.float32)


def test_gaussian_kl_matches_monte_carlo_and_special_cases():
    mu = torch.tensor([[0.3, -1.2, 2.0]], dtype=torch.float64)
    log_var = torch.tensor([[0.5, -1.0, 0.0]], dtype=torch.float64)
    exact = vae.gaussian_kl(mu, log_var)
    std = torch.exp(0.5 * log_var)
    z = mu + std * torch.randn(400000, 3, dtype=torch.float64)
    log_q = (-0.5 * ((z - mu) / std) ** 2 - torch.log(std)).sum(1)
    log_p = (-0.5 * z**2).sum(1)
    diff = log_q - log_p
    # 4e5 samples: standard error of the Monte Carlo mean ~ 3e-3; allow 4 of them
    assert exact.item() == pytest.approx(diff.mean().item(), abs=4 * diff.std().item() / math.sqrt(z.shape[0]))
    assert vae.gaussian_kl(torch.zeros(4, 2), torch.zeros(4, 2)).abs().max() == 0
    per_dim = vae.gaussian_kl(mu, log_var, reduce=False)
    assert per_dim.shape == (1, 3) and torch.allclose(per_dim.sum(-1), exact)
    assert per_dim[0, 2].item() == pytest.approx(2.0)  # mean shift 2, unit variance: mu^2 / 2


def tiny_vae():
    """A VAE with a 1-D latent and 3 pixels whose log p(x) we can integrate numerically."""
    torch.manual_seed(3)
    model = vae.VAE(3, 1, hidden=(8,)).double()
    with torch.no_grad():
        for p in model.decoder.parameters():
            p.mul_(3.0)  # a decoder far from trivial: p(x|z) varies strongly with z
        # an encoder that ignores x and proposes q = N(0.3, 2^2), wider than every posterior,
        # so that importance weights have finite variance and IWAE converges quickly
        model.encoder[-1].weight.zero_()
        model.encoder[-1].bias.copy_(torch.tensor([0.3, math.log(4.0)]))
    return model


def exact_log_px(model, x):
    """log p(x) = log int N(z; 0, 1) p(x|z) dz by the trapezoid rule on [-10, 10]."""
    z = torch.linspace(-10, 10, 20001, dtype=torch.float64)[:, None, None]  # (Z, 1, 1)
    log_joint = model.log_likelihood(x[None], z.expand(-1, x.shape[0], 1)) - 0.5 * z[..., 0] ** 2 \
        - 0.5 * math.log(2 * math.pi)
    dz = 20.0 / 20000
    return torch.logsumexp(log_joint, 0) + math.log(dz)


def test_elbo_below_log_px_and_iwae_converges_to_it():
    model = tiny_vae()
    x = torch.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 0.0], [1.0, 1.0, 0.0]], dtype=torch.float64)
    log_px = exact_log_px(model, x)
    # all 8 binary images: p(x) sums to one
    allx = torch.tensor([[(i >> b) & 1 for b in range(3)] for i in range(8)], dtype=torch.float64)
    assert exact_log_px(model, allx).exp().sum().item() == pytest.approx(1.0, abs=1e-8)
    gen = torch.Generator().manual_seed(0)
    elbos = torch.stack([vae.elbo(model, x, generator=gen)["elbo"] for _ in range(4000)])
    elbo_mean = elbos.mean(0)
    se = elbos.std(0) / math.sqrt(4000)
    assert torch.all(elbo_mean <= log_px + 3 * se)
    iwae_big = vae.iwae_bound(model, x, 100000, seed=1, chunk=4096)
    iwae_10 = vae.iwae_bound(model, x, 10, seed=1)
    # IWAE_K -> log p(x); at K = 1e5 the estimate scatters by ~0.005 nats across seeds
    # (heavy-tailed weights) and its bias is smaller still: allow 0.02
    assert torch.allclose(iwae_big, log_px, atol=0.02)
    assert torch.all(iwae_10 >= elbo_mean - 3 * se)


def test_linear_autoencoder_finds_the_principal_subspace():
    rng = np.random.default_rng(0)
    # data with a clear spectral gap: 3 strong directions in 10 dimensions
    basis = np.linalg.qr(rng.standard_normal((10, 10)))[0]
    scales = np.array([3.0, 2.5, 2.0] + [0.3] * 7)
    x = (rng.standard_normal((2000, 10)) * scales) @ basis.T
    x -= x.mean(0)
    model = vae.Autoencoder(10, 3)
    loss = vae.train_autoencoder(model, x, steps=600, batch_size=500, lr=2e-2)
    top = np.linalg.svd(x, full_matrices=False)[2][:3].T
    dec = model.decoder[0].weight.detach().double().numpy()
    angles = np.degrees(subspace_angles(dec, top))
    assert angles.max() < 2.0  # degrees; stochastic minibatches leave a small residual
    pca_mse = (np.linalg.svd(x, compute_uv=False)[3:] ** 2).sum() / x.size
    assert loss[-50:].mean() == pytest.approx(pca_mse, rel=0.05)


def test_training_raises_elbo_on_digits_and_shapes():
    x, labels = vae.binarized_digits()
    assert x.shape == (1797, 64) and set(np.unique(x)) == {0.0, 1.0} and labels.max() == 9
    model = vae.VAE(64, 2, hidden=(32,))
    hist = vae.train_vae(model, x, steps=100, batch_size=128, lr=1e-2, seed=0)
    assert hist["elbo"][-20:].mean() > hist["elbo"][:5].mean() + 5
    assert vae.kl_per_dimension(model, torch.as_tensor(x[:100], dtype=torch.float32)).shape == (2,)
    assert model.sample(5).shape == (5, 64)
    # same initial weights and seed: bit-identical training
    torch.manual_seed(5)
    m1 = vae.VAE(64, 2, hidden=(8,))
    h1 = vae.train_vae(m1, x[:50], steps=3, seed=2)["elbo"]
    torch.manual_seed(5)
    m2 = vae.VAE(64, 2, hidden=(8,))
    h2 = vae.train_vae(m2, x[:50], steps=3, seed=2)["elbo"]
    np.testing.assert_array_equal(h1, h2)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: vae.VAE(0, 2), "dim must be >= 1"),
        (lambda: vae.VAE(4, 0), "k must be >= 1"),
        (lambda: vae.Autoencoder(4, 2, hidden=(0,)), "hidden must be >= 1"),
        (lambda: vae.VAE(4, 2).encode(torch.zeros(3, 5)), r"x must have shape \(batch, 4\)"),
        (lambda: vae.VAE(4, 2).decode(torch.zeros(3, 3)), "z must have last axis 2"),
        (lambda: vae.Autoencoder(4, 2)(torch.zeros(4)), r"x must have shape \(batch, 4\)"),
        (lambda: vae.elbo(vae.VAE(4, 2), torch.zeros(2, 4), beta=-1.0), "beta must be >= 0"),
        (lambda: vae.iwae_bound(vae.VAE(4, 2), torch.zeros(2, 4), 0), "n_samples must be >= 1"),
        (lambda: vae.train_vae(vae.VAE(4, 2), np.full((3, 4), 0.5), 2), "data must be binary"),
        (lambda: vae.gaussian_kl(torch.zeros(2, 3), torch.zeros(2, 2)), "same shape"),
        (lambda: vae.binarized_digits(threshold=16), "threshold must be <= 15"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
