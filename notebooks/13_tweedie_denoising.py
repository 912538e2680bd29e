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
# # 13 · Denoising: Tweedie's formula, the Wiener filter and wavelet thresholding
#
# A diffusion model is a denoiser in disguise: to run the reverse SDE of lecture 12 we need
# the score $\nabla\log p_\sigma$ of noisy data, and Tweedie's formula says that this score *is*
# the optimal denoiser, up to an affine map. So learning to generate reduces to learning to
# denoise, a plain regression. This lecture proves the formula, checks it exactly on
# Gaussian mixtures, learns a denoiser with a small network, and then looks at the two
# classical answers to "what is the best denoiser?": the Wiener filter for Gaussian
# (stationary) signals and thresholding in a wavelet basis for sparse ones.
#
# **Learning goals**
# - prove Tweedie's formula $\mathbb{E}[x\mid y] = y + \sigma^2\nabla\log p_\sigma(y)$ and check it against
#   Monte Carlo averages of the clean signal given the noisy one;
# - train a denoiser by denoising score matching and read the learned score off it;
# - derive the Wiener filter $H = C(C+\sigma^2 I)^{-1}$ and its Fourier eigenvalues
#   $\lambda_k/(\lambda_k+\sigma^2)$ for a stationary signal;
# - denoise sparse signals by hard and soft thresholding at $T = \sigma\sqrt{2\log d}$ and compare the
#   risk with the oracle and the Donoho-Johnstone bound;
# - see that a good denoising basis is a good compression basis, on a signal and an image.
# - look at the wavelet pyramid the thresholding acts on, measure its sparsity and predict how many
#   noisy coefficients survive the threshold;
# - run the $\alpha$-family of reverse SDEs $dy = [y + (1+\alpha)\nabla\log q]\,ds + \sqrt{2\alpha}\,dW$ and check
#   that every member, the probability-flow ODE included, has the same marginals.
#
# *Source:* S. Mallat's lectures in *Lecture Notes from Beg Rohu 2025* (C. Miyamoto), sections 9.0.2 (the reverse SDEs, eqs. 9.10-9.11), 9.0.3-9.0.4 (Tweedie, Gaussian denoising) and 10
# (Wiener filter, binary and thresholding estimators, compression).

# %%
import matplotlib.pyplot as plt
import numpy as np
import pywt
from scipy import special

import course_utils as cu
from course_utils import denoise

rng = cu.setup(seed=0)

# %% [markdown]
# ## 1. Tweedie's formula
#
# Observe $y = x + z$ with $z\sim N(0,\sigma^2 I)$ independent of $x\sim p$. The noisy law is
# $p_\sigma(y) = \int g_\sigma(y-x)\,p(x)\,dx$ with $g_\sigma(u) = C_\sigma e^{-\|u\|^2/2\sigma^2}$.
# The estimator minimising the mean squared error $\mathbb{E}\|\hat x(y) - x\|^2$ is the posterior
# mean $\hat x(y) = \mathbb{E}[x\mid y]$. Differentiate under the integral, using
# $\nabla g_\sigma(u) = -\frac{u}{\sigma^2}g_\sigma(u)$:
#
# $$\sigma^2\nabla p_\sigma(y) = \int (x - y)\,g_\sigma(y-x)\,p(x)\,dx .$$
#
# Divide by $p_\sigma(y)$ and recognise the posterior $p(x\mid y) = g_\sigma(y-x)p(x)/p_\sigma(y)$:
# $\sigma^2\nabla\log p_\sigma(y) = \mathbb{E}[x\mid y] - y$, i.e.
#
# $$\hat x(y) = \mathbb{E}[x\mid y] = y + \sigma^2\,\nabla_y\log p_\sigma(y).$$
#
# For a Gaussian mixture $p = \sum_k w_k N(\mu_k, s_k^2 I)$ both sides are explicit. The noisy
# law is the mixture with variances $s_k^2+\sigma^2$, with score
# $\nabla\log p_\sigma(y) = \sum_k r_k(y)\,\frac{\mu_k - y}{s_k^2+\sigma^2}$, where $r_k(y)$ is the posterior
# probability of component $k$. Independently, Bayes' rule inside each component gives the
# posterior mean $\mu_k + \frac{s_k^2}{s_k^2+\sigma^2}(y-\mu_k)$, so
# $\mathbb{E}[x\mid y] = \sum_k r_k(y)\big[\mu_k + \frac{s_k^2}{s_k^2+\sigma^2}(y-\mu_k)\big]$.
# `denoise.gmm_posterior_mean` implements the right-hand side. Both sides share the responsibilities
# $r_k$, so comparing the two closed forms would test only algebra; the check below instead takes the
# score by finite differences of $\log p_\sigma$ and compares Tweedie's estimate with Monte Carlo averages
# of $x$ over pairs $(x, y)$.

# %%
w_1d, mu_1d, s_1d = np.array([0.5, 0.3, 0.2]), np.array([[-2.0], [0.5], [3.0]]), np.array([0.3, 0.5, 0.2])
y_grid = np.linspace(-5, 6, 300)[:, None]
sigmas = [0.3, 0.7, 2.0]

# Monte Carlo check independent of both formulas: draw (x, y) pairs and average x in bins of y
sigma_mc = 0.7
x_mc = denoise.gmm_sample(200_000, w_1d, mu_1d, s_1d, seed=1)
y_mc = x_mc + sigma_mc * rng.standard_normal(x_mc.shape)
edges = np.linspace(-4, 5, 37)
which = np.digitize(y_mc[:, 0], edges) - 1
inside = (which >= 0) & (which < edges.size - 1)
counts = np.bincount(which[inside], minlength=edges.size - 1)
bin_mean = np.bincount(which[inside], x_mc[inside, 0], minlength=edges.size - 1) / counts
bin_sq = np.bincount(which[inside], x_mc[inside, 0] ** 2, minlength=edges.size - 1) / counts
bin_se = np.sqrt((bin_sq - bin_mean**2) / counts)
centres = 0.5 * (edges[1:] + edges[:-1])

fig, ax = plt.subplots(figsize=(6.4, 4))
for sig in sigmas:
    ax.plot(y_grid[:, 0], denoise.gmm_posterior_mean(y_grid, w_1d, mu_1d, s_1d, sig)[:, 0], label=rf"$\sigma={sig}$")
