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
# # 15 · Stochastic interpolants
#
# Score-based diffusion is tied to one path from data to noise, the OU process. Stochastic
# interpolants free us from it: *choose* any path of random variables $I_t$ that starts at
# the base law and ends at the target, and the vector field that moves samples along it is
# a conditional expectation that a network learns by plain regression. The same field,
# plus a multiple of the score, gives a whole family of SDE samplers with the same marginals.
#
# **Learning goals**
# - build the interpolant $I_t = \alpha_t x_0 + \beta_t x_1 + \gamma_t z$ with its boundary
#   conditions and derive the velocity $b_t(x) = \mathbb{E}[\dot I_t\mid I_t = x]$ from the transport equation;
# - relate the score to the denoiser, $\nabla\log p_t = -\mathbb{E}[z\mid I_t=x]/\gamma_t$;
# - compute the exact velocity from a Gaussian to a Gaussian mixture, learn it with the quadratic
#   loss, and compare along $t$;
# - sample with the ODE and the SDE $b^F = b + \epsilon_t\nabla\log p_t$ and measure sample quality
#   against the number of steps with the energy distance.
# - learn the denoiser $\eta_t = \mathbb{E}[z\mid I_t]$ with $\gamma > 0$ and compare the score it gives with the
#   score read off the velocity $b$, against the exact score of the mixture;
# - see the OU diffusion of lecture 14 as the trigonometric interpolant, coefficient by coefficient;
# - pair noise and data by a minibatch optimal-transport coupling and measure how much straighter the paths get.
#
# *Source:* recitation notes, §11 *Stochastic interpolants* (*Machine Learning for Physicists: Recitation Notes* (C. Miyamoto)), after
# Albergo, Boffi and Vanden-Eijnden (2023).

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from scipy.optimize import linear_sum_assignment

import course_utils as cu
from course_utils import diffusion as df  # lecture 14's OU process, in section 5
from course_utils import interpolants as si

rng = cu.setup(seed=0)

# %% [markdown]
# ## 1. The interpolant and its velocity
#
# Draw $x_0\sim p_0$ (the base, here $N(0,I)$), $x_1\sim p_1$ (the target), independently,
# and $z\sim N(0,I)$ independent of both. The **stochastic interpolant** is
#
# $$I_t = \alpha_t x_0 + \beta_t x_1 + \gamma_t z,\qquad
# \alpha_0=\beta_1=1,\quad \alpha_1=\beta_0=0,\quad \gamma_0=\gamma_1=0,$$
#
# so that $I_0 = x_0\sim p_0$ and $I_1 = x_1\sim p_1$. Call $p_t$ the law of $I_t$. Taking the time
# derivative of its characteristic function $\tilde p_t(k) = \mathbb{E}\,e^{ik\cdot I_t}$ and inserting
# $1 = \int dx\,\delta(I_t - x)$ gives $\partial_t\tilde p_t = ik\cdot\int dx\,e^{ik\cdot x}\,
# \mathbb{E}[\dot I_t\mid I_t=x]\,p_t(x)$: $p_t$ solves the transport equation
# $\partial_t p_t = -\nabla\cdot(b_t p_t)$ with
#
# $$b_t(x) = \mathbb{E}[\dot I_t\mid I_t = x],\qquad \dot I_t = \dot\alpha_t x_0 + \dot\beta_t x_1 + \dot\gamma_t z .$$
#
# Hence $\dot X_t = b_t(X_t)$, $X_0\sim p_0$, produces $X_1\sim p_1$. The score follows from the
# Gaussian part $\gamma_t z$ by Tweedie's formula,
# $\nabla\log p_t(x) = -\mathbb{E}[z\mid I_t = x]/\gamma_t$, where $\eta_t(x) = \mathbb{E}[z\mid I_t=x]$ is the
# **denoiser**.
#
# ### An exact case: Gaussian to a Gaussian mixture
#
# Let $x_1\sim\sum_k w_k N(\mu_k, s_k^2 I)$. Given the component $k$, $(I_t, \dot I_t)$ is jointly
# Gaussian: $I_t\sim N(\beta_t\mu_k, c_k I)$ with $c_k = \alpha_t^2 + \beta_t^2 s_k^2 + \gamma_t^2$, and
# $\mathrm{Cov}(\dot I_t, I_t) = (\alpha_t\dot\alpha_t + \beta_t\dot\beta_t s_k^2 + \gamma_t\dot\gamma_t)I =: \kappa_k I$.
# Gaussian conditioning and Bayes over $k$ give
#
# $$b_t(x) = \sum_k r_k(x)\Big[\dot\beta_t\mu_k + \frac{\kappa_k}{c_k}(x - \beta_t\mu_k)\Big],\qquad
# \nabla\log p_t(x) = -\sum_k r_k(x)\frac{x-\beta_t\mu_k}{c_k},\qquad r_k\propto w_k N(x;\beta_t\mu_k, c_kI).$$

# %%
angles = np.deg2rad([90.0, 210.0, 330.0])
mu = 2.5 * np.stack([np.cos(angles), np.sin(angles)], axis=1)  # three clusters on a circle
w_mix = np.array([0.5, 0.3, 0.2])
s_mix = np.full(3, 0.35)


def sample_target(n, seed):
    r = cu.make_rng(seed)
    k = r.choice(3, size=n, p=w_mix)
    return mu[k] + s_mix[k, None] * r.standard_normal((n, 2))


