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
# # 02 · Regression four ways: maximum likelihood, MAP, Bayes, and $p > n$
#
# Fitting a straight line by least squares is something every physicist has done in a
# lab. This lecture shows what that procedure *is* — maximum likelihood under Gaussian
# noise — and what happens when we change the question: weight the points by their error
# bars, add a prior (ridge = MAP), ask for the whole posterior and its predictive bands,
# or use more parameters than data points, where the minimum-norm solution produces
# the "double descent" of the test error.
#
# **Learning goals**
# - derive $\hat\beta_{\rm MLE} = (X^T\Sigma^{-1}X)^{-1}X^T\Sigma^{-1}y$ and check its covariance by simulation;
# - see that ridge regression is the MAP estimate with $\lambda = \sigma^2/\tau^2$, and that this
#   $\lambda$ is the best one when $\beta$ really comes from the prior;
# - compute Bayesian posterior and predictive bands and check their calibration;
# - solve $p > n$ problems with the dual (Woodbury) form and measure double descent
#   against its exact formula;
# - measure the large-sample properties of the MLE (consistency, asymptotic normality,
#   the Cramér-Rao bound $1/I(\theta)$) in Poisson regression, where the MLE is not least squares.
#
# *Source:* recitation notes, sections 3-4 (MLE and MSE, L2 regularisation, linear
# regression, the MLE's properties in section 4.1, Bayesian linear regression) and
# eq. (1.43)-(1.44), C. Miyamoto,
# *Machine Learning for Physicists: Recitation Notes*.

# %%
import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

import course_utils as cu
from course_utils import regression as reg

rng = cu.setup(seed=0)

# %% [markdown]
# ## 1. Maximum likelihood is (weighted) least squares
#
# With $y_i = \beta^Tx_i + \epsilon_i$, $\epsilon_i\sim N(0,\sigma_i^2)$ independent, the
# log-likelihood is $-\tfrac12 (y-X\beta)^T\Sigma^{-1}(y-X\beta)$ + const, with
# $\Sigma = \mathrm{diag}(\sigma_i^2)$. Setting its gradient $X^T\Sigma^{-1}(y - X\beta)$ to zero,
#
# $$\hat\beta_{\rm MLE} = (X^T\Sigma^{-1}X)^{-1}X^T\Sigma^{-1}y,\qquad
# \mathrm{Cov}(\hat\beta_{\rm MLE}) = (X^T\Sigma^{-1}X)^{-1}.$$
#
# The matrix $X^T\Sigma^{-1}X$ is minus the Hessian of the log-likelihood, the **Fisher
# information** $I(\beta)$ of the data about $\beta$; the covariance of the MLE is its inverse,
# $I(\beta)^{-1}$, so here the Cramér-Rao bound is attained exactly. $X^T\Sigma^{-1}X$ is
# $p\times p$ of rank at most $n$, so the formula needs $n\ge p$ data points: the notes'
# eq. (1.43) attaches the condition "$n<p$", which is backwards.
#
# With equal error bars this is ordinary least squares. With unequal ones, ignoring
# them (OLS) still gives an unbiased estimate, but a noisier one:
# $\mathrm{Cov}(\hat\beta_{\rm OLS}) = (X^TX)^{-1}X^T\Sigma X(X^TX)^{-1}$.
# We fit a line $y = \beta_0 + \beta_1 t$ to data whose error bars grow with $t$.

# %%
n_pts = 40
t = np.linspace(0, 1, n_pts)
X_line = np.stack([np.ones_like(t), t], axis=1)
beta_line = np.array([1.0, 2.0])
sigma_i = 0.05 + 0.6 * t**2  # heteroscedastic error bars
y_line = X_line @ beta_line + sigma_i * rng.standard_normal(n_pts)

b_wls = reg.weighted_least_squares(X_line, y_line, sigma_i**2)
b_ols = reg.weighted_least_squares(X_line, y_line)
fig, ax = plt.subplots(figsize=(6, 3.8))
ax.errorbar(t, y_line, sigma_i, fmt="o", ms=3, alpha=0.6, label="data $\\pm\\sigma_i$")
ax.plot(t, X_line @ beta_line, "k", label="truth")
ax.plot(t, X_line @ b_wls, "C3", label=f"weighted LS: {b_wls.round(2)}")
ax.plot(t, X_line @ b_ols, "C2--", label=f"ordinary LS: {b_ols.round(2)}")
cu.plotting.label(ax, "$t$", "$y$", "maximum likelihood with error bars")
ax.legend()
plt.show()