ax.plot(centres, bin_mean, "k.", label=rf"Monte Carlo $\langle x\rangle_{{y\in\mathrm{{bin}}}}$, $\sigma={sigma_mc}$")
ax.plot(y_grid[:, 0], y_grid[:, 0], "k:", lw=1, label=r"$\hat x = y$")
cu.plotting.label(ax, "noisy observation $y$", r"$\hat x(y) = \mathbb{E}[x\mid y]$", "Bayes denoiser of a 1-D mixture")
ax.set_ylim(-3, 4)
ax.legend(fontsize="small")
plt.show()

# %%
# Check: Tweedie's formula against simulation. The score is taken by central finite differences
# (h = 1e-4) of log p_sigma, the noisy mixture density, which knows nothing of the posterior; the
# estimate y + sigma^2 d/dy log p_sigma(y) is averaged over the sampled y of each bin (E[x|y] moves by
# up to ~0.1 inside a bin of width 0.25) and compared with the Monte Carlo mean of x there. Over 36
# bins the largest |z| of pure noise is ~2.5 (measured 2.5-3.1 for COURSE_UTILS_SEED = 0, 1, 2): allow 5.
# Wrong formulas: y + sigma d/dy log p_sigma (sigma for sigma^2) gives largest |z| ~ 97, the sign
# flipped ~ 450, and the score of the clean density p instead of p_sigma ~ 2700.
# The closed form E[x|y] of Bayes' rule that the figure plots passes the same test (same |z|).
fd_h = 1e-4
log_p = lambda v: denoise.gmm_log_density(v, w_1d, mu_1d, s_1d, sigma_mc)
score_fd = lambda v: ((log_p(v + fd_h) - log_p(v - fd_h)) / (2 * fd_h))[:, None]
tweedie_mc = denoise.tweedie_denoise(y_mc, score_fd, sigma_mc)[:, 0]  # y + sigma^2 score
post_mc = denoise.gmm_posterior_mean(y_mc, w_1d, mu_1d, s_1d, sigma_mc)[:, 0]
bin_avg = lambda v: np.bincount(which[inside], v[inside], minlength=edges.size - 1) / counts
z_tweedie = (bin_mean - bin_avg(tweedie_mc)) / bin_se
z_scores = (bin_mean - bin_avg(post_mc)) / bin_se
print(f"Monte Carlo vs Tweedie (finite-difference score): largest |z| over {counts.size} bins = "
      f"{np.abs(z_tweedie).max():.1f}")
print(f"Monte Carlo vs Bayes' rule E[x|y]:                 largest |z| over {counts.size} bins = "
      f"{np.abs(z_scores).max():.1f}")
assert np.abs(z_tweedie).max() < 5
assert np.abs(z_scores).max() < 5

# %% [markdown]
# At small $\sigma$ the denoiser is close to the identity; at large $\sigma$ it snaps $y$ to
# the nearest likely mode, and between modes it jumps, which is where the score changes fast.
#
# ## 2. Learning the denoiser, and the score with it
#
# Since the posterior mean minimises the squared error, a network $\hat x_\theta$ trained on
# pairs $(x, y = x + \sigma z)$ to minimise $\mathbb{E}\|\hat x_\theta(y) - x\|^2$ approximates it.
# This is **denoising score matching**: by Tweedie, the trained network gives the score for free,
#
# $$\nabla\log p_\sigma(y) \approx \frac{\hat x_\theta(y) - y}{\sigma^2}.$$
#
# We train a two-hidden-layer MLP (`denoise.train_dsm_denoiser`) on 5000 samples of a 2-D
# mixture, with fresh noise at each step, and compare it with the exact Bayes denoiser.

# %%
w_2d = np.array([0.4, 0.35, 0.25])
mu_2d = np.array([[-2.0, 0.0], [1.5, 1.5], [1.0, -2.0]])
s_2d = np.array([0.4, 0.6, 0.3])
sigma_2d = 0.7
n_train, train_steps = 5000, 1000  # train_steps = 5000 for class: the gap to Bayes shrinks further
x_train = denoise.gmm_sample(n_train, w_2d, mu_2d, s_2d, seed=2)
net = denoise.train_dsm_denoiser(x_train, sigma_2d, hidden=64, steps=train_steps, seed=0)

x_test = denoise.gmm_sample(5000, w_2d, mu_2d, s_2d, seed=3)
y_test = x_test + sigma_2d * rng.standard_normal(x_test.shape)
mse = {
    "identity y": np.mean(np.sum((y_test - x_test) ** 2, axis=1)),
    "Bayes E[x|y]": np.mean(np.sum((denoise.gmm_posterior_mean(y_test, w_2d, mu_2d, s_2d, sigma_2d) - x_test) ** 2, 1)),
    "learned network": np.mean(np.sum((net.denoise(y_test) - x_test) ** 2, axis=1)),
}
for name, v in mse.items():
    print(f"MSE per sample, {name:16s}: {v:.3f}")

# %%
lim = np.linspace(-4, 4, 15)
gx, gy = np.meshgrid(lim, lim)
grid2 = np.stack([gx.ravel(), gy.ravel()], axis=1)
score_exact = denoise.gmm_score(grid2, w_2d, mu_2d, s_2d, sigma_2d)
score_net = (net.denoise(grid2) - grid2) / sigma_2d**2  # Tweedie, read backwards
dens = np.exp(denoise.gmm_log_density(grid2, w_2d, mu_2d, s_2d, sigma_2d))

fig, axes = plt.subplots(1, 2, figsize=(9.8, 4.2), sharey=True)
for ax, s, title in ((axes[0], score_exact, "exact score"), (axes[1], score_net, r"learned: $(\hat x_\theta(y) - y)/\sigma^2$")):
    ax.contour(gx, gy, dens.reshape(gx.shape), levels=6, colors="gray", linewidths=0.6)
    ax.quiver(grid2[:, 0], grid2[:, 1], s[:, 0], s[:, 1], angles="xy", scale=60, width=0.004)
    cu.plotting.label(ax, "$y_1$", "$y_2$" if ax is axes[0] else "", title)
    ax.set_aspect("equal")
plt.show()

