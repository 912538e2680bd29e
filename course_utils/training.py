"""Tricks for training deep networks (lecture 03): signal propagation at initialisation,
whitening, batch and layer normalisation, preconditioned optimisers on quadratics, and a
small configurable MLP (initialisation, normalisation, residual connections).

Notation of the recitation notes, section 6: Linear(x) = W x + b, W_ij ~ N(0, sigma_w^2 / n_in)
(LeCun sigma_w^2 = 1, eq. 6.34; Kaiming sigma_w^2 = 2, eq. 6.38); the second moment of the
pre-activations z^(l) of layer l is q_l.
"""

from __future__ import annotations

import numpy as np

from .seeding import make_rng, torch_generator
from .validation import (
    check_array,
    check_in_range,
    check_int,
    check_memory,
    check_module,
    check_positive,
    check_seed,
    check_tensor,
)

__all__ = [
    "INIT_GAINS",
    "ACTIVATIONS",
    "init_weights",
    "gaussian_activation_moment",
    "variance_recursion",
    "propagate_mlp",
    "whitening_matrix",
    "batch_norm",
    "layer_norm",
    "gd_rate",
    "optimize_quadratic",
    "make_mlp",
    "layer_gradient_norms",
    "train_regression",
    "train_stacked_mlp",
]

#: sigma_w^2 of each random initialisation scheme: W_ij ~ N(0, sigma_w^2 / n_in)
INIT_GAINS = {"lecun": 1.0, "kaiming": 2.0}
ACTIVATIONS = ("relu", "tanh", "linear")
# trapezoid rule for E over N(0, 1) on [-12, 12]: tanh^2 is analytic in a strip, so the rule
# converges exponentially (error < 1e-12 for q <= 100, where the nearest pole is still far in grid units)
_GRID = np.linspace(-12.0, 12.0, 4801)
_GAUSS_W = np.exp(-_GRID**2 / 2) * (_GRID[1] - _GRID[0]) / np.sqrt(2 * np.pi)


def _phi(z, activation):
    if activation == "relu":
        return np.maximum(z, 0.0)
    if activation == "tanh":
        return np.tanh(z)
    return z


def _check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def init_weights(n_in: int, n_out: int, scheme: str = "kaiming", *, rng=0, size=()) -> np.ndarray:
    """Weight matrix (size + (n_out, n_in)) of one linear layer, eqs. (6.22), (6.34), (6.38).

    ``scheme``: "constant" sets every W_ij = 1 / n_in (the same for every neuron, so the
    neurons never diversify); "lecun" draws W_ij ~ N(0, 1/n_in); "kaiming" N(0, 2/n_in).

    Accepts: ``rng`` an int seed >= 0 or a numpy Generator.
    """
    n_in = check_int("n_in", n_in, minimum=1)
    n_out = check_int("n_out", n_out, minimum=1)
    _check_choice("scheme", scheme, ("constant", *INIT_GAINS))
    if isinstance(size, (str, bytes)) or not hasattr(size, "__iter__"):
        raise ValueError(f"size must be a tuple of integers >= 0, got {size!r}")
    shape = tuple(check_int("size", n, minimum=0) for n in size) + (n_out, n_in)
    check_memory("size", 8.0 * np.prod(shape, dtype=float), what="a weight array")
    if scheme == "constant":
        return np.full(shape, 1.0 / n_in)
    rng = make_rng(rng, "rng")
    return rng.standard_normal(shape) * np.sqrt(INIT_GAINS[scheme] / n_in)


def gaussian_activation_moment(q, activation: str = "relu") -> np.ndarray:
    """E_{z ~ N(0, q)}[phi(z)^2] for each q (the Gaussian average in the recursion (6.37)).

    ReLU: q / 2 exactly; linear: q; tanh: trapezoid quadrature over the standard normal
    (error below 1e-10 for q <= 100).

    Accepts: ``activation`` one of the listed activation names.
    """
    q = np.asarray(check_positive("q", check_array("q", q), allow_zero=True), dtype=float)
    _check_choice("activation", activation, ACTIVATIONS)
    if activation == "relu":
        return q / 2.0
    if activation == "linear":
        return q.copy()
    z = np.sqrt(q)[..., None] * _GRID
    return (np.tanh(z) ** 2 * _GAUSS_W).sum(axis=-1)


