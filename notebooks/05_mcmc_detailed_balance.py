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
# # 05 · Markov chain Monte Carlo and detailed balance
#
# An energy-based model writes a probability as $p(x) = e^{-f(x)/T}/Z$, with a partition
# function $Z$ we can almost never compute. Yet we can still *sample* from $p$: build a
# Markov chain whose stationary law is $p$, run it, and average along the way. This
# lecture builds such chains, proves why they work, measures how they fail, and checks
# everything against exact results, ending with the 2-D Ising model against Onsager.
#
# **Learning goals**
# - state detailed balance and show that it implies stationarity (and that the converse fails);
# - build Metropolis-Hastings and Langevin samplers, and see the step-size bias of
#   unadjusted Langevin and how a Metropolis correction removes it;
# - use the variational principle $F = \min_q \{\mathbb{E}_q f - T H(q)\}$ on a system
#   small enough to enumerate, and read mean-field theory as a restricted minimisation;
# - simulate the 2-D Ising model with vectorised checkerboard updates and compare with
#   exact enumeration and Onsager's solution.
#
# *Source:* the course's handwritten notes on EBMs and MCMC (detailed balance,
# Metropolis-Hastings, Langevin, variational principle).

# %%
import matplotlib.pyplot as plt
import numpy as np
from scipy import integrate, special

import course_utils as cu
from course_utils import mcmc

rng = cu.setup(seed=0)

# %% [markdown]
# ## 1. Detailed balance on a small chain
#
# A Markov chain on a finite set moves with probabilities $P[x \to x']$ (rows of $P$ sum
# to one). A law $p$ is **stationary** if one step leaves it unchanged,
# $\sum_x p(x) P[x\to x'] = p(x')$. **Detailed balance** asks more: every pair of states
# exchanges equal probability flux,
#
# $$p(x)\,P[x\to x'] = p(x')\,P[x'\to x] \qquad \forall x, x'.$$
#
# Summing it over $x$ gives $\sum_x p(x) P[x\to x'] = p(x') \sum_x P[x'\to x] = p(x')$:
# detailed balance implies stationarity.
#
# **Metropolis-Hastings** with a symmetric proposal $D_{xx'}$ proposes $x'\sim D_{x\cdot}$ and
# accepts with probability $\min\{1, p(x')/p(x)\}$, so that for $x'\neq x$
#
# $$P[x\to x'] = D_{xx'}\min\Big\{1, \frac{p(x')}{p(x)}\Big\},\qquad
# p(x)P[x\to x'] = D_{xx'}\min\{p(x), p(x')\},$$
#
# which is symmetric in $x, x'$. Only the *ratio* $p(x')/p(x) = e^{-(f(x')-f(x))/T}$
# enters: $Z$ is never needed.

# %%
f_small = np.array([0.0, 1.0, 0.3, 2.0, 0.5, 1.5])  # energies of six states on a ring
T_small = 0.7
p_target = np.exp(-f_small / T_small)
p_target /= p_target.sum()

n_states = f_small.size
ring = np.zeros((n_states, n_states))
for x in range(n_states):  # propose a neighbour on the ring, left or right with probability 1/2
    ring[x, (x + 1) % n_states] = ring[x, (x - 1) % n_states] = 0.5

P_mh = mcmc.metropolis_matrix(np.exp(-f_small / T_small), ring)  # unnormalised p is enough
print("rows sum to one      :", np.allclose(P_mh.sum(axis=1), 1.0))
print("detailed balance holds to round-off:", mcmc.detailed_balance_violation(P_mh, p_target) < 1e-15)
print("p is stationary to round-off       :", np.abs(p_target @ P_mh - p_target).max() < 1e-15)

# %% [markdown]
# Stationarity does not imply detailed balance. A chain on a ring of three states that
# steps clockwise with probability $0.9$ and anticlockwise with probability $0.1$ keeps the
# uniform law stationary (every column of its matrix sums to one), yet the flux
# $x \to x+1$, $\tfrac13\cdot 0.9$, is nine times the flux back, $\tfrac13\cdot 0.1$:
# probability circulates. Such chains are valid samplers too, but detailed balance is the
# local condition we can check move by move.

# %%
clockwise = np.roll(np.eye(3), 1, axis=1)  # x -> x + 1 (mod 3)
drift = 0.9 * clockwise + 0.1 * clockwise.T
pi_drift = mcmc.stationary_distribution(drift)
flux = pi_drift[:, None] * drift  # flux[x, x'] = pi(x) P[x -> x']
print("stationary law of the drifting chain:", np.round(pi_drift, 4))
print("flux x -> x+1 over flux x+1 -> x    :", f"{flux[0, 1] / flux[1, 0]:.2f}")
print("its detailed-balance gap            :", f"{mcmc.detailed_balance_violation(drift, pi_drift):.3f}",
      "(= (0.9 - 0.1) / 3)")

