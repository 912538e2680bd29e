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
# # 14 · Generative diffusion: speciation and memorization
#
# A diffusion model turns noise into data by running a noising process backwards. The
# noising is trivial (an Ornstein-Uhlenbeck process); all the knowledge about the data
# sits in one time-dependent vector field, the **score** $\nabla\log p_t$. When the
# score is known exactly we can ask statistical-physics questions about the generative
# process itself: *when* does a trajectory decide which class of data it will become,
# and *when* does it fall onto one particular training example? Both have sharp answers,
# the **speciation time** and the **collapse time**, which we measure here against theory.
#
# **Learning goals**
# - write the forward OU process, its marginals, and the backward SDE with force
#   $F = x + 2\nabla\log p_t$; see the Euler-Maruyama discretisation error on Gaussian data,
#   where the score and even the backward transitions are exact;
# - measure the speciation time of a two-class mixture and of the Curie-Weiss magnet for
#   several dimensions $d$ and compare it with $t_S = \tfrac12\log\Lambda$;
# - see classifier-free guidance act only in the speciation window and shift the samples by
#   $O(1/\sqrt d)$, measured against the first-order formula;
# - read the score as a thermodynamic average, the magnetisation of the data's model in a field;
# - write the general forward process $\dot x = f x + g\eta$ and measure the speciation time under the
#   variance-exploding and variance-preserving schedules against $t_S = \sigma^{-1}(\sqrt\Lambda)$;
# - run the probability-flow ODE and check that it has the marginals of the reverse SDE, with
#   trajectories that never change class;
# - see diffusion with the exact *empirical* score collapse onto the training set, measure the
#   collapse time against $n$ and $d$, compare the volume heuristic with the excess-entropy criterion
#   of Biroli et al. (equal for Gaussian data, apart for binary data), and contrast it with a small
#   learned score network.
#
# *Source:* M. Mézard's lectures on the statistical physics of generative diffusion
# (*Lecture Notes from Beg Rohu 2025* (C. Miyamoto), Part VI: OU process, general time and variance (16.4), forward and backward processes,
# Gaussian data, Curie-Weiss, speciation, generalization vs memorization), following
# Biroli, Bonnaire, de Bortoli and Mézard (2024).

# %%
import itertools

import matplotlib.pyplot as plt
import numpy as np
import torch
from scipy import integrate, optimize, stats

import course_utils as cu
from course_utils import diffusion as df

rng = cu.setup(seed=0)

# %% [markdown]
# ## 1. Forward process, backward process
#
# Data $a\in\mathbb{R}^d$ are drawn from $p_0$. The forward process is the OU equation
# $\dot x = -x + \eta(t)$ with $\langle\eta_i(t)\eta_j(t')\rangle = 2\delta_{ij}\delta(t-t')$,
# started at $x(0) = a$. Its solution is
#
# $$x(t) = a\,e^{-t} + \sqrt{\Delta_t}\,z,\qquad \Delta_t = 1-e^{-2t},\qquad z\sim N(0, I),$$
#
# so $p_t(x) = \int da\,p_0(a)\,N(x; a e^{-t}, \Delta_t I)$ forgets the data and tends to
# $N(0, I)$ for $t\gg1$. In the reversed time $\tau = t_f - t$ the density obeys
# $\partial_\tau p = -\Delta p - \nabla\cdot(xp)$, which is again a Fokker-Planck equation
# $\partial_\tau p = \Delta p - \nabla\cdot(Fp)$ provided the force is
#
# $$F(x,\tau) = x + 2\,\nabla\log p_{t_f-\tau}(x).$$
#
# Generating data = running the Langevin equation $dx/d\tau = F + \eta$ from
# $x\sim N(0,I)$ at $t = t_f$ down to $t = 0$. On a grid $t_0 = t_f > t_1 > \dots > t_K$ the
# Euler-Maruyama (Itô) step with $h_k = t_k - t_{k+1}$ is
#
# $$x \leftarrow x + h_k\big[x + 2\nabla\log p_{t_k}(x)\big] + \sqrt{2h_k}\,\xi_k .$$
#
# ### Gaussian data: everything is exact
#
# For $a\sim N(0, \mathrm{diag}(\sigma^2))$ the noised law is Gaussian,
# $p_t = N(0, \Gamma_t)$ with $\Gamma_t = \sigma^2 e^{-2t} + \Delta_t$ (per coordinate), and the score is
# linear, $\nabla\log p_t(x) = -x/\Gamma_t$. Because the discretised dynamics is linear
# too, the variance after each Euler-Maruyama step follows exactly
# $v' = [1 + h_k(1-2/\Gamma_{t_k})]^2 v + 2h_k$: the sampling error is a number we can
# compute, not just estimate. The backward transitions themselves are also known: the pair
# $(x(s), x(t))$ is jointly Gaussian, so $x(s)$ given $x(t)$ can be drawn *exactly*,
#
# $$x(s)\mid x(t) \sim N\Big(\frac{\Gamma_s e^{-(t-s)}}{\Gamma_t}\,x(t),\;
# \Gamma_s - \frac{\Gamma_s^2 e^{-2(t-s)}}{\Gamma_t}\Big),\qquad s<t .$$

# %%
sigma2 = np.array([4.0, 1.0, 0.25])  # data variances: one wide, one unit, one narrow direction
t_f, B_gauss = 5.0, 20000
x_noise = rng.standard_normal((B_gauss, sigma2.size))  # N(0, I) at t_f: Gamma_{t_f} - 1 ~ 2e-4
steps_list = [5, 10, 20, 50, 100, 200]

em_var, em_theory = [], []
for K in steps_list:
    grid = np.linspace(t_f, 0.0, K + 1)
    out = df.backward_sde(lambda x, t: df.gaussian_score(x, t, sigma2), x_noise, grid, seed=K)
    em_var.append(out["x"].var(axis=0))
    em_theory.append(df.em_gaussian_variance(sigma2, grid)[-1])
em_var, em_theory = np.array(em_var), np.array(em_theory)
exact_samples = df.gaussian_backward_exact(x_noise, np.linspace(t_f, 0.0, 6), sigma2, seed=1)

print("   K   EM variance (sim)       EM variance (recursion)")
for K, v, th in zip(steps_list, em_var, em_theory, strict=True):
    print(f"{K:4d}   {np.array2string(v, precision=3)}   {np.array2string(th, precision=3)}")
print("exact backward sampler, 5 steps:", np.array2string(exact_samples.var(axis=0), precision=3),
      " target:", sigma2)

# %%
fig, ax = plt.subplots(figsize=(5.8, 3.8))
K_fine = np.unique(np.geomspace(3, 400, 30).astype(int))
for i, s2 in enumerate(sigma2):
    rel = [abs(df.em_gaussian_variance(sigma2, np.linspace(t_f, 0, K + 1))[-1, i] / s2 - 1) for K in K_fine]
    line, = ax.loglog(K_fine, rel, label=rf"$\sigma^2={s2}$ (recursion)")
    ax.loglog(steps_list, np.abs(em_var[:, i] / s2 - 1), "o", color=line.get_color())
ax.loglog(K_fine, 2.0 / K_fine, "k--", lw=1, label=r"$\propto 1/K$")
cu.plotting.label(ax, "number of backward steps $K$", r"$|v_K/\sigma^2 - 1|$",
                  "Euler-Maruyama error on Gaussian data (dots: simulation)")
ax.legend(fontsize=8)
plt.show()

# %%
# Check: the simulated variance after K Euler-Maruyama steps matches the exact recursion
# within 5 standard errors (sample variance of B Gaussian draws: SE = v sqrt(2/B)), while
# the exact backward sampler reproduces the data variances with only 5 steps.
# Both of these use Gamma_t, as does the score that drives the simulation, so a wrong Gamma_t
# would pass them. The data variance does not: the error is O(1/K), so the Richardson
# combination 2 v_200 - v_100 of the *simulated* variances must return sigma^2 (SE at most
# sqrt(5) sigma^2 sqrt(2/B); residual O(1/K^2) of the recursion: -0.003 at sigma^2 = 0.25). Largest
# |z| over seeds 0-2: 2.1. With Gamma_t = sigma^2 e^{-t} + Delta_t in the score it would return
# 9.92, 1.41, 0.275 (66, 18, 4.5 SE off); with Delta_t = 1 - e^{-t}, 3.16, 0.73, 0.17 (9-14 SE).
se = em_theory * np.sqrt(2.0 / B_gauss)
v_extrap = 2 * em_var[-1] - em_var[-2]  # K = 200 and 100
z_extrap = (v_extrap - sigma2) / (np.sqrt(5) * sigma2 * np.sqrt(2.0 / B_gauss))
print("max |sim - recursion| / SE :", f"{np.max(np.abs(em_var - em_theory) / se):.2f}")
print("Richardson 2 v_200 - v_100:", np.round(v_extrap, 2), " target:", sigma2, " |z| < 5:", bool(np.all(np.abs(z_extrap) < 5)))
print("exact sampler variance / target:", np.round(exact_samples.var(axis=0) / sigma2, 3))
assert np.all(np.abs(em_var - em_theory) < 5 * se)
assert np.all(np.abs(z_extrap) < 5)
assert np.all(np.abs(exact_samples.var(axis=0) - sigma2) < 5 * sigma2 * np.sqrt(2.0 / B_gauss))
assert np.abs(exact_samples.mean(axis=0)).max() < 5 * np.sqrt(sigma2.max() / B_gauss)