# %% [markdown]
# One fit is one draw. To compare the estimators we refit 20 000 independent noise
# realisations at once (the columns of a matrix $Y$) and compare the empirical
# covariance of the estimates with the formulas.

# %%
n_rep = 20_000
Y = (X_line @ beta_line)[:, None] + sigma_i[:, None] * rng.standard_normal((n_pts, n_rep))
B_wls = reg.weighted_least_squares(X_line, Y, sigma_i**2)
B_ols = reg.weighted_least_squares(X_line, Y)
XtX_inv = np.linalg.inv(X_line.T @ X_line)
cov_wls_theory = np.linalg.inv(X_line.T @ (X_line / sigma_i[:, None] ** 2))
cov_ols_theory = XtX_inv @ X_line.T @ (sigma_i[:, None] ** 2 * X_line) @ XtX_inv
print("slope standard deviation:  WLS sim {:.4f}  theory {:.4f}  |  OLS sim {:.4f}  theory {:.4f}".format(
    B_wls[1].std(), np.sqrt(cov_wls_theory[1, 1]), B_ols[1].std(), np.sqrt(cov_ols_theory[1, 1])))
print("mean of the estimates (both unbiased):", B_wls.mean(axis=1).round(3), B_ols.mean(axis=1).round(3))

# %%
# Check: empirical covariances match the formulas (20000 draws: relative error of a
# variance ~ sqrt(2/20000) = 1%, we allow 5%), and weighting by the error bars helps.
# The plausible wrong OLS covariance, the textbook mean(sigma_i^2) (X^T X)^-1 that forgets the
# sandwich, gives a slope standard deviation 0.167 instead of the measured 0.203 (variance
# off by 33%): it fails.
assert np.allclose(np.cov(B_wls), cov_wls_theory, rtol=0.05, atol=1e-6)
assert np.allclose(np.cov(B_ols), cov_ols_theory, rtol=0.05, atol=1e-6)
assert cov_wls_theory[1, 1] < cov_ols_theory[1, 1]

# %% [markdown]
# ## 2. MAP = ridge, and the best $\lambda$
#
# With a Gaussian prior $\beta\sim N(0,\tau^2 I)$ and noise $N(0,\sigma^2)$, Bayes' rule gives
#
# $$-\log p(\beta\mid y) = \frac{1}{2\sigma^2}\|y - X\beta\|^2 + \frac{1}{2\tau^2}\|\beta\|^2 + \text{const},$$
#
# so the maximum a posteriori estimate is ridge regression with $\lambda = \sigma^2/\tau^2$:
#
# $$\hat\beta_{\rm MAP} = (X^TX + \lambda I)^{-1}X^Ty .$$
#
# The notes' eq. (3.13) writes the log posterior as $\sum_i\|y_i - f_\theta(x_i)\|^2 +
# \lambda\|\theta\|^2$: that expression has lost the overall minus sign (and the factors
# $1/2$, with $\sigma^2 = 1$). It is minus the log posterior up to a factor and a constant, so
# the MAP estimate is its *minimiser*, not its maximiser (which does not even exist: it grows
# without bound). If $\beta$ really is drawn from the prior, the posterior mean
# minimises the expected squared error, so test error against $\lambda$ should bottom
# out at $\sigma^2/\tau^2$. We check this with many data sets drawn from the prior,
# all $\lambda$ at once through one SVD per data set.

# %%
n_train, p_dim, noise_var, prior_var = 50, 40, 1.0, 0.1  # lambda* = sigma^2 / tau^2 = 10
lams = np.logspace(-1, 3, 41)
n_sets = 300
test_err = np.zeros_like(lams)
for _ in range(n_sets):
    beta = np.sqrt(prior_var) * rng.standard_normal(p_dim)
    X = rng.standard_normal((n_train, p_dim))
    y = X @ beta + np.sqrt(noise_var) * rng.standard_normal(n_train)
    B = reg.ridge(X, y, lams)  # (len(lams), p)
    test_err += ((B - beta) ** 2).sum(axis=1) / n_sets  # = excess test MSE for x ~ N(0, I)
best_lam = lams[np.argmin(test_err)]

