"""Bias-free CNN denoisers, their Jacobian eigenbasis and sampling with them (Mallat's lectures,
section 9.2; Kadkhodaie, Guth, Simoncelli, Mallat 2024).

A ReLU network with no additive bias is piecewise linear and positively homogeneous,
f(a y) = a f(y) for a > 0, so that f(y) = J(y) y with J the Jacobian at y. With Tweedie's formula
x_hat = y + sigma^2 s(y) this reads x_hat = (I + sigma^2 J_s(y)) y = sum_k h_k <y, psi_k> psi_k
(eqs. 9.26-9.28): an adaptive shrinkage in the eigenbasis psi_k of the Jacobian. For a Gaussian
field x ~ N(0, C) the optimal denoiser is the Wiener filter, with eigenvalues
lambda_k / (lambda_k + sigma^2) on the eigenvectors of C (Fourier modes for a stationary field).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .seeding import make_rng, torch_generator
from .validation import check_array, check_int, check_module, check_positive, check_tensor

__all__ = [
    "BiasFreeCNN",
    "jacobian",
    "field_spectrum",
    "gaussian_field",
    "train_denoiser",
    "network_score",
    "generate",
    "nearest_distance",
]


class BiasFreeCNN(nn.Module):
    """Bias-free residual CNN denoiser f(y) = y - r(y), r = conv o (ReLU o conv)^(n_layers - 1).

    Every convolution has no additive bias and there is no normalisation, so f(a y) = a f(y) for
    a >= 0 and f(y) = J(y) y (eq. 9.27). With ``padding="circular"`` the network is translation
    equivariant on the torus; ``"zeros"`` pads with zeros, so that it sees where the border is
    (as the networks of Kadkhodaie et al. 2024). ``bias=True`` gives every convolution an additive
    bias b (eq. 9.25): the same architecture, no longer homogeneous; the control experiment.

    Accepts: ``channels`` hidden channels (int >= 1); ``n_layers`` number of convolutions
    (int >= 2); ``kernel_size`` odd int >= 1, the side of each convolution kernel; ``padding``
    "circular" or "zeros"; ``bias`` a bool.
    """

    def __init__(self, channels, n_layers, kernel_size=3, padding="circular", bias=False):
        channels = check_int("channels", channels, minimum=1, maximum=4096)
        n_layers = check_int("n_layers", n_layers, minimum=2, maximum=256)
        kernel_size = check_int("kernel_size", kernel_size, minimum=1, maximum=63)
        if kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd (same-size output), got {kernel_size}")
        if not isinstance(padding, str):
            raise TypeError(f"padding must be a str, 'circular' or 'zeros', got {type(padding).__name__}")
        if padding not in ("circular", "zeros"):
            raise ValueError(f"padding must be 'circular' or 'zeros', got {padding!r}")
        if not isinstance(bias, (bool, np.bool_)):
            raise TypeError(f"bias must be a bool, got {type(bias).__name__}")
        super().__init__()
        pad = kernel_size // 2
        widths = [1] + [channels] * (n_layers - 1) + [1]
        self.convs = nn.ModuleList(
            nn.Conv2d(a, b, kernel_size, padding=pad, padding_mode=padding, bias=bool(bias))
            for a, b in zip(widths[:-1], widths[1:], strict=True))
        self.channels, self.n_layers, self.kernel_size = channels, n_layers, kernel_size
        self.padding, self.has_bias = padding, bool(bias)

    def forward(self, y):
        """Denoised images f(y) = y - r(y), shape (B, 1, H, W), from noisy ``y`` of the same shape.

        Accepts: ``y`` a finite tensor (B, 1, H, W).
        """
        y = check_tensor("y", y, shape=(None, 1, None, None))
        h = y
        for conv in self.convs[:-1]:
            h = torch.relu(conv(h))
        return y - self.convs[-1](h)



def _image(name, y):
    """A single image as a (1, 1, H, W) tensor from (H, W), (1, H, W) or (1, 1, H, W)."""
    t = check_tensor(name, y, ndim=(2, 3, 4))
    if t.dim() > 2 and any(s != 1 for s in t.shape[:-2]):
        raise ValueError(f"{name} must be one image, (H, W) or (1, 1, H, W), got {tuple(t.shape)}")
    return t.reshape(1, 1, *t.shape[-2:])


def jacobian(model, y) -> np.ndarray:
    """The (HW, HW) Jacobian J(y) = d f(y) / d y of a denoiser at one image (eq. 9.27), J[i, j] = df_i/dy_j.

    Pixels are flattened row-major. For a bias-free ReLU network f(y) = J(y) y.

    Accepts: ``model`` a torch.nn.Module mapping (B, 1, H, W) to (B, 1, H, W); ``y`` one image,
    shape (H, W) or (1, 1, H, W).
    """
    check_module("model", model)
    y = _image("y", y).detach()
    param = next(iter(model.parameters()), None)
    if param is not None and param.is_floating_point():
        y = y.to(param.dtype)  # a numpy image meets a float64 model in float64
    H, W = y.shape[-2:]

    def f(v):
        return model(v.reshape(1, 1, H, W)).reshape(-1)

    J = torch.autograd.functional.jacobian(f, y.reshape(-1), vectorize=True)
    return J.detach().cpu().numpy().astype(float)


def field_spectrum(L, exponent=2.0, k0=1.0) -> np.ndarray:
    """Eigenvalues lambda_k = c / (k0^2 + |k|^2)^(exponent/2) of the covariance of a stationary field on
    the L x L torus, one per Fourier mode k = 2 pi (m, n) / L (shape (L, L), numpy fft order), normalised
    so that the pixel variance sum_k lambda_k / L^2 is 1.

    Accepts: ``L`` side (int >= 2); ``exponent`` decay exponent (>= 0); ``k0`` infrared cut-off in units
    of the smallest wave number (> 0).
    """
    L = check_int("L", L, minimum=2, maximum=4096)
    exponent = float(check_positive("exponent", exponent, allow_zero=True))
    k0 = float(check_positive("k0", k0))
    if np.ndim(exponent) or np.ndim(k0):
        raise ValueError("exponent and k0 must be scalars")
    m = np.fft.fftfreq(L) * L
    k2 = m[:, None] ** 2 + m[None, :] ** 2
    lam = (k0**2 + k2) ** (-exponent / 2)
    return lam * L**2 / lam.sum()


def gaussian_field(n, L, exponent=2.0, k0=1.0, seed=0) -> np.ndarray:
    """n samples (n, L, L) of the stationary Gaussian field N(0, C) whose covariance has the Fourier
    eigenvalues ``field_spectrum(L, exponent, k0)``: x = Re IFFT(sqrt(lambda) FFT(w)), w white noise.

    Accepts: ``n`` number of fields (int >= 1); ``L`` side (int >= 2); ``exponent``, ``k0`` as in
    ``field_spectrum``; ``seed`` an int >= 0 or a numpy Generator.
    """
    n = check_int("n", n, minimum=1)
    lam = field_spectrum(L, exponent, k0)
    rng = make_rng(seed)
    w = rng.standard_normal((n, L, L))
    return np.real(np.fft.ifft2(np.sqrt(lam) * np.fft.fft2(w)))


def train_denoiser(model, x, sigma_min, sigma_max, steps, batch_size=64, lr=3e-3, seed=0) -> np.ndarray:
    """Train ``model`` in place on y = x + sigma z, sigma log-uniform in [sigma_min, sigma_max], with
    the denoising loss ||f(y) - x||^2 / sigma averaged over the batch (between the plain MSE, dominated
    by the largest sigma, and the MSE / sigma^2 that the identity already makes flat); Adam.
    Returns the loss per step (steps,).

    Accepts: ``model`` a torch.nn.Module; ``x`` clean training images (N, H, W); ``sigma_min``,
    ``sigma_max`` noise range, 0 < sigma_min <= sigma_max; ``steps`` Adam steps (int >= 1);
    ``batch_size`` (int >= 1); ``lr`` learning rate (> 0); ``seed`` an int >= 0.
    """
    check_module("model", model)
    x = check_array("x", x, ndim=3)
    sigma_min = float(check_positive("sigma_min", sigma_min))
    sigma_max = float(check_positive("sigma_max", sigma_max))
    if sigma_max < sigma_min:
        raise ValueError(f"sigma_max must be >= sigma_min = {sigma_min}, got {sigma_max}")
    steps = check_int("steps", steps, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    lr = float(check_positive("lr", lr))
    gen = torch_generator(seed)
    data = torch.as_tensor(x, dtype=torch.get_default_dtype())[:, None]
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    log_lo, log_hi = np.log(sigma_min), np.log(sigma_max)
    losses = np.empty(steps)
    for step in range(steps):
        idx = torch.randint(data.shape[0], (batch_size,), generator=gen)
        clean = data[idx]
        sig = torch.exp(log_lo + (log_hi - log_lo) * torch.rand(batch_size, 1, 1, 1, generator=gen))
        noisy = clean + sig * torch.randn(clean.shape, generator=gen)
        loss = (((model(noisy) - clean) ** 2) / sig).sum((1, 2, 3)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses[step] = loss.item()
    return losses


def network_score(model, L):
    """The OU score of lecture 14 read off a blind denoiser f trained on y = a + sigma z:
    x(t) = e^{-t} a + sqrt(Delta_t) z gives y = e^t x with sigma_t^2 = e^{2t} - 1, and Tweedie
    E[a | x] = e^t (x + Delta_t s) gives s(x, t) = (e^{-t} f(e^t x) - x) / Delta_t.
    Returns a callable score(x, t) on numpy arrays (B, L*L), as ``diffusion.backward_sde`` takes.

    Accepts: ``model`` a torch.nn.Module; ``L`` image side (int >= 1).
    """
    check_module("model", model)
    L = check_int("L", L, minimum=1, maximum=4096)

    def score(x, t):
        x = np.asarray(x, dtype=float)
        with torch.no_grad():
            y = torch.as_tensor(np.exp(t) * x, dtype=torch.get_default_dtype()).reshape(-1, 1, L, L)
            f = model(y).reshape(x.shape).double().numpy()
        return (np.exp(-t) * f - x) / -np.expm1(-2.0 * t)

    return score


def generate(model, n, L, t_max=4.0, t_min=0.01, n_steps=60, seed=0) -> np.ndarray:
    """n images (n, L, L) sampled by the backward SDE of lecture 14 (``diffusion.backward_sde``, eq. 17.7)
    with the score ``network_score(model, L)`` on a geometric time grid from t_max down to t_min, then
    denoised once, E[a | x(t_min)] = f(e^{t_min} x). The same ``seed`` gives the same noise for any model.

    Accepts: ``model`` a torch.nn.Module; ``n`` number of samples (int >= 1); ``L`` side (int >= 1);
    ``t_max`` > ``t_min`` > 0 the first and last forward times; ``n_steps`` steps (int >= 1);
    ``seed`` an int >= 0.
    """
    from .diffusion import backward_sde

    check_module("model", model)
    n = check_int("n", n, minimum=1)
    L = check_int("L", L, minimum=1, maximum=4096)
    t_max = float(check_positive("t_max", t_max))
    t_min = float(check_positive("t_min", t_min))
    if not t_max > t_min:
        raise ValueError(f"t_max must be > t_min = {t_min}, got {t_max}")
    n_steps = check_int("n_steps", n_steps, minimum=1)
    rng = make_rng(seed)
    x0 = rng.standard_normal((n, L * L))
    t_grid = np.geomspace(t_max, t_min, n_steps + 1)
    x = backward_sde(network_score(model, L), x0, t_grid, seed=rng)["x"]
    with torch.no_grad():
        y = torch.as_tensor(np.exp(t_min) * x, dtype=torch.get_default_dtype()).reshape(n, 1, L, L)
        out = model(y).double().numpy()
    return out.reshape(n, L, L)


def nearest_distance(samples, reference) -> tuple[np.ndarray, np.ndarray]:
    """For each sample, the index of and the normalised distance ||x - r|| / ||x|| to its nearest
    reference image; returns (distance (n,), index (n,)).

    Accepts: ``samples`` images (n, ...); ``reference`` images (m, ...) of the same shape per image.
    """
    samples = check_array("samples", samples, ndim=(2, 3))
    reference = check_array("reference", reference, ndim=(2, 3))
    a = samples.reshape(samples.shape[0], -1)
    b = reference.reshape(reference.shape[0], -1)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"reference images must have {a.shape[1]} pixels like samples, got {b.shape[1]}")
    d2 = (a**2).sum(1)[:, None] - 2 * a @ b.T + (b**2).sum(1)[None, :]
    idx = np.argmin(d2, axis=1)
    dist = np.linalg.norm(a - b[idx], axis=1) / np.maximum(np.linalg.norm(a, axis=1), 1e-300)
    return dist, idx