# %%
# Check: the learned denoiser is within 10% of the Bayes risk (finite network, finite
# training; the test MSEs share the same 5000 test pairs, so their ratio has little noise),
# and its Tweedie score matches the exact score where the noisy data live (weighted by p_sigma).
ratio = mse["learned network"] / mse["Bayes E[x|y]"]
w_grid = dens / dens.sum()
rel_score_err = np.sqrt((w_grid * np.sum((score_net - score_exact) ** 2, 1)).sum()
                        / (w_grid * np.sum(score_exact**2, 1)).sum())
print(f"MSE learned / MSE Bayes = {ratio:.3f};  relative score error (p_sigma-weighted) = {rel_score_err:.2f}")
assert 0.98 < ratio < 1.1  # Bayes is optimal in expectation; 5000 test pairs could dip ~1% below
assert rel_score_err < 0.25

# %% [markdown]
# ## 3. Gaussian data: the Wiener filter
#
# For $x\sim N(0, C)$ the noisy law is $N(0, C+\sigma^2 I)$, its score is $-(C+\sigma^2I)^{-1}y$,
# and Tweedie gives a **linear** denoiser:
#
# $$\hat x(y) = \big[I - \sigma^2(C+\sigma^2 I)^{-1}\big]y = (C+\sigma^2 I)^{-1}C\,y = Hy .$$
#
# It is also the best linear estimator for any data of covariance $C$ (the Wiener filter).
# For a **stationary** signal on a ring, $C_{ij} = c(i-j)$ is circulant and diagonal in the
# Fourier basis $\psi_k(n) = e^{i2\pi kn/d}/\sqrt d$, with eigenvalues the power spectrum
# $\lambda_k = \mathbb{E}|\langle x, \psi_k\rangle|^2$. There the filter multiplies each
# frequency by $h_k = \lambda_k/(\lambda_k+\sigma^2)$, and its risk is
#
# $$\varepsilon^2 = \mathbb{E}\|Hy - x\|^2 = \sum_k \frac{\sigma^2\lambda_k}{\lambda_k+\sigma^2}.$$
#
# We take a power-law spectrum $\lambda_k \propto (1 + |k|/k_0)^{-2}$, normalised to unit
# variance per site, as a stand-in for a rough physical field.

# %%
d_w, k0, sigma_w = 256, 4.0, 0.3
freq = np.fft.fftfreq(d_w, 1.0 / d_w)
lam = (1 + np.abs(freq) / k0) ** -2.0
lam *= d_w / lam.sum()  # unit variance per site: (1/d) sum_k lambda_k = 1
c = np.fft.ifft(lam).real  # covariance c(n) of the circulant C
C_w = np.array([np.roll(c, k) for k in range(d_w)])
H = denoise.wiener_filter(C_w, sigma_w)

n_sig = 400
x_w = np.fft.ifft(np.sqrt(lam) * np.fft.fft(rng.standard_normal((n_sig, d_w)), axis=1), axis=1).real
y_w = x_w + sigma_w * rng.standard_normal(x_w.shape)
xhat_w = y_w @ H.T

fig, axes = plt.subplots(1, 2, figsize=(10.4, 3.6))
n_ax = np.arange(d_w)
axes[0].plot(n_ax, y_w[0], color="0.7", lw=0.8, label="noisy $y$")
axes[0].plot(n_ax, x_w[0], "k", lw=1, label="signal $x$")
axes[0].plot(n_ax, xhat_w[0], "C1", lw=1.2, label="Wiener $Hy$")
cu.plotting.label(axes[0], "site $n$", "value", rf"stationary Gaussian signal, $\sigma={sigma_w}$")
axes[0].legend(fontsize="small", ncol=3)
F = np.fft.fft(np.eye(d_w)) / np.sqrt(d_w)
h_fourier = np.diag(F @ H @ F.conj().T).real
order = np.argsort(freq)
axes[1].semilogx(freq[order][freq[order] > 0], h_fourier[order][freq[order] > 0], "o", ms=3, label="diag of $F H F^*$")
axes[1].semilogx(freq[order][freq[order] > 0], (lam / (lam + sigma_w**2))[order][freq[order] > 0], "k", label=r"$\lambda_k/(\lambda_k+\sigma^2)$")
cu.plotting.label(axes[1], "frequency $k$", "gain $h_k$", "the Wiener filter in the Fourier basis")
axes[1].legend()
plt.show()

# %%
# Check 1: the Fourier basis diagonalises H with the predicted gains (round-off).
# Check 2: the empirical risk of H over 400 signals matches sum_k sigma^2 lambda_k/(lambda_k + sigma^2).
# The per-signal error is a sum of 256 weighted chi^2 terms, relative spread ~ 0.1, so the mean
# over 400 signals has relative standard error ~ 0.005: allow 3%.
off_diag = np.abs(F @ H @ F.conj().T - np.diag(h_fourier)).max()
risk_emp = np.mean(np.sum((xhat_w - x_w) ** 2, axis=1))
risk_th = np.sum(sigma_w**2 * lam / (lam + sigma_w**2))
gain_gap = np.abs(h_fourier - lam / (lam + sigma_w**2)).max()
print(f"Fourier gains equal lambda/(lambda+sigma^2) and F H F* is diagonal (< 1e-10): {gain_gap < 1e-10 and off_diag < 1e-10}")
print(f"Wiener risk: simulated {risk_emp:.2f}   theory {risk_th:.2f}   (noisy input: {d_w * sigma_w**2:.2f})")
assert np.allclose(h_fourier, lam / (lam + sigma_w**2), atol=1e-10) and off_diag < 1e-10
assert abs(risk_emp / risk_th - 1) < 0.03

