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
# # 17 · Model collapse: training on your own synthetic data
#
# A growing share of the text and images on the web is now produced by generative models,
# so tomorrow's models are trained partly on yesterday's outputs. What happens when this
# loop is closed, generation after generation? Three models small enough to solve exactly
# show the answer: the fitted distribution loses its tails and eventually its width, the
# error of a regression grows linearly with the number of generations, and the scaling law
# of a model trained on Zipf-distributed data stops at a plateau set by what the generator
# never produced. Each law is checked against simulation, and we test three remedies.
#
# **Learning goals**
# - derive $\mathbb{E}[\sigma_n^2] = ((T-1)/T)^n$ for repeated Gaussian refits, and see why
#   every chain collapses almost surely even when the unbiased estimator keeps the mean fixed;
# - derive the additive error law of least squares retrained on its own labels,
#   $E_n = \sigma^2 d/(T_0-d-1) + n\,\sigma^2 d/(T-d-1)$, and test the fixes: real data mixed
#   back in, growing sample sizes, ridge regularisation;
# - compute the test error $T^{-(1-1/\beta)}$ of Hutter's memory model on Zipf data and the
#   plateau $k^{-(\beta-1)}$ created by a generator that cuts the tail at rank $k$.
# - measure the narrowing of the tails, a tail quantile of the typical chain against
#   $z_q\,e^{\mathbb{E}\log\sigma_n}$, and show that with inputs of any covariance $\Sigma$ (Kempe's
#   kernel setting) the test error keeps the additive law while the parameter error grows with
#   $\mathrm{tr}\,\Sigma^{-1}$;
# - sort Kempe's four sources of collapse (finite sample, expressivity, approximation,
#   interference) into those simulated here and those left out.
#
# *Source:* *Lecture Notes from Beg Rohu 2025* (C. Miyamoto), Part II (J. Kempe, *Synthetic data: the good, the bad, the
# ugly*), eqs. (3.3)-(3.25). The notes' formulas are partly garbled;
# the versions below are re-derived.

# %%
import matplotlib.pyplot as plt
import numpy as np
from scipy import special, stats

import course_utils as cu
from course_utils import collapse

rng = cu.setup(seed=0)

# %% [markdown]
# ## 1. Refitting a Gaussian to its own samples
#
# Generation $0$ is the data law $N(0,1)$. Generation $n+1$ draws $T$ samples from
# generation $n$'s model $N(\mu_n,\sigma_n^2)$ and refits by maximum likelihood,
#
# $$\mu_{n+1} = \frac1T\sum_{t=1}^T x_t,\qquad \sigma^2_{n+1} = \frac1T\sum_{t=1}^T (x_t-\mu_{n+1})^2,
# \qquad x_t\sim N(\mu_n,\sigma_n^2).$$
#
# By Cochran's theorem $T\sigma_{n+1}^2/\sigma_n^2\sim\chi^2_{T-1}$, independently of the
# past, so $\sigma_n^2 = \prod_{k=1}^n \chi^2_{T-1,k}/T$ is a product of independent factors:
#
# $$\mathbb{E}[\sigma_n^2] = \Big(\frac{T-1}{T}\Big)^n,\qquad
# \mathbb{E}[\log\sigma_n^2] = n\Big[\psi\big(\tfrac{T-1}{2}\big) + \log\tfrac{2}{T}\Big],$$
#
# with $\psi$ the digamma function ($\mathbb{E}\log\chi^2_k = \psi(k/2)+\log 2$). The mean
# decays slowly, but $\log\sigma_n^2$ is a random walk with a negative drift: each chain's
# variance goes to zero exponentially fast, almost surely.

# %%
T_refit = 20              # samples per generation
n_gen_refit = 200         # generations
n_chains = 5000           # 20000 for class: smoother mean curve, ~4x slower
refit = collapse.gaussian_refit_chain(n_gen_refit, T_refit, n_chains=n_chains, seed=1)
refit_unbiased = collapse.gaussian_refit_chain(n_gen_refit, T_refit, n_chains=n_chains, seed=1, ddof=1)
gens = np.arange(n_gen_refit + 1)

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
ax = axes[0]
ax.semilogy(gens, refit["var"][:20].T, color="C0", lw=0.5, alpha=0.5)
ax.semilogy(gens, refit["var"].mean(axis=0), "C1", lw=2, label=r"mean over chains")
ax.semilogy(gens, collapse.expected_refit_variance(gens, T_refit), "k--", label=r"$((T-1)/T)^n$")
ax.semilogy(gens, np.median(refit["var"], axis=0), "C2", lw=2, label="median over chains")
ax.semilogy(gens, np.exp(collapse.expected_refit_log_variance(gens, T_refit)), "k:",
            label=r"$\exp\,\mathbb{E}\log\sigma_n^2$")
cu.plotting.label(ax, "generation $n$", r"fitted variance $\sigma_n^2$", f"maximum likelihood, T = {T_refit}")
ax.legend(fontsize=8)
ax = axes[1]
ax.semilogy(gens, refit_unbiased["var"][:20].T, color="C0", lw=0.5, alpha=0.5)
ax.semilogy(gens, refit_unbiased["var"].mean(axis=0), "C1", lw=2, label="mean over chains")
ax.semilogy(gens, np.median(refit_unbiased["var"], axis=0), "C2", lw=2, label="median over chains")
ax.semilogy(gens, np.exp(collapse.expected_refit_log_variance(gens, T_refit, ddof=1)), "k:",
            label=r"$\exp\,\mathbb{E}\log\sigma_n^2$")
