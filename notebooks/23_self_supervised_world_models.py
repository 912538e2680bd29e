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
# # 23 · Self-supervised learning and world models
#
# A physicist rarely has labels, but often has many views of the same state: two noisy
# measurements of one configuration, or consecutive frames of one trajectory. Self-supervised
# learning turns this into a training signal: encode both views and ask the embeddings to
# agree. The catch is that a constant embedding agrees perfectly, so the loss needs a term that
# keeps information in the embedding. This lecture trains such joint-embedding models, watches
# them collapse, repairs them in two ways, reads labels off the learned embedding with a linear
# probe, then builds a small JEPA-style world model of a particle seen through a nuisance
# transformation and plans actions by minimising an energy. It ends with the free energy of a
# latent variable and its Gibbs posterior.
#
# **Learning goals**
# - write the joint-embedding loss $C(\hat s_y, s_y) + \lambda_x I(s_x) + \lambda_y I(s_y)$ and see why
#   the information terms are needed (collapse: the covariance rank of the embedding drops to 0);
# - prevent collapse with a variance/covariance (VICReg, whitening) term and with a contrastive
#   (InfoNCE) term, and place each in LeCun's three families of methods;
# - measure how many labels a linear probe of the embedding needs, against the raw data;
# - learn a world model $s_{t+1} = W(s_t, a)$ in embedding space and plan by inference as
#   optimisation, $\hat a = \operatorname{argmin}_a E$;
# - check that the Gibbs posterior $p(z)e^{-\beta E(y,z)}/Z$ minimises the free energy of a latent.
#
# *Source:* Y. LeCun's lectures in *Lecture Notes from Beg Rohu 2025* (C. Miyamoto), sections 5.1-5.3
# (energy-based models, inference by optimisation, world models) and 6.0-6.2 (free energy with a
# latent, eqs. 6.3-6.4; joint-embedding loss and information of an embedding, eq. 6.9).

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from scipy.stats import norm

import course_utils as cu
from course_utils import ssl

rng = cu.setup(seed=0)

# %% [markdown]
# ## 1. Two views of one state
#
# We build data whose latent structure we know. A state $h\in\mathbb{R}^2$ is drawn from one of four
# Gaussian blobs (class $k$, centre $c(\pm1,\pm1)$, width $s_h$); this is what we will later want to
# read off. Each *view* sees the state jittered by $\sigma_v$ and mixed, by a fixed random matrix $M$,
# with a six-dimensional nuisance $n_v$ that is fresh for every view:
#
# $$x_v = M\,[\,h + \sigma_v\varepsilon_v;\ n_v\,] \in\mathbb{R}^{16},\qquad v\in\{a, b\}.$$
#
# The two views share $h$ and nothing else. The best possible classifier of $k$ from one view sees
# $h+\sigma_v\varepsilon$, so it is right with probability (both coordinates' signs correct)
#
# $$P_\text{Bayes} = \Phi\!\left(\frac{c}{\sqrt{s_h^2+\sigma_v^2}}\right)^2 .$$

# %%
D, k_nuis, c_blob, s_h, s_v = 16, 6, 1.0, 0.4, 0.3
M_mix = cu.make_rng(1).standard_normal((D, 2 + k_nuis)) / np.sqrt(2 + k_nuis)
centers = c_blob * np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]], float)


def two_views(n, seed):
    """Labels k, and two views x_a, x_b (n, D) of the same states h."""
    g = cu.make_rng(seed)
    k = g.integers(0, 4, n)
    h = centers[k] + s_h * g.standard_normal((n, 2))
    views = [np.hstack([h + s_v * g.standard_normal((n, 2)), g.standard_normal((n, k_nuis))]) @ M_mix.T
             for _ in range(2)]
    return views[0], views[1], k


n_pairs = 4096  # 32768 for class: sharper probe curves, about 8x slower
xa, xb, k_train = two_views(n_pairs, 2)
x_test, _, k_test = two_views(4000, 5)
xa_t, xb_t = torch.tensor(xa, dtype=torch.float32), torch.tensor(xb, dtype=torch.float32)
p_bayes = norm.cdf(c_blob / np.hypot(s_h, s_v)) ** 2
print(f"Bayes accuracy from one view: {p_bayes:.3f}")

