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
# # 12 · Stochastic differential equations and the Fokker-Planck equation
#
# Diffusion models generate data by running a noisy dynamics backwards in time. To follow
# them we need three tools from stochastic calculus: how to simulate an SDE (and how
# accurate that is), how the *law* of its solution evolves (the Fokker-Planck equation),
# and one SDE we can solve exactly, the Ornstein-Uhlenbeck process, which turns any data
# into Gaussian noise. We end by reversing that process with the exact score and watching
# noise flow back into a bimodal data law.
#
# **Learning goals**
# - see why Brownian increments scale as $\sqrt{h}$, from the limit of a random walk;
# - simulate $dX_t = \mu_t(X_t)\,dt + \sigma_t(X_t)\,dW_t$ with Euler-Maruyama, for many paths at once;
# - check the Fokker-Planck equation by comparing a histogram of paths with a PDE solution;
# - use the exact Gaussian solution of the Ornstein-Uhlenbeck process and its stationary law;
# - measure the strong and weak convergence orders of Euler-Maruyama (and why additive
#   noise gives strong order 1, not 1/2);
# - run the reverse-time SDE from noise back to data with the exact score.
#
# *Source:* recitation notes, section 10 "Review of stochastic differential equations"
# in *Machine Learning for Physicists: Recitation Notes* (C. Miyamoto); M. Mézard's lectures (Langevin, Fokker-Planck,
# Ornstein-Uhlenbeck, backward process) and S. Mallat's (OU solution, reverse-time SDE) in
# *Lecture Notes from Beg Rohu 2025* (C. Miyamoto).

# %%
import matplotlib.pyplot as plt
import numpy as np

import course_utils as cu
from course_utils import denoise, sde

rng = cu.setup(seed=0)

# %% [markdown]
# ## 1. Brownian motion as the limit of a random walk
#
# A pollen grain is kicked at every time step $h$ by an independent random displacement.
# Give the kick a size $h^\alpha$, $X_{t+h} = X_t + h^\alpha z_t$ with $z_t\sim N(0,1)$ i.i.d.,
# and unroll the recursion from $X_0 = 0$ over $t/h$ steps:
#
# $$X_t = h^\alpha \sum_{n=1}^{t/h} z_{t-nh} \sim N\big(0,\; h^{2\alpha-1}\,t\big).$$
#
# As $h\to 0$ the variance vanishes for $\alpha > 1/2$ and blows up for $\alpha < 1/2$.
# Only $\alpha = 1/2$ has a limit that does not depend on the discretisation: the random
# increment over a time $h$ is of size $\sqrt{h}$, not $h$. The same holds for *any*
# i.i.d. kicks of finite variance, such as coin flips $\pm\sqrt h$ (central limit theorem).

# %%
t_end, n_walkers = 1.0, 4000
hs = 2.0 ** -np.arange(2, 11)
alphas = [0.4, 0.5, 0.6]
walk_var = {a: [] for a in alphas}
for h in hs:
    n_steps = int(round(t_end / h))
    z = rng.standard_normal((n_walkers, n_steps))
    for a in alphas:
        walk_var[a].append((h**a * z.sum(axis=1)).var())
coin = np.sqrt(hs[-1]) * rng.choice([-1.0, 1.0], size=(n_walkers, int(t_end / hs[-1]))).sum(axis=1)

fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
for a in alphas:
    axes[0].loglog(hs, walk_var[a], "o", label=rf"$\alpha={a}$")
    axes[0].loglog(hs, hs ** (2 * a - 1) * t_end, "k:", lw=1)
cu.plotting.label(axes[0], "time step $h$", r"Var$(X_{t=1})$", r"only $\alpha=1/2$ has a limit (dotted: $h^{2\alpha-1}t$)")
axes[0].legend()
grid = np.linspace(-4, 4, 200)
axes[1].hist(coin, bins=41, density=True, alpha=0.6, label=r"coin flips $\pm\sqrt{h}$, $h=2^{-10}$")
axes[1].plot(grid, np.exp(-grid**2 / 2) / np.sqrt(2 * np.pi), "k", label="$N(0, t)$, $t=1$")
cu.plotting.label(axes[1], "$X_{t=1}$", "density", "the limit is Gaussian whatever the kicks")
axes[1].legend()
plt.show()

