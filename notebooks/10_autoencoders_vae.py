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
# # 10 · Autoencoders and the variational autoencoder
#
# An autoencoder squeezes data through a narrow code $z$ and asks for the data back. With
# linear maps this is principal component analysis in disguise, a statement we can check
# to the degree. Making the maps nonlinear gives better codes; making the code *random*, with
# a prior, turns the autoencoder into a generative model whose log-likelihood is bounded
# from below by the ELBO, the same variational bound that gives free energies in
# statistical physics. We train each model on the 8x8 handwritten digits that ship with
# scikit-learn, compare the bound with an importance-sampled estimate of $\log p(x)$, and
# show two ways the VAE disappoints: blurry samples and collapsed latents.
#
# **Learning goals**
# - show that a linear autoencoder with bottleneck $k$ learns the top-$k$ principal subspace
#   (principal angles to the SVD subspace $\approx 0$), but not the individual components;
# - derive the ELBO as reconstruction minus KL, and the reparameterisation trick that makes it
#   trainable;
# - estimate $\log p(x)$ with the importance-weighted bound and check
#   $\mathrm{ELBO}\le\mathrm{IWAE}_K\le\log p(x)$;
# - recognise blurry means and posterior collapse (KL per latent $\approx 0$) in a trained model.
#
# *Source:* the course's handwritten notes on autoencoders, the VAE and the ELBO; variational
# inference and the ELBO in *Machine Learning for Physicists: Recitation Notes* (C. Miyamoto), section 8.2.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from scipy.linalg import subspace_angles
from sklearn.datasets import load_digits

import course_utils as cu
from course_utils import vae

rng = cu.setup(seed=0)

# %% [markdown]
# ## 1. The linear autoencoder is PCA
#
# Encoder $E(x) = W_e x$, decoder $D(z) = W_d z$ with $z\in\mathbb R^k$, $k < d$, on centred data
# with covariance $C = \mathbb E[xx^\top] = \sum_i \lambda_i v_i v_i^\top$ ($\lambda_1\ge\lambda_2\ge\dots$). The
# reconstruction $L x$ with $L = W_d W_e$ has rank at most $k$, and
#
# $$\min_{\mathrm{rank}\,L\le k}\ \mathbb E\,\|Lx - x\|^2 = \sum_{i>k}\lambda_i,\qquad
# \text{reached by } L = \Pi_{\{v_1,\dots,v_k\}},$$
#
# the orthogonal projector onto the top-$k$ eigenspace (Eckart-Young; Baldi and Hornik showed
# that gradient descent on $(W_e, W_d)$ has no other local minima). The optimum fixes the
# *subspace* spanned by the columns of $W_d$, not a basis: $W_d A$, $A^{-1}W_e$ reconstruct equally
# well for any invertible $A$. So we compare subspaces, through their principal angles.

# %%
digits = load_digits()
x_cont = digits.data / 16.0  # grey levels in [0, 1]
x_c = x_cont - x_cont.mean(0)
K = 5
eigvals = np.linalg.svd(x_c, compute_uv=False) ** 2 / len(x_c)  # eigenvalues of C
pca_basis = np.linalg.svd(x_c, full_matrices=False)[2][:K].T  # top-k eigenvectors, (64, k)

linear_ae = vae.Autoencoder(64, K)  # no hidden layer: linear encoder and decoder
loss_lin = vae.train_autoencoder(linear_ae, x_c, steps=1000, batch_size=len(x_c), lr=2e-2, seed=0)
W_d = linear_ae.decoder[0].weight.detach().double().numpy()  # (64, k)
angles = np.degrees(subspace_angles(W_d, pca_basis))
with torch.no_grad():
    mse_lin = ((linear_ae(torch.as_tensor(x_c, dtype=torch.float32)).double().numpy() - x_c) ** 2).mean()
