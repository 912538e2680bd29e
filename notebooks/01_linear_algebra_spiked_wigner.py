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
# # 01 · Linear algebra: SVD, the spiked Wigner model and the BBP transition
#
# Most of this course reduces, at some point, to a matrix: a covariance, a Hessian, a
# coupling matrix, a Jacobian. This lecture revisits the tools we will use throughout,
# each with an experiment: the singular value decomposition as geometry, low-rank
# approximation, the question "can a spectrum reveal a hidden signal?" answered by the
# Baik-Ben Arous-Péché (BBP) transition of the spiked Wigner model, the condition number
# as the number of digits a solve loses, and the rank-$k$ update formulas of Sherman,
# Morrison and Woodbury that we will meet again in Bayesian regression.
#
# **Learning goals**
# - read $A = U\Sigma V^T$ as "rotate, stretch, rotate" and verify the Eckart-Young theorem;
# - predict the top eigenvalue and eigenvector overlap of $A = \lambda xx^T + W$ on both sides
#   of $\lambda = 1$, and see finite-$n$ effects shrink as $n$ grows;
# - relate the condition number to the digits lost in `solve`;
# - derive, check and time Sherman-Morrison and Woodbury updates.
#
# *Source:* *Machine Learning for Physicists: Recitation Notes* (C. Miyamoto), section 1
# (SVD, spiked Wigner, matrix inversions, condition number).

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

import course_utils as cu
from course_utils import linalg

rng = cu.setup(seed=0)

# %% [markdown]
# ## 1. The SVD as geometry
#
# Any $A\in\mathbb{R}^{m\times n}$ factors as $A = U\Sigma V^T$ with orthogonal $U, V$ and
# non-negative singular values $\sigma_i$ on the diagonal of $\Sigma$ (the square roots of
# the eigenvalues of $A^TA$). Acting on the orthonormal right singular vectors,
#
# $$A v_i = \sigma_i u_i ,$$
#
# so $A$ maps the unit circle onto an ellipse whose semi-axes are $\sigma_i u_i$.

# %%
A2 = np.array([[2.0, 1.0], [0.5, 1.2]])
U2, s2, Vt2 = np.linalg.svd(A2)
theta = np.linspace(0, 2 * np.pi, 200)
circle = np.stack([np.cos(theta), np.sin(theta)])
ellipse = A2 @ circle

fig, axes = plt.subplots(1, 2, figsize=(8, 4))
axes[0].plot(*circle, "k", lw=1)
for i, c in enumerate(("C0", "C3")):
    axes[0].arrow(0, 0, *Vt2[i], color=c, width=0.02, length_includes_head=True)
    axes[1].arrow(0, 0, *(s2[i] * U2[:, i]), color=c, width=0.03, length_includes_head=True)
    axes[0].text(*(1.15 * Vt2[i]), f"$v_{i + 1}$", color=c)
    axes[1].text(*(1.1 * s2[i] * U2[:, i]), rf"$\sigma_{i + 1}u_{i + 1}$", color=c)
axes[1].plot(*ellipse, "k", lw=1)
for ax, title in zip(axes, ("unit circle and $v_i$", "image under $A$: ellipse with axes $\\sigma_i u_i$")):
    ax.set_aspect("equal")
    cu.plotting.label(ax, "$x_1$", "$x_2$", title)
plt.show()
print("singular values:", np.round(s2, 4), " |  A v_i = sigma_i u_i:", np.allclose(A2 @ Vt2.T, U2 * s2))

# %% [markdown]
# ## 2. Low-rank approximation (Eckart-Young)
#
# Truncating the SVD after $k$ terms, $A_k = \sum_{i\le k}\sigma_i u_i v_i^T$, gives the best
# rank-$k$ approximation in both the spectral and the Frobenius norm:
#
# $$\|A - A_k\|_2 = \sigma_{k+1},\qquad \|A-A_k\|_F = \Big(\sum_{i>k}\sigma_i^2\Big)^{1/2}.$$
#
# We test it on a $96\times 96$ "image": a few smooth blobs and stripes (a low-rank
# structure) plus a little noise.

