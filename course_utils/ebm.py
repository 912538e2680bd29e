"""Energy-based models (lecture 06): Langevin negatives and contrastive training of a
neural energy on 2-D data, and the free energy of a latent-variable energy.

Conventions of the LeCun lectures: inference is y = argmin_y f(x, y); a Gibbs measure
p(y) = exp(-beta f(y)) / Z; the negative log-likelihood gradient is
grad f(y) - E_p[grad f], estimated contrastively by grad f(y) - grad f(y_hat) with y_hat
drawn from the model (here by Langevin dynamics).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .seeding import manual_seed, torch_generator
from .validation import check_array, check_callable, check_int, check_memory, check_positive, check_real, check_tensor

__all__ = ["EnergyMLP", "langevin_negatives", "train_ebm", "latent_free_energy"]


class EnergyMLP(nn.Module):
    """A scalar energy f_theta(x) = MLP(x), x in R^dim, with smooth (SiLU) activations.

    Accepts: ``hidden`` an integer >= 1; ``depth`` an integer >= 1.
    """

    def __init__(self, dim: int = 2, hidden: int = 64, depth: int = 2):
        super().__init__()
        dim = check_int("dim", dim, minimum=1)
        hidden = check_int("hidden", hidden, minimum=1)
        depth = check_int("depth", depth, minimum=1)
        check_memory(("depth", "hidden"), 4.0 * depth * (hidden + 1) * hidden, what="parameters")
        self.dim = dim
        layers, width = [], dim
        for _ in range(depth):
            layers += [nn.Linear(width, hidden), nn.SiLU()]
            width = hidden
        layers.append(nn.Linear(width, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """f_theta(x) for a batch x (B, dim): returns (B,)."""
        return self.net(check_tensor("x", x, shape=(None, self.dim))).squeeze(-1)


def langevin_negatives(energy, x: torch.Tensor, n_steps: int, step_size: float,
                       generator: torch.Generator | None = None) -> torch.Tensor:
    """Unadjusted Langevin x <- x - eta grad f(x) + sqrt(2 eta) xi, started from ``x`` (B, d).

    Samples (approximately, bias O(eta)) p ~ exp(-f). Returns detached samples; the
    energy's parameters get no gradient from this call.

    Accepts: ``n_steps`` an integer >= 0; ``step_size`` a finite number > 0; ``generator`` a torch.Generator or None.
    """
    check_callable("energy", energy)
    x = check_tensor("x", x, shape=(None, None))
    n_steps = check_int("n_steps", n_steps, minimum=0)
    eta = check_positive("step_size", step_size)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
    x = x.detach().clone()
    for _ in range(n_steps):
        x.requires_grad_(True)
        grad = torch.autograd.grad(energy(x).sum(), x)[0]
        noise = torch.randn(x.shape, generator=generator, dtype=x.dtype)
        x = (x - eta * grad + np.sqrt(2 * eta) * noise).detach()
    return x


def train_ebm(data, steps: int = 500, batch: int = 256, n_langevin: int = 20, step_size: float = 0.01,
              persistent: bool = True, reinit: float = 0.05, alpha: float = 0.01, lr: float = 3e-3,
              hidden: int = 64, seed: int = 0) -> tuple[EnergyMLP, dict]:
    """Train f_theta on samples (n, d) by contrastive divergence with Langevin negatives.

    Loss per step: mean f(x+) - mean f(x-) + alpha (mean f(x+)^2 + mean f(x-)^2), whose
    first two terms have the gradient of the negative log-likelihood when x- ~ p_theta
    (notes eq. 5.10); the small L2 term keeps energies bounded. Negatives start from noise
    (short-run) or from a persistent buffer (``persistent``, a fraction ``reinit`` restarted
    from noise each step). Returns (model, history) with history["loss"] and
    history["gap"] = mean f(x-) - mean f(x+) per step, and history["negatives"], the last
    negative batch.

    Accepts: ``data`` a finite array; ``steps`` an integer >= 1; ``n_langevin`` an integer >= 0; ``step_size`` a
    finite number > 0; ``lr`` a finite number > 0; ``hidden`` an integer >= 1; ``seed`` an int >= 0.
    """
    data = torch.as_tensor(check_array("data", data, ndim=2), dtype=torch.float32)
    steps = check_int("steps", steps, minimum=1)
    batch = check_int("batch", batch, minimum=1)
    check_int("n_langevin", n_langevin, minimum=0)
    check_positive("step_size", step_size)
    if not 0.0 <= check_real("reinit", reinit) <= 1.0:
        raise ValueError(f"reinit must lie in [0, 1], got {reinit}")
    check_positive("alpha", alpha, allow_zero=True)
    check_positive("lr", lr)
    gen = torch_generator(seed)
    manual_seed(seed)
    model = EnergyMLP(data.shape[1], hidden)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    lo, hi = data.min(dim=0).values, data.max(dim=0).values
    lo, hi = lo - 0.2 * (hi - lo), hi + 0.2 * (hi - lo)

    def noise(n):  # uniform on the data's bounding box, enlarged by 20% on each side
        return lo + (hi - lo) * torch.rand((n, data.shape[1]), generator=gen)

    buffer = noise(batch)
    history = {"loss": [], "gap": []}
    for _ in range(steps):
        pos = data[torch.randint(0, data.shape[0], (batch,), generator=gen)]
        if persistent:
            restart = torch.rand(batch, generator=gen) < reinit
            start = torch.where(restart[:, None], noise(batch), buffer)
        else:
            start = noise(batch)
        neg = langevin_negatives(model, start, n_langevin, step_size, generator=gen)
        buffer = neg
        e_pos, e_neg = model(pos), model(neg)
        loss = e_pos.mean() - e_neg.mean() + alpha * (e_pos.pow(2).mean() + e_neg.pow(2).mean())
        opt.zero_grad()
        loss.backward()
        opt.step()
        history["loss"].append(float(loss.detach()))
        history["gap"].append(float((e_neg.mean() - e_pos.mean()).detach()))
    history["negatives"] = buffer.numpy()
    return model, history


def latent_free_energy(y, W, beta: float | None = None) -> np.ndarray:
    """Free energy of E(y, z) = ||y - W z||^2 with a latent z in R^k (LeCun, eq. 6.1-6.2).

    beta = None: the zero-temperature F(y) = min_z E(y, z) = ||(I - P_W) y||^2, the squared
    distance of y to the column space of W. Finite beta: F_beta(y) = -(1/beta) log int
    exp(-beta E(y, z)) dz = F(y) + (k / (2 beta)) log(beta / pi) + log det(W^T W) / (2 beta),
    exact because E is quadratic in z. ``y`` is (B, n) or (n,), ``W`` is (n, k) of rank k.
    """
    W = check_array("W", W, ndim=2)
    n, k = W.shape
    y = check_array("y", y, ndim=(1, 2))
    if y.shape[-1] != n:
        raise ValueError(f"y must have last dimension {n} to match W ({n}, {k}), got shape {y.shape}")
    if np.linalg.matrix_rank(W) < k:
        raise ValueError("W must have full column rank k (otherwise F_beta diverges)")
    Y = np.atleast_2d(y).T  # (n, B)
    z_star = np.linalg.lstsq(W, Y, rcond=None)[0]
    F = ((Y - W @ z_star) ** 2).sum(axis=0)
    F = F if y.ndim == 2 else F[0]
    if beta is None:
        return F
    beta = check_positive("beta", beta)
    _, logdet = np.linalg.slogdet(W.T @ W)
    return F + k / (2 * beta) * np.log(beta / np.pi) + logdet / (2 * beta)
