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
# # 22 · Why diffusion models generalize: bias-free denoisers and adaptive harmonic bases
#
# Lecture 14 ended on a paradox. With the *exact* empirical score of a training set, the
# backward diffusion falls onto the training images: a perfect score model only memorizes.
# Yet trained networks produce new images. Lecture 13 gave the other half of the story: the
# score is a denoiser (Tweedie), and the best denoisers we can write down by hand shrink
# coefficients in a well-chosen basis (Fourier for the Wiener filter, wavelets for
# thresholding). Mallat's answer joins the two: a convolutional ReLU network with no additive
# bias is piecewise linear and homogeneous, so at every input it *is* a shrinkage in a basis,
# the eigenbasis of its own Jacobian, and that basis adapts to the image. We train such a
# network on small images, open it up, and then ask when it memorizes and when it generalizes.
#
# **Learning goals**
# - see why a bias-free ReLU network satisfies $f(ay) = af(y)$ and $f(y) = J(y)\,y$ exactly,
#   and check that the same network with biases does not;
# - write the denoiser as $\hat x = \sum_k h_k\langle y,\psi_k\rangle\psi_k$, look at the adaptive
#   basis $\psi_k$ and the shrinkage $h_k$, and recover the Wiener filter
#   $\lambda_k/(\lambda_k+\sigma^2)$ on a Gaussian field;
# - measure the effective dimension $\sum_k h_k$ as a function of the noise level;
# - train two networks on disjoint training sets and measure, as the training set grows, whether
#   their samples copy training images or agree with each other, and see why a bias-free network
#   copies a training image only up to its norm.
#
# *Source:* S. Mallat's lectures in *Lecture Notes from Beg Rohu 2025* (C. Miyamoto), sections 9.1
# (generalization vs memorization) and 9.2-9.2.2 (architecture of CNNs, bias in the model,
# eqs. 9.25-9.29), which follow Kadkhodaie, Guth, Simoncelli and Mallat (2024).

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

import course_utils as cu
from course_utils import denoisers as dn
from course_utils import diffusion as df

rng = cu.setup(seed=0)

# %% [markdown]
# ## 1. A convolutional denoiser without bias
#
# A convolutional layer (eq. 9.25 of the notes) maps channels $c$ to channels $c'$ by
# $x_{\ell+1}(i,c') = \rho\big(\sum_{c,\tau} W(\tau,c,c')\,x_\ell(i-\tau,c) + b(c')\big)$, a
# convolution in space, a matrix across channels, a bias $b$ and the nonlinearity $\rho$. Take
# $\rho = \mathrm{ReLU}$ and $b = 0$. ReLU is positively homogeneous,
# $\mathrm{ReLU}(a u) = a\,\mathrm{ReLU}(u)$ for $a\ge 0$, and so is every linear map, so the whole
# network is: $f(ay) = a f(y)$. It is also piecewise linear: on each region where the pattern of
# active ReLUs is fixed, $f$ *is* a matrix. Euler's theorem for a function homogeneous of degree
# one then gives, at every $y$ off the region boundaries,
#
# $$f(y) = J(y)\,y,\qquad J(y) = \frac{\partial f}{\partial y}(y).$$
#
# With a bias, $f$ is still piecewise *affine*, $f(y) = J(y)y + c(y)$, and both identities break.
#
# Our network is residual, $f(y) = y - r(y)$ with $r$ a stack of bias-free 3x3 convolutions and
# ReLUs (`denoisers.BiasFreeCNN`, circular padding), and it is *blind*: it never sees $\sigma$.
# It is trained on $y = x + \sigma z$ with $\sigma$ drawn log-uniformly in $[0.2, 1]$,
# by minimising $\|f(y)-x\|^2/\sigma$. The data: a stationary Gaussian field on the $16\times16$
# torus whose covariance has Fourier eigenvalues $\lambda_k\propto(1+|k|^2)^{-1}$
# (`denoisers.gaussian_field`), so that the optimal denoiser is known: the Wiener filter of
# lecture 13.

# %%
L = 16
CHANNELS, LAYERS = 16, 5              # 64, 8 for class
STEPS = 400                           # 3000 for class
SIGMA_MIN, SIGMA_MAX = 0.2, 1.0        # a factor 5: a blind net this small fits no wider range
x_train = dn.gaussian_field(4096, L, exponent=2.0, seed=cu.make_rng(1))
x_test = dn.gaussian_field(8, L, exponent=2.0, seed=cu.make_rng(2))
lam = dn.field_spectrum(L, exponent=2.0)


def trained(bias, seed, steps=STEPS):
    """A denoiser trained on the Gaussian field (float32), returned in float64 for the checks."""
    cu.manual_seed(seed)
    net = dn.BiasFreeCNN(CHANNELS, LAYERS, bias=bias)
    loss = dn.train_denoiser(net, x_train, SIGMA_MIN, SIGMA_MAX, steps, batch_size=32, seed=seed)
    return net.double(), loss