# %%
# Check: with alpha = 1/2 the variance at t = 1 is 1 at every h. The sample variance of
# 4000 walkers has relative standard error sqrt(2/4000) = 2.2%: allow 10% (4.5 sigma).
v_half = np.array(walk_var[0.5])
print("Var(X_1), alpha = 1/2, over h:", np.round(v_half, 2))
print(f"Var(X_1) of the coin-flip walk: {coin.var():.2f}")
assert np.all(np.abs(v_half - 1.0) < 0.1) and abs(coin.var() - 1.0) < 0.1

# %% [markdown]
# The limit object is **Brownian motion** $(W_t)_{t\ge0}$: $W_0 = 0$, increments
# $W_t - W_s \sim N(0, (t-s)\,I)$ for $s\le t$, independent over disjoint intervals. A
# consequence we can test is its covariance,
#
# $$\mathbb{E}[W_s W_t] = \min(s, t).$$

# %%
bm = sde.brownian_motion(5000, (0.0, 1.0, 500), seed=1)
t_bm, W = bm["t"], bm["W"]
fig, ax = plt.subplots(figsize=(6, 3.6))
ax.plot(t_bm, W[:, :8], lw=0.8)
ax.plot(t_bm, 2 * np.sqrt(t_bm), "k--", label=r"$\pm 2\sqrt{t}$")
ax.plot(t_bm, -2 * np.sqrt(t_bm), "k--")
cu.plotting.label(ax, "time $t$", "$W_t$", "Brownian paths")
ax.legend()
plt.show()

# %%
# Check: E[W_s W_t] = min(s, t) at s = 0.3, t = 0.8. Standard error of the estimate from
# 5000 paths is sqrt((s t + s^2)/5000) = 0.0079: allow 0.035 (4.4 sigma).
i_s, i_t = 150, 400
cov_st = (W[i_s] * W[i_t]).mean()
print(f"E[W_s W_t] simulated {cov_st:.3f}   min(s, t) = {min(t_bm[i_s], t_bm[i_t]):.3f}")
assert abs(cov_st - 0.3) < 0.035

# %% [markdown]
# ## 2. Euler-Maruyama and the Fokker-Planck equation
#
# An ODE step is $X_{t+h} = X_t + h\,\mu_t(X_t) + O(h^2)$. With random forcing we add the
# Brownian increment, of size $\sqrt h$, scaled by the noise amplitude $\sigma_t$:
#
# $$X_{t+h} = X_t + h\,\mu_t(X_t) + \sigma_t(X_t)\,(W_{t+h}-W_t),\qquad
# \text{shorthand } dX_t = \mu_t(X_t)\,dt + \sigma_t(X_t)\,dW_t .$$
#
# This is the **Euler-Maruyama** scheme; `sde.euler_maruyama` advances a whole batch of
# paths at once. The law $p_t$ of $X_t$ obeys the **Fokker-Planck equation** (derived in the
# notes by testing $\mathbb{E} f(X_{t+h}) - \mathbb{E}f(X_t)$ against a smooth $f$):
#
# $$\partial_t p_t(x) = -\nabla\cdot\big(\mu_t\,p_t\big) + \tfrac12\,\Delta\big(\sigma_t^2\,p_t\big).$$
#
# We test it on Langevin dynamics in a double well, $\mu = -V'(x)$, $\sigma = \sqrt2$, with
# $V(x) = x^4/4 - x^2$ (Mezard's convention: temperature 1, so the stationary law is
# $e^{-V}/Z$). All paths start near the barrier top $x_0=0.3$ and must split into the two
# wells. `sde.fokker_planck_1d` solves the PDE with a conservative Crank-Nicolson scheme.

# %%
def V(x):
    return x**4 / 4 - x**2


def mu_dw(x, t):
    return x * (2.0 - x * x)  # -V'(x) = -x^3 + 2x


sigma_dw = np.sqrt(2.0)
snap_times = np.array([0.0, 0.5, 1.5, 4.0])
n_paths, h_em = 20000, 0.004  # h_em = 0.001 for class: the EM bias on the histogram shrinks 4x

