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
# # 04 · Geometric deep learning: symmetries built into networks
#
# Physics is full of symmetries: the energy of a molecule does not change when we rotate it,
# translate it or relabel its identical atoms; the equations of motion of an isotropic
# oscillator rotate with the coordinates. A network that has to *learn* these facts from
# data wastes samples and generalises badly outside the poses it has seen. Geometric deep
# learning builds them in: layers that are **equivariant** (outputs transform along with
# the inputs) followed by an **invariant** read-out. This lecture checks numerically which
# layers are exactly equivariant (to machine precision), where the symmetry breaks
# (borders, strides, sub-pixel shifts), and trains an invariant point-cloud model against an
# ordinary MLP.
#
# **Learning goals**
# - state invariance $f(\rho(g)x) = f(x)$ and equivariance $f(\rho_X(g)x) = \rho_Y(g)f(x)$ and test them numerically;
# - show that convolution commutes with translations exactly on a periodic grid, and see how
#   zero padding, strides and non-linearities with sub-pixel shifts break it;
# - build translation-invariant features by global pooling;
# - write message passing on a graph and verify permutation equivariance; see a CNN as a GNN;
# - train a rotation-, translation- and permutation-invariant model of point clouds and compare
#   it with an MLP on raw coordinates.
#
# *Source:* recitation notes, section 7 (Geometric deep learning), eqs. (7.1)-(7.24),
# C. Miyamoto, *Machine Learning for Physicists: Recitation Notes*.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

import course_utils as cu
from course_utils import equivariance as eq

rng = cu.setup(seed=0)
torch.set_default_dtype(torch.float64)  # sections 1-3 test symmetries to round-off: use float64

# %% [markdown]
# ## 1. Convolutions commute with translations
#
# A grayscale image is a scalar field $\varphi$ on the grid. Translation by $s$ acts as
# $[T_s\varphi](u) = \varphi(u - s)$, and a convolutional layer (eq. 7.12; PyTorch computes the
# cross-correlation, which is the same up to flipping $k$) is
#
# $$\mathrm{Conv}[\varphi](u) = \sum_{a} k(a)\,\varphi(u + a) .$$
#
# Substituting, $\mathrm{Conv}[T_s\varphi](u) = \sum_a k(a)\varphi(u + a - s) = [T_s\mathrm{Conv}[\varphi]](u)$:
# **convolution is translation equivariant**, for every kernel, *provided* $\varphi(u+a-s)$ is
# defined for every $u$, i.e. on an infinite or periodic grid. On a finite image we must pad:
# circular padding makes the grid a torus and the identity exact; zero padding does not.

# %%
H_img = 32  # 64 for class
noise = torch.randn(1, 1, H_img, H_img)
blur = torch.exp(-torch.arange(-3.0, 4.0) ** 2 / 4)
blur = (blur[:, None] * blur[None, :])[None, None]
phi = eq.conv2d(noise, blur / blur.sum())  # a smooth random image
kernel = torch.randn(4, 1, 5, 5)  # 4 output channels, 5x5 kernel
shift = (3, -5)


def T(z, s=shift):
    return eq.translate(z, s)


errors = {pad: eq.equivariance_error(lambda z, p=pad: eq.conv2d(z, kernel, p), phi, T, T)
          for pad in ("circular", "zeros")}
print("circular padding: Conv(T phi) = T Conv(phi) to round-off (1e-12):", errors["circular"] < 1e-12)
print(f"zero padding: relative equivariance error {errors['zeros']:.2f}")

# %% [markdown]
# Where does zero padding fail? Map $|\mathrm{Conv}[T_s\varphi] - T_s\mathrm{Conv}[\varphi]|$: the error lives in
# bands as wide as the shift plus the kernel radius along the edges (here drawn on the periodic
# picture, where $T_s$ wraps the image around); the interior is still exact.

