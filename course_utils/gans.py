"""Generative adversarial networks: the optimal discriminator and the Jensen-Shannon divergence.

Mallat, lecture notes, section 8.2: for a fixed generator density p_G, the discriminator maximising the
value function V(D, G) = E_data[log D] + E_G[log(1 - D)] (eq. 8.9) is D* = p_data / (p_data + p_G)
(Lemma 1), and V(D*, G) = -log 4 + 2 JS(p_data, p_G) (Theorem 2).
"""

import numpy as np

from .validation import check_array, check_positive

__all__ = ["optimal_discriminator", "js_divergence"]


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