x_paths = np.full(n_paths, 0.3)
hist_at = {0.0: x_paths.copy()}
for k, (ta, tb) in enumerate(zip(snap_times[:-1], snap_times[1:], strict=True)):
    n_seg = int(round((tb - ta) / h_em))
    x_paths = sde.euler_maruyama(mu_dw, sigma_dw, x_paths, (ta, tb, n_seg), seed=10 + k, return_path=False)["x"]
    hist_at[tb] = x_paths.copy()

x_fp = np.linspace(-4.0, 4.0, 401)
s0 = 0.05  # the PDE starts from a narrow Gaussian standing in for the point mass at x0
p_start = np.exp(-((x_fp - 0.3) ** 2) / (2 * s0**2)) / np.sqrt(2 * np.pi * s0**2)
t_fp = np.linspace(0.0, 4.0, 801)
fp = sde.fokker_planck_1d(mu_dw, sigma_dw, p_start, x_fp, t_fp)

# %%
boltzmann = np.exp(-V(x_fp))
boltzmann /= boltzmann.sum() * (x_fp[1] - x_fp[0])
edges = np.linspace(-3.0, 3.0, 61)
fig, axes = plt.subplots(1, 3, figsize=(12, 3.4), sharey=True)
for ax, t in zip(axes, snap_times[1:], strict=True):
    ax.hist(hist_at[t], bins=edges, density=True, alpha=0.5, label=f"EM, {n_paths} paths")
    ax.plot(x_fp, fp["p"][np.searchsorted(t_fp, t)], "k", label="Fokker-Planck")
    ax.plot(x_fp, boltzmann, "r:", label="$e^{-V}/Z$")
    cu.plotting.label(ax, "$x$", "$p_t(x)$" if t == snap_times[1] else "", f"$t = {t}$")
axes[0].legend(loc="upper left", fontsize="small")
plt.show()

# %%
# Check: histogram of the paths against the PDE at t = 4, by the L1 distance and by <x^2>.
# Sampling noise alone gives an L1 distance of ~0.04 for 20000 paths in 60 bins of width
# 0.1 (sum over bins of sqrt(2 p dx / (pi N))); the EM bias at h = 0.004 adds ~0.01.
# <x^2> has standard error std(x^2)/sqrt(N) = 0.013.
counts, _ = np.histogram(hist_at[4.0], bins=edges)
dens_em = counts / (n_paths * np.diff(edges))
centres = 0.5 * (edges[1:] + edges[:-1])
p_fp4 = np.interp(centres, x_fp, fp["p"][-1])
l1 = np.abs(dens_em - p_fp4).sum() * np.diff(edges)[0]
dx_fp = x_fp[1] - x_fp[0]
x2_fp = (x_fp**2 * fp["p"][-1]).sum() * dx_fp
x2_em = (hist_at[4.0] ** 2).mean()
print(f"L1 distance histogram vs PDE at t = 4: {l1:.3f}")
print(f"<x^2> at t = 4: paths {x2_em:.3f}   Fokker-Planck {x2_fp:.3f}   Boltzmann {(x_fp**2 * boltzmann).sum() * dx_fp:.3f}")
print(f"PDE mass conserved: {fp['p'][-1].sum() * dx_fp:.6f}")
assert l1 < 0.08
assert abs(x2_em - x2_fp) < 0.05