# %%
g = np.linspace(-1, 1, 96)
X, Y = np.meshgrid(g, g)
image = (np.exp(-((X - 0.3) ** 2 + Y**2) / 0.05) + 0.8 * np.exp(-((X + 0.4) ** 2 + (Y + 0.4) ** 2) / 0.02)
         + 0.5 * (np.sin(6 * X) > 0) * (np.abs(Y - 0.5) < 0.2) + 0.05 * rng.standard_normal(X.shape))
ranks = [1, 3, 10, 30]
fig, axes = plt.subplots(1, len(ranks) + 1, figsize=(12, 2.8))
axes[0].imshow(image, cmap="magma")
axes[0].set_title("original (96 x 96)")
for ax, k in zip(axes[1:], ranks):
    approx, sigma = linalg.low_rank_approximation(image, k)
    ax.imshow(approx, cmap="magma")
    ax.set_title(f"rank {k}: {k * 193} numbers")
for ax in axes:
    ax.axis("off")
plt.show()

# %%
# Check: the truncation error equals the discarded singular values (Eckart-Young), and a
# random rank-10 approximation (projection on 10 random directions) is much worse.
errors = []
for k in range(0, 40):
    approx, sigma = linalg.low_rank_approximation(image, k)
    errors.append((np.linalg.norm(image - approx, 2), sigma[k], np.linalg.norm(image - approx),
                   np.sqrt((sigma[k:] ** 2).sum())))
errors = np.array(errors)
Q, _ = np.linalg.qr(rng.standard_normal((96, 10)))
random_error = np.linalg.norm(image - image @ Q @ Q.T)
print(f"rank 10: best error {errors[10, 2]:.3f}   random-projection error {random_error:.3f}")
assert np.allclose(errors[:, 0], errors[:, 1]) and np.allclose(errors[:, 2], errors[:, 3])
assert random_error > 2 * errors[10, 2]

# %% [markdown]
# ## 3. The spiked Wigner model and the BBP transition
#
# A rank-one signal hidden in symmetric noise (eq. 1.12 of the notes),
#
# $$A = \lambda\,xx^T + W,\qquad \|x\| = 1,\quad W\sim \mathrm{GOE}(n)/\sqrt{n},$$
#
# where $W_{ij}=W_{ji}\sim N(0,1/n)$ off the diagonal and $W_{ii}\sim N(0,2/n)$. The notes
# compute $\mathbb{E}[A^TA]$ and find $x$ as its top eigenvector for *any* $\lambda>0$: that is
# true with infinitely many independent copies of the noise, but not for one matrix. The
# eigenvalues of $W$ alone fill Wigner's semicircle on $[-2,2]$; as $n\to\infty$ (BBP),
#
# $$\lambda_{\max}(A)\to\begin{cases}2 & \lambda\le 1\\ \lambda + 1/\lambda & \lambda>1\end{cases},\qquad
# (v_{\max}\cdot x)^2\to\begin{cases}0 & \lambda\le1\\ 1-1/\lambda^2 & \lambda>1.\end{cases}$$
#
# Below $\lambda = 1$ the top eigenvector carries no information about $x$ at all.

