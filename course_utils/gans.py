"""Generative adversarial networks: the optimal discriminator and the Jensen-Shannon divergence.

Mallat, lecture notes, section 8.2: for a fixed generator density p_G, the discriminator maximising the
value function V(D, G) = E_data[log D] + E_G[log(1 - D)] (eq. 8.9) is D* = p_data / (p_data + p_G)
(Lemma 1), and V(D*, G) = -log 4 + 2 JS(p_data, p_G) (Theorem 2).

Training: ``EnsembleMLP`` holds K independent multilayer perceptrons in stacked weight tensors, so that
K discriminators or K GANs (one per seed) train in one loop of batched matrix products; Adam acts entry by
entry, so the K members never interact. ``train_discriminator`` fits D by logistic regression (eq. 8.9
maximised over D alone); ``train_gan`` alternates the D and G steps of eq. 8.9 with the original
minimax ("saturating") generator loss E log(1 - D(G(z))) or the non-saturating -E log D(G(z))
(Goodfellow et al. 2014), optionally conditioned on a class label y (eq. 8.13, D(x|y) and G(z|y)).
``mode_metrics`` and ``nearest_distance`` score samples of a mixture of Gaussians.
"""

import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .seeding import torch_generator
from .validation import check_array, check_in_range, check_int, check_memory, check_module, check_positive, check_tensor

__all__ = [
    "optimal_discriminator",
    "js_divergence",
    "EnsembleMLP",
    "GAN_LOSSES",
    "train_discriminator",
    "train_gan",
    "sample",
    "discriminator_prob",
    "mode_metrics",
    "nearest_distance",
]

#: generator losses accepted by :func:`train_gan`
GAN_LOSSES = ("minimax", "nonsaturating")


def _density(name, value):
    arr = check_array(name, value, ndim=1)
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0 (a density), got a negative value")
    return arr


def optimal_discriminator(p_data, p_g):
    """Optimal discriminator D* = p_data / (p_data + p_g) (Lemma 1 of section 8.2).

    ``p_data``: 1-D array of data densities (>= 0) on common points; ``p_g``: 1-D array of generator
    densities (>= 0) on the same points. Where both vanish, D* is set to 1/2.
    """
    p_data = _density("p_data", p_data)
    p_g = _density("p_g", p_g)
    if p_data.shape != p_g.shape:
        raise ValueError(f"p_g must have the shape of p_data {p_data.shape}, got {p_g.shape}")
    total = p_data + p_g
    out = np.full_like(total, 0.5)
    np.divide(p_data, total, out=out, where=total > 0)
    return out


def js_divergence(p, q, dx):
    """Jensen-Shannon divergence JS(p, q) = KL(p||m)/2 + KL(q||m)/2, m = (p + q)/2, on a grid.

    ``p`` and ``q``: 1-D arrays of densities (>= 0) on the same uniform grid; ``dx``: the grid spacing
    (> 0); the integrals are Riemann sums times ``dx``, with 0 log 0 = 0. In nats, between 0 and log 2.
    """
    p = _density("p", p)
    q = _density("q", q)
    if p.shape != q.shape:
        raise ValueError(f"q must have the shape of p {p.shape}, got {q.shape}")
    dx = check_positive("dx", dx)
    if np.ndim(dx) != 0:
        raise ValueError(f"dx must be a scalar, got {dx!r}")
    m = 0.5 * (p + q)

    def kl(a):
        mask = a > 0
        return np.sum(a[mask] * np.log(a[mask] / m[mask])) * dx

    return float(0.5 * kl(p) + 0.5 * kl(q))