def variance_recursion(q0, depth: int, sigma_w2, activation: str = "relu", sigma_b2=0.0) -> np.ndarray:
    """Mean-field second moments q_1..q_depth of the pre-activations of a deep MLP at init.

    q_1 = sigma_w^2 q_0 + sigma_b^2 (the input x has E[x_i^2] = q_0, no activation on it), then
    q_{l+1} = sigma_w^2 E_{z ~ N(0, q_l)}[phi(z)^2] + sigma_b^2 (eqs. 6.32, 6.37 layer by layer).
    Broadcasts over arrays of q0, sigma_w2, sigma_b2; returns shape broadcast + (depth,).
    """
    depth = check_int("depth", depth, minimum=1)
    q0 = np.asarray(check_positive("q0", q0, allow_zero=True), dtype=float)
    sw2 = np.asarray(check_positive("sigma_w2", sigma_w2, allow_zero=True), dtype=float)
    sb2 = np.asarray(check_positive("sigma_b2", sigma_b2, allow_zero=True), dtype=float)
    _check_choice("activation", activation, ACTIVATIONS)
    q = sw2 * q0 + sb2
    out = [q]
    for _ in range(depth - 1):
        q = sw2 * gaussian_activation_moment(q, activation) + sb2
        out.append(q)
    return np.stack(np.broadcast_arrays(*out), axis=-1)


def propagate_mlp(x, depth: int, width: int, scheme: str = "kaiming", activation: str = "relu",
                  *, sigma_w2=None, sigma_b2=0.0, n_networks: int = 1, seed: int = 0) -> dict:
    """Forward a batch x (B, n_0) through ``n_networks`` independent random MLPs at init.

    z^(1) = W^(1) x + b^(1), z^(l+1) = W^(l+1) phi(z^(l)) + b^(l+1), every hidden layer of size
    ``width``, weights from :func:`init_weights` (or W_ij ~ N(0, sigma_w2 / n_in) if ``sigma_w2``
    is given, overriding ``scheme``), biases b_i ~ N(0, sigma_b2); all networks
    are pushed through at once (batched matrix products).
    Returns dict of arrays (n_networks, depth): "q" the second moment of z^(l) over the batch
    and the neurons of each network (its mean over networks is what :func:`variance_recursion`
    predicts), "neuron_spread" the batch mean of the standard deviation of z^(l) across the
    neurons of a layer (zero when all neurons compute the same thing).

    Accepts: ``activation`` one of the listed activation names; ``seed`` an int >= 0 or a numpy Generator.
    """
    x = check_array("x", x, ndim=2)
    depth = check_int("depth", depth, minimum=1)
    width = check_int("width", width, minimum=1)
    n_networks = check_int("n_networks", n_networks, minimum=1)
    # weights (width x max(width, d_in)) and the pre-activations (batch x width), per network
    check_memory(("n_networks", "width"), 3 * 8.0 * n_networks * width * (max(width, x.shape[1]) + x.shape[0]),
                 what="weights and activations")
    _check_choice("activation", activation, ACTIVATIONS)
    sb = np.sqrt(check_positive("sigma_b2", sigma_b2, allow_zero=True))
    gain = None if sigma_w2 is None else np.sqrt(check_positive("sigma_w2", sigma_w2, allow_zero=True))
    rng = make_rng(seed)
    h = np.broadcast_to(x, (n_networks,) + x.shape)
    q, spread = [], []
    for _ in range(depth):
        W = init_weights(h.shape[-1], width, "lecun" if gain is not None else scheme, rng=rng, size=(n_networks,))
        W = W if gain is None else gain * W
        z = h @ W.transpose(0, 2, 1) + sb * rng.standard_normal((n_networks, 1, width))
        q.append(np.mean(z**2, axis=(1, 2)))
        spread.append(z.std(axis=2).mean(axis=1))
        h = _phi(z, activation)
    return {"q": np.stack(q, axis=1), "neuron_spread": np.stack(spread, axis=1)}