# %%
def plot_spectrum(lam=1.5, n=500):
    A, x = linalg.spiked_wigner(n, lam, seed=1)
    vals = np.linalg.eigvalsh(A[0])
    grid = np.linspace(-2.2, 2.2, 300)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(vals, bins=60, density=True, alpha=0.6, label=f"eigenvalues, n = {n}")
    ax.plot(grid, linalg.semicircle_density(grid), "k", label="semicircle")
    ax.axvline(float(linalg.bbp_top_eigenvalue(lam)), color="C3", ls="--", label=r"BBP: $\lambda+1/\lambda$ or 2")
    ax.plot(vals[-1], 0.02, "v", color="C3", ms=10, label=rf"$\lambda_{{max}}$ = {vals[-1]:.2f}")
    cu.plotting.label(ax, "eigenvalue", "density", rf"spiked Wigner, $\lambda$ = {lam}")
    ax.set_ylim(0, 0.5)  # head room: the legend sits above the semicircle
    ax.legend(fontsize="small", loc="upper center", ncol=2)
    plt.show()


plot_spectrum(lam=2.0, n=1000)

# %% [markdown]
# At $\lambda = 2$ BBP puts the outlier at $\lambda + 1/\lambda = 2.5$, a quarter of the bulk's
# half-width beyond its edge, and the simulated top eigenvalue (red triangle) sits there, alone.
# Closer to the transition the gap closes fast: at $\lambda = 1.5$ it is $2.17 - 2 = 0.17$, about two
# bins of this histogram, and at $n = 500$ the outlier's own fluctuations (of order
# $n^{-1/2}\approx 0.05$) and the soft finite-$n$ edge of the bulk make it hard to tell from the
# edge. Drag $\lambda$ in the live cell at the end to see it detach.

# %% [markdown]
# Now the transition itself: the top eigenvalue and the squared overlap against $\lambda$,
# for growing $n$, averaged over a few noise draws. All matrices for one $n$ are
# diagonalised as one batched array.

# %%
lams = np.round(np.arange(0.2, 3.01, 0.2), 2)
sizes = {100: 8, 300: 4, 800: 2}  # n: number of noise draws (2000 works for class)
top, overlap = {}, {}
for n, draws in sizes.items():
    A, x = linalg.spiked_wigner(n, lams, n_samples=draws, seed=n)
    vals, vecs = np.linalg.eigh(A)
    top[n] = vals[..., -1].mean(axis=-1)
    overlap[n] = ((vecs[..., :, -1] @ x) ** 2).mean(axis=-1)

lam_fine = np.linspace(0.01, 3.0, 300)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
axes[0].plot(lam_fine, linalg.bbp_top_eigenvalue(lam_fine), "k", label="BBP, $n=\\infty$")
axes[1].plot(lam_fine, linalg.bbp_overlap(lam_fine), "k", label="BBP, $n=\\infty$")
for n in sizes:
    axes[0].plot(lams, top[n], "o", ms=4, label=f"n = {n}")
    axes[1].plot(lams, overlap[n], "o", ms=4, label=f"n = {n}")
cu.plotting.label(axes[0], r"signal strength $\lambda$", r"top eigenvalue $\lambda_{max}$")
cu.plotting.label(axes[1], r"signal strength $\lambda$", r"overlap $(v_{max}\cdot x)^2$")
for ax in axes:
    ax.axvline(1.0, color="gray", ls=":")
    ax.legend()
plt.show()

# %%
# Check: at n = 800 the simulation sits on the BBP laws. Away from lambda = 1 the finite-n
# deviations are O(n^{-1/2}) ~ 0.035 for the outlier and O(n^{-2/3}) ~ 0.01 at the bulk edge;
# we allow 0.08, and exclude 0.8 <= lambda <= 1.4 where finite-size rounding is strong.
# Plausible wrong laws fail by far: an outlier at lambda (forgetting the 1/lambda pushed by the
# bulk) misses by 0.64, and an overlap 1 - 1/lambda instead of 1 - 1/lambda^2 by 0.26.
away = (lams < 0.8) | (lams > 1.4)
dev_top = np.abs(top[800] - linalg.bbp_top_eigenvalue(lams))[away]
dev_ov = np.abs(overlap[800] - linalg.bbp_overlap(lams))[away]
print(f"n = 800, away from lambda = 1: max |top - BBP| = {dev_top.max():.3f}, max |overlap - BBP| = {dev_ov.max():.3f}")
print("overlap below the transition (lambda = 0.6) for n = 100, 300, 800:",
      [f"{overlap[n][lams == 0.6][0]:.3f}" for n in sizes])
