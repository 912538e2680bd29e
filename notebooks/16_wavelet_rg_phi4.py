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
# # 16 · The $\varphi^4$ field, Langevin mixing and the renormalization group by wavelets
#
# Physical fields (a magnet near its Curie point, a turbulent flow, the density of the
# universe) have correlations on every scale. Sampling them by Langevin dynamics is slow
# for a precise reason: the mixing time is set by the condition number of the energy's
# Hessian, and long-range correlations make that number huge. The renormalization group
# (RG) organises the field scale by scale instead. Written with wavelets, each step of
# the RG is a conditional law $p(\bar x_j\mid x_j)$ of the details given the coarse field,
# and those conditional laws are *well conditioned* even when the full field is not. This
# is the idea behind Mallat's wavelet score-based and conditional RG models.
#
# **Learning goals**
# - write the lattice $\varphi^4$ energy $U(x) = \tfrac12 x^TKx + \sum_i V(x_i)$ and sample it by Langevin;
# - relate the Langevin mixing time to the condition number of $K$ on the Gaussian field;
# - locate the $\varphi^4$ ordering transition (Binder cumulant) and see critical slowing down;
# - split a Gaussian field with the orthonormal Haar wavelet, $x_{j-1} = (x_j, \bar x_j)$, and compare the
#   conditioning of $p(\bar x_j\mid x_j)$ with that of the full field;
# - coarse-grain $\varphi^4$ fields and follow the flow of their statistics across scales.
#
# *Source:* S. Mallat's lectures in *Lecture Notes from Beg Rohu 2025* (C. Miyamoto), sections 12 (renormalization group and hierarchies, sampling)
# and 13 (continuous Ising, $\varphi^4$).

# %%
import matplotlib.pyplot as plt
import numpy as np

import course_utils as cu
from course_utils import fields

rng = cu.setup(seed=0)

# %% [markdown]
# ## 1. The lattice $\varphi^4$ model
#
# A real field $x\in\mathbb{R}^d$ lives on a periodic $L\times L$ lattice, $d = L^2$. Its Gibbs law is
# $p(x) = e^{-U(x)}/Z$ with a quadratic coupling and a local potential,
#
# $$U(x) = \tfrac12\,x^T K x + \sum_i V(x_i),\qquad K = \beta(-\Delta) + m^2 I,\qquad V(x) = \lambda\,(x^2-1)^2 ,$$
#
# where $-\Delta$ is the lattice Laplacian, $x^T(-\Delta)x = \sum_{\langle ij\rangle}(x_i-x_j)^2$ over
# nearest-neighbour bonds. $\beta$ rewards neighbours that agree; the double well $V$ pushes each
# $x_i$ to $\pm1$. For $\lambda\to\infty$ the field is an Ising model with coupling $\beta$; for
# $\lambda = 0$ and $m^2>0$ it is the Gaussian free field $N(0, K^{-1})$. In the notes'
# exponential-family form $U = \langle\theta, \phi(x)\rangle$ the parameters are $\theta = (K, \lambda)$.
#
# Langevin dynamics $dx = -\nabla U(x)\,dt + \sqrt2\,dW$ has $p$ as stationary law, and its Euler
# discretisation with step $\eta$ updates all sites (and all chains) at once:
#
# $$x \leftarrow x - \eta\,\big[Kx + V'(x)\big] + \sqrt{2\eta}\,\xi,\qquad V'(x) = 4\lambda x(x^2-1).$$

# %%
lam = 1.0
L_show = 32
snap_betas = [0.7, 1.0, 1.3]
x_start = 0.1 * rng.standard_normal((len(snap_betas), L_show, L_show))
snap = fields.langevin_phi4(x_start, np.array(snap_betas), lam, n_steps=2000, eta=0.025, seed=1)["x"]
gauss_snap = fields.gaussian_field(1, L_show, beta=1.0, mass2=0.01, seed=2)[0]