def whitening_matrix(X, method: str = "zca", eps: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Whitening W and mean mu such that (X - mu) W^T has identity covariance, eqs. (6.4)-(6.7).

    With Sigma = U Lambda U^T the empirical covariance (1/N normalisation, eq. 6.5):
    "zca" W = U (Lambda + eps)^{-1/2} U^T (symmetric, stays closest to the input);
    "pca" W = (Lambda + eps)^{-1/2} U^T (coordinates along the principal axes, largest first).

    Accepts: ``method`` one of the listed method names.
    """
    X = check_array("X", X, ndim=2)
    _check_choice("method", method, ("zca", "pca"))
    eps = check_positive("eps", eps, allow_zero=True)
    n, d = X.shape
    if n <= d:
        raise ValueError(f"X needs more rows (samples) than columns (features), got shape {X.shape}")
    mu = X.mean(axis=0)
    Xc = X - mu
    lam, U = np.linalg.eigh(Xc.T @ Xc / n)
    lam, U = lam[::-1], U[:, ::-1]
    if lam[-1] + eps <= 1e-12 * max(lam[0], 1e-300):
        raise ValueError("the covariance of X is singular: use eps > 0 or drop redundant features")
    W = ((lam + eps) ** -0.5)[:, None] * U.T  # PCA: rotate to the principal axes and rescale
    if method == "zca":
        W = U @ W  # ZCA: rotate back into the original basis
    return W, mu


def batch_norm(x, gamma=1.0, beta=0.0, eps: float = 1e-5) -> np.ndarray:
    """BatchNorm in training mode, eqs. (6.8)-(6.11): each feature normalised over the batch axis 0.

    Accepts: ``x`` a finite array; ``gamma`` a finite number; ``beta`` a finite number; ``eps`` a finite number > 0.
    """
    x = check_array("x", x, ndim=2)
    if x.shape[0] < 2:
        raise ValueError(f"x must hold a batch of at least 2 samples, got shape {x.shape}")
    eps = check_positive("eps", eps)
    gamma, beta = check_array("gamma", gamma), check_array("beta", beta)
    xhat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
    return gamma * xhat + beta


def layer_norm(x, gamma=1.0, beta=0.0, eps: float = 1e-5) -> np.ndarray:
    """LayerNorm, eqs. (6.14)-(6.16): each sample normalised over its features (last axis).

    Accepts: ``x`` a finite array; ``gamma`` a finite number; ``beta`` a finite number; ``eps`` a finite number > 0.
    """
    x = check_array("x", x, ndim=(1, 2, 3))
    eps = check_positive("eps", eps)
    gamma, beta = check_array("gamma", gamma), check_array("beta", beta)
    xhat = (x - x.mean(axis=-1, keepdims=True)) / np.sqrt(x.var(axis=-1, keepdims=True) + eps)
    return gamma * xhat + beta


def gd_rate(H) -> tuple[float, float]:
    """Optimal step eta* = 2 / (lambda_min + lambda_max) of gradient descent on 1/2 theta^T H theta
    and its worst-case contraction per step (kappa - 1) / (kappa + 1), kappa = lambda_max / lambda_min."""
    H = _check_spd("H", H)
    lam = np.linalg.eigvalsh(H)
    kappa = lam[-1] / lam[0]
    return 2.0 / (lam[0] + lam[-1]), (kappa - 1.0) / (kappa + 1.0)


def _check_spd(name, H):
    H = check_array(name, H, ndim=2)
    if H.shape[0] != H.shape[1] or not np.allclose(H, H.T, atol=1e-10 * np.abs(H).max()):
        raise ValueError(f"{name} must be a symmetric square matrix, got shape {H.shape}")
    if np.linalg.eigvalsh(H)[0] <= 0:
        raise ValueError(f"{name} must be positive definite")
    return H


def optimize_quadratic(H, theta0, steps: int, method: str = "gd", lr: float = 0.1, *,
                       betas=(0.9, 0.999), eps: float = 1e-8) -> np.ndarray:
    """Iterates theta_0..theta_steps of an optimiser on L(theta) = 1/2 theta^T H theta (minimum at 0).

    "gd": theta <- theta - lr grad L; "newton": damped Newton theta <- theta - lr H^{-1} grad L
    (eq. 6.45, with the sign that descends); "adam": Algorithm 1 of the notes (elementwise
    moments with bias correction). theta0 is (d,) or a batch (B, d); returns (steps + 1,) + theta0.shape.

    Accepts: ``method`` one of the listed method names; ``betas`` a sequence; ``eps`` a finite number > 0.
    """
    H = _check_spd("H", H)
    d = H.shape[0]
    theta = check_array("theta0", theta0, ndim=(1, 2)).copy()
    if theta.shape[-1] != d:
        raise ValueError(f"theta0 must have last axis {d} (the size of H), got shape {theta.shape}")
    steps = check_int("steps", steps, minimum=0)
    _check_choice("method", method, ("gd", "newton", "adam"))
    lr = check_positive("lr", lr)
    b1 = check_in_range("betas[0]", betas[0], 0.0, 1.0, closed=False) if betas[0] else 0.0
    b2 = check_in_range("betas[1]", betas[1], 0.0, 1.0, closed=False)
    eps = check_positive("eps", eps, allow_zero=True)
    Hinv = np.linalg.inv(H)
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    out = [theta.copy()]
    for t in range(1, steps + 1):
        g = theta @ H  # H is symmetric: grad = H theta, row-wise
        if method == "gd":
            theta = theta - lr * g
        elif method == "newton":
            theta = theta - lr * g @ Hinv
        else:
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g**2
            theta = theta - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        out.append(theta.copy())
    return np.stack(out)


# ---------------------------------------------------------------- torch networks
def make_mlp(in_dim: int, width: int, depth: int, out_dim: int = 1, *, init: str = "kaiming",
             activation: str = "relu", norm: str | None = None, residual: bool = False,
             residual_scale: float = 1.0):
    """A torch MLP of ``depth`` hidden blocks: Linear(in, width), then blocks, then Linear(width, out).

    Each hidden block maps h -> Linear -> [norm] -> phi; with ``residual`` it is
    h -> h + residual_scale * block(h) (eq. 6.46). ``init`` is "lecun", "kaiming" or
    "constant" for every Linear (biases zero); ``norm`` is None, "batch" or "layer"
    (the preceding Linear then has no bias, as the notes advise). Returns an nn.Sequential.

    Accepts: ``in_dim`` an integer >= 1; ``out_dim`` an integer >= 1; ``activation`` one of the listed activation
    names.
    """
    import torch
    from torch import nn

    in_dim = check_int("in_dim", in_dim, minimum=1)
    width = check_int("width", width, minimum=1)
    depth = check_int("depth", depth, minimum=0)
    out_dim = check_int("out_dim", out_dim, minimum=1)
    check_memory(("width", "depth"), 4.0 * (width + 1) * (in_dim + depth * width + out_dim), what="parameters")
    _check_choice("init", init, ("constant", *INIT_GAINS))
    _check_choice("activation", activation, ("relu", "tanh"))
    _check_choice("norm", norm, (None, "batch", "layer"))
    residual_scale = check_positive("residual_scale", residual_scale, allow_zero=True)
    act = nn.ReLU if activation == "relu" else nn.Tanh

    def linear(n_in, n_out, bias=True):
        lin = nn.Linear(n_in, n_out, bias=bias)
        with torch.no_grad():
            if init == "constant":
                lin.weight.fill_(1.0 / n_in)
            else:
                lin.weight.normal_(0.0, float(np.sqrt(INIT_GAINS[init] / n_in)))
            if bias:
                lin.bias.zero_()
        return lin

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            layers = [linear(width, width, bias=norm is None)]
            if norm == "batch":
                layers.append(nn.BatchNorm1d(width))
            elif norm == "layer":
                layers.append(nn.LayerNorm(width))
            layers.append(act())
            self.f = nn.Sequential(*layers)

        def forward(self, h):
            return h + residual_scale * self.f(h) if residual else self.f(h)

    return nn.Sequential(linear(in_dim, width), *[Block() for _ in range(depth)], linear(width, out_dim))


def layer_gradient_norms(model, x, y=None) -> np.ndarray:
    """||dL/dh^(l)||^2 summed over the batch, at the input of each hidden block l of a
    :func:`make_mlp` model, with L = 1/2 sum (f(x) - y)^2 (y = 0 if omitted). Shape (depth,)."""
    import torch

    model = check_module("model", model, torch.nn.Sequential)
    x = torch.as_tensor(check_array("x", x, ndim=2), dtype=torch.get_default_dtype())
    n_in = getattr(model[0], "in_features", None) if len(model) else None
    if n_in is not None and x.shape[1] != n_in:
        raise ValueError(f"x must have {n_in} columns (the model's input size), got shape {tuple(x.shape)}")
    target = torch.zeros(x.shape[0], 1) if y is None else torch.as_tensor(
        check_array("y", y, ndim=2), dtype=torch.get_default_dtype())
    layers = list(model)
    hs = []
    h = layers[0](x)
    for layer in layers[1:-1]:
        h.retain_grad()
        hs.append(h)
        h = layer(h)
    loss = 0.5 * ((layers[-1](h) - target) ** 2).sum()
    model.zero_grad()
    loss.backward()
    return np.array([float((hh.grad**2).sum()) for hh in hs])


def train_regression(model, X, y, steps: int, lr: float, *, optimizer: str = "adam",
                     batch_size: int | None = None, seed: int = 0) -> np.ndarray:
    """Train ``model`` on mean squared error 1/n sum (f(x_i) - y_i)^2; returns the loss per step.

    Full batch if ``batch_size`` is None, else minibatches drawn with a torch generator seeded
    by ``seed``. ``optimizer`` is "sgd" or "adam". The model is left in train mode.

    Accepts: ``X`` a finite tensor; ``y`` a finite tensor; ``steps`` an integer >= 1; ``lr`` a finite number > 0.
    """
    import torch

    model = check_module("model", model)
    X = torch.as_tensor(check_array("X", X, ndim=2), dtype=torch.get_default_dtype())
    y = torch.as_tensor(check_array("y", y, ndim=2), dtype=torch.get_default_dtype())
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have {X.shape[0]} rows (one per row of X), got shape {tuple(y.shape)}")
    steps = check_int("steps", steps, minimum=1)
    lr = check_positive("lr", lr)
    _check_choice("optimizer", optimizer, ("sgd", "adam"))
    if batch_size is not None:
        batch_size = check_int("batch_size", batch_size, minimum=2, maximum=X.shape[0])
    gen = torch_generator(seed)
    opt = (torch.optim.Adam if optimizer == "adam" else torch.optim.SGD)(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(steps):
        if batch_size is None:
            xb, yb = X, y
        else:
            idx = torch.randperm(X.shape[0], generator=gen)[:batch_size]
            xb, yb = X[idx], y[idx]
        loss = ((model(xb) - yb) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    return np.array(losses)


# ---------------------------------------------------------------- stacked one-hidden-layer MLPs
def train_stacked_mlp(X, y, width: int, lrs, steps: int, *, parameterization: str = "sp", base_width: int = 32,
                      n_seeds: int = 1, weight_decay: float = 0.0, dropout: float = 0.0, ema_decay=None,
                      eval_sets=None, batch_size: int | None = None, seed: int = 0) -> dict:
    """Train len(lrs) x n_seeds one-hidden-layer ReLU MLPs f(x) = w2 . relu(W1 x + b1) + b2 at once
    with Adam (Algorithm 1 of the notes, per-parameter learning rates as in the preconditioned
    update 6.39) on the mean squared error 1/n sum_i (f(x_i) - y_i)^2 + weight_decay (||W1||^2 + ||w2||^2)
    (the L2 penalty of section 6.5).

    ``parameterization`` (width n, base width n0 = ``base_width``; W1_ij ~ N(0, 2/d), b1 = b2 = 0):
    "sp" (standard): w2_i ~ N(0, 1/n), every parameter with learning rate lr;
    "mup" (maximal update, Adam form): w2_i ~ N(0, n0/n^2) and learning rate lr n0/n for w2, lr for
    the rest (identical to "sp" at n = n0); "mup_sqrt": as "mup" but w2's learning rate is
    lr sqrt(n0/n) (a 1/sqrt(width) preconditioner, the wrong power for Adam's output layer).
    Network (i, j) uses lrs[i] and initialisation j: every lr starts from the same weights.

    Parameters: ``X`` (n, d) and ``y`` (n,) or (n, 1) the training set; ``width`` n; ``lrs`` one or
    more base learning rates > 0; ``steps`` Adam steps (betas 0.9, 0.999, eps 1e-8); ``n_seeds``
    initialisations; ``weight_decay`` lambda >= 0; ``dropout`` probability p in [0, 1) of zeroing a
    hidden unit in training (inverted dropout: survivors scaled by 1/(1-p)); ``ema_decay`` beta in
    (0, 1) or None: also track theta_ema <- beta theta_ema + (1 - beta) theta after each step, from
    theta_ema = theta_0; ``eval_sets`` None or a dict name -> (X_e, y_e); ``batch_size`` minibatch size
    (drawn without replacement each step) or None for full batch; ``seed`` seeds the initialisation,
    the dropout masks and the minibatches from one stream (so runs that differ only in lrs,
    parameterization, weight_decay or ema_decay see the same minibatches; dropout masks shift them).
    Returns dict of numpy arrays, losses of shape (steps + 1, n_lr, n_seeds) before each step and after
    the last, without dropout or penalty: "train_loss"; "<name>_loss" per evaluation set and, with
    ``ema_decay``, "<name>_loss_ema" for the averaged parameters; "weight_norm2" (n_lr, n_seeds) the
    final ||W1||^2 + ||w2||^2.
    """
    import torch

    X = check_tensor("X", X, ndim=2)
    y = check_tensor("y", y, ndim=(1, 2)).reshape(-1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have {X.shape[0]} entries (one per row of X), got shape {tuple(y.shape)}")
    width = check_int("width", width, minimum=1)
    lrs = np.atleast_1d(check_positive("lrs", lrs)).astype(float)
    if lrs.ndim != 1:
        raise ValueError(f"lrs must be a number or a 1-d array, got shape {lrs.shape}")
    steps = check_int("steps", steps, minimum=0)
    _check_choice("parameterization", parameterization, ("sp", "mup", "mup_sqrt"))
    base_width = check_int("base_width", base_width, minimum=1)
    n_seeds = check_int("n_seeds", n_seeds, minimum=1)
    weight_decay = float(check_positive("weight_decay", weight_decay, allow_zero=True))
    dropout = float(check_in_range("dropout", dropout, 0.0, 1.0))
    if dropout >= 1.0:
        raise ValueError(f"dropout must be < 1, got {dropout!r}")
    if ema_decay is not None:
        ema_decay = check_in_range("ema_decay", ema_decay, 0.0, 1.0, closed=False)
    if eval_sets is None:
        eval_sets = {}
    if not isinstance(eval_sets, dict):
        raise TypeError(f"eval_sets must be None or a dict name -> (X, y), got {type(eval_sets).__name__}")
    evals = {}
    for name, pair in eval_sets.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"eval_sets[{name!r}] must be a pair (X, y)")
        Xe = check_tensor(f"eval_sets[{name!r}][0]", pair[0], ndim=2)
        ye = check_tensor(f"eval_sets[{name!r}][1]", pair[1], ndim=(1, 2)).reshape(-1)
        if Xe.shape[1] != X.shape[1] or ye.shape[0] != Xe.shape[0]:
            raise ValueError(f"eval_sets[{name!r}] must be (X_e, y_e) with {X.shape[1]} columns and one y per row, "
                             f"got shapes {tuple(Xe.shape)}, {tuple(ye.shape)}")
        evals[name] = (Xe, ye)
    if batch_size is not None:
        batch_size = check_int("batch_size", batch_size, minimum=1, maximum=X.shape[0])
    seed = check_seed("seed", seed)
    n_lr, (n, d) = len(lrs), X.shape
    n_rows = n + sum(Xe.shape[0] for Xe, _ in evals.values())
    check_memory(("width", "n_seeds", "lrs"), 4.0 * 8 * n_lr * n_seeds * width * (d + n_rows + 2),
                 what="weights and activations")

    gen = torch_generator(seed)
    dt = torch.get_default_dtype()
    W1 = torch.randn(n_seeds, width, d, generator=gen, dtype=dt) * float(np.sqrt(2.0 / d))
    w2 = torch.randn(n_seeds, width, generator=gen, dtype=dt)
    out_std, out_lr = 1.0 / np.sqrt(width), 1.0
    if parameterization != "sp":
        out_std = np.sqrt(base_width) / width
        out_lr = base_width / width if parameterization == "mup" else np.sqrt(base_width / width)
    params = [W1, torch.zeros(n_seeds, width, dtype=dt), w2 * float(out_std), torch.zeros(n_seeds, dtype=dt)]
    params = [p.unsqueeze(0).repeat((n_lr,) + (1,) * p.dim()).requires_grad_(True) for p in params]
    lr_mult = [1.0, 1.0, float(out_lr), 1.0]
    lr_t = torch.as_tensor(lrs, dtype=dt)
    m = [torch.zeros_like(p) for p in params]
    v = [torch.zeros_like(p) for p in params]
    ema = [p.detach().clone() for p in params] if ema_decay is not None else None
    b1, b2, eps = 0.9, 0.999, 1e-8

    def forward(ps, x, mask=None):
        h = torch.relu(torch.matmul(x, ps[0].transpose(-1, -2)) + ps[1].unsqueeze(-2))
        if mask is not None:
            h = h * mask
        return (h * ps[2].unsqueeze(-2)).sum(-1) + ps[3].unsqueeze(-1)

    def mse(ps, x, t):
        with torch.no_grad():
            return ((forward(ps, x) - t) ** 2).mean(-1).numpy().copy()

    rec = {"train_loss": []}
    for name in evals:
        rec[f"{name}_loss"] = []
        if ema is not None:
            rec[f"{name}_loss_ema"] = []

    def record():
        rec["train_loss"].append(mse(params, X, y))
        for name, (Xe, ye) in evals.items():
            rec[f"{name}_loss"].append(mse(params, Xe, ye))
            if ema is not None:
                rec[f"{name}_loss_ema"].append(mse(ema, Xe, ye))

    record()
    for t in range(1, steps + 1):
        if batch_size is None:
            xb, yb = X, y
        else:
            idx = torch.randperm(n, generator=gen)[:batch_size]
            xb, yb = X[idx], y[idx]
        mask = None
        if dropout > 0:
            keep = torch.rand((n_lr, n_seeds, xb.shape[0], width), generator=gen, dtype=dt) >= dropout
            mask = keep.to(dt) / (1.0 - dropout)
        loss = ((forward(params, xb, mask) - yb) ** 2).mean(-1).sum()
        if weight_decay > 0:
            loss = loss + weight_decay * ((params[0] ** 2).sum() + (params[2] ** 2).sum())
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for k, (p, g) in enumerate(zip(params, grads)):
                m[k].mul_(b1).add_((1 - b1) * g)
                v[k].mul_(b2).add_((1 - b2) * g * g)
                step = (m[k] / (1 - b1**t)) / (torch.sqrt(v[k] / (1 - b2**t)) + eps)
                p.sub_(lr_t.reshape((n_lr,) + (1,) * (p.dim() - 1)) * lr_mult[k] * step)
                if ema is not None:
                    ema[k].mul_(ema_decay).add_((1 - ema_decay) * p)
        record()
    out = {k: np.stack(v_) for k, v_ in rec.items()}
    with torch.no_grad():
        out["weight_norm2"] = ((params[0] ** 2).sum((-1, -2)) + (params[2] ** 2).sum(-1)).numpy().copy()
    return out
