# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 21 · Diffusion samplers: annealing, path-space KL and continuous flows
#
# In lecture 11 a normalizing flow was trained to *sample* an unnormalised density
# $\tilde\pi = Z\pi$ by the reverse KL, and we saw it drop modes. Here we are in the
# **sampling** setting, not the generative one: no data, only an oracle for $\log\tilde\pi(x)$
# (and its gradient), and two goals, samples of $\pi$ and the free energy $-\log Z$.
# We build three tools and test each against exact results on a two-dimensional mixture of
# four well-separated Gaussians with unequal weights:
#
# 1. **annealed importance sampling** (AIS), the classical baseline: anneal from $\mathcal N(0,\mathbb I)$
#    to $\pi$ with MCMC moves, and carry importance weights whose mean is exactly $Z$;
# 2. a **diffusion sampler** trained by the KL between *paths*: a learned reverse chain is fitted to
#    the noised target, which keeps every mode where the reverse-KL flow of lecture 11 loses some,
#    and whose time-discretisation bias is removed by importance weights on the paths;
# 3. the **instantaneous change of variables** $\frac{d}{dt}\log p_t(x_t) = -\nabla\cdot v_t(x_t)$,
#    the density bookkeeping of continuous flows, checked on a flow whose density is known.
#
# **Learning goals**
# - tell apart sampling, density estimation and generative modelling, and the forward and reverse KL;
# - run AIS and know which estimate of $\log Z$ is unbiased (and which plausible ones are not);
# - write the path-space KL between a reverse chain and the noised target and train a sampler with it;
# - explain why an importance weight on the whole path corrects the bias of a finite number of steps,
#   and why a high effective sample size does not prove that all modes were found;
# - derive $d\log p/dt = -\nabla\cdot v$ from the Liouville equation.
#
# *Sources:* the recitation notes *Machine Learning for Physicists*, sections 8.1-8.4 (sampling
# vs density estimation, forward and reverse KL, ELBO, importance weights, tempering using
# diffusion paths, eqs. 8.14-8.21); S. Mallat's lectures in the Beg Rohu 2025 summer-school
# notes, section 8.3.1 (continuous flows, the Liouville equation 8.22-8.23); the handwritten
# notes on normalizing flows (change of variables).

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from scipy.linalg import expm

import course_utils as cu
from course_utils import flows, samplers

rng = cu.setup(seed=0)

# %% [markdown]
# ## 1. The target: four separated modes
#
# The target is a mixture of four isotropic Gaussians of width $s = 0.5$ at the corners
# $(\pm 2.5, \pm 2.5)$, with weights $w_k = 0.4, 0.3, 0.2, 0.1$:
#
# $$\tilde\pi(x) = \sum_{k=1}^4 w_k\, e^{-|x - m_k|^2/2s^2}, \qquad Z = \int\tilde\pi = 2\pi s^2\sum_k w_k = 2\pi s^2 .$$
#
# The modes are $5 = 10\,s$ apart: a random-walk chain started in one of them essentially never
# visits another, which is the failure of plain MCMC listed in section 8.1 of the recitation notes.
# We know $Z$, so every estimate of $\log Z$ below can be checked.

# %%
MEANS = np.array([[2.5, 2.5], [-2.5, 2.5], [-2.5, -2.5], [2.5, -2.5]])
WEIGHTS = np.array([0.4, 0.3, 0.2, 0.1])
S = 0.5
LOG_Z = math.log(2 * math.pi * S**2 * WEIGHTS.sum())
MEANS_T = torch.tensor(MEANS, dtype=torch.get_default_dtype())
LOG_W_T = torch.log(torch.tensor(WEIGHTS, dtype=torch.get_default_dtype()))


def log_target_np(x):
    """log pi~(x) = log sum_k w_k exp(-|x - m_k|^2 / 2 s^2) for x of shape (n, 2), numpy."""
    a = np.log(WEIGHTS) - ((x[:, None, :] - MEANS[None]) ** 2).sum(-1) / (2 * S**2)
    a_max = a.max(axis=1, keepdims=True)
    return (a_max + np.log(np.exp(a - a_max).sum(axis=1, keepdims=True)))[:, 0]


def log_target(x):
    """The same log pi~ for a torch tensor (n, 2), differentiable in x."""
    return torch.logsumexp(LOG_W_T - ((x[:, None, :] - MEANS_T[None]) ** 2).sum(-1) / (2 * S**2), dim=1)


def mode_occupation(x, log_w=None):
    """Fraction of the samples nearest to each mode, optionally with self-normalised weights w."""
    nearest = np.argmin(((x[:, None, :] - MEANS[None]) ** 2).sum(-1), axis=1)
    w = np.ones(len(x)) if log_w is None else np.exp(log_w - log_w.max())
    return np.bincount(nearest, weights=w, minlength=len(MEANS)) / w.sum()