# %% [markdown]
# Starting from a single state, the law after $t$ steps is $p_0 P^t$. Its total-variation
# distance to $p$ decays like $|\lambda_2|^t$, where $\lambda_2$ is the second-largest
# eigenvalue of $P$ in modulus: the **spectral gap** $1-|\lambda_2|$ sets the mixing time.

# %%
def tv_distance_curve(P, p, start, steps):
    """||p_0 P^t - p||_TV for t = 0..steps, from a point mass at `start`."""
    law = np.zeros_like(p)
    law[start] = 1.0
    out = []
    for _ in range(steps + 1):
        out.append(0.5 * np.abs(law - p).sum())
        law = law @ P
    return np.array(out)


steps = np.arange(81)
tv = tv_distance_curve(P_mh, p_target, start=3, steps=80)
lam2 = np.sort(np.abs(np.linalg.eigvals(P_mh)))[-2]

fig, ax = plt.subplots(figsize=(5.5, 3.5))
ax.semilogy(steps, tv, "o", ms=4, label="Metropolis chain, start in $x=3$")
ax.semilogy(steps, tv[40] * lam2 ** (steps - 40), "k--", label=rf"$\propto|\lambda_2|^t$, $|\lambda_2|={lam2:.3f}$")
cu.plotting.label(ax, "step $t$", r"$\|p_0P^t - p\|_{TV}$", "convergence to the stationary law")
ax.legend(loc="lower left")
plt.show()

# %%
# Check: stationarity and detailed balance hold to round-off, and the measured decay rate
# of the TV distance over steps 40..80 is |lambda_2| (the next mode, |lambda_3| = 0.83,
# contributes a relative correction ~ (0.83/0.89)^40 ~ 5%, i.e. ~2e-4 on the rate).
# The plausible wrong rate, the next eigenvalue |lambda_3| = 0.828 (measured), misses the
# measured 0.8935 by 0.065, 65 times the tolerance.
rate = (tv[80] / tv[40]) ** (1 / 40)
print(f"TV decay rate {rate:.4f}  vs  |lambda_2| = {lam2:.4f}")
assert mcmc.detailed_balance_violation(P_mh, p_target) < 1e-14
assert np.allclose(mcmc.stationary_distribution(P_mh), p_target, atol=1e-12)
assert abs(rate - lam2) < 1e-3

# %% [markdown]
# ## 2. Metropolis-Hastings in continuous space: a double well
#
# For $x\in\mathbb{R}^2$ take the double-well energy (temperature $T = 1$)
#
# $$f(x) = 2\,(x_1^2-1)^2 + \tfrac12 x_2^2,\qquad p(x)\propto e^{-f(x)}.$$
#
# The two wells at $x_1=\pm1$ are separated by a barrier of height $2$. The random-walk
# Metropolis sampler proposes $x' = x + \delta\,\xi$ with $\xi\sim N(0,I)$ and accepts with
# probability $\min\{1, e^{-(f(x')-f(x))}\}$. Many chains run at once as one array.

# %%
def f_well(x):
    return 2.0 * (x[:, 0] ** 2 - 1.0) ** 2 + 0.5 * x[:, 1] ** 2


def log_p_well(x):
    return -f_well(x)


def grad_log_p_well(x):
    return np.stack([-8.0 * x[:, 0] * (x[:, 0] ** 2 - 1.0), -x[:, 1]], axis=1)


# exact <x1^2> by quadrature: p(x1) ~ exp(-2 (x1^2 - 1)^2) and x2 ~ N(0, 1) independently
w1 = lambda u: np.exp(-2.0 * (u**2 - 1.0) ** 2)
Z1 = integrate.quad(w1, -4, 4)[0]
x1sq_exact = integrate.quad(lambda u: u**2 * w1(u), -4, 4)[0] / Z1
print(f"exact <x1^2> = {x1sq_exact:.4f}")

# %%
n_chains, n_steps, burn = 200, 2000, 200
x0 = rng.standard_normal((n_chains, 2))
step_sizes = [0.1, 0.5, 1.0, 2.0, 4.0]
rwm = {d: mcmc.random_walk_metropolis(log_p_well, x0, n_steps, step=d, seed=1) for d in step_sizes}
for d, out in rwm.items():
    x1sq = out["samples"][burn:, :, 0] ** 2
    print(f"step {d:4.1f}: acceptance {out['acceptance'].mean():.2f},  <x1^2> = {x1sq.mean():.3f}")