# %% [markdown]
# At $t=4$ the law is already close to the stationary $e^{-V}/Z$: setting $\partial_t p = 0$
# with zero flux gives $\sigma^2 p'/2 = \mu p = -V' p$, i.e. $p\propto e^{-V}$ for $\sigma^2 = 2$.
#
# ## 3. The Ornstein-Uhlenbeck process, solved exactly
#
# With a linear restoring force, $dx_t = -\kappa x_t\,dt + \sigma\,dW_t$. The change of
# variable $y_t = e^{\kappa t} x_t$ removes the drift, $dy_t = e^{\kappa t}\sigma\,dW_t$, a sum
# of independent Gaussian increments with variance $\sigma^2\int_0^t e^{2\kappa s}ds$. Hence
#
# $$x_t = e^{-\kappa t} x_0 + \sigma\sqrt{\frac{1-e^{-2\kappa t}}{2\kappa}}\;z,\qquad z\sim N(0,1),$$
#
# and $x_t \to N\big(0, \sigma^2/(2\kappa)\big)$ as $t\to\infty$ whatever $x_0$: the process forgets
# its start at rate $\kappa$. Mezard's choice $\kappa = 1$, $\sigma=\sqrt2$ has the stationary law
# $N(0,1)$ and $x_t = e^{-t}x_0 + \sqrt{\Delta_t}\,z$ with $\Delta_t = 1-e^{-2t}$.

# %%
kappa, sigma_ou, x0_ou = 1.0, np.sqrt(2.0), 2.0
h_ou, T_ou = 0.01, 3.0
ou = sde.euler_maruyama(lambda x, t: -kappa * x, sigma_ou, np.full(20000, x0_ou), (0.0, T_ou, int(T_ou / h_ou)), seed=2)
mean_th, var_th = sde.ou_marginal(x0_ou, ou["t"], kappa, sigma_ou)

fig, ax = plt.subplots(figsize=(6.4, 3.8))
ax.plot(ou["t"], ou["x"][:, :30], lw=0.5, color="C0", alpha=0.5)
ax.plot(ou["t"], mean_th, "k", label=r"$e^{-\kappa t}x_0$")
ax.plot(ou["t"], mean_th + 2 * np.sqrt(var_th), "k--", label=r"$\pm 2$ std, closed form")
ax.plot(ou["t"], mean_th - 2 * np.sqrt(var_th), "k--")
cu.plotting.label(ax, "time $t$", "$x_t$", r"Ornstein-Uhlenbeck, $\kappa=1$, $\sigma=\sqrt{2}$")
ax.legend()
plt.show()

# %% [markdown]
# The scheme itself can be solved too. With $a = 1-\kappa h$ the EM chain is
# $x_{n+1} = a\,x_n + \sigma\sqrt h\,z_n$, so after $n$ steps it has mean $a^n x_0$ and variance
# $\sigma^2 h\,(1-a^{2n})/(1-a^2)$ (`sde.ou_em_moments`). Its stationary variance
# $\sigma^2/(2\kappa - \kappa^2 h)$ is off by a relative $\kappa h/2$: this is the $O(h)$ bias.

# %%
# Check: simulated OU moments against the closed form at t = 0.5, 1, 3.
# Standard errors from 20000 paths: sqrt(var/N) <= 0.007 (mean), var sqrt(2/N) <= 0.01 (variance).
# The EM bias (exact, from ou_em_moments) is < 0.01 here, so a tolerance of 0.04 covers 4 sigma + bias.
for t_check in (0.5, 1.0, 3.0):
    n = int(round(t_check / h_ou))
    m_em, v_em = sde.ou_em_moments(x0_ou, kappa, sigma_ou, h_ou, n)
    m_sim, v_sim = ou["x"][n].mean(), ou["x"][n].var()
    m_ex, v_ex = sde.ou_marginal(x0_ou, t_check, kappa, sigma_ou)
    print(f"t = {t_check}: mean sim {m_sim:.3f}  exact {m_ex:.3f}  (EM chain {m_em:.3f}) | "
          f"var sim {v_sim:.3f}  exact {v_ex:.3f}  (EM chain {v_em:.3f})")
    assert abs(m_sim - m_ex) < 0.04 and abs(v_sim - v_ex) < 0.04
print(f"stationary variance: exact sigma^2/(2 kappa) = {sigma_ou**2 / (2 * kappa):.3f}, "
      f"EM at h = {h_ou}: {sigma_ou**2 / (2 * kappa - kappa**2 * h_ou):.4f}")