mse_pca = eigvals[K:].sum() / 64  # per pixel

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
axes[0].semilogy(np.arange(1, 65), eigvals, "o-", ms=3)
axes[0].axvline(K + 0.5, color="k", ls="--", lw=1)
cu.plotting.label(axes[0], "index $i$", "eigenvalue $\\lambda_i$ of $C$", f"digit spectrum; bottleneck k = {K}")
axes[1].plot(loss_lin, label="linear autoencoder")
axes[1].axhline(mse_pca, color="C3", ls=":", label="PCA optimum $\\sum_{i>k}\\lambda_i / d$")
axes[1].set_ylim(0.9 * mse_pca, 2.5 * mse_pca)
cu.plotting.label(axes[1], "training step", "mean squared error per pixel", "training reaches the PCA bound")
axes[1].legend()
plt.show()

# %% [markdown]
# **Check: the learned subspace is the principal subspace.** The principal angles between the
# column space of $W_d$ and $\mathrm{span}\{v_1,\dots,v_k\}$ should vanish, and the reconstruction
# error should equal $\sum_{i>k}\lambda_i$. Yet $W_d$ itself is not the matrix of eigenvectors: its
# columns are neither orthonormal nor aligned with the $v_i$.

# %%
cols = W_d / np.linalg.norm(W_d, axis=0)
print("principal angles to the SVD subspace (degrees):", np.round(angles, 2).tolist())
print(f"MSE linear AE = {mse_lin:.5f}, PCA bound = {mse_pca:.5f}")
print("|cosine| between decoder columns and v_1..v_k:")
print(np.round(np.abs(cols.T @ pca_basis), 2))
# 1000 full-batch Adam steps: the slowest direction (gap lambda_5 - lambda_6) converges to
# within a degree (largest angle 0.41-0.58 degrees over 6 initialisations; after 500 steps some
# initialisations were still at 20-25 degrees). 2 degrees leaves room for the optimiser, far below
# the up-to-90 degrees of a wrong subspace (e.g. v_2..v_6, which misses v_1 entirely)
assert angles.max() < 2.0
# at the optimum the loss equals the bound (a subspace tilted by theta adds ~ theta^2 (lambda_5 - lambda_6))
assert abs(mse_lin - mse_pca) < 0.01 * mse_pca

# %% [markdown]
# ## 2. A nonlinear autoencoder
#
# With a hidden layer (ReLU) in the encoder and the decoder, the code can bend along the data.
# With $k = 2$ it beats the best linear 2-D code, PCA, on data it has not seen.

# %%
train_idx = rng.permutation(len(x_c))
tr, te = train_idx[:1500], train_idx[1500:]
pca2 = np.linalg.svd(x_c[tr], full_matrices=False)[2][:2].T
ae2 = vae.Autoencoder(64, 2, hidden=(128,))
loss_ae = vae.train_autoencoder(ae2, x_c[tr], steps=800, batch_size=256, lr=3e-3, seed=1)
with torch.no_grad():
    rec_ae = ae2(torch.as_tensor(x_c[te], dtype=torch.float32)).double().numpy()
rec_pca = x_c[te] @ pca2 @ pca2.T
mse_ae_te, mse_pca_te = ((rec_ae - x_c[te]) ** 2).mean(), ((rec_pca - x_c[te]) ** 2).mean()
print(f"test MSE per pixel, k = 2: PCA {mse_pca_te:.4f}, nonlinear autoencoder {mse_ae_te:.4f}")
# both are computed on the same 297 test images; the gap is many times the per-image scatter
assert mse_ae_te < 0.9 * mse_pca_te