# %% [markdown]
# With few steps the narrow direction ($\sigma^2 = 0.25$) suffers most: near $t=0$ the force
# $-2x/\Gamma_t$ is stiff, $h/\Gamma_t$ is not small, and the step overshoots. The error
# shrinks as $1/K$ (Euler-Maruyama is weakly first order). With the exact transitions, which
# exist here because everything is Gaussian, five steps are as good as a thousand.
#
# ## 2. Speciation in a two-class mixture
#
# Take two classes, $a = \pm m + \sigma z$ with equal weights, $m = (1,\dots,1)\in\mathbb{R}^d$
# and $\sigma = 1$. The data covariance $C = mm^\top + \sigma^2 I$ has largest eigenvalue
# $\Lambda = |m|^2 + \sigma^2 = d + 1$ along $\hat m = m/|m|$. Project on it:
# $q = x\cdot\hat m$. Along the forward process $q(t) = q_0 e^{-t} + \sqrt{\Delta_t}\,\xi$, with
# $q_0\approx\pm\sqrt\Lambda$: the class signal $\sqrt\Lambda e^{-t}$ meets the unit noise at
#
# $$t_S = \tfrac12\log\Lambda .$$
#
# Run backwards, a trajectory at $t\gg t_S$ carries no information on its class; at
# $t\ll t_S$ it has chosen. The backward process with the exact score reproduces the joint
# law of the forward one, so the probability that the class read at time $t$, $\mathrm{sign}\,q(t)$,
# is the final class, $\mathrm{sign}\,q(0)$, is
#
# $$c(t) = \mathbb{E}_{q_0}\,\Phi\!\Big(\frac{|q_0|\,e^{-t}}{\sqrt{\Delta_t}}\Big)
# \;\xrightarrow{\ \Lambda\to\infty\ }\; \Phi\big(e^{-(t-t_S)}\big),$$
#
# with $\Phi$ the normal distribution function. At large $d$ every curve is the same
# function of $t - t_S$, and $c(t_S) = \Phi(1) = 0.841$. We define the **measured speciation
# time** as the time where the simulated $c(t)$ crosses $\Phi(1)$. The mixture score is exact:
# $\nabla\log p_t(x) = (\sum_\pm r_\pm(x)\,(\pm m)e^{-t} - x)/v_t$, with $v_t = \sigma^2e^{-2t}+\Delta_t$
# and $r_\pm$ the posterior class probabilities.

# %%
PHI1 = stats.norm.cdf(1.0)
gh_nodes, gh_weights = np.polynomial.hermite_e.hermegauss(40)  # quadrature over q0 ~ N(|m|, 1)
gh_weights = gh_weights / gh_weights.sum()


def crossing_time(t, c, level=PHI1):
    """First time (scanning from large t to small t) where c(t) reaches `level`, linear interpolation."""
    i = int(np.argmax(c >= level))
    return t[i - 1] + (level - c[i - 1]) * (t[i] - t[i - 1]) / (c[i] - c[i - 1])


def run_mixture(d, n_traj, seed, n_steps=250, t_top=6.0):
    """Backward trajectories of the +-m mixture in dimension d; returns grid, projections q(t), Lambda."""
    m = np.ones(d)
    means = np.stack([m, -m])
    grid = np.linspace(t_top, 0.0, n_steps + 1)
    x_init = cu.make_rng(seed).standard_normal((n_traj, d))
    out = df.backward_sde(lambda x, t: df.mixture_score(x, t, means, var=1.0), x_init, grid,
                          seed=seed + 1, observe=lambda x, t: x @ (m / np.sqrt(d)))
    return grid, out["observed"], d + 1.0


def commitment_theory(t, d):
    return df.commitment_probability(t, np.sqrt(d) + gh_nodes, gh_weights)


dims = [4, 16, 64, 128]  # add 512 for class (about 4x slower)
B_spec = 600
spec = {}
for d in dims:
    grid, q, Lam = run_mixture(d, B_spec, seed=d)
    c_sim = (np.sign(q) == np.sign(q[-1])).mean(axis=1)
    spec[d] = dict(grid=grid, q=q, Lam=Lam, c=c_sim)

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
d_show = 64
g, q = spec[d_show]["grid"], spec[d_show]["q"]
colors = np.where(q[-1, :40] > 0, "C3", "C0")
for j in range(40):
    axes[0].plot(g, q[:, j], color=colors[j], lw=0.6, alpha=0.7)
axes[0].axvline(df.speciation_time(spec[d_show]["Lam"]), color="k", ls="--", label=r"$t_S=\frac{1}{2}\log\Lambda$")
axes[0].invert_xaxis()
cu.plotting.label(axes[0], "forward time $t$ (generation runs right)", r"$q(t) = x\cdot\hat m$",
                  f"backward trajectories, d = {d_show}, coloured by final class")
axes[0].legend()
tau = np.linspace(-3, 3, 200)
axes[1].plot(tau, stats.norm.cdf(np.exp(-tau)), "k", lw=2, label=r"$\Phi(e^{-(t-t_S)})$, $d\to\infty$")
for d in dims:
    g, c, Lam = spec[d]["grid"], spec[d]["c"], spec[d]["Lam"]
    tS = df.speciation_time(Lam)
    line, = axes[1].plot(g[:-1] - tS, c[:-1], ".", ms=3, label=f"simulation d = {d}")
    axes[1].plot(g[:-1] - tS, commitment_theory(g[:-1], d), color=line.get_color(), lw=1)
axes[1].axhline(PHI1, color="gray", ls=":")
axes[1].set_xlim(-3, 3)
cu.plotting.label(axes[1], r"$t - t_S$", "commitment $c(t)$", "curves collapse at large d (lines: exact c(t))")
axes[1].legend(fontsize=8)
plt.show()

# %%
# Check: (i) the simulated c(t) follows the exact curve within 5 binomial standard errors
# sqrt(1/4B) at every time; (ii) the measured speciation time agrees with the theory within 4
# statistical errors (binomial SE of c divided by the slope |dc/dt|: 0.062). The exact Phi(1)
# crossing of this mixture is 1/2 log(Lambda - 1) = 1/2 log |m|^2 (to 4 digits for d >= 16; 0.710
# vs 0.693 at d = 4), and 1/2 log Lambda differs from it by 1/2 log(1 + 1/d) <= 0.11, below what 600
# trajectories resolve; we test against 1/2 log(Lambda - 1) (largest |z| over seeds 0-2: 2.4).
# The plausible slip t_S = log Lambda (signal e^{-t} against the variance instead of the standard
# deviation of the noise) is 13-41 errors off.
print("   d   Lambda   t_S=log(L)/2   log(L-1)/2   t_exact   t_measured   stat.err")
for d in dims:
    g, c, Lam = spec[d]["grid"], spec[d]["c"], spec[d]["Lam"]
    c_th = commitment_theory(g[:-1], d)
    t_meas, t_exact = crossing_time(g, c), crossing_time(g[:-1], c_th)
    slope = stats.norm.pdf(1.0)  # |dc/dt| = phi(e^{-tau}) e^{-tau} = phi(1) at the crossing, large-d limit
    err = np.sqrt(PHI1 * (1 - PHI1) / B_spec) / slope
    tS = df.speciation_time(Lam)
    print(f"{d:4d}  {Lam:6.0f}   {tS:10.3f}   {0.5 * np.log(Lam - 1):10.3f}   {t_exact:7.3f}   {t_meas:9.2f}    {err:.3f}")
    assert np.max(np.abs(c[:-1] - c_th)) < 5 * np.sqrt(0.25 / B_spec)
    assert abs(t_meas - 0.5 * np.log(Lam - 1)) < 4 * err