fig, ax = plt.subplots(figsize=(6, 3.8))
ax.semilogx(lams, test_err, "o-", ms=3, label="excess test error, average of 300 data sets")
ax.axvline(noise_var / prior_var, color="k", ls="--", label=r"$\lambda^*=\sigma^2/\tau^2$")
ax.axhline(p_dim * prior_var, color="gray", ls=":", label=r"$\beta = 0$: $p\tau^2$")
cu.plotting.label(ax, r"ridge parameter $\lambda$", r"$\mathbb{E}\|\hat\beta_\lambda - \beta\|^2$",
                  f"n = {n_train}, p = {p_dim}")
ax.legend()
plt.show()

# %%
# Check: the best lambda on the grid sits at sigma^2/tau^2 = 10 within a factor 1.6
# (two grid steps; the minimum is flat, and 300 data sets pin it to about that precision).
# The plausible wrong choices, lambda = sigma^2 = 1 (the prior forgotten) or tau^2/sigma^2 = 0.1
# (inverted), lie a factor 10 and 100 away, with excess errors 2.4 and 3.9 against 1.27 at
# lambda = 10 (measured on another 300 data sets).
print(f"best lambda on the grid: {best_lam:.2f}   theory sigma^2/tau^2 = {noise_var / prior_var:.1f}")
assert 10 / 1.6 < best_lam < 10 * 1.6

# %% [markdown]
# ## 3. The Bayesian posterior and predictive bands
#
# Because prior and likelihood are Gaussian, so is the posterior:
#
# $$\beta\mid y \sim N(m, C),\qquad C = \Big(\frac{X^TX}{\sigma^2} + \frac{I}{\tau^2}\Big)^{-1},\qquad m = \frac{CX^Ty}{\sigma^2},$$
#
# and a new observation $y_* = x_*^T\beta + \epsilon$ has the predictive law
# $N\big(x_*^Tm,\; x_*^TCx_* + \sigma^2\big)$: model uncertainty plus noise. We use
# Gaussian bumps as features, $x_j(t) = e^{-(t-c_j)^2/2w^2}$, so the model is nonlinear
# in $t$ but linear in $\beta$.

# %%
centers = np.linspace(-1, 1, 15)


def features(t, width=0.15):
    return np.exp(-((np.asarray(t)[:, None] - centers) ** 2) / (2 * width**2))


def target(t):
    return np.sin(3 * t) + 0.5 * t


def plot_posterior(n=12, noise_std=0.2, prior_std=1.0, seed=1):
    r = cu.make_rng(seed)
    t_obs = r.uniform(-1, 0.4, n)  # no data on the right: watch the band widen there
    y_obs = target(t_obs) + noise_std * r.standard_normal(n)
    m, C = reg.bayes_posterior(features(t_obs), y_obs, noise_std**2, prior_std**2)
    t_grid = np.linspace(-1.2, 1.2, 300)
    mu, var = reg.bayes_predictive(features(t_grid), m, C, noise_std**2)
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    ax.fill_between(t_grid, mu - 2 * np.sqrt(var), mu + 2 * np.sqrt(var), alpha=0.25, label="predictive $\\pm 2$ sd")
    for b in r.multivariate_normal(m, C, size=5):
        ax.plot(t_grid, features(t_grid) @ b, lw=0.7, color="C1", alpha=0.8)
    ax.plot(t_grid, mu, "C0", label="posterior mean")
    ax.plot(t_grid, target(t_grid), "k--", lw=1, label="truth")
    ax.plot(t_obs, y_obs, "ko", ms=4, label=f"{n} observations")
    ax.set_ylim(-3, 3)
    cu.plotting.label(ax, "$t$", "$y$", "Bayesian regression: posterior draws (orange)")
    ax.legend(loc="lower right", fontsize="small")
    plt.show()


plot_posterior()

# %%
# NBVAL_IGNORE_OUTPUT
cu.plotting.live(plot_posterior, n=(1, 60, 1), noise_std=(0.02, 1.0, 0.02), prior_std=(0.1, 3.0, 0.1))

# %% [markdown]
# **Calibration check.** If the data really come from the model (β drawn from the prior,
# noise as assumed), a 95 % predictive interval must contain a new observation 95 % of the
# time. We test this on 2000 synthetic problems, one new point each.