linear = si.schedule("linear")
b_exact = lambda x, t: si.exact_velocity_gaussian_mixture(x, t, linear, w_mix, mu, s_mix)
score_exact = lambda x, t: si.exact_score_gaussian_mixture(x, t, linear, w_mix, mu, s_mix)

n_eval = 2000  # samples per set for every comparison below
held_out = sample_target(n_eval, seed=1)
x_base = rng.standard_normal((n_eval, 2))
x_ode = si.ode_sample(b_exact, x_base, 100, method="heun")

target_mean = w_mix @ mu
target_cov = sum(wk * (np.outer(m, m) + s**2 * np.eye(2)) for wk, m, s in zip(w_mix, mu, s_mix, strict=True))
target_cov -= np.outer(target_mean, target_mean)
print("mean      ODE", np.round(x_ode.mean(axis=0), 2), "  target", np.round(target_mean, 2))
print("cov diag  ODE", np.round(np.diag(np.cov(x_ode.T)), 2), "  target", np.round(np.diag(target_cov), 2))

# %%
# Check: transporting N(0, I) with the exact velocity reproduces the target mean and covariance.
# Standard errors with n = 2000: mean ~ sqrt(3.1 / 2000) = 0.04; variance ~ 3.1 sqrt(2 / 2000)
# ~ 0.1 (the mixture has excess kurtosis, so use 5 of those); Heun with 100 steps adds ~1e-4.
assert np.all(np.abs(x_ode.mean(axis=0) - target_mean) < 5 * np.sqrt(np.diag(target_cov) / n_eval))
assert np.all(np.abs(np.cov(x_ode.T) - target_cov) < 5 * 0.1)

# %% [markdown]
# ## 2. Learning the velocity by regression
#
# Because $b_t(x)$ is a conditional expectation it minimises a quadratic loss, and the loss
# can be written without knowing $b$:
#
# $$\mathcal{L}(\hat b) = \int_0^1 dt\;\mathbb{E}\,\big|\hat b_t(I_t) - \dot I_t\big|^2 .$$
#
# For the linear schedule without latent noise, $I_t = (1-t)x_0 + t x_1$ and $\dot I_t = x_1 - x_0$.
# A small MLP $\hat b(x, t)$ is trained on fresh draws at every step.

# %%
net = torch.nn.Sequential(torch.nn.Linear(3, 64), torch.nn.SiLU(), torch.nn.Linear(64, 64),
                          torch.nn.SiLU(), torch.nn.Linear(64, 2))
n_iter = 1500  # 5000 for class: the velocity error in section 2 keeps falling
batch = 1024  # large batches: the regression target dI/dt is very noisy given I_t
opt = torch.optim.Adam(net.parameters(), lr=3e-3)
lr_decay = torch.optim.lr_scheduler.CosineAnnealingLR(opt, n_iter)
data_stream = cu.make_rng(5)
losses = []
for _ in range(n_iter):
    x1 = torch.tensor(sample_target(batch, data_stream.integers(2**31)), dtype=torch.float32)
    x0 = torch.randn(batch, 2)
    t = torch.rand(batch, 1)
    loss = ((net(torch.cat([(1 - t) * x0 + t * x1, t], 1)) - (x1 - x0)) ** 2).sum(1).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    lr_decay.step()
    losses.append(loss.item())


def b_learned(x, t):
    with torch.no_grad():
        inp = torch.cat([torch.tensor(x, dtype=torch.float32), torch.full((len(x), 1), float(t))], 1)
        return net(inp).double().numpy()


t_check = np.array([0.05, 0.25, 0.5, 0.75, 0.95])
rel_err = []
for t in t_check:
    x_t = (1 - t) * rng.standard_normal((n_eval, 2)) + t * sample_target(n_eval, seed=int(100 * t))
    be, bl = b_exact(x_t, t), b_learned(x_t, t)
    rel_err.append(np.sqrt(((bl - be) ** 2).sum(1).mean() / (be**2).sum(1).mean()))
rel_err = np.array(rel_err)

fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
axes[0].plot(np.convolve(losses, np.ones(50) / 50, mode="valid"))
cu.plotting.label(axes[0], "iteration", r"$\mathcal{L}(\hat b)$ (running mean)", "training loss")
axes[1].plot(t_check, rel_err, "o-")
cu.plotting.label(axes[1], "$t$", r"$\|\hat b_t - b_t\| / \|b_t\|$ on $p_t$", "learned vs exact velocity")
g = np.linspace(-3.5, 3.5, 15)
gx, gy = np.meshgrid(g, g)
pts = np.stack([gx.ravel(), gy.ravel()], 1)
for b_fn, color, lab in ((b_exact, "k", "exact"), (b_learned, "C3", "learned")):
    v = b_fn(pts, 0.5)
    axes[2].quiver(pts[:, 0], pts[:, 1], v[:, 0], v[:, 1], color=color, alpha=0.7, label=lab)
axes[2].set_aspect("equal")
cu.plotting.label(axes[2], "$x_1$", "$x_2$", "velocity field at t = 0.5")
axes[2].legend(loc="lower right", fontsize=8)
plt.show()

# %%
# Check: the learned velocity agrees with the exact one in relative L2 norm on p_t: on average over
# the t checked to within 35%, and at every t to within 50%. An untrained network is off by ~100%.
# The error is not seed noise but the network's approximation error, largest near t = 0.25, where
# b_t bends sharply between the clusters: measured over COURSE_UTILS_SEED = 0..4 it is 0.36-0.41
# there (0.07-0.25 elsewhere; mean over t 0.21-0.23), so a bound of 40% at every t fails for some
# seeds. The sharper test is the sample quality below.
print("t          ", "  ".join(f"{t:4.2f}" for t in t_check))
print("rel. error ", "  ".join(f"{e:4.2f}" for e in rel_err))
print(f"mean over t < 0.35: {rel_err.mean() < 0.35},  every t < 0.5: {bool(np.all(rel_err < 0.5))}")
assert rel_err.mean() < 0.35 and np.all(rel_err < 0.5)