# %%
def plot_border_error(shift_x=3, shift_y=-5, kernel_size=5):
    k = torch.randn(4, 1, kernel_size, kernel_size, generator=cu.torch_generator(1))
    s = (shift_y, shift_x)
    fig, axes = plt.subplots(1, 3, figsize=(10.5, 3.4))
    axes[0].imshow(phi[0, 0], cmap="gray")
    axes[0].set_title(r"input $\varphi$")
    for ax, pad in zip(axes[1:], ("zeros", "circular")):
        err = (eq.conv2d(T(phi, s), k, pad) - T(eq.conv2d(phi, k, pad), s)).abs().sum(dim=1)[0]
        im = ax.imshow(err, cmap="magma", vmin=0)
        ax.set_title(f"{pad} padding")
        fig.colorbar(im, ax=ax, shrink=0.8)
    fig.suptitle(r"$|\mathrm{Conv}[T_s\varphi] - T_s\mathrm{Conv}[\varphi]|$, summed over the 4 output channels")
    for ax in axes:
        cu.plotting.label(ax, "pixel $u_2$", "pixel $u_1$")
    plt.show()


plot_border_error()

# %%
# NBVAL_IGNORE_OUTPUT
cu.plotting.live(plot_border_error, shift_x=(-10, 10, 1), shift_y=(-10, 10, 1), kernel_size=[3, 5, 7, 9])

# %% [markdown]
# ## 2. What breaks equivariance: strides, pooling, sub-pixel shifts
#
# **Stride and local pooling** (eqs. 7.13-7.14) keep one output pixel per $P\times P$ patch. A shift
# by a multiple of $P$ shifts the output by $s/P$ pixels exactly; any other shift changes which
# pixels are grouped together, and the output is not a translate of the old one.
#
# **Sub-pixel shifts.** Shift by a fraction $f$ of a pixel with bilinear interpolation,
# $T_f\varphi = (1-f)\,\varphi + f\,T_1\varphi$. This is itself a (circular) convolution, so it
# commutes with every convolution: a convolution alone stays exactly equivariant. But a
# point-wise non-linearity does not commute with interpolation, $\mathrm{ReLU}((1-f)a + fb) \neq
# (1-f)\mathrm{ReLU}(a) + f\,\mathrm{ReLU}(b)$ when $a, b$ have opposite signs, so
# $\sigma\circ\mathrm{Conv}$ is equivariant only at integer $f$.
#
# This disagrees with the notes, whose Problem 3 (section 7) asks why convolution is *not*
# equivariant under sub-pixel translations. With bilinear interpolation on a periodic grid it
# is, exactly, for the reason just given: the interpolated shift is a convolution with the
# two-tap kernel $(1-f, f)$, and convolutions commute. (The same holds for any interpolation
# that is a fixed linear filter, such as the band-limited sinc shift.) What is lost under
# sub-pixel shifts is the equivariance of the *network*: point-wise non-linearities, strides and
# pooling, and on a finite grid the borders. The check below measures each.

# %%
conv = lambda z: eq.conv2d(z, kernel)  # circular padding from here on
conv_relu = lambda z: torch.relu(conv(z))
conv_relu_pool = lambda z: torch.nn.functional.max_pool2d(conv_relu(z), 2)

fractions = np.linspace(0, 2, 17)
sub_err = {"Conv": [], "ReLU o Conv": []}
for f in fractions:
    Tf = lambda z, f=f: eq.translate(z, (0, f))
    sub_err["Conv"].append(eq.equivariance_error(conv, phi, Tf, Tf))
    sub_err["ReLU o Conv"].append(eq.equivariance_error(conv_relu, phi, Tf, Tf))
int_shifts = np.arange(0, 9)
pool_err = [eq.equivariance_error(conv_relu_pool, phi, lambda z, s=s: eq.translate(z, (0, s)),
                                  lambda z, s=s: eq.translate(z, (0, s / 2))) for s in int_shifts]

fig, axes = plt.subplots(1, 2, figsize=(10.5, 3.6))
for name, e in sub_err.items():
    axes[0].plot(fractions, np.maximum(e, 1e-17), "o-", ms=4, label=name)
axes[0].set_yscale("log")
cu.plotting.label(axes[0], "shift $s$ (pixels, bilinear)", "relative equivariance error", "sub-pixel shifts")
axes[1].plot(int_shifts, np.maximum(pool_err, 1e-17), "s-", color="C2", label="MaxPool$_2$ o ReLU o Conv")
axes[1].set_yscale("log")
cu.plotting.label(axes[1], "shift $s$ (integer pixels)", r"error vs output shifted by $s/2$", "2x2 max pooling")
for ax in axes:
    ax.legend()
