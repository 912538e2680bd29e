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
# # 18 · Representations as linearly readable information
#
# When does a brain area, or a layer of a network, "represent" a quantity? J.-R. King's
# working answer is operational: $X$ represents $Y$ if a *linear* map reads $Y$ out of $X$
# on data it was not fitted on. Linear, because any invertible nonlinear map could
# otherwise decode anything from anything; held out, because a flexible readout fits noise.
# This lecture turns the definition into a measurement (ridge regression with
# cross-validated $R^2$), calibrates it against exact results, and uses it the way
# neuroscience experiments do: comparing representations (raw inputs, random features, the
# layers of a trained network), following a code in time, and testing significance.
#
# **Learning goals**
# - compute ridge readouts for all penalties at once from one SVD, and know the exact
#   out-of-sample risk of least squares;
# - read the bias-variance trade-off of the ridge penalty off a cross-validation curve and
#   compare the best penalty with the Bayes-optimal one;
# - measure which information is linearly readable from raw inputs, random features and
#   trained layers, and follow low- and high-level codes in time in a synthetic brain;
# - attach a p-value to a readout with a permutation test.
# - measure the convergence of two independent networks' representations with linear CKA,
#   $1-\mathrm{CKA}\propto 1/N$ in the width $N$ (King's convergence theme);
# - test a compositional (additive) code against a conjunctive one by reading an attribute
#   out of combinations never seen in training, against exact predictions.
#
# *Source:* *Lecture Notes from Beg Rohu 2025* (C. Miyamoto), Part III (J.-R. King, *Geometry of thought*), Definition 7
# and the encoding-model experiments that follow it; sections 7-8 take up the two other themes of
# King's overview (section 4 of the notes), the evidence of convergence and the coding of
# compositional structures.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from scipy import stats

import course_utils as cu
from course_utils import readout

rng = cu.setup(seed=0)

# %% [markdown]
# ## 1. The readout: ridge regression through one SVD
#
# Given $n$ samples of a representation $X\in\mathbb{R}^{n\times p}$ and a target
# $Y\in\mathbb{R}^{n\times k}$, the linear readout $\hat Y = X\hat w$ minimises
# $\|Y - Xw\|^2 + \alpha\|w\|^2$. With the thin SVD $X = U\,\mathrm{diag}(s)\,V^\top$,
#
# $$\hat w(\alpha) = (X^\top X + \alpha I)^{-1}X^\top Y = V\,\mathrm{diag}\Big(\frac{s_r}{s_r^2+\alpha}\Big)\,U^\top Y ,$$
#
# so one decomposition serves every $\alpha$ and every target column. The readout quality is
# the out-of-fold $R^2 = 1 - \sum(y - \hat y_{\rm cv})^2/\sum (y-\bar y)^2$ over $K$ folds.
# It is exact to check on a linear world, $y = x^\top w + \epsilon$ with $x\sim N(0, I_p)$:
# for least squares with an intercept on $n$ training samples the prediction risk is
#
# $$\mathbb{E}(y-\hat y)^2 = \sigma^2\Big(1+\frac1n\Big)\Big(1+\frac{p}{n-p-2}\Big),$$
#
# because the centred Gram matrix is Wishart with $n-1$ degrees of freedom and
# $\mathbb{E}\,\mathrm{tr}(X_c^\top X_c)^{-1} = p/(n-p-2)$.

# %%
n, p, sigma2 = 200, 20, 1.0
n_targets = 300                              # many targets y_k = X w_k + eps_k share one X
X_lin = rng.standard_normal((n, p))
w_true = rng.standard_normal((p, n_targets)) / np.sqrt(p)   # prior w ~ N(0, I/p): Var(x.w) ~ 1
Y_lin = X_lin @ w_true + np.sqrt(sigma2) * rng.standard_normal((n, n_targets))

# the SVD path agrees with the normal equations (and with scikit-learn's Ridge)
from sklearn.linear_model import Ridge

W_path = readout.ridge_path(X_lin, Y_lin[:, :3], [0.0, 10.0])
W_sk = Ridge(alpha=10.0, fit_intercept=False).fit(X_lin, Y_lin[:, :3]).coef_.T
print("SVD ridge path equals scikit-learn's Ridge at alpha = 10 (< 1e-10):", np.abs(W_path[1] - W_sk).max() < 1e-10)