assert dev_top.max() < 0.08 and dev_ov.max() < 0.08

# %% [markdown]
# Below the transition the overlap is of order $1/n$ (times $n$ the printed values are 4.5, 2.4
# and 4.0; averaged over only 8, 4 and 2 draws they still fluctuate), so it vanishes as $n$ grows:
# with one noisy matrix, no spectral method sees a spike weaker than the noise's own edge.
#
# ## 4. Condition number and lost digits
#
# The condition number $\kappa(A) = \sigma_{\max}/\sigma_{\min}$ (eigenvalue ratio for a
# symmetric positive matrix, eq. 1.45) bounds how much a relative error in the data is
# amplified in the solution of $Ax=b$:
#
# $$\frac{\|\hat x - x\|}{\|x\|}\lesssim \kappa(A)\,\varepsilon_{\rm machine}.$$
#
# We build matrices with prescribed singular values, solve, and count the digits lost.

# %%
kappas = 10.0 ** np.arange(0, 17, 1)
n_cond, n_draws = 60, 8  # matrix size, independent (U, V, x) draws
rel_err = np.empty((n_draws, kappas.size))
for d in range(n_draws):
    Q1, _ = np.linalg.qr(rng.standard_normal((n_cond, n_cond)))
    Q2, _ = np.linalg.qr(rng.standard_normal((n_cond, n_cond)))
    x_true = rng.standard_normal(n_cond)
    for j, kappa in enumerate(kappas):
        sv = np.logspace(0, -np.log10(kappa), n_cond)  # singular values from 1 down to 1/kappa
        A = (Q1 * sv) @ Q2.T
        x_hat = np.linalg.solve(A, A @ x_true)
        rel_err[d, j] = np.linalg.norm(x_hat - x_true) / np.linalg.norm(x_true)
eps = np.finfo(float).eps

fig, ax = plt.subplots(figsize=(5.5, 3.5))
ax.loglog(np.repeat(kappas[None], n_draws, 0).ravel(), rel_err.ravel(), ".", color="C0", alpha=0.4,
          label=f"solve, {n_draws} matrices")
ax.loglog(kappas, 10 ** np.log10(rel_err).mean(0), "o-", color="C0", ms=4, label="geometric mean")
ax.loglog(kappas, kappas * eps, "k--", label=r"$\kappa\,\varepsilon_{machine}$")
cu.plotting.label(ax, r"condition number $\kappa(A)$", "relative error of $x$")
ax.legend(loc="upper left")
plt.show()

# %% [markdown]
# The bound is an inequality, and an inequality alone would also be satisfied by a solver
# that loses no digits, or by one that loses twice as many (error $\propto\kappa^2$, which is
# what solving the normal equations $A^TA\,x = A^Tb$ costs). What the bound says about
# *growth* is the exponent: on a log-log plot the error rises with slope 1 in $\kappa$. We
# fit that slope on each matrix between $\kappa = 10^3$ (below, the error floor of a few
# $\varepsilon$ dominates) and $10^{15}$ (above, the error approaches 1 and saturates).

