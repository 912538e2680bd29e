"""Sampling an unnormalised density pi~ = Z pi: annealed importance sampling and a diffusion
sampler trained by the path-space KL (recitation notes 001, sections 8.1-8.4).

``ais`` runs annealed importance sampling along the geometric path
log pi_beta = (1 - beta) log N(0, I) + beta log pi~ (numpy). ``train_path_kl_sampler`` fits the
reverse Gaussian transitions of a discretised Ornstein-Uhlenbeck diffusion to the noised target
by minimising KL(p^theta_{0:K} || pi_{0:K}) (eqs. 8.17-8.21, torch), and ``sample_path_kl``
draws paths from it with their importance weights pi_{0:K} Z / p^theta_{0:K}.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from .seeding import make_rng, torch_generator
from .validation import check_callable, check_int, check_memory, check_module, check_positive, check_seed

__all__ = ["ais", "ess_from_log_weights", "ou_time_grid", "train_path_kl_sampler", "sample_path_kl"]

_LOG_2PI = math.log(2.0 * math.pi)


def _logsumexp(a: np.ndarray) -> float:
    m = float(np.max(a))
    return m + math.log(float(np.sum(np.exp(a - m))))


def ess_from_log_weights(log_w) -> float:
    """Kish's effective sample size ESS = (sum_i w_i)^2 / sum_i w_i^2, from log weights log w_i.

    Accepts: ``log_w`` a non-empty 1-D array of finite log weights.
    """
    from .validation import check_array

    log_w = check_array("log_w", log_w, ndim=1)
    return float(math.exp(2 * _logsumexp(log_w) - _logsumexp(2 * log_w)))


def _eval_log_target(log_target: Callable, x: np.ndarray) -> np.ndarray:
    val = np.asarray(log_target(x), dtype=float)
    if val.shape != (x.shape[0],):
        raise ValueError(f"log_target must map an (n, dim) array to shape (n,), got shape {val.shape}")
    if np.any(np.isnan(val)) or np.any(val == np.inf):
        raise ValueError("log_target returned nan or +inf")
    return val


def ais(log_target: Callable, dim: int, n_particles: int, n_temps: int, seed=0, *,
        n_mcmc: int = 2, step_size: float = 0.5) -> dict:
    """Annealed importance sampling (Neal 2001) from N(0, I) to pi~ along the geometric path.

    Intermediate targets log pi_beta(x) = (1 - beta) log N(x; 0, I) + beta log pi~(x) with
    beta_t = t / (n_temps - 1). Each particle gains log w += (beta_t - beta_{t-1})
    (log pi~(x) - log N(x; 0, I)) and then makes ``n_mcmc`` random-walk Metropolis moves
    (proposal x + step_size xi) that leave pi_{beta_t} invariant. Since the base is normalised,
    E[w] = Z exactly, so ``log_z`` = log mean w is the log of an unbiased estimate of Z.

    Accepts: ``log_target`` a callable mapping an (n, dim) numpy array to (n,) values of log pi~;
    ``dim`` an integer >= 1; ``n_particles`` an integer >= 1; ``n_temps`` an integer >= 2 (number of
    temperatures including beta = 0 and 1); ``seed`` an int >= 0 or a numpy Generator;
    ``n_mcmc`` an integer >= 0; ``step_size`` a finite number > 0.

    Returns dict ``log_z`` (float), ``samples`` (n_particles, dim), ``log_weights`` (n_particles,),
    ``ess`` (Kish, float), ``betas`` (n_temps,) and ``acceptance`` (mean Metropolis acceptance).
    """
    check_callable("log_target", log_target)
    dim = check_int("dim", dim, minimum=1, maximum=10**4)
    n_particles = check_int("n_particles", n_particles, minimum=1, maximum=10**7)
    n_temps = check_int("n_temps", n_temps, minimum=2, maximum=10**6)
    seed = check_seed("seed", seed, allow_generator=True)
    n_mcmc = check_int("n_mcmc", n_mcmc, minimum=0, maximum=10**4)
    step_size = check_positive("step_size", step_size)
    rng = make_rng(seed)

    def log_base(x):
        return -0.5 * np.sum(x**2, axis=1) - 0.5 * dim * _LOG_2PI

    betas = np.linspace(0.0, 1.0, n_temps)
    x = rng.standard_normal((n_particles, dim))
    lt, lb = _eval_log_target(log_target, x), log_base(x)
    log_w = np.zeros(n_particles)
    accepted, tried = 0, 0
    for t in range(1, n_temps):
        log_w += (betas[t] - betas[t - 1]) * (lt - lb)
        b = betas[t]
        for _ in range(n_mcmc):
            y = x + step_size * rng.standard_normal(x.shape)
            lt_y, lb_y = _eval_log_target(log_target, y), log_base(y)
            log_ratio = b * (lt_y - lt) + (1.0 - b) * (lb_y - lb)
            acc = np.log(rng.random(n_particles)) < log_ratio
            x[acc], lt[acc], lb[acc] = y[acc], lt_y[acc], lb_y[acc]
            accepted += int(acc.sum())
            tried += n_particles
    if not np.all(np.isfinite(log_w)):
        raise ValueError("log_target is -inf on every particle of some temperature; widen the base or the target")
    return {"log_z": _logsumexp(log_w) - math.log(n_particles), "samples": x, "log_weights": log_w,
            "ess": ess_from_log_weights(log_w), "betas": betas,
            "acceptance": accepted / tried if tried else float("nan")}


# ------------------------------------------------------------------ diffusion sampler
def ou_time_grid(n_steps: int, t_max: float = 3.0, power: float = 2.0) -> np.ndarray:
    """Times 0 = t_0 < t_1 < ... < t_K = t_max, t_k = t_max (k/K)^power (fine steps near the data).

    The forward noising is the Ornstein-Uhlenbeck process dX = -X dt + sqrt(2) dW, whose exact
    transition is eq. 8.18 with alpha_{k+1|k} = exp(-(t_{k+1} - t_k)) and
    sigma^2_{k+1|k} = 1 - alpha^2_{k+1|k}; its stationary law is N(0, I).

    Accepts: ``n_steps`` the number K of transitions, an integer >= 1; ``t_max`` a finite number > 0;
    ``power`` a finite number > 0.
    """
    n_steps = check_int("n_steps", n_steps, minimum=1, maximum=10**5)
    t_max = check_positive("t_max", t_max)
    power = check_positive("power", power)
    return t_max * (np.arange(n_steps + 1) / n_steps) ** power


class _PathSampler(nn.Module):
    """Reverse chain x_K ~ N(0, I), x_k ~ N(mu_theta(x_{k+1}, t_{k+1}), s_k^2 I) (eq. 8.19).

    The mean is the exponential-integrator step of the reverse SDE dX = [X + 2 score] d(-t) + sqrt(2) dW
    written for score = -x + r: mu = a x + 2 (1 - a) r with a = exp(-dt), r(x, t) = lam(t) (grad log pi~(x) + x)
    + NN(x, t), lam(t) = exp(-2t), and variance s^2 = 1 - a^2. The network starts at zero output.
    """

    def __init__(self, dim: int, times: np.ndarray, hidden: int):
        super().__init__()
        self.dim = dim
        self.register_buffer("times", torch.as_tensor(times, dtype=torch.get_default_dtype()))
        self.net = nn.Sequential(nn.Linear(dim + 1, hidden), nn.SiLU(), nn.Linear(hidden, hidden), nn.SiLU(),
                                 nn.Linear(hidden, dim))
        nn.init.zeros_(self.net[-1].weight)
        nn.init.zeros_(self.net[-1].bias)

    @property
    def n_steps(self) -> int:
        return self.times.numel() - 1


def _gauss_log_prob(x, mean, var):
    d = x.shape[-1]
    return -0.5 * ((x - mean) ** 2).sum(-1) / var - 0.5 * d * (math.log(var) + _LOG_2PI)


def _run_paths(model: _PathSampler, log_target: Callable, n: int, gen: torch.Generator, create_graph: bool):
    """Sample n reverse paths; return (x_0, log w) with log w = log pi~(x_0) + sum log p_fwd
    - log p_K(x_K) - sum log p^theta (eq. 8.21 with the sign flipped), differentiable in theta."""
    times = model.times
    x = torch.randn(n, model.dim, generator=gen)
    log_w = -_gauss_log_prob(x, 0.0, 1.0)
    for k in range(model.n_steps - 1, -1, -1):
        t_next, dt = times[k + 1], float(times[k + 1] - times[k])
        a = math.exp(-dt)
        # the guide grad log pi~(x) enters as a constant (stop-gradient): differentiated along the
        # path it brings in the target's Hessian at every step, and the pathwise gradient explodes
        xd = x.detach().requires_grad_(True)
        with torch.enable_grad():
            grad = torch.autograd.grad(log_target(xd).sum(), xd)[0]
        lam = torch.exp(-2 * t_next)
        r = lam * (grad + x) + model.net(torch.cat([x, t_next.expand(n, 1)], dim=1))
        mean = a * x + 2 * (1 - a) * r
        var = 1 - a * a
        x_new = mean + math.sqrt(var) * torch.randn(n, model.dim, generator=gen)
        log_w = log_w - _gauss_log_prob(x_new, mean, var) + _gauss_log_prob(x, a * x_new, var)
        x = x_new if create_graph else x_new.detach()
    lt0 = log_target(x)
    if lt0.shape != (n,):
        raise ValueError(f"log_target must map a (n, dim) tensor to shape (n,), got {tuple(lt0.shape)}")
    return x, log_w + lt0


def train_path_kl_sampler(log_target: Callable, dim: int, n_steps: int, train_steps: int, *,
                          batch_size: int = 128, lr: float = 3e-3, hidden: int = 32, t_max: float = 3.0,
                          seed: int = 0) -> dict:
    """Diffusion sampler trained by the path-space KL(p^theta_{0:K} || pi_{0:K}) of eqs. 8.20-8.21.

    Forward chain pi_{0:K}: the Ornstein-Uhlenbeck transitions of :func:`ou_time_grid` started from pi
    (eqs. 8.17-8.18). Model p^theta_{0:K}: x_K ~ N(0, I) and Gaussian reverse steps (eq. 8.19) whose
    mean is a reverse-SDE step guided by grad log pi~ plus a small network. The loss
    E_{p^theta}[log p^theta_{0:K} - log pi~_{0:K}] = KL - log Z is minimised by Adam on reparameterised
    paths (gradients through every step), with the guide grad log pi~ held fixed (a stop-gradient: the
    full pathwise gradient goes through the target's Hessian at every step and explodes; with it, Adam
    raises the loss it descends). The weights, and so log Z-hat, stay exact whatever the training.

    Accepts: ``log_target`` a callable mapping an (n, dim) tensor to (n,) values of log pi~, differentiable;
    ``dim`` an integer >= 1; ``n_steps`` the number K of steps, an integer >= 1; ``train_steps`` an
    integer >= 1; ``batch_size`` an integer >= 1; ``lr`` a finite number > 0; ``hidden`` an integer >= 1;
    ``t_max`` a finite number > 0; ``seed`` an int >= 0.

    Returns dict ``model`` (the sampler, for :func:`sample_path_kl`) and ``loss`` (train_steps,), the
    minibatch path loss in nats (= -ELBO on paths, >= -log Z).
    """
    check_callable("log_target", log_target)
    dim = check_int("dim", dim, minimum=1, maximum=10**4)
    n_steps = check_int("n_steps", n_steps, minimum=1, maximum=10**4)
    train_steps = check_int("train_steps", train_steps, minimum=1, maximum=10**7)
    batch_size = check_int("batch_size", batch_size, minimum=1, maximum=10**6)
    lr = check_positive("lr", lr)
    hidden = check_int("hidden", hidden, minimum=1, maximum=10**5)
    check_memory(("hidden", "batch_size"), 16.0 * (hidden + 1) * (hidden + batch_size + 2 * dim + 1),
                 what="parameters, Adam states and activations")
    t_max = check_positive("t_max", t_max)
    seed = check_seed("seed", seed)
    gen = torch_generator(seed)
    model = _PathSampler(dim, ou_time_grid(n_steps, t_max), hidden)
    with torch.no_grad():  # seeded re-initialisation (PyTorch's default uniform law, last layer zero)
        for layer in list(model.net)[:-1:2]:
            bound = 1.0 / math.sqrt(layer.in_features)
            for p in (layer.weight, layer.bias):
                p.copy_((2 * torch.rand(p.shape, generator=gen) - 1) * bound)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=train_steps, eta_min=lr / 20)
    losses = np.empty(train_steps)
    for step in range(train_steps):
        _, log_w = _run_paths(model, log_target, batch_size, gen, create_graph=True)
        loss = -log_w.mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        losses[step] = loss.item()
    return {"model": model, "loss": losses}


def sample_path_kl(model, log_target: Callable, n: int, seed: int = 0, n_steps: int | None = None) -> dict:
    """x_0 of n reverse paths of a trained sampler with log path weights
    log w = log pi~_{0:K} - log p^theta_{0:K} (eq. 8.21), so E[w] = Z for any theta and any K.

    Accepts: ``model`` the ``model`` returned by :func:`train_path_kl_sampler`; ``log_target`` the callable
    it was trained with; ``n`` an integer >= 1; ``seed`` an int >= 0; ``n_steps`` None (the training grid)
    or an integer K >= 1: run the same learned drift r(x, t) on the grid of K steps of :func:`ou_time_grid`
    (same t_max), to see the time-discretisation bias change with K.

    Returns dict ``x`` (n, dim), ``log_w`` (n,), ``log_z`` (log mean w, float), ``elbo`` (mean log w,
    a lower bound on log Z) and ``ess`` (Kish, float); arrays are float64 numpy.
    """
    check_module("model", model, _PathSampler)
    check_callable("log_target", log_target)
    n = check_int("n", n, minimum=1, maximum=10**7)
    seed = check_seed("seed", seed)
    if n_steps is not None:
        n_steps = check_int("n_steps", n_steps, minimum=1, maximum=10**4)
        regrid = _PathSampler(model.dim, ou_time_grid(n_steps, float(model.times[-1])), model.net[0].out_features)
        regrid.net = model.net
        model = regrid
    with torch.no_grad():
        x, log_w = _run_paths(model, log_target, n, torch_generator(seed), create_graph=False)
    x, log_w = x.double().numpy(), log_w.detach().double().numpy()
    if not np.all(np.isfinite(log_w)):
        raise ValueError("log_target returned a non-finite value on the sampled paths")
    return {"x": x, "log_w": log_w, "log_z": _logsumexp(log_w) - math.log(n), "elbo": float(log_w.mean()),
            "ess": ess_from_log_weights(log_w)}