# %%
grid = np.linspace(-2.2, 2.2, 400)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
samples = rwm[1.0]["samples"][burn:]
axes[0].hist(samples[..., 0].ravel(), bins=80, density=True, alpha=0.6, label="Metropolis, step 1.0")
axes[0].plot(grid, w1(grid) / Z1, "k", label="exact marginal")
cu.plotting.label(axes[0], "$x_1$", "density", "marginal of the double well")
axes[0].set_ylim(0, 1.0)  # head room for the legend above the two peaks
axes[0].legend(loc="upper center", ncol=2, fontsize="small")
for d in (0.1, 1.0, 4.0):
    axes[1].plot(rwm[d]["samples"][:600, 0, 0], lw=0.8, label=f"step {d}")
cu.plotting.label(axes[1], "iteration", "$x_1$ of chain 0", "too small: slow; too large: stuck")
axes[1].set_ylim(-2.0, 2.6)  # head room for the legend above the traces
axes[1].legend(loc="upper center", ncol=3, fontsize="small")
plt.show()

# %% [markdown]
# A tiny step is almost always accepted but diffuses slowly and rarely crosses the
# barrier; a huge step is almost always rejected. Both are correct samplers in the limit
# of infinitely long runs: the difference is the **mixing time**, which is what the
# step size buys.
#
# ## 3. Langevin dynamics and its step-size bias
#
# The Langevin sampler of the notes follows the gradient of $\log p$ plus noise,
#
# $$X_{t+1} = X_t + \eta\,\nabla\log p(X_t) + \sqrt{2\eta}\,\xi_t,\qquad \xi_t\sim N(0,I),$$
#
# the Euler discretisation of the SDE $dX = -\nabla f\,dt + \sqrt2\,dB$ whose stationary
# law is exactly $p$. The discretisation is not exact: detailed balance holds only to
# leading order in $\eta$. For a Gaussian $p = N(0,\sigma^2)$ the chain is linear,
# $X' = (1-\eta/\sigma^2)X + \sqrt{2\eta}\,\xi$, and its stationary variance solves
# $v = (1-\eta/\sigma^2)^2 v + 2\eta$:
#
# $$v_\eta = \frac{\sigma^2}{1-\eta/(2\sigma^2)} = \sigma^2\big(1 + \tfrac{\eta}{2\sigma^2} + O(\eta^2)\big).$$
#
# Accepting each Langevin move with the Metropolis-Hastings ratio (MALA, which includes
# the asymmetric proposal density) restores exact detailed balance.

# %%
etas = np.array([0.05, 0.2, 0.5, 1.0])
gauss_x0 = np.zeros((4000, 1))
ula_var, ula_se = [], []
for eta in etas:
    s = mcmc.langevin(lambda x: -x, gauss_x0, 300, eta, seed=2)["samples"][100:]
    ula_var.append(s.var())
    per_chain = (s[..., 0] ** 2).mean(axis=0)  # each chain's time average of x^2 (the mean is 0)
    ula_se.append(per_chain.std(ddof=1) / np.sqrt(per_chain.size))  # chains are independent
ula_var, ula_se = np.array(ula_var), np.array(ula_se)
theory_var = mcmc.ula_gaussian_variance(1.0, etas)
for eta, sim, th in zip(etas, ula_var, theory_var):
    print(f"eta = {eta:4.2f}: ULA variance {sim:.3f}   closed form {th:.3f}")

# %%
# Check: ULA's stationary variance on N(0, 1) follows sigma^2 / (1 - eta / 2), within 4
# standard errors at every eta. The error is computed: the 4000 chains are independent, so
# the standard error of the mean over chains of each chain's time average of x^2 (200
# correlated steps) already contains the autocorrelation; measured 0.007 at eta = 0.05
# (correlation time ~ 1/(2 eta) = 10 steps) down to 0.003 at eta = 1, and the simulation
# lies within 1.1 of them. Wrong laws fail by far: the linearised 1 + eta / 2 gives 1.5 at
# eta = 1 (measured 1.998, 157 standard errors off), and forgetting the 1/2, 1 / (1 - eta),
# gives 2.0 already at eta = 0.5 (measured 1.332, 246 standard errors off).
z_ula = (ula_var - theory_var) / ula_se
print("(sim - closed form) / s.e.:", np.round(z_ula, 1), "  all within 4:", bool(np.all(np.abs(z_ula) < 4)))
assert np.all(np.abs(z_ula) < 4)