# %%
# Check: the error grows like kappa^1. A random right-hand side sees A^-1 through all its
# log-spaced singular values, which gives |error| ~ kappa / sqrt(ln kappa): a local slope
# 1 - 0.5 / ln(kappa), i.e. from 0.93 at kappa = 1e3 to 0.99 at 1e15. Measured: 0.94 with a standard
# error of 0.006 over the 8 matrices (0.935-0.96 for COURSE_UTILS_SEED = 0..5). We accept
# |slope - 1| < 0.1. Wrong laws it rules out: no digits lost (slope 0) and the kappa^2 of the
# normal equations (slope 2; solving A^T A x = A^T b on the same matrices measures 1.9 between
# kappa = 1e2 and 1e7, before its error saturates).
fit = (kappas >= 1e3) & (kappas <= 1e15)
slopes = np.array([np.polyfit(np.log10(kappas[fit]), np.log10(e[fit]), 1)[0] for e in rel_err])
slope, slope_se = slopes.mean(), slopes.std(ddof=1) / np.sqrt(n_draws)
print(f"slope of log10(error) vs log10(kappa): {slope:.1f}   (|slope - 1| < 0.1: {abs(slope - 1) < 0.1}, "
      f"standard error < 0.02: {slope_se < 0.02})")
print("upper bound error <= 100 kappa eps holds for every matrix:", bool(np.all(rel_err <= 100 * kappas * eps)))
geo_mean = 10 ** np.log10(rel_err).mean(0)
print("kappa = 1e8 leaves at most ~8 correct digits (error > 1e-10):", bool(geo_mean[8] > 1e-10))
print("relative error at kappa = 1e16 >= 0.01 (at most two digits survive):", bool(geo_mean[-1] >= 0.01))
assert abs(slope - 1) < 0.1 and slope_se < 0.02
assert np.all(rel_err <= 100 * kappas * eps)

# %% [markdown]
# ## 5. Sherman-Morrison and Woodbury
#
# A rank-one change of a matrix changes its inverse by rank one:
#
# $$(A + uv^T)^{-1} = A^{-1} - \frac{A^{-1}uv^TA^{-1}}{1 + v^TA^{-1}u},$$
#
# and for a rank-$k$ change $UCV$ with $U\in\mathbb{R}^{n\times k}$, $C\in\mathbb{R}^{k\times k}$,
# $V\in\mathbb{R}^{k\times n}$ (Woodbury),
#
# $$(A+UCV)^{-1} = A^{-1} - A^{-1}U\,(C^{-1} + VA^{-1}U)^{-1}\,VA^{-1}.$$
#
# Note the minus signs: eqs. (1.29) and (1.36) of the notes print a plus, while their own
# derivation (1.35) gives the minus. Given $A^{-1}$, the update costs $O(n^2k)$ instead of
# the $O(n^3)$ of a fresh inverse.

# %%
n_upd, k_upd = 400, 5
A = rng.standard_normal((n_upd, n_upd)) + np.sqrt(n_upd) * np.eye(n_upd)
A_inv = np.linalg.inv(A)
u, v = rng.standard_normal(n_upd), rng.standard_normal(n_upd)
U, V = rng.standard_normal((n_upd, k_upd)), rng.standard_normal((k_upd, n_upd))
C = np.eye(k_upd)
sm = linalg.sherman_morrison(A_inv, u, v)
wb = linalg.woodbury(A_inv, U, C, V)
err_sm = np.abs(sm - np.linalg.inv(A + np.outer(u, v))).max()
err_wb = np.abs(wb - np.linalg.inv(A + U @ C @ V)).max()
plus_sign = A_inv + np.outer(A_inv @ u, v @ A_inv) / (1 + v @ A_inv @ u)
err_plus = np.abs(plus_sign - np.linalg.inv(A + np.outer(u, v))).max()

# %%
# Check: both updates agree with a fresh inverse to round-off; the "+" version does not.
print("Sherman-Morrison matches a fresh inverse:", err_sm < 1e-12)
print("Woodbury (k = 5) matches a fresh inverse:", err_wb < 1e-12)
print("the '+' sign is off by", f"{err_plus:.1e}")
assert err_sm < 1e-12 and err_wb < 1e-12 and err_plus > 1e-6

# %% [markdown]
# How much faster is the update? Timings depend on the machine, so this cell's output is
# not compared by the tests.