n_folds = 5
cv_ols = readout.cross_validated_r2(X_lin, Y_lin, [0.0], n_folds=n_folds)[0]
mse_cv = (1 - cv_ols) * Y_lin.var(axis=0)      # pooled out-of-fold mean squared error
risk = readout.ols_prediction_risk(n * (n_folds - 1) // n_folds, p, sigma2)

# %% [markdown]
# One design $X$ with $300$ targets estimates the risk only to about $\pm0.008$ (the noise
# varies from target to target, and all targets share the fluctuations of one Gram matrix).
# The formula's $p/(n-p-2)$ differs from the cruder $p/n$ (the risk without the inverse-Wishart
# correction) or $p/(n-p-1)$ (no intercept) by $0.03$ and $0.008$, so we repeat the experiment
# on $100$ independent designs.

# %%
n_designs = 100                              # independent designs X, each with its 300 targets
rng_rep = cu.make_rng(10)
mse_designs = np.empty(n_designs)
for r in range(n_designs):
    X_r = rng_rep.standard_normal((n, p))
    Y_r = X_r @ (rng_rep.standard_normal((p, n_targets)) / np.sqrt(p)) \
        + np.sqrt(sigma2) * rng_rep.standard_normal((n, n_targets))
    cv_r = readout.cross_validated_r2(X_r, Y_r, [0.0], n_folds=n_folds, seed=r)[0]
    mse_designs[r] = ((1 - cv_r) * Y_r.var(axis=0)).mean()
mse_mean, mse_se = mse_designs.mean(), mse_designs.std(ddof=1) / np.sqrt(n_designs)

# %%
# Check: the cross-validated MSE of least squares equals the exact risk
# sigma^2 (1 + 1/n)(1 + p/(n-p-2)) = 1.152 with n = 160 training samples per fold, within 4
# standard errors of the mean over 100 designs (measured: the design means spread by 0.007,
# standard error 0.0007). The plausible wrong laws fail: 1 + p/n = 1.125 is 37 standard errors
# off, sigma^2 (1 + p/(n-p-1)) = 1.144 (no intercept) 10.
n_fit = n * (n_folds - 1) // n_folds
print(f"one design, 300 targets: CV mean squared error {mse_cv.mean():.3f} +- {mse_cv.std() / np.sqrt(n_targets):.3f}")
print(f"{n_designs} designs: CV mean squared error {mse_mean:.4f} +- {mse_se:.4f}   exact risk {risk:.4f}")
print(f"wrong laws: 1 + p/n = {1 + p / n_fit:.4f}   sigma^2 (1 + p/(n-p-1)) = {sigma2 * (1 + p / (n_fit - p - 1)):.4f}")
assert np.abs(W_path[1] - W_sk).max() < 1e-10
assert abs(mse_mean - risk) < 4 * mse_se

# %% [markdown]
# ## 2. Bias and variance of the ridge penalty
#
# Small $\alpha$: the readout fits the noise of the training folds (variance), the training
# $R^2$ is high and the held-out $R^2$ lower. Large $\alpha$: $\hat w$ is shrunk to zero
# (bias), both drop. For the Gaussian prior $w\sim N(0, I/p)$ used above the posterior mean
# is exactly ridge with
#
# $$\alpha^\ast = \frac{\sigma^2}{\mathrm{Var}(w_i)} = \sigma^2 p ,$$
#
# the Bayes-optimal penalty; cross-validation should find it without knowing the prior.

# %%
alphas = np.logspace(-2, 4, 25)
cv_curve = readout.cross_validated_r2(X_lin, Y_lin, alphas, n_folds=n_folds).mean(axis=1)
Xc, Yc = X_lin - X_lin.mean(axis=0), Y_lin - Y_lin.mean(axis=0)
train_pred = np.einsum("np,apk->ank", Xc, readout.ridge_path(Xc, Yc, alphas))
train_curve = 1 - ((Yc[None] - train_pred) ** 2).sum(axis=1).mean(axis=1) / (Yc**2).sum(axis=0).mean()
alpha_cv = alphas[cv_curve.argmax()]


def plot_ridge_curve(ax, alphas, train, test, alpha_star):
    ax.semilogx(alphas, train, "o-", ms=3, label="training $R^2$")
    ax.semilogx(alphas, test, "s-", ms=3, label="cross-validated $R^2$")
    ax.axvline(alpha_star, color="k", ls="--", lw=1, label=r"Bayes $\alpha^\ast = \sigma^2 p$")
    cu.plotting.label(ax, r"ridge penalty $\alpha$", "$R^2$ (mean over targets)")
    ax.legend()


fig, ax = plt.subplots(figsize=(6, 3.8))
plot_ridge_curve(ax, alphas, train_curve, cv_curve, sigma2 * p)
ax.set_title(f"n = {n}, p = {p}, sigma^2 = {sigma2}")
plt.show()

# %%
# Check: the cross-validated optimum lies within one grid step (a factor 10^0.25 = 1.8) of
# the Bayes-optimal alpha* = sigma^2 p = 20; its R^2 beats least squares.
print(f"best alpha by CV {alpha_cv:.1f}   Bayes alpha* {sigma2 * p:.1f}")
print(f"R^2 at the optimum {cv_curve.max():.3f}   least squares {cv_ols.mean():.3f}")
assert abs(np.log10(alpha_cv / (sigma2 * p))) <= 0.26
assert cv_curve.max() > cv_ols.mean()

# %% [markdown]
# ## 3. What is linearly readable from which representation?
#
# A toy perception experiment (`readout.synthetic_brain_responses`): each stimulus has two
# latent causes $z\sim N(0,I_2)$ and is shown as an "image" $x = Az + $ small noise in
# $\mathbb{R}^{20}$. Two codes describe it:
#
# $$u = z \ \ (\text{low level, linear in } x),\qquad
# v = \big(z_1z_2,\ \tfrac12(z_1^2-z_2^2)\big)\ \ (\text{high level, quadratic}).$$
#
# $v$ is fully *determined* by $x$, yet not *linearly readable* from it: $\mathbb{E}[v\,x^\top]=0$
# by symmetry. A nonlinear representation can make it readable. We compare raw pixels, a
# random ReLU layer $\phi(x) = \mathrm{relu}(Wx)/\sqrt{N}$, and the two hidden layers of a
# small network trained to predict $v$ from $x$ on separate stimuli.

# %%
train_set = readout.synthetic_brain_responses(1000, seed=1)   # stimuli to train the network
exp = readout.synthetic_brain_responses(400, seed=2)         # the "experiment"

net = torch.nn.Sequential(torch.nn.Linear(20, 64), torch.nn.Tanh(),
                          torch.nn.Linear(64, 64), torch.nn.Tanh(), torch.nn.Linear(64, 2))
opt = torch.optim.Adam(net.parameters(), lr=1e-2)
x_train = torch.tensor(train_set["x"], dtype=torch.float32)
v_train = torch.tensor(train_set["high"], dtype=torch.float32)
for _step in range(300):  # full-batch Adam, ~1 s
    opt.zero_grad()
    loss = ((net(x_train) - v_train) ** 2).mean()
    loss.backward()
    opt.step()
print(f"training MSE {loss.item():.3f}  (variance of v: {v_train.var().item():.2f})")

with torch.no_grad():
    h1 = net[:2](torch.tensor(exp["x"], dtype=torch.float32))
    h2 = net[:4](torch.tensor(exp["x"], dtype=torch.float32))
representations = {
    "raw x": exp["x"],
    "random ReLU (200)": readout.random_features(exp["x"], 200, seed=3),
    "trained layer 1": h1.numpy().astype(float),
    "trained layer 2": h2.numpy().astype(float),
}
alphas = np.logspace(-3, 4, 22)
readability = {name: {code: readout.ridge_readout(R, exp[code], alphas)["r2"].mean() for code in ("low", "high")}
               for name, R in representations.items()}
# (R^2 of the trained network's layers moves by ~0.003 with the CPU kernel torch picks: 2 decimals)
print(f"{'representation':20s}  R^2(u: low)  R^2(v: high)")
for name, r2 in readability.items():
    print(f"{name:20s}  {r2['low']:10.2f}  {r2['high']:11.2f}")

# %%
# Check: the low-level code is linearly readable from every representation (R^2 > 0.95),
# the high-level one is not readable from raw x (its R^2 is zero up to the finite-sample
# fluctuation ~ p/n = 0.05), and it becomes readable through nonlinear layers, most of all
# in the trained network.
assert all(r2["low"] > 0.95 for r2 in readability.values())
assert abs(readability["raw x"]["high"]) < 0.05
assert readability["trained layer 2"]["high"] > readability["random ReLU (200)"]["high"] > 0.5

# %% [markdown]
# ## 4. A synthetic brain: codes in time
#
# The experiment records $40$ sensors at $25$ times after stimulus onset. The sensors carry
# the low-level code early and the high-level code later, mixed by fixed random sensor maps
# $B_u, B_v$ and buried in unit-variance noise:
#
# $$\mathrm{brain}(t) = B_u\,u\,g_u(t) + B_v\,v\,g_v(t) + \eta(t),$$
#
# with time courses $g_u, g_v$ peaking at $0.1$ s and $0.35$ s. Two analyses of real
# experiments are reproduced. **Decoding** (King & Dehaene): at each time, read $u_1$ and
# $v_1$ out of the $40$ sensors. **Encoding** (Caucheteux & King): at each time, predict the
# sensors from a representation of the stimulus, layer by layer; the layer that predicts best
# tells which computation the brain has done by then.

# %%
def decoding_curves(data, alphas):
    """Cross-validated R^2 of reading u_1 and v_1 from the sensors at each time.

    Both targets are columns of one ridge fit per time, so that they share each fold's SVD."""
    targets = np.column_stack([data["low"][:, 0], data["high"][:, 0]])
    r2 = np.array([readout.ridge_readout(data["brain"][:, t], targets, alphas)["r2"]
                   for t in range(data["brain"].shape[1])])
    return {"low": r2[:, 0], "high": r2[:, 1]}


decoding = decoding_curves(exp, alphas)
times = exp["times"]
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
axes[0].plot(times, decoding["low"], "o-", ms=3, label="low level $u_1$")
axes[0].plot(times, decoding["high"], "s-", ms=3, label="high level $v_1$")
for j, g in enumerate(exp["profiles"]):
    axes[0].plot(times, g, ":", color=f"C{j}", lw=1)
cu.plotting.label(axes[0], "time after stimulus $t$ (s)", "decoding $R^2$", "decoding (dotted: true time courses)")
axes[0].legend()
encoding = {name: np.array([readout.ridge_readout(R, exp["brain"][:, t], alphas)["r2"].mean() for t in range(times.size)])
            for name, R in representations.items()}
for name, curve in encoding.items():
    axes[1].plot(times, curve, lw=1.5, label=name)
cu.plotting.label(axes[1], "time after stimulus $t$ (s)", "encoding $R^2$ (mean over sensors)",
                  "which representation predicts the sensors")
axes[1].legend(fontsize=8)
plt.show()

# %%
# Check: the decoding curves peak at the latencies built into the data (0.1 s and 0.35 s,
# within one time step of 0.033 s); at the late peak, raw pixels predict nothing (R^2 within
# 0.05 of zero) while the trained layer 2 predicts the sensors best of all representations.
t_low, t_high = times[decoding["low"].argmax()], times[decoding["high"].argmax()]
late = np.argmin(np.abs(times - 0.35))
print(f"decoding peaks: low level at {t_low:.3f} s, high level at {t_high:.3f} s")
print("encoding R^2 at t = 0.35 s:", ", ".join(f"{k} {v[late]:.2f}" for k, v in encoding.items()))
assert abs(t_low - 0.10) <= 0.034 and abs(t_high - 0.35) <= 0.034
assert abs(encoding["raw x"][late]) < 0.05
assert max(encoding, key=lambda k: encoding[k][late]) == "trained layer 2"

# %% [markdown]
# ## 5. Is a readout significant? A permutation test
#
# A cross-validated $R^2$ of $0.03$ may be chance. Under the null hypothesis that the target
# carries no information about $X$, shuffling it across samples does not change its law, so
# the readout re-run on shuffled targets (folds and the choice of $\alpha$ included) samples
# the null distribution of $R^2$. The p-value is
#
# $$p = \frac{1 + \#\{b: R^2_{\pi_b} \ge R^2\}}{1 + B}.$$
#
# All $B$ shuffles are extra target columns of the same ridge fit.

# %%
B = 200  # 1000 for class
tests = {
    "v_1 at t = 0.35 s": readout.permutation_test(exp["brain"][:, late], exp["high"][:, 0], alphas, B, seed=4),
    "v_1 at t = 0.10 s": readout.permutation_test(exp["brain"][:, 3], exp["high"][:, 0], alphas, B, seed=4),
    "v_1 at t = 0.00 s": readout.permutation_test(exp["brain"][:, 0], exp["high"][:, 0], alphas, B, seed=4),
}
fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), gridspec_kw={"width_ratios": [2, 1]})
for j, (name, res) in enumerate(tests.items()):
    for ax in axes:
        ax.hist(res["null"], bins=30, alpha=0.5, color=f"C{j}", label=f"null, {name}")
        ax.axvline(res["r2"], color=f"C{j}", lw=2)