plt.show()

# %%
# Check: equivariance is exact (float64 round-off, < 1e-12) for Conv at every sub-pixel shift, for
# ReLU o Conv at integer shifts, and for MaxPool_2 o ReLU o Conv at even shifts; it fails by more
# than 1% (far above round-off) at half-integer and odd shifts respectively.
sub = {k: np.array(v) for k, v in sub_err.items()}
integer = np.isclose(fractions % 1, 0)
pool_err = np.array(pool_err)
print("Conv exact at all 17 shifts        :", bool(np.all(sub["Conv"] < 1e-12)))
print("ReLU o Conv exact at integer shifts:", bool(np.all(sub["ReLU o Conv"][integer] < 1e-12)),
      f"  error at s = 0.5: {sub['ReLU o Conv'][4]:.3f}")
print("MaxPool exact at even shifts       :", bool(np.all(pool_err[::2] < 1e-12)),
      f"  smallest error at odd shifts: {pool_err[1::2].min():.3f}")
assert np.all(sub["Conv"] < 1e-12) and np.all(sub["ReLU o Conv"][integer] < 1e-12)
assert np.all(sub["ReLU o Conv"][~integer] > 1e-2)
assert np.all(pool_err[::2] < 1e-12) and np.all(pool_err[1::2] > 1e-2)

# %% [markdown]
# ## 3. Invariance from global pooling
#
# Averaging an equivariant feature map over the whole grid (eq. 7.16),
# $\mathrm{GAP}[h]_c = \frac{1}{HW}\sum_{ij}h_c(i,j)$, forgets *where* a pattern is and keeps *how much*
# of it there is: $\mathrm{GAP}\circ T_s = \mathrm{GAP}$. The standard CNN is therefore
# $[\mathrm{Conv}\to\sigma\to\mathrm{Pool}]^L \to \mathrm{GAP}\to\mathrm{MLP}$, invariant exactly as far as its
# equivariant trunk is equivariant.

# %%
kernel2 = torch.randn(4, 4, 3, 3)
trunk = {
    "GAP o ReLU o Conv o ReLU o Conv (circular)": lambda z: eq.global_avg_pool(torch.relu(eq.conv2d(conv_relu(z), kernel2))),
    "same with zero padding": lambda z: eq.global_avg_pool(
        torch.relu(eq.conv2d(torch.relu(eq.conv2d(z, kernel, "zeros")), kernel2, "zeros"))),
    "GAP o MaxPool_2 o ReLU o Conv": lambda z: eq.global_avg_pool(conv_relu_pool(z)),
}
inv_err = {}
for name, f in trunk.items():
    inv_err[name] = [eq.equivariance_error(f, phi, lambda z, s=s: eq.translate(z, s)) for s in ((0, 1), (2, 4), (5, -7))]
    print(f"{name:44s}: invariance error for shifts (0,1), (2,4), (5,-7):",
          ["< 1e-12" if e < 1e-12 else f"{e:.3f}" for e in inv_err[name]])

# %%
# Check: the circular CNN is exactly invariant (round-off); zero padding spoils it through the border
# pixels; the max-pooled trunk is invariant for the even shift (2, 4) only.
assert max(inv_err["GAP o ReLU o Conv o ReLU o Conv (circular)"]) < 1e-12
assert min(inv_err["same with zero padding"]) > 1e-3
pooled = inv_err["GAP o MaxPool_2 o ReLU o Conv"]
assert pooled[1] < 1e-12 and pooled[0] > 1e-3 and pooled[2] > 1e-3