cu.plotting.label(ax, "generation $n$", r"fitted variance $\sigma_n^2$", "unbiased estimator (divide by T-1)")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# Two laws are at work. The mean over chains follows $((T-1)/T)^n$ at first but, at late
# generations, falls below it: $\sigma_n^2$ is log-normal-like, and its mean is carried by
# ever rarer chains that a finite ensemble no longer contains. The typical (median) chain
# follows $e^{\mathbb{E}\log\sigma_n^2}$, which decays much faster. The unbiased estimator
# keeps $\mathbb{E}[\sigma_n^2] = 1$ exactly, yet its drift
# $\psi(\frac{T-1}2)+\log\frac{2}{T-1} < 0$ (Jensen) still sends every chain to zero.

# %%
# Check: the mean variance over the first 10 generations and the mean log-variance over all
# 200 generations agree with the closed forms within 4 standard errors of the 5000 chains.
# (The mean of sigma_n^2 is only checked early: later it is dominated by rare chains.)
early = slice(0, 11)
var_se = refit["var"][:, early].std(axis=0, ddof=1) / np.sqrt(n_chains)
logv = np.log(refit["var"])
logv_se = logv.std(axis=0, ddof=1) / np.sqrt(n_chains)
for n in (1, 5, 10):
    print(f"n = {n:3d}: <sigma^2> = {refit['var'][:, n].mean():.3f}   theory {collapse.expected_refit_variance(n, T_refit):.3f}")
for n in (50, 200):
    print(f"n = {n:3d}: <log sigma^2> = {logv[:, n].mean():.2f}   theory {collapse.expected_refit_log_variance(n, T_refit):.2f}")
for n in (50, 200):
    print(f"n = {n:3d}: unbiased estimator, median sigma^2 = {np.median(refit_unbiased['var'][:, n]):.2g}")
assert np.all(np.abs(refit["var"][:, early].mean(axis=0) - collapse.expected_refit_variance(gens[early], T_refit))
              <= 4 * var_se)
assert np.all(np.abs(logv.mean(axis=0) - collapse.expected_refit_log_variance(gens, T_refit)) <= 4 * logv_se)

# %% [markdown]
# ### The tails go first
#
# A model of width $\sigma_n$ assigns to a deviation larger than $a$ (in units of the data's
# standard deviation) the probability $P_n(|x-\mu_n|>a) = 2\Phi(-a/\sigma_n)$, $\Phi$ the
# standard normal distribution function. For the typical (median) chain this mass vanishes
# long before the variance does: a $3\sigma$ event becomes a $3/\sigma_n$-sigma event, and
# rare events are under-sampled by a factor that compounds at each generation. The mean over
# chains behaves differently: it is carried by the few chains whose variance grew.

# %%
def tail_ratio(var, a):
    """P_n(|x - mu_n| > a) / P_0(|x| > a) = Phi(-a / sigma_n) / Phi(-a), elementwise."""
    return stats.norm.cdf(-a / np.sqrt(var)) / stats.norm.cdf(-a)


fig, ax = plt.subplots(figsize=(6, 3.6))
for j, a in enumerate((1.0, 2.0, 3.0)):
    ax.semilogy(gens, np.median(tail_ratio(refit["var"], a), axis=0), color=f"C{j}", label=f"median chain, $a = {a:.0f}$")
ax.semilogy(gens, tail_ratio(refit["var"], 3.0).mean(axis=0), "C2--", label="mean over chains, $a = 3$")
ax.set_ylim(1e-8, 10)
cu.plotting.label(ax, "generation $n$", r"$P_n(|x-\mu_n|>a) \,/\, P_0(|x|>a)$",
                  "tail mass of the refitted model, relative to the data")
ax.legend(fontsize=8)
plt.show()
for n in (5, 10, 20):
    print(f"n = {n:2d}: median chain keeps a fraction {np.median(tail_ratio(refit['var'][:, n], 3.0)):.1e} of the 3-sigma tail")

# %% [markdown]
# **A measured tail quantile.** What the narrowing means for the *data* a model generates: take
# each chain's generation-$n$ model, draw 400 samples from it, and measure the 99 % quantile
# $q_n$ of $|x-\mu_n|$. Given $\sigma_n$ it is $z\,\sigma_n$ with $z = \Phi^{-1}(0.995) = 2.576$, so
# for the typical (median) chain
#
# $$q_n^{\rm typ} = z\,\exp\big(\tfrac12\,\mathbb{E}\log\sigma_n^2\big)
# = z\,\exp\Big\{\tfrac n2\Big[\psi\big(\tfrac{T-1}{2}\big)+\log\tfrac2T\Big]\Big\}.$$
#
# (The median of $\log\sigma_n^2$ equals its mean up to the small skewness of a sum of
# $\log\chi^2$ terms.) The plausible wrong prediction scales the quantile with the mean
# variance, $z\,((T-1)/T)^{n/2}$.

# %%
q_gens = np.array([10, 25, 50, 100, 200])
z_99 = stats.norm.ppf(0.995)
r_tail = cu.make_rng(11)
log_q = np.array([np.log(np.quantile(np.abs(r_tail.standard_normal((n_chains, 400))), 0.99, axis=1)
                         * np.sqrt(refit["var"][:, n])) for n in q_gens])  # (gens, chains)
q_typ = z_99 * np.exp(0.5 * collapse.expected_refit_log_variance(q_gens, T_refit))
q_wrong = z_99 * np.sqrt(collapse.expected_refit_variance(q_gens, T_refit))
q_med = np.exp(np.median(log_q, axis=1))
se_log_med = 1.2533 * log_q.std(axis=1, ddof=1) / np.sqrt(n_chains)  # s.e. of a median
fig, ax = plt.subplots(figsize=(6, 3.6))
ax.semilogy(q_gens, q_med, "o", label="median chain, measured")
ax.semilogy(gens, z_99 * np.exp(0.5 * collapse.expected_refit_log_variance(gens, T_refit)), "k:",
            label=r"$z\,e^{\mathbb{E}\log\sigma_n^2/2}$")
ax.semilogy(gens, z_99 * np.sqrt(collapse.expected_refit_variance(gens, T_refit)), "C3--",
            label=r"wrong: $z\,((T-1)/T)^{n/2}$")