# %% [markdown]
# ## 2. The joint-embedding loss and collapse
#
# An encoder gives $s_x = \mathrm{Enc}(x_a)$, $s_y = \mathrm{Enc}(x_b)$; here the predictor is the identity,
# $\hat s_y = s_x$. LeCun's joint-embedding loss (eq. 6.9) is
#
# $$\mathcal{L} = C(\hat s_y, s_y) + \lambda_x I(s_x) + \lambda_y I(s_y),$$
#
# with $C$ the squared distance and $I$ a measure of the information carried by the embedding. With
# $\lambda = 0$ the minimiser is any constant encoder: the energy is flat, zero everywhere, and the
# embedding is useless. We measure collapse by the **rank of the embedding covariance**, the number of
# its eigenvalues above a tolerance (`ssl.embedding_rank`).
#
# Two ways to keep information in, and where they sit among LeCun's three families of training
# methods for energy-based models (contrastive, architectural, regularised; section 5.1.1):
#
# - **VICReg** (*regularised*): $I$ is replaced by a penalty that forces each embedding coordinate to
#   keep a standard deviation $\geq 1$ and the coordinates to be decorrelated, i.e. it pushes the
#   covariance towards a whitened one, for which the sum of per-coordinate entropies is an honest
#   estimate of the information. With $C_{ij}$ the batch covariance of $s$ and $d$ its dimension,
#
#   $$\mathcal{L}_\text{VIC} = \lambda\,\tfrac{1}{d}\,\overline{\|s_x-s_y\|^2} + \mu\sum_{v}\tfrac1d\sum_j \max\!\left(0, 1-\sqrt{C^v_{jj}+\epsilon}\right)
#     + \nu\sum_v\tfrac1d\sum_{i\neq j} (C^v_{ij})^2 ;$$
#
# - **InfoNCE** (*contrastive*): the other pairs of the batch are the negatives whose energy is
#   pushed up, the cross-entropy of the true pair among $B$ with cosine logits
#   $S_{ij} = \cos(s_{x,i}, s_{y,j})/\tau$.

# %%
def make_encoder(seed):
    cu.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(D, 64), torch.nn.ReLU(), torch.nn.Linear(64, 8))


def train_joint_embedding(kind, steps=400, batch=256, seed=3, mu=25.0):
    """Train an encoder on pairs (x_a, x_b) with 'invariance' (C only), 'vicreg' or 'infonce'."""
    enc = make_encoder(seed)
    opt = torch.optim.Adam(enc.parameters(), lr=2e-3)
    g = cu.torch_generator(seed)
    for _ in range(steps):
        idx = torch.randint(0, n_pairs, (batch,), generator=g)
        s_x, s_y = enc(xa_t[idx]), enc(xb_t[idx])
        if kind == "invariance":
            loss = ((s_x - s_y) ** 2).mean()
        elif kind == "vicreg":
            loss, _ = ssl.vicreg_loss(s_x, s_y, mu=mu)
        else:
            loss = ssl.info_nce_loss(s_x, s_y, temperature=0.2)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        return enc(xa_t).numpy(), enc(torch.tensor(x_test, dtype=torch.float32)).numpy()


emb = {kind: train_joint_embedding(kind) for kind in ["invariance", "vicreg", "infonce"]}
emb_no_var = train_joint_embedding("vicreg", mu=0.0)  # VICReg without its variance term
eigs = {kind: np.linalg.eigvalsh(np.cov(z, rowvar=False))[::-1] for kind, (z, _) in emb.items()}

fig, ax = plt.subplots(figsize=(6.5, 3.6))
for kind, ev in eigs.items():
    ax.semilogy(np.arange(1, 9), np.maximum(ev, 1e-9), "o-", label=kind)
ax.axhline(1e-3, color="0.5", ls="--", lw=0.8, label="rank tolerance")
cu.plotting.label(ax, "eigenvalue index $j$", r"eigenvalue of $\mathrm{Cov}(s)$", "embedding covariance spectrum")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# **Check: collapse and its cure.** Without an information term the covariance rank falls to 0 or 1;
# with either regulariser it keeps at least the two dimensions of the shared state $h$.