EXTENT = 4.5
grid = np.linspace(-EXTENT, EXTENT, 181)
GX, GY = np.meshgrid(grid, grid)
density = np.exp(log_target_np(np.stack([GX.ravel(), GY.ravel()], 1)) - LOG_Z).reshape(GX.shape)
cell = (grid[1] - grid[0]) ** 2
print(f"exact log Z = {LOG_Z:.4f}; quadrature of pi on the grid = {density.sum() * cell:.4f}")

fig, ax = plt.subplots(figsize=(4.2, 4))
ax.contourf(GX, GY, density, levels=20, cmap="Blues")
for m, w in zip(MEANS, WEIGHTS):
    ax.annotate(f"$w={w}$", m + np.array([-0.5, 0.8]))
ax.set_aspect("equal")
cu.plotting.label(ax, "$x_1$", "$x_2$", r"target $\pi = \tilde\pi/Z$")
plt.show()

# %% [markdown]
# ## 2. Annealed importance sampling
#
# Importance sampling from a normalised proposal $q$ uses $\mathbb E_q[\tilde\pi/q] = Z$
# (eq. 8.13 of the recitation notes with $f = 1$). From $q = \mathcal N(0,\mathbb I)$ directly, almost
# no sample lands in a mode of width $0.5$ at distance $3.5$: the weights are dominated by a
# handful of points. **Annealed importance sampling** (Neal 2001) walks there in small steps along the
# geometric path
#
# $$\log\pi_\beta(x) = (1-\beta)\log\mathcal N(x;0,\mathbb I) + \beta\log\tilde\pi(x),\qquad 0=\beta_0<\beta_1<\dots<\beta_{T}=1 .$$
#
# Each particle starts at $x\sim\mathcal N(0,\mathbb I)$; at step $t$ it gains
# $\log w \mathrel{+}= (\beta_t-\beta_{t-1})\,[\log\tilde\pi(x) - \log\mathcal N(x;0,\mathbb I)]$ and then
# makes Metropolis moves that leave $\pi_{\beta_t}$ invariant. The weight is the ratio of the
# densities of a forward and a backward chain on the extended space, so
#
# $$\mathbb E[w] = \frac{\int\tilde\pi}{\int\mathcal N(x;0,\mathbb I)\,dx} = Z,\qquad
# \widehat Z = \frac1n\sum_i w_i,\qquad \mathrm{ESS} = \frac{(\sum_i w_i)^2}{\sum_i w_i^2}.$$
#
# Two details matter. The base density in the weight must be the *normalised* Gaussian (its
# integral is the denominator above), and the unbiased object is $\widehat Z$, not $\log$ of
# anything averaged: $\frac1n\sum_i\log w_i$ is only a lower bound on $\log Z$ (Jensen, as the ELBO
# of eq. 8.9).

# %%
N_TEMPS = 100
N_REPEATS, N_PER_REPEAT = 20, 1000
# One vectorised run of N_REPEATS * N_PER_REPEAT particles = N_REPEATS independent AIS runs.
run = samplers.ais(log_target_np, 2, N_REPEATS * N_PER_REPEAT, N_TEMPS, seed=1)
log_w = run["log_weights"].reshape(N_REPEATS, N_PER_REPEAT)
log_z_rep = np.array([np.logaddexp.reduce(lw) - math.log(N_PER_REPEAT) for lw in log_w])
ess_rep = np.array([samplers.ess_from_log_weights(lw) for lw in log_w])
print(f"{N_TEMPS} temperatures, {N_REPEATS} runs of n = {N_PER_REPEAT}: "
      f"Metropolis acceptance {run['acceptance']:.2f}")
print(f"log Z-hat per run: mean {log_z_rep.mean():.3f}, spread (sd) {log_z_rep.std(ddof=1):.3f};  exact {LOG_Z:.3f}")
print(f"ESS per run: {ess_rep.mean():.0f} +- {ess_rep.std(ddof=1):.0f} of {N_PER_REPEAT}")

fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
x_ais = run["samples"][:N_PER_REPEAT]
w_ais = np.exp(log_w[0] - log_w[0].max())
axes[0].contour(GX, GY, density, levels=6, colors="0.7", linewidths=0.6)
axes[0].scatter(x_ais[:, 0], x_ais[:, 1], s=40 * w_ais / w_ais.max() + 1, color="C0")
axes[0].set_aspect("equal")
cu.plotting.label(axes[0], "$x_1$", "$x_2$", "AIS particles (size ~ weight)")
axes[1].hist(log_w[0] - LOG_Z, bins=40, color="C1")
axes[1].axvline(0.0, color="k", lw=1)
cu.plotting.label(axes[1], r"$\log w_i - \log Z$", "count", "log weights of one run")
plt.show()

# %% [markdown]
# **Check: the AIS estimate of $Z$ is unbiased.** Each run gives $\widehat Z_r$; since $\mathbb E\widehat Z_r = Z$,
# the mean of $\widehat Z_r/Z$ over the runs is 1 within its standard error, the spread over runs
# divided by $\sqrt{R}$. The two plausible wrong estimates fail the same test: the mean log weight
# (a lower bound) and the weight computed with the unnormalised base $e^{-|x|^2/2}$, which adds
# $\frac d2\log 2\pi = 1.838$ to every $\log w$.