fig, axes = plt.subplots(1, 4, figsize=(11.8, 3.2))
axes[0].imshow(gauss_snap, cmap="RdBu_r")
axes[0].set_title(r"Gaussian field, $m^2=0.01$", fontsize="small")
for ax, b, f in zip(axes[1:], snap_betas, snap, strict=True):
    ax.imshow(f, cmap="RdBu_r", vmin=-1.8, vmax=1.8)
    ax.set_title(rf"$\varphi^4$, $\beta={b}$, $\lambda={lam}$", fontsize="small")
for ax in axes:
    ax.axis("off")
plt.show()

# %% [markdown]
# ## 2. Mixing time and the condition number
#
# Take the Gaussian case $\lambda = 0$. In the Fourier basis $K$ is diagonal with eigenvalues
#
# $$\lambda(k) = m^2 + 4\beta\big[\sin^2(\pi k_1/L) + \sin^2(\pi k_2/L)\big],$$
#
# from $\lambda_{\min} = m^2$ (the uniform mode, i.e. the magnetisation $M = \frac1d\sum_i x_i$)
# to $\lambda_{\max} = m^2 + 8\beta$. Each mode is an independent AR(1) chain
# $x_k \leftarrow (1-\eta\lambda_k)x_k + \sqrt{2\eta}\,\xi$. Stability of the stiffest mode needs
# $\eta < 2/\lambda_{\max}$, and the softest mode then forgets its past after about
# $1/(\eta\lambda_{\min}) \sim \lambda_{\max}/\lambda_{\min}$ steps: the **mixing time is proportional
# to the condition number** $\kappa(K) = \lambda_{\max}/\lambda_{\min}$. Precisely, averaged over the
# noise, a field started uniform at $x_i = M_0$ relaxes as $\mathbb{E}[M_n] = a^n M_0$ with
# $a = 1-\eta m^2$, i.e. with a relaxation time (in steps)
#
# $$\tau_M = -\frac{1}{\log(1-\eta m^2)} \approx \frac{1}{\eta\,m^2} = \frac{\kappa(K) - 1}{\eta\,\lambda_{\max}}\,.$$
#
# We measure it from the decay of the chain-averaged magnetisation and fit $\log\bar M_n$ against $n$.

# %%
L_g, eta_g, M0 = 8, 0.1, 3.0
m2_list = np.array([2.0, 0.5, 0.2, 0.08])
n_per = 64
mass2_chains = np.repeat(m2_list, n_per)
gauss_run = fields.langevin_phi4(np.full((mass2_chains.size, L_g, L_g), M0), 1.0, 0.0, mass2_chains,
                                 n_steps=400, eta=eta_g, seed=3)
M_bar = gauss_run["magnetization"].reshape(-1, m2_list.size, n_per).mean(axis=2)  # (steps, mass)
steps_g = np.arange(1, M_bar.shape[0] + 1)
tau_exact = -1.0 / np.log(1 - eta_g * m2_list)
tau_fit = []
for k, te in enumerate(tau_exact):
    fit_window = steps_g <= te * np.log(M0 / 0.5)  # while the exact signal exceeds 0.5
    tau_fit.append(-1.0 / np.polyfit(steps_g[fit_window], np.log(M_bar[fit_window, k]), 1)[0])
tau_fit = np.array(tau_fit)
kappa = (8 * 1.0 + m2_list) / m2_list

fig, axes = plt.subplots(1, 2, figsize=(10.4, 3.7))
for k, m2 in enumerate(m2_list):
    line, = axes[0].plot(steps_g, M_bar[:, k], lw=1, label=rf"$m^2={m2}$, $\kappa={kappa[k]:.0f}$")
    axes[0].plot(steps_g, M0 * (1 - eta_g * m2) ** steps_g, "k:", lw=1)
cu.plotting.label(axes[0], "Langevin step $n$", r"$\bar M_n$ (mean of 64 chains)", "relaxation (dotted: $a^n M_0$)")
axes[0].legend(fontsize="small")
axes[1].loglog(kappa, tau_fit, "o", label="fitted from the simulation")
axes[1].loglog(kappa, tau_exact, "k--", label=r"$-1/\log(1-\eta m^2)$")
cu.plotting.label(axes[1], r"condition number $\kappa(K) = (8\beta + m^2)/m^2$", r"$\tau_M$ (steps)",
                  rf"Gaussian field, $L={L_g}$, $\eta={eta_g}$")