# %%
ranks = {kind: ssl.embedding_rank(z, 1e-3) for kind, (z, _) in emb.items()}
rank_no_var = ssl.embedding_rank(emb_no_var[0], 1e-3)
print(f"invariance only: rank <= 1 is {ranks['invariance'] <= 1}; VICReg without its variance term "
      f"(mu = 0): rank <= 1 is {rank_no_var <= 1}")
print(f"VICReg rank >= 2 is {ranks['vicreg'] >= 2}; InfoNCE rank >= 2 is {ranks['infonce'] >= 2}")
# Seeds 0-5: invariance-only and mu = 0 both give rank 0 (largest eigenvalue 8e-5 to 1.3e-4, 8x below the
# tolerance 1e-3); VICReg gives rank 6-7 (two eigenvalues ~3-4, the shared h), InfoNCE rank 7-8. The
# wrong loss, VICReg with its variance term dropped (covariance alone, which a constant also zeroes),
# collapses like the bare invariance loss: it fails the second assert.
assert ranks["invariance"] <= 1 and rank_no_var <= 1
assert ranks["vicreg"] >= 2 and ranks["infonce"] >= 2

# %% [markdown]
# ## 3. Linear probes: how many labels does the embedding need?
#
# The representation is judged by what a *linear* read-out can do with few labels: a ridge
# regression of one-hot labels on the embedding (`ssl.linear_probe_accuracy`), fitted on the first
# $n$ labelled examples and scored on 4000 fresh ones. The raw 16-dimensional views are the baseline.

# %%
n_labels = np.array([8, 16, 32, 64, 128, 512, n_pairs])
probe = {kind: [ssl.linear_probe_accuracy(z[:n], k_train[:n], zt, k_test) for n in n_labels]
         for kind, (z, zt) in emb.items()}
probe["raw views"] = [ssl.linear_probe_accuracy(xa[:n], k_train[:n], x_test, k_test) for n in n_labels]

fig, ax = plt.subplots(figsize=(6.5, 3.8))
for kind, acc in probe.items():
    ax.semilogx(n_labels, acc, "o-", label=kind)
ax.axhline(p_bayes, color="k", ls="--", lw=0.8, label="Bayes")
ax.axhline(0.25, color="0.5", ls=":", lw=0.8, label="chance")
cu.plotting.label(ax, "number of labels $n$", "test accuracy", "linear probe of the embedding")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# **Check: the probe reaches the Bayes accuracy.** With all labels, the probe of a non-collapsed
# embedding is as good as the best classifier of $h+\sigma_v\varepsilon$; the collapsed one is far
# below it.

# %%
acc_full = {kind: acc[-1] for kind, acc in probe.items()}
print(f"Bayes {p_bayes:.3f}; with {n_pairs} labels: VICReg {acc_full['vicreg']:.2f}, "
      f"InfoNCE {acc_full['infonce']:.2f}, invariance only < 0.7 is {acc_full['invariance'] < 0.7}")
# Seeds 0-5: VICReg 0.941-0.951, InfoNCE 0.943-0.960 (test s.e. 0.003; the rest is training spread), so
# the band [P_Bayes - 0.04, P_Bayes + 0.015] = [0.915, 0.970] holds. The plausible wrong formula, forgetting
# the view jitter, P = Phi(c / s_h)^2 = 0.988, lies above the band and above every measured value.
for kind in ["vicreg", "infonce"]:
    assert p_bayes - 0.04 < acc_full[kind] < p_bayes + 0.015
assert acc_full["invariance"] < 0.7  # collapsed: seeds 0-5 give 0.47-0.56 (a faint trace below the tolerance)

# %% [markdown]
# The embedding needs far fewer labels than the raw views: with 32 labels it already holds most of
# the accuracy, because the encoder has discarded the six nuisance directions using pairs alone.