# %% [markdown]
# On the double well the bias is not available in closed form, but quadrature gives the
# exact $\langle x_1^2\rangle$. We start the chains from equilibrated random-walk
# Metropolis samples, so that only the stationary bias of each sampler is measured. The
# unadjusted chain misses $\langle x_1^2\rangle$ by an amount that grows with $\eta$, linearly at
# small $\eta$ and faster beyond $\eta\approx 0.03$; MALA does not.

# %%
x0_well = rwm[1.0]["samples"][-1, :, :]  # equilibrated starting points, one per chain
etas_well = np.array([0.005, 0.01, 0.02, 0.03, 0.04])
bias, bias_err = {"ULA": [], "MALA": []}, {"ULA": [], "MALA": []}
for eta in etas_well:
    ula = mcmc.langevin(grad_log_p_well, x0_well, 3000, eta, seed=3)["samples"][500:]
    mala = mcmc.langevin(grad_log_p_well, x0_well, 3000, eta, seed=3, log_p=log_p_well)["samples"][500:]
    for name, s in (("ULA", ula), ("MALA", mala)):
        per_chain = (s[..., 0] ** 2).mean(axis=0)  # one estimate of <x1^2> per chain
        bias[name].append(per_chain.mean() - x1sq_exact)
        bias_err[name].append(per_chain.std(ddof=1) / np.sqrt(per_chain.size))
bias, bias_err = {k: np.array(v) for k, v in bias.items()}, {k: np.array(v) for k, v in bias_err.items()}

fig, ax = plt.subplots(figsize=(5.5, 3.5))
for name, marker in (("ULA", "o-"), ("MALA", "s-")):
    ax.errorbar(etas_well, bias[name], 2 * bias_err[name], fmt=marker, ms=5, capsize=2, label=f"{name} (± 2 s.e.)")
ax.axhline(0, color="k", lw=0.8)
cu.plotting.label(ax, r"step size $\eta$", r"$\langle x_1^2\rangle_\eta - \langle x_1^2\rangle_p$",
                  "Langevin bias on the double well")
ax.legend()
plt.show()
for eta, b_u, b_m, se in zip(etas_well, bias["ULA"], bias["MALA"], bias_err["MALA"]):
    print(f"eta = {eta:5.3f}: bias ULA {b_u:+.3f}   MALA {b_m:+.3f} ± {se:.3f}")

# %%
# Check: the Monte Carlo error is computed, not guessed: the standard error of the mean over
# the 200 independent chains of their time averages (2500 correlated steps each), 0.0015 at
# eta = 0.04 and 0.0046 at eta = 0.005, where the small steps cross the barrier rarely.
# MALA must agree with quadrature within 4 standard errors at every eta (measured: within
# 1.7); the largest-step ULA bias must lie more than 4 standard errors below zero (measured
# -0.067, about 45 of them). The plausible wrong MALA, accepting with min(1, p(x')/p(x)) as if
# the Langevin proposal were symmetric, has bias +0.025 at eta = 0.04 (17 standard errors).
print("MALA within 4 s.e. of quadrature at every eta:", bool(np.all(np.abs(bias["MALA"]) < 4 * bias_err["MALA"])))
print("ULA at eta = 0.04 more than 4 s.e. below it   :", bool(bias["ULA"][-1] < -4 * bias_err["ULA"][-1]))
assert np.all(np.abs(bias["MALA"]) < 4 * bias_err["MALA"])
assert bias["ULA"][-1] < -4 * bias_err["ULA"][-1]

# %% [markdown]
# A larger step does worse than biased: the drift $-8x_1(x_1^2-1)$ grows like $x_1^3$,
# so a chain that strays far out overshoots to even larger $|x_1|$ and the explicit
# scheme blows up. The Metropolis correction rejects such moves.

# %%
with np.errstate(all="ignore"):  # the unadjusted chains overflow on purpose
    ula_big = mcmc.langevin(grad_log_p_well, x0_well, 3000, 0.06, seed=3)["samples"][-1]
    mala_big = mcmc.langevin(grad_log_p_well, x0_well, 3000, 0.06, seed=3, log_p=log_p_well)["samples"][-1]
n_well = x0_well.shape[0]
print("chains that diverged at eta = 0.06:  ULA", int((~np.isfinite(ula_big)).any(axis=1).sum()),
      f"of {n_well},  MALA", int((~np.isfinite(mala_big)).any(axis=1).sum()), f"of {n_well}")