axes[1].legend()
plt.show()

# %%
# Check: fitted relaxation times against -1/log(1 - eta m^2). The chain average of 64 chains
# has noise sd sqrt(1/(L^2 m^2 n_per)) <= 0.055, i.e. < 11% of the smallest fitted value 0.5,
# and the fit uses many correlated points: the slope is good to a few percent. Allow 10%.
for k, m2 in enumerate(m2_list):
    print(f"m^2 = {m2:4.2f}  kappa = {kappa[k]:6.1f}:  tau_M fitted {tau_fit[k]:6.1f}  exact {tau_exact[k]:6.1f} steps")
assert np.all(np.abs(tau_fit / tau_exact - 1) < 0.1)

# %% [markdown]
# ## 3. The $\varphi^4$ transition and critical slowing down
#
# With $\lambda > 0$ and $m^2 = 0$ the field orders when $\beta$ is large: the magnetisation
# $M$ picks a sign. On a finite lattice the transition is rounded; the **Binder cumulant**
#
# $$U_4 = 1 - \frac{\langle M^4\rangle}{3\langle M^2\rangle^2}$$
#
# goes from $0$ (Gaussian $M$, disordered) to $2/3$ ($M = \pm$const, ordered), and curves for
# different $L$ cross near the critical coupling $\beta_c$. There correlations extend over the
# whole lattice, the Hessian has a soft direction, and Langevin slows down: the autocorrelation
# time of $|M|$ peaks and grows with $L$ (**critical slowing down**). We run chains of $L=8$ and
# $L=16$ for a range of $\beta$ in one batch each, from an ordered start, in segments so that we
# can also keep snapshots of the fields for section 5.

# %%
betas = np.array([0.5, 0.7, 0.8, 0.9, 0.95, 1.0, 1.1, 1.3, 1.5])
n_chains, eta, record = 4, 0.025, 10
n_segments, seg_steps, burn_segments = 8, 1000, 2  # n_segments = 40 for class: smoother curves


def run_scan(L, seed):
    b = np.repeat(betas, n_chains)
    x = np.ones((b.size, L, L))
    mags, snaps = [], []
    for s in range(n_segments):
        out = fields.langevin_phi4(x, b, lam, n_steps=seg_steps, eta=eta, seed=seed + s, record_every=record)
        x = out["x"]
        if s >= burn_segments:
            mags.append(out["magnetization"])
            snaps.append(x.reshape(betas.size, n_chains, L, L))
    M = np.concatenate(mags).reshape(-1, betas.size, n_chains)  # (time, beta, chain)
    return M, np.concatenate(snaps, axis=1)  # snapshots (beta, samples, L, L)


scan = {L: run_scan(L, seed=10 * L) for L in (8, 16)}
stats = {}
for L, (M, _) in scan.items():
    U4 = fields.binder_cumulant(M.transpose(1, 0, 2).reshape(betas.size, -1), axis=1)
    tau = fields.autocorr_time(np.abs(M).reshape(M.shape[0], -1)).reshape(betas.size, n_chains)
    stats[L] = {"U4": U4, "absM": np.abs(M).mean(axis=(0, 2)), "tau": tau.mean(axis=1) * record * eta}

# %%
fig, axes = plt.subplots(1, 3, figsize=(11.8, 3.5))
for L, st in stats.items():
    axes[0].plot(betas, st["absM"], "o-", ms=4, label=f"$L={L}$")
    axes[1].plot(betas, st["U4"], "o-", ms=4, label=f"$L={L}$")
    axes[2].plot(betas, st["tau"], "o-", ms=4, label=f"$L={L}$")
axes[1].axhline(2 / 3, color="k", ls=":", lw=1)
cu.plotting.label(axes[0], r"$\beta$", r"$\langle|M|\rangle$", "order parameter")
cu.plotting.label(axes[1], r"$\beta$", "$U_4$", "Binder cumulant")
cu.plotting.label(axes[2], r"$\beta$", r"$\tau_{|M|}$ (Langevin time)", "critical slowing down")
for ax in axes:
    ax.legend()
