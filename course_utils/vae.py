"""Autoencoders and the variational autoencoder: the linear autoencoder as PCA, the ELBO as
reconstruction minus KL, the reparameterisation trick and the importance-weighted bound.

Conventions follow the handwritten notes (autoencoders, VAE and ELBO): an encoder E maps x to
a Gaussian q(z|x) = N(mu(x), diag sigma^2(x)), a decoder D maps z to p(x|z) (independent
Bernoulli pixels here), the prior is N(0, I), and

    log p(x) >= ELBO(x) = E_{z~q(z|x)}[log p(x|z)] - KL(q(z|x) || N(0, I)).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .seeding import torch_generator
from .validation import check_array, check_int, check_module, check_positive, check_tensor

__all__ = [
    "gaussian_kl",
    "Autoencoder",
    "VAE",
    "train_autoencoder",
    "train_vae",
    "elbo",
    "iwae_bound",
    "kl_per_dimension",
    "binarized_digits",
]


def _mlp(sizes: Sequence[int], activation=nn.ReLU) -> nn.Sequential:
    layers: list[nn.Module] = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), activation()]
    return nn.Sequential(*layers[:-1])  # no activation after the last layer


def _as_batch(name: str, x, dim: int) -> torch.Tensor:
    return check_tensor(name, x, shape=(None, dim))


def gaussian_kl(mu, log_var, *, reduce: bool = True) -> torch.Tensor:
    """KL(N(mu, diag e^log_var) || N(0, I)) = 1/2 sum_j (mu_j^2 + sigma_j^2 - 1 - log sigma_j^2).

    ``mu`` and ``log_var`` have the same shape (..., k); returns (...) summed over the last axis,
    or the per-dimension terms (..., k) when ``reduce`` is false.
    """
    mu, log_var = check_tensor("mu", mu), check_tensor("log_var", log_var)
    if mu.shape != log_var.shape or mu.ndim == 0:
        raise ValueError(f"mu and log_var must have the same shape (..., k), got {tuple(mu.shape)} "
                         f"and {tuple(log_var.shape)}")
    per_dim = 0.5 * (mu**2 + log_var.exp() - 1.0 - log_var)
    return per_dim.sum(-1) if reduce else per_dim


class Autoencoder(nn.Module):
    """Deterministic autoencoder x -> z = E(x) in R^k -> D(z), MLP encoder and decoder.

    ``hidden=()`` gives the linear autoencoder z = W_e x + b_e, x_hat = W_d z + b_d, whose
    optimum under squared error spans the top-k principal subspace of the data.

    Accepts: ``dim`` an integer >= 1.
    """

    def __init__(self, dim: int, k: int, hidden: Sequence[int] = ()):
        super().__init__()
        self.dim = check_int("dim", dim, minimum=1)
        self.k = check_int("k", k, minimum=1)
        hidden = [check_int("hidden", h, minimum=1) for h in hidden]
        self.encoder = _mlp([self.dim, *hidden, self.k])
        self.decoder = _mlp([self.k, *hidden[::-1], self.dim])

    def forward(self, x):
        """The reconstruction D(E(x)) of a batch x (B, dim)."""
        return self.decoder(self.encoder(_as_batch("x", x, self.dim)))


class VAE(nn.Module):
    """Variational autoencoder with q(z|x) = N(mu(x), diag e^{log_var(x)}), prior N(0, I_k) and
    independent Bernoulli pixels p(x|z) = prod_i Bern(x_i; sigmoid(logit_i(z))).

    Accepts: ``dim`` an integer >= 1; ``k`` an integer >= 1; ``hidden`` the hidden layer size(s) / kind named above.
    """

    def __init__(self, dim: int, k: int, hidden: Sequence[int] = (128,)):
        super().__init__()
        self.dim = check_int("dim", dim, minimum=1)
        self.k = check_int("k", k, minimum=1)
        hidden = [check_int("hidden", h, minimum=1) for h in hidden]
        self.encoder = _mlp([self.dim, *hidden, 2 * self.k])
        self.decoder = _mlp([self.k, *hidden[::-1], self.dim])

    def encode(self, x):
        """(mu, log_var) of q(z|x), each (B, k)."""
        mu, log_var = self.encoder(_as_batch("x", x, self.dim)).chunk(2, dim=-1)
        return mu, log_var

    def decode(self, z) -> torch.Tensor:
        """Bernoulli logits of p(x|z), shape (..., dim), for latents z (..., k)."""
        z = check_tensor("z", z).to(next(self.parameters()).dtype)
        if z.ndim == 0 or z.shape[-1] != self.k:
            raise ValueError(f"z must have last axis {self.k}, got shape {tuple(z.shape)}")
        return self.decoder(z)

    def log_likelihood(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """log p(x|z) = sum_i [x_i log s_i + (1 - x_i) log(1 - s_i)], s = sigmoid(logits(z)).

        ``x`` (..., dim) finite pixels in [0, 1] and ``z`` (..., k) finite latents (tensors or
        arrays); x broadcasts to z's batch axes.
        """
        x = check_tensor("x", x)
        if x.ndim == 0 or x.shape[-1] != self.dim:
            raise ValueError(f"x must have last axis {self.dim}, got shape {tuple(x.shape)}")
        logits = self.decode(z)
        try:
            ok = torch.broadcast_shapes(x.shape, logits.shape) == logits.shape
        except RuntimeError:
            ok = False
        if not ok:
            raise ValueError(f"x {tuple(x.shape)} must broadcast to the batch axes of z {tuple(z.shape)}")
        return -F.binary_cross_entropy_with_logits(logits, x.expand_as(logits), reduction="none").sum(-1)

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None, mean: bool = False) -> torch.Tensor:
        """n images x ~ p(x|z), z ~ N(0, I); with ``mean`` the pixel probabilities instead.

        Accepts: ``generator`` a torch.Generator or None.
        """
        n = check_int("n", n, minimum=1)
        z = torch.randn(n, self.k, generator=generator, dtype=next(self.parameters()).dtype)
        probs = torch.sigmoid(self.decode(z))
        return probs if mean else torch.bernoulli(probs, generator=generator)


def elbo(model: VAE, x, beta: float = 1.0, generator: torch.Generator | None = None) -> dict:
    """ELBO(x) = E_q[log p(x|z)] - beta KL(q(z|x) || N(0, I)) per image (beta = 1: the bound).

    One reparameterised sample z = mu + sigma * eps, eps ~ N(0, I), estimates the
    reconstruction term; the KL is analytic. Returns dict of tensors (B,): ``elbo``,
    ``reconstruction`` and ``kl``.

    Accepts: ``model`` the model object (type-checked); ``generator`` a torch.Generator or None.
    """
    model = check_module("model", model, VAE)
    x = _as_batch("x", x, model.dim)
    beta = check_positive("beta", beta, allow_zero=True)
    mu, log_var = model.encode(x)
    eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype)
    z = mu + torch.exp(0.5 * log_var) * eps
    rec = model.log_likelihood(x, z)
    kl = gaussian_kl(mu, log_var)
    return {"elbo": rec - beta * kl, "reconstruction": rec, "kl": kl}


@torch.no_grad()
def iwae_bound(model: VAE, x, n_samples: int, seed: int = 0, chunk: int = 256) -> torch.Tensor:
    """Importance-weighted bound log (1/K) sum_k p(x, z_k) / q(z_k|x), z_k ~ q(z|x), per image.

    K = ``n_samples``; K = 1 is an unbiased estimate of the ELBO, the bound rises with K and
    tends to log p(x) (Burda, Grosse, Salakhutdinov 2016).

    Accepts: ``model`` the model object (type-checked); ``seed`` an int >= 0; ``chunk`` an integer >= 1.
    """
    model = check_module("model", model, VAE)
    x = _as_batch("x", x, model.dim)
    n_samples = check_int("n_samples", n_samples, minimum=1)
    chunk = check_int("chunk", chunk, minimum=1)
    gen = torch_generator(seed)
    mu, log_var = model.encode(x)
    std = torch.exp(0.5 * log_var)
    parts = []
    for start in range(0, n_samples, chunk):
        m = min(chunk, n_samples - start)
        eps = torch.randn((m,) + mu.shape, generator=gen, dtype=mu.dtype)
        z = mu + std * eps  # (m, B, k)
        log_prior = -0.5 * (z**2).sum(-1) - 0.5 * model.k * math.log(2 * math.pi)
        log_q = -0.5 * (eps**2).sum(-1) - torch.log(std).sum(-1) - 0.5 * model.k * math.log(2 * math.pi)
        parts.append(model.log_likelihood(x, z) + log_prior - log_q)
    log_w = torch.cat(parts, 0)
    return torch.logsumexp(log_w, 0) - math.log(n_samples)


@torch.no_grad()
def kl_per_dimension(model: VAE, x) -> np.ndarray:
    """Average over the data of KL(q(z_j|x) || N(0, 1)) for each latent j (posterior collapse ~ 0).

    Accepts: ``model`` the model object (type-checked).
    """
    model = check_module("model", model, VAE)
    mu, log_var = model.encode(_as_batch("x", x, model.dim))
    return gaussian_kl(mu, log_var, reduce=False).mean(0).double().numpy()


def _minibatches(n: int, batch_size: int, steps: int, seed: int):
    gen = torch_generator(seed)
    for _ in range(steps):
        yield torch.randint(n, (batch_size,), generator=gen), gen


def train_autoencoder(model: Autoencoder, data, steps: int, batch_size: int = 256, lr: float = 1e-2,
                      seed: int = 0) -> np.ndarray:
    """Minimise the squared reconstruction error ||D(E(x)) - x||^2 (mean over pixels) with Adam.

    Returns the minibatch loss per step (steps,).

    Accepts: ``model`` the model object (type-checked); ``data`` a finite array; ``batch_size`` an integer >= 1;
    ``lr`` a finite number > 0; ``seed`` an int >= 0.
    """
    model = check_module("model", model, Autoencoder)
    data = torch.as_tensor(check_array("data", data, shape=(None, model.dim)), dtype=torch.get_default_dtype())
    steps = check_int("steps", steps, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    opt = torch.optim.Adam(model.parameters(), lr=check_positive("lr", lr))
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps, eta_min=lr / 50)
    losses = np.empty(steps)
    for step, (idx, _) in enumerate(_minibatches(data.shape[0], batch_size, steps, seed)):
        loss = ((model(data[idx]) - data[idx]) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        losses[step] = loss.item()
    return losses


def train_vae(model: VAE, data, steps: int, batch_size: int = 128, lr: float = 3e-3, beta: float = 1.0,
              seed: int = 0) -> dict:
    """Maximise the (beta-)ELBO over minibatches with Adam and reparameterised gradients.

    ``data`` (N, dim) with entries in {0, 1}. Returns dict of (steps,) arrays: ``elbo`` (the
    beta = 1 bound, nats per image), ``reconstruction`` and ``kl`` (minibatch means).

    Accepts: ``model`` the model object (type-checked); ``batch_size`` an integer >= 1; ``lr`` a finite number > 0;
    ``seed`` an int >= 0.
    """
    model = check_module("model", model, VAE)
    data = check_array("data", data, shape=(None, model.dim))
    if np.any((data != 0) & (data != 1)):
        raise ValueError("data must be binary (0 or 1) for the Bernoulli decoder")
    data = torch.as_tensor(data, dtype=torch.get_default_dtype())
    steps = check_int("steps", steps, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    beta = check_positive("beta", beta, allow_zero=True)
    opt = torch.optim.Adam(model.parameters(), lr=check_positive("lr", lr))
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps, eta_min=lr / 20)
    hist = {key: np.empty(steps) for key in ("elbo", "reconstruction", "kl")}
    for step, (idx, gen) in enumerate(_minibatches(data.shape[0], batch_size, steps, seed)):
        out = elbo(model, data[idx], beta=beta, generator=gen)
        loss = -(out["reconstruction"] - beta * out["kl"]).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        for key in hist:
            hist[key][step] = out[key].mean().item()
    return hist


def binarized_digits(threshold: int = 8):
    """scikit-learn's 8x8 digits (1797 images, ships with the package) as binary pixels x > threshold.

    Returns (x, labels): x (1797, 64) float array of 0/1, labels (1797,) int.
    """
    from sklearn.datasets import load_digits

    threshold = check_int("threshold", threshold, minimum=0, maximum=15)
    d = load_digits()
    return (d.data > threshold).astype(float), d.target