# %% [markdown]
# ## 4. Sparse signals: oracle, thresholding and the Donoho-Johnstone bound
#
# A piecewise-smooth signal with jumps is not stationary, and a linear filter must either
# blur the jumps or keep the noise. In an orthonormal wavelet basis $\{\psi_k\}$ it is
# **sparse**: few coefficients $\langle x,\psi_k\rangle$ are large. An oracle that knows $x$ and
# may only keep or kill each noisy coefficient keeps those above the noise level, with risk
#
# $$\varepsilon_m = \sum_k \min\big(|\langle x,\psi_k\rangle|^2, \sigma^2\big).$$
#
# Without the oracle, **soft thresholding** $\hat x = \sum_k \mathrm{sth}_T(\langle y,\psi_k\rangle)\psi_k$,
# $\mathrm{sth}_T(a) = \mathrm{sign}(a)\max(|a|-T, 0)$ (or hard thresholding, $a\,1_{|a|>T}$), at the
# universal threshold $T = \sigma\sqrt{2\log d}$ (above which pure Gaussian noise almost never
# rises) satisfies the Donoho-Johnstone bound
#
# $$\varepsilon_m \le \mathbb{E}\|\hat x - x\|^2 \le (2\log d + 1)\,\big(\varepsilon_m + \sigma^2\big).$$
#
# The right inequality is the theorem. The left one is the oracle's floor: no keep-or-kill rule
# beats $\varepsilon_m$, and even the best oracle attenuation $h_k = |x_k|^2/(|x_k|^2+\sigma^2)$ only
# gains a factor of at most 2, since $\tfrac12\min(a,b)\le \frac{ab}{a+b}\le\min(a,b)$.
#
# We use PyWavelets' orthonormal Haar and Daubechies-4 bases with periodic boundaries.

# %%
d_s, sigma_s = 1024, 0.3
t_s = np.arange(d_s) / d_s
x_s = (np.sin(4 * np.pi * t_s) * (t_s < 0.35) + 1.5 * (t_s > 0.5) * (t_s < 0.62)
       + (t_s > 0.75) * (2.0 - 4 * t_s + 4 * t_s**2) + 0.8 * np.exp(-((t_s - 0.9) / 0.01) ** 2))
n_noise = 20
noises = sigma_s * cu.make_rng(4).standard_normal((n_noise, d_s))
T_univ = denoise.universal_threshold(sigma_s, d_s)


def wavelet_coefficients(x, wavelet):
    return pywt.coeffs_to_array(pywt.wavedec(x, wavelet, mode="periodization"))[0]


results = {}
for wavelet in ("haar", "db4"):
    eps_m = denoise.oracle_risk(wavelet_coefficients(x_s, wavelet), sigma_s)
    for mode in ("hard", "soft"):
        est = np.array([denoise.wavelet_denoise(x_s + z, sigma_s, wavelet, mode=mode) for z in noises])
        results[wavelet, mode] = (np.mean(np.sum((est - x_s) ** 2, axis=1)), eps_m, est[0])
bound_factor = 2 * np.log(d_s) + 1
print(f"d = {d_s}, sigma = {sigma_s}, T = sigma sqrt(2 log d) = {T_univ:.3f}, noise energy d sigma^2 = {d_s * sigma_s**2:.1f}")
for (wavelet, mode), (risk, eps_m, _) in results.items():
    print(f"{wavelet:4s} {mode}: risk {risk:6.2f}   oracle eps_m {eps_m:5.2f}   bound {bound_factor * (eps_m + sigma_s**2):6.1f}")

# %%
fig, axes = plt.subplots(2, 1, figsize=(9.8, 5.6), sharex=True)
axes[0].plot(t_s, x_s + noises[0], color="0.7", lw=0.6, label="noisy $y$")
axes[0].plot(t_s, x_s, "k", lw=1, label="signal $x$")
cu.plotting.label(axes[0], "", "value", "piecewise-smooth signal with jumps and a spike")
axes[0].legend(fontsize="small")
axes[1].plot(t_s, x_s, "k", lw=0.8, label="signal $x$")
axes[1].plot(t_s, results["db4", "soft"][2], "C1", lw=1, label="db4, soft threshold")
axes[1].plot(t_s, results["haar", "hard"][2], "C0", lw=1, alpha=0.7, label="Haar, hard threshold")
cu.plotting.label(axes[1], "position $t$", "value", "thresholding estimates at $T=\\sigma\\sqrt{2\\log d}$")
axes[1].legend(fontsize="small")
plt.show()

# %%
# Check: the simulated risks agree with the exact expected risk. For a coefficient theta observed
# with noise sigma, E[(rho_T(theta + sigma z) - theta)^2] has a closed form in Phi and phi
# (`denoise.threshold_risk`, tested against quadrature); summed over the detail coefficients of x, plus
# sigma^2 for each kept coarse coefficient, it predicts the risk. The 20-draw average has a standard
# error of ~0.5 (measured from the draws): allow 4 of them (largest |z| over seeds 0, 1, 2 was 2.9).
# Wrong formulas, measured against 1000 noise draws and counted in these ~0.5 standard errors:
# swapping the hard and soft formulas misses by 33-44 of them; the threshold without its sigma,
# T = sqrt(2 log d) = 3.72, predicts 72-141 (> 100 SE); T = sigma sqrt(log d) (the 2 dropped) predicts
# 24.5 and 28.7 for soft thresholding (20-23 SE low; hard risk is flat there, 2-4 SE); a do-nothing
# denoiser (risk d sigma^2 = 92.2) misses by 84-161. The Donoho-Johnstone inequalities hold as well,
# but are too loose to test anything: the identity, 92.2 < 94.3 and 117.9, would pass them.
for (wavelet, mode), (risk, eps_m, _) in results.items():
    per_draw = [np.sum((denoise.wavelet_denoise(x_s + z, sigma_s, wavelet, mode=mode) - x_s) ** 2) for z in noises]
    se = np.std(per_draw, ddof=1) / np.sqrt(n_noise)
    coeffs = pywt.wavedec(x_s, wavelet, mode="periodization")
    exact = denoise.threshold_risk(np.concatenate(coeffs[1:]), sigma_s, T_univ, mode) + coeffs[0].size * sigma_s**2
    print(f"{wavelet:4s} {mode}: simulated {risk:5.1f} +- {se:.1f}   exact {exact:5.1f}   within 4 SE: "
          f"{abs(risk - exact) < 4 * se}")
    assert abs(risk - exact) < 4 * se
    assert eps_m <= risk <= bound_factor * (eps_m + sigma_s**2), (wavelet, mode)
print(f"all risks within [eps_m, (2 log d + 1)(eps_m + sigma^2)]; db4 soft / oracle = "
      f"{results['db4', 'soft'][0] / results['db4', 'soft'][1]:.2f}")