# %% [markdown]
# ## 4. A JEPA world model of a particle seen through a nuisance transformation
#
# A world model (section 5.2) is an encoder $\mathrm{Enc}$ from observations to a state $s_t$ and a
# predictor $s_{t+1} = W(s_t, a)$. A joint-embedding predictive architecture (JEPA) predicts in
# embedding space, not in observation space, so it need not model what is unpredictable. The
# system: a particle at $p\in[-1,1]^2$ moved by actions $a$, $|a_i|\leq a_\text{max}$,
#
# $$p_{t+1} = \mathrm{clip}(p_t + a_t,\,-1,\,1),$$
#
# observed only through 24 "place-cell" features $\cos(\omega_i\cdot p+\phi_i)$ and 8 distractor pixels
# that are fresh noise at every frame. We train $\mathrm{Enc}$ and $W(s,a) = s + g([s,a])$ on transitions
# with eq. 6.9 in its VICReg form: $C(W(s_t,a_t), s_{t+1})$ plus the variance and covariance terms that
# stop the trivial solution $s\equiv$ const.

# %%
n_feat, n_distract, a_max, d_s = 24, 8, 0.25, 4
freqs = 2.0 * cu.make_rng(11).standard_normal((n_feat, 2))
phases = 2 * np.pi * cu.make_rng(12).random(n_feat)


def observe(p, g):
    """Place-cell features of the position p plus distractor pixels, fresh noise each frame."""
    return torch.tensor(np.hstack([np.cos(p @ freqs.T + phases), g.standard_normal((len(p), n_distract))]),
                        dtype=torch.float32)


def move(p, a):
    return np.clip(p + a, -1.0, 1.0)


g_data = cu.make_rng(13)
n_trans = 4000
p_now = g_data.uniform(-1, 1, (n_trans, 2))
actions = g_data.uniform(-a_max, a_max, (n_trans, 2))
x_now, x_next = observe(p_now, g_data), observe(move(p_now, actions), g_data)
a_t = torch.tensor(actions, dtype=torch.float32)

cu.manual_seed(14)
enc = torch.nn.Sequential(torch.nn.Linear(n_feat + n_distract, 64), torch.nn.ReLU(), torch.nn.Linear(64, d_s))
g_net = torch.nn.Sequential(torch.nn.Linear(d_s + 2, 64), torch.nn.ReLU(), torch.nn.Linear(64, d_s))


def W(s, a):
    """World model s_{t+1} = W(s_t, a): a residual step in embedding space."""
    return s + g_net(torch.cat([s, a], -1))


opt = torch.optim.Adam([*enc.parameters(), *g_net.parameters()], lr=2e-3)
g_batch = cu.torch_generator(15)
for _ in range(800):
    idx = torch.randint(0, n_trans, (256,), generator=g_batch)
    loss, terms = ssl.vicreg_loss(W(enc(x_now[idx]), a_t[idx]), enc(x_next[idx]))
    opt.zero_grad()
    loss.backward()
    opt.step()
for par in [*enc.parameters(), *g_net.parameters()]:
    par.requires_grad_(False)

s_now = enc(x_now).numpy()
design = np.hstack([s_now, np.ones((n_trans, 1))])
r2 = 1 - np.mean((design @ np.linalg.lstsq(design, p_now, rcond=None)[0] - p_now) ** 2) / np.var(p_now)
print(f"position read linearly off the 4-d state: R^2 > 0.9 is {r2 > 0.9}")

# %% [markdown]
# ## 5. Planning by energy minimisation
#
# Inference by optimisation (eq. 5.2): to go from observation $x_0$ to a goal observation $x_g$ in $T$
# steps, roll the world model forward in embedding space and minimise the energy of the final state
# over the action sequence,
#
# $$\hat a_{1:T} = \operatorname{argmin}_{a_{1:T}}\ \big\|W(\cdots W(W(s_0, a_1), a_2)\cdots, a_T) - s_g\big\|^2,
#   \qquad a_t = a_\text{max}\tanh u_t ,$$
#
# by gradient descent on $u$. The planned actions are then executed in the *true* system.

# %%
T_plan = 6


def plan(x_start, x_goal, iters=150):
    """Actions (B, T_plan, 2) minimising ||s_T - s_goal||^2 through the learned W, and that energy."""
    s_start, s_goal = enc(x_start), enc(x_goal)
    u = torch.zeros(len(x_start), T_plan, 2, requires_grad=True)
    opt_u = torch.optim.Adam([u], lr=0.1)
    for _ in range(iters):
        s = s_start
        for t in range(T_plan):
            s = W(s, a_max * torch.tanh(u[:, t]))
        energy = ((s - s_goal) ** 2).sum(-1)
        opt_u.zero_grad()
        energy.sum().backward()
        opt_u.step()
    return (a_max * torch.tanh(u)).detach().numpy(), energy.detach().numpy()