net, loss_bf = trained(bias=False, seed=10)
net_b, loss_b = trained(bias=True, seed=10, steps=STEPS // 4)  # a bias, once nonzero, is enough

fig, ax = plt.subplots(figsize=(6.4, 3.4))
for loss, name in ((loss_bf, "bias-free"), (loss_b, "with biases")):
    ax.plot(np.convolve(loss, np.ones(20) / 20, mode="valid"), label=name)
cu.plotting.label(ax, "Adam step", r"$\|f(y)-x\|^2/\sigma$ (running mean)", "training on many noise levels")
ax.legend()
plt.show()

# %% [markdown]
# Check the two identities at noisy test images, in double precision, for the bias-free network
# and for the same architecture with biases, trained the same way for a quarter of the steps (to
# save time: the identities fail as soon as one bias is nonzero, and its loss curve above is
# already at the bias-free network's level).

# %%
def identity_errors(model, y):
    """max over a of ||f(a y) - a f(y)|| / ||a f(y)||, and ||J(y) y - f(y)|| / ||f(y)|| (worst image)."""
    yt = torch.as_tensor(y)[:, None]
    with torch.no_grad():
        f = model(yt)
        hom = max(float(((model(a * yt) - a * f).norm() / (a * f).norm())) for a in (0.25, 3.0, 40.0))
    lin = max(np.linalg.norm(dn.jacobian(model, yi) @ yi.ravel() - fi.numpy().ravel()) / fi.norm().item()
              for yi, fi in zip(y[:3], f[:3, 0], strict=True))
    return hom, lin


y_test = x_test + 0.5 * rng.standard_normal(x_test.shape)
hom_bf, lin_bf = identity_errors(net, y_test)
hom_b, lin_b = identity_errors(net_b, y_test)
# Check: homogeneity and f = J y hold to round-off without bias (measured 1.6e-16 to 1.9e-16 and
# 2.3e-16 to 2.7e-16 in float64, seeds 0-2), and fail with biases (measured 0.20 to 0.33 and 0.20 to
# 0.47, seeds 0-2): a network with the biases of eq. 9.25 is affine on each region, f(y) = J(y) y + c(y).
# The thresholds 1e-12 and 1e-3 leave over two orders of magnitude on either side.
print(f"bias-free:   |f(ay) - a f(y)| < 1e-12: {hom_bf < 1e-12},  |J(y) y - f(y)| < 1e-12: {lin_bf < 1e-12}")
print(f"with biases: |f(ay) - a f(y)| > 1e-3: {hom_b > 1e-3},  |J(y) y - f(y)| > 1e-3: {lin_b > 1e-3}")
assert hom_bf < 1e-12 and lin_bf < 1e-12
assert hom_b > 1e-3 and lin_b > 1e-3

# %% [markdown]
# ## 2. The denoiser is a shrinkage in an adaptive basis
#
# Tweedie's formula (eq. 9.26) writes the denoiser through the score,
# $\hat x = y + \sigma^2 s_\sigma(y)$. For the bias-free network the score is also homogeneous,
# $s_\sigma(y) = J_s(y)\,y$, so that (eq. 9.27)
#
# $$\hat x = \big(I + \sigma^2 J_s(y)\big)\,y = J(y)\,y .$$
#
# The Jacobian of the ideal denoiser is symmetric: it is the Hessian of
# $\tfrac12\|y\|^2 + \sigma^2\log p_\sigma$. A trained network's is nearly so (below, its antisymmetric
# part is 20% of it), and we diagonalise the symmetric part, $J(y) \approx \sum_k h_k\,\psi_k\psi_k^T$
# (eq. 9.28):
#
# $$\hat x(y) = \sum_k h_k\,\langle y,\psi_k\rangle\,\psi_k ,$$
#
# a shrinkage of the coefficients of $y$ by factors $h_k$, in an orthonormal basis $\psi_k$ that
# depends on $y$. The error of eq. 9.29, $\|\hat x - x\|^2 = \sum_k|\langle\hat x - x,\psi_k\rangle|^2$,
# is small when the signal lives on the few $\psi_k$ with $h_k\approx 1$ and the rest are killed.
# The number $d_{\rm eff} = \sum_k h_k = \operatorname{tr}J$ counts the dimensions kept: the noise
# left in $\hat x$ has variance $\sigma^2\sum_k h_k^2 \le \sigma^2 d_{\rm eff}$ when $0\le h_k\le 1$.

# %%
def eigenbasis(model, y):
    """Eigenvalues h_k (descending) and eigenvectors psi_k (columns) of the symmetrised Jacobian at y."""
    J = dn.jacobian(model, y)
    h, psi = np.linalg.eigh(0.5 * (J + J.T))
    return h[::-1], psi[:, ::-1], np.linalg.norm(J - J.T) / np.linalg.norm(J)


sigma_0 = 0.5
y0 = y_test[0]
h0, psi0, asym0 = eigenbasis(net, y0)
print(f"asymmetry ||J - J^T|| / ||J|| = {asym0:.1f}")

fig, axes = plt.subplots(2, 6, figsize=(10, 3.8))
axes[0, 0].imshow(x_test[0], cmap="gray")
axes[0, 0].set_title("clean $x$")
axes[0, 1].imshow(y0, cmap="gray")
axes[0, 1].set_title(rf"noisy, $\sigma={sigma_0}$")
axes[0, 2].imshow(net(torch.as_tensor(y0)[None, None]).detach()[0, 0], cmap="gray")
axes[0, 2].set_title(r"$\hat x = J(y)\,y$")
for ax, k in zip(list(axes[0, 3:]) + list(axes[1]), (0, 1, 2, 3, 6, 12, 25, 50, 100), strict=True):
    ax.imshow(psi0[:, k].reshape(L, L), cmap="RdBu_r")
    ax.set_title(rf"$\psi_{{{k}}}$, $h={h0[k]:.2f}$")
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
plt.show()

# %% [markdown]
# For this Gaussian field the optimal denoiser is linear, the Wiener filter
# $H = C(C+\sigma^2I)^{-1}$ of lecture 13: its eigenvectors are the Fourier modes and its eigenvalues
#
# $$h_k^{\rm Wiener} = \frac{\lambda_k}{\lambda_k + \sigma^2}.$$
#
# The network does not know this. Compare the sorted shrinkage factors of its Jacobian at the
# test images with the sorted Wiener factors.

# %%
def shrinkage_at(model, sigma, n_img=4, seed=3):
    """Sorted h_k of the network's Jacobian at n_img noisy test images, (n_img, L*L)."""
    z = cu.make_rng(seed).standard_normal((n_img, L, L))
    return np.array([eigenbasis(model, x_test[i] + sigma * z[i])[0] for i in range(n_img)])


def wiener(sigma):
    return np.sort((lam / (lam + sigma**2)).ravel())[::-1]


h_net = shrinkage_at(net, sigma_0)
rms = lambda h: np.sqrt(np.mean((h_net - h) ** 2, axis=1))  # noqa: E731  (one rms per test image)
err_w = rms(wiener(sigma_0))
err_no = rms(np.ones(L * L))
err_wrong = rms(np.sort(np.minimum(lam / sigma_0**2, 1.0).ravel())[::-1])

fig, ax = plt.subplots(figsize=(6.4, 3.6))
ax.plot(h_net.T, color="C0", lw=0.8, alpha=0.6)
ax.plot(wiener(sigma_0), "k--", label=r"Wiener $\lambda_k/(\lambda_k+\sigma^2)$")
ax.plot([], color="C0", label="network, 4 test images")
cu.plotting.label(ax, "rank $k$", "$h_k$", rf"shrinkage factors at $\sigma = {sigma_0}$")
ax.legend()
plt.show()

# Check: the network's shrinkage is the Wiener filter's. rms |h_net - h_Wiener| over k, per test image:
# measured 0.10 (spread between the 4 images 0.014, seed 0). The wrong formulas give 0.3: no shrinkage
# (h = 1) and the unnormalised min(lambda / sigma^2, 1) (both measured here and printed). The tolerance
# 0.2 lies halfway, seven image-to-image spreads from either side.
print(f"rms |h_net - Wiener| = {err_w.mean():.1f};  vs h = 1: {err_no.mean():.1f};  "
      f"vs min(lambda/sigma^2, 1): {err_wrong.mean():.1f}")
assert err_w.mean() < 0.2 < min(err_no.mean(), err_wrong.mean())

# %% [markdown]
# The effective dimension $\sum_k h_k = \operatorname{tr}J(y)$ tells how many directions the denoiser
# keeps. For the Wiener filter it is $\sum_k\lambda_k/(\lambda_k+\sigma^2)$: all $L^2 = 256$ at
# $\sigma\to0$, a handful of long wavelengths at large noise.

# %%
sigmas = np.geomspace(SIGMA_MIN, SIGMA_MAX, 5)
d_net = np.array([[np.trace(dn.jacobian(net, x_test[i] + s * z)) for i, z in
                   enumerate(cu.make_rng(4).standard_normal((2, L, L)))] for s in sigmas])
d_wiener = np.array([np.sum(lam / (lam + s**2)) for s in sigmas])

fig, ax = plt.subplots(figsize=(6.4, 3.6))
ax.errorbar(sigmas, d_net.mean(1), d_net.std(1), fmt="o", label="network, tr $J(y)$")
ax.plot(sigmas, d_wiener, "k--", label=r"Wiener $\sum_k\lambda_k/(\lambda_k+\sigma^2)$")
ax.set_xscale("log")
ax.set_yscale("log")
cu.plotting.label(ax, r"noise level $\sigma$", r"$d_{\rm eff} = \sum_k h_k$", "effective dimension")
ax.legend()
plt.show()
print("sigma                    " + "  ".join(f"{v:5.2f}" for v in sigmas))
print("Wiener sum_k h_k          " + "  ".join(f"{v:5.0f}" for v in d_wiener))
print("network / Wiener          " + "  ".join(f"{v:5.1f}" for v in d_net.mean(1) / d_wiener))

# %% [markdown]
# In the lower half of its training range the network keeps about as many dimensions as the Wiener
# filter (within 10%); towards $\sigma = 1$, the top of that range, it keeps too many (1.7 times the
# Wiener count): a blind network this small, trained for 400 steps, shrinks too little where the noise
# is largest.
#
# ## 3. Memorization or generalization?
#
# Section 9.1 of the notes asks whether the learned score generalizes beyond its training set.
# Kadkhodaie et al. answer with an experiment: split a data set into two *disjoint* training
# sets of $N$ images each, train the same network on each, and generate from both with the *same*
# noise. If the networks memorize, each sample is a copy of an image of its own training set, and
# the two samples have nothing to do with each other. If they generalize, both networks have
# learned (nearly) the same score, the score of the underlying law, and the same noise gives the
# same new image from both.
#
# We generate with the backward SDE of lecture 14, reading the OU score off the blind denoiser
# (`denoisers.network_score`: $x(t)$ rescaled by $e^{t}$ is a noisy image at
# $\sigma_t^2 = e^{2t}-1$). The networks here use zero padding (they see the border, as in the
# paper: a circular network sees every translate of its images) and $5\times5$ kernels, so that
# three layers see the whole $8\times8$ image: to return one of its training images from a noisy
# one, a network must compare the input with that image as a whole.
#
# What does a *copy* mean for a homogeneous network? If $f$ returns the training image $x^\mu$ from
# its noisy versions, then $f(a x^\mu + a\sigma z) = a f(x^\mu + \sigma z) = a x^\mu$: every point of
# the ray $\{a x^\mu, a > 0\}$ is returned as itself, and nothing in a bias-free network can pull a
# sample back to the norm of $x^\mu$. A memorizing bias-free network copies the *direction* of a
# training image, at a norm left to the noise of the chain. We therefore compare directions, with
# the cosine similarity $\cos(u, v) = \langle u, v\rangle/(\|u\|\,\|v\|)$, as Kadkhodaie et al. do:
# (a) between a sample and its nearest training image, (b) between the two networks' samples from
# the same noise. A copy gives (a) = 1; a new draw of the law gives (a) no larger than for a fresh
# field of the law, which we measure too.
#
# The same two questions can be asked of the denoisers directly, at one noise level $\sigma = 0.5$:
# (c) the denoising error on the network's own training images over that on fresh images (below 1:
# it has learned its images, not the law), and (d) the distance between the two networks' outputs
# on the same fresh noisy images, relative to their norm.

# %%
L_M = 8
N_TRAIN = [2, 16, 128, 1024]                      # up to 10^4 for class
CH_M, LAYERS_M, KERNEL_M, STEPS_M = 16, 3, 5, 300  # 64, 4, 5, 5000 for class
N_GEN, SIGMA_M = 32, 0.5
fresh = dn.gaussian_field(64, L_M, exponent=2.0, seed=cu.make_rng(99))


def denoise(model, x, seed):
    y = x + SIGMA_M * cu.make_rng(seed).standard_normal(x.shape)
    with torch.no_grad():
        return model(torch.as_tensor(y, dtype=torch.float32)[:, None])[:, 0].double().numpy()


def unit(a):
    """Images flattened and scaled to norm 1, shape (n, pixels)."""
    a = a.reshape(len(a), -1)
    return a / np.linalg.norm(a, axis=1, keepdims=True)


def rel(a, b):
    """||a - b|| / ||a|| per image."""
    return np.linalg.norm((a - b).reshape(len(a), -1), axis=1) / np.linalg.norm(a.reshape(len(a), -1), axis=1)


def two_networks(N, seed):
    """Two denoisers trained on disjoint sets of N fields: their samples from the same noise and
    their denoising errors."""
    data = dn.gaussian_field(2 * N, L_M, exponent=2.0, seed=cu.make_rng(100 + seed))
    sets = (data[:N], data[N:])
    models, samples = [], []
    for k, x_set in enumerate(sets):
        cu.manual_seed(2 * seed + k)
        model = dn.BiasFreeCNN(CH_M, LAYERS_M, kernel_size=KERNEL_M, padding="zeros")
        dn.train_denoiser(model, x_set, 0.1, 2.0, STEPS_M, batch_size=32, seed=2 * seed + k)
        models.append(model)
        samples.append(dn.generate(model, N_GEN, L_M, t_max=2.0, seed=7))
    cos_sets = [unit(g) @ unit(x_set).T for g, x_set in zip(samples, sets, strict=True)]
    near = np.concatenate([c.max(axis=1) for c in cos_sets])
    norm = np.concatenate([np.linalg.norm(g.reshape(len(g), -1), axis=1)
                           / np.linalg.norm(x_set.reshape(N, -1)[c.argmax(axis=1)], axis=1)
                           for g, x_set, c in zip(samples, sets, cos_sets, strict=True)])
    ab = np.sum(unit(samples[0]) * unit(samples[1]), axis=1)
    err = lambda m, x, s: np.sum((denoise(m, x, s) - x) ** 2, axis=(1, 2))  # noqa: E731
    gap = np.concatenate([err(m, x_set[:64], 5) / np.mean(err(m, fresh, 6))
                          for m, x_set in zip(models, sets, strict=True)])
    f_ab = rel(denoise(models[0], fresh, 8), denoise(models[1], fresh, 8))
    base = np.concatenate([(unit(fresh) @ unit(x_set).T).max(axis=1) for x_set in sets])
    return dict(near=near, ab=ab, gap=gap, f_ab=f_ab, base=base, norm=norm, samples=samples, models=models,
                sets=sets)


runs = {N: two_networks(N, seed=0) for N in N_TRAIN}


# %%
# NBVAL_TOLERANCE atol=0.3
# (trained float32 networks and 60-step chains: the medians move with torch's CPU kernels; measured
# with ATEN_CPU_CAPABILITY=default: cosines, (c) and (d) by up to 0.02, the norm ratio by 0.13 at
# N = 128 (3.06 to 2.93); 0.3 is 2.3 times the largest)
def median_and_se(v, n_boot=200):
    """Median of v and its bootstrap standard error."""
    idx = cu.make_rng(5).integers(0, len(v), (n_boot, len(v)))
    return np.median(v), np.std(np.median(v[idx], axis=1))


labels = {"near": "(a) cos(sample, nearest training image)", "base": "    the same for fresh fields of the law",
          "ab": "(b) cos(sample A, sample B)", "norm": "    |sample| / |that training image|",
          "gap": "(c) training / fresh denoising error", "f_ab": "(d) denoiser A vs denoiser B"}
stats = {key: np.array([median_and_se(runs[N][key]) for N in N_TRAIN]) for key in labels}


def tile(N, j):
    """Sample A from noise j, its nearest training image (by cosine) and sample B from the same
    noise, stacked, each scaled to norm 1 and framed by a blank row and column."""
    (g_a, g_b), x_a = runs[N]["samples"], runs[N]["sets"][0]
    nearest = x_a[np.argmax(unit(g_a[j:j + 1]) @ unit(x_a).T)]
    blocks = [np.pad(unit(v[None]).reshape(L_M, L_M), ((0, 1), (0, 1)), constant_values=np.nan)
              for v in (g_a[j], nearest, g_b[j])]
    return np.concatenate(blocks)


fig, axes = plt.subplots(1, 3, figsize=(12, 3.8), width_ratios=(1, 1, 1.3))
for key, fmt in zip(("near", "base", "ab", "gap", "f_ab"), ("o-", "k:", "s-", "^-", "v-"), strict=True):
    axes[0 if key in ("near", "base", "ab") else 1].errorbar(N_TRAIN, stats[key][:, 0], stats[key][:, 1],
                                                             fmt=fmt, label=labels[key].strip())
for ax, title in zip(axes[:2], ("generated samples", rf"denoisers at $\sigma = {SIGMA_M}$"), strict=True):
    ax.set_xscale("log")
    cu.plotting.label(ax, "training set size $N$", "median", title)
    ax.legend(fontsize="x-small")

tiles = np.concatenate([tile(N, j) for N in (N_TRAIN[0], N_TRAIN[-1]) for j in range(3)], axis=1)
axes[2].imshow(tiles, cmap="gray")
axes[2].set_title(f"sample A / A's nearest training image / sample B\nN = {N_TRAIN[0]} (left), {N_TRAIN[-1]} (right)",
                  fontsize="small")
axes[2].set_axis_off()
plt.show()
print("N" + " " * 39 + "  ".join(f"{N:>10d}" for N in N_TRAIN))
for key in labels:
    print(f"{labels[key]:40s}" + "  ".join(f"{m:5.2f}+-{e:4.2f}" for m, e in stats[key]))

# %%
# Check: memorization at small N, generalization at large N, in the samples and in the denoisers.
# From the smallest to the largest N, (a) falls, (b) rises, (c) rises and (d) falls, each by more than
# 3 combined bootstrap standard errors, and at N = 2 the samples are nearer their training images than
# fresh fields of the law are (by 3 SE). Wrong hypotheses: "the network learns the law whatever N"
# gives (a) at the fresh-field level and (c) = 1 at N = 2; "it memorizes whatever N" gives (b) near 0
# and (d) near its N = 2 value at N = 1024.
sig = {key: stats[key][[0, -1]] for key in labels}  # (median, SE) at the smallest and largest N
moves = {key: sign * (sig[key][1, 0] - sig[key][0, 0]) > 3 * (sig[key][0, 1] + sig[key][1, 1])
         for key, sign in (("near", -1), ("ab", 1), ("gap", 1), ("f_ab", -1))}
copies = sig["near"][0, 0] - sig["base"][0, 0] > 3 * (sig["near"][0, 1] + sig["base"][0, 1])
print("moves by more than 3 SE:", "  ".join(f"{labels[k][:3]} {v}" for k, v in moves.items()),
      f";  samples at N = {N_TRAIN[0]} nearer their training images than fresh fields: {copies}")
assert all(moves.values()) and copies

# %% [markdown]
# What the table shows. Trained on $N = 2$ images, each network's samples point along one of its two
# training images ((a) close to 1, against 0.09 for a fresh field of the law), and the two networks,
# fed the same noise, produce unrelated images ((b) near 0): they memorize, as the exact empirical
# score of section 4 does. From $N \approx 100$ on, a sample is as close to its training set as a fresh
# field of the law is ((a) on the dotted line): the samples are new. And the two networks, which never
# saw a common image, turn the same noise into nearly the same image ((b) near 0.9): they have learned
# the same score, the score of the law. $N = 16$ lies in between. The pictures on the right show both
# ends: at $N = 2$ sample A is its nearest training image and sample B is another image; at
# $N = 1024$ samples A and B are nearly the same image and A's nearest training image is a different one. The denoisers make the same
# transition at $\sigma = 0.5$: trained on two images, a network denoises them some fifty times better
# than fresh images (c) and the two networks are different functions (d); from $N \approx 100$ on the
# two errors are the same and the networks agree to within 15-20%, the error of the networks themselves.
# None of this hangs on one draw: rerun with `COURSE_UTILS_SEED=1` and `2` (other training sets,
# initialisations and noise) and (a) at $N = 2$ is 0.98 and 0.97, (b) at $N = 1024$ is 0.92 and 0.82,
# (a) at $N \ge 128$ sits on the fresh-field line within 0.02, and the check above holds.
#
# The norm row is the price of homogeneity. Along a ray nothing fixes the norm: at $N = 2$ the copies
# come out with a norm set by the noise of the chain, not that of their training image. At large $N$
# the samples come out about three times too large. The chain starts at $t = 2$, $\sigma_t = 7.3$,
# far above the training range $\sigma\le2$, where the networks shrink too little (measured on the
# $N = 1024$ network of seed 0: at $\sigma = 4$ it returns 2.2 times the norm of the clean field, where
# the best denoiser returns less than it); the backward drift $x + 2s$ then inflates the sample, whose
# norm the forward process keeps at $\|x\|\approx8$: 1.7 times that by $t = 1.2$, 2.9 times by
# $t = 0.24$, and a bias-free network has no way to bring it back. (In our
# trials with slightly different networks, starting the chain inside the range, at $t = 0.8$, brought
# the ratio at $N = 1024$ to 0.7-1.9, at the price of poorer copies at $N = 2$.) Directions are what
# these networks learn, and what the check compares.
#
# The paper's networks are a thousand times larger and trained for days; put `N_TRAIN` and
# `CH_M, LAYERS_M, KERNEL_M, STEPS_M` at their class values to go towards them.
#
# ## 4. Two limits: the exact empirical score and a fixed basis
#
# Lecture 14 ran the same backward SDE with the *exact* score of the empirical law
# $\frac1N\sum_\mu\delta(a-a^\mu)$. That score is the best possible fit to a training set and it
# memorizes completely: every sample lands on a training image. Here, with the smallest training
# set of section 3:

# %%
x_small = dn.gaussian_field(2 * N_TRAIN[0], L_M, exponent=2.0, seed=cu.make_rng(100))[:N_TRAIN[0]]
train_flat = x_small.reshape(len(x_small), -1)
t_grid = np.geomspace(2.0, 0.01, 61)
emp = df.backward_sde(lambda x, t: df.empirical_score(x, t, train_flat),
                      cu.make_rng(7).standard_normal((N_GEN, L_M * L_M)), t_grid, seed=cu.make_rng(8))["x"]
d_emp = dn.nearest_distance(emp, train_flat)[0]
# Check: the exact empirical score copies its training images up to the noise left at t_min = 0.01
# (sqrt(Delta) = 0.14 per pixel against a pixel standard deviation of 1; measured median 0.2 here).
# The wrong expectation, new samples of the law, would sit at the distance of a fresh field to the
# nearer of two training images, about sqrt(2) = 1.4 (about 0.9 for N = 1024): the tolerance 0.5 lies
# between the two.
print(f"exact empirical score, N = {N_TRAIN[0]}: median distance to the training set {np.median(d_emp):.1f} < 0.5: "
      f"{np.median(d_emp) < 0.5};  its median cosine {np.median((unit(emp) @ unit(x_small).T).max(axis=1)):.2f}, "
      f"the networks' {stats['near'][0, 0]:.2f}")
assert np.median(d_emp) < 0.5

# %% [markdown]
# At the other end, lecture 13 denoised in a *fixed* basis: the Wiener filter shrinks each Fourier
# coefficient by $\lambda_k/(\lambda_k+\sigma^2)$, thresholding keeps or kills wavelet coefficients.
# For the Gaussian field the fixed Fourier basis is already optimal, and the network's adaptive
# basis can at best match it; its risk at $\sigma = 0.5$, relative to the Wiener risk
# $\sum_k\sigma^2\lambda_k/(\lambda_k+\sigma^2)$:

# %%
z_r = cu.make_rng(9).standard_normal(x_test.shape)
with torch.no_grad():
    f_r = net(torch.as_tensor(x_test + sigma_0 * z_r)[:, None])[:, 0].numpy()
risk_net = np.mean(np.sum((f_r - x_test) ** 2, axis=(1, 2)))
risk_wiener = np.sum(sigma_0**2 * lam / (lam + sigma_0**2))
print(f"network risk / Wiener risk at sigma = {sigma_0}: {risk_net / risk_wiener:.1f}")

# %% [markdown]
# The interest of the adaptive basis is elsewhere: for images with edges (lecture 13's thresholding
# problem) no fixed basis is sparse, and the Jacobian's $\psi_k$ bend along the edges, the
# "geometry-adaptive harmonic bases" of Kadkhodaie et al.
#
# ## 5. Live: the adaptive basis at your noise level
#
# Move $\sigma$: the Jacobian is recomputed at the same test image with noise of that level. Inside
# the training range $0.2\le\sigma\le1$ the shrinkage factors stay near the Wiener curve; outside it
# the blind network was never taught what to do, and the two part.

# %%
def plot_basis(sigma=0.5, image=0):
    y = x_test[image] + sigma * cu.make_rng(11).standard_normal((L, L))
    h, psi, _ = eigenbasis(net, y)
    fig = plt.figure(figsize=(10, 3.4))
    ax = fig.add_subplot(1, 2, 1)
    ax.plot(h, label="network $h_k$")
    ax.plot(wiener(sigma), "k--", label="Wiener")
    cu.plotting.label(ax, "rank $k$", "$h_k$", rf"$\sum_k h_k = {h.sum():.0f}$ (Wiener {wiener(sigma).sum():.0f})")
    ax.legend(fontsize="small")
    for j, k in enumerate((0, 10, 40, 120)):
        a = fig.add_subplot(2, 4, (3, 4, 7, 8)[j])
        a.imshow(psi[:, k].reshape(L, L), cmap="RdBu_r")
        a.set_title(rf"$\psi_{{{k}}}$ $h={h[k]:.2f}$", fontsize="small")
        a.set_xticks([])
        a.set_yticks([])
    plt.show()


plot_basis(sigma=0.5)

# %%
# NBVAL_IGNORE_OUTPUT
cu.plotting.live(plot_basis, sigma=(0.05, 2.0, 0.05), image=(0, 7, 1))

# %% [markdown]
# ## Exercises
#
# Each exercise is followed by its solution, folded on the book site and left out of the student edition.

# %% [markdown]
# **Exercise 1. Euler's identity.** Show that a function $f$ that is differentiable at $y$ and
# homogeneous of degree one, $f(ay) = af(y)$ for $a>0$, satisfies $f(y) = J(y)\,y$. Why does a ReLU
# network with biases only satisfy $f(y) = J(y)y + c(y)$, and what is $c(0)$? (On paper.)

# %% [markdown]
# **Exercise 2. The biased network's offset.** Measure $\|f(0)\|$ and $\|f(y) - J(y)y\|$ for the
# network with biases of section 1 at a noisy test image. Is the offset $c(y)$ small compared with
# $f(y)$?

# %% tags=["solution"]
# Solution 2: c(y) = f(y) - J(y) y is the sum of the biases propagated through the active ReLUs.
y_e = y_test[1]
f_e = net_b(torch.as_tensor(y_e)[None, None]).detach().numpy().ravel()
c_e = f_e - dn.jacobian(net_b, y_e) @ y_e.ravel()
f_zero = net_b(torch.zeros(1, 1, L, L, dtype=torch.float64)).detach().numpy().ravel()
print(f"||f(0)|| > 1e-3: {np.linalg.norm(f_zero) > 1e-3},  ||c(y)|| / ||f(y)|| = {np.linalg.norm(c_e) / np.linalg.norm(f_e):.1f}")

# %% [markdown]
# **Exercise 3. Noise left in the estimate.** For the linear map $\hat x = J y$ with $J$ symmetric,
# the noise part of the output is $\sigma Jz$. Show that its mean squared norm is
# $\sigma^2\sum_k h_k^2$ and compare it at $\sigma = 0.5$ with $\sigma^2\sum_k h_k$ for the network.

# %% tags=["solution"]
# Solution 3: E||J z||^2 = tr(J^T J) = sum_k h_k^2 for symmetric J; with 0 <= h_k <= 1 it is <= sum_k h_k.
print(f"sum h^2 / sum h = {np.sum(h0**2) / np.sum(h0):.1f},  all 0 <= h_k <= 1.05: {bool(np.all((h0 > -0.05) & (h0 < 1.05)))}")

# %% [markdown]
# **Exercise 4. Where does memorization live?** For the two networks trained on $N = 2$ images,
# compute the ratio (c) of section 3 at $\sigma = 0.2$ and at $\sigma = 1$. At which noise level do the
# networks rely most on their training images, and why?

# %% tags=["solution"]
# Solution 4: the ratio is smallest at small sigma. There the network trained on two images keeps
# little more than their span: on its own images the error is a fraction of the small noise, on a
# fresh image it throws away everything outside that span, an error of the order of ||x||^2. At
# large sigma even the best denoiser of the law shrinks almost everything, and the two errors meet.
for s_e in (0.2, 1.0):
    ratios = []
    for m, x_set in zip(runs[N_TRAIN[0]]["models"], runs[N_TRAIN[0]]["sets"], strict=True):
        def err_s(x, seed, m=m, s_e=s_e):
            y = x + s_e * cu.make_rng(seed).standard_normal(x.shape)
            with torch.no_grad():
                return np.sum((m(torch.as_tensor(y, dtype=torch.float32)[:, None])[:, 0].numpy() - x) ** 2, axis=(1, 2))
        ratios.append(np.mean(err_s(x_set, 5)) / np.mean(err_s(fresh, 6)))
    print(f"sigma = {s_e}: training / fresh error {np.mean(ratios):.1f}")

# %% [markdown]
# **Exercise 5. Copies up to scale.** Take a network of section 3 trained on $N = 2$ images and one of
# its training images $x^\mu$. Denoise $a x^\mu + a\sigma z$ for $a = 0.5, 1, 2$ at $\sigma = 0.3$ and
# compare the output with $x^\mu$ and with $a x^\mu$. Which one does the network return, and what does
# that say about the norms of its samples?

# %% tags=["solution"]
# Solution 5: by homogeneity f(a x + a sigma z) = a f(x + sigma z), and f(x + sigma z) is close to x for
# a memorizing network: it returns a x, the point of the ray, not the training image x itself. Nothing
# pulls a sample back to the norm of the image it copies.
# NBVAL_TOLERANCE atol=0.03
# (a trained float32 network: measured drift with ATEN_CPU_CAPABILITY=default 0.01)
m5, x5 = runs[N_TRAIN[0]]["models"][0], runs[N_TRAIN[0]]["sets"][0][0]
z5 = cu.make_rng(12).standard_normal(x5.shape)
for a in (0.5, 1.0, 2.0):
    with torch.no_grad():
        f5 = m5(torch.as_tensor(a * (x5 + 0.3 * z5), dtype=torch.float32)[None, None])[0, 0].double().numpy()
    print(f"a = {a}: |f - a x| / |a x| = {np.linalg.norm(f5 - a * x5) / np.linalg.norm(a * x5):.2f},  "
          f"|f - x| / |x| = {np.linalg.norm(f5 - x5) / np.linalg.norm(x5):.2f}")

# %% [markdown]
# ## References
# - S. Mallat, lectures in *Lecture Notes from Beg Rohu 2025* (C. Miyamoto), sections 9.1-9.2.2
#   (generalization vs memorization, CNN architecture, bias in the model).
# - Z. Kadkhodaie, F. Guth, E. P. Simoncelli, S. Mallat, *Generalization in diffusion models arises
#   from geometry-adaptive harmonic representations*, ICLR (2024), arXiv:2310.02557.
# - S. Mohan, Z. Kadkhodaie, E. P. Simoncelli, C. Fernandez-Granda, *Robust and interpretable blind
#   image denoising via bias-free convolutional neural networks*, ICLR (2020), arXiv:1906.05478.
# - N. Wiener, *Extrapolation, Interpolation, and Smoothing of Stationary Time Series*, MIT (1949).
# - G. Biroli, T. Bonnaire, V. de Bortoli, M. Mézard, *Dynamical regimes of diffusion models*,
#   Nature Communications 15, 9957 (2024) (the memorization of the exact empirical score, lecture 14).