# %% [markdown]
# ## 3. ODE and SDE samplers, and how many steps they need
#
# The ODE $\dot X = b_t(X)$ is deterministic. The Fokker-Planck equation
# $\partial_t p = -\nabla\cdot(b^F_t p) + \epsilon_t\Delta p$ has the same solution $p_t$ for any
# $\epsilon_t\ge0$ if
#
# $$b^F_t(x) = b_t(x) + \epsilon_t\nabla\log p_t(x),\qquad dX_t = b^F_t(X_t)\,dt + \sqrt{2\epsilon_t}\,dW_t .$$
#
# For the learned model we need the score. With $\gamma = 0$ and a Gaussian base it is a
# function of $b$: from $x = \alpha E[x_0|x] + \beta E[x_1|x]$ and $b = \dot\alpha E[x_0|x] + \dot\beta E[x_1|x]$
# one finds, for the linear schedule, $\nabla\log p_t = -E[x_0\mid x]/\alpha_t = (t\,b_t(x) - x)/(1-t)$.
# Taking $\epsilon_t = \epsilon(1-t)$ keeps $\epsilon_t\nabla\log p_t = \epsilon(t b_t - x)$ finite at $t=1$.
#
# Sample quality is the squared **energy distance** to held-out target samples,
# $D^2 = 2\mathbb{E}|X-Y| - \mathbb{E}|X-X'| - \mathbb{E}|Y-Y'|$, which vanishes only when the laws agree.
# Independent target samples of the same size set the noise floor (averaged over five draws).

# %%
eps_t = lambda e: (lambda t: e * (1 - t))
score_from_b = lambda b: (lambda x, t: (t * b(x, t) - x) / (1 - t))
floor = np.mean([si.energy_distance(sample_target(n_eval, seed=s), held_out) for s in range(20, 25)])
steps_list = [2, 4, 8, 16, 32, 64]
samplers = {
    "ODE Euler, exact b": lambda K: si.ode_sample(b_exact, x_base, K, method="euler"),
    "ODE Heun, exact b": lambda K: si.ode_sample(b_exact, x_base, K, method="heun"),
    "ODE Heun, learned b": lambda K: si.ode_sample(b_learned, x_base, K, method="heun"),
    "SDE eps=0.5, learned b": lambda K: si.sde_sample(b_learned, score_from_b(b_learned), x_base, K, eps_t(0.5), seed=K),
    "SDE eps=2, learned b": lambda K: si.sde_sample(b_learned, score_from_b(b_learned), x_base, K, eps_t(2.0), seed=K),
}
quality = {name: np.array([si.energy_distance(f(K), held_out) for K in steps_list]) for name, f in samplers.items()}

fig, ax = plt.subplots(figsize=(6.4, 4.0))
for name, d2 in quality.items():
    ax.loglog(steps_list, d2, "o-", label=name)
ax.axhline(floor, color="gray", ls=":", label="fresh target samples (floor)")
cu.plotting.label(ax, "number of steps $K$", "energy distance $D^2$ to held-out data",
                  "sample quality versus steps")
ax.legend(fontsize=8)
plt.show()
for name, d2 in quality.items():
    print(f"{name:24s}", "  ".join(f"{v:.4f}" for v in d2))

# %%
# Check: with the exact velocity and 64 Heun steps the energy distance is at the level of
# sampling noise (below 3x the floor: D^2 of n = 2000 samples fluctuates by a factor ~2
# between draws), Euler with 2 steps is far above it (> 20x), and the learned model with 64
# steps is within 10x of the floor for the ODE and the SDE with eps = 0.5.
print(f"floor {floor:.4f}; exact Heun {quality['ODE Heun, exact b'][-1] / floor:.1f}x, "
      f"learned ODE {quality['ODE Heun, learned b'][-1] / floor:.1f}x, "
      f"learned SDE {quality['SDE eps=0.5, learned b'][-1] / floor:.1f}x the floor")
assert quality["ODE Heun, exact b"][-1] < 3 * floor
assert quality["ODE Euler, exact b"][0] > 20 * floor
assert quality["ODE Heun, learned b"][-1] < 10 * floor and quality["SDE eps=0.5, learned b"][-1] < 10 * floor

# %% [markdown]
# The ODE with Heun's method is good after a handful of steps; Euler needs more. The SDE pays
# for its noise at small $K$ (each Euler-Maruyama step is only first order), but its noise also
# corrects errors: the added $\epsilon_t\nabla\log p_t$ pulls samples back towards $p_t$, so errors of
# the learned velocity do not simply accumulate.