def execute(p, acts):
    path = [p]
    for t in range(acts.shape[1]):
        path.append(move(path[-1], acts[:, t]))
    return np.stack(path, 1)


g_plan = cu.make_rng(16)
p_start, p_goal = g_plan.uniform(-0.8, 0.8, (64, 2)), g_plan.uniform(-0.8, 0.8, (64, 2))
plan_acts, plan_energy = plan(observe(p_start, g_plan), observe(p_goal, g_plan))
paths = execute(p_start, plan_acts)

fig, ax = plt.subplots(figsize=(4.6, 4.4))
for i in range(8):
    ax.plot(*paths[i].T, "-", color=f"C{i}", lw=1)
    ax.plot(*p_start[i], "o", color=f"C{i}", ms=4)
    ax.plot(*p_goal[i], "*", color=f"C{i}", ms=10)
ax.set_xlim(-1, 1)
ax.set_ylim(-1, 1)
ax.set_aspect("equal")
cu.plotting.label(ax, "$p_1$", "$p_2$", "planned in embedding space, executed for real")
plt.show()

# %% [markdown]
# **Check: the plans reach their goals in the true dynamics.** Away from the walls the exact dynamics
# give the displacement $\sum_t a_t = p_g - p_0$, reachable when each coordinate moves by at most
# $T a_\text{max} = 1.5$ (starts and goals lie in $[-0.8, 0.8]^2$, so almost always), so the final distance
# must be small compared with the initial one.

# %%
d_start = np.linalg.norm(p_goal - p_start, axis=1)
d_end = np.linalg.norm(p_goal - paths[:, -1], axis=1)
d_flip = np.linalg.norm(p_goal - execute(p_start, -plan_acts)[:, -1], axis=1)
ratio, ratio_flip = d_end.mean() / d_start.mean(), d_flip.mean() / d_start.mean()
print(f"mean final / initial distance: planned {ratio:.1f} (< 0.4), sign-flipped actions {ratio_flip:.1f}")
# Seeds 0-5: ratio 0.16-0.30 (training and planning spread), so 0.4 holds for any seed. Plausible wrong
# models: a W that ignores the action (zero gradient, u stays 0) gives exactly 1; a model that learned
# p_{t+1} = p_t - a (the sign flipped) executes the flipped plan, ratio 1.54-1.67 over seeds 0-5.
assert ratio < 0.4 and ratio_flip > 1.0

# %% [markdown]
# ## 6. The free energy of a latent and its Gibbs posterior
#
# With a latent $z$, an energy $E(y,z)$ gives the free energy $F(y) = \min_z E(y,z)$ (eq. 6.2) at zero
# temperature. At inverse temperature $\beta$ and with a prior $p(z)$, LeCun minimises over trial
# posteriors $q(z\mid y)$ the functional (eq. 6.3; the prior sits in the denominator of the logarithm,
# which the notes write loosely)
#
# $$\mathcal{L}(q) = \sum_z q(z\mid y)\,E(y,z) + \frac1\beta\sum_z q(z\mid y)\log\frac{q(z\mid y)}{p(z)} ,$$
#
# energy plus $1/\beta$ times the information (KL divergence) that $y$ gives about $z$. Adding a Lagrange
# multiplier for $\sum_z q = 1$ and setting the derivative to zero gives the Gibbs posterior (eq. 6.4)
# and the minimum
#
# $$q^*(z\mid y) = \frac{p(z)\,e^{-\beta E(y,z)}}{Z},\qquad \mathcal{L}(q^*) = -\frac1\beta\log\sum_z p(z)e^{-\beta E(y,z)} .$$
#
# We take the linear decoder of eq. 6.1 with a discrete latent, $E(y,z) = \|y - w_z\|^2$ for six code
# vectors $w_z$, and minimise $\mathcal{L}$ numerically over $q = \mathrm{softmax}(\theta)$ by mirror descent
# (exponentiated gradient), $\theta \leftarrow \theta - \eta\,\nabla_q\mathcal{L}$, which keeps $q$ on the simplex;
# the gradient comes from autograd, the formula of eq. 6.4 is not used.