# %%
n_problems, n_obs, s_noise, s_prior = 2000, 10, 0.3, 1.0
inside = np.zeros(n_problems, dtype=bool)
for k in range(n_problems):
    beta = s_prior * rng.standard_normal(centers.size)
    t_obs = rng.uniform(-1, 1, n_obs + 1)
    Phi = features(t_obs)
    y_obs = Phi @ beta + s_noise * rng.standard_normal(n_obs + 1)
    m, C = reg.bayes_posterior(Phi[:-1], y_obs[:-1], s_noise**2, s_prior**2)
    mu, var = reg.bayes_predictive(Phi[-1:], m, C, s_noise**2)
    inside[k] = abs(y_obs[-1] - mu[0]) < 1.96 * np.sqrt(var[0])
coverage = inside.mean()
print(f"coverage of the 95% predictive interval: {coverage:.3f}")
# Check: binomial standard error sqrt(0.95 * 0.05 / 2000) = 0.005; allow 3 standard errors.
# Leaving the noise out of the predictive variance (x^T C x alone, the posterior of the mean
# function) gives coverage 0.856 on the same problems, and the noise alone (sigma^2) 0.72.
assert abs(coverage - 0.95) < 0.015

# %% [markdown]
# ## 4. More parameters than data: minimum norm and double descent
#
# For $p > n$, $X^TX$ is singular and infinitely many $\beta$ interpolate the data. Among
# them the one of smallest norm is
#
# $$\hat\beta = X^T(XX^T)^{-1}y ,$$
#
# which needs only an $n\times n$ solve, and is the $\lambda\to0$ limit of ridge, since
# $(X^TX+\lambda I)^{-1}X^T = X^T(XX^T+\lambda I)^{-1}$ (the push-through identity, a corollary of
# Woodbury). The noise covariance plays no role: every interpolator fits $y$ exactly. The notes'
# eq. (1.44), $\hat\beta = \Sigma^{-1}X^T(X\Sigma^{-1}X^T)^{-1}y$, is dimensionally inconsistent with
# $\Sigma$ the $n\times n$ noise covariance of eq. (1.43): $\Sigma^{-1}X^T$ multiplies an
# $n\times n$ by a $p\times n$ matrix. It makes sense only with a $p\times p$ matrix $M$ in place of
# $\Sigma$, where $M^{-1}X^T(XM^{-1}X^T)^{-1}y$ is the interpolator of smallest $\beta^TM\beta$;
# with $M = I$ it is the formula above. For
# isotropic Gaussian inputs $x\sim N(0,I_p)$, $\|\beta\|^2 = r^2$ and noise $\sigma^2$,
# the expected excess risk is known exactly (inverse-Wishart means):
#
# $$\mathbb{E}\|\hat\beta - \beta\|^2 = \begin{cases}\sigma^2\dfrac{p}{n-p-1} & p < n-1,\\[2mm]
# r^2\Big(1-\dfrac np\Big) + \sigma^2\dfrac{n}{p-n-1} & p > n+1,\end{cases}$$
#
# which diverges at the interpolation threshold $p = n$ and comes down again beyond:
# the second half of **double descent**.
#
# Be careful with what this experiment compares. Each $p$ is a different problem: the true
# $\beta$ has $p$ components, all of them in the model, with the same norm $r^2$. There is no
# bias to remove by adding features, so the small-$p$ side has no first descent (the risk
# only rises towards the peak), and the minimum beyond the peak (about $0.76$ near $p = 2n$)
# is twenty times worse than $p = 5$ and not far from the null predictor. The classical
# picture of Belkin et al., a U-curve then a second descent below it, needs a fixed target
# that a model with few features cannot represent.

# %%
n_dd, r2, s2_dd = 40, 1.0, 0.25
p_values = np.array([5, 10, 20, 30, 34, 37, 43, 46, 50, 60, 80, 120, 200, 400])
trials = 400
risk_sim = []
for p in p_values:
    beta = np.ones(p) * np.sqrt(r2 / p)
    X = rng.standard_normal((trials, n_dd, p))
    y = X @ beta + np.sqrt(s2_dd) * rng.standard_normal((trials, n_dd))
    B = np.linalg.pinv(X) @ y[..., None]  # batched min-norm solutions
    risk_sim.append(((B[..., 0] - beta) ** 2).sum(axis=1))
risk_sim = np.array(risk_sim)
risk_mean = risk_sim.mean(axis=1)
risk_theory = reg.min_norm_risk(n_dd, p_values, r2, s2_dd)