cu.plotting.label(ax, "generation $n$", r"99% quantile of $|x-\mu_n|$", "the tails shrink (data: 2.58)")
ax.legend(fontsize=8)
plt.show()

# %%
# Check: log of the median measured quantile within 4 standard errors of the median
# (1.2533 sd / sqrt(5000): 0.009 at n = 10 to 0.042 at n = 200) of the typical-chain prediction
# at n = 10..200. Two systematic offsets, measured on 20000 extra draws, partly cancel and stay
# below that: the median of log sigma_n sits +0.013 above its mean at n = 10 (+0.0003 at n = 200),
# and the log of a 99% quantile of 400 draws is biased by -0.020. The wrong prediction z ((T-1)/T)^(n/2), measured here,
# gives 2.0 at n = 10 and 0.015 at n = 200 against the measured 1.5 and 7e-5 (log off by 0.3, i.e.
# 30 standard errors, at n = 10 and by 5.4 at n = 200).
for n, qm, qt, qw in zip(q_gens, q_med, q_typ, q_wrong):
    print(f"n = {n:3d}: measured 99% quantile {qm:.2g}   typical-chain law {qt:.2g}   wrong law {qw:.2g}")
assert np.all(np.abs(np.log(q_med) - np.log(q_typ)) < 4 * se_log_med)
assert np.abs(np.log(q_med[-1]) - np.log(q_wrong[-1])) > 1.0


# %% [markdown]
# ## 2. Linear regression trained on its own labels
#
# Inputs $x\sim N(0,I_d)$, labels $y = x^\top w_0 + \epsilon$ with
# $\epsilon\sim N(0,\sigma^2)$. For isotropic inputs the test error (eq. 3.12 of the notes)
# is $E_{\rm test} = \mathbb{E}_x (x^\top\hat w - x^\top w_0)^2 = \|\hat w - w_0\|^2$.
# Ordinary least squares on $T_0$ real samples $(X_0, Y_0 = X_0w_0+E_0)$ gives
#
# $$\hat w_0 = (X_0^\top X_0)^{-1}X_0^\top Y_0 = w_0 + (X_0^\top X_0)^{-1}X_0^\top E_0,\qquad
# \mathbb{E}\|\hat w_0-w_0\|^2 = \sigma^2\,\mathbb{E}\,\mathrm{tr}(X_0^\top X_0)^{-1} = \frac{\sigma^2 d}{T_0-d-1},$$
#
# the mean of an inverse-Wishart matrix. Generation $n\ge1$ fits $T$ fresh inputs labelled
# by generation $n-1$: $Y_n = X_n\hat w_{n-1} + E_n$, so
# $\hat w_n = \hat w_{n-1} + (X_n^\top X_n)^{-1}X_n^\top E_n$. Each refit adds an independent,
# zero-mean error, and the squared errors add up:
#
# $$E_n = \mathbb{E}\|\hat w_n - w_0\|^2 = \frac{\sigma^2 d}{T_0-d-1} + n\,\frac{\sigma^2 d}{T-d-1}.$$
#
# (The notes write the same law as $d\sigma^2/T + n d\sigma^2/T_0$ with the roles of the two
# sample sizes swapped: there $T_0$ is the size of each synthetic generation, $T$ that of the
# last fit.) `collapse.regression_collapse` runs many independent trials at once; least
# squares sees the data only through $X^\top X$ (a Wishart matrix) and $X^\top Y$, which it
# draws exactly, so the cost does not grow with $T$.

# %%
d, T, T0, noise = 10, 30, 50, 0.5
n_gen = 30
n_trials = 4000           # 20000 for class
E_trials = collapse.regression_collapse(d, T, T0, noise, n_gen, n_trials, seed=2, per_trial=True)
E_sim = E_trials.mean(axis=1)
E_se = E_trials.std(axis=1, ddof=1) / np.sqrt(n_trials)   # standard error of each generation's mean
E_theory = collapse.regression_collapse_theory(d, T, T0, noise, n_gen)
ns = np.arange(n_gen + 1)

fig, ax = plt.subplots(figsize=(6, 3.8))
ax.plot(ns, E_sim, "o", ms=4, label=f"simulation, {n_trials} trials")
ax.plot(ns, E_theory, "k--", label=r"$\sigma^2 d/(T_0-d-1) + n\sigma^2 d/(T-d-1)$")
ax.axhline(1.0, color="gray", lw=0.8, ls=":", label=r"$\|w_0\|^2$: predicting $\hat w = 0$")
cu.plotting.label(ax, "generation $n$", r"test error $E_n = \|\hat w_n - w_0\|^2$",
                  f"d = {d}, T0 = {T0}, T = {T}, sigma = {noise}")
ax.legend()
plt.show()

# %%
# Check: simulation vs the additive law at every generation, within 4 standard errors of the
# 4000 trials (measured: the per-trial error has a relative spread ~0.5, so the standard error
# is ~0.8% of E_n). The naive law with sigma^2 d/(T0-d) and sigma^2 d/(T-d) per step (the mean
# of tr (X^T X)^-1 taken as d/(T-d)) is 5% low: E_30 = 3.81, 7.4 standard errors below the
# simulated 4.02, and fails.
naive = noise**2 * d / (T0 - d) + ns * noise**2 * d / (T - d)
for n in (0, 1, 10, 30):
    print(f"n = {n:2d}: E_n simulated {E_sim[n]:.3f} +- {E_se[n]:.4f}   theory {E_theory[n]:.3f}   "
          f"naive d/(T-d) law {naive[n]:.3f}")
assert np.all(np.abs(E_sim - E_theory) <= 4 * E_se)