# %%
K_lat, beta = 6, 2.0
w_code = np.stack([np.cos(2 * np.pi * np.arange(K_lat) / K_lat), np.sin(2 * np.pi * np.arange(K_lat) / K_lat)], 1)
prior = np.array([0.3, 0.25, 0.15, 0.12, 0.1, 0.08])
y_obs = cu.make_rng(17).normal(0, 0.8, (5, 2))
E_yz = ((y_obs[:, None, :] - w_code[None]) ** 2).sum(-1)

theta = torch.zeros(len(y_obs), K_lat, dtype=torch.float64)
E_t, logp_t = torch.tensor(E_yz), torch.tensor(np.log(prior))
for _ in range(100):
    q = torch.softmax(theta, -1).requires_grad_(True)
    L = (q * (E_t + (torch.log(q) - logp_t) / beta)).sum()
    L.backward()
    theta = theta - 1.0 * q.grad  # step eta = 1
q_min = torch.softmax(theta, -1).numpy()
q_gibbs = ssl.gibbs_posterior(E_yz, beta, prior)

fig, ax = plt.subplots(figsize=(6.5, 3.2))
ax.bar(np.arange(K_lat) - 0.2, q_min[0], 0.4, label="argmin of eq. 6.3 (mirror descent)")
ax.bar(np.arange(K_lat) + 0.2, q_gibbs[0], 0.4, label="Gibbs posterior, eq. 6.4")
cu.plotting.label(ax, "latent $z$", r"$q(z\mid y)$", "first observation $y$")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# **Check: the minimiser of eq. 6.3 is the Gibbs posterior with the prior.**

# %%
err_q = np.abs(q_min - q_gibbs).max()
err_L = np.abs(ssl.variational_free_energy(q_min, E_yz, beta, prior) - ssl.free_energy(E_yz, beta, prior)).max()
err_no_prior = np.abs(q_min - ssl.gibbs_posterior(E_yz, beta)).max()
err_no_beta = np.abs(q_min - ssl.gibbs_posterior(E_yz, 1.0, prior)).max()
print(f"max |q_min - q*| < 1e-9 is {err_q < 1e-9}; max |L(q_min) - F| < 1e-12 is {err_L < 1e-12}")
print(f"wrong formulas: without the prior (eq. 6.4 as printed) {err_no_prior:.2f}, with beta = 1 {err_no_beta:.2f}")
# Mirror descent contracts the error by |1 - eta / beta| = 1/2 a step: for seeds 0-5 (the draw of y_obs)
# max |q_min - q*| <= 4e-15 and |L - F| <= 5e-16 after 100 steps. The plausible wrong posteriors miss by
# far more: dropping the prior (the Gibbs formula as the notes print it, uniform p) gives 0.05-0.28 over
# seeds 0-5, forgetting beta (beta = 1) 0.16-0.32; both fail the bound 0.02 of the last assert.
assert err_q < 1e-9 and err_L < 1e-12
assert err_no_prior > 0.02 and err_no_beta > 0.02

# %% [markdown]
# ## 7. Live: temperature and prior
#
# As $\beta\to\infty$ the posterior concentrates on $\operatorname{argmin}_z E$ (eq. 6.2) whatever the prior;
# as $\beta\to0$ it returns to the prior. Move the observation and watch the free energy follow.

# %%
def plot_posterior(beta=2.0, y1=0.5, y2=0.0, prior_tilt=1.0):
    p = prior**prior_tilt / np.sum(prior**prior_tilt)
    E = ((np.array([y1, y2]) - w_code) ** 2).sum(-1)
    q = ssl.gibbs_posterior(E, beta, p)
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    ax.bar(np.arange(K_lat) - 0.2, p, 0.4, color="0.7", label="prior $p(z)$")
    ax.bar(np.arange(K_lat) + 0.2, q, 0.4, color="C1", label=r"posterior $q^*(z\mid y)$")
    cu.plotting.label(ax, "latent $z$", "probability",
                      f"F(y) = {ssl.free_energy(E, beta, p):.2f}, min_z E = {E.min():.2f}")
    ax.set_ylim(0, 1)
    ax.legend(fontsize="small")
    plt.show()