fig, ax = plt.subplots(figsize=(6.5, 3.8))
for p_fine, lab in ((np.linspace(1, n_dd - 1.2, 100), "exact expectation"), (np.linspace(n_dd + 1.2, 400, 300), None)):
    ax.loglog(p_fine / n_dd, reg.min_norm_risk(n_dd, p_fine, r2, s2_dd), "k", label=lab)
ax.loglog(p_values / n_dd, risk_mean, "o", label=f"simulation, {trials} data sets")
ax.axvline(1.0, color="gray", ls=":")
ax.axhline(r2, color="C2", ls="--", label=r"null predictor $\beta=0$")
ax.set_ylim(1e-2, 1e2)
cu.plotting.label(ax, "parameters per data point $p/n$", r"$\mathbb{E}\|\hat\beta-\beta\|^2$",
                  f"double descent of min-norm regression, n = {n_dd}")
ax.legend()
plt.show()

# %%
# Check: simulation vs exact risk away from the peak (|p - n| >= 6, where the risk has
# finite variance); standard error from the 400 data sets. Each point within 4 of them, and
# the mean squared z-score over the 12 points near its expected 1 (sd ~0.4; measured
# 0.65-0.93 over three seeds), below 2.5. The large-n form without the "-1"s,
# sigma^2 p / (n - p) and sigma^2 n / (p - n), is the plausible wrong formula: single points
# sit only ~4 s.e. off (max |z| 3.3-4.4), but its mean z^2 is 4.8-7.6 and fails; forgetting
# the bias term r^2 (1 - n/p) fails by hundreds of s.e.
se = risk_sim.std(axis=1, ddof=1) / np.sqrt(trials)
ok = np.abs(p_values - n_dd) >= 6
for p, sim, err, th in zip(p_values[ok], risk_mean[ok], se[ok], risk_theory[ok]):
    print(f"p = {p:3d}: simulated {sim:.3f} ± {err:.3f}   exact {th:.3f}")
z = (risk_mean[ok] - risk_theory[ok]) / se[ok]
print("every |z| < 4:", bool(np.all(np.abs(z) < 4)), "  mean z^2 < 2.5:", bool((z**2).mean() < 2.5))
assert np.all(np.abs(z) < 4) and (z**2).mean() < 2.5

# %% [markdown]
# The dual form is also the cheap one: for $p\gg n$ the primal normal equations would
# need a $p\times p$ solve. Ridge with a small $\lambda$ tames the peak (exercise 2).

# %% [markdown]
# ## 5. Properties of the MLE when it is not least squares
#
# Recitation notes (Miyamoto), section 4.1, list three guarantees of maximum likelihood
# without proof: **consistency** ($\hat\theta_n\to\theta$), **asymptotic normality** and
# **efficiency** (the Cramér-Rao bound $\mathrm{Var}\,\hat\theta\ge 1/I(\theta)$). The notes
# write the normal law as $N(0,\mathcal I)$; the correct statement is about the error and has
# the *inverse* information as covariance:
#
# $$\sqrt n\,(\hat\theta_n-\theta)\;\to\;N\big(0,\;n\,I_n(\theta)^{-1}\big),\qquad
# I_n(\theta) = -\,\mathbb E\,\partial_\theta^2\log p(y\mid\theta).$$
#
# In section 1 all of this held exactly at every $n$, because the model was linear and
# Gaussian. To see the guarantees as *asymptotic* statements we need a model whose MLE is
# not least squares: counts $y_i\sim\mathrm{Poisson}(\mu_i)$ with $\log\mu_i = \beta_0+\beta_1t_i$
# (a decay or growth rate measured by a counter). The score and the Fisher information are
#
# $$\partial_\beta\log p = X^T(y-\mu) = 0,\qquad I(\beta) = X^T\mathrm{diag}(\mu)\,X .$$
#
# The score equation has no closed form, so `reg.poisson_regression` solves it by Newton's
# method. Note the weights: the information grows with $\mu_i$, not with $1/\mu_i$. Plugging
# $\mathrm{Var}\,y_i = \mu_i$ as $\sigma_i^2$ into section 1's $X^T\Sigma^{-1}X$ would give
# $X^T\mathrm{diag}(1/\mu)X$, the plausible wrong formula: the Gaussian error bars weigh a point
# by its precision in $y$, but here $y$ enters through $\log\mu$, and $\partial\mu/\partial\eta=\mu$
# turns the weight $1/\mu_i$ into $\mu_i^2/\mu_i=\mu_i$. We fit 4000 independent data sets at each
# of three sample sizes $n$ (times $t_i$ evenly spread on $[0,1]$).

