"""Normalizing flows: change of variables, affine coupling layers and RealNVP, trained by
forward KL (maximum likelihood on data) or reverse KL (the ELBO of an unnormalised target),
with importance weights to de-bias what the flow gets wrong.

Conventions follow the recitation notes (sections 8-9) and Mallat's lecture (8.3): the flow
T maps data x to the base variable z ~ N(0, I),

    log p_theta(x) = log N(T(x); 0, I) + log |det dT/dx|,

and one affine coupling layer with mask b (1 = kept, 0 = transformed) is

    T(x) = b x + (1 - b) [x exp(s(b x)) + t(b x)],   log |det dT/dx| = sum_i (1 - b_i) s_i(b x),

with a bounded scale s = s_max tanh(s_raw / s_max) so that exp(s) can neither overflow nor
vanish during training.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import nn

from .seeding import make_rng, torch_generator
from .validation import check_array, check_callable, check_int, check_memory, check_module, check_positive, check_tensor

__all__ = [
    "TOY_DATA",
    "RING",
    "RealNVP",
    "AffineCoupling",
    "toy_data",
    "ring_means",
    "gmm_log_prob",
    "checkerboard_log_prob",
    "box_muller",
    "box_muller_log_det",
    "train_forward_kl",
    "train_forward_kl_many",
    "train_reverse_kl",
    "importance_weights",
    "effective_sample_size",
    "log_z_estimates",
    "density_on_grid",
]

#: names accepted by :func:`toy_data`
TOY_DATA = ("moons", "ring", "checkerboard")
#: the ring of Gaussians used by :func:`toy_data`: n_modes components of standard deviation std
#: and equal weight, centred on a circle of this radius
RING = {"n_modes": 8, "radius": 3.0, "std": 0.35}
_LOG_2PI = math.log(2.0 * math.pi)


# ------------------------------------------------------------------------------ layers
def _mlp(n_in: int, hidden: int, n_out: int) -> nn.Sequential:
    """Two hidden ReLU layers; the last layer starts at zero so the coupling starts as the identity."""
    net = nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                        nn.Linear(hidden, n_out))
    nn.init.zeros_(net[-1].weight)
    nn.init.zeros_(net[-1].bias)
    return net


class AffineCoupling(nn.Module):
    """One affine coupling layer y = b x + (1 - b)[x exp(s(b x)) + t(b x)] (notes eq. 9.8).

    Its Jacobian is triangular (eq. 9.11), so log |det dy/dx| = sum over transformed i of s_i
    (eq. 9.12). The scale is bounded, s = s_max tanh(s_raw / s_max).

    Accepts: ``mask`` a finite tensor; ``hidden`` an integer >= 1.
    """

    def __init__(self, mask, hidden: int, s_max: float = 2.0):
        super().__init__()
        mask = check_tensor("mask", mask, ndim=1)
        if not bool(((mask == 0) | (mask == 1)).all()):
            raise ValueError("mask must contain only 0 (transformed) and 1 (kept) entries")
        hidden = check_int("hidden", hidden, minimum=1)
        check_memory("hidden", 16.0 * (hidden + 1) * (hidden + 2 * mask.numel()), what="parameters and Adam states")
        s_max = check_positive("s_max", s_max)
        self.register_buffer("mask", mask)
        dim = mask.numel()
        self.net = _mlp(dim, hidden, 2 * dim)  # one conditioner outputs (s_raw, t)
        self.s_max = float(s_max)

    def _scale_shift(self, kept: torch.Tensor):
        free = 1.0 - self.mask
        s_raw, t = self.net(kept).chunk(2, dim=-1)
        return self.s_max * torch.tanh(s_raw / self.s_max) * free, t * free

    def forward(self, x: torch.Tensor):
        """(y, log |det dy/dx|) for a batch x of shape (B, dim)."""
        x = check_tensor("x", x, shape=(None, self.mask.numel()))
        kept = x * self.mask
        s, t = self._scale_shift(kept)
        return kept + (1.0 - self.mask) * (x * torch.exp(s) + t), s.sum(-1)

    def inverse(self, y: torch.Tensor):
        """(x, log |det dx/dy|): x = b y + (1 - b)(y - t(b y)) exp(-s(b y)) (eq. 9.9)."""
        y = check_tensor("y", y, shape=(None, self.mask.numel()))
        kept = y * self.mask
        s, t = self._scale_shift(kept)
        return kept + (1.0 - self.mask) * (y - t) * torch.exp(-s), -s.sum(-1)


class RealNVP(nn.Module):
    """RealNVP flow: log p(x) = log N(T(x); 0, I) + sum_layers log |det dT_l| (notes eq. 9.7).

    ``n_layers`` affine coupling layers with alternating masks (layer 0 keeps the even-indexed
    coordinates x_1, x_3, ..., layer 1 the odd ones, and so on), each
    with one conditioner network (two hidden ReLU layers of width ``hidden``) that outputs
    s and t for the transformed coordinates, and a
    standard normal base distribution. ``forward`` maps data to base: x -> (z, log_det).

    Accepts: ``dim`` an integer >= 1; ``s_max`` a finite number > 0.
    """

    def __init__(self, dim: int, n_layers: int, hidden: int, *, s_max: float = 2.0):
        super().__init__()
        self.dim = check_int("dim", dim, minimum=2)
        self.n_layers = check_int("n_layers", n_layers, minimum=1)
        self.hidden = check_int("hidden", hidden, minimum=1)
        check_memory(("dim", "hidden", "n_layers"), 16.0 * self.n_layers * (hidden + 1) * (hidden + 2 * self.dim),
                     what="parameters and Adam states")
        s_max = check_positive("s_max", s_max)
        parity = torch.arange(self.dim) % 2
        self.layers = nn.ModuleList(
            AffineCoupling(1 - (parity + k) % 2, self.hidden, s_max) for k in range(self.n_layers)
        )

    def _check(self, name: str, x) -> torch.Tensor:
        return check_tensor(name, x, shape=(None, self.dim))

    def forward(self, x):
        """(z, log |det dz/dx|): push a batch x (B, dim) through every layer to the base space."""
        z = self._check("x", x)
        log_det = torch.zeros(z.shape[0], dtype=z.dtype, device=z.device)
        for layer in self.layers:
            z, ld = layer(z)
            log_det = log_det + ld
        return z, log_det

    def _inverse(self, z: torch.Tensor):
        log_det = torch.zeros(z.shape[0], dtype=z.dtype, device=z.device)
        for layer in reversed(self.layers):
            z, ld = layer.inverse(z)
            log_det = log_det + ld
        return z, log_det

    def inverse(self, z):
        """x = T^{-1}(z) for a batch z (B, dim), layer by layer in reverse order."""
        return self._inverse(self._check("z", z))[0]

    @staticmethod
    def base_log_prob(z: torch.Tensor) -> torch.Tensor:
        """log N(z; 0, I) summed over the last axis."""
        z = check_tensor("z", z, ndim=(1, 2))
        return -0.5 * (z**2).sum(-1) - 0.5 * z.shape[-1] * _LOG_2PI

    def log_prob(self, x):
        """log p_theta(x) = log N(T(x); 0, I) + log |det dT/dx| (change of variables, eq. 9.5)."""
        z, log_det = self.forward(x)
        return self.base_log_prob(z) + log_det

    def sample_with_log_prob(self, n: int, generator: torch.Generator | None = None):
        """(x, log p_theta(x)) for x = T^{-1}(z), z ~ N(0, I): differentiable (reparameterised).

        Accepts: ``n`` an integer >= 1; ``generator`` a torch.Generator or None.
        """
        n = check_int("n", n, minimum=1)
        _check_generator(generator)
        p = next(self.parameters())
        z = torch.randn(n, self.dim, generator=generator, dtype=p.dtype).to(p.device)
        x, log_det_inv = self._inverse(z)
        return x, self.base_log_prob(z) - log_det_inv

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """n samples x = T^{-1}(z) with z ~ N(0, I).

        Accepts: ``generator`` a torch.Generator or None.
        """
        return self.sample_with_log_prob(n, generator)[0]


# -------------------------------------------------------------------------- toy data
def ring_means(n_modes: int = RING["n_modes"], radius: float = RING["radius"]) -> np.ndarray:
    """(n_modes, 2) centres radius (cos 2 pi k / K, sin 2 pi k / K) of the ring of Gaussians."""
    n_modes = check_int("n_modes", n_modes, minimum=1)
    radius = check_positive("radius", radius)
    angle = 2.0 * np.pi * np.arange(n_modes) / n_modes
    return radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)


def gmm_log_prob(x, means, std: float, weights=None) -> torch.Tensor:
    """log sum_k w_k N(x; m_k, std^2 I) of an isotropic Gaussian mixture, differentiable in x.

    ``x`` (B, d) tensor or array, ``means`` (K, d), ``weights`` (K,) summing to 1 (uniform if None).
    """
    x = check_tensor("x", x, ndim=2)
    means = torch.as_tensor(check_array("means", means, ndim=2), dtype=x.dtype)
    if x.shape[1] != means.shape[1]:
        raise ValueError(f"x (batch, {x.shape[1]}) and means (K, {means.shape[1]}) must have the same dimension")
    std = check_positive("std", std)
    k, d = means.shape
    w = np.full(k, 1.0 / k) if weights is None else check_array("weights", weights, shape=(k,))
    if np.any(w <= 0) or not np.isclose(w.sum(), 1.0):
        raise ValueError("weights must be positive and sum to 1")
    sq = ((x[:, None, :] - means[None]) ** 2).sum(-1)
    log_comp = -0.5 * sq / std**2 - d * math.log(std) - 0.5 * d * _LOG_2PI
    return torch.logsumexp(log_comp + torch.as_tensor(np.log(w), dtype=x.dtype), dim=1)


def checkerboard_log_prob(x) -> np.ndarray:
    """log density of :func:`toy_data`'s checkerboard: log(1/32) on its 8 squares, -inf elsewhere.

    Accepts: ``x`` a finite array.
    """
    x = check_array("x", x, shape=(None, 2))
    cell = np.floor(x / 2.0)
    inside = np.all(np.abs(x) <= 4.0, axis=1) & ((cell[:, 0] + cell[:, 1]) % 2 == 0)
    return np.where(inside, -np.log(32.0), -np.inf)


def toy_data(name: str, n: int, seed: int = 0) -> np.ndarray:
    """(n, 2) samples of a 2-D toy density: "moons", "ring" (of Gaussians, see RING) or "checkerboard".

    The moons are scikit-learn's with noise 0.05, centred and scaled by 2; the checkerboard
    is uniform on the 8 dark 2 x 2 squares of [-4, 4]^2 (density 1/32 there).

    Accepts: ``name`` the data set's name, one of those listed above; ``seed`` an int >= 0 or a numpy Generator.
    """
    if name not in TOY_DATA:
        raise ValueError(f"name must be one of {TOY_DATA}, got {name!r}")
    n = check_int("n", n, minimum=1)
    rng = make_rng(seed)
    if name == "moons":
        from sklearn.datasets import make_moons

        x, _ = make_moons(n, noise=0.05, random_state=int(rng.integers(2**31)))
        return 2.0 * (x - np.array([0.5, 0.25]))
    if name == "ring":
        k = rng.integers(RING["n_modes"], size=n)
        return ring_means()[k] + RING["std"] * rng.standard_normal((n, 2))
    # checkerboard: pick one of the 8 dark squares, then a uniform point inside it
    corners = np.array([(i, j) for i in range(-2, 2) for j in range(-2, 2) if (i + j) % 2 == 0], float)
    k = rng.integers(len(corners), size=n)
    return 2.0 * (corners[k] + rng.random((n, 2)))


# -------------------------------------------------------------------------- Box-Muller
def box_muller(u) -> np.ndarray:
    """z = sqrt(-2 log u1) (cos 2 pi u2, sin 2 pi u2) (notes eq. 9.1): Unif(0,1]^2 -> N(0, I_2).

    Accepts: ``u`` a finite array.
    """
    u = check_array("u", u, shape=(None, 2))
    if np.any(u <= 0) or np.any(u > 1):
        raise ValueError("u must lie in (0, 1]")
    r = np.sqrt(-2.0 * np.log(u[:, 0]))
    return np.stack([r * np.cos(2 * np.pi * u[:, 1]), r * np.sin(2 * np.pi * u[:, 1])], axis=1)


def box_muller_log_det(u) -> np.ndarray:
    """log |det dz/du| = log(2 pi / u1) of the Box-Muller map, per sample.

    Accepts: ``u`` a finite array.
    """
    u = check_array("u", u, shape=(None, 2))
    if np.any(u <= 0) or np.any(u > 1):
        raise ValueError("u must lie in (0, 1]")
    return np.log(2.0 * np.pi / u[:, 0])


# ---------------------------------------------------------------------------- training
def _check_generator(generator):
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")


def _check_flow(flow) -> nn.Module:
    check_module("flow", flow)
    if not isinstance(getattr(flow, "dim", None), int):
        raise TypeError(f"flow must be a flow with an integer attribute dim (a RealNVP), got {type(flow).__name__}")
    return flow


def _check_snapshots(snapshot_steps, steps: int) -> list[int]:
    if isinstance(snapshot_steps, (str, bytes)) or not hasattr(snapshot_steps, "__iter__"):
        raise ValueError(f"snapshot_steps must be a sequence of step numbers, got {snapshot_steps!r}")
    return [check_int("snapshot_steps", s, minimum=0, maximum=steps) for s in snapshot_steps]


def _optimizer(flow: nn.Module, lr: float, steps: int):
    opt = torch.optim.Adam(flow.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps, eta_min=lr / 20)
    return opt, sched


def _fit(flow: nn.Module, objective: Callable, steps: int, lr: float, snapshot_steps: Sequence[int]):
    """Shared loop: Adam + cosine decay on ``objective(step) -> (loss, recorded value)``, with snapshots."""
    opt, sched = _optimizer(flow, lr, steps)
    want = set(int(s) for s in snapshot_steps)
    snaps, record = [], np.empty(steps)
    for step in range(steps):
        if step in want:
            snaps.append((step, copy.deepcopy(flow.state_dict())))
        loss, value = objective(step)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        record[step] = value.item()
    if steps in want:
        snaps.append((steps, copy.deepcopy(flow.state_dict())))
    return record, snaps


def train_forward_kl(flow: RealNVP, data, steps: int, batch_size: int = 256, lr: float = 3e-3,
                     seed: int = 0, snapshot_steps: Sequence[int] = ()) -> dict:
    """Maximum likelihood: minimise KL(pi || p_theta) = -E_data log p_theta(x) + const (eq. 8.5).

    Adam with a cosine learning-rate decay on minibatches drawn with replacement from ``data``
    (N, dim). Returns dict ``loss`` (steps,) the minibatch negative log-likelihood in nats and
    ``snapshots``: a list of (step, state_dict) at each step in ``snapshot_steps`` (0 = before training).

    Accepts: ``flow`` the fitted model / object (type-checked); ``batch_size`` an integer >= 1; ``lr``
    a finite number > 0; ``seed`` an int >= 0.
    """
    _check_flow(flow)
    data = torch.as_tensor(check_array("data", data, shape=(None, flow.dim)), dtype=torch.get_default_dtype())
    steps = check_int("steps", steps, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    lr = check_positive("lr", lr)
    snapshot_steps = _check_snapshots(snapshot_steps, steps)
    gen = torch_generator(seed)

    def nll(_step):
        idx = torch.randint(data.shape[0], (batch_size,), generator=gen)
        loss = -flow.log_prob(data[idx]).mean()
        return loss, loss

    losses, snaps = _fit(flow, nll, steps, lr, snapshot_steps)
    return {"loss": losses, "snapshots": snaps}


def train_forward_kl_many(flows: Sequence[RealNVP], datasets: Sequence, steps: int, batch_size: int = 256,
                          lr: float = 3e-3, seeds: Sequence[int] | None = None,
                          snapshot_steps: Sequence[int] = ()) -> list[dict]:
    """:func:`train_forward_kl` for K flows of one architecture at once, flow k on ``datasets[k]``.

    Each layer's weights are stacked (K, ...), the K forward passes run as batched matrix products
    and one Adam acts on the stacked tensors. Flow k gets the minibatches that
    ``train_forward_kl(flows[k], datasets[k], seed=seeds[k])`` draws, and Adam and the cosine decay
    act elementwise, so this is the same training up to floating-point round-off, in fewer, larger
    operations. The trained weights are written back into ``flows``; returns one dict a flow, as
    :func:`train_forward_kl` does.

    Accepts: ``flows`` a list of RealNVP with equal dim, n_layers, hidden and s_max; ``datasets`` a
    list of (N_k, dim) arrays, one a flow; ``steps`` and ``batch_size`` integers >= 1; ``lr`` a finite
    number > 0; ``seeds`` one int >= 0 a flow (default 0, 1, ...); ``snapshot_steps`` step numbers.
    """
    if isinstance(flows, nn.Module) or not isinstance(flows, (list, tuple)) or not flows:
        raise TypeError(f"flows must be a non-empty list of RealNVP flows, got {type(flows).__name__}")
    for f in flows:
        if not isinstance(f, RealNVP):
            raise TypeError(f"flows must hold RealNVP flows, got {type(f).__name__}")
    first = flows[0]
    shape = lambda f: (f.dim, f.n_layers, f.hidden, f.layers[0].s_max)  # noqa: E731
    if any(shape(f) != shape(first) for f in flows):
        raise ValueError("flows must share one architecture (dim, n_layers, hidden, s_max), got "
                         f"{sorted(set(shape(f) for f in flows))}")
    if not isinstance(datasets, (list, tuple)) or len(datasets) != len(flows):
        raise ValueError(f"datasets must be a list with one (N, dim) array per flow ({len(flows)}), "
                         f"got {type(datasets).__name__}")
    dtype = torch.get_default_dtype()
    data = [torch.as_tensor(check_array("datasets", d, shape=(None, first.dim)), dtype=dtype) for d in datasets]
    steps = check_int("steps", steps, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    lr = check_positive("lr", lr)
    seeds = list(range(len(flows))) if seeds is None else list(seeds)
    if len(seeds) != len(flows):
        raise ValueError(f"seeds must give one seed per flow ({len(flows)}), got {len(seeds)}")
    gens = [torch_generator(sd, "seeds") for sd in seeds]
    want = set(_check_snapshots(snapshot_steps, steps))
    # stacked leaves: stack[l] = [(W, b) of each nn.Linear of layer l's conditioner, shape (K, ...)]
    where = [[i for i, m in enumerate(layer.net) if isinstance(m, nn.Linear)] for layer in first.layers]
    stack = [[(torch.stack([f.layers[lay].net[i].weight.detach() for f in flows]).requires_grad_(),
               torch.stack([f.layers[lay].net[i].bias.detach() for f in flows]).requires_grad_()) for i in idx]
             for lay, idx in enumerate(where)]
    leaves = [t for layer in stack for pair in layer for t in pair]
    masks = [layer.mask for layer in first.layers]
    s_max = first.layers[0].s_max

    def write_back():  # the stacked weights into each flow's own modules
        with torch.no_grad():
            for lay, idx in enumerate(where):
                for (W, b), i in zip(stack[lay], idx, strict=True):
                    for k, f in enumerate(flows):
                        f.layers[lay].net[i].weight.copy_(W[k])
                        f.layers[lay].net[i].bias.copy_(b[k])

    def log_prob(x):  # x (K, B, dim) -> (K, B), RealNVP.log_prob for every flow at once
        z, log_det = x, torch.zeros(x.shape[:2], dtype=x.dtype)
        for mask, layer in zip(masks, stack, strict=True):
            kept, free = z * mask, 1.0 - mask
            h = kept
            for j, (W, b) in enumerate(layer):
                h = torch.baddbmm(b.unsqueeze(1), h, W.transpose(1, 2))
                h = torch.relu(h) if j < len(layer) - 1 else h
            s_raw, t = h.chunk(2, dim=-1)
            s = s_max * torch.tanh(s_raw / s_max) * free
            z = kept + free * (z * torch.exp(s) + t)
            log_det = log_det + s.sum(-1)
        return -0.5 * (z**2).sum(-1) - 0.5 * z.shape[-1] * _LOG_2PI + log_det

    opt = torch.optim.Adam(leaves, lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps, eta_min=lr / 20)
    snaps, record = [[] for _ in flows], np.empty((len(flows), steps))
    for step in range(steps + 1):
        if step in want:
            write_back()
            for k, f in enumerate(flows):
                snaps[k].append((step, copy.deepcopy(f.state_dict())))
        if step == steps:
            break
        batch = torch.stack([d[torch.randint(d.shape[0], (batch_size,), generator=g)]
                             for d, g in zip(data, gens, strict=True)])
        nll = -log_prob(batch).mean(dim=1)  # (K,): flow k's minibatch loss; their sum has each flow's gradient
        opt.zero_grad()
        nll.sum().backward()
        opt.step()
        sched.step()
        record[:, step] = nll.detach().numpy()
    write_back()
    return [{"loss": record[k], "snapshots": snaps[k]} for k in range(len(flows))]


def train_reverse_kl(flow: RealNVP, log_target: Callable, steps: int, batch_size: int = 256,
                     lr: float = 3e-3, seed: int = 0, snapshot_steps: Sequence[int] = ()) -> dict:
    """Variational inference: maximise ELBO = E_{x~p_theta}[log pi~(x) - log p_theta(x)] (eq. 8.8).

    ``log_target`` maps a tensor (B, dim) to (B,) unnormalised log density log pi~, differentiable;
    gradients flow through the samples (reparameterisation). Returns dict ``elbo`` (steps,) the
    minibatch ELBO and ``snapshots`` as in :func:`train_forward_kl`.

    Accepts: ``batch_size`` an integer >= 1; ``lr`` a finite number > 0; ``seed`` an int >= 0;
    ``snapshot_steps`` a sequence of step numbers.
    """
    _check_flow(flow)
    check_callable("log_target", log_target)
    steps = check_int("steps", steps, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    lr = check_positive("lr", lr)
    snapshot_steps = _check_snapshots(snapshot_steps, steps)
    gen = torch_generator(seed)

    def negative_elbo(_step):
        x, log_q = flow.sample_with_log_prob(batch_size, gen)
        elbo = (log_target(x) - log_q).mean()
        return -elbo, elbo

    elbos, snaps = _fit(flow, negative_elbo, steps, lr, snapshot_steps)
    return {"elbo": elbos, "snapshots": snaps}


# -------------------------------------------------------------------- importance sampling
@torch.no_grad()
def importance_weights(flow: RealNVP, log_target: Callable, n: int, seed: int = 0) -> dict:
    """Samples x ~ p_theta and log weights log w = log pi~(x) - log p_theta(x) (eq. 8.13).

    Returns dict ``x`` (n, dim) and ``log_w`` (n,) as numpy arrays (float64).

    Accepts: ``flow`` the fitted model / object (type-checked); ``log_target`` a callable; ``seed`` an int >= 0.
    """
    _check_flow(flow)
    check_callable("log_target", log_target)
    n = check_int("n", n, minimum=1)
    x, log_q = flow.sample_with_log_prob(n, torch_generator(seed))
    log_w = (log_target(x) - log_q).double()
    return {"x": x.double().numpy(), "log_w": log_w.numpy()}


def effective_sample_size(log_w) -> float:
    """Kish's ESS = (sum w)^2 / sum w^2 from log weights (between 1 and n; n iff all equal).

    Accepts: ``log_w`` a finite array.
    """
    from scipy.special import logsumexp

    log_w = check_array("log_w", log_w, ndim=1, finite=False)
    if log_w.size == 0 or np.any(np.isnan(log_w)) or np.any(log_w == np.inf):
        raise ValueError("log_w must be a non-empty array without nan or +inf")
    return float(np.exp(2 * logsumexp(log_w) - logsumexp(2 * log_w)))


def log_z_estimates(log_w) -> dict:
    """Two estimates of log Z from log weights: ``elbo`` = mean log w <= log Z (eq. 8.9) and
    ``importance`` = log mean w, the log of an unbiased estimate of Z.

    Accepts: ``log_w`` a finite array.
    """
    from scipy.special import logsumexp

    log_w = check_array("log_w", log_w, ndim=1)
    return {"elbo": float(log_w.mean()), "importance": float(logsumexp(log_w) - np.log(log_w.size))}


@torch.no_grad()
def density_on_grid(flow: RealNVP, extent: float = 4.0, n_grid: int = 100):
    """(X, Y, p) with p = exp log p_theta on an n_grid x n_grid grid of [-extent, extent]^2 (dim 2).

    Accepts: ``flow`` the fitted model / object (type-checked).
    """
    _check_flow(flow)
    extent = check_positive("extent", extent)
    n_grid = check_int("n_grid", n_grid, minimum=2, maximum=10**4)
    if flow.dim != 2:
        raise ValueError(f"density_on_grid needs a 2-D flow, got dim={flow.dim}")
    g = np.linspace(-extent, extent, n_grid)
    X, Y = np.meshgrid(g, g)
    pts = torch.as_tensor(np.stack([X.ravel(), Y.ravel()], 1), dtype=torch.get_default_dtype())
    p = flow.log_prob(pts).exp().double().numpy().reshape(X.shape)
    return X, Y, p