# %% [markdown]
# ## 4. Message passing on graphs
#
# On a graph the symmetry is relabelling the nodes, $x\mapsto Px$, $A\mapsto PAP^T$ for a
# permutation matrix $P$. The message-passing ansatz (eq. 7.19) aggregates messages from the
# neighbours $\mathcal N_u$ with a permutation-invariant sum; the simple GNN and the graph
# convolution of the notes are
#
# $$h_u = \sigma\Big(W_0x_u + \sum_{v\in\mathcal N_u}W_1x_v\Big)\ \text{(7.20)},\qquad
#   h_u = \sigma\Big(W\sum_{v\in\mathcal N_u\cup\{u\}}\frac{x_v}{\sqrt{(|\mathcal N_u|+1)(|\mathcal N_v|+1)}}\Big)\ \text{(7.21)}.$$
#
# In matrix form $h = \sigma(xW_0^T + AxW_1^T)$, and since $(PAP^T)(Px) = P(Ax)$ each layer is
# permutation equivariant; a sum over nodes at the end makes the read-out invariant.

# %%
N_nodes, F_in = 10, 3
A_upper = np.triu(rng.random((N_nodes, N_nodes)) < 0.3, 1).astype(float)
adj = torch.tensor(A_upper + A_upper.T)
x_nodes = torch.tensor(rng.standard_normal((N_nodes, F_in)))
W0, W1, W2 = (torch.tensor(rng.standard_normal((8, n))) for n in (3, 3, 8))


def gnn(x, A):
    """Two message-passing layers (7.20 then 7.21) and a sum read-out: node features, graph feature."""
    h = eq.gcn_layer(eq.message_passing(x, A, W0, W1), A, W2, "tanh")
    return h, h.sum(dim=-2)


mlp_weights = torch.tensor(rng.standard_normal((8, N_nodes * F_in))) / np.sqrt(N_nodes * F_in)
perm = rng.permutation(N_nodes)
x_p, adj_p = eq.permute_graph(x_nodes, adj, perm)
h, readout = gnn(x_nodes, adj)
h_p, readout_p = gnn(x_p, adj_p)
mlp_out, mlp_out_p = torch.tanh(mlp_weights @ x_nodes.flatten()), torch.tanh(mlp_weights @ x_p.flatten())
gnn_equi = float((h_p - h[perm]).abs().max())
gnn_inv = float((readout_p - readout).abs().max())
mlp_change = float((mlp_out_p - mlp_out).abs().max() / mlp_out.abs().max())

# %%
# Check: node features permute with the nodes and the read-out is unchanged, to float64 round-off
# (< 1e-12); an MLP on the flattened node list changes by O(1) when the nodes are relabelled.
print("GNN node features equivariant:", gnn_equi < 1e-12, "  read-out invariant:", gnn_inv < 1e-12)
print(f"MLP on the flattened node list: relative change {mlp_change:.2f}")
assert gnn_equi < 1e-12 and gnn_inv < 1e-12 and mlp_change > 0.1

# %% [markdown]
# **A CNN is a GNN on a grid** (eq. 7.22): on a ring of $n$ nodes with neighbours $u\pm1$, letting the
# weight depend on the *relative position* of the neighbour, $h_u = w_{-1}x_{u-1} + w_0x_u + w_1x_{u+1}$,
# is a circular convolution with a 3-tap kernel. In matrix form $h = (w_{-1}S + w_0\mathbb{I} + w_1S^T)x$,
# with $S$ the cyclic shift: the two directed halves of the ring's adjacency matrix.

# %%
n_ring = 12
S = torch.roll(torch.eye(n_ring), 1, dims=0)  # (S x)_u = x_{u-1}
w_taps = torch.tensor([0.3, -1.0, 2.0])  # w_{-1}, w_0, w_1
x_ring = torch.tensor(rng.standard_normal(n_ring))
h_graph = (w_taps[0] * S + w_taps[1] * torch.eye(n_ring) + w_taps[2] * S.T) @ x_ring
k_ring = torch.zeros(1, 1, 3, 3)
k_ring[0, 0, 1] = w_taps  # cross-correlation: tap a multiplies x_{u + a - 1}
h_conv = eq.conv2d(x_ring[None, None, None, :], k_ring)[0, 0, 0]
print("message passing on the ring = circular convolution (to 1e-12):", float((h_graph - h_conv).abs().max()) < 1e-12)
assert float((h_graph - h_conv).abs().max()) < 1e-12