plt.show()

# %%
# Check: deep in each phase the Binder cumulant takes its limiting value, and the Langevin
# autocorrelation time of |M| at L = 16 is largest inside the transition region.
# U4 from 600 records x 4 chains has a statistical error of a few 0.01; tau estimates ~20%.
U4_16, tau_16 = stats[16]["U4"], stats[16]["tau"]
i_peak = int(np.argmax(tau_16))
print("beta        :", " ".join(f"{b:5.2f}" for b in betas))
for L in (8, 16):
    print(f"U4   (L={L:2d}):", " ".join(f"{u:5.2f}" for u in stats[L]["U4"]))
print("tau  (L=16) :", " ".join(f"{t:5.1f}" for t in tau_16))
print(f"slowest mixing at beta = {betas[i_peak]}: tau = {tau_16[i_peak]:.1f} vs {tau_16[0]:.1f} at beta = 0.5 "
      f"and {tau_16[-1]:.1f} at beta = 1.5")
assert U4_16[0] < 0.25 and U4_16[-1] > 0.6
assert 0.8 <= betas[i_peak] <= 1.1
assert tau_16[i_peak] > 3 * max(tau_16[0], tau_16[-1])

# %% [markdown]
# The $L=8$ and $L=16$ Binder curves cross near $\beta\approx 1$ for $\lambda=1$: that is our
# finite-size estimate of $\beta_c$ (a larger $L$ and longer runs sharpen it). Close to it,
# Langevin needs many times longer to decorrelate $|M|$ than deep in either phase.
#
# ## 4. Wavelets split the field into well-conditioned pieces
#
# Back to the Gaussian field, near criticality ($m^2\to0$). One level of the orthonormal Haar
# transform maps $x_{j-1}$ (side $L$) to a coarse field $x_j$ (2×2 block sums over 2, side $L/2$) and
# three detail channels $\bar x_j$. Since the map $W$ is orthogonal there is no Jacobian, and
#
# $$p_{j-1}(x_{j-1}) = p_j(x_j)\;\bar p_j(\bar x_j\mid x_j),\qquad
# U_{j-1}(x_{j-1}) = U_j(x_j) + \bar U_j(\bar x_j, x_j).$$
#
# Iterating gives $p_0 = p_J\prod_j \bar p_j$: the field is generated from the coarsest scale
# down, one conditional law at a time. For the Gaussian field, write the precision of $x_{j-1}$ in
# the wavelet basis, $P = W K_{j-1} W^T = \begin{pmatrix} P_{cc} & P_{cd}\\ P_{dc} & P_{dd}\end{pmatrix}$. Then
#
# $$\bar K_j = P_{dd}\quad\text{(precision of } \bar x_j \text{ given } x_j),\qquad
# K_j = P_{cc} - P_{cd}P_{dd}^{-1}P_{dc}\quad\text{(precision of } x_j).$$
#
# `fields.scale_conditioning` computes the condition numbers of $K$, of every $K_j$ and of every $\bar K_j$.

# %%
L_c = 16
conditioning = {m2: fields.scale_conditioning(L_c, beta=1.0, mass2=m2) for m2 in (1e-1, 1e-2, 1e-3)}

fig, ax = plt.subplots(figsize=(6.4, 3.9))
for (m2, out), c in zip(conditioning.items(), ("C0", "C1", "C2"), strict=True):
    j = np.arange(1, out["L"].size + 1)
    ax.semilogy(j, out["kappa_conditional"], "o-", color=c, label=rf"$\kappa(\bar K_j)$, $m^2={m2:g}$")
    ax.semilogy(j, out["kappa_coarse"], "s--", color=c, alpha=0.6, label=rf"$\kappa(K_j)$, $m^2={m2:g}$")
    ax.axhline(out["kappa_full"], color=c, ls=":", lw=1)
ax.set_xticks(np.arange(1, 5))
cu.plotting.label(ax, "scale $j$ (coarse side $L/2^j$)", "condition number",
                  f"Gaussian field, $L={L_c}$ (dotted: $\\kappa(K)$)")
