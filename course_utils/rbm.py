"""Restricted Boltzmann machines: the Hopfield model as a bipartite network, contrastive
divergence, and the Gaussian mixture written as a network with a softmax hidden unit.

Conventions (generative-models notes, part IV.B): visible spins s_i = +-1 (i = 1..N),
hidden units tau_mu (mu = 1..P) coupled through W (N, P), energy

    E(s, tau) = U(tau) - s^T W tau - b^T s - c^T tau,

with the hidden prior U(tau) = tau^2 / 2 for Gaussian units (tau real) or U = 0 for
Bernoulli units (tau in {0, 1}). The Hopfield model p(s) ~ exp(beta/(2N) sum_mu (xi^mu . s)^2)
is the Gaussian RBM with W = sqrt(beta/N) xi^T, by the Hubbard-Stratonovich identity
exp(a x^2 / 2) = (2 pi)^(-1/2) int dy exp(-y^2/2 + sqrt(a) x y).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from .boltzmann import MAX_ENUMERATION, all_states
from .seeding import make_rng
from .validation import check_array, check_int, check_positive, check_probabilities, check_spins

__all__ = [
    "HIDDEN_TYPES",
    "hubbard_stratonovich_integral",
    "hopfield_log_weight",
    "hopfield_rbm_weights",
    "rbm_log_marginal",
    "rbm_hidden_mean",
    "rbm_gibbs",
    "rbm_exact_log_likelihood",
    "train_rbm",
    "gmm_network",
    "softmax_hidden",
    "relu_log_partition",
    "relu_hidden_mean",
    "relu_rbm_log_marginal",
    "relu_rbm_gibbs",
]

HIDDEN_TYPES = ("bernoulli", "gaussian")


# ------------------------------------------------------------------------ checks
def _check_hidden(hidden: str) -> str:
    if hidden not in HIDDEN_TYPES:
        raise ValueError(f"hidden must be one of {HIDDEN_TYPES}, got {hidden!r}")
    return hidden


def _check_rbm(W, b, c):
    W = check_array("W", W, ndim=2)
    N, P = W.shape
    b = np.zeros(N) if b is None else check_array("b", b, shape=(N,))
    c = np.zeros(P) if c is None else check_array("c", c, shape=(P,))
    return W, b, c


def _check_visible(name, s, N):
    s = check_spins(name, s)
    if s.shape[-1:] != (N,):
        raise ValueError(f"{name} must have shape (..., {N}) to match W, got {s.shape}")
    return s


# -------------------------------------------------------- Hubbard-Stratonovich
def hubbard_stratonovich_integral(a, x, n_nodes: int = 80) -> np.ndarray:
    """(2 pi)^(-1/2) int dy exp(-y^2/2 + sqrt(a) x y), by Gauss-Hermite quadrature; equals exp(a x^2/2).

    ``a`` >= 0 and ``x`` broadcast together. The quadrature is exact for polynomials of
    degree < 2 n_nodes in y, and converges fast for the entire function exp(sqrt(a) x y).
    """
    a = check_positive("a", check_array("a", a), allow_zero=True)
    x = check_array("x", x)
    n_nodes = check_int("n_nodes", n_nodes, minimum=1)
    try:
        a, x = np.broadcast_arrays(a, x)
    except ValueError:
        raise ValueError(f"a {np.shape(a)} and x {np.shape(x)} must broadcast together") from None
    y, w = special.roots_hermitenorm(n_nodes)  # weight exp(-y^2/2), sum w = sqrt(2 pi)
    return np.exp(np.sqrt(a)[..., None] * x[..., None] * y) @ w / np.sqrt(2 * np.pi)


def hopfield_log_weight(s, patterns, beta: float) -> np.ndarray:
    """Hopfield log-weight beta/(2N) sum_mu (xi^mu . s)^2 of spins s (..., N), patterns xi (P, N).

    Equal to beta (1/2 s^T J s) with the Hebb couplings J = xi^T xi / N, zero diagonal, plus
    the constant beta P / 2.
    """
    xi = check_spins("patterns", patterns, ndim=2)
    beta = check_positive("beta", beta, allow_zero=True)
    s = _check_visible("s", s, xi.shape[1])
    return beta / (2 * xi.shape[1]) * np.sum((s @ xi.T) ** 2, axis=-1)


def hopfield_rbm_weights(patterns, beta: float) -> np.ndarray:
    """Visible-hidden couplings W = sqrt(beta/N) xi^T (N, P) of the Gaussian RBM equivalent to Hopfield.

    Accepts: ``patterns`` a finite array.
    """
    xi = check_spins("patterns", patterns, ndim=2)
    beta = check_positive("beta", beta, allow_zero=True)
    return np.sqrt(beta / xi.shape[1]) * xi.T


# --------------------------------------------------------------------- the RBM
def rbm_log_marginal(s, W, b=None, c=None, hidden: str = "bernoulli") -> np.ndarray:
    """log of sum_tau / int dtau exp(-E(s, tau)): the unnormalised log p(s) (minus the free energy).

    Gaussian hidden units: b.s + |W^T s + c|^2 / 2 + (P/2) log 2 pi.
    Bernoulli hidden units: b.s + sum_mu log(1 + exp((W^T s + c)_mu)).
    """
    hidden = _check_hidden(hidden)
    W, b, c = _check_rbm(W, b, c)
    s = _check_visible("s", s, W.shape[0])
    x = s @ W + c
    if hidden == "gaussian":
        return s @ b + 0.5 * np.sum(x**2, axis=-1) + 0.5 * W.shape[1] * np.log(2 * np.pi)
    return s @ b + np.sum(np.logaddexp(0.0, x), axis=-1)


def rbm_hidden_mean(s, W, c=None, hidden: str = "bernoulli") -> np.ndarray:
    """E[tau_mu | s]: W^T s + c for Gaussian units, sigmoid(W^T s + c) for Bernoulli units.

    Accepts: ``hidden`` the hidden layer size(s) / kind named above.
    """
    hidden = _check_hidden(hidden)
    W, _, c = _check_rbm(W, None, c)
    x = _check_visible("s", s, W.shape[0]) @ W + c
    return x if hidden == "gaussian" else special.expit(x)


def _sample_hidden(s, W, c, hidden, rng):
    x = s @ W + c
    if hidden == "gaussian":
        return x + rng.standard_normal(x.shape)
    return (rng.random(x.shape) < special.expit(x)).astype(float)


def _sample_visible(tau, W, b, rng):
    field = tau @ W.T + b
    return np.where(rng.random(field.shape) < special.expit(2.0 * field), 1.0, -1.0)


def _check_chains(states, n_visible, steps, seed):
    """The (B, N) batch of +-1 chains, the number of Gibbs steps and the generator of a Gibbs sampler."""
    s = _check_visible("states", states, n_visible)
    if s.ndim != 2:
        raise ValueError(f"states must be a (B, N) batch of chains, got shape {s.shape}")
    return s, check_int("steps", steps, minimum=0), make_rng(seed)


def rbm_gibbs(W, b, c, hidden: str, states, steps: int, seed: int = 0) -> np.ndarray:
    """Block Gibbs sampling: tau ~ p(tau | s), then s ~ p(s | tau), ``steps`` times, many chains at once.

    p(s_i = +1 | tau) = sigmoid(2 (W tau + b)_i); tau | s is N(W^T s + c, I) (Gaussian) or
    Bernoulli(sigmoid(W^T s + c)). Returns the visible states (B, N) after the last step.

    Accepts: ``hidden`` the hidden layer size(s) / kind named above; ``seed`` an int >= 0 or a numpy Generator.
    """
    hidden = _check_hidden(hidden)
    W, b, c = _check_rbm(W, b, c)
    s, steps, rng = _check_chains(states, W.shape[0], steps, seed)
    for _ in range(steps):
        s = _sample_visible(_sample_hidden(s, W, c, hidden, rng), W, b, rng)
    return s


def rbm_exact_log_likelihood(data, W, b=None, c=None, hidden: str = "bernoulli") -> float:
    """Mean log p(s) over the data (M, N), log Z from all 2^N visible states (N <= 20).

    Accepts: ``W`` a finite array; ``b`` None or a value of the kind named above; ``c`` None or a value of the kind
    named above; ``hidden`` the hidden layer size(s) / kind named above.
    """
    hidden = _check_hidden(hidden)
    W, b, c = _check_rbm(W, b, c)
    N = W.shape[0]
    if N > MAX_ENUMERATION:
        raise ValueError(f"exact enumeration needs N <= {MAX_ENUMERATION} visible units, got N={N}")
    data = _check_visible("data", data, N)
    chunk = 2**15
    blocks = (all_states(N, k, min(k + chunk, 2**N)).astype(float) for k in range(0, 2**N, chunk))
    log_z = special.logsumexp([special.logsumexp(rbm_log_marginal(s, W, b, c, hidden)) for s in blocks])
    return float(np.mean(rbm_log_marginal(data, W, b, c, hidden)) - log_z)


def train_rbm(data, n_hidden: int, hidden: str = "bernoulli", epochs: int = 100, lr: float = 0.05,
              k: int = 1, batch_size: int = 50, persistent: bool = False, init_std: float = 0.01,
              seed: int = 0) -> dict:
    """Train an RBM on +-1 data (M, N) by contrastive divergence CD-k (or persistent CD):

        dW = <s E[tau|s]^T>_data - <s E[tau|s]^T>_k,   db = <s>_data - <s>_k,
        dc = <E[tau|s]>_data - <E[tau|s]>_k,

    where <.>_k averages over samples after k block-Gibbs steps started at the mini-batch
    (CD) or continued from the previous update's chains (PCD). Mini-batch gradient ascent
    with step ``lr``; the visible bias starts at the independent-spin solution
    arctanh(<s>_data). Returns dict ``W`` (N, P), ``b`` (N,), ``c`` (P,).

    Accepts: ``n_hidden`` an integer >= 1; ``hidden`` the hidden layer size(s) / kind named above; ``epochs`` an
    integer >= 1; ``batch_size`` an integer >= 1; ``init_std`` a finite number >= 0; ``seed`` an int >= 0 or a
    numpy Generator.
    """
    hidden = _check_hidden(hidden)
    data = check_spins("data", data, ndim=2)
    M, N = data.shape
    n_hidden = check_int("n_hidden", n_hidden, minimum=1)
    epochs = check_int("epochs", epochs, minimum=1)
    lr = check_positive("lr", lr)
    k = check_int("k", k, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1, maximum=M)
    init_std = check_positive("init_std", init_std)
    rng = make_rng(seed)
    W = init_std * rng.standard_normal((N, n_hidden))
    b = np.arctanh(np.clip(data.mean(axis=0), -0.95, 0.95))
    c = np.zeros(n_hidden)
    chains = data[rng.choice(M, batch_size, replace=False)].copy() if persistent else None
    for _ in range(epochs):
        order = rng.permutation(M)
        for start in range(0, M - batch_size + 1, batch_size):
            pos = data[order[start:start + batch_size]]
            neg = chains if persistent else pos
            for _ in range(k):
                neg = _sample_visible(_sample_hidden(neg, W, c, hidden, rng), W, b, rng)
            if persistent:
                chains = neg
            hp = pos @ W + c
            hn = neg @ W + c
            if hidden == "bernoulli":
                hp, hn = special.expit(hp), special.expit(hn)
            W += lr * (pos.T @ hp - neg.T @ hn) / batch_size
            b += lr * (pos.mean(axis=0) - neg.mean(axis=0))
            c += lr * (hp.mean(axis=0) - hn.mean(axis=0))
    return {"W": W, "b": b, "c": c}


# ------------------------------------------------------------------ ReLU RBM
def relu_log_partition(x) -> np.ndarray:
    """log Gamma(x) = log int_0^oo dtau exp(-tau^2/2 + x tau) = x^2/2 + log(sqrt(2 pi) Phi(x)).

    The hidden "free energy" of a ReLU (truncated-Gaussian) unit: prior U(tau) = tau^2/2 on
    tau >= 0 (+oo below), input x = (W^T s + c)_mu. Phi is the standard normal distribution
    function, evaluated in log space (``scipy.special.log_ndtr``), so large negative x are accurate:
    log Gamma(x) ~ -log(-x) there, and ~ x^2/2 + log sqrt(2 pi) (the Gaussian unit) for x >> 1.

    Accepts: ``x`` a finite array (any shape). Returns an array of its shape.
    """
    x = check_array("x", x)
    # x < 0: e^{x^2/2} Phi(x) = erfcx(-x/sqrt 2)/2, free of the cancellation x^2/2 + log Phi(x)
    neg = np.minimum(x, 0.0)
    pos = np.maximum(x, 0.0)
    return np.where(x < 0, np.log(0.5 * special.erfcx(-neg / np.sqrt(2.0))),
                    0.5 * pos**2 + special.log_ndtr(pos)) + 0.5 * np.log(2 * np.pi)


def relu_hidden_mean(s, W, c=None) -> np.ndarray:
    """E[tau_mu | s] = x + phi(x)/Phi(x), x = W^T s + c: the mean of N(x, 1) truncated to tau >= 0.

    It equals d log Gamma / dx (``relu_log_partition``), and phi(x)/Phi(x) = 1/Gamma(x).
    Accepts: ``s`` (..., N) of +-1, ``W`` (N, P), ``c`` (P,) or None (zeros). Returns (..., P).
    """
    W, _, c = _check_rbm(W, None, c)
    x = _check_visible("s", s, W.shape[0]) @ W + c
    return x + np.exp(-relu_log_partition(x))  # phi(x)/Phi(x) = 1/Gamma(x)


def relu_rbm_log_marginal(s, W, b=None, c=None) -> np.ndarray:
    """Unnormalised log p(s) = b.s + sum_mu log Gamma((W^T s + c)_mu) of the ReLU RBM.

    Energy E(s, tau) = sum_mu tau_mu^2/2 - s^T W tau - b^T s - c^T tau with tau_mu >= 0; the
    hidden units are integrated out with ``relu_log_partition``. Accepts: ``s`` (..., N) of +-1,
    ``W`` (N, P), ``b`` (N,) or None, ``c`` (P,) or None. Returns (...).
    """
    W, b, c = _check_rbm(W, b, c)
    s = _check_visible("s", s, W.shape[0])
    return s @ b + np.sum(relu_log_partition(s @ W + c), axis=-1)


def relu_rbm_gibbs(W, b, c, states, steps: int, seed: int = 0) -> np.ndarray:
    """Block Gibbs sampling of the ReLU RBM: tau ~ p(tau | s), then s ~ p(s | tau), ``steps`` times.

    tau_mu | s is N(x_mu, 1) truncated to tau_mu >= 0, x = W^T s + c, drawn by inverting its
    distribution function: tau = x - Phi^-1(v Phi(x)) with v ~ U(0, 1] (in log space, stable for
    x << 0); p(s_i = +1 | tau) = sigmoid(2 (W tau + b)_i). Accepts: ``W`` (N, P), ``b`` (N,) or None,
    ``c`` (P,) or None, ``states`` a (B, N) batch of +-1 chains, ``steps`` >= 0, ``seed`` an int >= 0
    or a numpy Generator. Returns the visible states (B, N) after the last step.
    """
    W, b, c = _check_rbm(W, b, c)
    s, steps, rng = _check_chains(states, W.shape[0], steps, seed)
    for _ in range(steps):
        x = s @ W + c
        v = 1.0 - rng.random(x.shape)  # in (0, 1]
        tau = np.maximum(x - special.ndtri_exp(np.log(v) + special.log_ndtr(x)), 0.0)
        s = _sample_visible(tau, W, b, rng)
    return s


# ------------------------------------------------------------ GMM as a network
def gmm_network(weights, means, cov) -> tuple[np.ndarray, np.ndarray]:
    """Couplings of the Gaussian mixture with a shared covariance written as a network.

    p(x, z) ~ prod_h [pi_h N(x; mu_h, Sigma)]^(z_h), z one-hot, gives
    p(z_h = 1 | x) = softmax_h(x . w_h + c_h) with w_h = Sigma^-1 mu_h and
    c_h = log pi_h - mu_h^T Sigma^-1 mu_h / 2. ``weights`` (K,), ``means`` (K, d), ``cov``
    (d, d) symmetric positive definite. Returns W (d, K) and c (K,).
    """
    pi = check_probabilities("weights", check_array("weights", weights, ndim=1))
    mu = check_array("means", means, shape=(pi.size, None))
    d = mu.shape[1]
    cov = check_array("cov", cov, shape=(d, d))
    if not np.allclose(cov, cov.T):
        raise ValueError("cov must be symmetric")
    try:
        chol = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        raise ValueError("cov must be positive definite") from None
    W = np.linalg.solve(chol.T, np.linalg.solve(chol, mu.T))  # Sigma^-1 mu_h, columns
    with np.errstate(divide="ignore"):
        c = np.log(pi) - 0.5 * np.sum(mu.T * W, axis=0)
    return W, c


def softmax_hidden(x, W, c) -> np.ndarray:
    """Responsibilities p(z_h = 1 | x) = softmax_h(x . w_h + c_h): the E-step as a layer.

    ``x`` (B, N) finite, ``W`` (N, H) finite, ``c`` (H,) with no nan or +inf (-inf switches a
    unit off; at least one entry finite).
    """
    W = check_array("W", W, ndim=2)
    c = check_array("c", c, shape=(W.shape[1],), finite=False)
    if np.any(np.isnan(c)) or np.any(c == np.inf) or not np.any(np.isfinite(c)):
        raise ValueError("c must have no nan or +inf entries and at least one finite entry (-inf switches a unit off)")
    x = check_array("x", x, shape=(None, W.shape[0]))
    return special.softmax(x @ W + c, axis=1)
