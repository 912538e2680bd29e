"""Backpropagation as the adjoint (Lagrange-multiplier) recursion of an MLP.

LeCun's Lagrangian L = C(y, z_T) + sum_k lambda_k^T (z_{k+1} - f_k(z_k; W_k)): its
stationarity conditions give the forward pass, the backward recursion
lambda_k = J_k^T lambda_{k+1} of the multipliers, and the weight gradients.
"""

from __future__ import annotations

import numpy as np

from .validation import check_array

__all__ = ["mlp_loss_and_grads", "mlp_adjoints"]

_ACTIVATIONS = {
    "tanh": (np.tanh, lambda a, h: 1.0 - h**2),
    "relu": (lambda a: np.maximum(a, 0.0), lambda a, h: (a > 0).astype(float)),
    "linear": (lambda a: a, lambda a, h: np.ones_like(a)),
}


def _validated(params, x, y, activation):
    """Checked (layers, x, y, act, dact) for the MLP functions below."""
    if not isinstance(activation, str):
        raise TypeError(f"activation must be a string, got {type(activation).__name__}")
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}")
    if not isinstance(params, (list, tuple)) or len(params) == 0:
        raise ValueError("params must be a non-empty list of (W, b) pairs")
    x = check_array("x", x, ndim=2)
    layers = []
    d = x.shape[1]
    for k, pair in enumerate(params):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise ValueError(f"params[{k}] must be a (W, b) pair")
        W = check_array("params", pair[0], ndim=2)
        if W.shape[1] != d:
            who = "x" if k == 0 else "params"
            raise ValueError(f"{who}: width {d} does not match W_{k} of shape {W.shape}")
        b = check_array("params", pair[1], shape=(W.shape[0],))
        layers.append((W, b))
        d = W.shape[0]
    y = check_array("y", y, shape=(x.shape[0], d))
    act, dact = _ACTIVATIONS[activation]
    return layers, x, y, act, dact


def _forward_backward(layers, x, y, act, dact):
    """Forward pass z_k, multipliers lambda_k = dC/dz_k and weight gradients."""
    B = x.shape[0]
    zs, pre = [x], []
    for k, (W, b) in enumerate(layers):
        a = zs[-1] @ W.T + b
        pre.append(a)
        zs.append(a if k == len(layers) - 1 else act(a))
    r = zs[-1] - y
    loss = 0.5 * float(np.sum(r**2)) / B
    lams = [None] * (len(layers) + 1)
    lams[-1] = r / B  # lambda_T, one row per sample
    grads = [None] * len(layers)
    for k in range(len(layers) - 1, -1, -1):
        W, _ = layers[k]
        lam = lams[k + 1]
        delta = lam if k == len(layers) - 1 else lam * dact(pre[k], zs[k + 1])
        grads[k] = (delta.T @ zs[k], delta.sum(axis=0))
        lams[k] = delta @ W
    return loss, grads, zs, lams


def mlp_loss_and_grads(params, x, y, activation="tanh"):
    """Loss and gradients of an MLP by the adjoint recursion (numpy, no autograd).

    Layer k maps z_k to z_{k+1} = act(W_k z_k + b_k) (no activation on the last layer);
    loss = (1/B) sum_batch 1/2 ||z_T - y||^2. The multipliers obey lambda_T = (z_T - y)/B,
    lambda_k = W_k^T (act'(a_k) * lambda_{k+1}), and dW_k = (act' * lambda_{k+1}) z_k^T.

    Accepts: ``params`` a non-empty list of (W, b) arrays, W of shape (d_{k+1}, d_k), b of
    shape (d_{k+1},); ``x`` inputs of shape (B, d_in); ``y`` targets of shape (B, d_out);
    ``activation`` one of "tanh", "relu", "linear".
    Returns (loss, grads) with grads a list of (dW, db) of the same shapes as params.
    """
    loss, grads, _, _ = _forward_backward(*_validated(params, x, y, activation))
    return loss, grads


def mlp_adjoints(params, x, y, activation="tanh"):
    """Activations z_k and Lagrange multipliers lambda_k = dC/dz_k of an MLP (LeCun eqs. 6.6-6.7).

    The stationarity conditions of L = C(y, z_T) + sum_k lambda_{k+1}^T (f_k(z_k) - z_{k+1}):
    dL/dlambda = 0 gives the forward pass z_{k+1} = f_k(z_k), dL/dz = 0 the backward pass
    lambda_T = dC/dz_T = (z_T - y)/B and lambda_k = J_k^T lambda_{k+1} with J_k = df_k/dz_k.
    Same network and loss as :func:`mlp_loss_and_grads`.

    Accepts: ``params`` a non-empty list of (W, b) arrays, W of shape (d_{k+1}, d_k), b of
    shape (d_{k+1},); ``x`` inputs of shape (B, d_in); ``y`` targets of shape (B, d_out);
    ``activation`` one of "tanh", "relu", "linear".
    Returns (zs, lams): two lists of T + 1 arrays, zs[k] and lams[k] of shape (B, d_k),
    with zs[0] = x and lams[k][n] the derivative of the loss with respect to z_k of sample n.
    """
    _, _, zs, lams = _forward_backward(*_validated(params, x, y, activation))
    return zs, lams