# %% [markdown]
# After $n^\ast = \big(\|w_0\|^2 - \frac{\sigma^2 d}{T_0-d-1}\big)\frac{T-d-1}{\sigma^2 d}$ generations,
# here about 7, the model is worse than predicting $\hat w = 0$. Three ways out:
#
# - **mix real data back in**: a fraction $\rho$ of each generation's $T$ samples is labelled
#   by $w_0$. With $G_s$ and $G_r$ the Gram matrices $X^\top X$ of the synthetic and the real
#   inputs and $G = G_s + G_r$, the error obeys $e_n = \hat w_n - w_0 = A\,e_{n-1} + G^{-1}X_n^\top E_n$
#   with $A = G^{-1}G_s$. The new noise is independent of the past and, the law of $A$ being
#   invariant under rotations, $\mathbb{E}\,A^\top A = c\,I$:
#
#   $$E_n = c\,E_{n-1} + \frac{\sigma^2 d}{T-d-1},\qquad c = \frac1d\,\mathbb{E}\,\mathrm{tr}(A^\top A) < 1,
#   \qquad E_\infty = \frac{\sigma^2 d/(T-d-1)}{1-c}.$$
#
#   For $T\gg d$, $A\to(1-\rho)I$ and $c\to(1-\rho)^2$; at $T = 3d$ the fluctuations of $G_s$
#   and $G_r$ make $c$ larger, and we compute it by Monte Carlo over Wishart matrices;
# - **grow the sample size**: with $T_n$ samples at generation $n$ the law becomes
#   $E_n = \frac{\sigma^2 d}{T_0-d-1} + \sum_{k=1}^n \frac{\sigma^2 d}{T_k-d-1}$, which grows like
#   $\log n$ for $T_n\propto n$ (keep every past sample) and converges for $T_n\propto n^2$;
# - **ridge**: $\hat w_n = (G + \lambda I)^{-1}X_n^\top Y_n = B\,\hat w_{n-1} + \xi_n$ with
#   $B = (G+\lambda I)^{-1}G$ shrinks each generation towards $0$. The memory of $w_0$ decays
#   like $b^n$, $b = \frac1d\mathbb{E}\,\mathrm{tr}B < 1$, while every generation still injects
#   noise of mean square $\sigma^2 v$, $v = \mathbb{E}\,\mathrm{tr}\big[(G+\lambda I)^{-1}G(G+\lambda I)^{-1}\big]$.
#   The chain forgets the truth and settles into a stationary random predictor:
#
#   $$E_\infty = \|w_0\|^2 + \frac{\sigma^2 v}{1-c_\lambda},\qquad c_\lambda = \frac1d\,\mathbb{E}\,\mathrm{tr}(B^\top B),$$
#
#   worse than predicting $\hat w = 0$. `collapse.regression_collapse_recursion` runs the
#   exact recursion of $\mathbb{E}|\hat w_n|^2$ and $\mathbb{E}\,\hat w_n\cdot w_0$ behind both
#   laws, with the traces averaged over Wishart draws.

# %%
fix_args = {
    "OLS (no fix)": {},
    "real data, rho = 0.1": dict(real_fraction=0.1),
    "real data, rho = 0.3": dict(real_fraction=0.3),
    "T_n = n T": dict(T=T * ns[1:]),
    "T_n = n^2 T": dict(T=T * ns[1:] ** 2),
    "ridge lambda = 3": dict(ridge=3.0),
}
fix_trials = {name: collapse.regression_collapse(d, kw.get("T", T), T0, noise, n_gen, n_trials, seed=2, per_trial=True,
                                                 **{k: v for k, v in kw.items() if k != "T"})
              if kw else E_trials for name, kw in fix_args.items()}
fixes = {name: tr.mean(axis=1) for name, tr in fix_trials.items()}
fix_se = {name: tr.std(axis=1, ddof=1) / np.sqrt(n_trials) for name, tr in fix_trials.items()}

# exact laws: the additive sum for T_n = n^2 T, the moment recursion for real data and ridge
E_grow = collapse.regression_collapse_theory(d, T * ns[1:] ** 2, T0, noise, n_gen)
E_rec = {name: collapse.regression_collapse_recursion(d, T, T0, noise, n_gen, seed=7, **fix_args[name])
         for name in ("real data, rho = 0.1", "real data, rho = 0.3", "ridge lambda = 3")}

fig, ax = plt.subplots(figsize=(8.5, 4))
for name, curve in fixes.items():
    ax.plot(ns, curve, "o", ms=3, label=name)
ax.plot(ns, E_grow, "k--", lw=1, label="exact laws")
for curve in E_rec.values():
    ax.plot(ns, curve, "k--", lw=1)
ax.set_ylim(0, 2.5)
cu.plotting.label(ax, "generation $n$", r"test error $E_n$", "remedies against collapse (OLS leaves the frame)")
ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))
plt.show()
for name, curve in fixes.items():
    print(f"{name:28s} E_10 = {curve[10]:.3f}   E_30 = {curve[30]:.3f}")

# %%
# Check 1: with T_n = n^2 T the sum converges; the simulation follows the exact law within 4
# standard errors at every generation (relative standard error ~0.8%, as above).
# Check 2: 30% real data. The contraction c = E tr(A^T A)/d is averaged over 20000 Wishart
# draws (standard error 0.0003, which moves E_inf by 0.0002, negligible against the 0.003 of
# the simulation). The large-T value c = (1 - rho)^2 = 0.49 gives E_inf = 0.258, 25 standard
# errors below the simulated 0.33: it fails.
# Check 3: ridge lambda = 3 follows the exact recursion (4 standard errors at every generation)
# and heads for 1 + sigma^2 v/(1 - c) = 1.38, not for the trivial predictor's error 1
# (E_30 is already 1.35 +- 0.007).
print(f"T_n = n^2 T: E_30 simulated {fixes['T_n = n^2 T'][30]:.3f}   theory {E_grow[30]:.3f}   "
      f"limit {E_theory[0] + noise**2 * d / (T - d - 1) * np.pi**2 / 6:.3f}")