ax.legend(fontsize="x-small", ncol=2)
plt.show()

# %%
# Check: kappa(K) = (8 beta + m^2)/m^2 exactly (Fourier), while every conditional precision
# Kbar_j stays below 10 at every scale and for every mass: a Langevin sampler of p(xbar_j | x_j)
# mixes in O(10) steps where one of the full field needs O(kappa(K)) = O(10^4).
for m2, out in conditioning.items():
    print(f"m^2 = {m2:g}: kappa(K) = {out['kappa_full']:.0f};  kappa(Kbar_j) over j =",
          np.round(out["kappa_conditional"], 2), "; kappa(K_j) =", np.round(out["kappa_coarse"], 1))
    assert abs(out["kappa_full"] / ((8 + m2) / m2) - 1) < 1e-8
    assert out["kappa_conditional"].max() < 10

# %% [markdown]
# The conditioning of the full field explodes as $m^2\to0$ (long-range correlations), and the
# coarse fields inherit it until the lattice is too small to host long wavelengths. The
# conditional laws of the details do not: given the coarse field, the details only interact
# locally, whatever the correlation length. This is Mallat's point that the wavelet
# decomposition keeps the conditioning invariant across scales; normalising each scale this way
# is what physicists call renormalization (and machine learners, batch normalization).
#
# ## 5. Coarse-graining $\varphi^4$: the flow of statistics across scales
#
# The block-spin picture of the RG averages the field over $b\times b$ blocks and asks how the
# law of the block variables changes with $b$. We follow one statistic, the Binder cumulant of
# the block averages, from single sites ($b=1$) to the whole lattice ($b = L$, the magnetisation).
# In the disordered phase blocks are sums of many weakly correlated pieces and flow to a
# Gaussian ($U_4\to0$, the high-temperature fixed point); in the ordered phase they flow to
# $\pm$const ($U_4\to 2/3$). Near $\beta_c$ they flow to neither: after the first steps, which
# wash out lattice details such as the shape of the double well (irrelevant directions), the
# block statistics settle at an intermediate value, the scale-invariant law of the
# non-trivial fixed point (for the 2-D Ising universality class, $U_4^*\approx 0.61$).

# %%
_, snaps16 = scan[16]
block_sizes = [1, 2, 4, 8, 16]
U4_flow = np.array([[fields.binder_cumulant(fields.block_average(snaps16[i], b)) for b in block_sizes[:-1]]
                    + [stats[16]["U4"][i]] for i in range(betas.size)])

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), gridspec_kw={"width_ratios": [1.2, 1]})
cmap = plt.get_cmap("coolwarm")
for i, b in enumerate(betas):
    axes[0].semilogx(block_sizes, U4_flow[i], "o-", ms=4, color=cmap(i / (betas.size - 1)), label=rf"$\beta={b}$")
axes[0].axhline(2 / 3, color="k", ls=":", lw=1)
axes[0].axhline(0, color="k", ls=":", lw=1)
axes[0].set_xticks(block_sizes, [str(b) for b in block_sizes])
cu.plotting.label(axes[0], "block size $b$", "$U_4$ of block averages", "RG flow of the Binder cumulant, $L=16$")
axes[0].legend(fontsize="x-small", ncol=3)
i_c = int(np.argmin(np.abs(betas - 1.0)))
for k, b in enumerate((1, 2, 4)):
    inset = axes[1].inset_axes([k / 3 + 0.01, 0.1, 0.31, 0.8])
    inset.imshow(fields.block_average(snaps16[i_c, -1], b), cmap="RdBu_r", vmin=-1.5, vmax=1.5)
    inset.set_title(f"$b={b}$", fontsize="small")
    inset.axis("off")
axes[1].axis("off")
axes[1].set_title(rf"one field at $\beta={betas[i_c]}$, coarse-grained", fontsize="medium")
plt.show()