# %% [markdown]
# ## 4. The variational principle
#
# Among all laws $q$ on the states, the Boltzmann law minimises the **free-energy
# functional** (internal energy minus temperature times entropy):
#
# $$\mathcal{L}(q) = \mathbb{E}_{q} f(x) - T\,H(q) \;\ge\; \mathcal{L}(p_*) = -T\log Z = F,
# \qquad p_*(x) = \frac{e^{-f(x)/T}}{Z},$$
#
# because $\mathcal{L}(q) - F = T\,\mathrm{KL}(q\,\|\,p_*) \ge 0$. Restricting $q$ to a
# tractable family gives an upper bound on $F$. The simplest family is the product law
# with magnetisation $m$ on every spin, $q_m(s) = \prod_i (1+m s_i)/2$: for the periodic
# Ising model with $2N$ bonds, $\mathbb{E}_{q_m} f = -2N m^2$ and
# $H(q_m) = N\,h(m)$ with $h(m) = -\frac{1+m}{2}\log\frac{1+m}{2}-\frac{1-m}{2}\log\frac{1-m}{2}$,
#
# $$\frac{\mathcal{L}(q_m)}{N} = -2m^2 - T\,h(m).$$
#
# Minimising over $m$ is **mean-field theory**; we compare it with the exact $F$ of the
# $4\times4$ lattice, computed by enumerating its $2^{16}$ states.

# %%
def entropy_binary(m):
    a, b = (1 + m) / 2, (1 - m) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.nan_to_num(a * np.log(a)) - np.nan_to_num(b * np.log(b))


def mean_field_functional(m, T):
    """L(q_m)/N = -2 m^2 - T h(m) for the square lattice (coordination 4, 2N bonds)."""
    return -2.0 * m**2 - T * entropy_binary(m)


m_grid = np.linspace(-0.999, 0.999, 999)
temps_vp = np.array([1.5, 2.5, 4.0, 6.0])
exact_small = mcmc.exact_ising2d(4, temps_vp)

fig, ax = plt.subplots(figsize=(6, 3.8))
for T, F in zip(temps_vp, exact_small["free_energy"]):
    line, = ax.plot(m_grid, mean_field_functional(m_grid, T), label=f"$T={T}$")
    ax.axhline(F, color=line.get_color(), ls="--", lw=1)
cu.plotting.label(ax, "mean-field magnetisation $m$", r"$\mathcal{L}(q_m)/N$",
                  "mean-field functional (solid) above the exact $F/N$ (dashed)")
ax.set_ylim(None, -0.2)  # head room for the legend above the curves
ax.legend(loc="upper center", ncol=4, fontsize="small")
plt.show()

# %%
# The 2^16 states of the 4 x 4 lattice, to compute E_q f, H(q) = -sum q log q and KL directly
# (independently of the -T log Z that exact_ising2d returns).
codes = np.arange(2**16)
states = (1 - 2 * ((codes[:, None] >> np.arange(16)) & 1)).reshape(-1, 4, 4)
f_states = mcmc.ising2d_energy(states) * 16  # total energy of each state


def log_boltzmann(T):
    log_w = -f_states / T
    return log_w - special.logsumexp(log_w)


def functional(log_q, T):
    """L(q)/N = (E_q f - T H(q)) / N for a law q on the 2^16 states, given as log q."""
    q = np.exp(log_q)
    return (q @ f_states + T * (q @ log_q)) / 16


# Check 1: the Boltzmann law attains F: E f - T H, with H = -sum p log p summed over the
# states, equals -T log Z (computed by a log-sum-exp) to round-off.
# Check 2: the gap of another law, the Boltzmann law at 1.3 T scored at T, is L(q) - F =
# T KL(q || p*), with KL summed over the states. Forgetting the factor T (L - F = KL) is off
# by the factor T: measured KL/N = 0.0160 against L(q)/N - F/N = 0.0240 at T = 1.5, and 0.0018
# against 0.0107 at T = 6. Both are exact identities, so the tolerance is round-off (1e-12).
# Check 3: every mean-field q_m lies above F. The plausible wrong energy E_q f = -4 N m^2
# (each of the 4 neighbours counted as a separate bond, 4N bonds instead of 2N) puts the
# mean-field minimum at -3.998 for T = 1.5, below the exact F/N = -2.073: the check fails.
F_mf = np.array([mean_field_functional(m_grid, T).min() for T in temps_vp])
print("   T   exact F/N   L(p*)/N - F/N   L(q)/N - F/N   T KL(q||p*)/N   mean-field min")
for T, F, Fm in zip(temps_vp, exact_small["free_energy"], F_mf):
    log_p, log_q = log_boltzmann(T), log_boltzmann(1.3 * T)
    kl = np.exp(log_q) @ (log_q - log_p) / 16
    gap_p, gap_q = functional(log_p, T) - F, functional(log_q, T) - F
    print(f"{T:4.1f}   {F:.4f}     {'< 1e-12' if abs(gap_p) < 1e-12 else gap_p}"
          f"          {gap_q:.4f}         {T * kl:.4f}         {Fm:.4f}")
    assert abs(gap_p) < 1e-12 and abs(gap_q - T * kl) < 1e-12