# %% [markdown]
# The collapse is visible: once plotted against $t - t_S$, the curves for $d = 16\dots128$
# lie on the limiting function, and the small-$d$ curve is shifted by the finite-size
# correction. For this mixture the exact crossing sits at $\tfrac12\log(\Lambda-1) = \tfrac12\log|m|^2$
# for every $d$ (up to $0.02$ at $d = 4$), not at $\tfrac12\log\Lambda$: at $e^{-t} = 1/|m|$ the argument of $\Phi$
# is $(1 + \xi/|m|)/\sqrt{1 - 1/|m|^2}$ with $\xi\sim N(0,1)$ the within-class spread of $q_0$, and the two
# $O(1/|m|^2)$ corrections, from the curvature of $\Phi$ and from $\Delta_t < 1$, cancel. Speciation happens at a time that *grows* like $\tfrac12\log d$: in high
# dimension the classes are decided early in the generation, and the rest of the backward
# run only fills in the details inside a class.
#
# ### Speciation under classifier-free guidance
#
# Classifier-free guidance (Ho and Salimans) generates class $+$ with the score
# $s_w = (1+w)\,\nabla\log p_t(x\mid +) - w\,\nabla\log p_t(x)$, $w > 0$, an extrapolation *away* from
# the unconditional score (item 7 of Mézard's outline). For our mixture ($\sigma = 1$, so $v_t = 1$)
# both scores are exact: $\nabla\log p_t(x\mid +) = m e^{-t} - x$ and the mixture score has
# $\tanh(m\cdot x\,e^{-t})$ for $r_+ - r_-$, so
#
# $$s_w(x) = m e^{-t} - x + w\, m e^{-t}\big(1 - \tanh(a_t q)\big),\qquad a_t = |m|e^{-t},\quad q = x\cdot\hat m .$$
#
# The guidance term points along $\hat m$ only (the other $d-1$ coordinates see the score $-x$ and
# are untouched), and it is alive only while $\tanh(a_t q) < 1$: before and around the
# speciation time, where $a_t = e^{-(t - t_S)}$ is of order one. After speciation the guided
# score *is* the conditional one. What does the early push leave in the samples? Along $\hat m$ the
# conditional backward drift $2a_t - q$ pulls any offset back at rate one, so a push at time $t$ is
# damped by $e^{-t}$ before $t = 0$. To first order in $w$, with $q\sim N(a_t, 1)$ the conditional
# law, the final offset of the class mean is
#
# $$\delta = \frac{K w}{|m|},\qquad K = 2\int_0^\infty a\,\mathbb{E}_\xi\big[1 - \tanh(a^2 + a\xi)\big]\,da ,$$
#
# a shift of order $1/\sqrt d$: in high dimension guidance acts in the speciation window and the
# generated samples keep the conditional law. The projection $q$ obeys a closed one-dimensional
# SDE, which we integrate for $20000$ trajectories, the same noise for every $w$.

# %%
d_cfg, w_small, w_big = [16, 64, 256], 0.01, 1.0
B_cfg, n_cfg = 20000, 800
grid_cfg = np.linspace(8.0, 0.0, n_cfg + 1)
K_cfg = 2 * integrate.quad(lambda a: a * np.sum(gh_weights * (1 - np.tanh(a * (a + gh_nodes)))), 0, 20)[0]


def guided_projection(d, w, seed=21):
    """q = x.m/|m| at t = 0 along the guided backward SDE (Euler-Maruyama) and the mean guidance drift
    at each step; the same seed gives the same noise for every w."""
    rng_g = cu.make_rng(seed)
    q = rng_g.standard_normal(B_cfg)
    push = np.empty(n_cfg)
    for k, (t, t_next) in enumerate(zip(grid_cfg[:-1], grid_cfg[1:], strict=True)):
        h, a = t - t_next, np.sqrt(d) * np.exp(-t)
        extra = 2 * w * a * (1 - np.tanh(a * q))  # 2 (s_w - conditional score) along m-hat
        push[k] = extra.mean()
        q = q + h * (2 * a - q + extra) + np.sqrt(2 * h) * rng_g.standard_normal(B_cfg)
    return q, push


cfg = {}
for d in d_cfg:
    q_cond, _ = guided_projection(d, 0.0)
    for w in (w_small, w_big):
        q_w, push = guided_projection(d, w)
        diff = q_w - q_cond  # paired: the same noise, so the offset is measured, not the EM bias
        cfg[d, w] = dict(delta=diff.mean(), se=diff.std() / np.sqrt(B_cfg), push=push,
                         frac=np.mean(q_w > 0))

fig, ax = plt.subplots(figsize=(6.4, 3.4))
for d in d_cfg:
    ax.plot(grid_cfg[:-1] - df.speciation_time(d + 1), cfg[d, w_big]["push"], label=f"d = {d}")
ax.set_xlim(-3, 4)
cu.plotting.label(ax, r"$t - t_S$", r"mean guidance drift $2w a_t\langle 1-\tanh(a_t q)\rangle$",
                  f"where guidance acts (w = {w_big:g})")
ax.legend(fontsize=8)
plt.show()

# %%
# Check: (i) at small w the offset of the class mean follows delta = K w / |m| with K = 2 log 2 (by
# quadrature): sqrt(d) delta / w is within 4 SE + 0.02 of K (0.02: the O(w) correction, measured as the
# change between w = 0.01 and 0.02, 0.017; SE about 0.011). (ii) At w = 1, sqrt(d) delta is the same for
# every d within 4 combined SEs (measured 0.684 +- 0.003 at d = 16, 64, 256): the shift is O(1/sqrt d).
# Plausible wrong answers: guidance scales the class mean by 1 + w, delta = w |m|, i.e. sqrt(d) delta / w
# = d = 16...256 instead of 1.39; or a shift independent of d, which would make sqrt(d) delta grow 4x
# from d = 16 to 256. Every trajectory still lands in class + (guided or not, the classes are far apart).
print(f"K = 2 int a E[1 - tanh(a^2 + a xi)] da = {K_cfg:.4f}   (2 log 2 = {2 * np.log(2):.4f})")
print("   d   sqrt(d) delta / w at w = 0.01     sqrt(d) delta at w = 1    fraction in class +")
for d in d_cfg:
    r0, r1 = cfg[d, w_small], cfg[d, w_big]
    print(f"{d:4d}   {np.sqrt(d) * r0['delta'] / w_small:6.2f} +- {np.sqrt(d) * r0['se'] / w_small:.2f}"
          f"               {np.sqrt(d) * r1['delta']:.3f} +- {np.sqrt(d) * r1['se']:.3f}"
          f"           {r1['frac']:.3f}")
    assert abs(np.sqrt(d) * r0["delta"] / w_small - K_cfg) < 4 * np.sqrt(d) * r0["se"] / w_small + 0.02
    assert r1["frac"] > 0.999
scaled = {d: (np.sqrt(d) * cfg[d, w_big]["delta"], np.sqrt(d) * cfg[d, w_big]["se"]) for d in d_cfg}
assert abs(scaled[16][0] - scaled[256][0]) < 4 * np.hypot(scaled[16][1], scaled[256][1])

# %% [markdown]
# ## 3. Speciation in the Curie-Weiss magnet
#
# The same question for data with real structure: $N$ Ising spins with the mean-field law
#
# $$p_0(s) = \frac1Z\exp\Big(\frac{\beta}{2N}M^2\Big),\qquad M = \sum_i s_i,$$
#
# in its ferromagnetic phase $\beta > 1$, where configurations come in two "species"
# $M\approx\pm Nm$ with $m = \tanh(\beta m)$. By symmetry $\langle s\rangle = 0$ and the
# covariance has its largest eigenvalue along $(1,\dots,1)/\sqrt N$,
# $\Lambda = \langle M^2\rangle/N \approx Nm^2$, so $t_S = \tfrac12\log\Lambda$ again grows like
# $\tfrac12\log N$. The exact score follows from a Hubbard-Stratonovich transform of
# $e^{\beta M^2/2N}$: with $h_i = x_i e^{-t}/\Delta_t$,
#
# $$\nabla_i\log p_t(x) = \frac{e^{-t}\langle\tanh(\lambda+h_i)\rangle_\lambda - x_i}{\Delta_t},\qquad
# \langle\cdot\rangle_\lambda \propto \int d\lambda\; e^{-N\lambda^2/2\beta + \sum_j\log\cosh(\lambda+h_j)}\,(\cdot),$$
#
# a one-dimensional integral done by quadrature (`diffusion.curie_weiss_score`). The class is
# the sign of the magnetisation, read from $q = x\cdot(1,\dots,1)/\sqrt N$, and $c(t)$ is the
# same formula as before with $q_0 = M/\sqrt N$ averaged over the exact law $P(M)$.

# %%
beta_cw = 1.5
sizes_cw = [16, 64]  # 256 for class (about 5x slower)
B_cw = 200
# uniform steps, then geometric ones towards t = 0.01: the score of +-1 spins is singular at t = 0
grid_cw = np.concatenate([np.linspace(5.0, 0.5, 45, endpoint=False), np.geomspace(0.5, 0.01, 35)])
cw = {}
for N in sizes_cw:
    M, P_M = df.curie_weiss_magnetization(N, beta_cw)
    u = np.ones(N) / np.sqrt(N)
    out = df.backward_sde(lambda x, t: df.curie_weiss_score(x, t, beta_cw),
                          cu.make_rng(N).standard_normal((B_cw, N)), grid_cw, seed=N + 1,
                          observe=lambda x, t, u=u: x @ u)
    q = out["observed"]
    cw[N] = dict(q=q, c=(np.sign(q) == np.sign(q[-1])).mean(axis=1), Lam=P_M @ M**2 / N,
                 c_th=df.commitment_probability(grid_cw, M / np.sqrt(N), P_M),
                 m_exact=P_M @ np.abs(M) / N,  # final denoising step: E[s | x(t_min)] (Tweedie)
                 m_final=df.posterior_mean(out["x"], grid_cw[-1], lambda x, t: df.curie_weiss_score(x, t, beta_cw)).mean(axis=1))

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
q = cw[64]["q"]
for j in range(40):
    axes[0].plot(grid_cw, q[:, j] / np.sqrt(64), color="C3" if q[-1, j] > 0 else "C0", lw=0.6, alpha=0.7)