# %% [markdown]
# The bound is loose by design (it holds for every signal), yet the estimator uses no
# knowledge of $x$ at all. How close a basis gets to the oracle depends on how **sparse** the
# signal is in it, which is the compression question.
#
# ## 5. Denoising and compression are the same question
#
# The oracle risk is small when few coefficients exceed $\sigma$. The same property makes the
# **M-term approximation** $x_M = \sum_{k\in I_M}\langle x,\psi_k\rangle\psi_k$ (keep the $M$ largest
# coefficients) accurate for small $M$. By Parseval its error is the energy of the dropped
# coefficients. We compare the Fourier basis with wavelets on the signal above.

# %%
Ms = np.unique(np.round(np.logspace(0.5, np.log10(d_s / 2), 18)).astype(int))


def fourier_m_term(x, M):
    X = np.fft.rfft(x, norm="ortho")
    weight = np.ones(X.size)
    weight[1:-1] = 2.0  # each interior rfft coefficient stands for a +-k pair
    keep = np.argsort(-np.abs(X) ** 2 * weight, kind="stable")
    budget, kept = 0, np.zeros(X.size, dtype=bool)
    for k in keep:  # count real degrees of freedom: a +-k pair costs 2
        cost = 1 if weight[k] == 1 else 2
        if budget + cost > M:
            break
        kept[k], budget = True, budget + cost
    return np.fft.irfft(np.where(kept, X, 0), n=x.size, norm="ortho")


err_fourier = [np.sum((fourier_m_term(x_s, M) - x_s) ** 2) for M in Ms]
err_db4 = [np.sum((denoise.wavelet_compress(x_s, M, "db4") - x_s) ** 2) for M in Ms]
err_haar = [np.sum((denoise.wavelet_compress(x_s, M, "haar") - x_s) ** 2) for M in Ms]
fig, ax = plt.subplots(figsize=(6, 4))
ax.loglog(Ms, err_fourier, "o-", ms=3, label="Fourier")
ax.loglog(Ms, err_haar, "s-", ms=3, label="Haar")
ax.loglog(Ms, err_db4, "d-", ms=3, label="Daubechies-4")
cu.plotting.label(ax, "number of kept coefficients $M$", r"$\|x - x_M\|^2$", "non-linear approximation error")
ax.legend()
plt.show()
for M in (32, 256):
    errs = [np.sum((f(x_s, M) - x_s) ** 2) for f in (fourier_m_term, lambda x, m: denoise.wavelet_compress(x, m, "haar"),
                                                      lambda x, m: denoise.wavelet_compress(x, m, "db4"))]
    print(f"M = {M:3d} terms: error Fourier {errs[0]:.3f}, Haar {errs[1]:.3f}, db4 {errs[2]:.3f}")

# %% [markdown]
# Both wavelet bases beat Fourier, which spreads every jump over all frequencies (its error
# decays like $1/M$). With few terms the jumps dominate and Haar, the shortest wavelet, wins;
# with more terms the smooth pieces dominate and Daubechies-4, whose four vanishing moments make
# it blind to cubic pieces, takes over: its coefficients vanish away from the jumps and the spike.

# %% [markdown]
# Now an image: a synthetic $128\times128$ "cartoon" (smooth shading, a disc, a rotated
# square and a thin line), the kind of piecewise-smooth content that wavelets represent with
# few coefficients. We denoise it by 2-D hard thresholding at the universal threshold and
# compress it to 5% of its coefficients, in the Haar basis (for this image of sharp edges it is
# the sparsest of the bases tried; the live cell below lets you compare on the 1-D signal).

# %%
def cartoon(n=128):
    u, v = np.meshgrid(np.linspace(-1, 1, n), np.linspace(-1, 1, n))
    img = 0.3 * (u + v)  # smooth shading
    img += 1.0 * ((u + 0.3) ** 2 + (v - 0.25) ** 2 < 0.16)  # disc
    ru, rv = (u - v) / np.sqrt(2) - 0.35, (u + v) / np.sqrt(2) + 0.3
    img -= 0.8 * ((np.abs(ru) < 0.25) & (np.abs(rv) < 0.25))  # rotated square
    img += 0.6 * (np.abs(v + 0.7 - 0.3 * u) < 0.03)  # thin line
    return img


img = cartoon()
sigma_img = 0.2
noisy_img = img + sigma_img * cu.make_rng(5).standard_normal(img.shape)
den_img = denoise.wavelet_denoise(noisy_img, sigma_img, "haar", mode="hard", level=3)
comp_img = denoise.wavelet_compress(img, int(0.05 * img.size), "haar", level=3)


def psnr(a, ref):
    return 10 * np.log10(np.ptp(ref) ** 2 / np.mean((a - ref) ** 2))


fig, axes = plt.subplots(1, 4, figsize=(11.8, 3.2))
for ax, im, title in zip(axes, (img, noisy_img, den_img, comp_img),
                         ("clean", f"noisy, PSNR {psnr(noisy_img, img):.1f} dB",
                          f"hard threshold, PSNR {psnr(den_img, img):.1f} dB",
                          f"5% of coefficients, PSNR {psnr(comp_img, img):.1f} dB"), strict=True):
    ax.imshow(im, cmap="gray", vmin=-1, vmax=1.6)
    ax.set_title(title, fontsize="small")
    ax.axis("off")
plt.show()

# %%
# Check: thresholding improves the image (higher PSNR than the noisy input, by more than the
# spread of a few tenths of a dB between noise draws) and respects the 2-D oracle bound. The bound
# alone would not catch a do-nothing denoiser (risk 128^2 sigma^2 = 655 < 960); its PSNR gain of
# 0 dB fails the first assert.
coeffs_img = pywt.coeffs_to_array(pywt.wavedec2(img, "haar", mode="periodization", level=3))[0]
eps_img = denoise.oracle_risk(coeffs_img, sigma_img)
risk_img = np.sum((den_img - img) ** 2)
print(f"PSNR gain {psnr(den_img, img) - psnr(noisy_img, img):.1f} dB; risk {risk_img:.0f} vs oracle {eps_img:.0f} "
      f"and bound {(2 * np.log(img.size) + 1) * (eps_img + sigma_img**2):.0f}")