assert np.all(np.abs(fixes["T_n = n^2 T"] - E_grow) <= 4 * fix_se["T_n = n^2 T"])

step = noise**2 * d / (T - d - 1)
mix = collapse.regression_step_moments(d, T - 9, 9, seed=8)   # 9 = 0.3 T real samples
E_mix = [E_theory[0]]
for _ in range(n_gen):
    E_mix.append(mix["c"] * E_mix[-1] + step)               # E_n = c E_{n-1} + sigma^2 d/(T-d-1)
E_mix = np.array(E_mix)
print(f"rho = 0.3: contraction c = {mix['c']:.3f} (large-T value (1-rho)^2 = {0.7**2:.2f})")
print(f"           E_30 simulated {fixes['real data, rho = 0.3'][30]:.3f} +- {fix_se['real data, rho = 0.3'][30]:.3f}   "
      f"fixed point {step / (1 - mix['c']):.3f}   large-T estimate {step / (1 - 0.7**2):.3f}")
assert np.all(np.abs(fixes["real data, rho = 0.3"] - E_mix) <= 4 * fix_se["real data, rho = 0.3"])
assert np.all(np.abs(fixes["real data, rho = 0.1"] - E_rec["real data, rho = 0.1"]) <= 4 * fix_se["real data, rho = 0.1"])

rid = collapse.regression_step_moments(d, T, 0, ridge=3.0, seed=9)
E_ridge_inf = 1 + noise**2 * rid["v"] / (1 - rid["c"])
print(f"ridge lambda = 3: E_30 simulated {fixes['ridge lambda = 3'][30]:.3f} +- {fix_se['ridge lambda = 3'][30]:.3f}   "
      f"recursion {E_rec['ridge lambda = 3'][30]:.3f}   long-run limit 1 + sigma^2 v/(1-c) = {E_ridge_inf:.2f}")
assert np.all(np.abs(fixes["ridge lambda = 3"] - E_rec["ridge lambda = 3"]) <= 4 * fix_se["ridge lambda = 3"])

# %% [markdown]
# Mixing real data and growing the data both stop the collapse. With 30% real data the error
# saturates at $0.33$, above the large-$T$ estimate $0.26$: at $T = 3d$ a random Gram matrix
# passes on more of the old error than its mean would. Ridge only slows the collapse down
# here: it stops the linear growth, but it also erases the memory of $w_0$, and the chain
# ends at a random predictor with error $1.38$, worse than $\hat w = 0$. Dohmatob, Feng and
# Kempe use ridge differently: the generators stay least-squares fits, and only the final
# model, trained on the $n$-th generation's data, gets a penalty adapted to $n$, which
# mitigates the collapse. A penalty cannot recover what the noise has already erased:
# exercise 2 shows that beyond $n^\ast$ the best ridge here is no better than $\hat w = 0$.

# %% [markdown]
# ### Inputs with a general covariance: the kernel setting
#
# Kempe's section 3.2 states the setting with inputs $x\sim N(0,\Sigma)$, and this is what
# covers kernel regression: a kernel method is linear regression on features whose covariance
# has the kernel's eigenvalues, typically a power law. The test error is then eq. (3.12),
# $E_{\rm test} = \mathbb{E}_x(x^\top\hat w - y)^2 - \sigma^2 = (\hat w-w_0)^\top\Sigma(\hat w-w_0)$,
# no longer $\|\hat w - w_0\|^2$. Each refit still adds an independent error
# $\delta = (X^\top X)^{-1}X^\top E$, now with $\mathbb{E}\,\delta\delta^\top = \sigma^2\,\mathbb{E}(X^\top X)^{-1}
# = \sigma^2\Sigma^{-1}/(T-d-1)$ (write $X = Z\Sigma^{1/2}$). Weighted by $\Sigma$ its trace is $d$,
# unweighted it is $\mathrm{tr}\,\Sigma^{-1}$:
#
# $$E_{\rm test}^{(n)} = \sigma^2 d\Big[\frac{1}{T_0-d-1}+\frac{n}{T-d-1}\Big]\quad\text{for every }\Sigma,\qquad
# \mathbb{E}\|\hat w_n-w_0\|^2 = \sigma^2\,\mathrm{tr}(\Sigma^{-1})\Big[\frac{1}{T_0-d-1}+\frac{n}{T-d-1}\Big].$$
#
# The collapse of the *predictions* does not care about the spectrum; the weights wander far
# along the directions of small variance, where the data barely constrain them. We take
# $d = 10$ features with the power-law spectrum $\lambda_k = k^{-3/2}$ and draw every input
# explicitly (`collapse.regression_collapse_cov`, no Wishart shortcut).

# %%
cov_eigs = np.arange(1, d + 1) ** -1.5   # tr Sigma = 1.99, tr Sigma^-1 = 142.6
n_gen_cov = 20
n_trials_cov = 1000                      # 4000 for class
cov_sim = collapse.regression_collapse_cov(cov_eigs, T, T0, noise, n_gen_cov, n_trials_cov, seed=12)
cov_th = collapse.regression_collapse_cov_theory(cov_eigs, T, T0, noise, n_gen_cov)
ns_cov = np.arange(n_gen_cov + 1)
fig, ax = plt.subplots(figsize=(6.5, 3.8))
for key, c, lab in (("test", "C0", r"test error $(\hat w_n-w_0)^\top\Sigma(\hat w_n-w_0)$"),
                    ("param", "C1", r"parameter error $\|\hat w_n-w_0\|^2$")):
    ax.semilogy(ns_cov, cov_sim[key].mean(axis=1), "o", ms=4, color=c, label=lab)
    ax.semilogy(ns_cov, cov_th[key], "-", color=c, lw=1)
ax.semilogy(ns_cov, noise**2 * cov_eigs.sum() * (1 / (T0 - d - 1) + ns_cov / (T - d - 1)), "C3--", lw=1,
            label=r"wrong: $\mathrm{tr}\,\Sigma$ in place of $d$")