plot_posterior(beta=2.0)

# %%
# NBVAL_IGNORE_OUTPUT
cu.plotting.live(plot_posterior, beta=(0.1, 20.0, 0.1), y1=(-1.5, 1.5, 0.1), y2=(-1.5, 1.5, 0.1),
                 prior_tilt=(0.0, 3.0, 0.1))

# %% [markdown]
# ## Exercises
#
# Each exercise is followed by its solution, folded on the book site and left out of the student edition.

# %% [markdown]
# **Exercise 1. Information of an embedding.** For a Gaussian embedding the information is
# $\tfrac12\log\det(2\pi e\,C)$; LeCun notes that summing the per-coordinate entropies overestimates it
# unless the coordinates are independent. Compute both,
# $\tfrac12\sum_j\log C_{jj}$ and $\tfrac12\log\det C$ (dropping the constant, with $C+10^{-6}I$), for the
# three embeddings of section 2. Which embedding is closest to whitened?

# %% tags=["solution"]
# Solution 1: the gap sum_j log C_jj - log det C >= 0 (Hadamard) is zero only for a diagonal C. The
# collapsed embedding is "white" but at the scale 1e-5: almost no information. VICReg with nu = 1 keeps
# every coordinate at unit spread but they repeat the 2-d state: a large gap (about 15 over seeds 0-5).
# InfoNCE lies between (gap 2-4). Raise nu in `ssl.vicreg_loss` to whiten further.
for kind, (z, _) in emb.items():
    C = np.cov(z, rowvar=False) + 1e-6 * np.eye(8)
    per_coord, joint = 0.5 * np.sum(np.log(np.diag(C))), 0.5 * np.linalg.slogdet(C)[1]
    print(f"{kind:>10}: joint <= sum over coordinates is {joint <= per_coord + 1e-9}; "
          f"gap > 8 is {per_coord - joint > 8}; joint > -30 is {joint > -30}")

# %% [markdown]
# **Exercise 2. Zero temperature.** Show with `ssl.free_energy` that $F(y)\to\min_z E(y,z)$ (eq. 6.2) as
# $\beta\to\infty$ and that $F(y)\to \sum_z p(z)E(y,z)$ as $\beta\to0$.

# %% tags=["solution"]
# Solution 2: Laplace for large beta; a first-order expansion of log E_p[exp(-beta E)] for small beta.
for b in [0.01, 1.0, 100.0]:
    print(f"beta = {b:6.2f}: F = {ssl.free_energy(E_yz[0], b, prior):.3f}")
print(f"min_z E = {E_yz[0].min():.3f}, prior mean of E = {prior @ E_yz[0]:.3f}")

# %% [markdown]
# **Exercise 3 (on paper). Why predict in embedding space?** A generative world model predicts the next
# observation $x_{t+1}$. What is its smallest possible squared error on the 8 distractor pixels of
# section 4, and what does the JEPA loss pay for them? What stops the JEPA encoder from using them?

# %% [markdown]
# ## References
# - Y. LeCun, *A path towards autonomous machine intelligence*, OpenReview (2022).
# - Y. LeCun, S. Chopra, R. Hadsell, M. Ranzato, F. J. Huang, *A tutorial on energy-based learning* (2006).
# - A. Bardes, J. Ponce, Y. LeCun, *VICReg: variance-invariance-covariance regularization for
#   self-supervised learning*, ICLR (2022), arXiv:2105.04906.
# - T. Chen, S. Kornblith, M. Norouzi, G. Hinton, *A simple framework for contrastive learning of visual
#   representations (SimCLR)*, ICML (2020), arXiv:2002.05709.
# - A. van den Oord, Y. Li, O. Vinyals, *Representation learning with contrastive predictive coding*,
#   arXiv:1807.03748 (2018).
# - M. Assran et al., *Self-supervised learning from images with a joint-embedding predictive
#   architecture (I-JEPA)*, CVPR (2023), arXiv:2301.08243.
# - Y. Song, D. P. Kingma, *How to train your energy-based models*, arXiv:2101.03288 (2021).