# %%
# Check: the flow separates the phases. At the largest block the disordered side (beta = 0.5)
# has flowed towards the Gaussian value 0 and the ordered side (beta = 1.5) to 2/3, while
# at single sites both start from similar values (the bare double well). Statistical errors
# are a few 0.01 at b = 1 (24 snapshots x 256 sites) and b = 16 (2400 records), ~0.1 at b = 8
# (only 4 blocks per snapshot).
print("block size     :", "  ".join(f"{b:5d}" for b in block_sizes))
for i in (0, i_c, betas.size - 1):
    print(f"beta = {betas[i]:4.2f}    :", "  ".join(f"{u:5.2f}" for u in U4_flow[i]))
assert abs(U4_flow[0, 0] - U4_flow[-1, 0]) < 0.3
assert U4_flow[0, -1] < U4_flow[0, 0] - 0.2 and U4_flow[-1, -1] > 0.6

# %% [markdown]
# ## 6. Live: sample $\varphi^4$ at your coupling
#
# The function runs Langevin from a random start and shows the field, its block averages and
# the magnetisation trace. Sweep $\beta$ through the transition; watch how long $M$ takes to
# settle near $\beta_c$, and what a larger $\lambda$ (closer to Ising) does.

# %%
def plot_phi4(beta=1.0, lam=1.0, L=32, n_steps=2000):
    x0 = 0.1 * cu.make_rng(4).standard_normal((1, L, L))
    eta_live = min(0.025, 0.5 / (8 * beta + 8 * lam))
    run = fields.langevin_phi4(x0, beta, lam, n_steps=n_steps, eta=eta_live, seed=5, record_every=5)
    fig, axes = plt.subplots(1, 4, figsize=(11.8, 3.0), gridspec_kw={"width_ratios": [1, 1, 1, 1.6]})
    for ax, b in zip(axes[:3], (1, 2, 4), strict=True):
        ax.imshow(fields.block_average(run["x"][0], b), cmap="RdBu_r", vmin=-1.8, vmax=1.8)
        ax.set_title(f"block size {b}", fontsize="small")
        ax.axis("off")
    t = eta_live * 5 * np.arange(1, run["magnetization"].shape[0] + 1)
    axes[3].plot(t, run["magnetization"][:, 0], lw=1)
    axes[3].set_ylim(-1.3, 1.3)
    cu.plotting.label(axes[3], "Langevin time", "$M$", rf"$\beta={beta:.2f}$, $\lambda={lam:.1f}$, $L={L}$")
    plt.show()


plot_phi4(beta=1.0)

# %%
# NBVAL_IGNORE_OUTPUT
cu.plotting.live(plot_phi4, beta=(0.3, 2.0, 0.05), lam=(0.2, 5.0, 0.2), L=[16, 32, 64], n_steps=(500, 8000, 500))

# %% [markdown]
# ## Exercises
#
# Each exercise is followed by its solution, folded on the book site and left out of the student edition.

# %% [markdown]
# **Exercise 1. Preconditioning.** Langevin with a preconditioner $S$, $x\leftarrow x - \eta S\nabla U + \sqrt{2\eta}\,S^{1/2}\xi$,
# still samples $p$. For the Gaussian field take $S = K^{-1}$ (applied by FFT). What is the
# mixing time now, and why is this not available for $\varphi^4$?

# %% tags=["solution"]
# Solution 1: with S = K^-1 the drift is -x (for lam = 0) and every mode relaxes at rate 1:
# the mixing time is O(1/eta) whatever kappa(K). phi^4 has no fixed K^-1 that whitens the
# non-Gaussian Hessian K + V''(x), which changes with x.
L_p, m2_p, eta_p = 8, 0.05, 0.2
lam_k = fields.lattice_eigenvalues(L_p, 1.0, m2_p)
x = np.zeros((16, L_p, L_p))
rng_p = cu.make_rng(6)
mags_p = []
for _ in range(3000):
    noise = np.fft.ifft2(np.fft.fft2(rng_p.standard_normal(x.shape)) / np.sqrt(lam_k)).real
    x = x - eta_p * x + np.sqrt(2 * eta_p) * noise  # S grad U = K^-1 K x = x
    mags_p.append(x.mean(axis=(-2, -1)))