assert np.all(F_mf > exact_small["free_energy"])

# %% [markdown]
# Mean-field theory predicts a transition where the curvature of $\mathcal{L}(q_m)$ at
# $m=0$ changes sign, $T_c^{\rm MF} = 4$ (the coordination number), far above the true
# value: ignoring correlations overestimates order. The exact answer is Onsager's.
#
# ## 5. The 2-D Ising model: simulation against exact results
#
# Spins $s_i=\pm1$ on a periodic $L\times L$ lattice with $f(s) = -\sum_{\langle ij\rangle} s_is_j$.
# Flipping $s_i$ changes the energy by $\Delta f = 2 s_i h_i$, $h_i$ the sum of its four
# neighbours, and Metropolis accepts the flip with probability $\min\{1, e^{-\Delta f/T}\}$.
# Spins on one sublattice of the checkerboard do not interact with each other, so a
# whole sublattice is updated at once; `mcmc.metropolis_ising2d` does this for all chains
# and all temperatures in a single array.
#
# First the small lattice, where enumeration is exact:

# %%
T_check = np.array([1.5, 2.0, 2.5, 3.0, 4.0])
sim4 = mcmc.metropolis_ising2d(4, T_check, sweeps=2000, n_chains=200, seed=4)
ex4 = mcmc.exact_ising2d(4, T_check)
burn4 = 200


def chain_mean_and_error(series):
    """Mean over chains and sweeps, with the standard error from independent chain means."""
    per_chain = series.mean(axis=-1)
    return per_chain.mean(axis=-1), per_chain.std(axis=-1, ddof=1) / np.sqrt(per_chain.shape[-1])


e4, e4_err = chain_mean_and_error(sim4["energy"][..., burn4:])
m4, m4_err = chain_mean_and_error(np.abs(sim4["magnetization"][..., burn4:]))
print("   T   <E>/N sim        exact    <|M|>/N sim      exact")
for row in zip(T_check, e4, e4_err, ex4["energy"], m4, m4_err, ex4["abs_magnetization"]):
    print("{:4.1f}  {:.4f} ± {:.4f}  {:.4f}   {:.4f} ± {:.4f}  {:.4f}".format(*row))

# %%
# Check: Metropolis agrees with exact enumeration within 4 standard errors at every T
# (errors from 200 independent chains; 4 sigma keeps the ten-number check robust; measured
# within 2.4). The plausible wrong acceptance exp(-s_i h_i / T), the flip cost without its
# factor 2, samples the law at 2T: exact <E>/N at 2T is -1.017 at T = 1.5 (against -1.951),
# and -0.262 at T = 4 (against -0.626), hundreds of standard errors off.
z4 = np.concatenate([(e4 - ex4["energy"]) / e4_err, (m4 - ex4["abs_magnetization"]) / m4_err])
print(f"largest |sim - exact| / s.e. over the 10 numbers: {np.abs(z4).max():.1f}")
assert np.all(np.abs(e4 - ex4["energy"]) < 4 * e4_err)
assert np.all(np.abs(m4 - ex4["abs_magnetization"]) < 4 * m4_err)

# %% [markdown]
# Now a $32\times32$ lattice across the transition, against Onsager's exact
# infinite-lattice energy per spin and Yang's spontaneous magnetisation,
#
# $$u(T) = -\coth(2\beta)\Big[1 + \tfrac{2}{\pi}\big(2\tanh^2(2\beta)-1\big)K(k)\Big],\quad
# k = \frac{2\sinh 2\beta}{\cosh^2 2\beta},\qquad
# m_0(T) = \big(1-\sinh^{-4}2\beta\big)^{1/8}\ (T<T_c),$$
#
# with $T_c = 2/\log(1+\sqrt2)\approx 2.269$. Chains start ordered below $T_c$ and
# random above, so they equilibrate quickly.