# %% [markdown]
# ## 4. Learning the denoiser $\eta$ when $\gamma > 0$
#
# With latent noise $\gamma_t > 0$ the score has its own regression. The recitation notes (Miyamoto),
# section 11, define the **denoiser** and its quadratic loss,
#
# $$\eta_t(x) = \mathbb{E}[z\mid I_t = x],\qquad \mathcal{L}(\hat\eta) = \int_0^1 dt\;\mathbb{E}\,\big|\hat\eta_t(I_t) - z\big|^2,
# \qquad \nabla\log p_t = -\frac{\eta_t}{\gamma_t},$$
#
# learned instead of the score itself because the score's regression target $-z/\gamma_t$ blows up at
# $t = 0, 1$. There is a second route. With a Gaussian base independent of $x_1$, $w = \alpha_t x_0 + \gamma_t z$
# is $N(0, (\alpha_t^2+\gamma_t^2)I)$, so $x = \mathbb{E}[w|x] + \beta_t\mathbb{E}[x_1|x]$ and
# $b_t = \frac{\alpha_t\dot\alpha_t + \gamma_t\dot\gamma_t}{\alpha_t^2+\gamma_t^2}\mathbb{E}[w|x] + \dot\beta_t\mathbb{E}[x_1|x]$;
# eliminating $\mathbb{E}[x_1|x]$ gives the score from the velocity (`interpolants.score_from_velocity`),
#
# $$\nabla\log p_t(x) = -\frac{\mathbb{E}[w|x]}{\alpha_t^2+\gamma_t^2}
# = -\frac{\beta_t\,b_t(x) - \dot\beta_t\,x}{D_t},\qquad D_t = \beta_t(\alpha_t\dot\alpha_t+\gamma_t\dot\gamma_t) - \dot\beta_t(\alpha_t^2+\gamma_t^2),$$
#
# which for $\gamma = 0$ is the formula $(t b_t - x)/(1-t)$ of section 3. An error $\delta\eta$ in the learned
# denoiser becomes a score error $\delta\eta/\gamma_t$; an error $\delta b$ becomes $\beta_t\,\delta b/|D_t|$. For the
# linear schedule with $\gamma_t = t(1-t)$ the first factor diverges at both ends, the second only at $t\to1$.
# We learn both by least squares at fixed times, on the same $n = 10^4$ draws of $(x_0, x_1, z)$ and the
# same features (81 Gaussian bumps on a grid, plus $x$ and a constant): the loss above restricted to
# one $t$, whose minimiser over the features is the projection of $\eta_t$ (and of $b_t$) on them.

# %%
noisy = si.schedule("linear", 1.0)  # gamma_t = t (1 - t)
t_eta = np.array([0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.95])
centres = np.stack(np.meshgrid(np.linspace(-4, 4, 9), np.linspace(-4, 4, 9)), -1).reshape(-1, 2)


def features(x, width=1.0):
    bumps = np.exp(-np.sum((x[:, None, :] - centres[None]) ** 2, axis=2) / (2 * width**2))
    return np.concatenate([bumps, x, np.ones((len(x), 1))], axis=1)


def draw_interpolant(n, seed):
    r = cu.make_rng(seed)
    return r.standard_normal((n, 2)), sample_target(n, seed + 1), r.standard_normal((n, 2))  # x0, x1, z


rel = lambda s, s_ex: np.sqrt(np.sum((s - s_ex) ** 2, 1).mean() / np.sum(s_ex**2, 1).mean())
routes = {"from eta: -eta/gamma": [], "from b: -(beta b - beta' x)/D": []}
amplification = []
for i, t in enumerate(t_eta):
    x0_fit, x1_fit, z_fit = draw_interpolant(10000, seed=300 + 2 * i)
    I_fit, dI_fit = si.interpolate(x0_fit, x1_fit, z_fit, t, noisy)
    F = features(I_fit)
    gram = F.T @ F + 1e-3 * np.eye(F.shape[1])  # tiny ridge: the bumps overlap
    W_eta, W_b = np.linalg.solve(gram, F.T @ z_fit), np.linalg.solve(gram, F.T @ dI_fit)
    x_t = si.interpolate(*draw_interpolant(4000, seed=500 + 2 * i), t, noisy)[0]  # fresh points of p_t
    s_ex = si.exact_score_gaussian_mixture(x_t, t, noisy, w_mix, mu, s_mix)
    a, be, g, da, db, dg = (float(c) for c in noisy.coefficients(t))
    routes["from eta: -eta/gamma"].append(rel(-features(x_t) @ W_eta / g, s_ex))
    routes["from b: -(beta b - beta' x)/D"].append(rel(si.score_from_velocity(features(x_t) @ W_b, x_t, t, noisy), s_ex))
    amplification.append((1 / g, be / abs(be * (a * da + g * dg) - db * (a**2 + g**2))))
routes = {k: np.array(v) for k, v in routes.items()}
amplification = np.array(amplification)

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for name, err in routes.items():
    axes[0].semilogy(t_eta, err, "o-", label=name)
cu.plotting.label(axes[0], "$t$", r"$\|\hat s_t - \nabla\log p_t\| / \|\nabla\log p_t\|$", "learned score, two routes")
axes[0].legend(fontsize=8)
axes[1].semilogy(t_eta, amplification[:, 0], "o-", label=r"$1/\gamma_t$ (eta route)")
axes[1].semilogy(t_eta, amplification[:, 1], "o-", label=r"$\beta_t/|D_t|$ (b route)")
cu.plotting.label(axes[1], "$t$", "error amplification", r"linear schedule, $\gamma_t = t(1-t)$")
axes[1].legend(fontsize=8)
plt.show()
print("t                             ", "  ".join(f"{t:5.2f}" for t in t_eta))
for name, err in routes.items():
    print(f"{name:30s}", "  ".join(f"{e:5.2f}" for e in err))

