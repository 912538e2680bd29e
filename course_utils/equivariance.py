"""Geometric deep learning (lecture 04): translations and convolutions, pooling, message passing
on graphs, and invariant models of point clouds.

Notation of the recitation notes, section 7: a group element g acts on inputs by rho_X(g) and on
outputs by rho_Y(g); f is equivariant if f(rho_X(g) x) = rho_Y(g) f(x) (eq. 7.3) and invariant if
f(rho_X(g) x) = f(x) (eq. 7.2). Images are torch tensors (B, C, H, W); graphs carry node features
x (..., N, F) and an adjacency matrix A (N, N).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from .seeding import make_rng
from .validation import check_array, check_callable, check_int, check_memory, check_positive, check_tensor

__all__ = [
    "translate",
    "conv2d",
    "equivariance_error",
    "global_avg_pool",
    "message_passing",
    "gcn_layer",
    "permute_graph",
    "random_rotation",
    "pairwise_distances",
    "DistanceHistogramModel",
    "self_attention",
    "positional_encoding",
    "permutation_matrix",
    "intertwiner_basis",
    "forces",
]


def _torch():
    import torch

    return torch


def _check_image(name, x):
    x = check_tensor(name, x)
    if x.ndim != 4:
        raise ValueError(f"{name} must have 4 dimensions (B, C, H, W), got shape {tuple(x.shape)}")
    return x


def translate(x, shift):
    """Periodic translation [T_s x](u) = x(u - s) of images (B, C, H, W) by s = (s_1, s_2) pixels.

    Integer shifts permute pixels exactly (torch.roll). Fractional shifts use bilinear
    interpolation between the two neighbouring integer shifts along each axis,
    (1 - f) T_k x + f T_{k+1} x with k = floor(s), f = s - k: itself a circular convolution.

    Accepts: ``shift`` a sequence.
    """
    torch = _torch()
    x = _check_image("x", x)
    s = np.asarray(shift, dtype=float)
    if s.shape != (2,) or not np.all(np.isfinite(s)):
        raise ValueError(f"shift must be two finite numbers (s_1, s_2), got {shift!r}")
    for axis, s_axis in zip((-2, -1), s):
        k = math.floor(s_axis)
        f = float(s_axis - k)
        rolled = torch.roll(x, k, dims=axis)
        x = rolled if f == 0.0 else (1 - f) * rolled + f * torch.roll(x, k + 1, dims=axis)
    return x


def conv2d(x, kernel, padding: str = "circular", stride: int = 1):
    """Convolutional layer Conv[phi](u) = sum_a k(a) phi(u + a) (eq. 7.12, in PyTorch's cross-correlation form).

    x (B, C_in, H, W), kernel (C_out, C_in, K, K) with odd K; ``padding`` "circular" (periodic
    boundary: exactly translation equivariant), "zeros" (zero border, same output size) or
    "valid" (no padding, output shrinks by K - 1). ``stride`` subsamples the output.
    """
    import torch.nn.functional as F

    x = _check_image("x", x)
    kernel = _check_image("kernel", kernel).to(x.dtype)
    if kernel.shape[1] != x.shape[1]:
        raise ValueError(f"kernel must have {x.shape[1]} input channels (axis 1), got shape {tuple(kernel.shape)}")
    K = kernel.shape[-1]
    if kernel.shape[-2] != K or K % 2 == 0:
        raise ValueError(f"kernel must be square with odd size K, got shape {tuple(kernel.shape)}")
    if padding not in ("circular", "zeros", "valid"):
        raise ValueError(f"padding must be 'circular', 'zeros' or 'valid', got {padding!r}")
    stride = check_int("stride", stride, minimum=1)
    p = K // 2
    if padding == "circular":
        if p > min(x.shape[-2:]):
            raise ValueError(f"kernel size {K} is too large for circular padding of a {tuple(x.shape[-2:])} image")
        x = F.pad(x, (p, p, p, p), mode="circular")
        p = 0
    elif padding == "valid":
        p = 0
    return F.conv2d(x, kernel, stride=stride, padding=p)


def equivariance_error(f, x, g_in, g_out=None) -> float:
    """Relative equivariance error max|f(g_in x) - g_out f(x)| / max|f(x)| (eq. 7.3).

    ``g_in``, ``g_out`` are callables acting on inputs and outputs; ``g_out=None`` tests
    invariance (g_out = identity, eq. 7.2). Zero (to round-off) for an equivariant f.
    """
    check_callable("f", f)
    check_callable("g_in", g_in)
    check_callable("g_out", g_out, optional=True)
    x = check_tensor("x", x) if isinstance(x, _torch().Tensor) else check_array("x", x)
    fx = f(x)
    lhs = f(g_in(x))
    rhs = fx if g_out is None else g_out(fx)
    scale = float(abs(fx).max())
    if scale == 0.0:
        raise ValueError("f(x) is identically zero: the relative error is undefined")
    return float(abs(lhs - rhs).max()) / scale


def global_avg_pool(h):
    """GlobalAvgPool[h]_c = 1/(HW) sum_{i,j} h_c(i, j) (eq. 7.16): (B, C, H, W) -> (B, C), translation invariant."""
    h = _check_image("h", h)
    return h.mean(dim=(-2, -1))


def _graph(x, adj):
    x = check_tensor("x", x)
    adj = check_tensor("adj", adj)
    if x.ndim < 2:
        raise ValueError(f"x must have shape (..., N, F), got {tuple(x.shape)}")
    N = x.shape[-2]
    if adj.shape[-2:] != (N, N):
        raise ValueError(f"adj must have shape (..., {N}, {N}) to match x with N = {N} nodes, got {tuple(adj.shape)}")
    return x, adj.to(x.dtype)


def _act(h, activation):
    torch = _torch()
    if activation == "relu":
        return torch.relu(h)
    if activation == "tanh":
        return torch.tanh(h)
    if activation == "linear":
        return h
    raise ValueError(f"activation must be 'relu', 'tanh' or 'linear', got {activation!r}")


def message_passing(x, adj, W0, W1, activation: str = "relu"):
    """Simple GNN layer h_u = sigma(W_0 x_u + sum_{v in N_u} W_1 x_v) (eq. 7.20), all nodes at once.

    x (..., N, F_in), adj (N, N) (or batched) with A_uv = 1 for an edge, W0 and W1 (F_out, F_in).
    Returns (..., N, F_out). Equivariant under node permutations: f(P x, P A P^T) = P f(x, A).

    Accepts: ``activation`` one of the listed activation names.
    """
    x, adj = _graph(x, adj)
    W0 = _weight("W0", W0, x)
    W1 = _weight("W1", W1, x)
    return _act(x @ W0.T + adj @ x @ W1.T, activation)


def gcn_layer(x, adj, W, activation: str = "relu"):
    """Graph convolution h_u = sigma(W sum_{v in N_u + u} x_v / sqrt((|N_u|+1)(|N_v|+1))) (eq. 7.21).

    Accepts: ``x`` a finite array; ``adj`` a finite array; ``activation`` one of the listed activation names.
    """
    torch = _torch()
    x, adj = _graph(x, adj)
    if bool((adj < 0).any()):
        raise ValueError("adj must have non-negative entries (the GCN normalisation takes (degree + 1)^-1/2)")
    W = _weight("W", W, x)
    A_hat = adj + torch.eye(adj.shape[-1], dtype=x.dtype)
    d = A_hat.sum(dim=-1) ** -0.5
    return _act((d[..., :, None] * A_hat * d[..., None, :]) @ x @ W.T, activation)


def _weight(name, W, x):
    W = check_tensor(name, W, ndim=2)
    if W.ndim != 2 or W.shape[1] != x.shape[-1]:
        raise ValueError(f"{name} must have shape (F_out, {x.shape[-1]}), got {tuple(W.shape)}")
    return W.to(x.dtype)


def permute_graph(x, adj, perm):
    """Relabel the nodes: (P x, P A P^T) with (P x)_u = x_{perm[u]}.

    Accepts: ``adj`` a finite array.
    """
    x, adj = _graph(x, adj)
    perm = np.asarray(perm)
    if perm.shape != (x.shape[-2],) or not np.array_equal(np.sort(perm), np.arange(x.shape[-2])):
        raise ValueError(f"perm must be a permutation of 0..{x.shape[-2] - 1}")
    idx = _torch().as_tensor(perm)
    return x[..., idx, :], adj[..., idx, :][..., :, idx]


def random_rotation(d: int, rng=0, size=()) -> np.ndarray:
    """Haar-random rotation matrices in SO(d), shape size + (d, d) (QR of a Gaussian matrix, det fixed to +1).

    Accepts: ``rng`` an int seed >= 0 or a numpy Generator.
    """
    d = check_int("d", d, minimum=1)
    size = (size,) if isinstance(size, (int, np.integer)) else size
    if isinstance(size, (str, bytes)) or not hasattr(size, "__iter__"):
        raise ValueError(f"size must be a tuple of non-negative integers, got {size!r}")
    size = tuple(check_int("size", s, minimum=0) for s in size)
    check_memory(("size", "d"), 8.0 * 3 * np.prod(size + (d, d), dtype=float), what="rotation matrices")
    rng = make_rng(rng, "rng")
    Q, R = np.linalg.qr(rng.standard_normal(size + (d, d)))
    Q = Q * np.sign(np.diagonal(R, axis1=-2, axis2=-1))[..., None, :]
    det = np.linalg.det(Q)
    Q[..., :, 0] *= np.sign(det)[..., None]
    return Q


def pairwise_distances(points):
    """Distances d_ij = ||r_i - r_j|| of point clouds (..., N, d) -> (..., N, N): invariant under
    rotations, reflections and translations, and equivariant under permutations (d -> P d P^T).

    Accepts: ``points`` a finite array.
    """
    torch = _torch()
    if isinstance(points, torch.Tensor):
        if points.ndim < 2:
            raise ValueError(f"points must have shape (..., N, d), got {tuple(points.shape)}")
        diff = points[..., :, None, :] - points[..., None, :, :]
        return torch.sqrt((diff**2).sum(-1))
    points = check_array("points", points)
    if points.ndim < 2:
        raise ValueError(f"points must have shape (..., N, d), got {points.shape}")
    diff = points[..., :, None, :] - points[..., None, :, :]
    return np.sqrt((diff**2).sum(-1))


class DistanceHistogramModel(nn.Module):
    """An E(d) x S_N invariant model of point clouds: f(r) = rho(sum_{i<j} e(d_ij)).

    e(d) = (exp(-(d - mu_k)^2 / (2 w^2)))_k is a smooth histogram of the pair distances over
    ``n_centers`` centres mu_k in [0, r_max] (w their spacing); rho is an MLP with two hidden
    tanh layers of size ``hidden``. Summing over pairs makes f permutation invariant; distances
    make it rotation, reflection and translation invariant. Maps points (B, N, d) -> (B,).
    """

    def __init__(self, n_centers: int = 16, r_max: float = 3.0, hidden: int = 32):
        super().__init__()
        n_centers = check_int("n_centers", n_centers, minimum=2)
        r_max = check_positive("r_max", r_max)
        hidden = check_int("hidden", hidden, minimum=1)
        check_memory(("n_centers", "hidden"), 16.0 * (hidden + 1) * (hidden + n_centers + 1),
                     what="parameters and Adam states")
        self.register_buffer("centers", torch.linspace(0.0, r_max, n_centers))
        self.width = r_max / (n_centers - 1)
        self.rho = nn.Sequential(nn.Linear(n_centers, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh(),
                                 nn.Linear(hidden, 1))

    def features(self, points):
        """The smoothed pair-distance histogram sum_{i<j} e(d_ij): (B, N, d) -> (B, n_centers).

        Accepts: ``points`` a finite tensor.
        """
        points = check_tensor("points", points, shape=(None, None, None))
        iu = torch.triu_indices(points.shape[1], points.shape[1], offset=1)
        pairs = (points[:, iu[0]] - points[:, iu[1]]).norm(dim=-1)  # d_ij for i < j: (B, N(N-1)/2)
        return torch.exp(-((pairs[..., None] - self.centers) ** 2) / (2 * self.width**2)).sum(dim=1)

    def forward(self, points):
        """Accepts: ``points`` a finite tensor."""
        return self.rho(self.features(points))[:, 0]


def self_attention(x, Wq, Wk, Wv, adj=None, return_weights: bool = False):
    """Attention as message passing, h_u = sum_{v in N_u} alpha_uv V x_v (eq. 7.23 of the recitation notes),
    with alpha_uv = softmax_v((Q x_u)^T (K x_v) / sqrt(d)) over the neighbours v of u.

    ``x`` node features (..., N, F); ``Wq`` and ``Wk`` the query and key matrices Q, K (d, F) (d sets the
    1/sqrt(d) scale); ``Wv`` the value matrix V (F_out, F); ``adj`` an (N, N) adjacency matrix whose
    non-zero entries A_uv mark v in N_u (every node needs a neighbour), or None for the fully connected
    graph of a standard transformer (v runs over all nodes, u included). Returns h (..., N, F_out), and
    the weights alpha (..., N, N) as well if ``return_weights``. Equivariant under node permutations:
    f(P x, P A P^T) = P f(x, A).
    """
    torch = _torch()
    x = check_tensor("x", x)
    if x.ndim < 2:
        raise ValueError(f"x must have shape (..., N, F), got {tuple(x.shape)}")
    Wq = _weight("Wq", Wq, x)
    Wk = _weight("Wk", Wk, x)
    Wv = _weight("Wv", Wv, x)
    if Wk.shape[0] != Wq.shape[0]:
        raise ValueError(f"Wk must have shape ({Wq.shape[0]}, {x.shape[-1]}) like Wq, got {tuple(Wk.shape)}")
    if not isinstance(return_weights, bool):
        raise TypeError(f"return_weights must be a bool, got {type(return_weights).__name__}")
    N = x.shape[-2]
    check_memory(("x",), 8.0 * 4 * x[..., 0, 0].numel() * N * N, what="attention weights")
    scores = (x @ Wq.T) @ (x @ Wk.T).transpose(-1, -2) / math.sqrt(Wq.shape[0])
    if adj is not None:
        _, adj = _graph(x, adj)
        if bool((adj < 0).any()):
            raise ValueError("adj must have non-negative entries (A_uv > 0 marks an edge)")
        if bool((adj.sum(dim=-1) == 0).any()):
            raise ValueError("adj must give every node at least one neighbour (the softmax needs one)")
        scores = scores.masked_fill(adj == 0, -math.inf)
    alpha = torch.softmax(scores, dim=-1)
    h = alpha @ (x @ Wv.T)
    return (h, alpha) if return_weights else h


def positional_encoding(n: int, d: int):
    """Sinusoidal positional encoding PE_{u,2k} = sin(u / 10000^(2k/d)), PE_{u,2k+1} = cos(u / 10000^(2k/d))
    (Vaswani et al. 2017) for positions u = 0..n-1: a torch tensor (n, d) in the default dtype.

    ``n`` the number of positions (tokens), ``d`` the feature dimension. Added to the features it tags each
    node with its position, which breaks permutation equivariance on purpose.
    """
    torch = _torch()
    n = check_int("n", n, minimum=1)
    d = check_int("d", d, minimum=1)
    check_memory(("n", "d"), 8.0 * 2 * n * d, what="the encoding")
    u = torch.arange(n, dtype=torch.get_default_dtype())[:, None]
    k2 = torch.arange(d) // 2 * 2
    angle = u / 10000.0 ** (k2.to(u.dtype) / d)
    return torch.where(torch.arange(d) % 2 == 0, torch.sin(angle), torch.cos(angle))


def permutation_matrix(perm) -> np.ndarray:
    """The permutation matrix P with (P x)_u = x_{perm[u]}, i.e. P_{u, perm[u]} = 1 (as in ``permute_graph``).

    Accepts: ``perm`` a permutation of 0..n-1 (integers).
    """
    p = np.asarray(perm)
    if p.ndim != 1 or p.size == 0 or not np.issubdtype(p.dtype, np.integer) \
            or not np.array_equal(np.sort(p), np.arange(p.size)):
        raise ValueError(f"perm must be a permutation of 0..n-1 (a non-empty 1-d integer array), got {perm!r}")
    check_memory(("perm",), 8.0 * p.size**2, what="the permutation matrix")
    P = np.zeros((p.size, p.size))
    P[np.arange(p.size), p] = 1.0
    return P


def intertwiner_basis(rho_in, rho_out=None, tol: float = 1e-10) -> np.ndarray:
    """Basis of the equivariant linear maps L: rho_out(g) L = L rho_in(g) for every generator g (eq. 7.3 for linear f).

    ``rho_in`` (G, n, n): the representation matrices of G generators of the group on the input space;
    ``rho_out`` (G, m, m) on the output space (None: the same as ``rho_in``). The constraint is linear in
    L; in row-major vec form (rho_out(g) kron I_n - I_m kron rho_in(g)^T) vec L = 0 for each g. Its null
    space, the right singular vectors with singular value below ``tol`` times the largest (or ``tol`` if all
    vanish), is returned as an orthonormal (Frobenius) basis of shape (k, m, n); k is the dimension of the
    space of equivariant maps (2 for the permutation group on R^n, n >= 2: L = a I + b 1 1^T).
    """
    rho_in = check_array("rho_in", rho_in, ndim=3)
    if rho_in.shape[1] != rho_in.shape[2]:
        raise ValueError(f"rho_in must have shape (G, n, n), got {rho_in.shape}")
    if rho_out is None:
        rho_out = rho_in
    else:
        rho_out = check_array("rho_out", rho_out, ndim=3)
        if rho_out.shape[1] != rho_out.shape[2] or rho_out.shape[0] != rho_in.shape[0]:
            raise ValueError(f"rho_out must have shape ({rho_in.shape[0]}, m, m) (one matrix per generator),"
                             f" got {rho_out.shape}")
    tol = check_positive("tol", tol)
    n, m = rho_in.shape[1], rho_out.shape[1]
    check_memory(("rho_in", "rho_out"), 8.0 * 3 * rho_in.shape[0] * (m * n) ** 2, what="the constraint matrix")
    blocks = [np.kron(Ro, np.eye(n)) - np.kron(np.eye(m), Ri.T) for Ri, Ro in zip(rho_in, rho_out)]
    M = np.concatenate(blocks, axis=0)
    _, s, Vh = np.linalg.svd(M)
    s_full = np.zeros(m * n)
    s_full[: s.size] = s
    scale = s_full.max() if s_full.max() > 0 else 1.0
    null = Vh[s_full < tol * scale]
    return null.reshape(-1, m, n)


def forces(energy, points):
    """Forces F = -grad_r E(r) of an energy model by automatic differentiation: a vector-valued output that
    rotates with the input, F(R r) = R F(r), when E is rotation invariant (eq. 7.24 with rho_V(g) = R).

    ``energy`` a callable mapping points (B, N, d) to energies (B,); ``points`` a tensor (B, N, d).
    Returns F (B, N, d), detached.
    """
    torch = _torch()
    check_callable("energy", energy)
    points = check_tensor("points", points, shape=(None, None, None))
    r = points.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        E = energy(r)
        if not isinstance(E, torch.Tensor) or E.shape != (points.shape[0],):
            raise ValueError(f"energy must map points (B, N, d) to a tensor of shape (B,) = ({points.shape[0]},)")
        (grad,) = torch.autograd.grad(E.sum(), r)
    return -grad.detach()