axes[0].axvline(df.speciation_time(cw[64]["Lam"]), color="k", ls="--", label=r"$t_S$")
axes[0].invert_xaxis()
cu.plotting.label(axes[0], "forward time $t$ (generation runs right)", r"magnetisation $\sum_i x_i / N$",
                  "Curie-Weiss, N = 64, beta = 1.5")
axes[0].legend()
for N in sizes_cw:
    tS = df.speciation_time(cw[N]["Lam"])
    line, = axes[1].plot(grid_cw - tS, cw[N]["c"], ".", ms=3, label=f"simulation N = {N}")
    axes[1].plot(grid_cw - tS, cw[N]["c_th"], color=line.get_color(), lw=1)
axes[1].plot(tau, stats.norm.cdf(np.exp(-tau)), "k", lw=2, label=r"$\Phi(e^{-(t-t_S)})$")
axes[1].axhline(PHI1, color="gray", ls=":")
axes[1].set_xlim(-3, 3)
cu.plotting.label(axes[1], r"$t - t_S$", "commitment $c(t)$", "lines: exact c(t) from P(M)")
axes[1].legend(fontsize=8)
plt.show()

# %%
# Check: generated magnets have the exact <|M|>/N within 4 standard errors plus the Euler-Maruyama
# bias of this grid, measured at N = 64 with B = 1000 trajectories (other seeds) on this grid and with
# 2x and 4x the steps: -0.027, -0.014, -0.006 (SE 0.003 each), first order in the step as expected
# (B = 200 at N = 16: +0.011, -0.036, -0.016, SE 0.017), so we allow 0.04. (This does not resolve the mean-field value m = tanh(beta m) = 0.858 from the finite-N
# 0.841 at N = 64.) c(t) follows the exact curve within 5 binomial SEs, and the measured speciation
# time agrees with t_S = 1/2 log Lambda within 4 statistical errors (0.107 each); the exact
# finite-N crossing differs from t_S by 0.04 (N = 16) and 0.001 (N = 64), well inside. Taking
# t_S = log Lambda instead would be 10 (N = 16) and 18 (N = 64) errors off.
print("   N   Lambda   t_S     t_exact  t_measured  stat.err   <|m|> generated  exact")
for N in sizes_cw:
    r = cw[N]
    tS, t_exact, t_meas = df.speciation_time(r["Lam"]), crossing_time(grid_cw, r["c_th"]), crossing_time(grid_cw, r["c"])
    err = np.sqrt(PHI1 * (1 - PHI1) / B_cw) / stats.norm.pdf(1.0)
    m_gen = np.abs(r["m_final"]).mean()
    print(f"{N:4d}  {r['Lam']:6.2f}  {tS:.3f}   {t_exact:.3f}    {t_meas:.3f}      {err:.3f}"
          f"      {m_gen:.3f}          {r['m_exact']:.3f}")
    m_se = np.abs(r["m_final"]).std() / np.sqrt(B_cw)
    assert abs(m_gen - r["m_exact"]) < 4 * m_se + 0.04
    assert np.max(np.abs(r["c"] - r["c_th"])) < 5 * np.sqrt(0.25 / B_cw)
    assert abs(t_meas - tS) < 4 * err

# %% [markdown]
# ### The thermodynamic score
#
# The formula above is an instance of a general fact, the "thermodynamic score" of Mézard's
# outline (item 5). For any data law $p_0$ on spins, $p_t(x) = \sum_s p_0(s)\,
# \mathcal N(x; e^{-t}s, \Delta_t)$, and since $|s|^2 = N$ is fixed, the Gaussian factor is
# $e^{h\cdot s}$ times terms free of $s$, with the field $h = x e^{-t}/\Delta_t$. Differentiating,
#
# $$\nabla\log p_t(x) = \frac{e^{-t}\langle s\rangle_h - x}{\Delta_t},\qquad
# \langle s\rangle_h = \frac{\sum_s s\,p_0(s)\,e^{h\cdot s}}{\sum_s p_0(s)\,e^{h\cdot s}}:$$
#
# the score is the magnetisation of the *data's own model* in the external field $h$, a
# thermodynamic quantity. Computing a score is solving a statistical-mechanics problem in a field;
# for the Curie-Weiss magnet the Hubbard-Stratonovich integral does it in one dimension. Below, the
# magnetisation is summed over all $2^{10}$ states at $N = 10$ and compared with the quadrature.

# %%
N_th, t_th = 10, 0.5
spins = np.array(list(itertools.product([-1.0, 1.0], repeat=N_th)))
log_p0 = beta_cw / (2 * N_th) * spins.sum(axis=1) ** 2  # unnormalised Curie-Weiss weights
d_th = -np.expm1(-2 * t_th)
rng_th = cu.make_rng(14)
p0 = np.exp(log_p0 - log_p0.max())
s_data = spins[rng_th.choice(len(spins), size=8, p=p0 / p0.sum())]  # 8 exact Curie-Weiss samples
x_th = np.exp(-t_th) * s_data + np.sqrt(d_th) * rng_th.standard_normal(s_data.shape)  # noised to t


def magnetization_in_field(h):
    """<s>_h of the Curie-Weiss model in the field h (one row per field), by enumeration."""
    logw = log_p0[None, :] + h @ spins.T
    w = np.exp(logw - logw.max(axis=1, keepdims=True))
    return (w / w.sum(axis=1, keepdims=True)) @ spins


h_th = x_th * np.exp(-t_th) / d_th
score_thermo = (np.exp(-t_th) * magnetization_in_field(h_th) - x_th) / d_th
score_hs = df.curie_weiss_score(x_th, t_th, beta_cw)
score_indep = (np.exp(-t_th) * np.tanh(h_th) - x_th) / d_th  # spins magnetised independently
err_thermo = np.abs(score_thermo - score_hs).max()
err_indep = np.abs(score_indep - score_hs).max()
print(f"max |enumerated thermodynamic score - Hubbard-Stratonovich score| < 1e-6: {err_thermo < 1e-6}")
print(f"independent spins, <s_i>_h = tanh(h_i): off by {err_indep:.1f} (scores of size {np.abs(score_hs).max():.1f})")
# Check: the magnetisation summed over 2^10 states gives the quadrature's score to the quadrature's
# accuracy (measured 1.2-1.5e-9 for seeds 0-2; the tolerance 1e-6 leaves room for the trapezoid rule).
# The plausible wrong formula drops the couplings from the thermodynamics: each spin in its own field,
# <s_i>_h = tanh(h_i), the score of independent +-1 data. It is off by 0.97-0.99 here (seeds 0-2), so we
# ask for > 0.1: at beta = 1.5 the field of the other spins matters.
assert err_thermo < 1e-6 and err_indep > 0.1

# %% [markdown]
# ## 4. Other forward processes: variance exploding and variance preserving
#
# Nothing forces the noising to be the OU process. Mézard's section 16.4 (*general time and variance*)
# takes $\dot x = f(t)\,x + g(t)\,\eta(t)$, same noise $\langle\eta\eta\rangle = 2\delta$, whose solution from $x(0) = a$ is
#
# $$x(t) = s(t)\,\big[a + \sigma(t)\,z\big],\qquad s(t) = e^{\int_0^t f},\qquad \sigma(t)^2 = 2\int_0^t\Big(\frac{g}{s}\Big)^2 .$$
#
# Three standard choices (`diffusion.schedule`): the **OU** process of this lecture ($f=-1$, $g=1$:
# $s=e^{-t}$, $\sigma^2=e^{2t}-1$); the **variance-exploding** (VE) Brownian motion ($f=0$, $g=1$: $s=1$,
# $\sigma^2=2t$, the notes' example); the **variance-preserving** (VP) schedule of Song et al. with
# $\beta(t)=\beta_{\min}+(\beta_{\max}-\beta_{\min})t$ on $[0,1]$, $f=-\beta/2$, $g=\sqrt{\beta/2}$, so $s=e^{-B/2}$,
# $\sigma^2=e^{B}-1$ with $B=\int_0^t\beta$ ($\beta_{\min}=0.1$, $\beta_{\max}=20$). The same ansatz as
# for the OU process reverses them: $dx/d\tau = -f x + 2g^2\nabla\log p_t + g\,\eta$.
#
# The rescaled variable $x/s = a + \sigma z$ shows that all schedules are **one** noising read on
# different clocks $\sigma(t)$. The class signal along $\hat m$, $s\sqrt\Lambda$, meets the noise
# $s\sigma$ when $\sigma^2 = \Lambda$: the speciation time of a schedule is
#
# $$t_S = \sigma^{-1}\big(\sqrt\Lambda\big):\qquad t_S^{\rm OU} = \tfrac12\log(1+\Lambda),\qquad
# t_S^{\rm VE} = \frac{\Lambda}{2},\qquad B\big(t_S^{\rm VP}\big) = \log(1+\Lambda),$$
#
# growing like $\tfrac12\log d$, like $d/2$, and like $\sqrt{2\log d/(\beta_{\max}-\beta_{\min})}$ respectively.
# For the mixture of section 2 the commitment is $c(t) = \mathbb{E}\,\Phi(|q_0|/\sigma(t))$ for every
# schedule, so the exact $\Phi(1)$ crossing is at $\sigma^2 = |m|^2 = \Lambda - 1$. The score needs no new
# work: with $c_t = s\sqrt{1+\sigma^2}$ and the OU time $t' = \tfrac12\log(1+\sigma^2)$,
# $x/c_t$ has the OU law at $t'$, so $\nabla\log p_t(x) = \nabla\log p^{\rm OU}_{t'}(x/c_t)/c_t$. We run the
# three reverse SDEs on grids uniform in $\log\sigma$ (`diffusion.schedule_backward`), started from
# the exact noised law at $\sigma = 10|m|$.