# %%
# NBVAL_IGNORE_OUTPUT
def best_time(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


for n_t in (200, 800):
    A_t = rng.standard_normal((n_t, n_t)) + np.sqrt(n_t) * np.eye(n_t)
    Ai_t = np.linalg.inv(A_t)
    u_t, v_t = rng.standard_normal(n_t), rng.standard_normal(n_t)
    t_fresh = best_time(lambda: np.linalg.inv(A_t + np.outer(u_t, v_t)))
    t_sm = best_time(lambda: linalg.sherman_morrison(Ai_t, u_t, v_t))
    print(f"n = {n_t}: fresh inverse {1e3 * t_fresh:.2f} ms, Sherman-Morrison {1e3 * t_sm:.2f} ms, "
          f"speed-up x{t_fresh / t_sm:.0f}")

# %% [markdown]
# ## 6. Live: find the transition
#
# Drag $\lambda$ through 1 and watch the outlier leave the semicircle; raise $n$ to see the
# edge sharpen.

# %%
# NBVAL_IGNORE_OUTPUT
cu.plotting.live(plot_spectrum, lam=(0.0, 3.0, 0.1), n=[200, 500, 1000, 2000])

# %% [markdown]
# ## Exercises
#
# Each exercise is followed by its solution, folded on the book site and left out of the student edition.

# %% [markdown]
# **Exercise 1.** Prove Woodbury's identity by multiplying the right-hand side by $A + UCV$.
#
# *(On paper: no solution cell.)*

# %% [markdown]
# **Exercise 2. Matrix determinant lemma.** Show $\det(A+uv^T) = (1+v^TA^{-1}u)\det A$ and check it numerically.

# %% tags=["solution"]
# Solution 2: determinant lemma, checked with log-determinants (no overflow)
sign_l, logdet_l = np.linalg.slogdet(A + np.outer(u, v))
sign_r, logdet_r = np.linalg.slogdet(A)
factor = 1 + v @ A_inv @ u
print("det(A + uv^T) / det(A) = 1 + v^T A^-1 u:",
      np.isclose(sign_l * np.exp(logdet_l - logdet_r), sign_r * factor))

# %% [markdown]
# **Exercise 3. Where does $\lambda + 1/\lambda$ come from?** An outlier $z$ of $A$ outside $[-2,2]$
# solves $1 = \lambda\, x^T(z - W)^{-1}x \approx \lambda\, g(z)$ with the semicircle's Stieltjes
# transform $g(z) = (z - \sqrt{z^2-4})/2$. Solve for $z$ and check against the simulation.

# %% tags=["solution"]
# Solution 3: lambda g(z) = 1 with g(z) = (z - sqrt(z^2 - 4)) / 2 gives z = lambda + 1/lambda,
# valid while g(z) = 1/lambda < 1, i.e. lambda > 1 (g never exceeds 1 outside the bulk).
from scipy.optimize import brentq

stieltjes = lambda z: (z - np.sqrt(z**2 - 4)) / 2
for lam in (1.6, 2.0, 3.0):
    z_star = brentq(lambda z: lam * stieltjes(z) - 1, 2 + 1e-9, 10)
    print(f"lambda = {lam}: root {z_star:.4f}, lambda + 1/lambda = {lam + 1 / lam:.4f}, "
          f"simulated (n = 800) {top[800][lams == lam][0]:.3f}")

# %% [markdown]
# ## References
# - J. Baik, G. Ben Arous, S. Péché, *Phase transition of the largest eigenvalue for
#   nonnull complex sample covariance matrices*, Ann. Probab. 33, 1643 (2005).
# - D. Féral, S. Péché, *The largest eigenvalue of rank one deformation of large Wigner
#   matrices*, Commun. Math. Phys. 272, 185 (2007).
# - C. Eckart, G. Young, *The approximation of one matrix by another of lower rank*,
#   Psychometrika 1, 211 (1936).
# - L. N. Trefethen, D. Bau, *Numerical Linear Algebra*, SIAM (1997), lectures 4-5 and 12.