axes[0].set_xlim(-0.035, 0.06)
cu.plotting.label(axes[0], "cross-validated $R^2$", "count", "null distributions (bars), observed $R^2$ (lines)")
axes[0].legend(fontsize=8, loc="upper right")
axes[1].set_xlim(-0.1, 1.05)
cu.plotting.label(axes[1], "cross-validated $R^2$", "count", "full range: the late readout")
plt.show()
for name, res in tests.items():
    print(f"{name}: R^2 = {res['r2']:+.3f}   p = {res['p_value']:.3f}")

# %% [markdown]
# At $t = 0$ the sensors carry (almost) no signal, so its p-value is one draw from the null law,
# which is uniform on $(0, 1]$: alone, it says little (it falls below 5% for one experiment in
# twenty). What the test promises is *calibration*: on targets that truly carry no information it
# rejects at level 5% in 5% of the cases, and more: its p-value is *uniform* under the null. With
# $B$ shuffles and no ties, the observation is equally likely to take any rank among the $B + 1$
# values, so $p$ takes each value $1/(B+1), 2/(B+1), \dots, 1$ with probability exactly $1/(B+1)$.
# We check both on 400 pure-noise targets (with $B = 39$ shuffles each, so that $p \le 0.05$ means
# at most one shuffle beats the observation), and compare with the naive rule "the readout is real
# if its cross-validated $R^2 > 0$" and with a shortcut that replaces the shuffles' histogram by a
# normal law with their mean and standard deviation.