# %%
SCHEDULES = ("ou", "vp", "ve")
sigma_grid = np.geomspace(10.0, 1e-3, 201)  # in units of |m|: sigma / |m| from 10 down to 0.001


def schedule_mixture_score(kind, means):
    """grad log p_t of the +-m mixture (unit within-class variance) under the schedule `kind`."""
    def score(x, t):
        c = df.schedule(kind, t)
        scale = c["s"] * np.sqrt(1.0 + c["sigma2"])
        return df.mixture_score(x / scale, 0.5 * np.log1p(c["sigma2"]), means, var=1.0) / scale
    return score


def run_schedule(kind, d, n_traj, seed):
    m = np.ones(d)
    grid = df.schedule_time(kind, d * sigma_grid**2)
    r = cu.make_rng(seed)
    c0 = df.schedule(kind, grid[0])
    a = np.where(r.random((n_traj, 1)) < 0.5, 1.0, -1.0) * m + r.standard_normal((n_traj, d))
    x0 = c0["s"] * (a + np.sqrt(c0["sigma2"]) * r.standard_normal((n_traj, d)))  # exact p_{t_f}
    out = df.schedule_backward(schedule_mixture_score(kind, np.stack([m, -m])), x0, grid, kind,
                               seed=seed + 1, observe=lambda x, t: x @ (m / np.sqrt(d)))
    q = out["observed"]
    return grid, (np.sign(q) == np.sign(q[-1])).mean(axis=1)


dims_sched = [16, 64]
sched = {(kind, d): run_schedule(kind, d, B_spec, seed=1000 * i + d)
         for i, kind in enumerate(SCHEDULES) for d in dims_sched}

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for i, kind in enumerate(SCHEDULES):
    g, c = sched[kind, 64]
    axes[0].semilogx(g[:-1], c[:-1], ".", ms=3, color=f"C{i}", label=kind.upper())
    axes[0].axvline(df.schedule_time(kind, 64.0 + 1.0), color=f"C{i}", ls="--", lw=1)
    axes[1].semilogx(sigma_grid[:-1], c[:-1], ".", ms=3, color=f"C{i}", label=f"{kind.upper()}, d = 64")
axes[0].invert_xaxis()
cu.plotting.label(axes[0], "forward time $t$", "commitment $c(t)$",
                  r"d = 64: dashed $t_S = \sigma^{-1}(\sqrt{\Lambda})$")
axes[0].legend(fontsize=8)
c_sigma = commitment_theory(0.5 * np.log1p(64 * sigma_grid[:-1] ** 2), 64)  # OU time with the same sigma
axes[1].semilogx(sigma_grid[:-1], c_sigma, "k", lw=1, label=r"exact $E\,\Phi(|q_0|/\sigma)$")
axes[1].axvline(1.0, color="gray", ls=":")
axes[1].invert_xaxis()
cu.plotting.label(axes[1], r"$\sigma(t)/|m|$", "commitment $c(t)$", "one curve on the clock $\\sigma$")
axes[1].legend(fontsize=8)
plt.show()

# %%
# Check: for each schedule the measured Phi(1) crossing of c(t) agrees with sigma^{-1}(|m|) within
# 4 statistical errors: the binomial SE of c over the slope |dc/dt| = phi(1) dlog(sigma)/dt, with
# dlog(sigma)/dt = g^2 / (s^2 sigma^2) at t_S (so the error is large on the slow VE clock and small on
# the fast VP one). Largest |z| over seeds 0-2: 1.97. c(t) follows the exact curve within 5 binomial
# SEs at every time. The plausible slip, reusing the OU formula t_S = 1/2 log Lambda for every
# schedule, gives 1.42 (d = 16) and 2.09 (d = 64): 80-160 errors off for VP and 5.5-9.5 for VE (seeds 0-2).
print("sched   d   t_S=sigma^-1(sqrt Lambda)   exact crossing   measured   stat.err   OU formula")
for kind in SCHEDULES:
    for d in dims_sched:
        g, c = sched[kind, d]
        t_pred = df.schedule_time(kind, float(d))  # sigma^2 = |m|^2 = Lambda - 1
        t_meas = crossing_time(g, c)
        k = df.schedule(kind, t_pred)
        err = np.sqrt(PHI1 * (1 - PHI1) / B_spec) / (stats.norm.pdf(1.0) * k["g"] ** 2 / (k["s"] ** 2 * k["sigma2"]))
        print(f" {kind}   {d:3d}        {df.schedule_time(kind, d + 1.0):8.3f}              {t_pred:8.3f}"
              f"       {t_meas:7.3f}    {err:6.3f}     {0.5 * np.log(d + 1.0):.3f}")
        c_th = commitment_theory(0.5 * np.log1p(d * sigma_grid[:-1] ** 2), d)
        assert np.max(np.abs(c[:-1] - c_th)) < 5 * np.sqrt(0.25 / B_spec)
        assert abs(t_meas - t_pred) < 4 * err

# %% [markdown]
# On the clock $\sigma$ the three schedules give one commitment curve; on the clock $t$ they speciate at
# very different times: for $d=64$ the VP process decides the class at $t\approx0.64$ of its unit
# interval, the VE one at $t\approx 32$ (predicted; the measured values in the table agree within their errors). How a schedule spends its time around $\sigma\approx|m|$ sets how
# many steps a sampler spends on the decision between classes; the physics (the ratio of class
# signal to noise) is the same.
#
# ## 5. The probability-flow ODE: same marginals, no noise
#
# The reverse Fokker-Planck equation $\partial_\tau p = g^2\Delta p - \nabla\cdot\big[(-fx + 2g^2\nabla\log p)\,p\big]$
# can be rewritten with $g^2\Delta p = \nabla\cdot(g^2 p\,\nabla\log p)$ as a pure transport equation,
# $\partial_\tau p = -\nabla\cdot(v\,p)$ with velocity
#
# $$v(x,\tau) = -f\,x + g^2\,\nabla\log p_t(x)\qquad(\text{OU: } v = x + \nabla\log p_t).$$
#
# The deterministic **probability-flow ODE** $dx/d\tau = v$ therefore carries $p_{t_f}$ to $p_0$
# through the *same* marginals $p_t$ as the SDE (item 4 of Mézard's outline, where it appears with
# stochastic localization and the interpolants of lecture 15). Only the marginals agree: the
# trajectories differ. For the symmetric mixture the plane $q = 0$ is invariant under $v$, so an
# ODE trajectory never changes class: its class is fixed by its starting point. We integrate it with
# Heun's method on the mixture of section 2 ($d = 64$) from the same starting points as the SDE and
# compare $\mathrm{Var}\,q(t)$ with the exact $1 + |m|^2e^{-2t}$ (the forward law of $q$, section 2).

# %%
d_ode, grid_ode = 64, np.linspace(6.0, 0.01, 121)
m_ode = np.ones(d_ode)
score_ode = lambda x, t: df.mixture_score(x, t, np.stack([m_ode, -m_ode]), var=1.0)
x_ode = cu.make_rng(7).standard_normal((B_spec, d_ode))
proj = lambda x, t: x @ (m_ode / np.sqrt(d_ode))
flows = {
    "probability-flow ODE": df.schedule_backward(score_ode, x_ode, grid_ode, "ou", method="ode", observe=proj),
    "reverse SDE": df.schedule_backward(score_ode, x_ode, grid_ode, "ou", method="sde", seed=8, observe=proj),
    # the slip: drop the noise but keep the SDE's force x + 2 grad log p
    "ODE with the SDE force": df.schedule_backward(lambda x, t: 2.0 * score_ode(x, t), x_ode, grid_ode, "ou",
                                                   method="ode", observe=proj),
}
var_q_exact = 1.0 + d_ode * np.exp(-2.0 * grid_ode)

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for j in range(25):
    axes[0].plot(grid_ode, flows["probability-flow ODE"]["observed"][:, j] / np.sqrt(d_ode), "C0", lw=0.6)
    axes[0].plot(grid_ode, flows["reverse SDE"]["observed"][:, j] / np.sqrt(d_ode), "C3", lw=0.4, alpha=0.6)
axes[0].plot([], [], "C0", label="probability-flow ODE")
axes[0].plot([], [], "C3", label="reverse SDE")
axes[0].invert_xaxis()
cu.plotting.label(axes[0], "forward time $t$", r"$x\cdot\hat m/\sqrt{d}$", "d = 64: same start, different paths")
axes[0].legend(fontsize=8)
for name, out in flows.items():
    axes[1].plot(grid_ode, out["observed"].var(axis=1) / var_q_exact, label=name)