# %%
ratio = np.exp(log_z_rep - LOG_Z)  # Z-hat_r / Z
se_ratio = ratio.std(ddof=1) / math.sqrt(N_REPEATS)
wrong_mean_log = log_w.mean()  # plain average of log weights: Jensen lower bound
wrong_unnormalised = log_z_rep.mean() + math.log(2 * math.pi)  # base exp(-|x|^2/2) without 1/(2 pi)
print(f"mean Z-hat/Z = {ratio.mean():.3f} +- {se_ratio:.3f} (standard error over {N_REPEATS} runs)")
print(f"wrong: mean of log w = {wrong_mean_log:.2f}, unnormalised base log Z = {wrong_unnormalised:.2f}; exact {LOG_Z:.2f}")
# Tolerance 4 standard errors of the mean over runs (the spread over the 20 runs, measured here).
# Measured with seed 0, the wrong formulas give mean log w = -0.14 (0.59 below log Z, 41 standard
# errors of the mean log Z-hat) and, with the unnormalised base, 2.28 (1.83 above log Z).
assert abs(ratio.mean() - 1) < 4 * se_ratio
se_log = log_z_rep.std(ddof=1) / math.sqrt(N_REPEATS)
assert abs(wrong_mean_log - LOG_Z) > 4 * se_log and abs(wrong_unnormalised - LOG_Z) > 4 * se_log


# %% [markdown]
# More temperatures mean smaller steps in $\beta$, weights closer to equal and a larger ESS; the cost
# grows linearly. With the slider you can see the log weights concentrate and the ESS grow. At two
# temperatures AIS is plain importance sampling from the base after one Metropolis move.

# %%
def plot_ais(n_temps=30):
    """AIS with n_temps temperatures, 1000 particles: particles sized by weight, log Z-hat and ESS."""
    out = samplers.ais(log_target_np, 2, 1000, n_temps, seed=3)
    w = np.exp(out["log_weights"] - out["log_weights"].max())
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
    axes[0].contour(GX, GY, density, levels=6, colors="0.7", linewidths=0.6)
    axes[0].scatter(out["samples"][:, 0], out["samples"][:, 1], s=40 * w + 1, color="C0")
    axes[0].set_aspect("equal")
    cu.plotting.label(axes[0], "$x_1$", "$x_2$", f"T = {n_temps}: log Z-hat - log Z = {out['log_z'] - LOG_Z:+.2f}")
    axes[1].hist(out["log_weights"] - LOG_Z, bins=40, color="C1")
    axes[1].axvline(0.0, color="k", lw=1)
    cu.plotting.label(axes[1], r"$\log w_i - \log Z$", "count", f"ESS = {out['ess']:.0f} of 1000")
    plt.show()


plot_ais(n_temps=30)

# %%
# NBVAL_IGNORE_OUTPUT
cu.plotting.live(plot_ais, n_temps=(2, 200, 2))