# %% [markdown]
# ## 4. How accurate is Euler-Maruyama? Strong and weak orders
#
# Two questions, two answers. The **strong error** $\mathbb{E}|X^h_T - X_T|$ compares paths
# driven by the *same* Brownian motion; the **weak error** $|\mathbb{E}f(X^h_T) - \mathbb{E}f(X_T)|$
# only compares laws. For a generic SDE Euler-Maruyama has strong order $1/2$ and weak
# order $1$. The strong order $1/2$ comes from the term $\tfrac12\sigma\sigma'\big((\Delta W)^2 - h\big)$
# that the scheme drops (the Milstein correction): it is of size $h$ per step and random,
# so it adds up like $\sqrt{h}$. With **additive noise**, $\sigma' = 0$, that term is absent and
# the strong order becomes $1$, as for OU. To see order $1/2$ we use multiplicative noise,
# geometric Brownian motion $dX = \lambda X\,dt + \sigma X\,dW$, whose pathwise solution is
#
# $$X_T = X_0 \exp\big((\lambda-\tfrac12\sigma^2)T + \sigma W_T\big).$$
#
# For each $h = T/n$ the coarse Brownian increments are sums of the same fine ones
# (`sde.em_strong_error`); the OU reference is EM at an 8 times finer step. The weak error of
# the OU variance, $\mathbb{E}[(X^h_1)^2] - (1 - e^{-2})$ from $X_0 = 0$, is measured by simulating
# $10^6$ EM paths for $h = 1/4\dots1/32$ (all driven by the same fine increments), and compared
# with the exact variance of the EM chain, $\sigma^2h\,(1-a^{2n})/(1-a^2)$ with $a = 1-\kappa h$.

# %%
lam, sig_gbm = 1.0, 0.5
n_list = [8, 16, 32, 64, 128, 256]
strong_gbm = sde.em_strong_error(lambda x, t: lam * x, lambda x, t: sig_gbm * x, 1.0, 1.0, n_list, n_paths=2000,
                                 seed=3, exact=lambda x0, W: x0 * np.exp((lam - sig_gbm**2 / 2) + sig_gbm * W))
strong_ou = sde.em_strong_error(lambda x, t: -x, np.sqrt(2.0), 1.0, 1.0, n_list, n_paths=2000, seed=4, refine=8)
h_list = 1.0 / np.array(n_list)