# ------------------------------------------------------------------------------ networks
class EnsembleMLP(nn.Module):
    """K independent MLPs y_k = W_L phi(... phi(W_1 x_k + b_1) ...) + b_L with leaky-ReLU phi (slope 0.2).

    The weights of layer l are one tensor of shape (K, n_in, n_out), so a batch x of shape (K, B, n_in)
    passes through all members at once with ``torch.baddbmm``. Initialisation as ``nn.Linear`` (uniform in
    +-1/sqrt(n_in)), drawn from ``seed``.

    Accepts: ``n_models`` K, an integer >= 1; ``n_in``, ``n_out`` integers >= 1; ``hidden`` width, an integer
    >= 1; ``depth`` number of hidden layers, an integer >= 1; ``seed`` an int >= 0.
    """

    def __init__(self, n_models: int, n_in: int, hidden: int, n_out: int, depth: int = 2, seed: int = 0):
        super().__init__()
        self.n_models = check_int("n_models", n_models, minimum=1)
        self.n_in = check_int("n_in", n_in, minimum=1)
        self.hidden = check_int("hidden", hidden, minimum=1)
        self.n_out = check_int("n_out", n_out, minimum=1)
        self.depth = check_int("depth", depth, minimum=1)
        n_par = self.n_in * self.hidden + self.hidden**2 * (self.depth - 1) + self.hidden * (self.n_out + self.depth)
        check_memory(("n_models", "n_in", "hidden", "n_out", "depth"), 4.0 * self.n_models * (n_par + self.n_out),
                     what="the weights")
        gen = torch_generator(seed)
        sizes = [self.n_in] + [self.hidden] * self.depth + [self.n_out]
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        for a, b in zip(sizes[:-1], sizes[1:]):
            bound = 1.0 / math.sqrt(a)
            self.weights.append(nn.Parameter((2 * torch.rand(self.n_models, a, b, generator=gen) - 1) * bound))
            self.biases.append(nn.Parameter((2 * torch.rand(self.n_models, 1, b, generator=gen) - 1) * bound))

    def forward(self, x):
        """Outputs (K, B, n_out) for inputs x of shape (K, B, n_in)."""
        x = check_tensor("x", x, shape=(self.n_models, None, self.n_in))
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            x = torch.baddbmm(b, x, w)
            if i < last:
                x = F.leaky_relu(x, 0.2)
        return x


def _ensemble(name, value, n_in=None, n_out=None):
    check_module(name, value, EnsembleMLP)
    if n_in is not None and value.n_in != n_in:
        raise ValueError(f"{name} must take {n_in} inputs, got {value.n_in}")
    if n_out is not None and value.n_out != n_out:
        raise ValueError(f"{name} must give {n_out} outputs, got {value.n_out}")
    return value


def _points(name, value, n_models=None):
    """(N, d) shared by all members or (K, N, d) one set per member -> float tensor (K or 1, N, d)."""
    t = check_tensor(name, value, ndim=(2, 3))
    if t.dim() == 2:
        t = t[None]
    if n_models is not None and t.shape[0] not in (1, n_models):
        raise ValueError(f"{name} must have shape (N, d) or ({n_models}, N, d), got {tuple(t.shape)}")
    return t


def _draw(x, n_models, batch_size, gen):
    """A minibatch (K, B, d) drawn with replacement from each member's set x (1 or K, N, d)."""
    idx = torch.randint(x.shape[1], (n_models, batch_size), generator=gen)
    if x.shape[0] == 1:
        return x[0][idx]
    return torch.gather(x, 1, idx[..., None].expand(-1, -1, x.shape[2]))


def _one_hot(labels, n_classes):
    return F.one_hot(labels, n_classes).to(torch.get_default_dtype())


def _labels(name, value, n_points, n_classes):
    arr = check_array(name, value, shape=(n_points,), dtype=float)
    if np.any(arr != np.round(arr)) or np.any(arr < 0) or np.any(arr >= n_classes):
        raise ValueError(f"{name} must hold integer class labels in [0, {n_classes}), got {value!r}")
    return torch.as_tensor(arr.astype(np.int64))