assert psnr(den_img, img) > psnr(noisy_img, img) + 3
assert eps_img <= risk_img <= (2 * np.log(img.size) + 1) * (eps_img + sigma_img**2)

# %% [markdown]
# ## 6. The coefficients the thresholding acts on
#
# The thresholding estimator never looks at the image: it looks at its wavelet coefficients. Here
# they are, for the cartoon of section 5 and its noisy version, arranged as the usual pyramid
# (the coarse approximation in the top-left corner, then the horizontal, vertical and diagonal
# details of each scale, finest at the outer edge). In an orthonormal basis the noise stays white:
# every coefficient of the noisy image is the clean one plus an independent $N(0,\sigma^2)$ draw. The
# clean pyramid is **sparse**: almost all detail coefficients are tiny, and the few large ones sit on
# the edges. A coefficient of clean value $\theta$ survives the threshold $T$ with probability
#
# $$P\big(|\theta + \sigma z| > T\big) = \Phi\Big(\frac{\theta - T}{\sigma}\Big) + \Phi\Big(\frac{-\theta - T}{\sigma}\Big),$$
#
# so the expected number of kept coefficients follows from the clean pyramid alone (Mallat's lecture,
# section 10, thresholding estimators).

# %%
T_img = denoise.universal_threshold(sigma_img, img.size)
pyr_clean, slices_img = pywt.coeffs_to_array(pywt.wavedec2(img, "haar", mode="periodization", level=3))
pyr_noisy = pywt.coeffs_to_array(pywt.wavedec2(noisy_img, "haar", mode="periodization", level=3))[0]
is_detail = np.ones(pyr_clean.shape, bool)
is_detail[slices_img[0]] = False  # the coarse approximation is never thresholded
det_clean, det_noisy = np.abs(pyr_clean[is_detail]), np.abs(pyr_noisy[is_detail])
n_big = int((det_clean > T_img).sum())
energy_big = np.sum(det_clean[det_clean > T_img] ** 2) / np.sum(det_clean**2)

fig, axes = plt.subplots(1, 3, figsize=(12.2, 3.7), gridspec_kw={"width_ratios": [1, 1, 1.3]})
for ax, pyr, title in ((axes[0], pyr_clean, "clean"), (axes[1], pyr_noisy, rf"noisy, $\sigma={sigma_img}$")):
    im = ax.imshow(np.log10(np.abs(pyr) + 1e-3), cmap="magma", vmin=-3, vmax=1)
    ax.set_title(f"Haar pyramid, {title}", fontsize="small")
    ax.axis("off")
fig.colorbar(im, ax=axes[:2], shrink=0.8, label=r"$\log_{10}|\langle\cdot,\psi_k\rangle|$")
rank = np.arange(1, det_clean.size + 1)
axes[2].loglog(rank, np.sort(det_clean)[::-1], "k", label="clean")
axes[2].loglog(rank, np.sort(det_noisy)[::-1], "C1", label="noisy")
axes[2].axhline(T_img, color="C3", ls="--", label=rf"$T=\sigma\sqrt{{2\log d}}={T_img:.2f}$")
axes[2].axhline(sigma_img, color="0.5", ls=":", label=r"$\sigma$")
axes[2].set_ylim(1e-3, 20)
cu.plotting.label(axes[2], "rank $k$", r"$|$detail coefficient$|$, sorted", f"{n_big} of {det_clean.size} clean above $T$")
axes[2].legend(fontsize="small")
plt.show()
print(f"clean detail coefficients above T: {n_big} of {det_clean.size} ({n_big / det_clean.size:.1%}), "
      f"holding {energy_big:.1%} of the detail energy")

# %% [markdown]
# **Check: how many coefficients the threshold keeps.** Over 100 noise draws we count the noisy
# detail coefficients above $T$ and compare the mean with the sum of the keep probabilities over the
# clean pyramid. The plausible shortcut, "the threshold keeps the coefficients that are large in the
# clean image" (the clean count $n_{\rm big}$), forgets that noise pushes coefficients near $T$ across it
# both ways.

# %%
noise_img = sigma_img * cu.make_rng(7).standard_normal((100,) + img.shape)
kept = np.array([(np.abs(pywt.coeffs_to_array(pywt.wavedec2(img + z, "haar", mode="periodization", level=3))[0]
                         [is_detail]) > T_img).sum() for z in noise_img])
kept_theory = denoise.threshold_keep_probability(pyr_clean[is_detail], sigma_img, T_img).sum()
kept_se = kept.std(ddof=1) / np.sqrt(kept.size)
z_kept = (kept.mean() - kept_theory) / kept_se
z_shortcut = (kept.mean() - n_big) / kept_se
print(f"kept detail coefficients: simulated {kept.mean():.0f} +- {kept_se:.0f}   predicted {kept_theory:.0f}   "
      f"clean count {n_big}")
print(f"|simulated - predicted| / s.e. < 4.5: {abs(z_kept) < 4.5};   |simulated - clean count| / s.e. > 6: "
      f"{abs(z_shortcut) > 6}")
# Measured for COURSE_UTILS_SEED = 0-2: the clean count n_big = 127 misses the simulated mean (133.7-134.8) by
# 11.3-12.7 s.e.; the predicted 135.1 lies 0.4-2.5 s.e. away (2000 draws: 134.9 +- 0.14). The s.e. is the
# spread of the count over the 100 draws; the clean image and the threshold do not depend on the seed.
assert abs(z_kept) < 4.5
assert abs(z_shortcut) > 6