fig, axes = plt.subplots(3, 8, figsize=(9, 3.6))
mean_img = x_cont.mean(0)
for j in range(8):
    for row, img, name in zip(axes, (x_c[te][j], rec_pca[j], rec_ae[j]), ("test image", "PCA, k=2", "AE, k=2")):
        row[j].imshow((img + mean_img).reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        row[j].set_xticks([])
        row[j].set_yticks([])
        row[j].grid(False)
        if j == 0:
            row[j].set_ylabel(name, fontsize=8)
plt.suptitle("reconstructions through a 2-number bottleneck")
plt.show()

# %% [markdown]
# ## 3. The variational autoencoder and the ELBO
#
# A generative model needs more: decoding *random* codes $z\sim\mathcal N(0, I)$ should give
# data-like images. The VAE makes the decoder a likelihood $p_\theta(x|z)$ (here independent
# Bernoulli pixels on binarised digits) and the model density $q_\theta(x) = \int \mathcal N(z; 0, I)\,p_\theta(x|z)\,dz$.
# The integral is intractable, but any encoder distribution $E(x) = q_\phi(z|x)$ gives a bound.
# Bayes' rule for the posterior $p_\theta(z|x) = \mathcal N(z)\,p_\theta(x|z)/q_\theta(x)$ inside
# $0\le \mathrm{KL}(q_\phi(z|x)\,\|\,p_\theta(z|x))$ gives
#
# $$\log q_\theta(x) = \underbrace{\mathbb E_{z\sim q_\phi(z|x)}\big[\log p_\theta(x|z)\big]}_{\text{reconstruction}}
# - \underbrace{\mathrm{KL}\big(q_\phi(z|x)\,\|\,\mathcal N(0, I)\big)}_{\text{divergence}}
# + \mathrm{KL}\big(q_\phi(z|x)\,\|\,p_\theta(z|x)\big) \;\ge\; \mathrm{ELBO}(x).$$
#
# For $q_\phi(z|x) = \mathcal N(\mu(x), \mathrm{diag}\,\sigma^2(x))$ the divergence is analytic,
# $\mathrm{KL} = \tfrac12\sum_j(\mu_j^2 + \sigma_j^2 - 1 - \log\sigma_j^2)$. The reconstruction term is an
# expectation over $z$ whose law depends on $\phi$; the **reparameterisation trick** writes
# $z = \mu(x) + \sigma(x)\odot\varepsilon$, $\varepsilon\sim\mathcal N(0, I)$, so that one sample of
# $\varepsilon$ gives an unbiased, differentiable estimate and we maximise
#
# $$\widehat{\mathrm{ELBO}}(x) = \log p_\theta\big(x\,\big|\,\mu + \sigma\odot\varepsilon\big) - \tfrac12\sum_j\big(\mu_j^2 + \sigma_j^2 - 1 - \log\sigma_j^2\big).$$
#
# **Squared error or cross-entropy?** The handwritten notes describe the VAE loss as "squared
# error + KL". That is the **Gaussian decoder** $p_\theta(x|z) = \mathcal N(x; D_\theta(z), s^2 I)$ on
# $n$ real-valued pixels, for which
#
# $$-\log p_\theta(x|z) = \frac{\|x - D_\theta(z)\|^2}{2s^2} + \frac n2\log(2\pi s^2):$$
#
# $-$ELBO is the squared reconstruction error, weighted by $1/2s^2$, plus the KL. Our pixels are
# binary, so we use the **Bernoulli decoder** with pixel probabilities $D_\theta(z) = \mathrm{sigmoid}(\text{logits}(z))$,
#
# $$-\log p_\theta(x|z) = -\sum_{i=1}^n\big[x_i\log D_{\theta,i}(z) + (1-x_i)\log\big(1-D_{\theta,i}(z)\big)\big],$$
#
# the binary cross-entropy. The structure, reconstruction + KL, is the same; only the
# likelihood changes to fit the data type, and with it the units: the Bernoulli ELBO is a
# true log-probability of the binary image, in nats, while the Gaussian one depends on $s$.

# %%
x_bin, labels = vae.binarized_digits()  # pixel = 1 where the grey level exceeds 8 of 16
x_tr, x_te = x_bin[tr], x_bin[te]
x_te_t = torch.as_tensor(x_te, dtype=torch.float32)
VAE_STEPS = 800  # 3000 for class: sharper samples, higher ELBO
vae2 = vae.VAE(64, 2, hidden=(128,))
hist2 = vae.train_vae(vae2, x_tr, steps=VAE_STEPS, batch_size=128, lr=4e-3, seed=2)

fig, ax = plt.subplots()
smooth = np.ones(25) / 25
for key, lab in (("elbo", "ELBO"), ("reconstruction", "reconstruction $\\mathbb{E}\\log p(x|z)$")):
    ax.plot(np.convolve(hist2[key], smooth, mode="valid"), label=lab)
ax.plot(-np.convolve(hist2["kl"], smooth, mode="valid"), label="$-$KL$(q(z|x)\\,\\|\\,\\mathcal{N})$")
cu.plotting.label(ax, "training step", "nats per image (running mean of 25)", "VAE with a 2-D latent")
ax.legend()
plt.show()

# %% [markdown]
# **Samples and the latent map.** Left: the encoder means $\mu(x)$ of the test digits, coloured by
# their label, which the VAE never saw. Right: the decoder's mean image
# $\mathbb E[x|z] = \mathrm{sigmoid}(\text{logits}(z))$ on a $9\times9$ grid of $z$, one small image
# per grid point (separated by grey lines), centred on its $z$ and in the same coordinates as
# the left panel: find a digit's cluster on the left, and the right panel shows what the
# decoder draws there.

# %%
with torch.no_grad():
    mu_te, _ = vae2.encode(x_te_t)
grid = np.linspace(-2.0, 2.0, 9)
zz = torch.as_tensor(np.array([(a, b) for b in grid[::-1] for a in grid]), dtype=torch.float32)
with torch.no_grad():
    tiles = torch.sigmoid(vae2.decode(zz)).numpy().reshape(9, 9, 8, 8)
padded = np.full((9, 9, 10, 10), np.nan)   # one grey pixel of frame around each 8x8 image
padded[:, :, 1:9, 1:9] = tiles
mosaic = padded.transpose(0, 2, 1, 3).reshape(90, 90)
cmap_tiles = plt.get_cmap("gray_r").copy()
cmap_tiles.set_bad("0.6")

fig, axes = plt.subplots(1, 2, figsize=(11, 4.6))
sc = axes[0].scatter(mu_te[:, 0], mu_te[:, 1], c=labels[te], cmap="tab10", s=12)
fig.colorbar(sc, ax=axes[0], label="digit")
cu.plotting.label(axes[0], "$\\mu_1(x)$", "$\\mu_2(x)$", "encoder means of test digits")
im = axes[1].imshow(mosaic, cmap=cmap_tiles, vmin=0, vmax=1, extent=(-2.25, 2.25, -2.25, 2.25))
fig.colorbar(im, ax=axes[1], label="pixel probability $\\mathbb{E}[x_i|z]$")
axes[1].set_xticks(grid[::2])
axes[1].set_yticks(grid[::2])
axes[1].set_aspect("equal")
axes[1].grid(False)
cu.plotting.label(axes[1], "$z_1$", "$z_2$", "decoder mean $\\mathbb{E}[x|z]$ on a grid")
plt.show()

# %% [markdown]
# **Check: ELBO $\le$ IWAE$_K$ $\le\log p(x)$.** Drawing $K$ codes $z_k\sim q_\phi(z|x)$ gives the
# importance-weighted bound $\mathrm{IWAE}_K(x) = \log\frac1K\sum_k \mathcal N(z_k)\,p_\theta(x|z_k)/q_\phi(z_k|x)$;
# its expectation rises with $K$ from the ELBO ($K = 1$) to $\log q_\theta(x)$. On the test digits
# the gap between the ELBO and the large-$K$ value estimates the average
# $\mathrm{KL}(q_\phi(z|x)\|p_\theta(z|x))$: the price of a Gaussian posterior. We also check the
# analytic KL of the trained encoder against a Monte Carlo estimate.

# %%
gen = cu.torch_generator(11)
with torch.no_grad():
    elbo_x = torch.stack([vae.elbo(vae2, x_te_t, generator=gen)["elbo"] for _ in range(50)]).mean(0)
iwae_x = {K_: vae.iwae_bound(vae2, x_te_t, K_, seed=3) for K_ in (1, 10, 100, 1000)}
print(f"test ELBO            = {elbo_x.mean():.2f} nats per image (50 draws of z per image)")
for K_, v in iwae_x.items():
    print(f"test IWAE, K = {K_:4d} = {v.mean():.2f}")
gap = iwae_x[1000] - elbo_x  # paired, image by image
gap_se = gap.std().item() / np.sqrt(len(gap))
print(f"IWAE_1000 - ELBO     = {gap.mean():.3f} +- {gap_se:.3f} nats (mean posterior mismatch)")
# the bound is ordered: IWAE_K rises with K (0.05: Monte Carlo error of each mean over 297 images)
vals = [v.mean().item() for v in iwae_x.values()]
assert all(b > a - 0.05 for a, b in zip(vals, vals[1:]))
# IWAE_1000 exceeds the ELBO image by image on average, by more than 3 paired standard errors
assert gap.mean() > 3 * gap_se
# IWAE_1 is a one-sample ELBO estimate: equal in expectation (paired, within 4 standard errors)
d1 = iwae_x[1] - elbo_x
assert abs(d1.mean().item()) < 4 * d1.std().item() / np.sqrt(len(d1))

with torch.no_grad():
    mu, log_var = vae2.encode(x_te_t[:50])
    std = torch.exp(0.5 * log_var)
    z = mu + std * torch.randn((20000,) + mu.shape, generator=gen)
    mc = ((-0.5 * ((z - mu) / std) ** 2 - torch.log(std)) + 0.5 * z**2).sum(-1).mean(0)
    analytic = vae.gaussian_kl(mu, log_var)
err = (mc - analytic).abs().max().item()
print(f"analytic KL vs Monte Carlo (20000 draws) on 50 images: max difference {err:.3f} nats")
# per image the MC standard error is ~ sqrt(KL-scale variance / 20000) < 0.02
assert err < 0.05

# %% [markdown]
# ## 4. Failure modes, shown
#
# **Blurry samples.** The decoder factorises over pixels: given $z$ every pixel is an
# independent coin. Its mean image $\mathbb E[x|z]$ averages all digits compatible with $z$ and is
# blurry; a true sample $x\sim p_\theta(x|z)$ has crisp pixels but salt-and-pepper noise, because
# the pixels' correlations were never modelled, only pushed into $z$. Neither looks like the data.
#
# The handwritten notes list the VAE's problems as "mode collapse, a global objective, forcing
# $\mathcal N(0, I)$ onto $p$", and add "not necessarily blurry (see GANs)". Both views hold. Blur
# is not a law of generative models, nor of the ELBO as such: it comes from the factorised
# decoder, whose mean averages every image compatible with $z$; a GAN, or a decoder that
# models the correlations between pixels, can draw sharp images. What the ELBO itself
# causes is the first item on the notes' list: the KL term pushes codes towards the prior,
# and latents that are not worth their KL cost are switched off, so that the model's variety
# collapses. That is the posterior collapse shown next.

# %%
g = cu.torch_generator(4)
z_s = torch.randn(10, 2, generator=g)
with torch.no_grad():
    probs = torch.sigmoid(vae2.decode(z_s))
    draws = torch.bernoulli(probs, generator=g)
fig, axes = plt.subplots(3, 10, figsize=(10, 3.4))
for j in range(10):
    for row, img, name in zip(axes, (x_te[j], probs[j].numpy(), draws[j].numpy()),
                              ("data", "mean $\\mathbb{E}[x|z]$", "sample $x\\sim p(x|z)$")):
        row[j].imshow(img.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        row[j].set_xticks([])
        row[j].set_yticks([])
        row[j].grid(False)
        if j == 0:
            row[j].set_ylabel(name, fontsize=8)
plt.suptitle("VAE samples with z ~ N(0, I)")
plt.show()

# %% [markdown]
# **Posterior collapse.** Give the VAE more latents than it needs ($k = 8$) and weight the KL
# term by $\beta$ (the $\beta$-VAE; $\beta = 1$ is the ELBO). A latent $j$ whose code is not worth its
# KL cost is switched off: $q_\phi(z_j|x) = \mathcal N(0,1)$ for every $x$, so its KL vanishes and the
# decoder learns to ignore it. The diagnostic is the data-averaged
# $\mathrm{KL}_j = \mathbb E_x\,\mathrm{KL}(q_\phi(z_j|x)\,\|\,\mathcal N(0,1))$ per latent dimension.

# %%
BETAS = (1.0, 3.0)
COLLAPSE_STEPS = 600  # 3000 for class
vae8 = {}
for b in BETAS:
    cu.manual_seed(5)
    vae8[b] = vae.VAE(64, 8, hidden=(128,))
    vae.train_vae(vae8[b], x_tr, steps=COLLAPSE_STEPS, batch_size=128, lr=4e-3, beta=b, seed=5)
kl_dims = {b: vae.kl_per_dimension(vae8[b], x_te_t) for b in BETAS}

fig, ax = plt.subplots()
for i, b in enumerate(BETAS):
    ax.bar(np.arange(8) + (i - 0.5) * 0.4, kl_dims[b], width=0.4, label=f"$\\beta$ = {b:g}")
ax.axhline(0.05, color="k", ls=":", lw=1, label="active threshold 0.05 nats")
cu.plotting.label(ax, "latent dimension $j$", "$\\mathrm{KL}_j$ (nats)", "KL per latent: collapsed dimensions carry none")
ax.legend()
plt.show()


# %%
def decoder_sensitivity(model, j, n=200):
    """Mean |change| of the decoder's pixel probabilities when latent j moves from -2 to +2
    (the other latents drawn from the prior)."""
    zz = torch.randn(n, model.k, generator=cu.torch_generator(6))
    lo, hi = zz.clone(), zz.clone()
    lo[:, j], hi[:, j] = -2.0, 2.0
    with torch.no_grad():
        return (torch.sigmoid(model.decode(hi)) - torch.sigmoid(model.decode(lo))).abs().mean().item()


active = {b: kl_dims[b] > 0.05 for b in BETAS}
for b in BETAS:
    print(f"beta = {b:g}: KL per latent = {np.round(kl_dims[b], 2).tolist()}, active = {int(active[b].sum())}/8")
b_hi = BETAS[1]
j_off, j_on = int(np.argmin(kl_dims[b_hi])), int(np.argmax(kl_dims[b_hi]))
sens_off, sens_on = decoder_sensitivity(vae8[b_hi], j_off), decoder_sensitivity(vae8[b_hi], j_on)
print(f"beta = {b_hi:g}: decoder sensitivity to collapsed latent {j_off}: {sens_off:.3f}, "
      f"to active latent {j_on}: {sens_on:.3f}")
# a stronger KL weight switches latents off; KL_j is exact given the encoder (no sampling noise)
assert 0 < active[b_hi].sum() < active[1.0].sum()
# the decoder ignores a collapsed latent: sweeping it changes pixels at least 5 times less
assert sens_off < 0.2 * sens_on

# %% [markdown]
# Raising $\beta$ from 1 to 3 switches off most latents, and the survivors carry little
# information (their KL is a fraction of a nat). Even at $\beta = 1$ one of the eight latents is
# unused: a blank dimension costs nothing in the ELBO, while every used one pays its KL.
#
# ## 5. Live: walking along one latent
#
# Decode $z = t\,e_j$ for $t$ from $-2.5$ to $2.5$ along latent $j$ (other latents at 0), for the
# $\beta = 1$ or $\beta = 3$ model. Active latents morph one digit into another; collapsed ones
# change nothing. No retraining happens in the live cell.

# %%
def plot_latent_walk(j=0, beta=BETAS[1]):
    """Decoder mean images along latent j of the k = 8 VAE trained with this beta."""
    model = vae8[min(BETAS, key=lambda b: abs(b - beta))]
    t = np.linspace(-2.5, 2.5, 9)
    zz = torch.zeros(len(t), 8)
    zz[:, j] = torch.as_tensor(t, dtype=torch.float32)
    with torch.no_grad():
        imgs = torch.sigmoid(model.decode(zz)).numpy()
    fig, axes = plt.subplots(1, len(t), figsize=(10, 1.7))
    for ax, img, tj in zip(axes, imgs, t):
        ax.imshow(img.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        ax.set_xlabel(f"$z_{j}$ = {tj:.1f}", fontsize=8)
    plt.suptitle(f"latent walk, beta = {beta:g}, latent {j}: KL_j = {kl_dims[min(BETAS, key=lambda b: abs(b - beta))][j]:.2f} nats")
    plt.show()


plot_latent_walk()

# %%
# NBVAL_IGNORE_OUTPUT
cu.plotting.live(plot_latent_walk, j=(0, 7, 1), beta=list(BETAS))

# %% [markdown]
# ## Exercises
#
# Each exercise is followed by its solution, folded on the book site and left out of the student edition.

# %% [markdown]
# **Exercise 1. Projector, on the data.** For the linear autoencoder of section 1, compare $L = W_d W_e$ with
# the projector $V_k V_k^\top$, first as matrices, then on the data ($\|(L - V_kV_k^\top)x\|$ against
# $\|x\|$). Why can the two differ as matrices while the loss is optimal? (Hint: some pixels of
# the 8x8 digits are blank in every image.)

# %% tags=["solution"]
# Solution 1: L and the projector agree on the data but not in directions of zero or tiny variance
# (always-blank pixels), which the loss never sees, so gradient descent leaves them as initialised.
L_lin = (linear_ae.decoder[0].weight @ linear_ae.encoder[0].weight).detach().double().numpy()
P_top = pca_basis @ pca_basis.T
print(f"as matrices: ||L - P|| / ||P||      = {np.linalg.norm(L_lin - P_top) / np.linalg.norm(P_top):.3f}")
print(f"on the data: ||(L - P) x|| / ||x||  = {np.linalg.norm(x_c @ (L_lin - P_top).T) / np.linalg.norm(x_c):.3f}")
print("pixels blank in every image:", int((x_cont.std(0) == 0).sum()))

# %% [markdown]
# **Exercise 2. Posterior mismatch with more latents.** Measure $\mathrm{IWAE}_{1000} - \mathrm{ELBO}$ and
# $\mathrm{IWAE}_{1000}$ on the test digits for the $k = 8$, $\beta = 1$ model and compare with the
# $k = 2$ model of section 3. Which fits the data better, and which has the larger gap?

# %% tags=["solution"]
# Solution 2: the same estimators for both models on the same test digits.
for name, model in (("k = 2", vae2), ("k = 8, beta = 1", vae8[1.0])):
    with torch.no_grad():
        el = torch.stack([vae.elbo(model, x_te_t, generator=gen)["elbo"] for _ in range(20)]).mean(0)
    iw = vae.iwae_bound(model, x_te_t, 1000, seed=8)
    print(f"{name:16s}: IWAE_1000 = {iw.mean():.2f}, IWAE_1000 - ELBO = {(iw - el).mean():.2f} nats")

# %% [markdown]
# **Exercise 3. Rate and distortion.** Compute for both $k = 8$ models the test reconstruction term and
# KL term separately. Which one does $\beta = 3$ trade for which, and why is its ELBO (at
# $\beta = 1$) lower?

# %% tags=["solution"]
# Solution 3: beta = 3 buys a smaller KL (rate) with a worse reconstruction (distortion).
g3 = cu.torch_generator(12)
for b in BETAS:
    with torch.no_grad():
        out = vae.elbo(vae8[b], x_te_t, generator=g3)
    print(f"beta = {b:g}: reconstruction {out['reconstruction'].mean():.1f}, KL {out['kl'].mean():.2f}, "
          f"ELBO {out['elbo'].mean():.1f} nats")

# %% [markdown]
# ## References
# - P. Baldi, K. Hornik, *Neural networks and principal component analysis: learning from
#   examples without local minima*, Neural Networks 2, 53 (1989).
# - D. P. Kingma, M. Welling, *Auto-encoding variational Bayes*, ICLR (2014), arXiv:1312.6114;
#   D. J. Rezende, S. Mohamed, D. Wierstra, *Stochastic backpropagation and approximate
#   inference in deep generative models*, ICML (2014).
# - Y. Burda, R. Grosse, R. Salakhutdinov, *Importance weighted autoencoders*, ICLR (2016).
# - I. Higgins et al., *beta-VAE: learning basic visual concepts with a constrained variational
#   framework*, ICLR (2017).
# - J. Lucas, G. Tucker, R. Grosse, M. Norouzi, *Don't blame the ELBO! A linear VAE perspective
#   on posterior collapse*, NeurIPS (2019).
# - Handwritten notes on autoencoders and the VAE; *Machine Learning for Physicists: Recitation Notes* (C. Miyamoto),
#   section 8.2.