# %%
L = 32  # 64 for class: finite-size rounding near T_c shrinks, about 4x slower
# (on a GPU, add device=cu.device() to both calls below: the same sweeps in torch, its own random numbers)
T_scan = np.round(np.arange(1.5, 3.51, 0.2), 2)
sweeps, burn = 1000, 300
ordered = T_scan < mcmc.ISING_TC
runs = {
    "up": mcmc.metropolis_ising2d(L, T_scan[ordered], sweeps, n_chains=16, seed=5, start="up"),
    "random": mcmc.metropolis_ising2d(L, T_scan[~ordered], sweeps, n_chains=16, seed=6),
}
energy = np.concatenate([runs["up"]["energy"], runs["random"]["energy"]])[..., burn:]
magnet = np.abs(np.concatenate([runs["up"]["magnetization"], runs["random"]["magnetization"]]))[..., burn:]
e_sim, e_err = chain_mean_and_error(energy)
m_sim, m_err = chain_mean_and_error(magnet)

T_fine = np.linspace(1.2, 3.8, 400)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
axes[0].plot(T_fine, mcmc.onsager_energy(T_fine), "k", label="Onsager, $L=\\infty$")
axes[0].errorbar(T_scan, e_sim, e_err, fmt="o", ms=4, label=f"Metropolis, $L={L}$")
cu.plotting.label(axes[0], "temperature $T$ ($J/k_B$)", "energy per spin $u$")
axes[1].plot(T_fine, mcmc.onsager_magnetization(T_fine), "k", label="Yang, $L=\\infty$")
axes[1].errorbar(T_scan, m_sim, m_err, fmt="o", ms=4, label=f"Metropolis, $L={L}$")
cu.plotting.label(axes[1], "temperature $T$ ($J/k_B$)", r"$\langle|M|\rangle/N$")
for ax in axes:
    ax.axvline(mcmc.ISING_TC, color="gray", ls=":", label="$T_c$")
    ax.legend()
plt.show()

# %%
# Check: away from T_c (|T - T_c| > 0.35) finite-size corrections at L = 32 are
# exponentially small (correlation length <~ 4), so the simulation must match Onsager within
# statistical error; near T_c it need not. The error is the standard error over 16
# independent chains of their time averages, which already contains the correlation between
# sweeps; it is 0.0003-0.001 for u and 0.0001-0.0003 for |M|/N. With 16 chains the
# error estimate itself fluctuates (t-distribution, 15 degrees of freedom), so we allow
# 5 standard errors at each of the 11 points (chance of a false alarm ~0.2%; measured
# |z| <= 3.0 for COURSE_UTILS_SEED = 0..3). Wrong formulas fail by far:
# K(k) for K(k^2) (scipy's ellipk takes m = k^2) misses u by up to 0.17 (> 30 s.e. at
# every point), and the exponent 1/4 for Yang's 1/8 misses m_0 by 0.013-0.058 (> 100 s.e.).
far = np.abs(T_scan - mcmc.ISING_TC) > 0.35
dev_e = np.abs(e_sim - mcmc.onsager_energy(T_scan))
dev_m = np.abs(m_sim - mcmc.onsager_magnetization(T_scan))
print("max |u_sim - u_Onsager| away from T_c:", f"{dev_e[far].max():.3f}",
      "  within 5 s.e. at each T:", bool(np.all(dev_e[far] < 5 * e_err[far])))
print("max |m_sim - m_Yang|    below T_c - 0.35:", f"{dev_m[far & ordered].max():.3f}",
      "  within 5 s.e. at each T:", bool(np.all(dev_m[far & ordered] < 5 * m_err[far & ordered])))
print("|M|/N at T = 3.5 (finite-size ~ 1/L):", f"{m_sim[-1]:.3f}")
assert np.all(dev_e[far] < 5 * e_err[far])
assert np.all(dev_m[far & ordered] < 5 * m_err[far & ordered])

# %% [markdown]
# ## 6. Live: the Ising model at your temperature
#
# The function below runs a few hundred sweeps at one temperature and shows the final
# configuration and the magnetisation trace. The first call draws it at $T=2.0$; the cell
# after it gives a slider (in a running Jupyter) to sweep through $T_c$ in class.

# %%
def plot_ising(T=2.0, L=64, sweeps=300):
    run = mcmc.metropolis_ising2d(L, T, sweeps, n_chains=1, seed=7, return_spins=True)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), gridspec_kw={"width_ratios": [1, 1.6]})
    axes[0].imshow(run["spins"][0], cmap="gray", vmin=-1, vmax=1)
    axes[0].set_title(f"spins after {sweeps} sweeps, T = {T:.2f}")
    axes[0].axis("off")
    axes[1].plot(run["magnetization"][0], lw=1)
    axes[1].axhline(mcmc.onsager_magnetization(T), color="k", ls="--", lw=1, label="$\\pm m_0(T)$")
    axes[1].axhline(-mcmc.onsager_magnetization(T), color="k", ls="--", lw=1)
    axes[1].set_ylim(-1.05, 1.05)
    cu.plotting.label(axes[1], "sweep", "magnetisation per spin")
    axes[1].legend(loc="center right")
    plt.show()