# %%
# Check: (i) the velocity-to-score formula is exact: with the exact b it returns the exact score to
# round-off at every t; the plausible slip of keeping the gamma = 0 formula (t b - x)/(1 - t) is off by
# 0.125 (t = 0.5) and 0.73 (t = 0.9) in relative norm. (ii) The score from the learned eta at t = 0.5
# is within 0.45 of the exact one in relative norm (measured 0.23, 0.22, 0.24 for seeds 0-2: the
# features' approximation error, not sampling noise); dividing by gamma the wrong way (-gamma eta)
# gives 0.94, forgetting it (-eta) 0.75. (iii) Near t = 0 the eta route pays 1/gamma and the b route
# only beta/|D| (400x smaller at t = 0.05): the b route is more than 10x better at t = 0.05 and 0.1
# (measured 28-265x for seeds 0-2).
x_chk = 3 * rng.standard_normal((500, 2))
exact_err, slip_err = [], []
for t in t_eta:
    b_chk = si.exact_velocity_gaussian_mixture(x_chk, t, noisy, w_mix, mu, s_mix)
    s_chk = si.exact_score_gaussian_mixture(x_chk, t, noisy, w_mix, mu, s_mix)
    exact_err.append(rel(si.score_from_velocity(b_chk, x_chk, t, noisy), s_chk))
    slip_err.append(rel((t * b_chk - x_chk) / (1 - t), s_chk))
print("score from exact b, worst relative error < 1e-10:", max(exact_err) < 1e-10)
print("gamma = 0 formula instead:", "  ".join(f"{e:5.3f}" for e in slip_err))
print(f"score from learned eta at t = 0.5: relative error {routes['from eta: -eta/gamma'][3]:.2f} (< 0.45)")
ratio_ends = routes["from eta: -eta/gamma"][:2] / routes["from b: -(beta b - beta' x)/D"][:2]
print("eta route / b route at t = 0.05, 0.1 > 10:", bool(np.all(ratio_ends > 10)))
assert max(exact_err) < 1e-10
assert routes["from eta: -eta/gamma"][3] < 0.45
assert np.all(ratio_ends > 10)

# %% [markdown]
# ## 5. Diffusion is an interpolant
#
# The OU noising of lecture 14, $x(\tau) = e^{-\tau}a + \sqrt{1-e^{-2\tau}}\,z$, is an interpolant with
# $\gamma = 0$, base $x_0 = z\sim N(0,I)$, target $x_1 = a$ and $\alpha_t^2 + \beta_t^2 = 1$: the trigonometric
# schedule, with the clocks related by
#
# $$\beta_t = \sin\tfrac{\pi t}{2} = e^{-\tau},\qquad \alpha_t = \cos\tfrac{\pi t}{2} = \sqrt{1-e^{-2\tau}},\qquad
# \tau(t) = -\log\sin\tfrac{\pi t}{2}$$
#
# ($t = 0$ is $\tau = \infty$, pure noise; $t = 1$ is $\tau = 0$, data). Then $p_t = p^{\rm OU}_{\tau(t)}$, the scores agree, and the
# interpolant's velocity is the probability-flow ODE of lecture 14 on the clock $t$: the forward OU
# flow is $dx/d\tau = -x - \nabla\log p_\tau$, and $d\tau/dt = -\tfrac{\pi}{2}\cot\tfrac{\pi t}{2}$, so
#
# $$b_t(x) = \tfrac{\pi}{2}\cot\tfrac{\pi t}{2}\,\big[x + \nabla\log p^{\rm OU}_{\tau(t)}(x)\big].$$
#
# (Any other $\gamma = 0$ schedule with a Gaussian base is a diffusion too, with $x/\beta_t = x_1 + (\alpha_t/\beta_t)x_0$:
# the general $f(t), g(t)$ process of lecture 14 with $s = \beta_t$ and $\sigma = \alpha_t/\beta_t$; only the clock and the
# scale differ.) We check the correspondence with the exact fields of both lectures (the target's three
# components have one width, so lecture 14's `diffusion.mixture_score` applies), and sample the target
# both ways: with lecture 14's reverse SDE on the clock $\tau$ and with this lecture's ODE on the clock $t$.

# %%
trig = si.schedule("trig")
tau_of_t = lambda t: -np.log(np.sin(0.5 * np.pi * t))
ou_score = lambda x, tau: df.mixture_score(x, tau, mu, var=s_mix[0] ** 2, weights=w_mix)
x_cmp = 3 * rng.standard_normal((500, 2))
t_cmp = np.array([0.1, 0.3, 0.5, 0.7, 0.9])
corr = {"score": [], "velocity": [], "slip: SDE force x + 2 score": []}
for t in t_cmp:
    s_ou = ou_score(x_cmp, tau_of_t(t))
    b_si = si.exact_velocity_gaussian_mixture(x_cmp, t, trig, w_mix, mu, s_mix)
    cot = 0.5 * np.pi / np.tan(0.5 * np.pi * t)
    corr["score"].append(rel(s_ou, si.exact_score_gaussian_mixture(x_cmp, t, trig, w_mix, mu, s_mix)))
    corr["velocity"].append(rel(cot * (x_cmp + s_ou), b_si))
    corr["slip: SDE force x + 2 score"].append(rel(cot * (x_cmp + 2 * s_ou), b_si))

x_diff = df.backward_sde(ou_score, x_base, np.concatenate([np.linspace(6.0, 0.5, 60, endpoint=False),
                                                           np.geomspace(0.5, 1e-3, 140)]), seed=21)["x"]