cu.plotting.label(ax, "generation $n$", "error", rf"$x\sim N(0,\Sigma)$, $\lambda_k = k^{{-3/2}}$, d = {d}, T = {T}")
ax.legend(fontsize=8)
plt.show()

# %%
# Check: both errors follow their laws at every generation within 4 standard errors of the
# 1000 trials (relative s.e. ~1.4% at n = 20). Wrong formulas, measured here: the isotropic law
# sigma^2 d [...] for the parameter error is 14 times too small (E_20 = 2.70 against the simulated
# 38.8 +- 0.7), and a test error scaling with the input power, sigma^2 tr(Sigma) [...], is 5 times too
# small (0.54 against 2.69 +- 0.04): both fail by more than 50 standard errors.
cov_z = {}
wrong_values = {"test": cov_th["test"][-1] * cov_eigs.sum() / d,   # tr(Sigma) in place of d
                 "param": cov_th["test"][-1]}                       # isotropic law, d in place of tr(Sigma^-1)
for key in ("test", "param"):
    m, se = cov_sim[key].mean(axis=1), cov_sim[key].std(axis=1, ddof=1) / np.sqrt(n_trials_cov)
    cov_z[key] = (m - cov_th[key]) / se
    print(f"{key:5s} error: E_20 simulated {m[-1]:.2f} +- {se[-1]:.2f}   theory {cov_th[key][-1]:.2f}   "
          f"wrong formula {wrong_values[key]:.2f}")
print("every |z| < 4:", all(bool(np.all(np.abs(z) < 4)) for z in cov_z.values()))
assert np.all(np.abs(cov_z["test"]) < 4) and np.all(np.abs(cov_z["param"]) < 4)

# %% [markdown]
# ## 3. Hutter's memory model on Zipf data
#
# Items $i = 1, 2, \dots$ occur with Zipf probabilities $p(i) = i^{-\beta}/\zeta(\beta)$,
# $\beta > 1$ (word frequencies have $\beta\approx 1$-$2$). A model that memorises the label
# $f(i)$ of every item it saw in $T$ training draws, and answers "don't know" otherwise
# (eq. 3.3), errs on exactly the items it never saw:
#
# $$E_{\rm test}(T) = \sum_{i\ge1} p(i)\,(1-p(i))^T \simeq \sum_i p(i)\,e^{-T p(i)}
# \simeq \frac{\Gamma(1-1/\beta)}{\beta\,\zeta(\beta)^{1/\beta}}\;T^{-(1-1/\beta)} .$$
#
# The last step replaces the sum by an integral and substitutes $u = T p(i)$. The exponent
# $c = 1-1/\beta$ is a *scaling law*: heavy tails (small $\beta$) make learning slow.

# %%
beta = 1.5
T_grid = np.unique(np.logspace(1, 4.5, 8).astype(int))
n_rep = 20
E_mem = collapse.zipf_memory_error(T_grid, beta, n_trials=n_rep, seed=3)
E_mem_exact = collapse.hutter_test_error(T_grid, beta)
c_exp = 1 - 1 / beta
prefactor = special.gamma(c_exp) / (beta * special.zeta(beta) ** (1 / beta))

fig, ax = plt.subplots(figsize=(6, 3.8))
ax.errorbar(T_grid, E_mem.mean(axis=1), E_mem.std(axis=1, ddof=1) / np.sqrt(n_rep), fmt="o", ms=4,
            label=f"memory model, {n_rep} data sets")
ax.loglog(T_grid, E_mem_exact, "k-", lw=1, label=r"$\sum_i p(i)(1-p(i))^T$")
ax.loglog(T_grid, prefactor * T_grid ** -c_exp, "r--", lw=1, label=rf"$\propto T^{{-(1-1/\beta)}}$, $\beta = {beta}$")
cu.plotting.label(ax, "training set size $T$", r"test error $E_{\rm test}$", "scaling law of the memory model")
ax.legend()
plt.show()

# %%
# Check: the simulation agrees with the exact sum within 4 standard errors of the 20 data
# sets, and the log-log slope of the simulation over T = 10^2..3*10^4 is -(1 - 1/beta) up to
# 0.03 (the exact sum still carries a T^(-1/beta) correction to the pure power law).
se_mem = E_mem.std(axis=1, ddof=1) / np.sqrt(n_rep)
big = T_grid >= 100
slope = np.polyfit(np.log(T_grid[big]), np.log(E_mem.mean(axis=1)[big]), 1)[0]
print(f"fitted slope {slope:.3f}   theory -(1 - 1/beta) = {-c_exp:.3f}")
print("T:        ", T_grid)
print("simulated:", np.round(E_mem.mean(axis=1), 4))
print("exact:    ", np.round(E_mem_exact, 4))
assert np.all(np.abs(E_mem.mean(axis=1) - E_mem_exact) < 4 * se_mem)
assert abs(slope + c_exp) < 0.03

# %% [markdown]
# ### Tail cutting by a generative model
#
# Now the training data come from a generative model fitted to $T_0$ real draws. It can only
# produce items it has seen, and item $i$ appears about $T_0 p(i)$ times in its training
# set: the ranks beyond $k \approx (T_0/\zeta(\beta))^{1/\beta}$ (where $T_0p(k) = 1$) are
# missing. Idealise this as a **tail cut**: synthetic items follow $p$ restricted to
# $i\le k$. However large the synthetic set, the items $i>k$ are never learned (eq. 3.9):
#
# $$E_{\rm test}(T) = \sum_{i\le k} p(i)\,(1-p_k(i))^T + \sum_{i>k}p(i)
# \;\xrightarrow{T\to\infty}\; \sum_{i>k}p(i) \simeq \frac{k^{-(\beta-1)}}{(\beta-1)\,\zeta(\beta)} .$$
#
# With $k\sim T_0^{1/\beta}$ the plateau is $\sim T_0^{-(1-1/\beta)}$: the scaling law stops
# where the generator's own training set stopped. We check this also with an honest
# generator, the empirical distribution of $T_0$ real draws (resampled with replacement).