# %% [markdown]
# ## 3. Tempering with diffusion paths: the path-space KL
#
# A diffusion model runs a Markov chain backwards from noise, $x_K\sim p_K = \mathcal N(0,\mathbb I)$,
# $x_k\sim p^\theta_{k|k+1}(\cdot|x_{k+1})$ for $k = K-1,\dots,0$ (eq. 8.14). To use it as a sampler we
# would like to minimise $\mathrm{KL}(p^\theta_0\|\pi)$, but the marginal $p^\theta_0$ is an integral
# over the whole chain (eqs. 8.15-8.16). The way out (section 8.4) is to compare *paths*. Noise the
# target with a fixed forward chain,
#
# $$\pi_{0:K}(x_{0:K}) = \pi(x_0)\prod_{k=0}^{K-1}\mathcal N(x_{k+1};\alpha_{k+1|k}x_k,\sigma^2_{k+1|k}\mathbb I),$$
#
# (eqs. 8.17-8.18), and the model's own joint $p^\theta_{0:K} = p_K(x_K)\prod_k p^\theta_{k|k+1}(x_k|x_{k+1})$
# (eq. 8.19). Their KL is an expectation over model paths of known quantities (eqs. 8.20-8.21):
#
# $$\mathrm{KL}(p^\theta_{0:K}\|\pi_{0:K}) = \mathbb E_{p^\theta_{0:K}}\Big[\log\frac{p_K(x_K)}{\pi(x_0)}
# + \sum_{k=0}^{K-1}\log\frac{p^\theta_{k|k+1}(x_k|x_{k+1})}{p_{k+1|k}(x_{k+1}|x_k)}\Big] .$$
#
# With $\tilde\pi$ in place of $\pi$ the bracket is $-\log w$ with the **path weight**
# $w = \tilde\pi_{0:K}/p^\theta_{0:K}$, so, exactly as for the ELBO (eq. 8.9),
# $\mathbb E\log w = \log Z - \mathrm{KL} \le \log Z$ and $\mathbb E w = Z$ for *any* $\theta$ and $K$.
# By the data-processing inequality the path KL bounds the KL of the marginals,
# $\mathrm{KL}(p^\theta_0\|\pi)\le\mathrm{KL}(p^\theta_{0:K}\|\pi_{0:K})$.
#
# Our forward chain is the Ornstein-Uhlenbeck process $dX = -X\,dt+\sqrt2\,dW$ on times
# $t_k = 3(k/K)^2$, so $\alpha_{k+1|k} = e^{-(t_{k+1}-t_k)}$, $\sigma^2_{k+1|k} = 1-\alpha^2_{k+1|k}$, and
# $\pi_K\approx\mathcal N(0,\mathbb I)$. The reverse step is Gaussian with variance $\sigma^2_{k+1|k}$ and
# a mean given by one step of the reverse SDE, whose score model is $-x + e^{-2t}(\nabla\log\tilde\pi(x)+x)
# + \mathrm{NN}_\theta(x,t)$: exact at $t = 0$ (the score of $\pi$) and at $t\to\infty$ (that of
# $\mathcal N(0,\mathbb I)$), with a small network, started at zero, to learn the rest
# (`course_utils.samplers`). Training minimises the minibatch estimate of $-\mathbb E\log w$ with
# gradients through the sampled paths (reparameterisation), as the reverse-KL flow of lecture 11, with
# one exception: the guide $\nabla\log\tilde\pi(x_k)$ is held fixed (a stop-gradient). Differentiated
# along the path, it brings the target's Hessian, of size $1/0.5^2$ inside each mode, into every step;
# the product of these Jacobians explodes, the loss at fixed noise becomes rough in $\theta$, and Adam on
# the full gradient *raises* the loss it descends. The stop-gradient makes the descent direction
# slightly biased, never the weights: $\mathbb E w = Z$ holds for any $\theta$.

# %%
K_TRAIN = 8  # number of steps of the trained chain
TRAIN_STEPS = 1000  # number of Adam steps (about 15 s)
diff = samplers.train_path_kl_sampler(log_target, 2, K_TRAIN, TRAIN_STEPS, batch_size=128, lr=3e-3, seed=2)
N_EVAL = 4000
path = samplers.sample_path_kl(diff["model"], log_target, N_EVAL, seed=4)

fig, ax = plt.subplots(figsize=(5, 3.5))
ax.plot(diff["loss"], lw=0.6, color="C0", label="minibatch")
ax.axhline(-LOG_Z, color="k", lw=1, label=r"$-\log Z$ (KL $= 0$)")
ax.legend()
cu.plotting.label(ax, "training step", r"$-\mathbb{E}\log w$ (nats)", "path-space KL minus log Z")
plt.show()

# %% [markdown]
# The gap between the loss and $-\log Z$ is the path KL. At step 0 the network is zero and the chain is
# the guided reverse SDE alone, which already has the right score at both ends of the path; training
# teaches the network the score in between, where the guide's blend of the two ends is wrong.

# %%
# Check: training lowers the path loss. The minibatch loss has a standard deviation of 0.10-0.11 nat
# late in training, so the mean of 50 steps has a standard error of ~0.015; asserted: a drop of more than
# 0.3 nat from the first 50 steps to the last 50 (measured 0.57, 0.42, 0.54 for COURSE_UTILS_SEED 0, 1, 2;
# 0.83 -> 0.26 with seed 0). Wrong formula: the full pathwise gradient,
# differentiating the guide grad log pi~ along the path; measured with the same seeds and learning rate,
# its loss rises from 0.81 to 1.25 over 1000 steps (path KL of 4000 evaluation paths 1.26 -> 1.74, against
# 1.26 -> 0.75 with the stop-gradient), so the assert fails.
drop = diff["loss"][:50].mean() - diff["loss"][-50:].mean()
print(f"path loss, mean of the first 50 steps minus the last 50 > 0.3 nat: {drop > 0.3}")
assert drop > 0.3

# %% [markdown]
# What matters below is that the objective is the KL on *paths*, that the chain passes through the
# noised target where the modes merge, and that every path carries an exact weight.

# %% [markdown]
# ## 4. Diffusion sampler vs reverse-KL flow: modes, ESS and $\log Z$
#
# On the same target we train the RealNVP of lecture 11 by the reverse KL on $x$ (eq. 8.8), and draw
# 4000 samples of each with their importance weights.

# %%
N_LAYERS, HIDDEN, FLOW_STEPS = 4, 32, 300  # 6, 64, 1000 for class
flow = flows.RealNVP(2, N_LAYERS, HIDDEN)
flows.train_reverse_kl(flow, log_target, FLOW_STEPS, 256, 5e-3, seed=6)
flow_w = flows.importance_weights(flow, log_target, N_EVAL, seed=7)