# %% [markdown]
# ## 5. An invariant model for point clouds
#
# A cluster of $N$ identical particles at positions $r_i\in\mathbb{R}^2$ has an energy that is invariant
# under rotations, reflections and translations (the Euclidean group $E(2)$) and under permutations of
# the particles. Take a pair potential, $E(r) = \sum_{i<j} V(|r_i - r_j|)$ with $V(d) = e^{-d^2}$, and
# learn it from 1024 random clusters of $N = 6$ particles in the square $[0,2]^2$.
#
# - **MLP:** the 12 raw coordinates into a two-hidden-layer network. It must learn every symmetry from data.
# - **Invariant model:** $f(r) = \rho\big(\sum_{i<j} e(d_{ij})\big)$, where $e(d)_k = \exp(-(d-\mu_k)^2/2w^2)$ is a smooth
#   histogram of the pair distances $d_{ij}$ and $\rho$ an MLP. Distances are $E(2)$ invariant, and the
#   sum over pairs is permutation invariant, so $f$ is invariant *by construction*, whatever its weights.
#
# Both are tested on fresh clusters: as drawn, rotated about their centroid by a random angle,
# translated by $(3,-2)$, and with the particles relabelled. Rotating about the centroid keeps a
# cluster near the square it was drawn in (about 14 % of the rotated points leave it, 90 % of those
# by less than $0.4$ and none by more than $0.76$), so that set tests the symmetry; the translated
# set is far outside the training square and tests extrapolation. (Rotating about the origin
# instead would move most points out of the square, 79 % of them, and mix the two questions: the
# MLP's error there is about 60 times $\mathrm{Var}\,E$.)

# %%
# NBVAL_TOLERANCE rtol=1
# (errors of trained networks: another CPU kernel moved them by up to a factor 1.7, e.g. 5e-04 -> 3e-04;
# only their order of magnitude is compared)
torch.set_default_dtype(torch.float32)  # training in float32
n_train, n_test, N_part = 1024, 512, 6  # n_train = 4096 for class


def clusters(n, seed):
    pts = cu.make_rng(seed).uniform(0, 2, (n, N_part, 2))
    d = eq.pairwise_distances(pts)
    i, j = np.triu_indices(N_part, 1)
    energy = np.exp(-d[:, i, j] ** 2).sum(axis=1)
    return torch.tensor(pts, dtype=torch.float32), torch.tensor(energy, dtype=torch.float32)


r_train, E_train = clusters(n_train, 1)
r_test, E_test = clusters(n_test, 2)
E_mean, E_std = E_train.mean(), E_train.std()

rot = torch.tensor(eq.random_rotation(2, rng=3, size=(n_test,)), dtype=torch.float32)
test_sets = {
    "as drawn": r_test,
    "rotated": (r_test - r_test.mean(1, keepdim=True)) @ rot.transpose(1, 2) + r_test.mean(1, keepdim=True),
    "translated": r_test + torch.tensor([3.0, -2.0]),
    "relabelled": r_test[:, torch.randperm(N_part, generator=cu.torch_generator(4))],
}


def fit(model, inputs, steps=500, lr=3e-3):
    """Full-batch Adam on the mean squared error of the standardised energy."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    target = (E_train - E_mean) / E_std
    for _ in range(steps):
        loss = ((model(inputs) - target) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return float(loss.detach())


class Squeeze(torch.nn.Module):
    """Wrap a network with output (B, 1) into one with output (B,)."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, r):
        return self.net(r)[:, 0]


def make_coordinate_mlp():
    return Squeeze(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(2 * N_part, 64), torch.nn.Tanh(),
                                       torch.nn.Linear(64, 64), torch.nn.Tanh(), torch.nn.Linear(64, 1)))


cu.manual_seed(0)
invariant_model = eq.DistanceHistogramModel(n_centers=16, r_max=3.0, hidden=32)
mlp_model = make_coordinate_mlp()
train_loss = {"invariant": fit(invariant_model, r_train), "MLP": fit(mlp_model, r_train)}
test_mse = {}
with torch.no_grad():
    for name, model in (("invariant", invariant_model), ("MLP", mlp_model)):
        preds = {k: model(r) * E_std + E_mean for k, r in test_sets.items()}
        test_mse[name] = {k: float(((p - E_test) ** 2).mean() / E_test.var()) for k, p in preds.items()}
        if name == "invariant":
            inv_preds = preds