# %%
T_big = np.unique(np.logspace(1, 5, 9).astype(int))
cuts = (10, 100, 1000)
E_cut = {k: collapse.zipf_memory_error(T_big, beta, n_trials=n_rep, seed=4, k=k) for k in cuts}

T0_gen = 1000  # real draws seen by the generator
real = rng.zipf(beta, size=T0_gen)
seen_items, counts = np.unique(real, return_counts=True)
E_empirical = []
for T_syn in T_big:  # synthetic data: resample the generator's training set
    synthetic = rng.choice(seen_items, size=T_syn, p=counts / counts.sum())
    E_empirical.append(1.0 - collapse.zipf_probabilities(np.unique(synthetic), beta).sum())
E_generator = 1.0 - collapse.zipf_probabilities(seen_items, beta).sum()

fig, ax = plt.subplots(figsize=(6.5, 4))
ax.loglog(T_big, collapse.hutter_test_error(T_big, beta), "k-", lw=1, label="clean data")
for j, k in enumerate(cuts):
    ax.loglog(T_big, E_cut[k].mean(axis=1), "o", ms=4, color=f"C{j}", label=f"tail cut at k = {k}")
    ax.loglog(T_big, collapse.hutter_test_error(T_big, beta, k=k), "-", lw=1, color=f"C{j}")
    ax.axhline(collapse.zipf_tail_mass(k, beta), color=f"C{j}", ls=":", lw=1)
ax.loglog(T_big, E_empirical, "s", ms=5, mfc="none", color="C3", label=f"generator = empirical law of $T_0$ = {T0_gen}")
ax.axhline(E_generator, color="C3", ls=":", lw=1)
cu.plotting.label(ax, "synthetic training set size $T$", r"test error $E_{\rm test}$",
                  r"plateaus $\sum_{i>k} p(i)$ (dotted)")
ax.legend(fontsize=8)
plt.show()

# %%
# Check: at the largest T every item i <= k has been drawn (T p_k(k) >> 1 for k <= 100), so the
# simulated error must equal the plateau sum_{i>k} p(i) to within 4 standard errors (plus
# 1e-4 for the rare unseen i <= k); for k = 1000 the exact formula is still above the plateau.
# The plateau follows k^-(beta-1) / ((beta-1) zeta(beta)) up to O(1/k) corrections.
for k in cuts:
    sim_k = E_cut[k][-1]
    law = k ** -(beta - 1) / ((beta - 1) * special.zeta(beta))
    print(f"k = {k:4d}: E_test(T = {T_big[-1]}) = {sim_k.mean():.4f}   plateau {collapse.zipf_tail_mass(k, beta):.4f}   "
          f"k^-(beta-1) law {law:.4f}")
    assert abs(sim_k.mean() - collapse.hutter_test_error(T_big[-1], beta, k=k)) <= 4 * sim_k.std(ddof=1) / np.sqrt(n_rep) + 1e-4
for k in cuts[:2]:
    assert abs(E_cut[k][-1].mean() - collapse.zipf_tail_mass(k, beta)) < 1e-3
print(f"empirical generator: plateau {E_empirical[-1]:.4f}   = error of a memory model on its T0 draws {E_generator:.4f}")
assert abs(E_empirical[-1] - E_generator) < 0.01  # the few seen-once items not resampled

# %% [markdown]
# ## 4. Live: generations, sample size and real data
#
# Left: the Gaussian refit with $T$ samples per generation (mean and median of 500 chains).
# Right: regression collapse in $d = 10$ with $T$ samples per generation, a fraction $\rho$
# of them real; the dashed line is the pure self-training law. The slider stops at 100
# generations so that a redraw takes well under a second (the cost grows with the number of
# generations); section 1 follows the refit over 200.

# %%
def plot_collapse(n_generations=30, T=30, real_fraction=0.0):
    gens_ = np.arange(n_generations + 1)
    chains = collapse.gaussian_refit_chain(n_generations, T, n_chains=500, seed=5)["var"]
    E_ = collapse.regression_collapse(10, T, 50, 0.5, n_generations, 500, seed=5, real_fraction=real_fraction)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    axes[0].semilogy(gens_, chains.mean(axis=0), label="mean")
    axes[0].semilogy(gens_, np.median(chains, axis=0), label="median")
    axes[0].semilogy(gens_, collapse.expected_refit_variance(gens_, T), "k--", label=r"$((T-1)/T)^n$")
    cu.plotting.label(axes[0], "generation $n$", r"$\sigma_n^2$", f"Gaussian refit, T = {T}")
    axes[0].legend()
    axes[1].plot(gens_, E_, "o-", ms=3, label=rf"simulation, $\rho$ = {real_fraction:.2f}")
    axes[1].plot(gens_, collapse.regression_collapse_theory(10, T, 50, 0.5, n_generations), "k--",
                 label=r"law for $\rho = 0$")
    cu.plotting.label(axes[1], "generation $n$", r"$E_n$", f"regression, d = 10, T = {T}")
    axes[1].legend()
    plt.show()


plot_collapse(n_generations=30, T=30, real_fraction=0.0)

# %%
# NBVAL_IGNORE_OUTPUT
cu.plotting.live(plot_collapse, n_generations=(5, 100, 5), T=(15, 300, 5), real_fraction=(0.0, 1.0, 0.05))