fig, axes = plt.subplots(1, 2, figsize=(9, 4))
for ax, (name, x) in zip(axes, (("diffusion sampler (path KL)", path["x"]), ("RealNVP (reverse KL)", flow_w["x"]))):
    ax.contour(GX, GY, density, levels=6, colors="0.7", linewidths=0.6)
    ax.scatter(x[:, 0], x[:, 1], s=1, color="C0")
    ax.set_xlim(-EXTENT, EXTENT)
    ax.set_ylim(-EXTENT, EXTENT)
    ax.set_aspect("equal")
    cu.plotting.label(ax, "$x_1$", "$x_2$", name)
plt.show()

# %%
results = {"diffusion sampler": (path["x"], path["log_w"]), "reverse-KL flow": (flow_w["x"], flow_w["log_w"])}
# Trained quantities are chaotic across CPU kernels (which modes the flow finds can change): printed as
# the inequalities they satisfy, the diffusion sampler's occupations to one decimal.
print(f"target weights w_k: {np.round(WEIGHTS, 1)}")
print(f"diffusion sampler occupations: {np.round(mode_occupation(path['x']), 1)}")
for name, (x, lw) in results.items():
    est = flows.log_z_estimates(lw)
    print(f"{name:18s}: misses a mode (< 1% of samples): {bool(mode_occupation(x).min() < 0.01)}, "
          f"ESS/n > 0.5: {samplers.ess_from_log_weights(lw) / len(lw) > 0.5}, "
          f"ELBO < log Z: {est['elbo'] < LOG_Z}, |log Z-hat - log Z| < 0.2: {abs(est['importance'] - LOG_Z) < 0.2}")

# %% [markdown]
# **Check: the diffusion sampler keeps every mode, and its path weights recover their masses; the
# flow's weights can only correct inside the modes it found.** The diffusion sampler's chain starts
# in $\mathcal N(0,\mathbb I)$, where the noised target $\pi_K$ has merged the four modes into one blob,
# and the guided reverse steps carry mass into each of them: every mode holds more than 5% of its samples
# (the reverse-KL objective would pay nothing for dropping one). Its raw occupations are not the
# weights $w_k$, but the self-normalised weighted occupations are, within their delta-method standard
# error. The flow's importance weights vanish where the flow has no samples, so its estimate of $Z$ is
# $Z$ times the mass $\sum_{k\ \mathrm{found}} w_k$ of the modes it found, however large its ESS.

# %%
def weighted_mass_se(x, lw):
    """Self-normalised weighted mode masses and their delta-method standard errors."""
    nearest = np.argmin(((x[:, None, :] - MEANS[None]) ** 2).sum(-1), axis=1)
    w = np.exp(lw - lw.max())
    w /= w.sum()
    onehot = nearest[:, None] == np.arange(len(MEANS))[None]
    mass = w @ onehot
    se = np.sqrt(((w[:, None] * (onehot - mass[None])) ** 2).sum(0))
    return mass, se


mass_d, se_d = weighted_mass_se(path["x"], path["log_w"])
occ_d = mode_occupation(path["x"])
print(f"diffusion sampler: min raw occupation > 0.05: {occ_d.min() > 0.05}; weighted masses {np.round(mass_d, 1)}"
      f" within 4 SE of w_k: {bool(np.all(np.abs(mass_d - WEIGHTS) < 4 * se_d))}")
# Tolerance 4 delta-method standard errors of the weighted masses (0.006-0.019 here; the weighted
# masses sat within 2.6 of them for COURSE_UTILS_SEED 0, 1, 2). Wrong formula: the raw occupations as
# mode masses, measured 0.34, 0.26, 0.20, 0.21 with seed 0: the lightest mode's raw fraction (0.21,
# 0.25, 0.20 for seeds 0-2) is 17, 22 and 7 standard errors from 0.1, so the assert fails.
assert occ_d.min() > 0.05
assert np.all(np.abs(mass_d - WEIGHTS) < 4 * se_d)

occ_f = mode_occupation(flow_w["x"])
found = occ_f > 0.01
lz_f = np.logaddexp.reduce(flow_w["log_w"]) - math.log(N_EVAL)
se_lz_f = 1 / math.sqrt(samplers.ess_from_log_weights(flow_w["log_w"]))  # sd(w)/mean(w)/sqrt(n) ~ 1/sqrt(ESS)
pred_f = LOG_Z + math.log(WEIGHTS[found].sum())
print(f"flow: modes found {found.sum()} of 4; log Z-hat - [log Z + log(mass found)] within 0.1 + 4 SE: "
      f"{abs(lz_f - pred_f) < 0.1 + 4 * se_lz_f}")
# Tolerance: 4 importance-sampling standard errors (1/sqrt(ESS) = 0.016 here) plus 0.1 for the flow's
# residual misfit inside the found modes (measured deviation 0.001 with seed 0). Wrong formula:
# log Z-hat = log Z whatever the coverage; measured with seed 0 the flow finds only the w = 0.4 mode
# (ESS/n = 0.97) and log Z-hat - log Z = -0.92 = log 0.4, so that assert would fail.
assert abs(lz_f - pred_f) < 0.1 + 4 * se_lz_f