axes[1].axhline(1.0, color="k", lw=0.8)
axes[1].invert_xaxis()
cu.plotting.label(axes[1], "forward time $t$", r"Var $q(t)$ / $(1 + |m|^2 e^{-2t})$", "marginal variance along the flow")
axes[1].legend(fontsize=8)
plt.show()

# %%
# Check: along the probability-flow ODE, Var q(t) matches the exact 1 + |m|^2 e^{-2t} within 5 SE
# (sample variance: SE = Var sqrt(2/B)) at every grid time, and so does the reverse SDE (largest
# |z| over seeds 0-2: 2.3 for the ODE, 3.0 for the SDE, which also carries its O(h) Euler-Maruyama
# bias); no ODE trajectory ever changes class, while 97-99% of the SDE trajectories do at some time. The plausible slip,
# dropping the noise but keeping the force x + 2 grad log p, collapses the law: Var q / exact = 0.003
# at t = 3 and 0.86 at t = 0.01 (17 SE off at its worst time).
se_q = var_q_exact * np.sqrt(2.0 / B_spec)
print("                          max |Var q - exact|/SE   Var q/exact at t=3, 1, 0.01   ever changes class")
for name, out in flows.items():
    v, q = out["observed"].var(axis=1), out["observed"]
    flips = np.mean(np.any(np.sign(q) != np.sign(q[-1]), axis=0))
    idx = [np.argmin(np.abs(grid_ode - t)) for t in (3.0, 1.0, 0.01)]
    print(f"{name:24s}  {np.max(np.abs(v - var_q_exact) / se_q):10.1f}            "
          f"{np.array2string(v[idx] / var_q_exact[idx], precision=3)}       {flips:.2f}")
z_flow = {name: np.max(np.abs(out["observed"].var(axis=1) - var_q_exact) / se_q) for name, out in flows.items()}
assert z_flow["probability-flow ODE"] < 5 and z_flow["reverse SDE"] < 5
assert z_flow["ODE with the SDE force"] > 5
q_ode = flows["probability-flow ODE"]["observed"]
assert np.all(np.sign(q_ode) == np.sign(q_ode[-1]))

# %% [markdown]
# ## 6. Memorization: the exact empirical score collapses
#
# In practice $p_0$ is known only through $n$ training points $a^\mu$. If the network
# learned the score of their empirical law *perfectly*,
#
# $$p^e_t(x) = \frac1n\sum_{\mu=1}^n N(x; a^\mu e^{-t}, \Delta_t I),\qquad
# \nabla\log p^e_t(x) = \frac{\sum_\mu w_\mu(x)\,a^\mu e^{-t} - x}{\Delta_t},\qquad
# w_\mu \propto e^{-|x-a^\mu e^{-t}|^2/2\Delta_t},$$
#
# the backward process would reproduce $p^e_0$: it can only output training points. Going
# backwards, a trajectory is at first pulled by the weighted mean of many $a^\mu$; later
# one weight $w_\mu$ takes over and the trajectory falls into that training point. For
# $a^\mu\sim N(0, I_d)$ the $n$ Gaussians of $p^e_t$ stop overlapping when their total
# volume $n\Delta_t^{d/2}$ falls below the volume of $p_t = N(0, I)$, i.e. at the
# **collapse time**
#
# $$\Delta_{t_C} = n^{-2/d},\qquad t_C = -\tfrac12\log\big(1-n^{-2/d}\big)$$
#
# (leading order for $d\to\infty$ with $\log n/d$ fixed). Larger training sets push the
# collapse later in the generation (smaller $t_C$); higher dimensions push it earlier. We
# measure the time where the mean largest weight $\langle\max_\mu w_\mu\rangle$ crosses $1/2$
# along backward trajectories, and along the forward process started from the training
# points (the law the exact reverse process must reproduce).

# %%
grid_mem = np.concatenate([np.linspace(5.0, 1.0, 25, endpoint=False), np.geomspace(1.0, 1e-4, 100)])
B_mem = 200
n_list, d_list = [10, 100, 1000], [4, 16, 64]


def max_weight(data):
    return lambda x, t: df.posterior_weights(x, t, data).max(axis=1) if t > 0 else np.ones(len(x))


def log_crossing(t, w, level=0.5):
    i = int(np.argmax(w >= level))
    lt = np.log(t[i - 1]) + (level - w[i - 1]) * (np.log(t[i]) - np.log(t[i - 1])) / (w[i] - w[i - 1])
    return float(np.exp(lt))


collapse = {}
for d in d_list:
    for n in n_list:
        r = cu.make_rng(100 * d + n)
        train = r.standard_normal((n, d))
        back = df.backward_sde(lambda x, t, a=train: df.empirical_score(x, t, a), r.standard_normal((B_mem, d)),
                               grid_mem, seed=1, observe=max_weight(train))
        w_back = back["observed"].mean(axis=1)
        t_fwd = grid_mem[::4]
        a = train[r.integers(0, n, B_mem)]
        w_fwd = np.array([max_weight(train)(df.forward_marginal(a, t, seed=k), t).mean() for k, t in enumerate(t_fwd)])
        collapse[d, n] = dict(backward=log_crossing(grid_mem[:-1], w_back[:-1]),
                              forward=log_crossing(t_fwd, w_fwd), theory=float(df.collapse_time(n, d)),
                              w=w_back)

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for d in d_list:
    line, = axes[0].plot(grid_mem[:-1], collapse[d, 100]["w"][:-1], label=f"d = {d}, n = 100")
    axes[0].axvline(collapse[d, 100]["theory"], color=line.get_color(), ls="--", lw=1)
axes[0].set_xscale("log")
axes[0].invert_xaxis()
cu.plotting.label(axes[0], "forward time $t$", r"$\langle\max_\mu w_\mu\rangle$",
                  "collapse onto a training point (dashed: $t_C$)")
axes[0].legend(fontsize=8)
n_fine = np.geomspace(5, 2000, 100)
for i, d in enumerate(d_list):
    axes[1].loglog(n_fine, df.collapse_time(n_fine, d), color=f"C{i}", lw=1)
    axes[1].loglog(n_list, [collapse[d, n]["backward"] for n in n_list], "o", color=f"C{i}", label=f"backward, d = {d}")
    axes[1].loglog(n_list, [collapse[d, n]["forward"] for n in n_list], "x", color=f"C{i}", ms=8)
cu.plotting.label(axes[1], "training set size $n$", "collapse time",
                  r"o backward, x forward, lines $t_C = -\frac{1}{2}\log(1-n^{-2/d})$")
axes[1].legend(fontsize=8)
plt.show()

# %%
# Check: (i) the backward collapse time equals the forward one (same law if the reverse
# process is exact) to |log ratio| < 0.3: with B = 200 trajectories <max w> has SE ~ 0.025,
# the curves rise by ~0.4 per unit of log t at the crossing, so each log t_C carries an
# error ~ 0.06 (0.09 on the difference; 0.3 is > 3 sigma, and covers the interpolation of
# the forward curve on its coarser grid).
# (ii) t_C falls with n and rises with d, and the ratio measured / large-d theory shrinks
# towards 1 as d grows (finite-d correction).
print("   d     n   t_C theory   backward   forward   ratio")
for (d, n), r in collapse.items():
    print(f"{d:4d} {n:5d}   {r['theory']:9.4f}   {r['backward']:8.4f}  {r['forward']:8.4f}   "
          f"{r['backward'] / r['theory']:.2f}")
    assert abs(np.log(r["backward"] / r["forward"])) < 0.3
for d in d_list:
    assert collapse[d, 10]["backward"] > collapse[d, 100]["backward"] > collapse[d, 1000]["backward"]
ratios = [np.mean([collapse[d, n]["backward"] / collapse[d, n]["theory"] for n in n_list]) for d in d_list]
assert ratios[0] > ratios[1] > ratios[2] > 1.0

# %% [markdown]
# The measured collapse times follow the trend of the theory: later (smaller $t_C$) with
# more data, earlier with higher $d$. The ratio to the large-$d$ formula approaches one as
# $d$ grows; at $d = 4$ the volume argument is only a scaling law.
#
# ### The entropy criterion
#
# Biroli, Bonnaire, de Bortoli and Mézard (2024) state the collapse criterion with entropies
# instead of volumes. Per dimension, let $s(t) = -\tfrac1d\int p_t\log p_t$ be the entropy of the
# exact noised law and $s_{\rm noise}(t) = \tfrac12\log(2\pi e\Delta_t)$ that of one noise kernel.
# If the $n$ kernels of $p^e_t$ do not overlap, $p^e_t$ has entropy $\log n/d + s_{\rm noise}(t)$;
# this cannot exceed $s(t)$, so the empirical law separates into its $n$ kernels below the time
# $t_C$ where the **excess entropy** $f(t) = s(t) - s_{\rm noise}(t)$ falls to $\log n/d$:
#
# $$f(t_C) = \frac{\log n}{d}.$$
#
# For Gaussian data $p_t = N(0, I)$, $f(t) = -\tfrac12\log\Delta_t$ and the criterion is *exactly* the
# volume heuristic $\Delta_{t_C} = n^{-2/d}$: entropy is the log-volume of a Gaussian. The two
# differ when the data are not Gaussian. Take binary data $a\in\{\pm1\}^d$ (independent spins: the
# Curie-Weiss magnet at $\beta = 0$), with the same covariance $I$. Then $s(t)$ is the entropy of the
# one-dimensional mixture $\tfrac12[N(e^{-t},\Delta_t) + N(-e^{-t},\Delta_t)]$, smaller than the Gaussian
# one, so $f$ is smaller and $t_C$ comes later in the generation; as $t\to0$, $f\to\log 2$, and for
# $n \ge 2^d$ the criterion never fires (the training set contains every configuration).