# %% [markdown]
# ## 5. Kempe's four sources of error
#
# Kempe's lecture lists four reasons why a model trained on synthetic data drifts away from
# the truth. Each is a way in which the generator differs from the data law; the table says
# where this lecture simulates it.
#
# | source of error | what it is | simulated here |
# |---|---|---|
# | finite sample | each generation sees only $T$ samples of the previous one | **yes**: the Gaussian refit (section 1), the regression chains (section 2), the unseen Zipf items (section 3) |
# | expressivity | the model class cannot represent the data law (under-capacity) | **partly**: the tail cut at rank $k$ (section 3) is a generator that cannot produce the rare items; a Gaussian fitted to non-Gaussian data is not simulated |
# | approximation | the fit is not the best in its class (optimisation bias, early stopping, regularisation) | **partly**: ridge (section 2) is a deliberately biased fit whose bias compounds over generations |
# | interference | the synthetic data are mixed with, and compete with, the real data in training | **no** as such: mixing real data back in (section 2) is only the remedy side |
#
# The finite-sample source is the one with closed-form laws, which is why it carries the checks.

# %% [markdown]
# ## Exercises
#
# Each exercise is followed by its solution, folded on the book site and left out of the student edition.

# %% [markdown]
# **Exercise 1. A conserved moment.** Show that $\mathbb{E}[\mu_{n+1}^2 + \sigma_{n+1}^2 \mid \mu_n, \sigma_n]
# = \mu_n^2+\sigma_n^2$ for the maximum-likelihood refit, hence
# $\mathbb{E}[\mu_n^2] = 1 - ((T-1)/T)^n$: the variance lost is turned into random drift of
# the mean. Check it on `refit`.

# %% tags=["solution"]
# Solution 1: given generation n, E mu_{n+1}^2 = mu_n^2 + sigma_n^2 / T and
# E sigma_{n+1}^2 = sigma_n^2 (T - 1) / T: their sum is conserved, so E mu_n^2 = 1 - E sigma_n^2.
m2 = refit["mean"] ** 2
for n in (1, 10, 50):
    se = m2[:, n].std(ddof=1) / np.sqrt(n_chains)
    print(f"n = {n:2d}: <mu_n^2> = {m2[:, n].mean():.3f} +- {se:.3f}   1 - ((T-1)/T)^n = {1 - collapse.expected_refit_variance(n, T_refit):.3f}")

# %% [markdown]
# **Exercise 2. Tuned ridge.** For the regression chain above ($d = 10$, $T_0 = 50$, $\sigma = 0.5$),
# with the same penalty $\lambda$ at every generation, compute $E_{10}$ and $E_{30}$ as functions
# of $\lambda$ for $T = 30$ and for $T = 300$ (`collapse.regression_collapse_recursion` is fast).
# Does the best $\lambda$ depend on $n$? When does any $\lambda$ beat the trivial predictor
# $\hat w = 0$?

# %% tags=["solution"]
# Solution 2: the exact recursion on a grid of penalties (common random numbers: one seed for all).
lams = np.array([0.0, 0.3, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 100.0])
for T_ex in (30, 300):
    scan = np.array([collapse.regression_collapse_recursion(d, T_ex, T0, noise, 30, ridge=lam, n_samples=4000,
                                                            seed=6)[[10, 30]] for lam in lams])
    print(f"T = {T_ex}:")
    for lam, (e10, e30) in zip(lams, scan):
        print(f"  lambda = {lam:5.1f}: E_10 = {e10:.2f}   E_30 = {e30:.2f}")
# At T = 30 the best penalty at n = 10 is lambda ~ 2 with E_10 ~ 0.90, barely below the trivial
# predictor's 1; at n = 30 (> n* ~ 7) every lambda gives E_30 > 1 and the error falls towards 1 as
# lambda grows: the best "ridge" is w = 0, the truth is lost. At T = 300 (n* ~ 100) a penalty of
# order 1 helps a little at both n = 10 and n = 30 (0.14 vs 0.15, 0.30 vs 0.32): the best lambda
# hardly moves with n; what depends on n is whether ridge can help at all.

# %% [markdown]
# **Exercise 3. A heavier tail.** Repeat the memory-model scaling law for $\beta = 1.2$ and $\beta = 3$.
# Which data are harder to learn, and how many real draws $T_0$ does a generator need so
# that its plateau is below $0.05$?

# %% tags=["solution"]
# Solution 3: c = 1 - 1/beta is 0.17 for beta = 1.2 (very slow) and 0.67 for beta = 3.
# The plateau of a generator trained on T0 draws is about E_test(T0) itself: solve E_test(T0) = 0.05.
from scipy.optimize import brentq

for b in (1.2, 3.0):
    log_T0 = brentq(lambda lt: collapse.hutter_test_error(np.exp(lt), b) - 0.05, np.log(2.0), np.log(1e12))
    print(f"beta = {b}: E_test(10^4) = {collapse.hutter_test_error(1e4, b):.3f};  "
          f"E_test(T0) < 0.05 needs T0 > {np.exp(log_T0):.1e}")

# %% [markdown]
# ## References
# - I. Shumailov, Z. Shumaylov, Y. Zhao, N. Papernot, R. Anderson, Y. Gal, *AI models collapse
#   when trained on recursively generated data*, Nature 631, 755 (2024).
# - E. Dohmatob, Y. Feng, J. Kempe, *Model collapse demystified: the case of regression*,
#   NeurIPS 2024, arXiv:2402.07712.
# - E. Dohmatob, Y. Feng, P. Yang, F. Charton, J. Kempe, *A tale of tails: model collapse as a
#   change of scaling laws*, ICML 2024, arXiv:2402.07043.
# - M. Hutter, *Learning curve theory*, arXiv:2102.04074 (2021) (the memory model).
# - J. Kempe, *Synthetic data: the good, the bad, the ugly (and the math)*, lecture at the Beg
#   Rohu 2025 summer school, in *Lecture Notes from Beg Rohu 2025* (C. Miyamoto), Part II,
#   sections 3.1-3.2.
# - M. Gerstgrasser et al., *Is model collapse inevitable? Breaking the curse of recursion by
#   accumulating real and synthetic data*, arXiv:2404.01413 (2024).