# %% [markdown]
# ## 5. Time discretisation: the path KL shrinks with $K$, the weights stay unbiased
#
# Even at the optimum of the path KL a chain of $K$ Gaussian steps does not reproduce $\pi$: the true
# reverse transitions of a finite step are not Gaussian. The learned drift $r_\theta(x,t)$ is a function
# of continuous time, so we can run the *same* sampler on finer or coarser grids of the same $t_{\max}$
# and measure the path KL $=\log Z - \mathbb E\log w$ as a function of $K$. The weights
# $w = \tilde\pi_{0:K}/p^\theta_{0:K}$ remain exact for every $K$, so the weighted estimate of an
# expectation, here the mass of the lightest mode $w_4 = 0.1$, has no bias at any $K$; the raw
# fraction of samples does.

# %%
K_GRID = (2, 4, 8, 16, 32)  # (2, 4, 8, 16, 32, 64, 128) for class
N_K = 2000
per_k = {}
for k in K_GRID:
    out = samplers.sample_path_kl(diff["model"], log_target, N_K, seed=5, n_steps=k)
    mass, se = weighted_mass_se(out["x"], out["log_w"])
    per_k[k] = {"kl": LOG_Z - out["elbo"], "raw": mode_occupation(out["x"])[3], "mass": mass[3], "se": se[3]}
# Trained quantities: the path KL moves by a few 0.01 across CPU kernels; printed to 0.1 nat.
for k, r in per_k.items():
    print(f"K = {k:3d}: path KL = {r['kl']:.1f} nats; mass of mode 4: raw {r['raw']:.1f}, weighted "
          f"{r['mass']:.1f} (within 4 SE of 0.1: {abs(r['mass'] - 0.1) < 4 * r['se']})")

fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
axes[0].plot(K_GRID, [per_k[k]["kl"] for k in K_GRID], "o-")
axes[0].set_xscale("log", base=2)
cu.plotting.label(axes[0], "number of steps $K$", r"$\log Z - \mathbb{E}\log w$ (nats)", "path-space KL")
axes[1].plot(K_GRID, [per_k[k]["raw"] for k in K_GRID], "s-", label="raw fraction")
axes[1].errorbar(K_GRID, [per_k[k]["mass"] for k in K_GRID], yerr=[per_k[k]["se"] for k in K_GRID],
                 fmt="o-", capsize=3, label="path-weighted")
axes[1].axhline(WEIGHTS[3], color="k", lw=1, label="$w_4 = 0.1$")
axes[1].set_xscale("log", base=2)
axes[1].legend()
cu.plotting.label(axes[1], "number of steps $K$", "mass of mode 4", "bias and its correction")
plt.show()

# %% [markdown]
# **Check.** The path KL at the finest grid is well below the one at $K = 2$ (the discretisation part
# of the KL shrinks as $K$ grows; what is left is the error of the learned drift), and the weighted
# mass of mode 4 agrees with $0.1$ within 4 standard errors at every $K$.

# %%
kl = np.array([per_k[k]["kl"] for k in K_GRID])
print(f"path KL(K = {K_GRID[-1]}) < path KL(K = 2) - 1: {kl[-1] < kl[0] - 1}")
print(f"weighted mass of mode 4 within 4 SE of 0.1 at every K: "
      f"{all(abs(per_k[k]['mass'] - 0.1) < 4 * per_k[k]['se'] for k in K_GRID)}")
# Margin 1 nat: measured KL(2) - KL(32) = 3.2, 3.2, 3.1 nats for seeds 0, 1, 2 (3.7 down to 0.5 with
# seed 0), against a Monte Carlo error of the mean log w of a few 0.01 nat (sd(log w)/sqrt(n)). The
# weighted mass of mode 4 sat within 2.6 SE of 0.1 at every K for seeds 0-2. Wrong formula: the raw
# fraction of samples in mode 4, measured 0.18-0.25 at every K and seed, 5-13 SE from 0.1 at most K
# (2.3 SE at one K, seed 1, where the weights are heavy-tailed and the SE 0.06), so "at every K" fails.
assert kl[-1] < kl[0] - 1
assert all(abs(per_k[k]["mass"] - 0.1) < 4 * per_k[k]["se"] for k in K_GRID)