# weak error by simulation: EM for dX = -X dt + sqrt(2) dW, X_0 = 0, coarse increments summed from fine ones
n_weak, n_paths_weak = np.array([4, 8, 16, 32]), 1_000_000
weak_rng = cu.make_rng(5)
x_weak, dW_weak = np.zeros((n_weak.size, n_paths_weak)), np.zeros((n_weak.size, n_paths_weak))
for k in range(n_weak.max()):
    dW_weak += weak_rng.standard_normal(n_paths_weak) / np.sqrt(n_weak.max())
    for i, n in enumerate(n_weak):
        if (k + 1) % (n_weak.max() // n) == 0:  # end of a coarse step of size 1/n
            x_weak[i] += -x_weak[i] / n + np.sqrt(2.0) * dW_weak[i]
            dW_weak[i] = 0.0
var_sim = np.mean(x_weak**2, axis=1)
var_se = np.std(x_weak**2, axis=1) / np.sqrt(n_paths_weak)
var_exact = sde.ou_marginal(0.0, 1.0)[1]
var_em = np.array([sde.ou_em_moments(0.0, 1.0, np.sqrt(2.0), 1.0 / n, n)[1] for n in n_weak])
weak_ou = var_sim - var_exact
orders = {
    "strong, GBM (multiplicative)": sde.convergence_order(strong_gbm["h"], strong_gbm["error"]),
    "strong, OU (additive)": sde.convergence_order(strong_ou["h"], strong_ou["error"]),
    "weak, OU variance": sde.convergence_order(1.0 / n_weak, weak_ou),
}

fig, ax = plt.subplots(figsize=(6, 4))
for (name, p), err, mk in zip(list(orders.items())[:2], (strong_gbm["error"], strong_ou["error"]), "os", strict=True):
    ax.loglog(h_list, err, mk + "-", label=f"{name}: slope {p:.2f}")
ax.errorbar(1.0 / n_weak, weak_ou, yerr=2 * var_se, fmt="d", color="C2",
            label=f"weak, OU variance (simulated): slope {orders['weak, OU variance']:.2f}")
ax.loglog(1.0 / n_weak, var_em - var_exact, "-", color="C2", lw=1, label="weak, exact EM variance")
ax.loglog(h_list, 0.6 * h_list**0.5, "k:", lw=1, label=r"$h^{1/2}$, $h^{1}$")
ax.loglog(h_list, 0.4 * h_list, "k:", lw=1)
cu.plotting.label(ax, "step $h$", "error at $T=1$", "Euler-Maruyama convergence")
ax.legend(fontsize="small")
plt.show()

# %%
# Check: fitted orders. Monte Carlo errors of the strong errors are < 4% (2000 paths), which
# moves a slope fitted over a factor 32 in h by < 0.03; higher-order terms bend the GBM curve
# at large h (slope 0.5-0.6), so we allow +-0.15.
# Weak order: the simulated E[X_1^2] agrees with the exact EM variance at every h within 4 standard
# errors (SE ~ 0.0013 from the 1e6 paths); the exact OU variance 1 - e^{-2} (no weak error) misses it
# at h = 1/32 by 0.019, ~ 14 SE. The slope of the simulated weak errors is 1.03-1.08 over seeds 0-6
# (1.06 for the exact EM variance, with curvature at h = 1/4; with 4e5 paths it reached 1.15 for one
# seed); weak order 1/2, the strong order of generic SDEs, is > 20 spreads away: allow 1 +- 0.15.
for name, p in orders.items():
    print(f"{name:30s} order {p:.2f}")
print("simulated E[X_1^2] - exact EM variance, in standard errors:", np.round((var_sim - var_em) / var_se, 1))
assert abs(orders["strong, GBM (multiplicative)"] - 0.5) < 0.15
assert abs(orders["strong, OU (additive)"] - 1.0) < 0.15
assert np.all(np.abs(var_sim - var_em) < 4 * var_se)
assert abs(orders["weak, OU variance"] - 1.0) < 0.15

# %% [markdown]
# ## 5. Running time backwards: from noise to data
#
# Start from data $x_0\sim p_0$ and run OU ($\kappa = 1$, $\sigma = \sqrt2$) to a time $T$ where
# $p_T \approx N(0, 1)$. Write $\tau = T - t$ for the reverse time and $q_\tau = p_{T-\tau}$.
# Time-reversing the Fokker-Planck equation gives an anti-diffusion, unstable as it stands;
# the identity $\Delta q = \nabla\cdot(q\,\nabla\log q)$ lets us trade it for a drift along
# the score and add back any amount $\alpha\ge 0$ of genuine diffusion. In general
# ($\kappa$, $\sigma$):
#
# $$dy_\tau = \Big[\kappa\,y_\tau + \frac{1+\alpha}{2}\,\sigma^2\,\nabla\log p_{T-\tau}(y_\tau)\Big]d\tau
# + \sqrt{\alpha}\,\sigma\,dW_\tau,$$
#
# which for $\kappa=1$, $\sigma = \sqrt2$ is the notes' $dy = [y + (1+\alpha)\nabla\log q]\,d\tau + \sqrt{2\alpha}\,dW$.
# $\alpha = 1$ is the standard reverse SDE, $\alpha = 0$ the deterministic probability-flow ODE.
#
# For a Gaussian mixture $p_0 = \sum_k w_k N(\mu_k, s_k^2)$ the score is exact: $p_t$ is the
# mixture with means $e^{-t}\mu_k$ and widths $e^{-t}s_k$, blurred by $N(0,\Delta_t)$
# (`sde.ou_gmm_score`, which calls `denoise.gmm_score`; lecture 13 derives it). Our data law
# is bimodal and lopsided, weights $0.3$ and $0.7$ at $\mu = \mp 2$, $s = 0.3$.

# %%
w_data, mu_data, s_data = np.array([0.3, 0.7]), np.array([[-2.0], [2.0]]), np.array([0.3, 0.3])
T_rev, n_rev = 5.0, 500  # n_rev = 2000 for class: the O(h) widening of the modes disappears


def exact_score(x, t):
    return sde.ou_gmm_score(x, t, w_data, mu_data, s_data)


noise = rng.standard_normal((4000, 1))
samples = {a: sde.ou_reverse_sde(exact_score, noise, T_rev, n_rev, alpha=a, seed=5)["x"][:, 0] for a in (1.0, 0.0)}
x_plot = np.linspace(-4, 4, 400)
p_data = np.exp(denoise.gmm_log_density(x_plot[:, None], w_data, mu_data, s_data, 1e-3))  # sigma -> 0: p_0 itself

# %%
fig, ax = plt.subplots(figsize=(6.4, 3.8))
ax.hist(noise[:, 0], bins=60, density=True, alpha=0.3, color="gray", label="start: $N(0,1)$")
for a, c in ((1.0, "C0"), (0.0, "C1")):
    ax.hist(samples[a], bins=80, density=True, alpha=0.5, color=c, label=rf"reverse, $\alpha={a:.0f}$")
ax.plot(x_plot, p_data, "k", lw=1, label="data law $p_0$")
cu.plotting.label(ax, "$x$", "density", f"reverse-time OU from $T={T_rev}$ with the exact score")
ax.legend(fontsize="small")
plt.show()

# %%
# Check: the reverse dynamics lands on the data law. The weight of the right mode has
# standard error sqrt(0.21/4000) = 0.007: allow 0.03; each mode's mean has standard error
# 0.3/sqrt(1200) = 0.009 plus O(h) bias: allow 0.05; the modes' width is widened by
# the O(h) Euler bias (h = 0.01) and by t_min: allow 15%.
for a, x in samples.items():
    right = x > 0
    print(f"alpha = {a:.0f}: weight of right mode {right.mean():.3f} (0.7),  means {x[~right].mean():.2f}, "
          f"{x[right].mean():.2f} (-2, 2),  widths {x[~right].std():.2f}, {x[right].std():.2f} (0.3)")
    assert abs(right.mean() - 0.7) < 0.03
    assert abs(x[right].mean() - 2) < 0.05 and abs(x[~right].mean() + 2) < 0.05
    assert abs(x[right].std() / 0.3 - 1) < 0.15 and abs(x[~right].std() / 0.3 - 1) < 0.15

# %% [markdown]
# ## 6. Live: the reverse process step by step
#
# The function below draws reverse-time trajectories and the final histogram. Try fewer
# steps (the Euler bias widens the modes), $\alpha = 0$ (smooth deterministic paths) versus
# large $\alpha$ (more noise, more correction), or a short horizon $T$ (the start $N(0,1)$ is
# then the wrong law, and the weights come out wrong). The step slider stops at 500, the
# number of steps of section 5, so that a redraw takes under a second; there, at $T = 5$, the
# Euler bias already kept the modes' widths within the 15 % of $0.3$ that its check allows.

# %%
def plot_reverse(alpha=1.0, n_steps=200, T=5.0):
    y0 = cu.make_rng(6).standard_normal((2000, 1))
    run = sde.ou_reverse_sde(exact_score, y0, T, n_steps, alpha=alpha, seed=7, return_path=True)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), gridspec_kw={"width_ratios": [1.6, 1]})
    axes[0].plot(run["t"], run["x"][:, :40, 0], lw=0.6)
    axes[0].invert_xaxis()
    cu.plotting.label(axes[0], "forward time $t$ (runs right to left)", "$y$", rf"$\alpha={alpha:.1f}$, {n_steps} steps")
    final = run["x"][-1, :, 0]
    axes[1].hist(final, bins=60, density=True, alpha=0.6, orientation="horizontal")
    axes[1].plot(p_data, x_plot, "k", lw=1)
    cu.plotting.label(axes[1], "density", "$y$ at $t\\approx 0$", f"right-mode weight {np.mean(final > 0):.2f}")
    plt.show()