# The errors of trained networks are chaotic in their last digits (another CPU kernel or seed moves
# an MLP's out-of-distribution error by tens of percent), so they are printed to one significant digit.
print("relative test MSE (MSE / Var E), to one significant digit:")
for name, row in test_mse.items():
    print(f"  {name:9s} (train {train_loss[name]:.0e}):", {k: f"{v:.0e}" for k, v in row.items()})

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
with torch.no_grad():
    for ax, (name, model) in zip(axes, (("invariant model", invariant_model), ("MLP", mlp_model))):
        for k, r in test_sets.items():
            ax.plot(E_test[:200], (model(r) * E_std + E_mean)[:200], ".", ms=3, label=k)
        lim = [float(E_test.min()), float(E_test.max())]
        ax.plot(lim, lim, "k-", lw=0.8)
        cu.plotting.label(ax, "true energy $E$", "predicted energy", name)
axes[1].legend(markerscale=3)
plt.show()

# %%
# Check: the invariant model gives the same prediction for a cluster and its rotated, translated and
# relabelled copies, up to float32 round-off (relative 1e-5, far below the fit error); so its test
# error is the same on all four sets. The symmetry test proper is the change of a model's prediction
# when the cluster is rotated about its centroid, mean square over Var E: float32 round-off for the
# invariant model (measured 4e-14 for COURSE_UTILS_SEED = 0, 1, 2), 0.087-0.10 for the MLP, as large
# as its fit error. The MLP's *test error* on these rotated clusters is no worse than as drawn
# (ratio 0.98-1.09 over the same seeds; they stay near the training square): error alone would
# not reveal the broken symmetry. On translated clusters, far outside [0,2]^2, it fails (> 10 x).
spread = max(float((inv_preds[k] - inv_preds["as drawn"]).abs().max()) for k in test_sets) / float(E_test.abs().max())
with torch.no_grad():
    rot_change = {name: float(((model(test_sets["rotated"]) - model(r_test)) ** 2).mean() * E_std**2 / E_test.var())
                  for name, model in (("invariant", invariant_model), ("MLP", mlp_model))}
mlp_row = test_mse["MLP"]
print("invariant model: identical predictions on all four test sets (rel. 1e-5):", spread < 1e-5)
print("prediction change under rotation / Var E:  invariant < 1e-10:", rot_change["invariant"] < 1e-10,
      "  MLP > 0.01:", rot_change["MLP"] > 0.01)
print("MLP error on rotated clusters < 2 x as drawn:", mlp_row["rotated"] < 2 * mlp_row["as drawn"],
      "  on translated clusters > 10 x as drawn:", mlp_row["translated"] > 10 * mlp_row["as drawn"])
assert spread < 1e-5 and rot_change["invariant"] < 1e-10
assert test_mse["invariant"]["as drawn"] < 0.05
assert rot_change["MLP"] > 0.01 and mlp_row["rotated"] < 2 * mlp_row["as drawn"]
assert mlp_row["translated"] > 10 * mlp_row["as drawn"]

# %% [markdown]
# The MLP fits the training clusters only roughly in 500 steps, and it has learned a function of *coordinates*, not of
# the *shape*: rotating a cluster about its centroid changes its prediction by as much as its fit
# error, and a translated cluster is, to it, a new input far from anything it saw.
# It is nearly correct on relabelled clusters only because the training data were themselves
# symmetric under relabelling (particles drawn independently), so it learned that symmetry
# approximately, from data, and only on the training domain. The invariant model cannot even
# represent a non-invariant function.

# %% [markdown]
# ## Exercises
#
# Each exercise is followed by its solution, folded on the book site and left out of the student edition.

# %% [markdown]
# **Exercise 1. Data augmentation.** Retrain the MLP on randomly rotated and translated copies of the training
# clusters. How close does it get to the invariant model on the rotated test set?

