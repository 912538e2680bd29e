"""Self-supervised joint-embedding learning: collapse, its regularisers and latent free energies.

Conventions follow LeCun's lectures (Beg Rohu 2025 notes, sections 5-6). Two views x, y of one
state are encoded as s_x = Enc(x), s_y = Enc(y); the joint-embedding loss (eq. 6.9)

    L = C(s_hat_y, s_y) + lambda_x I(s_x) + lambda_y I(s_y)

needs the information terms I, else the trivial constant embedding has zero cost (collapse).
`vicreg_loss` is a regularised choice of I (variance + covariance, a whitening penalty),
`info_nce_loss` a contrastive one. For a discrete latent z with prior p(z) and energy E(y, z),
the free energy of eq. 6.3 is minimised by the Gibbs posterior of eq. 6.4,
q*(z) = p(z) exp(-beta E(y, z)) / Z.
"""

from __future__ import annotations

import numpy as np

from .validation import check_array, check_positive, check_tensor

__all__ = [
    "vicreg_loss",
    "info_nce_loss",
    "embedding_rank",
    "linear_probe_accuracy",
    "gibbs_posterior",
    "variational_free_energy",
    "free_energy",
]

_GAMMA = 1.0  # target standard deviation of each embedding coordinate (VICReg)
_EPS = 1e-4  # regulariser under the square root of the variance


def _check_pair(z_a, z_b):
    z_a = check_tensor("z_a", z_a, ndim=2)
    z_b = check_tensor("z_b", z_b, ndim=2)
    if z_a.shape != z_b.shape:
        raise ValueError(f"z_b must have the shape of z_a {tuple(z_a.shape)}, got {tuple(z_b.shape)}")
    if z_a.shape[0] < 2:
        raise ValueError(f"z_a must hold at least 2 samples (a batch), got shape {tuple(z_a.shape)}")
    return z_a, z_b


def _scalar(name, value, *, allow_zero):
    value = check_positive(name, value, allow_zero=allow_zero)
    if np.ndim(value) != 0:
        raise ValueError(f"{name} must be a scalar, got an array of shape {np.shape(value)}")
    return float(value)


def vicreg_loss(z_a, z_b, lam=25.0, mu=25.0, nu=1.0):
    """VICReg loss lam * inv + mu * var + nu * cov, a regularised instance of eq. 6.9; returns (loss, terms).

    z_a, z_b: (B, d) torch tensors, embeddings of two views of the same B states (B >= 2).
    lam: weight (>= 0) of the invariance term inv = mean over batch of ||z_a - z_b||^2 / d.
    mu: weight (>= 0) of the variance term var = sum over both views of mean_j max(0, 1 - sqrt(Var z_j + 1e-4)).
    nu: weight (>= 0) of the covariance term cov = sum over both views of sum_{i != j} C_ij^2 / d,
    C the (unbiased) covariance of the embedding.
    terms is a dict of the three unweighted scalar tensors "invariance", "variance", "covariance".
    """
    z_a, z_b = _check_pair(z_a, z_b)
    lam = _scalar("lam", lam, allow_zero=True)
    mu = _scalar("mu", mu, allow_zero=True)
    nu = _scalar("nu", nu, allow_zero=True)
    B, d = z_a.shape
    inv = ((z_a - z_b) ** 2).mean()
    var = z_a.new_zeros(())
    cov = z_a.new_zeros(())
    for z in (z_a, z_b):
        zc = z - z.mean(0)
        std = (zc.pow(2).sum(0) / (B - 1) + _EPS).sqrt()
        var = var + (_GAMMA - std).clamp(min=0).mean()
        C = zc.T @ zc / (B - 1)
        off = C - C.diag().diag()
        cov = cov + off.pow(2).sum() / d
    loss = lam * inv + mu * var + nu * cov
    return loss, {"invariance": inv, "variance": var, "covariance": cov}


def info_nce_loss(z_a, z_b, temperature=0.1):
    """Contrastive InfoNCE loss: cross-entropy of the positive pair (i, i) among all B pairs (i, j).

    z_a, z_b: (B, d) torch tensors, embeddings of two views (row i of both is a positive pair, B >= 2).
    temperature: > 0, scale tau of the cosine similarities, logits S_ij = cos(z_a_i, z_b_j) / tau.
    Returns the scalar tensor -(1/2B) sum_i [log softmax_j S_ij + log softmax_j S_ji] at j = i.
    """
    import torch

    z_a, z_b = _check_pair(z_a, z_b)
    temperature = _scalar("temperature", temperature, allow_zero=False)
    a = torch.nn.functional.normalize(z_a, dim=1)
    b = torch.nn.functional.normalize(z_b, dim=1)
    S = a @ b.T / temperature
    idx = torch.arange(S.shape[0])
    return 0.5 * (torch.nn.functional.cross_entropy(S, idx) + torch.nn.functional.cross_entropy(S.T, idx))


def _numpy(name, value, ndim):
    try:
        import torch

        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().double().numpy()
    except ImportError:  # pragma: no cover
        pass
    return check_array(name, value, ndim=ndim)


def embedding_rank(z, tol=1e-3):
    """Number of eigenvalues of the embedding covariance Cov(z) above tol (0 for a collapsed embedding).

    z: (B, d) array or tensor of B >= 2 embeddings.
    tol: absolute threshold (> 0) on the eigenvalues of the (unbiased) covariance matrix.
    """
    z = _numpy("z", z, 2)
    if z.shape[0] < 2:
        raise ValueError(f"z must hold at least 2 samples, got shape {z.shape}")
    tol = _scalar("tol", tol, allow_zero=False)
    C = np.cov(z, rowvar=False).reshape(z.shape[1], z.shape[1])
    return int(np.sum(np.linalg.eigvalsh(C) > tol))