x_diff = df.posterior_mean(x_diff, 1e-3, ou_score)  # the final Tweedie step of lecture 14
x_trig = si.ode_sample(lambda x, t: si.exact_velocity_gaussian_mixture(x, t, trig, w_mix, mu, s_mix), x_base, 100)
d2_diff, d2_trig = si.energy_distance(x_diff, held_out), si.energy_distance(x_trig, held_out)

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
for ax, xs, name in ((axes[0], x_diff, "OU reverse SDE (lecture 14), clock tau"), (axes[1], x_trig, "trig interpolant ODE, clock t")):
    ax.hist2d(xs[:, 0], xs[:, 1], bins=60, range=[[-4, 4], [-4, 4]], cmap="magma")
    ax.set_aspect("equal")
    cu.plotting.label(ax, "$x_1$", "$x_2$", name)
plt.show()

# %%
# Check: (i) the scores of the two descriptions and the velocity b_t = (pi/2) cot(pi t/2) (x + grad log p)
# agree to round-off at every t (relative error < 1e-10); the plausible slip of using the reverse-SDE
# force x + 2 grad log p instead of the probability-flow x + grad log p is off by the amounts printed
# (order one). (ii) Both samplers reach the target: energy distance to held-out data below 3x the
# noise floor (D^2 of n = 2000 samples fluctuates by a factor ~2 between draws; the same bound as
# section 3; measured 0.5-1.7x the floor for seeds 0-2).
print("t                  ", "  ".join(f"{t:5.2f}" for t in t_cmp))
for name, e in corr.items():
    txt = "  ".join(f"{v:5.2f}" for v in e) if name.startswith("slip") else f"all < 1e-10: {max(e) < 1e-10}"
    print(f"{name:28s}", txt)
print(f"D^2 / floor: OU reverse SDE {d2_diff / floor:.1f}, trig interpolant ODE {d2_trig / floor:.1f}  (< 3)")
assert max(corr["score"]) < 1e-10 and max(corr["velocity"]) < 1e-10
assert min(corr["slip: SDE force x + 2 score"]) > 0.1
assert d2_diff < 3 * floor and d2_trig < 3 * floor

# %% [markdown]
# ## 6. Couplings: pairing noise and data
#
# Nothing requires $x_0$ and $x_1$ to be independent: the recitation notes (Miyamoto), section 11,
# draw $(x_0, x_1)\sim\nu$ from any **coupling** whose marginals are $p_0$ and $p_1$ (eq. 11.4), and the
# derivation of $b_t = \mathbb{E}[\dot I_t\mid I_t]$ goes through unchanged. For the linear interpolant with
# $\gamma = 0$, $\dot I_t = x_1 - x_0$, and splitting the mean square into mean and variance given $I_t$,
#
# $$\underbrace{\mathbb{E}\,|x_1 - x_0|^2}_{C,\ \text{cost of }\nu} = \underbrace{\int_0^1 dt\;\mathbb{E}\,|b_t(I_t)|^2}_{\text{kinetic energy of the flow}}
# \;+\; \underbrace{\int_0^1 dt\;\mathbb{E}\,\big|x_1 - x_0 - b_t(I_t)\big|^2}_{R\ \ge\ 0} .$$
#
# $R$ vanishes when the straight segments from $x_0$ to $x_1$ never cross (then $x_1 - x_0$ is a function of
# $I_t$ and the flow moves along the segments); crossings make it positive and the flow's paths bend.
# A **minibatch optimal-transport** coupling re-pairs each batch of 256 draws by the assignment that
# minimises $\sum|x_0 - x_1|^2$ (`scipy.optimize.linear_sum_assignment`): a permutation of the $x_1$, so
# the marginals are untouched, and optimal pairings do not cross. We learn $b_t$ for both couplings at
# 12 times with the regression of section 4 and measure $C$, the kinetic energy and $R$.

# %%
def coupled_pairs(n, coupling, seed, batch=256):
    r = cu.make_rng(seed)
    x0, x1 = r.standard_normal((n, 2)), sample_target(n, seed + 1)
    if coupling == "minibatch OT":
        for s in range(0, n, batch):
            cost = np.sum((x0[s:s + batch, None] - x1[None, s:s + batch]) ** 2, axis=2)
            x1[s:s + batch] = x1[s:s + batch][linear_sum_assignment(cost)[1]]
    return x0, x1


t_slices = (np.arange(12) + 0.5) / 12  # midpoints of 12 equal time steps
coupling_stats, slice_weights = {}, {}
for coupling in ("independent", "minibatch OT"):
    cost, kinetic, kinetic_exact, W_slices = [], [], [], []
    for k, t in enumerate(t_slices):
        x0_c, x1_c = coupled_pairs(4096, coupling, seed=700 + k)
        I_c = (1 - t) * x0_c + t * x1_c
        F = features(I_c)
        W_slices.append(np.linalg.solve(F.T @ F + 1e-3 * np.eye(F.shape[1]), F.T @ (x1_c - x0_c)))
        cost.append(np.sum((x1_c - x0_c) ** 2, 1).mean())
        kinetic.append(np.sum((F @ W_slices[-1]) ** 2, 1).mean())
        if coupling == "independent":  # the exact b of section 1 on the same points
            kinetic_exact.append(np.sum(b_exact(I_c, t) ** 2, 1).mean())
    coupling_stats[coupling] = dict(C=np.mean(cost), K=np.mean(kinetic), R=np.mean(cost) - np.mean(kinetic),
                                    K_exact=np.mean(kinetic_exact) if kinetic_exact else np.nan)
    slice_weights[coupling] = W_slices

fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)
starts = cu.make_rng(31).standard_normal((40, 2))
for ax, (coupling, W_slices) in zip(axes, slice_weights.items(), strict=True):
    path = [starts]
    for W in W_slices:  # Euler with the learned velocity of each slice
        path.append(path[-1] + features(path[-1]) @ W / len(W_slices))
    path = np.array(path)
    ax.plot(path[:, :, 0], path[:, :, 1], "C0", lw=0.8)
    ax.plot(*starts.T, "k.", ms=4)
    ax.plot(*path[-1].T, "C3.", ms=5)
    ax.set_aspect("equal")
    cu.plotting.label(ax, "$x_1$", "$x_2$", f"{coupling}: R = {coupling_stats[coupling]['R']:.2f}")
plt.show()

# %%
# Check: (i) for the independent coupling the learned kinetic energy agrees with the exact one (exact b
# on the same points) within 5% (at most 0.4% for seeds 0-2: the features' approximation error);
# the plausible slip "the flow follows the segments", kinetic energy = cost C, is off by a factor 1.9.
# (ii) The minibatch OT pairing removes most crossings: R falls by more than 5x (measured 37-38x for
# seeds 0-2; the SE of each C from 12 x 4096 pairs is ~0.03).
print("coupling        cost C   kinetic energy   R = C - kinetic   (exact kinetic)")
for coupling, st in coupling_stats.items():
    exact = f"{st['K_exact']:.2f}" if np.isfinite(st["K_exact"]) else "(no closed form)"
    print(f"{coupling:13s}   {st['C']:6.2f}   {st['K']:10.2f}       {st['R']:10.2f}        {exact}")
ind, ot = coupling_stats["independent"], coupling_stats["minibatch OT"]
print(f"independent: |K / K_exact - 1| < 0.05: {abs(ind['K'] / ind['K_exact'] - 1) < 0.05};  "
      f"C / K_exact = {ind['C'] / ind['K_exact']:.1f};  R_independent / R_OT > 5: {ind['R'] / ot['R'] > 5}")
assert abs(ind["K"] / ind["K_exact"] - 1) < 0.05
assert abs(ind["C"] / ind["K_exact"] - 1) > 0.05  # so the slip K = C would fail the line above
assert ind["R"] > 5 * ot["R"]

# %% [markdown]
# The OT pairing shortens the segments (cost $C$ from 8.5 to 2.8) and nearly removes their crossings, so the
# learned flow moves almost along straight lines: a few large steps follow such paths well. With this smooth
# regression and 12 Euler steps some end points still fall between the clusters for both couplings; the
# figure is about the shape of the paths, not yet about sample quality.

# %% [markdown]
# ## 7. Live: schedules and noise
#
# The function draws the transported density at five times for a schedule (`linear` or
# `trig`), a latent noise level $\gamma_t = a\,t(1-t)$ and a diffusion coefficient $\epsilon$, using the
# exact velocity and score. The schedule and $\gamma$ change the path $p_t$ in between; $\epsilon$ changes
# only how single samples move, not any marginal, and the end point is the target for every setting
# (up to sampling noise and the step error of 50 steps, checked below).
#
# To stop at the intermediate times, each piece $[t_0, t_0 + \Delta]$ is mapped onto $u\in[0,1]$ by
# $t = t_0 + \Delta u$. Then $dX = \Delta\,[b_t + \epsilon\nabla\log p_t]\,du + \sqrt{2\epsilon\Delta}\,dW_u$:
# the velocity is scaled by $\Delta$, the diffusion coefficient becomes $\epsilon\Delta$, and the score
# itself is *not* scaled (the drift $\epsilon\Delta\,\nabla\log p_t$ already carries the factor $\Delta$).

# %%
def transport(kind="linear", noise=0.0, eps=0.0, n=3000, steps=50):
    """Samples of p_t at t = 0, 1/4, 1/2, 3/4, 1 (ODE for eps = 0, SDE otherwise), exact b and score."""
    sched = si.schedule(kind, noise)
    b = lambda x, t: si.exact_velocity_gaussian_mixture(x, t, sched, w_mix, mu, s_mix)
    s = lambda x, t: si.exact_score_gaussian_mixture(x, t, sched, w_mix, mu, s_mix)
    x = cu.make_rng(7).standard_normal((n, 2))
    stops = np.round(np.linspace(0, 1, 5) * steps).astype(int)
    snaps, k0 = [x], 0
    for k1 in stops[1:]:
        span, t0 = (k1 - k0) / steps, k0 / steps  # t = t0 + span * u, u in [0, 1]
        vel = lambda y, u, t0=t0, span=span: span * b(y, t0 + span * u)
        sc = lambda y, u, t0=t0, span=span: s(y, t0 + span * u)
        x = si.sde_sample(vel, sc, x, k1 - k0, eps * span, seed=int(k1)) if eps > 0 else \
            si.ode_sample(vel, x, k1 - k0, method="heun")
        snaps.append(x)
        k0 = k1
    return snaps


def plot_transport(kind="linear", noise=0.0, eps=0.0):
    snaps = transport(kind, noise, eps)
    fig, axes = plt.subplots(1, len(snaps), figsize=(14, 3.0), sharey=True)
    for ax, t, xs in zip(axes, np.linspace(0, 1, 5), snaps, strict=True):
        ax.hist2d(xs[:, 0], xs[:, 1], bins=60, range=[[-4, 4], [-4, 4]], cmap="magma")
        ax.set_aspect("equal")
        cu.plotting.label(ax, "$x_1$", "$x_2$" if t == 0 else "", f"t = {t:.2f}")
    fig.suptitle(f"{kind} schedule, gamma = {noise:.1f} t(1-t), eps = {eps:.1f}")
    plt.show()