# %% [markdown]
# ## 6. Continuous flows: the instantaneous change of variables
#
# Let the number of steps go to infinity with deterministic steps: particles follow an ODE
# $\dot x_t = v_t(x_t)$ (Mallat's section 8.3.1 of the summer-school notes), and their law $p_t$ obeys the
# Liouville (continuity) equation
#
# $$\partial_t p_t = -\nabla\cdot(v_t\,p_t) = -v_t\cdot\nabla p_t - p_t\,\nabla\cdot v_t$$
#
# (eqs. 8.22-8.23: convection and compression). Following one particle, $\frac{d}{dt}\log p_t(x_t) =
# \partial_t\log p_t + v_t\cdot\nabla\log p_t$, and the convection term cancels:
#
# $$\frac{d}{dt}\log p_t(x_t) = -\nabla\cdot v_t(x_t) = -\operatorname{tr}\frac{\partial v_t}{\partial x}(x_t).$$
#
# The same follows from the discrete change of variables: one step $f(x) = x + \epsilon v(x)$ changes
# $\log p$ by $-\log|\det(\mathbb I+\epsilon\,\partial v/\partial x)| = -\epsilon\operatorname{tr}\partial v/\partial x + O(\epsilon^2)$.
# The handwritten notes on normalizing flows write the continuous limit as
# $\frac{d}{dt}\log P_t = -\log\det(\partial f/\partial x)$; that is the change over a *finite* step of the map
# $f$, not a rate, and read with $f$ the velocity it is wrong: the rate is the trace of the Jacobian of
# $v$, not its log-determinant. We check both on a linear field $v(x) = Ax$ acting on a Gaussian, whose law
# stays Gaussian, $p_t = \mathcal N(0, e^{tA}\Sigma_0 e^{tA^\top})$, so $\log p_t$ is known exactly.
# The code integrates particles and $\log p$ together with a Runge-Kutta scheme and a finite-difference
# divergence that would work for any $v$.

# %%
A = np.array([[0.5, -1.0], [1.0, 0.3]])
SIGMA0 = np.diag([1.0, 0.25])
T_END, N_ODE = 1.0, 100


def velocity(x):
    """v(x) = A x for x of shape (n, 2)."""
    return x @ A.T


def divergence_fd(v, x, h=1e-4):
    """div v(x) = sum_i d v_i / d x_i by central finite differences, for x of shape (n, d)."""
    div = np.zeros(len(x))
    for i in range(x.shape[1]):
        e = np.zeros(x.shape[1])
        e[i] = h
        div += (v(x + e)[:, i] - v(x - e)[:, i]) / (2 * h)
    return div


def integrate_log_density(v, x0, logp0, t_end, n_steps):
    """RK4 for the augmented ODE dx/dt = v(x), d log p/dt = -div v(x)."""
    x, logp, dt = x0.copy(), logp0.copy(), t_end / n_steps

    def rhs(y):
        return v(y), -divergence_fd(v, y)

    for _ in range(n_steps):
        k1x, k1l = rhs(x)
        k2x, k2l = rhs(x + 0.5 * dt * k1x)
        k3x, k3l = rhs(x + 0.5 * dt * k2x)
        k4x, k4l = rhs(x + dt * k3x)
        x = x + dt / 6 * (k1x + 2 * k2x + 2 * k3x + k4x)
        logp = logp + dt / 6 * (k1l + 2 * k2l + 2 * k3l + k4l)
    return x, logp


def log_gauss(x, cov):
    """log N(x; 0, cov) for x of shape (n, d)."""
    prec = np.linalg.inv(cov)
    return -0.5 * np.einsum("ni,ij,nj->n", x, prec, x) - 0.5 * np.log(np.linalg.det(2 * np.pi * cov))


x0 = rng.standard_normal((2000, 2)) @ np.linalg.cholesky(SIGMA0).T
x_t, logp_ode = integrate_log_density(velocity, x0, log_gauss(x0, SIGMA0), T_END, N_ODE)
flow_map = expm(T_END * A)
sigma_t = flow_map @ SIGMA0 @ flow_map.T
logp_exact = log_gauss(x_t, sigma_t)
logp_wrong = log_gauss(x0, SIGMA0) - T_END * np.log(np.linalg.det(A))  # d log p/dt = -log det(dv/dx)
print(f"tr A = {np.trace(A):.3f}, log det A = {np.log(np.linalg.det(A)):.3f}")
print(f"sample covariance of x_t vs e^(tA) Sigma0 e^(tA^T): max |diff| = "
      f"{np.abs(np.cov(x_t.T) - sigma_t).max():.2f} (sampling error ~ {np.abs(sigma_t).max() * 2 / math.sqrt(2000):.2f})")

fig, ax = plt.subplots(figsize=(4.5, 4))
ax.scatter(logp_exact, logp_ode, s=2, label=r"$-\nabla\cdot v$ (trace)")
ax.scatter(logp_exact, logp_wrong, s=2, label=r"$-\log\det(\partial v/\partial x)$")
lims = [logp_exact.min(), logp_exact.max()]
ax.plot(lims, lims, "k", lw=0.8)
ax.legend()
cu.plotting.label(ax, r"exact $\log p_t(x_t)$", r"integrated $\log p_t(x_t)$", f"linear flow, t = {T_END}")
plt.show()

# %% [markdown]
# **Check.** The log density integrated with $-\nabla\cdot v$ equals the exact Gaussian log density at
# every particle up to the RK4 and finite-difference error ($\ll 10^{-6}$ here); the
# log-determinant version misses it by $t\,|\operatorname{tr}A - \log\det A|$ for every particle.