tau_p = fields.autocorr_time(np.array(mags_p)[200:]).mean()
a_p = 1 - eta_p
print(f"preconditioned: tau_M = {tau_p:.1f} steps (exact {(1 + a_p) / (2 * (1 - a_p)):.1f}) "
      f"vs plain Langevin ~ {1 / (0.1 * m2_p):.0f} steps at eta = 0.1")

# %% [markdown]
# **Exercise 2. A conditional sampler.** For the Gaussian field with $m^2 = 10^{-3}$ and $L = 16$, run plain
# Langevin with $\eta = 1/\lambda_{\max}(\bar K_1)$ on $p(\bar x_1\mid x_1)$ for a fixed coarse field and
# measure how many steps the slowest detail mode needs, against the full field.

# %% tags=["solution"]
# Solution 2: the conditional precision Kbar_1 is a fixed matrix: its slowest mode relaxes
# at rate eta lambda_min(Kbar_1) = 1/kappa(Kbar_1) per step, the full field at 1/kappa(K).
L_s, m2_s = 16, 1e-3
K_full = fields.laplacian(np.eye(L_s**2).reshape(-1, L_s, L_s)).reshape(L_s**2, L_s**2) + m2_s * np.eye(L_s**2)
W = fields.haar_matrix(L_s)
P = W @ K_full @ W.T
Kbar = P[(L_s // 2) ** 2:, (L_s // 2) ** 2:]
for name, A in (("full field K", K_full), ("details given coarse, Kbar_1", Kbar)):
    ev = np.linalg.eigvalsh(A)
    print(f"{name:30s}: slowest mode decorrelates in ~ {ev[-1] / ev[0]:.0f} steps at eta = 1/lambda_max")

# %% [markdown]
# **Exercise 3. The Gaussian fixed point.** For the Gaussian field ($\lambda = 0$, $\beta = 1$, $m^2 = 0.01$, $L = 32$),
# check that block averages stay Gaussian ($U_4 = 0$) at every $b$, and compute their variance
# exactly from the Fourier spectrum: the block average is a filter $h_b(k)$, and
# $\mathrm{Var} = \frac1{L^2}\sum_k |h_b(k)|^2/\lambda(k)$.

# %% tags=["solution"]
# Solution 3: h_b(k) = prod_i (1/b) sum_{n<b} exp(-2 pi i k_i n / L); linear maps of a Gaussian are Gaussian.
L_3, m2_3 = 32, 0.01
gf = fields.gaussian_field(200, L_3, 1.0, m2_3, seed=8)
k_idx = np.arange(L_3)
h1 = np.exp(-2j * np.pi * np.outer(k_idx, np.arange(L_3)) / L_3)  # (k, n)
lam_3 = fields.lattice_eigenvalues(L_3, 1.0, m2_3)
for b in (1, 2, 4, 8):
    hb = h1[:, :b].mean(axis=1)
    var_exact = np.sum(np.abs(np.outer(hb, hb)) ** 2 / lam_3) / L_3**2
    blocks = fields.block_average(gf, b)
    print(f"b = {b}: Var simulated {blocks.var():.3f}  exact {var_exact:.3f};  U4 = {fields.binder_cumulant(blocks):+.3f}")

# %% [markdown]
# ## References
# - K. G. Wilson, J. Kogut, *The renormalization group and the epsilon expansion*, Phys. Rep. 12, 75 (1974);
#   L. P. Kadanoff, *Scaling laws for Ising models near T_c*, Physics 2, 263 (1966).
# - K. Binder, *Finite size scaling analysis of Ising model block distribution functions*, Z. Phys. B 43, 119 (1981).
# - T. Marchand, M. Ozawa, G. Biroli, S. Mallat, *Wavelet conditional renormalization group*,
#   Phys. Rev. X 13, 041038 (2023), arXiv:2207.04941.
# - F. Guth, S. Coste, V. De Bortoli, S. Mallat, *Wavelet score-based generative modeling*, NeurIPS (2022).
# - A. D. Sokal, *Monte Carlo methods in statistical mechanics: foundations and new algorithms* (1996):
#   autocorrelation times and critical slowing down.