# %%
# Check: (1) the strong late readout is significant at the smallest p-value B permutations can give,
# 1/(B+1) (a p-value without the +1's, #{R^2_perm >= R^2} / B, would give 0 here);
# (2) calibration: over 400 targets independent of X, the number of rejections at 5% is
# Binomial(400, 0.05): mean 20, sd 4.4; we allow up to 35 (a correct test exceeds it with
# probability 6e-4). The naive rule R^2 > 0 rejects 15.7% of noise targets (measured on 18000
# in a separate run: mean 63, sd 7.3 here; it stays within the bound with probability 3e-5): it fails.
# (3) uniformity: the 400 p-values, grouped into 8 bins of 5 consecutive values k/(B+1) (probability
# 1/8 each under the null), give a chi-square statistic with 7 degrees of freedom; we require it below
# its 1e-4 upper quantile, 29.9 (measured for COURSE_UTILS_SEED = 0, 1, 2: 10.6, 9.4, 3.3). The
# normal-law shortcut p = 1 - Phi((R^2 - mean) / sd) of the same shuffles passes the 5% count (17, 34
# and 18 rejections) but not this: its p-values pile up in the middle, chi-square 53.8, 36.2, 38.2.
n_null, B_null = 400, 39  # 2000 targets for class
null_tests = [readout.permutation_test(exp["brain"][:, 0], cu.make_rng(100 + j).standard_normal(exp["brain"].shape[0]),
                                       alphas, B_null, seed=j) for j in range(n_null)]