def linear_probe_accuracy(z_train, y_train, z_test, y_test, ridge=1e-3):
    """Accuracy of a linear probe: ridge regression of one-hot labels on [z, 1], argmax on the test set.

    z_train: (n, d) embeddings with integer labels y_train (n,) in 0..K-1.
    z_test: (m, d) embeddings with integer labels y_test (m,).
    ridge: >= 0, penalty on the weights (W = (Z^T Z + ridge I)^-1 Z^T Y, the bias unpenalised).
    """
    z_train = _numpy("z_train", z_train, 2)
    z_test = _numpy("z_test", z_test, 2)
    y_train = _labels("y_train", y_train, z_train.shape[0])
    y_test = _labels("y_test", y_test, z_test.shape[0])
    if z_test.shape[1] != z_train.shape[1]:
        raise ValueError(f"z_test must have {z_train.shape[1]} columns like z_train, got {z_test.shape[1]}")
    ridge = _scalar("ridge", ridge, allow_zero=True)
    K = int(max(y_train.max(), y_test.max())) + 1
    Y = np.eye(K)[y_train]
    mean = z_train.mean(0)
    Z = np.hstack([z_train - mean, np.ones((len(z_train), 1))])
    P = ridge * np.eye(Z.shape[1])
    P[-1, -1] = 0.0
    W = np.linalg.lstsq(Z.T @ Z + P, Z.T @ Y, rcond=None)[0]
    pred = np.hstack([z_test - mean, np.ones((len(z_test), 1))]) @ W
    return float(np.mean(np.argmax(pred, 1) == y_test))


def _labels(name, y, n):
    y = check_array(name, y, ndim=1)
    if y.shape[0] != n:
        raise ValueError(f"{name} must have {n} entries to match its embeddings, got {y.shape[0]}")
    if np.any(y < 0) or np.any(y != np.round(y)):
        raise ValueError(f"{name} must hold integer labels >= 0")
    return y.astype(int)


def _check_energy(energy, beta, prior):
    energy = check_array("energy", energy, ndim=(1, 2))
    beta = _scalar("beta", beta, allow_zero=False)
    K = energy.shape[-1]
    if prior is None:
        log_prior = np.full(K, -np.log(K))
    else:
        prior = check_array("prior", prior, ndim=1)
        if prior.shape != (K,):
            raise ValueError(f"prior must have shape ({K},) to match energy, got {prior.shape}")
        if np.any(prior < 0) or not np.isclose(prior.sum(), 1.0, atol=1e-8):
            raise ValueError("prior must be a probability vector (entries >= 0 summing to 1)")
        with np.errstate(divide="ignore"):
            log_prior = np.log(prior)
    return energy, beta, log_prior


def gibbs_posterior(energy, beta, prior=None):
    """Gibbs posterior q*(z) = p(z) exp(-beta E(y, z)) / Z over a discrete latent z (eq. 6.4).

    energy: (K,) or (B, K) energies E(y, z) of the K latent values (one row per observation y).
    beta: inverse temperature > 0.
    prior: (K,) prior probabilities p(z), or None for the uniform prior.
    """
    energy, beta, log_prior = _check_energy(energy, beta, prior)
    logits = log_prior - beta * energy
    logits = logits - logits.max(-1, keepdims=True)
    q = np.exp(logits)
    return q / q.sum(-1, keepdims=True)


def variational_free_energy(q, energy, beta, prior=None):
    """Free energy of eq. 6.3, L(q) = sum_z q(z) E(y, z) + (1/beta) sum_z q(z) log(q(z) / p(z)).

    q: (K,) or (B, K) trial posterior, entries >= 0 summing to 1 (0 log 0 = 0).
    energy: energies E(y, z), the shape of q.
    beta: inverse temperature > 0.
    prior: (K,) prior p(z), or None for the uniform prior.
    """
    q = check_array("q", q, ndim=(1, 2))
    energy, beta, log_prior = _check_energy(energy, beta, prior)
    if q.shape != energy.shape:
        raise ValueError(f"q must have the shape of energy {energy.shape}, got {q.shape}")
    if np.any(q < 0) or not np.allclose(q.sum(-1), 1.0, atol=1e-8):
        raise ValueError("q must be a probability vector (entries >= 0 summing to 1) along its last axis")
    with np.errstate(divide="ignore", invalid="ignore"):
        kl = np.where(q > 0, q * (np.log(np.where(q > 0, q, 1.0)) - log_prior), 0.0)
    return np.sum(q * energy, -1) + kl.sum(-1) / beta


def free_energy(energy, beta, prior=None):
    """Minimum of eq. 6.3 over q: F(y) = -(1/beta) log sum_z p(z) exp(-beta E(y, z)).

    energy: (K,) or (B, K) energies E(y, z) of the K latent values.
    beta: inverse temperature > 0 (beta -> inf gives min_z E, eq. 6.2).
    prior: (K,) prior p(z), or None for the uniform prior.
    """
    energy, beta, log_prior = _check_energy(energy, beta, prior)
    a = log_prior - beta * energy
    m = a.max(-1, keepdims=True)
    return -(np.log(np.exp(a - m).sum(-1)) + m[..., 0]) / beta