# ------------------------------------------------------------------------------ training
def train_discriminator(x_data, x_gen, steps: int, *, n_models: int = 1, hidden: int = 32, depth: int = 2,
                        lr: float = 3e-3, batch_size: int = 256, seed: int = 0) -> EnsembleMLP:
    """Maximise V(D) = E_data log D(x) + E_G log(1 - D(x)) (eq. 8.9 at fixed G) by Adam, D = sigmoid(MLP).

    ``x_data`` (N, d) samples of p_data and ``x_gen`` (M, d) samples of p_G, minibatches of ``batch_size``
    drawn with replacement from each; ``steps`` Adam steps of rate ``lr`` with a cosine decay to lr/20;
    ``n_models`` independent discriminators (an ``EnsembleMLP`` of ``depth`` hidden layers of width
    ``hidden``) from one ``seed``. The maximiser over all functions is D* of Lemma 1. Returns the ensemble
    (logits; see :func:`discriminator_prob`).

    Accepts: ``steps``, ``n_models``, ``hidden``, ``depth``, ``batch_size`` integers >= 1; ``lr`` > 0;
    ``seed`` an int >= 0.
    """
    xd = check_tensor("x_data", x_data, ndim=2)
    xg = check_tensor("x_gen", x_gen, ndim=2)
    if xg.shape[1] != xd.shape[1]:
        raise ValueError(f"x_gen must have {xd.shape[1]} columns like x_data, got {xg.shape[1]}")
    steps = check_int("steps", steps, minimum=1)
    n_models = check_int("n_models", n_models, minimum=1)
    lr = check_positive("lr", lr)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    hidden = check_int("hidden", hidden, minimum=1)
    depth = check_int("depth", depth, minimum=1)
    check_memory(("n_models", "batch_size", "hidden", "depth"), 16.0 * n_models * batch_size * hidden * depth,
                 what="the activations")
    disc = EnsembleMLP(n_models, xd.shape[1], hidden, 1, depth, seed=seed)
    gen = torch_generator(seed + 1)
    opt = torch.optim.Adam(disc.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps, eta_min=lr / 20)
    xd, xg = xd[None], xg[None]
    for _ in range(steps):
        real = disc(_draw(xd, n_models, batch_size, gen))
        fake = disc(_draw(xg, n_models, batch_size, gen))
        loss = (F.softplus(-real) + F.softplus(fake)).mean(dim=(1, 2)).sum()  # -V per member, summed
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    return disc


def discriminator_prob(disc, x, labels=None, n_classes: int = 0) -> np.ndarray:
    """D(x) = sigmoid(logit(x)) of every member, shape (K, N), for points x (N, d) or (K, N, d).

    For a conditional discriminator (``n_classes`` > 0) the one-hot ``labels`` (N,) are appended to x.

    Accepts: ``disc`` an EnsembleMLP; ``x`` a finite array; ``n_classes`` an integer >= 0.
    """
    n_classes = check_int("n_classes", n_classes, minimum=0)
    _ensemble("disc", disc, n_out=1)
    xt = _points("x", x, disc.n_models)
    xt = xt.expand(disc.n_models, -1, -1)
    if n_classes:
        if labels is None:
            raise ValueError("labels must be given for a conditional discriminator (n_classes > 0)")
        y = _one_hot(_labels("labels", labels, xt.shape[1], n_classes), n_classes)
        xt = torch.cat([xt, y[None].expand(disc.n_models, -1, -1)], dim=2)
    if xt.shape[2] != disc.n_in:
        raise ValueError(f"x must have {disc.n_in - n_classes} columns for this disc, got {xt.shape[2] - n_classes}")
    with torch.no_grad():
        return torch.sigmoid(disc(xt))[..., 0].double().numpy()