plot_ising(T=2.0)

# %%
# NBVAL_IGNORE_OUTPUT
cu.plotting.live(plot_ising, T=(1.0, 4.0, 0.05), L=[32, 64, 128], sweeps=(50, 1000, 50))

# %% [markdown]
# ## Exercises
#
# Each exercise is followed by its solution, folded on the book site and left out of the student edition.

# %% [markdown]
# **Exercise 1. Heat-bath moves.** Replace the Metropolis acceptance on the six-state chain by the
# heat-bath (Glauber) rule: accept $x\to x'$ with probability $p(x')/(p(x)+p(x'))$.
# Build the transition matrix, check detailed balance, and compare the spectral gaps.

# %% tags=["solution"]
# Solution 1: heat-bath rule D[x,x'] p(x') / (p(x) + p(x')); detailed balance holds since
# p(x) D p(x') / (p(x) + p(x')) is symmetric in x, x'.
w = np.exp(-f_small / T_small)
P_hb = ring * w[None, :] / (w[:, None] + w[None, :])
np.fill_diagonal(P_hb, 0.0)
np.fill_diagonal(P_hb, 1.0 - P_hb.sum(axis=1))
gap = lambda P: 1 - np.sort(np.abs(np.linalg.eigvals(P)))[-2]
print(f"heat-bath detailed balance: {mcmc.detailed_balance_violation(P_hb, p_target) < 1e-15}; "
      f"spectral gap heat-bath {gap(P_hb):.3f} vs Metropolis {gap(P_mh):.3f}")

# %% [markdown]
# **Exercise 2. Critical slowing down.** For $L=16$, estimate the integrated autocorrelation time
# $\tau = \tfrac12 + \sum_{t\ge1}\rho(t)$ of the energy at $T = 1.5, T_c, 3.5$. Where is it largest?

# %% tags=["solution"]
# Solution 2: integrated autocorrelation time of the energy, averaged over chains.
def integrated_time(series, window=100):
    x = series - series.mean(axis=-1, keepdims=True)
    var = (x**2).mean()
    rho = np.array([(x[..., : x.shape[-1] - t] * x[..., t:]).mean() / var for t in range(1, window)])
    return 0.5 + rho.sum()


for T in (1.5, mcmc.ISING_TC, 3.5):
    e_series = mcmc.metropolis_ising2d(16, T, 2000, n_chains=16, seed=8)["energy"][:, 300:]
    print(f"T = {T:.3f}: tau_int(E) = {integrated_time(e_series):.1f} sweeps")

# %% [markdown]
# **Exercise 3. Mean-field transition.** Show from $\mathcal{L}(q_m)/N = -2m^2 - T h(m)$ that the
# minimiser becomes non-zero below $T=4$, and solve $m = \tanh(4m/T)$ numerically.

# %% tags=["solution"]
# Solution 3: dL/dm = -4m + T artanh(m) = 0  <=>  m = tanh(4m/T); a non-zero root exists
# when the slope 4/T of tanh(4m/T) at 0 exceeds 1, i.e. T < 4.
from scipy.optimize import brentq

for T in (2.0, 3.0, 3.9):
    m_star = brentq(lambda m: m - np.tanh(4 * m / T), 1e-6, 1.0)
    print(f"T = {T}: mean-field m = {m_star:.4f}")

# %% [markdown]
# ## References
# - N. Metropolis, A. Rosenbluth, M. Rosenbluth, A. Teller, E. Teller, *Equation of state
#   calculations by fast computing machines*, J. Chem. Phys. 21, 1087 (1953).
# - G. O. Roberts, R. L. Tweedie, *Exponential convergence of Langevin distributions and
#   their discrete approximations*, Bernoulli 2, 341 (1996) (ULA bias, MALA).
# - L. Onsager, *Crystal statistics I*, Phys. Rev. 65, 117 (1944); C. N. Yang, *The
#   spontaneous magnetization of a two-dimensional Ising model*, Phys. Rev. 85, 808 (1952).
# - M. E. J. Newman, G. T. Barkema, *Monte Carlo Methods in Statistical Physics*, OUP (1999).