# %% tags=["solution"]
# Solution 1: augment each training cluster with a random rotation about its centroid plus a random shift.
# With the same network and 500 steps the augmented MLP no longer fails far away, but it fits worse
# everywhere (it now has to cover a much larger domain): still far from the invariant model.
# NBVAL_TOLERANCE rtol=1
# (errors of trained networks: only their order of magnitude is stable across CPU kernels)
g_aug = cu.make_rng(5)
aug_rot = torch.tensor(eq.random_rotation(2, rng=g_aug, size=(n_train,)), dtype=torch.float32)
aug_shift = torch.tensor(g_aug.uniform(-4, 4, (n_train, 1, 2)), dtype=torch.float32)
centroid = r_train.mean(1, keepdim=True)
r_aug = (r_train - centroid) @ aug_rot.transpose(1, 2) + centroid + aug_shift
cu.manual_seed(0)
mlp_aug = make_coordinate_mlp()
fit(mlp_aug, r_aug)
with torch.no_grad():
    aug_err = {k: float(((mlp_aug(test_sets[k]) * E_std + E_mean - E_test) ** 2).mean() / E_test.var())
               for k in ("rotated", "translated")}
for k, e in aug_err.items():
    print(f"{k} clusters, relative MSE: augmented MLP {e:.0e}, plain MLP {mlp_row[k]:.0e}, "
          f"invariant model {test_mse['invariant'][k]:.0e}")

# %% [markdown]
# **Exercise 2. Equivariant pooling.** Replace the 2x2 max pooling of section 2 by a *blur then subsample*
# (average over the 2x2 patch after a circular 3x3 box blur) and measure the error for odd shifts.
# Is it exact? Why is it smaller? (Zhang, 2019.)

# %% tags=["solution"]
# Solution 2: blur-then-subsample is exactly shift-equivariant only for even shifts too, but the blur
# low-passes the signal, so an odd shift changes the output much less (anti-aliasing).
torch.set_default_dtype(torch.float64)
box = torch.ones(4, 1, 3, 3) / 9


def blur_pool(z):
    return torch.nn.functional.avg_pool2d(torch.nn.functional.conv2d(
        torch.nn.functional.pad(z, (1, 1, 1, 1), mode="circular"), box, groups=4), 2)


blur_err = [eq.equivariance_error(lambda z: blur_pool(conv_relu(z)), phi, lambda z, s=s: eq.translate(z, (0, s)),
                                  lambda z, s=s: eq.translate(z, (0, s / 2))) for s in (1, 3)]
print("odd shifts, max pool:", np.round(pool_err[[1, 3]], 3), "  blur pool:", np.round(blur_err, 3))

# %% [markdown]
# **Exercise 3. Not every symmetry is free.** The histogram model is invariant under reflections too. Build a
# 3-point function (a "chirality" such as the sign of $(r_2-r_1)\times(r_3-r_1)$) that it cannot learn.

# %% tags=["solution"]
# Solution 3: a mirror image has the same distances, so f(r) = f(mirror r) for every weight setting,
# while the chirality flips sign: no distance-based model can fit it beyond a constant.
tri = torch.tensor([[[0.0, 0.0], [1.0, 0.0], [0.3, 0.8]]])
mirror = tri * torch.tensor([1.0, -1.0])
chirality = lambda r: torch.sign((r[:, 1, 0] - r[:, 0, 0]) * (r[:, 2, 1] - r[:, 0, 1])
                                 - (r[:, 1, 1] - r[:, 0, 1]) * (r[:, 2, 0] - r[:, 0, 0]))
print("chirality:", chirality(tri).item(), "->", chirality(mirror).item(),
      "  invariant model equal on both:", bool(torch.allclose(invariant_model.double()(tri), invariant_model(mirror))))

# %% [markdown]
# ## References
# - M. M. Bronstein, J. Bruna, T. Cohen, P. Veličković, *Geometric deep learning: grids, groups,
#   graphs, geodesics, and gauges*, arXiv:2104.13478 (2021).
# - T. N. Kipf, M. Welling, *Semi-supervised classification with graph convolutional networks*, ICLR (2017).
# - R. Zhang, *Making convolutional networks shift-invariant again*, ICML (2019) (blur pooling).
# - M. Zaheer et al., *Deep sets*, NeurIPS (2017); K. T. Schütt et al., *SchNet*, NeurIPS (2017)
#   (distance-based invariant models of molecules).