def sample(generator, n: int, *, latent_dim: int, labels=None, n_classes: int = 0, seed: int = 0) -> np.ndarray:
    """x = G(z) (or G(z|y), eq. 8.13) for n draws z ~ N(0, I_latent_dim) per member: array (K, n, d).

    ``labels`` (n,) the classes asked for when ``n_classes`` > 0 (the generator then takes [z, one-hot y]).

    Accepts: ``generator`` an EnsembleMLP; ``n`` an integer >= 1; ``latent_dim`` an integer >= 1;
    ``n_classes`` an integer >= 0; ``seed`` an int >= 0.
    """
    _ensemble("generator", generator)
    n = check_int("n", n, minimum=1)
    latent_dim = check_int("latent_dim", latent_dim, minimum=1)
    n_classes = check_int("n_classes", n_classes, minimum=0)
    if generator.n_in != latent_dim + n_classes:
        raise ValueError(f"latent_dim + n_classes must equal the generator's inputs {generator.n_in}, "
                         f"got {latent_dim} + {n_classes}")
    check_memory(("n", "latent_dim"), 16.0 * generator.n_models * n * (latent_dim + n_classes + 2 * generator.hidden),
                 what="the latents and activations")
    z = torch.randn(generator.n_models, n, latent_dim, generator=torch_generator(seed))
    if n_classes:
        if labels is None:
            raise ValueError("labels must be given for a conditional generator (n_classes > 0)")
        y = _one_hot(_labels("labels", labels, n, n_classes), n_classes)
        z = torch.cat([z, y[None].expand(generator.n_models, -1, -1)], dim=2)
    with torch.no_grad():
        return generator(z).double().numpy()