# %% [markdown]
# ## 7. One score, many reverse SDEs: the alpha-family
#
# Mallat's lecture (section 9.0.2) runs the $\kappa=1$ Ornstein-Uhlenbeck process
# $dx_t = -x_t\,dt + \sqrt2\,dW_t$ forward, $p_t$ its marginals (Fokker-Planck:
# $\partial_t p_t = \nabla\cdot(p_t x) + \Delta p_t$), and reverses it: $y_s = x_{T-s}$ has marginals
# $q_s = p_{T-s}$ obeying the backward equation $\partial_s q_s + \nabla\cdot(q_s y) + \Delta q_s = 0$ (eq. 9.8),
# an unstable anti-diffusion. The trick $\Delta q = \nabla\cdot(q\nabla\log q)$ (eq. 9.9) trades any amount
# $\alpha\ge0$ of it for a drift along the score:
#
# $$\partial_s q_s + \nabla\cdot\big(q_s\,[\,y + (1+\alpha)\nabla\log q_s]\big) - \alpha\,\Delta q_s = 0,$$
#
# the Fokker-Planck equation of the SDE
#
# $$dy_s = \big[\,y_s + (1+\alpha)\nabla\log q_s(y_s)\big]\,ds + \sqrt{2\alpha}\;dW_s \qquad\text{(eqs. 9.10-9.11)}.$$
#
# (The notes print eq. 9.10 with a minus sign before the $(1+\alpha)$ term, which would not reduce to eq. 9.8;
# the plus sign above does, and matches their eq. 9.11.) Every $\alpha$ transports $p_T$ back through the
# *same* marginals: $\alpha=0$ is the deterministic probability-flow ODE, $\alpha=1$ the usual reverse SDE
# $dy = [y + 2\nabla\log q]\,ds + \sqrt2\,dW$, larger $\alpha$ adds noise and corrects it with more score. The
# score is exact here: for a mixture $p_0=\sum_k w_k N(\mu_k, s_k^2)$ the marginal $p_t$ is the mixture with
# means $e^{-t}\mu_k$ and variances $e^{-2t}s_k^2 + 1 - e^{-2t}$ (eq. 9.12). We start 5000 samples from
# $p_T$ ($T=2$) for each of four values of $\alpha$, integrate with Euler-Maruyama
# (`denoise.reverse_ou_sde`, 200 steps on a geometric grid) down to $t=0.05$, and compare with $p_{0.05}$.

# %%
w_a, mu_a, s_a = np.array([0.7, 0.3]), np.array([[-1.5], [1.5]]), np.array([0.3, 0.3])
T_a, t_end_a, steps_a, n_a = 2.0, 0.05, 200, 5000
alphas = np.array([0.0, 0.5, 1.0, 2.0])


def score_ou(y, t):
    """Exact score of the OU marginal p_t of the mixture (w_a, mu_a, s_a)."""
    return denoise.gmm_score(y, w_a, *denoise.ou_gmm_marginal(mu_a, s_a, t))


m_T, sd_T, sg_T = denoise.ou_gmm_marginal(mu_a, s_a, T_a)
y_T = denoise.gmm_sample(alphas.size * n_a, w_a, m_T, np.sqrt(sd_T**2 + sg_T**2), seed=cu.make_rng(8))
y_end = denoise.reverse_ou_sde(y_T, score_ou, np.repeat(alphas, n_a), T_a, t_end_a, steps_a, seed=cu.make_rng(9))
y_end = y_end[:, 0].reshape(alphas.size, n_a)
# the plausible slip: noise sqrt(2 alpha) added but the drift kept at the alpha = 0 coefficient 1 (here alpha = 1)
y_wrong = denoise.reverse_ou_sde(y_T[:n_a], lambda y, t: score_ou(y, t) / 2, 1.0, T_a, t_end_a, steps_a,
                                 seed=cu.make_rng(10))[:, 0]

m_e, sd_e, sg_e = denoise.ou_gmm_marginal(mu_a, s_a, t_end_a)
var_e = sd_e**2 + sg_e**2
y_line = np.linspace(-3.5, 3.5, 300)[:, None]
dens_e = np.exp(denoise.gmm_log_density(y_line, w_a, m_e, sd_e, sg_e))
fig, axes = plt.subplots(1, 2, figsize=(10.4, 3.6), sharey=True)
bins_a = np.linspace(-3.5, 3.5, 71)
for k, a in enumerate(alphas):
    axes[0].hist(y_end[k], bins=bins_a, density=True, histtype="step", color=f"C{k}", label=rf"$\alpha={a}$")
for ax in axes:
    ax.plot(y_line[:, 0], dens_e, "k", lw=1.2, label=rf"exact $p_{{t={t_end_a}}}$")
axes[1].hist(y_wrong, bins=bins_a, density=True, histtype="step", color="C3",
             label=r"$\alpha=1$, drift $y+\nabla\log q$")
cu.plotting.label(axes[0], "$y$", "density", "reverse SDEs of eq. 9.11, one per $\\alpha$")
cu.plotting.label(axes[1], "$y$", "", "wrong drift coefficient (1 instead of $1+\\alpha$)")
for ax in axes:
    ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# **Check: the same marginal for every $\alpha$.** For each $\alpha$ the mass of the right mode,
# $P(y>0)$, and the second moment $\langle y^2\rangle$ must match the exact $p_{0.05}$ within 4.5
# standard errors of the 5000 samples (time discretisation shifts $\langle y^2\rangle$ by about 0.01,
# a third of a standard error, at 200 steps). Keeping the drift coefficient at 1 while adding the
# noise $\sqrt{2\alpha}$ does not: the noise is then not compensated by the score.

# %%
P_exact = float(np.sum(w_a * special.ndtr(m_e[:, 0] / np.sqrt(var_e))))
m2_exact = float(np.sum(w_a * (m_e[:, 0] ** 2 + var_e)))


def marginal_z(y):
    """z-scores of P(y > 0) and <y^2> of samples y against the exact p_{t_end}."""
    p = np.mean(y > 0)
    return (p - P_exact) / np.sqrt(P_exact * (1 - P_exact) / y.size), (np.mean(y**2) - m2_exact) / (y**2).std() * np.sqrt(y.size)


z_alpha = np.array([marginal_z(y) for y in y_end])
z_wrong = marginal_z(y_wrong)
print(f"exact p_0.05: P(y > 0) = {P_exact:.3f}, <y^2> = {m2_exact:.3f}")
for a, y in zip(alphas, y_end, strict=True):
    print(f"alpha = {a}: P(y > 0) = {np.mean(y > 0):.2f}, <y^2> = {np.mean(y**2):.2f}")
print(f"largest |z| over the four alphas < 4.5: {np.abs(z_alpha).max() < 4.5};   wrong drift coefficient: "
      f"|z| > 10: {np.abs(z_wrong).max() > 10}")