plot_reverse(alpha=1.0)

# %%
# NBVAL_IGNORE_OUTPUT
cu.plotting.live(plot_reverse, alpha=(0.0, 3.0, 0.25), n_steps=(20, 500, 20), T=(0.5, 8.0, 0.5))

# %% [markdown]
# ## Exercises
#
# Each exercise is followed by its solution, folded on the book site and left out of the student edition.

# %% [markdown]
# **Exercise 1. Milstein.** Add the correction $\tfrac12\sigma\sigma'\big((\Delta W)^2-h\big)$ to the
# Euler-Maruyama step for geometric Brownian motion and measure its strong order.

# %% tags=["solution"]
# Solution 1: Milstein for dX = lam X dt + sig X dW adds 0.5 sig^2 X ((dW)^2 - h); same Brownian paths.
def milstein_strong_error(n_list, n_paths=2000, seed=3):
    n_fine = max(n_list)
    dW = np.sqrt(1.0 / n_fine) * cu.make_rng(seed).standard_normal((n_fine, n_paths))
    exact = np.exp((lam - sig_gbm**2 / 2) + sig_gbm * dW.sum(axis=0))
    errs = []
    for n in n_list:
        dWc = dW.reshape(n, n_fine // n, n_paths).sum(axis=1)
        h, x = 1.0 / n, np.ones(n_paths)
        for k in range(n):
            x = x + lam * x * h + sig_gbm * x * dWc[k] + 0.5 * sig_gbm**2 * x * (dWc[k] ** 2 - h)
        errs.append(np.abs(x - exact).mean())
    return np.array(errs)


err_mil = milstein_strong_error(n_list)
print(f"Milstein strong order on GBM: {sde.convergence_order(h_list, err_mil):.2f}")

# %% [markdown]
# **Exercise 2. Stationary law of the scheme.** Using `sde.ou_em_moments`, find the step $h$ at which
# the Euler-Maruyama OU chain overestimates the stationary variance by 5%, and check it
# against the formula $\sigma^2/(2\kappa-\kappa^2 h)$.

# %% tags=["solution"]
# Solution 2: sigma^2/(2 kappa - kappa^2 h) = 1.05 sigma^2/(2 kappa)  <=>  kappa h / 2 = 1 - 1/1.05.
h5 = 2 * (1 - 1 / 1.05) / kappa
v_chain = sde.ou_em_moments(0.0, kappa, sigma_ou, h5, 10_000)[1]
print(f"h = {h5:.4f}: EM stationary variance {v_chain:.4f} vs exact {sigma_ou**2 / (2 * kappa):.4f}")

# %% [markdown]
# **Exercise 3. A short horizon.** Run the reverse SDE from $N(0,1)$ with $T = 0.5$ instead of $5$.
# What is the weight of the right mode, and why? What should the starting law be?

# %% tags=["solution"]
# Solution 3: at T = 0.5 the forward law p_T is still bimodal, far from N(0, 1). Starting the
# reverse process from N(0, 1) puts the walkers on the wrong side in the wrong proportion: the
# weights are not recovered. Starting from samples of p_T (forward-noised data) fixes it.
short = sde.ou_reverse_sde(exact_score, noise, 0.5, 100, seed=8)["x"][:, 0]
data = denoise.gmm_sample(4000, w_data, mu_data, s_data, seed=9)
m_T, v_T = sde.ou_marginal(data, 0.5)
start_T = m_T + np.sqrt(v_T) * rng.standard_normal(m_T.shape)
fixed = sde.ou_reverse_sde(exact_score, start_T, 0.5, 100, seed=8)["x"][:, 0]
print(f"right-mode weight: from N(0,1) {np.mean(short > 0):.2f},  from p_T {np.mean(fixed > 0):.2f} (target 0.7)")

# %% [markdown]
# ## References
# - N. G. van Kampen, *Stochastic Processes in Physics and Chemistry*, North-Holland (2007):
#   Fokker-Planck and Ornstein-Uhlenbeck.
# - P. E. Kloeden, E. Platen, *Numerical Solution of Stochastic Differential Equations*,
#   Springer (1992): strong and weak orders, Milstein's scheme.
# - D. J. Higham, *An algorithmic introduction to numerical simulation of stochastic
#   differential equations*, SIAM Review 43, 525 (2001).
# - B. D. O. Anderson, *Reverse-time diffusion equation models*, Stoch. Proc. Appl. 12, 313 (1982).
# - Y. Song et al., *Score-based generative modeling through stochastic differential
#   equations*, ICLR (2021).