def train_gan(data, steps: int, *, loss: str = "nonsaturating", n_models: int = 1, latent_dim: int = 2,
              g_hidden: int = 64, d_hidden: int = 64, depth: int = 2, lr: float = 1e-3, beta1: float = 0.5,
              batch_size: int = 256, g_steps: int = 1, pack: int = 1, labels=None, n_classes: int = 0,
              record_every: int = 0, n_record: int = 512, seed: int = 0) -> dict:
    """Alternating gradient steps on the GAN game min_G max_D V(D, G) of eq. 8.9, for K GANs at once.

    Each step: one Adam step of D (sigmoid of an MLP) up V = E_data log D(x) + E_z log(1 - D(G(z))) on
    minibatches of ``batch_size``, then ``g_steps`` Adam steps of G (an MLP from z ~ N(0, I_latent_dim))
    down its loss: ``loss="minimax"`` E_z log(1 - D(G(z))) (the value function itself, saturating where D
    rejects G) or ``loss="nonsaturating"`` -E_z log D(G(z)) (same fixed points, strong gradients early).
    Adam with momentum ``beta1`` (0.5 by default) and rate ``lr``. ``data`` (N, d) is shared by all
    ``n_models`` members, or (K, N, d) gives one training set each. Conditional GAN (eq. 8.13): with
    ``n_classes`` > 0 and integer ``labels`` (N,) (or (K, N)), D sees [x, one-hot y] and G sees
    [z, one-hot y], the fake labels drawn uniformly. Both networks have ``depth`` hidden layers, of widths
    ``g_hidden`` and ``d_hidden``. More ``g_steps`` let G best-respond to a frozen D, whose best response
    is a point mass at argmax D (mode collapse). Packing (Lin et al. 2018, a minibatch method): with
    ``pack`` = m > 1, D judges m samples side by side, [x_1, ..., x_m] all real or all generated, so a
    generator whose m samples all come from one mode is easy to reject.
    Every ``record_every`` steps (0: never) the samples of ``n_record`` fixed latents are recorded.

    Returns dict ``generator``, ``discriminator`` (EnsembleMLPs), ``record_steps`` (R,), ``samples``
    (R, K, n_record, d) and, for a conditional GAN, ``record_labels`` (n_record,) (cycling 0, 1, ...).

    Accepts: ``data`` a finite array; ``steps``, ``n_models``, ``latent_dim``, ``g_hidden``, ``d_hidden``,
    ``depth``, ``batch_size``, ``n_record``, ``g_steps``, ``pack`` integers >= 1 (``batch_size`` a multiple of
    ``pack``); ``loss`` one of GAN_LOSSES; ``lr`` > 0; ``beta1`` in [0, 1);
    ``n_classes``, ``record_every`` integers >= 0; ``seed`` an int >= 0.
    """
    if loss not in GAN_LOSSES:
        raise ValueError(f"loss must be one of {GAN_LOSSES}, got {loss!r}")
    n_models = check_int("n_models", n_models, minimum=1)
    x = _points("data", data, n_models)
    steps = check_int("steps", steps, minimum=1)
    latent_dim = check_int("latent_dim", latent_dim, minimum=1)
    lr = check_positive("lr", lr)
    beta1 = check_in_range("beta1", beta1, 0.0, 1.0, closed=False) if beta1 != 0 else 0.0
    batch_size = check_int("batch_size", batch_size, minimum=1)
    g_steps = check_int("g_steps", g_steps, minimum=1)
    pack = check_int("pack", pack, minimum=1)
    if batch_size % pack:
        raise ValueError(f"batch_size must be a multiple of pack={pack}, got {batch_size}")
    n_classes = check_int("n_classes", n_classes, minimum=0)
    record_every = check_int("record_every", record_every, minimum=0)
    n_record = check_int("n_record", n_record, minimum=1)
    dim = x.shape[2]
    g_hidden = check_int("g_hidden", g_hidden, minimum=1)
    d_hidden = check_int("d_hidden", d_hidden, minimum=1)
    depth = check_int("depth", depth, minimum=1)
    width = latent_dim + n_classes + dim + g_hidden + d_hidden
    n_bytes = 4.0 * n_models * (4 * (g_hidden + d_hidden) * (width + depth * (g_hidden + d_hidden))
                                + 8 * batch_size * width * depth + 2 * n_record * (width + dim)
                                + x.shape[1] * n_classes)
    check_memory(("n_models", "latent_dim", "g_hidden", "d_hidden", "depth", "batch_size", "n_record", "n_classes"),
                 n_bytes, what="the networks, their optimiser states, activations and records")
    if n_classes:
        if labels is None:
            raise ValueError("labels must be given for a conditional GAN (n_classes > 0)")
        y_all = np.asarray(labels)
        if y_all.ndim == 1:
            y = _labels("labels", y_all, x.shape[1], n_classes)[None]
        else:
            y = torch.stack([_labels("labels", row, x.shape[1], n_classes) for row in
                             check_array("labels", y_all, shape=(x.shape[0], x.shape[1]))])
        # append the one-hot label to each data point so that a minibatch draws (x, y) pairs together
        x = torch.cat([x, _one_hot(y, n_classes).expand(x.shape[0], -1, -1)], dim=2)
    elif labels is not None:
        raise ValueError("labels need n_classes > 0 (a conditional GAN)")
    gen_net = EnsembleMLP(n_models, latent_dim + n_classes, g_hidden, dim, depth, seed=seed)
    disc = EnsembleMLP(n_models, pack * (dim + n_classes), d_hidden, 1, depth, seed=seed + 1)

    def judge(v):  # D's logits; with packing, D sees `pack` samples side by side as one point
        return disc(v.reshape(n_models, batch_size // pack, pack * v.shape[2]))

    draws = torch_generator(seed + 2)
    opt_g = torch.optim.Adam(gen_net.parameters(), lr=lr, betas=(beta1, 0.999))
    opt_d = torch.optim.Adam(disc.parameters(), lr=lr, betas=(beta1, 0.999))

    z_rec = torch.randn(n_models, n_record, latent_dim, generator=torch_generator(seed + 3))
    y_rec = torch.arange(n_record) % n_classes if n_classes else None
    if n_classes:
        z_rec = torch.cat([z_rec, _one_hot(y_rec, n_classes).expand(n_models, -1, -1)], dim=2)
    rec_steps, rec = [], []

    def fake_batch():
        z = torch.randn(n_models, batch_size, latent_dim, generator=draws)
        if not n_classes:
            return z, None
        y1 = _one_hot(torch.randint(n_classes, (n_models, batch_size), generator=draws), n_classes)
        return torch.cat([z, y1], dim=2), y1

    def with_label(xg, y1):
        return xg if y1 is None else torch.cat([xg, y1], dim=2)

    def record(step):
        with torch.no_grad():
            rec.append(gen_net(z_rec).double().numpy())
        rec_steps.append(step)

    for step in range(steps):
        if record_every and step % record_every == 0:
            record(step)
        # discriminator step: ascend V
        real = judge(_draw(x, n_models, batch_size, draws))
        zf, y1 = fake_batch()
        with torch.no_grad():
            xf = gen_net(zf)
        fake = judge(with_label(xf, y1))
        loss_d = (F.softplus(-real) + F.softplus(fake)).mean(dim=(1, 2)).sum()
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        for _ in range(g_steps):  # generator step(s) against the current D
            zf, y1 = fake_batch()
            logit = judge(with_label(gen_net(zf), y1))
            # log(1 - sigmoid(l)) = -softplus(l);  -log sigmoid(l) = softplus(-l)
            per = -F.softplus(logit) if loss == "minimax" else F.softplus(-logit)
            loss_g = per.mean(dim=(1, 2)).sum()
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()
    if record_every:
        record(steps)
    out = {"generator": gen_net, "discriminator": disc, "record_steps": np.array(rec_steps, dtype=int),
           "samples": np.array(rec) if rec else np.empty((0, n_models, n_record, dim))}
    if n_classes:
        out["record_labels"] = y_rec.numpy()
    return out


# ------------------------------------------------------------------------------- scoring
def _points_and_reference(x, ref, ref_name):
    """Check sample points x (..., N, d) and a reference set (M, d) of the same dimension d."""
    x = check_array("x", x)
    if x.ndim < 2:
        raise ValueError(f"x must have shape (..., N, d), got {x.shape}")
    ref = check_array(ref_name, ref, ndim=2)
    if ref.shape[1] != x.shape[-1]:
        raise ValueError(f"{ref_name} must have {x.shape[-1]} columns like x, got {ref.shape[1]}")
    return x, ref


def mode_metrics(x, means, std: float, *, n_std: float = 3.0, min_fraction: float = 0.03) -> dict:
    """Precision and mode coverage of samples x of a mixture of isotropic Gaussians N(m_k, std^2 I).

    A sample is of high quality if it lies within ``n_std`` standard deviations of its nearest mode;
    ``precision`` is the fraction of high-quality samples, ``fractions`` (K,) the fraction of all samples
    that are high-quality and nearest to mode k, and a mode is covered if its fraction is at least
    ``min_fraction``: ``n_covered`` counts them (the recall in modes). ``x`` (N, d), or (..., N, d) for a
    batch of sample sets (the outputs then have the leading shape ...). Returns dict ``precision``,
    ``n_covered``, ``fractions``, ``nearest`` (..., N) the nearest mode of each sample.

    Accepts: ``x`` a finite array; ``means`` a finite array; ``std`` > 0; ``n_std`` > 0; ``min_fraction`` in
    [0, 1].
    """
    x, means = _points_and_reference(x, means, "means")
    std = check_positive("std", std)
    n_std = check_positive("n_std", n_std)
    min_fraction = check_in_range("min_fraction", min_fraction, 0.0, 1.0)
    d2 = ((x[..., :, None, :] - means) ** 2).sum(-1)
    nearest = d2.argmin(-1)
    good = np.take_along_axis(d2, nearest[..., None], -1)[..., 0] <= (n_std * std) ** 2
    k = means.shape[0]
    fractions = np.stack([(good & (nearest == j)).mean(-1) for j in range(k)], axis=-1)
    return {"precision": good.mean(-1), "n_covered": (fractions >= min_fraction).sum(-1),
            "fractions": fractions, "nearest": nearest}


def nearest_distance(x, ref) -> np.ndarray:
    """min_j |x_i - ref_j| for every row x_i of x (N, d) (or (..., N, d)) against the set ref (M, d).

    Accepts: ``x`` a finite array; ``ref`` a finite array.
    """
    x, ref = _points_and_reference(x, ref, "ref")
    flat = x.reshape(-1, x.shape[-1])
    out = np.empty(flat.shape[0])
    for i in range(0, flat.shape[0], 2048):  # chunks keep the distance matrix small
        chunk = flat[i:i + 2048]
        d2 = (chunk**2).sum(1)[:, None] - 2 * chunk @ ref.T + (ref**2).sum(1)[None]
        out[i:i + 2048] = np.sqrt(np.maximum(d2.min(1), 0.0))
    return out.reshape(x.shape[:-1])