# %%
gh_z, gh_w = np.polynomial.hermite_e.hermegauss(80)
gh_w = gh_w / gh_w.sum()


def excess_entropy_binary(t):
    """f(t) = s(t) - s_noise(t) per dimension for a in {+-1}^d, by Gauss-Hermite quadrature."""
    D, mu = df.delta(t), np.exp(-t)
    y = mu + np.sqrt(D) * gh_z  # by symmetry E over p_t = E over the + component
    log_p = np.logaddexp(-((y - mu) ** 2) / (2 * D), -((y + mu) ** 2) / (2 * D)) - np.log(2 * np.sqrt(2 * np.pi * D))
    return -(gh_w @ log_p) - 0.5 * np.log(2 * np.pi * np.e * D)


def entropy_collapse_time(f, n, d):
    return optimize.brentq(lambda t: f(t) - np.log(n) / d, 1e-8, 30.0)


grid_bin = np.geomspace(3.0, 1e-3, 60)
binary = {}
for d in (16, 64):
    for n in (100, 1000):
        r = cu.make_rng(7 * d + n)
        train = np.where(r.random((n, d)) < 0.5, -1.0, 1.0)
        a = train[r.integers(0, n, B_mem)]
        w_fwd = np.array([max_weight(train)(df.forward_marginal(a, t, seed=k), t).mean() for k, t in enumerate(grid_bin)])
        binary[d, n] = dict(volume=float(df.collapse_time(n, d)), measured=log_crossing(grid_bin, w_fwd),
                            entropy=entropy_collapse_time(excess_entropy_binary, n, d),
                            gauss_entropy=entropy_collapse_time(lambda t: -0.5 * np.log(df.delta(t)), n, d))

t_f = np.geomspace(3.0, 1e-3, 200)
fig, ax = plt.subplots(figsize=(6, 3.8))
ax.plot(t_f, -0.5 * np.log(df.delta(t_f)), label=r"Gaussian data: $-\frac{1}{2}\log\Delta_t$")
ax.plot(t_f, [excess_entropy_binary(t) for t in t_f], label=r"binary data $\{\pm1\}^d$")
for n, ls in ((100, "--"), (1000, ":")):
    for d in (16, 64):
        ax.axhline(np.log(n) / d, color="gray", ls=ls, lw=1)
ax.axhline(np.log(2), color="k", lw=0.8)
ax.set_xscale("log")
ax.set_ylim(0, 1.2)
ax.invert_xaxis()
cu.plotting.label(ax, "forward time $t$", "excess entropy $f(t)$ per dimension",
                  r"collapse where $f = \log n / d$ (grey; black: $\log 2$)")
ax.legend(fontsize=8)
plt.show()

# %%
# Check: (i) for Gaussian data the entropy criterion, solved numerically, is the volume formula
# (to 1e-9). (ii) For binary data the entropy criterion comes later than the volume heuristic
# (smaller t_C; the shift is 0.02-7% here, below what B = 200 trajectories resolve at d = 16-64, so the
# measured onset is compared with both). (iii) The measured onset for binary data (forward process
# from the training points, <max w> crossing 1/2) sits above the entropy t_C by the same finite-d
# factor as for Gaussian data in the table above (1.30-1.36 at d = 16, 1.07-1.20 at d = 64): we
# require the ratio within [1, 1.6] at d = 16 and [1, 1.35] at d = 64, and it must shrink with d.
# The error of a measured log t_C is ~0.06 (see above), i.e. ~6% on the ratio. The slip of using
# log n instead of log n / d (total, not per-dimension, entropy) gives t_C = 5e-5 (n = 100) and
# 5e-7 (n = 1000), ratios of 1e4 and more.
print("   d     n   t_C volume   t_C entropy (binary)   measured (binary)   measured / entropy")
for (d, n), r in binary.items():
    print(f"{d:4d} {n:5d}   {r['volume']:9.3f}   {r['entropy']:12.3f}          {r['measured']:12.2f}"
          f"        {r['measured'] / r['entropy']:.1f}")
    assert abs(r["gauss_entropy"] - r["volume"]) < 1e-9
    assert r["entropy"] < r["volume"]
    assert 1.0 < r["measured"] / r["entropy"] < (1.6 if d == 16 else 1.35)
for n in (100, 1000):
    assert binary[16, n]["measured"] / binary[16, n]["entropy"] > binary[64, n]["measured"] / binary[64, n]["entropy"]

# %% [markdown]
# For the lecture's Gaussian data the two criteria are one and the same. For binary data they
# differ, but only by a few percent at these $n$ and $d$: at the collapse time the noise
# $\sqrt{\Delta_{t_C}}$ is already comparable with the spacing $2e^{-t_C}$ of the two spin values, so
# $p_t$ is nearly Gaussian there. The difference grows when $\log n/d$ approaches $\log 2$, and the
# entropy criterion predicts what volumes cannot: no collapse at all for $n\ge 2^d$. In both cases
# the measured onset lies above the leading-order $t_C$ by a finite-$d$ factor that shrinks with $d$.
#
# ### Generalization versus memorization in pictures
#
# A trained network does not learn the empirical score exactly. We fit a small MLP
# $s_\theta(x,t)$ on $n = 64$ points in $d=2$ by **denoising score matching**, minimising
# $\mathbb{E}_{t,a,z}\,|\sqrt{\Delta_t}\,s_\theta(a e^{-t} + \sqrt{\Delta_t}z, t) + z|^2$ (its minimiser is
# the score of $p^e_t$), and sample with the same backward SDE. Every sampler ends with the
# denoising step $E[a\mid x(t)] = e^{t}(x + \Delta_t\nabla\log p_t)$ (Tweedie). The distance of
# each generated point to its nearest training point tells memorization (distance $\approx 0$)
# from generalization (distances like those of fresh data).

# %%
n_train, d_small = 64, 2
train_2d = rng.standard_normal((n_train, d_small))
fresh_2d = rng.standard_normal((500, d_small))  # held-out draws from the true p_0 = N(0, I)

score_net = torch.nn.Sequential(torch.nn.Linear(3, 48), torch.nn.SiLU(), torch.nn.Linear(48, 48),
                                torch.nn.SiLU(), torch.nn.Linear(48, 2))
opt = torch.optim.Adam(score_net.parameters(), lr=3e-3)
A = torch.tensor(train_2d, dtype=torch.float32)
n_iter = 600  # 3000 for class (it still does not memorize then: median NN distance 0.21, measured)
for _ in range(n_iter):
    idx = torch.randint(0, n_train, (256,))
    t = torch.exp(np.log(1e-3) + np.log(3e3) * torch.rand(256, 1))  # log-uniform in [1e-3, 3]
    z = torch.randn(256, 2)
    sd = torch.sqrt(1 - torch.exp(-2 * t))
    loss = ((sd * score_net(torch.cat([A[idx] * torch.exp(-t) + sd * z, t], 1)) + z) ** 2).sum(1).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()


def net_score(x, t):
    with torch.no_grad():
        inp = torch.cat([torch.tensor(x, dtype=torch.float32), torch.full((len(x), 1), float(t))], 1)
        return score_net(inp).double().numpy()


grid_2d = np.concatenate([np.linspace(4.0, 1.0, 30, endpoint=False), np.geomspace(1.0, 1e-3, 60)])
x_start = rng.standard_normal((500, d_small))
emp_score = lambda x, t: df.empirical_score(x, t, train_2d)
samples = {}
for name, score in (("exact empirical score", emp_score), ("learned network", net_score)):
    x_end = df.backward_sde(score, x_start, grid_2d, seed=3)["x"]
    samples[name] = df.posterior_mean(x_end, grid_2d[-1], score)
samples["fresh data (held out)"] = fresh_2d
nn_dist = {k: np.sqrt(((v[:, None, :] - train_2d[None]) ** 2).sum(-1)).min(axis=1) for k, v in samples.items()}

fig, axes = plt.subplots(1, 3, figsize=(13, 3.9))
for ax, name in zip(axes[:2], ("exact empirical score", "learned network"), strict=True):
    ax.scatter(*train_2d.T, s=60, facecolors="none", edgecolors="k", lw=0.8, label="training points", zorder=2)
    ax.scatter(*samples[name].T, s=4, alpha=0.5, color="C3", label="generated", zorder=3)
    ax.set_aspect("equal")
    cu.plotting.label(ax, "$x_1$", "$x_2$", name)