p_null = np.array([t["p_value"] for t in null_tests])
n_reject = int(np.sum(p_null <= 0.05))
n_naive = sum(t["r2"] > 0 for t in null_tests)
rank = np.rint(p_null * (B_null + 1)).astype(int)                 # 1, ..., B + 1, each 1/(B+1) under the null
counts = np.bincount((rank - 1) // 5, minlength=(B_null + 1) // 5)
chi2_perm = ((counts - n_null / 8) ** 2).sum() / (n_null / 8)
p_normal = np.array([stats.norm.sf((t["r2"] - t["null"].mean()) / t["null"].std(ddof=1)) for t in null_tests])
counts_normal = np.histogram(p_normal, bins=np.linspace(0, 1, 9))[0]
chi2_normal = ((counts_normal - n_null / 8) ** 2).sum() / (n_null / 8)
chi2_max = stats.chi2.isf(1e-4, df=7)
print(f"late readout at the smallest possible p = 1/(B+1): {tests['v_1 at t = 0.35 s']['p_value'] == 1 / (B + 1)}")
print(f"pure-noise targets: the permutation test rejects at 5% in {n_reject} of {n_null} (at most 35: {n_reject <= 35});"
      f" the naive rule R^2 > 0 in {n_naive} (more than 35: {n_naive > 35})")
print(f"p-values in 8 bins of probability 1/8 (expected {n_null // 8} each): permutation test {counts}, "
      f"chi-square {chi2_perm:.1f} (< {chi2_max:.1f}: {chi2_perm < chi2_max})")
print(f"normal-law shortcut: {counts_normal}, chi-square {chi2_normal:.1f}")
assert tests["v_1 at t = 0.35 s"]["p_value"] == 1 / (B + 1)
assert n_reject <= 35
assert n_naive > 35
assert chi2_perm < chi2_max

# %% [markdown]
# ## 6. Live: noise and number of trials
#
# The decoding curves of section 4 for a new experiment with your sensor noise and number
# of stimuli. With few trials or much noise the high-level code, spread over a long window
# at low amplitude, disappears first.

# %%
def plot_decoding(noise=1.0, n_stimuli=400):
    data = readout.synthetic_brain_responses(n_stimuli, noise=noise, seed=5)
    curves = decoding_curves(data, np.logspace(-2, 4, 13))
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.plot(data["times"], curves["low"], "o-", ms=3, label="low level $u_1$")
    ax.plot(data["times"], curves["high"], "s-", ms=3, label="high level $v_1$")
    ax.axhline(0, color="k", lw=0.8)
    cu.plotting.label(ax, "time after stimulus $t$ (s)", "decoding $R^2$",
                      f"noise {noise:.1f}, {n_stimuli} stimuli")
    ax.legend()
    plt.show()


plot_decoding(noise=1.0, n_stimuli=400)

# %%
# NBVAL_IGNORE_OUTPUT
cu.plotting.live(plot_decoding, noise=(0.2, 5.0, 0.2), n_stimuli=(50, 2000, 50))

# %% [markdown]
# ## 7. Convergence: two networks, one representation
#
# King's second theme is *convergence*: networks trained separately, and brains, end up with
# representations that map linearly onto each other. One way to measure it is linear centred
# kernel alignment, the cosine between the centred Gram matrices $K = X_cX_c^\top$ of two
# representations of the same $n$ stimuli,
#
# $$\mathrm{CKA}(X, Y) = \frac{\|Y_c^\top X_c\|_F^2}{\|X_c^\top X_c\|_F\,\|Y_c^\top Y_c\|_F}
# = \frac{\langle K_X, K_Y\rangle_F}{\|K_X\|_F\,\|K_Y\|_F}\in[0,1],$$
#
# blind to rotations and rescalings of the features (Kornblith et al.). A solvable case of
# convergence: two random ReLU layers $\phi_A,\phi_B$ of width $N$ with independent weights.
# Both Gram matrices are averages of $N$ independent terms with the same mean, the arc-cosine
# kernel $K_\infty$, so $K_{A,B} = K_\infty + O(N^{-1/2})$ fluctuations $E_{A,B}$. The cosine of two
# noisy copies of one matrix is $1 - \frac{\|E_A^\perp\|^2 + \|E_B^\perp\|^2}{2\|K_\infty\|^2} + \dots$,
# quadratic in the fluctuations, hence
#
# $$1 - \mathrm{CKA}(\phi_A, \phi_B) \propto N^{-1},$$
#
# not the $N^{-1/2}$ of the fluctuations themselves (the plausible wrong guess). We measure it on
# the 400 stimuli of the experiment, averaged over 8 independent pairs of layers.

# %%
widths = np.array([50, 200, 800, 3200])
n_pairs = 8
cka_gap = np.array([[1 - readout.linear_cka(readout.random_features(exp["x"], N, seed=200 + 2 * j),
                                            readout.random_features(exp["x"], N, seed=201 + 2 * j))
                     for j in range(n_pairs)] for N in widths])
gap_mean, gap_se = cka_gap.mean(axis=1), cka_gap.std(axis=1, ddof=1) / np.sqrt(n_pairs)
cka_slope = np.polyfit(np.log(widths), np.log(gap_mean), 1)[0]
fig, ax = plt.subplots(figsize=(6, 3.6))
ax.errorbar(widths, gap_mean, gap_se, fmt="o", label=f"two random ReLU layers, {n_pairs} pairs")
ax.loglog(widths, gap_mean[0] * widths[0] / widths, "k--", label=r"$\propto N^{-1}$")
ax.loglog(widths, gap_mean[0] * np.sqrt(widths[0] / widths), "C3:", label=r"wrong: $\propto N^{-1/2}$")
cu.plotting.label(ax, "width $N$", r"$1-\mathrm{CKA}(\phi_A,\phi_B)$", "independent networks converge")
ax.legend(fontsize=8)
plt.show()
for N, g in zip(widths, gap_mean):
    print(f"N = {N:4d}: 1 - CKA = {g:.1e}")

# %%
# Check: the log-log slope of 1 - CKA against N is -1 within 0.15. Its spread over
# independent sets of 8 pairs, measured, is about 0.02 (slopes -0.98, -0.95, -0.99 for three
# seed offsets), so 0.15 is ~5 of those. The wrong N^(-1/2) law, the size of the Gram-matrix
# fluctuations themselves, differs by 0.5 and fails.
print(f"fitted slope {cka_slope:.2f}   theory -1   wrong -0.5")
assert abs(cka_slope + 1) < 0.15

# %% [markdown]
# ## 8. Compositional codes: reading out combinations never seen
#
# King's third theme is how brains and networks code *compositional* structure: a stimulus
# made of parts, say a shape $a$ and a colour $b$ out of $K$ each. A **compositional**
# (additive) code represents the pair as a sum of part codes, $x_{ab} = f_a + g_b$; a
# **conjunctive** code gives every pair its own pattern $x_{ab} = h_{ab}$, like a lookup table.
# Both let a linear readout fit the pairs it is trained on. They differ on pairs never seen:
# train the readout of $a$ on all pairs except the "diagonal" $a + b \equiv 0 \pmod K$, then test on it.
#
# *Additive code, exactly.* If $w^\top(f_a + g_b) = y_a$ on the training pairs, write
# $u_a = w^\top f_a - y_a$ and $v_b = w^\top g_b$: $u_a + v_b = 0$ on every training pair, and since
# those pairs connect all $a$ with all $b$, $u_a = -v_b = c$ for all of them. On an unseen pair
# the readout gives $y_a + u_a + v_b = y_a$: held-out $R^2 = 1$ exactly.
#
# *Conjunctive code.* With independent $h_{ab}\sim N(0, I_D/D)$, the minimum-norm readout
# $w = H^\top(HH^\top)^{-1}y$ on $n$ training pairs predicts pure noise on a new pair:
# $\mathbb{E}\,\hat y^2 = \mathbb{E}\,|w|^2/D = |y|^2/(D-n-1)$ (inverse Wishart), so
#
# $$\mathbb{E}\,R^2_{\rm held\,out} = -\frac{m\,|y_{\rm train}|^2}{(D-n-1)\,\sum_{\rm test}(y-\bar y)^2},$$
#
# with $m$ test pairs: worse than predicting the mean. A random ReLU layer on top of the additive
# code mixes the parts nonlinearly and sits in between. $K = 5$, $D = 40$, 200 random codes.

# %%
K_parts, D_code, n_codes = 5, 40, 200
a_of, b_of = np.divmod(np.arange(K_parts**2), K_parts)
held_out = (a_of + b_of) % K_parts == 0
y_part = a_of - (K_parts - 1) / 2          # the attribute a, centred
r_comp = cu.make_rng(21)
heldout_r2 = {"additive f_a + g_b": [], "conjunctive h_ab": [], "random ReLU of additive": []}
for j in range(n_codes):
    f, g, h = (r_comp.standard_normal((m, D_code)) / np.sqrt(D_code) for m in (K_parts, K_parts, K_parts**2))
    codes = {"additive f_a + g_b": f[a_of] + g[b_of], "conjunctive h_ab": h}
    codes["random ReLU of additive"] = readout.random_features(codes["additive f_a + g_b"], 100, seed=300 + j)
    for name, X_code in codes.items():
        heldout_r2[name].append(readout.heldout_readout_r2(X_code[~held_out], y_part[~held_out],
                                                           X_code[held_out], y_part[held_out]))
heldout_r2 = {name: np.array(v) for name, v in heldout_r2.items()}
n_fit_pairs, m_test = int((~held_out).sum()), int(held_out.sum())
r2_conj_theory = -m_test * np.sum(y_part[~held_out] ** 2) / (D_code - n_fit_pairs - 1) / np.sum(
    (y_part[held_out] - y_part[held_out].mean()) ** 2)
fig, ax = plt.subplots(figsize=(6, 3.4))
ax.boxplot(list(heldout_r2.values()), orientation="horizontal", showfliers=False)
ax.set_yticks(range(1, 4), list(heldout_r2))
ax.axvline(r2_conj_theory, color="C3", ls="--", label="conjunctive: theory of the mean")
ax.axvline(1.0, color="k", ls=":", label="additive theory")
cu.plotting.label(ax, r"held-out $R^2$ of the readout of $a$", "", f"unseen pairs, K = {K_parts}, D = {D_code}")
ax.legend(fontsize=8, loc="lower left")
plt.show()
for name, v in heldout_r2.items():
    print(f"{name:26s} held-out R^2: mean {v.mean():+.2f}")

# %%
# Check: the additive code transfers exactly (1 - R^2 < 1e-9 for every code, round-off); the
# conjunctive code's mean held-out R^2 matches -m |y|^2 / ((D - n - 1) SS_test) = -1.05 within 4
# standard errors of the 200 codes (measured -1.21 +- 0.09, z = -1.8). The plausible wrong beliefs fail:
# "a readout that fits its training pairs generalises" (R^2 = 1) and "unseen pairs fall back to the
# mean" (R^2 = 0) are both many standard errors from the measured conjunctive mean; the random ReLU
# layer is measured in between (no exact law: asserted only 0 < R^2 < 1).
conj = heldout_r2["conjunctive h_ab"]
conj_se = conj.std(ddof=1) / np.sqrt(n_codes)
print(f"additive: max 1 - R^2 < 1e-9: {bool(np.max(1 - heldout_r2['additive f_a + g_b']) < 1e-9)}")
print(f"conjunctive: mean R^2 {conj.mean():.2f} +- {conj_se:.2f}   theory {r2_conj_theory:.2f}")
assert np.max(1 - heldout_r2["additive f_a + g_b"]) < 1e-9
assert abs(conj.mean() - r2_conj_theory) < 4 * conj_se
assert abs(conj.mean()) > 4 * conj_se and abs(conj.mean() - 1) > 4 * conj_se
assert 0 < heldout_r2["random ReLU of additive"].mean() < 1

# %% [markdown]
# So "linearly readable" has two levels. On the stimuli seen, both codes represent $a$; only the
# compositional one represents it in a way that survives new combinations, which is what King's
# experiments on the coding of structure look for.

# %% [markdown]
# ## Exercises
#
# Each exercise is followed by its solution, folded on the book site and left out of the student edition.

# %% [markdown]
# **Exercise 1. More features than samples.** Repeat section 2 with $p = 300 > n$. What does
# cross-validation give at $\alpha\to0$ (the minimum-norm interpolator), and where is the
# optimum now?

# %% tags=["solution"]
# Solution 1: with p > n least squares interpolates the training folds; its held-out R^2 is
# poor, and ridge recovers; the optimum stays near alpha* = sigma^2 p for this prior.
p_big = 300
X_big = rng.standard_normal((n, p_big))
w_big = rng.standard_normal((p_big, 50)) / np.sqrt(p_big)
Y_big = X_big @ w_big + rng.standard_normal((n, 50))
alphas_big = np.logspace(-2, 4, 13)
curve_big = readout.cross_validated_r2(X_big, Y_big, alphas_big).mean(axis=1)
print(f"alpha -> 0: R^2 = {readout.cross_validated_r2(X_big, Y_big, [0.0]).mean():.3f};  "
      f"best R^2 = {curve_big.max():.3f} at alpha = {alphas_big[curve_big.argmax()]:.0f} (alpha* = {p_big})")

# %% [markdown]
# **Exercise 2. How many random features?** Measure the readability of $v$ from random ReLU layers of
# width $N = 10, 30, 100, 300, 1000$. Why does it saturate below 1? (Hint: compare
# $\phi(cx)$ with $\phi(x)$ for $c>0$.)

# %% tags=["solution"]
# Solution 2: already N = 10 features reach R^2 ~ 0.87 and more do not help. Without biases
# the features are positively homogeneous of degree 1, phi(c x) = c phi(x) for c > 0, and so
# is every linear readout of them; v is homogeneous of degree 2 in z. The readout captures
# v's angular pattern but not its quadratic growth with |z|: adding a bias (or a second
# layer, as the trained network has) removes the limit.
for N in (10, 30, 100, 300, 1000):
    phi = readout.random_features(exp["x"], N, seed=3)
    print(f"N = {N:4d}: R^2(v) = {readout.ridge_readout(phi, exp['high'], alphas)['r2'].mean():.3f}")

# %% [markdown]
# **Exercise 3. Temporal generalisation.** Train the decoder of $v_1$ at $t = 0.35$ s and test it at all
# other times (King & Dehaene). What does a square versus a diagonal generalisation matrix
# say about a code that is sustained versus one that travels between sensors?

# %% tags=["solution"]
# Solution 3: in this toy the high-level code sits on fixed sensors (B_v) with one time course,
# so a decoder trained at 0.35 s generalises over the whole window: a square pattern.
# A code that moves across sensors would give a diagonal.
train_idx, test_idx = np.arange(300), np.arange(300, 400)
b = exp["brain"]
w_gen = readout.ridge_path(b[train_idx, late] - b[train_idx, late].mean(0),
                           exp["high"][train_idx, 0] - exp["high"][train_idx, 0].mean(), [100.0])[0]
for t in (3, 6, late, 14, 18):
    pred = (b[test_idx, t] - b[train_idx, t].mean(0)) @ w_gen
    print(f"trained at 0.35 s, tested at {times[t]:.2f} s: corr = {np.corrcoef(pred, exp['high'][test_idx, 0])[0, 1]:+.2f}")

# %% [markdown]
# ## References
# - J.-R. King, S. Dehaene, *Characterizing the dynamics of mental representations: the
#   temporal generalization method*, Trends Cogn. Sci. 18, 203 (2014).
# - C. Caucheteux, J.-R. King, *Brains and algorithms partially converge in natural language
#   processing*, Commun. Biol. 5, 134 (2022).
# - T. Naselaris, K. Kay, S. Nishimoto, J. Gallant, *Encoding and decoding in fMRI*,
#   NeuroImage 56, 400 (2011).
# - G. Alain, Y. Bengio, *Understanding intermediate layers using linear classifier probes*,
#   arXiv:1610.01644 (2016).
# - S. Kornblith, M. Norouzi, H. Lee, G. Hinton, *Similarity of neural network representations
#   revisited*, ICML 2019 (CKA).
# - Y. Cho, L. Saul, *Kernel methods for deep learning*, NeurIPS 2009 (arc-cosine kernel).
# - M. Ojala, G. Garriga, *Permutation tests for studying classifier performance*, JMLR 11,
#   1833 (2010).
# - T. Hastie, R. Tibshirani, J. Friedman, *The Elements of Statistical Learning*, ch. 3 and 7.