plot_transport(kind="linear", noise=0.0, eps=0.0)

# %%
# NBVAL_IGNORE_OUTPUT
cu.plotting.live(plot_transport, kind=["linear", "trig"], noise=(0.0, 3.0, 0.25), eps=(0.0, 3.0, 0.25))

# %%
# Check: the live cell's own sampler ends on the target for eps > 0 too. D^2 of its 3000 samples at
# t = 1 against the held-out set stays below 3x the floor (measured over COURSE_UTILS_SEED = 0..5:
# 0.5-1.7x the floor for the three settings). Scaling the score by the time span as well (drift
# span * b + eps * span^2 * s instead of span * (b + eps s)) gives 0.056, 0.102 and 0.086 here,
# 25-45x the floor.
for kind, noise, eps in (("linear", 0.0, 1.0), ("linear", 0.0, 3.0), ("trig", 1.0, 3.0)):
    d2 = si.energy_distance(transport(kind, noise, eps)[-1], held_out)
    print(f"{kind:6s} gamma = {noise:.1f} t(1-t), eps = {eps:.1f}: D^2 = {d2 / floor:.1f} x floor (< 3: {d2 < 3 * floor})")
    assert d2 < 3 * floor

# %% [markdown]
# ## Exercises
#
# Each exercise is followed by its solution, folded on the book site and left out of the student edition.

# %% [markdown]
# **Exercise 1. Denoiser and score.** For the trigonometric schedule with $\gamma_t = 2t(1-t)$, estimate
# the denoiser $\eta_t(x) = \mathbb{E}[z\mid I_t = x]$ at $t = 0.5$ by Monte Carlo (average $z$ over samples
# with $I_t$ in a small ball around $x$) and check that $-\gamma_t\nabla\log p_t(x)$ gives the same vector.

# %% tags=["solution"]
# Solution 1: Monte Carlo estimate of E[z | I_t ~ x] from samples in a small ball around x,
# against -gamma_t times the exact score.
trig = si.schedule("trig", 2.0)
t_s = 0.5
a_t, be_t, g_t = (float(c) for c in trig.coefficients(t_s)[:3])
big = 400000
z_s = rng.standard_normal((big, 2))
I_s = a_t * rng.standard_normal((big, 2)) + be_t * sample_target(big, seed=9) + g_t * z_s
for x_q in ([0.0, 0.5], [1.0, -0.5]):
    near = np.sum((I_s - np.array(x_q)) ** 2, axis=1) < 0.1**2
    eta_mc = z_s[near].mean(axis=0)
    eta_exact = -g_t * si.exact_score_gaussian_mixture(np.array([x_q]), t_s, trig, w_mix, mu, s_mix)[0]
    print(f"x = {x_q}: MC eta = {np.round(eta_mc, 2)}, -gamma * score = {np.round(eta_exact, 2)} ({near.sum()} samples)")

# %% [markdown]
# **Exercise 2. Order of convergence.** Using the exact velocity, measure the error of the ODE end point
# $|X_1^{(K)} - X_1^{(1024)}|$ (same starting points) for $K = 8\dots128$ with Euler and Heun, and
# read off the orders 1 and 2 from the slopes between successive $K$. Why does Heun reach order 2
# only at the larger $K$?

# %% tags=["solution"]
# Solution 2: errors against a fine reference and the local order log2(err_K / err_2K).
# Heun's local order climbs from ~1.5 to ~1.9: its error constant involves the second time
# derivative of b along the path, and b_t bends sharply between the clusters (around t = 0.25),
# so a step h = 1/8 or 1/16 is not yet small on that time scale. A single fit over all K mixes in
# these pre-asymptotic points and gives ~1.8; Euler is at order 1 from K = 32 on.
x_small = x_base[:200]
ref = si.ode_sample(b_exact, x_small, 1024, method="heun")
Ks = np.array([8, 16, 32, 64, 128])
for method in ("euler", "heun"):
    errs = np.array([np.abs(si.ode_sample(b_exact, x_small, K, method=method) - ref).mean() for K in Ks])
    local = np.log2(errs[:-1] / errs[1:])
    print(f"{method}: errors", np.array2string(errs, precision=5), " local orders", np.array2string(local, precision=1))

# %% [markdown]
# ## References
# - M. S. Albergo, N. M. Boffi, E. Vanden-Eijnden, *Stochastic interpolants: a unifying framework
#   for flows and diffusions*, arXiv:2303.08797 (2023).
# - M. S. Albergo, E. Vanden-Eijnden, *Building normalizing flows with stochastic interpolants*, ICLR (2023).
# - Y. Lipman, R. T. Q. Chen, H. Ben-Hamu, M. Nickel, M. Le, *Flow matching for generative modeling*, ICLR (2023).
# - A. Tong, N. Malkin, G. Huguet, Y. Zhang, J. Rector-Brooks, K. Fatras, G. Wolf, Y. Bengio, *Improving and
#   generalizing flow-based generative models with minibatch optimal transport*, TMLR (2024).
# - X. Liu, C. Gong, Q. Liu, *Flow straight and fast: learning to generate and transfer data with rectified
#   flow*, ICLR (2023).
# - G. J. Székely, M. L. Rizzo, *Energy statistics: a class of statistics based on distances*,
#   J. Stat. Plan. Inference 143, 1249 (2013).