# %%
beta_pois = np.array([1.0, 1.5])  # mu from 2.7 to 12 counts per bin
n_sizes = [25, 100, 400]
n_sets_pois = 4000
fits = {}
for n in n_sizes:
    t_bins = (np.arange(n) + 0.5) / n
    X_pois = np.stack([np.ones(n), t_bins], axis=1)
    mu_true = np.exp(X_pois @ beta_pois)
    counts = rng.poisson(mu_true[:, None], size=(n, n_sets_pois))
    B_pois = reg.poisson_regression(X_pois, counts)  # (2, n_sets_pois)
    crb = np.linalg.inv(reg.poisson_fisher_information(X_pois, beta_pois))
    crb_wrong = np.linalg.inv(X_pois.T @ (X_pois / mu_true[:, None]))  # section 1 with sigma_i^2 = mu_i
    fits[n] = (B_pois[1], crb[1, 1], crb_wrong[1, 1])
    print(f"n = {n:3d}: mean slope {B_pois[1].mean():.3f} (true {beta_pois[1]})   "
          f"n Var(slope) = {n * B_pois[1].var(ddof=1):.2f}   n [I^-1]_11 = {n * crb[1, 1]:.2f}")

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
ns = np.array(n_sizes)
axes[0].plot(ns, [n * fits[n][0].var(ddof=1) for n in n_sizes], "o", label=r"simulation $n\,\mathrm{Var}\,\hat\beta_1$")
axes[0].plot(ns, [n * fits[n][1] for n in n_sizes], "k-", label=r"Cramér-Rao $n\,[I^{-1}]_{11}$")
axes[0].plot(ns, [n * fits[n][2] for n in n_sizes], "C3--", label=r"wrong weights $1/\mu_i$")
axes[0].set_xscale("log")
axes[0].set_yscale("log")
axes[0].set_xticks(n_sizes, [str(n) for n in n_sizes])
axes[0].set_yticks([1, 10, 100], ["1", "10", "100"])
axes[0].minorticks_off()
axes[0].set_ylim(1, 200)
cu.plotting.label(axes[0], "number of bins $n$", r"$n\,\mathrm{Var}(\hat\beta_1)$", "efficiency")
axes[0].legend(fontsize="small")
zgrid = np.linspace(-4, 4, 200)
for n, c in ((25, "C1"), (400, "C0")):
    z_n = (fits[n][0] - beta_pois[1]) / np.sqrt(fits[n][1])
    axes[1].hist(z_n, bins=50, range=(-4, 4), density=True, histtype="step", color=c, label=f"n = {n}")
axes[1].plot(zgrid, np.exp(-zgrid**2 / 2) / np.sqrt(2 * np.pi), "k", label="$N(0,1)$")
cu.plotting.label(axes[1], r"$z = (\hat\beta_1-\beta_1)/\sqrt{[I^{-1}]_{11}}$", "density", "asymptotic normality")
axes[1].legend(fontsize="small")
plt.show()

# %% [markdown]
# $n\,\mathrm{Var}\,\hat\beta_1$ stays constant, so the spread shrinks like $n^{-1/2}$ and the mean
# sits on the truth: the estimator is consistent. The constant is the Cramér-Rao value; the
# wrong weights miss it by a factor of about 33. The check below tests, at the largest $n$,
# the variance against $[I^{-1}]_{11}$ and the standardised slope against $N(0,1)$ by a
# Kolmogorov-Smirnov distance.