axes[0].set_ylim(-3.4, None)  # room below the data for the legend (same markers in both panels)
axes[0].legend(fontsize=8, loc="lower right", ncol=2)
bins = np.linspace(0, 1.0, 41)
for name, dist in nn_dist.items():
    axes[2].hist(dist, bins=bins, histtype="step", density=True, lw=1.5, label=name)
cu.plotting.label(axes[2], "distance to nearest training point", "density", "memorization vs generalization")
axes[2].legend(fontsize=8)
plt.show()

# %%
# Check: the exact empirical score memorizes (median nearest-neighbour distance below 0.01:
# at t = 0.001 the largest posterior weight is ~1 for almost every sample), while the learned
# network's samples sit at distances comparable with fresh data (median within a factor 2;
# the median of 500 draws fluctuates by ~10%). That alone passes a mis-scaled generator (the
# learned samples times 1.3 give a ratio 1.20, times 0.8 give 0.82), so the samples must also have
# the spread of the data: <|x|^2> of the generated points over <|a|^2> of the training set is within
# 0.25 of 1 (SE ~0.04 from 500 samples; measured at seed 0: 1.03 for the network, 1.07 with 3000
# iterations, and 1.06 for the exact empirical score); the samples times 1.3 give 1.75 and times
# 0.8 give 0.66, and fail.
spread = {k: np.mean(np.sum(v**2, 1)) / np.mean(np.sum(train_2d**2, 1)) for k, v in samples.items()}
for name, dist in nn_dist.items():
    print(f"{name:24s} median NN distance {np.median(dist):.3f}   <|x|^2> / <|a|^2>_train {spread[name]:.2f}")
assert np.median(nn_dist["exact empirical score"]) < 0.01
ratio = np.median(nn_dist["learned network"]) / np.median(nn_dist["fresh data (held out)"])
assert 0.5 < ratio < 2.0
assert abs(spread["learned network"] - 1) < 0.25 and abs(spread["exact empirical score"] - 1) < 0.25

# %% [markdown]
# The network, with limited capacity and training, smooths the empirical score and so
# generates new points. Trained longer it need not memorize: with `n_iter = 3000` its median
# nearest-neighbour distance is still 0.21 (0.6% of the samples within 0.02 of a training point,
# against 90% for the exact empirical score and 1.2% for fresh data; measured at seed 0). To memorize, a network would have to resolve the $n$
# narrow peaks of $p^e_t$ at small $t$, which this small MLP does not do in that time.
#
# ## 7. Live: speciation versus dimension
#
# The function below runs the two-class mixture in dimension $d$ and shows some backward
# trajectories together with the commitment curve; drag $d$ and watch $t_S = \tfrac12\log(d+1)$ move.

# %%
def plot_speciation(d=16, n_traj=300):
    grid, q, Lam = run_mixture(d, n_traj, seed=11)
    c = (np.sign(q) == np.sign(q[-1])).mean(axis=1)
    tS = df.speciation_time(Lam)
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    for j in range(30):
        axes[0].plot(grid, q[:, j] / np.sqrt(d), color="C3" if q[-1, j] > 0 else "C0", lw=0.6)
    axes[0].axvline(tS, color="k", ls="--", label=rf"$t_S = {tS:.2f}$")
    axes[0].invert_xaxis()
    cu.plotting.label(axes[0], "forward time $t$", r"$x\cdot\hat m/\sqrt{d}$", f"d = {d}")
    axes[0].legend()
    axes[1].plot(grid[:-1], c[:-1], ".", ms=3, label="simulation")
    axes[1].plot(grid[:-1], commitment_theory(grid[:-1], d), "k", label="exact $c(t)$")
    axes[1].axvline(tS, color="k", ls="--")
    axes[1].invert_xaxis()
    cu.plotting.label(axes[1], "forward time $t$", "commitment $c(t)$")
    axes[1].legend()
    plt.show()


plot_speciation(d=16)

# %%
# NBVAL_IGNORE_OUTPUT
cu.plotting.live(plot_speciation, d=(2, 256, 2), n_traj=(100, 300, 50))  # heaviest redraw 0.7 s (d = 256)

# %% [markdown]
# ## Exercises
#
# Each exercise is followed by its solution, folded on the book site and left out of the student edition.

# %% [markdown]
# **Exercise 1. Cloning.** Another measure of commitment: stop a backward trajectory at time $t$,
# run two independent continuations to $t = 0$, and record whether they land in the same
# class. Measure this probability $\phi(t)$ for the mixture with $d = 16$ and locate where it
# rises from $1/2$ to $1$. Is it near $t_S$?

# %% tags=["solution"]
# Solution 1: clone at a few times; phi(t) = P(both clones end with the same sign of q).
d_c, B_c = 16, 300
m_c = np.ones(d_c)
means_c = np.stack([m_c, -m_c])
score_c = lambda x, t: df.mixture_score(x, t, means_c, var=1.0)
x_c = cu.make_rng(5).standard_normal((B_c, d_c))
t_now = 6.0
lines = [f"  t     phi(t)   (t_S = {df.speciation_time(d_c + 1.0):.2f})"]
for k, t_clone in enumerate([3.0, 2.0, 1.5, 1.0, 0.5]):
    x_c = df.backward_sde(score_c, x_c, np.linspace(t_now, t_clone, 40), seed=10 + k)["x"]
    t_now = t_clone
    ends = [df.backward_sde(score_c, x_c, np.linspace(t_clone, 0.0, 60), seed=20 + 2 * k + j)["x"] @ m_c
            for j in range(2)]
    lines.append(f"{t_clone:4.1f}   {np.mean(np.sign(ends[0]) == np.sign(ends[1])):.2f}")
print("\n".join(lines))

# %% [markdown]
# **Exercise 2. No species above the critical temperature.** For $\beta < 1$ the Curie-Weiss magnet is
# paramagnetic. Compute $\Lambda = \langle M^2\rangle/N$ from the exact $P(M)$ for
# $\beta = 0.5$ and $1.5$ at $N = 16, 64, 256, 1024$. Why is there no speciation transition
# at $\beta = 0.5$, however large $N$?

# %% tags=["solution"]
# Solution 2: at beta < 1, Lambda -> 1 / (1 - beta) = 2 stays finite (no macroscopic direction),
# so t_S = log(Lambda)/2 does not grow with N; at beta > 1, Lambda ~ N m^2 and t_S ~ log(N)/2.
for b in (0.5, 1.5):
    lams = []
    for N in (16, 64, 256, 1024):
        M_b, P_b = df.curie_weiss_magnetization(N, b)
        lams.append(P_b @ M_b**2 / N)
    print(f"beta = {b}: Lambda =", "  ".join(f"{v:7.2f}" for v in lams))

# %% [markdown]
# **Exercise 3. Starting too late.** Start the exact Gaussian backward sampler at $t_f = 0.5$ from
# $N(0, I)$ instead of $N(0,\Gamma_{t_f})$. Show that the output variance is
# $\sigma^2 - \sigma^4 e^{-2t_f}/\Gamma_{t_f} + \sigma^4 e^{-2t_f}/\Gamma_{t_f}^2$ and check it.

# %% tags=["solution"]
# Solution 3: x(0) = A x(t_f) + noise with A = sigma^2 e^{-t_f} / Gamma_{t_f} and noise variance
# sigma^2 - sigma^4 e^{-2 t_f} / Gamma_{t_f}; a unit-variance start adds A^2.
t_late = 0.5
gam = sigma2 * np.exp(-2 * t_late) - np.expm1(-2 * t_late)
predicted = sigma2 - sigma2**2 * np.exp(-2 * t_late) / gam + (sigma2 * np.exp(-t_late) / gam) ** 2
late = df.gaussian_backward_exact(x_noise, np.linspace(t_late, 0.0, 4), sigma2, seed=2)
print("predicted", np.round(predicted, 3), " sampled", np.round(late.var(axis=0), 3), " target", sigma2)

# %% [markdown]
# ## References
# - G. Biroli, T. Bonnaire, V. de Bortoli, M. Mézard, *Dynamical regimes of diffusion models*,
#   Nature Communications 15, 9957 (2024), arXiv:2402.18491 (speciation and collapse times).
# - G. Biroli, M. Mézard, *Generative diffusion in very large dimensions*, J. Stat. Mech. 093402
#   (2023) (Curie-Weiss and Gaussian data).
# - Y. Song, J. Sohl-Dickstein, D. P. Kingma, A. Kumar, S. Ermon, B. Poole, *Score-based generative
#   modeling through stochastic differential equations*, ICLR (2021).
# - J. Ho, A. Jain, P. Abbeel, *Denoising diffusion probabilistic models*, NeurIPS (2020).
# - T. Karras, M. Aittala, T. Aila, S. Laine, *Elucidating the design space of diffusion-based generative
#   models*, NeurIPS (2022) (schedules as one process on the clock $\sigma$).
# - B. D. O. Anderson, *Reverse-time diffusion equation models*, Stoch. Proc. Appl. 12, 313 (1982).