# %%
err_trace = np.abs(logp_ode - logp_exact).max()
err_logdet = np.abs(logp_wrong - logp_exact).max()
print(f"max |log p (trace) - exact| < 1e-6: {err_trace < 1e-6}")
print(f"max |log p (log det) - exact| = {err_logdet:.3f} = t |tr A - log det A| = "
      f"{T_END * abs(np.trace(A) - np.log(np.linalg.det(A))):.3f}")
# Tolerance 1e-6: RK4 with dt = 0.01 has a global error ~1e-9 here and the central difference is exact
# for a linear field up to round-off ~1e-12 / h. Wrong formula (-log det A): error 0.660 on every particle.
assert err_trace < 1e-6
assert err_logdet > 0.5

# %% [markdown]
# ## Exercises

# %% [markdown]
# **Exercise 1. Annealing without moves.** Run `samplers.ais` with `n_mcmc=0` (weights only, no
# Metropolis moves) and 100 temperatures. Show that $\log\widehat Z$ is still consistent but the ESS
# collapses, and explain why: with no moves the sum of the weight increments telescopes to
# $\log\tilde\pi(x_0) - \log\mathcal N(x_0;0,\mathbb I)$, plain importance sampling from the base.

# %% tags=["solution"]
# Solution 1: without moves the particles never leave their starting points; the weight is the
# plain importance weight pi~(x0)/N(x0; 0, I), whatever the number of temperatures.
for n_mcmc in (0, 2):
    out = samplers.ais(log_target_np, 2, 4000, 100, seed=8, n_mcmc=n_mcmc)
    print(f"n_mcmc = {n_mcmc}: log Z-hat - log Z = {out['log_z'] - LOG_Z:+.2f}, ESS = {out['ess']:.0f} of 4000")

# %% [markdown]
# **Exercise 2 (on paper). Path weights are unbiased.** Show that for any parameters $\theta$ and any
# number of steps $K$, $\mathbb E_{p^\theta_{0:K}}[\tilde\pi_{0:K}/p^\theta_{0:K}] = Z$, and deduce
# $\mathrm{KL}(p^\theta_{0:K}\|\pi_{0:K}) = \log Z - \mathbb E\log w$. Then use the chain rule of the KL
# to show $\mathrm{KL}(p^\theta_0\|\pi)\le\mathrm{KL}(p^\theta_{0:K}\|\pi_{0:K})$.

# %% [markdown]
# **Exercise 3. A nonlinear flow.** For $v(x) = -x^3$ in one dimension the flow is
# $x_t = x_0/\sqrt{1+2tx_0^2}$. Derive $\log p_t(x_t) = \log p_0(x_0) + \frac32\log(1+2tx_0^2)$ from the
# change of variables, and check it with `integrate_log_density` for $p_0 = \mathcal N(0,1)$ and $t=1$.

# %% tags=["solution"]
# Solution 3: dx_t/dx_0 = (1 + 2 t x0^2)^(-3/2), so log p_t(x_t) = log p_0(x_0) - log|dx_t/dx_0|;
# along the flow -div v = 3 x_t^2 and its time integral is the same (3/2) log(1 + 2 t x0^2).
x0_1d = rng.standard_normal((500, 1))
logp0_1d = -0.5 * x0_1d[:, 0] ** 2 - 0.5 * math.log(2 * math.pi)
x1_1d, logp1_1d = integrate_log_density(lambda x: -(x**3), x0_1d, logp0_1d, 1.0, 200)
exact_1d = logp0_1d + 1.5 * np.log(1 + 2 * x0_1d[:, 0] ** 2)
print(f"max |x_t - x0/sqrt(1+2t x0^2)| < 1e-6: {np.abs(x1_1d - x0_1d / np.sqrt(1 + 2 * x0_1d**2)).max() < 1e-6}")
print(f"max |log p_t (ODE) - exact| < 1e-6: {np.abs(logp1_1d - exact_1d).max() < 1e-6}")

# %% [markdown]
# ## References
# - R. M. Neal, *Annealed importance sampling*, Statistics and Computing 11, 125 (2001).
# - L. Kish, *Survey Sampling*, Wiley (1965) (effective sample size).
# - Q. Zhang, Y. Chen, *Path integral sampler: a stochastic control approach for sampling*, ICLR (2022).
# - F. Vargas, W. Grathwohl, A. Doucet, *Denoising diffusion samplers*, ICLR (2023).
# - D. Blessing, X. Jia, J. Esslinger, F. Vargas, G. Neumann, *Beyond ELBOs: a large-scale evaluation of
#   variational methods for sampling*, ICML (2024), arXiv:2406.07423.
# - R. T. Q. Chen, Y. Rubanova, J. Bettencourt, D. Duvenaud, *Neural ordinary differential equations*,
#   NeurIPS (2018) (instantaneous change of variables).
# - L. Dinh, J. Sohl-Dickstein, S. Bengio, *Density estimation using Real NVP*, ICLR (2017).