# %%
# Check: at n = 400, Var(slope) / [I^-1]_11 = 1 within 4 standard errors of a sample
# variance, 4 sqrt(2 / 3999) = 0.089 (measured 0.98, 1.00, 1.02 at n = 400, 100, 25 for seed 0:
# the finite-n excess is O(1/n) and below the tolerance). The mean slope is within 4 standard
# errors of the truth (consistency; the O(1/n) bias is ~0.001 here). The standardised slope z
# passes a Kolmogorov-Smirnov test against N(0, 1): D < 1.95 / sqrt(4000) = 0.031 (the 0.1% critical
# value; measured D = 0.015). Wrong formulas, measured: section 1's X^T Sigma^-1 X with
# sigma_i^2 = mu_i, i.e. weights 1/mu_i, gives a variance 33 times too large (ratio 0.030, and
# D = 0.35 for z standardised with it); unit weights (X^T X)^-1, least squares' covariance with
# sigma = 1, gives ratio 0.18.
slope, var_crb, var_wrong = fits[400]
ratio = slope.var(ddof=1) / var_crb
tol_var = 4 * np.sqrt(2 / (n_sets_pois - 1))
bias_z = (slope.mean() - beta_pois[1]) / (slope.std(ddof=1) / np.sqrt(n_sets_pois))
ks_D = stats.kstest((slope - beta_pois[1]) / np.sqrt(var_crb), "norm").statistic
ks_D_wrong = stats.kstest((slope - beta_pois[1]) / np.sqrt(var_wrong), "norm").statistic
print(f"Var(slope) / Cramer-Rao = {ratio:.2f}  (tolerance {tol_var:.3f});  with weights 1/mu: {slope.var(ddof=1) / var_wrong:.3f}")
print(f"bias within 4 standard errors: {abs(bias_z) < 4}")
print(f"KS distance to N(0,1) < 0.031: {ks_D < 1.95 / np.sqrt(n_sets_pois)}   (with weights 1/mu: {ks_D_wrong:.2f})")
assert abs(ratio - 1) < tol_var
assert abs(bias_z) < 4
assert ks_D < 1.95 / np.sqrt(n_sets_pois)
assert ks_D_wrong > 0.2

# %% [markdown]
# ## Exercises
#
# Each exercise is followed by its solution, folded on the book site and left out of the student edition.

# %% [markdown]
# **Exercise 1.** Show that $\mathrm{Cov}(\hat\beta_{\rm OLS}) \succeq \mathrm{Cov}(\hat\beta_{\rm WLS})$ (Gauss-Markov) and
# check it on the line-fit example by computing the eigenvalues of the difference.

# %% tags=["solution"]
# Solution 1: the difference of covariances is positive semi-definite
diff = cov_ols_theory - cov_wls_theory
print("eigenvalues of Cov(OLS) - Cov(WLS):", np.linalg.eigvalsh(diff).round(6))

# %% [markdown]
# **Exercise 2.** Redo the double-descent curve with ridge at $\lambda = \sigma^2/\tau^2$ where
# $\tau^2 = r^2/p$. What happens to the peak?

# %% tags=["solution"]
# Solution 2: optimally tuned ridge has no interpolation peak (averaged over 200 sets)
ridge_risk = []
for p in p_values:
    beta = np.ones(p) * np.sqrt(r2 / p)
    errs = []
    for _ in range(200):
        X = rng.standard_normal((n_dd, p))
        y = X @ beta + np.sqrt(s2_dd) * rng.standard_normal(n_dd)
        errs.append(((reg.ridge(X, y, s2_dd / (r2 / p)) - beta) ** 2).sum())
    ridge_risk.append(np.mean(errs))
print("p/n:", (p_values / n_dd).round(2))
print("ridge risk:", np.round(ridge_risk, 3))

# %% [markdown]
# **Exercise 3.** Show that $\lim_{\lambda\to0}(X^TX+\lambda I)^{-1}X^Ty = X^T(XX^T)^{-1}y$ when $p>n$.

# %% tags=["solution"]
# Solution 3: numerically, ridge with a tiny lambda equals the min-norm interpolator
X = rng.standard_normal((10, 50))
y = rng.standard_normal(10)
print("max difference:", np.abs(reg.ridge(X, y, 1e-9) - reg.min_norm_least_squares(X, y)).max() < 1e-6)

# %% [markdown]
# ## References
# - C. M. Bishop, *Pattern Recognition and Machine Learning*, Springer (2006), ch. 3.
# - T. Hastie, A. Montanari, S. Rosset, R. Tibshirani, *Surprises in high-dimensional
#   ridgeless least squares interpolation*, Ann. Statist. 50, 949 (2022).
# - M. Belkin, D. Hsu, S. Ma, S. Mandal, *Reconciling modern machine-learning practice and
#   the classical bias-variance trade-off*, PNAS 116, 15849 (2019).
# - G. Casella, R. L. Berger, *Statistical Inference*, 2nd ed., Duxbury (2002), sections 7.3.2
#   (Cramér-Rao) and 10.1 (consistency and asymptotic normality of the MLE).
# - P. McCullagh, J. A. Nelder, *Generalized Linear Models*, 2nd ed., Chapman & Hall (1989),
#   ch. 2 and 6 (Poisson regression, Fisher scoring).