# Measured for COURSE_UTILS_SEED = 0-2: the drift y + grad log q with noise sqrt(2) (coefficient 1 instead of
# 1 + alpha = 2) gives P(y > 0) = 0.41 and <y^2> = 4.2 against 0.30 and 2.21, z = 16-17 and 39-40. The correct
# family: largest |z| 2.35-2.63 over the 8 values (with 100 steps alpha = 0 drifted to z = -2 to -3 in <y^2>).
assert np.abs(z_alpha).max() < 4.5
assert np.abs(z_wrong).max() > 10

# %% [markdown]
# ## 8. Live: thresholding at your noise level
#
# Change the noise level, the basis and the rule; the threshold follows $\sigma\sqrt{2\log d}$
# unless you scale it with `T_scale`. The title prints the risk against the oracle.

# %%
def plot_threshold(sigma=0.3, wavelet="db4", mode="soft", T_scale=1.0):
    y = x_s + sigma * cu.make_rng(6).standard_normal(d_s)
    T = T_scale * denoise.universal_threshold(sigma, d_s)
    est = denoise.wavelet_denoise(y, sigma, wavelet, mode=mode, T=T)
    eps_m = denoise.oracle_risk(wavelet_coefficients(x_s, wavelet), sigma)
    fig, ax = plt.subplots(figsize=(9.8, 3.4))
    ax.plot(t_s, y, color="0.75", lw=0.6, label="noisy")
    ax.plot(t_s, x_s, "k", lw=0.8, label="signal")
    ax.plot(t_s, est, "C1", lw=1.1, label=f"{wavelet}, {mode}, T = {T:.2f}")
    cu.plotting.label(ax, "position $t$", "value",
                      f"risk {np.sum((est - x_s) ** 2):.2f}, oracle {eps_m:.2f}, noise {d_s * sigma**2:.1f}")
    ax.legend(fontsize="small", loc="upper right")
    plt.show()


plot_threshold(sigma=0.3)

# %%
# NBVAL_IGNORE_OUTPUT
cu.plotting.live(plot_threshold, sigma=(0.05, 1.0, 0.05), wavelet=["haar", "db2", "db4", "sym8"],
                 mode=["soft", "hard"], T_scale=(0.2, 2.0, 0.1))

# %% [markdown]
# ## Exercises
#
# Each exercise is followed by its solution, folded on the book site and left out of the student edition.

# %% [markdown]
# **Exercise 1. Binary oracle.** For the stationary signal of section 3, compare the Wiener risk
# $\sum_k \sigma^2\lambda_k/(\lambda_k+\sigma^2)$ with the keep-or-kill oracle risk
# $\sum_k\min(\lambda_k,\sigma^2)$ and check $\tfrac12\varepsilon_m\le\varepsilon^2\le\varepsilon_m$.

# %% tags=["solution"]
# Solution 1: (1/2) min(a, b) <= ab/(a + b) <= min(a, b) term by term, with a = lambda_k, b = sigma^2.
eps_bin = np.sum(np.minimum(lam, sigma_w**2))
print(f"Wiener risk {risk_th:.2f}, binary-oracle risk {eps_bin:.2f}, ratio {risk_th / eps_bin:.2f} (in [0.5, 1])")

# %% [markdown]
# **Exercise 2. Best threshold.** For db4 soft thresholding, scan $T/(\sigma\sqrt{2\log d})$ from 0.2 to 1.5
# and find the risk-minimising threshold. Why is the universal threshold conservative?

# %% tags=["solution"]
# Solution 2: the universal threshold removes pure noise with high probability over all d
# coefficients, so it also kills many small signal coefficients; a lower T trades noise for signal.
scales = np.linspace(0.2, 1.5, 14)
risk_T = [np.mean([np.sum((denoise.wavelet_denoise(x_s + z, sigma_s, "db4", T=a * T_univ) - x_s) ** 2)
                   for z in noises[:5]]) for a in scales]
print(f"best T / T_universal = {scales[int(np.argmin(risk_T))]:.1f}: risk {min(risk_T):.2f} "
      f"(universal: {risk_T[int(np.argmin(np.abs(scales - 1.0)))]:.2f})")

# %% [markdown]
# **Exercise 3. The learned score across noise levels.** Evaluate the network of section 2 at
# $\sigma = 0.35$ instead of $0.7$: how does its MSE compare with the Bayes MSE at that level,
# and why must a diffusion model condition its denoiser on $\sigma$?

# %% tags=["solution"]
# Solution 3: the network learned E[x | y] for sigma = 0.7 only; at sigma = 0.35 it over-shrinks.
y_half = x_test + 0.35 * rng.standard_normal(x_test.shape)
mse_net_half = np.mean(np.sum((net.denoise(y_half) - x_test) ** 2, 1))
mse_bayes_half = np.mean(np.sum((denoise.gmm_posterior_mean(y_half, w_2d, mu_2d, s_2d, 0.35) - x_test) ** 2, 1))
print(f"sigma = 0.35: network (trained at 0.7) {mse_net_half:.3f} vs Bayes {mse_bayes_half:.3f}")

# %% [markdown]
# ## References
# - H. Robbins, *An empirical Bayes approach to statistics* (1956); B. Efron, *Tweedie's
#   formula and selection bias*, J. Am. Stat. Assoc. 106, 1602 (2011).
# - P. Vincent, *A connection between score matching and denoising autoencoders*, Neural
#   Computation 23, 1661 (2011).
# - N. Wiener, *Extrapolation, Interpolation, and Smoothing of Stationary Time Series*, MIT (1949).
# - D. L. Donoho, I. M. Johnstone, *Ideal spatial adaptation by wavelet shrinkage*,
#   Biometrika 81, 425 (1994).
# - S. Mallat, *A Wavelet Tour of Signal Processing: The Sparse Way*, 3rd ed., Academic Press (2009),
#   chapters 9 (approximation) and 11 (denoising).
# - Y. Song, J. Sohl-Dickstein, D. P. Kingma, A. Kumar, S. Ermon, B. Poole, *Score-based generative modeling
#   through stochastic differential equations*, ICLR (2021), arXiv:2011.13456 (the probability-flow ODE).
# - Z. Kadkhodaie, F. Guth, E. P. Simoncelli, S. Mallat, *Generalization in diffusion models arises
#   from geometry-adaptive harmonic representations*, ICLR (2024), arXiv:2310.02557.
