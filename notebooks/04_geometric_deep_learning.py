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
# ordinary MLP. Along the way it solves for the equivariant linear maps, measures why residual
# connections keep gradients alive, reads attention as message passing, and derives equivariant
# forces from an invariant energy.
#
# **Learning goals**
# - state invariance $f(\rho(g)x) = f(x)$ and equivariance $f(\rho_X(g)x) = \rho_Y(g)f(x)$ and test them numerically,
#   first on the isotropic oscillator (invariant action, equivariant equations of motion);
# - show that convolution commutes with translations exactly on a periodic grid, and see how
#   zero padding, strides and non-linearities with sub-pixel shifts break it;
# - build translation-invariant features by global pooling;
# - explain residual connections by equivariance (the identity commutes with every group action) and
#   measure the gradient norm through deep stacks with and without skips against $\chi^{2L}$ and $(1+\chi^2)^L$;
# - write message passing on a graph and verify permutation equivariance; see a CNN as a GNN;
# - read self-attention as message passing (eq. 7.23), check it is permutation equivariant, and see
#   positional encodings break that;
# - solve the commutation constraint $LP = PL$ numerically: the DeepSets maps $a\mathbb{I} + b\mathbf 1\mathbf 1^T$;
# - train a rotation-, translation- and permutation-invariant model of point clouds and compare
#   it with an MLP on raw coordinates;
# - get a vector-valued equivariant output, forces $F = -\nabla E$ that rotate with the input (eq. 7.24).
#
# *Source:* recitation notes, section 7 (Geometric deep learning), eqs. (7.1)-(7.24) and Problems 3-5,
# with section 6.4.1 (residual connections), C. Miyamoto, *Machine Learning for Physicists: Recitation Notes*.

# %%
import copy
from itertools import permutations

import matplotlib.pyplot as plt
import numpy as np
import torch

import course_utils as cu
from course_utils import equivariance as eq

rng = cu.setup(seed=0)
torch.set_default_dtype(torch.float64)  # sections 1-8 test symmetries to round-off: use float64

# %% [markdown]
# ## 1. Invariance and equivariance in one system: the isotropic oscillator
#
# The recitation notes (Miyamoto), section 7.1, introduce both notions on a particle of mass $m$ in the
# plane, bound by a spring of stiffness $k$. Its action (eq. 7.4) is
#
# $$S[q] = \int dt\,\Big(\frac{m}{2}(\dot x^2 + \dot y^2) - \frac{k}{2}(x^2 + y^2)\Big),\qquad q = (x, y, \dot x, \dot y),$$
#
# and a rotation by $\phi$ acts on the state by the block-diagonal $\rho(g) = \mathrm{diag}(R_\phi, R_\phi)$
# (eq. 7.5): positions and velocities turn together. Both squares are lengths, so
# $S[\rho(g)q] = S[q]$ (eq. 7.6): the action is **invariant**. The equation of motion
# $m\ddot{\mathbf r} = -k\mathbf r$ (eq. 7.7, the Euler-Lagrange equation of 7.4) defines the map
# $F:\mathbf r\mapsto\ddot{\mathbf r} = -\frac{k}{m}\mathbf r$ (eq. 7.8), and $F(R_\phi\mathbf r) = R_\phi F(\mathbf r)$:
# the acceleration is a vector, it is **equivariant**. So a rotated initial state evolves into the
# rotated trajectory. We integrate with velocity Verlet, a map built from $F$ and linear updates, so it
# inherits the symmetry exactly, and compare with an anisotropic spring $k_x\neq k_y$, which has none.

# %%
m_osc, dt_osc, n_steps = 1.0, 0.01, 400  # t in [0, 4]: 1.3 periods of the isotropic oscillator, omega = 2


def accel(r, k):
    """F(r) = -(k/m) r of eq. (7.8), k = (k_x, k_y): isotropic when k_x = k_y."""
    return -np.asarray(k) / m_osc * r


def trajectory(q0, k):
    """Velocity-Verlet trajectory q(t) = (x, y, x', y') of m r'' = -k r (eq. 7.7): shape (n_steps + 1, 4)."""
    r, v = np.array(q0[:2], float), np.array(q0[2:], float)
    out = [np.r_[r, v]]
    for _ in range(n_steps):
        v_half = v + 0.5 * dt_osc * accel(r, k)
        r = r + dt_osc * v_half
        v = v_half + 0.5 * dt_osc * accel(r, k)
        out.append(np.r_[r, v])
    return np.array(out)


def action(q, k):
    """S[q] = int dt (m/2 |r'|^2 - 1/2 (k_x x^2 + k_y y^2)) (eq. 7.4), trapezoidal rule."""
    lagrangian = 0.5 * m_osc * (q[:, 2:] ** 2).sum(1) - 0.5 * (np.asarray(k) * q[:, :2] ** 2).sum(1)
    return dt_osc * (lagrangian.sum() - 0.5 * (lagrangian[0] + lagrangian[-1]))


phi_rot = 1.0  # rotation angle (rad)
R_phi = np.array([[np.cos(phi_rot), -np.sin(phi_rot)], [np.sin(phi_rot), np.cos(phi_rot)]])
rho = np.kron(np.eye(2), R_phi)  # eq. (7.5): diag(R, R) on (x, y, x', y')
q0 = np.array([1.0, 0.2, 0.3, 1.5])
springs = {"isotropic k = (4, 4)": (4.0, 4.0), "anisotropic k = (4, 1)": (4.0, 1.0)}
osc = {}
for name, k in springs.items():
    q = trajectory(q0, k)
    q_rot0 = trajectory(rho @ q0, k)  # evolve the rotated initial state
    osc[name] = dict(q=q, q_rot0=q_rot0,
                     S=action(q, k), S_rot=action(q @ rho.T, k),  # S[q] and S[rho q]
                     eom_err=np.abs(q_rot0 - q @ rho.T).max() / np.abs(q).max())  # q_{rho q0}(t) vs rho q(t)

fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharex=True, sharey=True)
for ax, (name, o) in zip(axes, osc.items()):
    ax.plot(o["q"][:, 0], o["q"][:, 1], color="0.6", label=r"$\mathbf{r}(t)$")
    ax.plot(*(o["q"][:, :2] @ R_phi.T).T, "C0", lw=3, alpha=0.5, label=r"rotated afterwards, $R_\phi\mathbf{r}(t)$")
    ax.plot(o["q_rot0"][:, 0], o["q_rot0"][:, 1], "C1--", label=r"evolved from $\rho(g)q_0$")
    ax.set_aspect("equal")
    cu.plotting.label(ax, "$x$", "$y$", name)
axes[0].legend(loc="lower left", fontsize=8)
plt.show()

# %%
# Check: for the isotropic spring the action is invariant, S[rho q] = S[q], and the dynamics equivariant,
# q_{rho q0}(t) = rho q(t), to float64 round-off (1e-12, relative to the action's kinetic part and to the
# orbit size). Both fail for the anisotropic spring (measured: S goes from 0.222 to -3.852, the trajectories
# differ by 1.28 orbit sizes). The plausible wrong statement "the trajectory is invariant",
# q_{rho q0}(t) = q(t), fails even for the isotropic spring: measured relative error 0.93 (of order
# 2 sin(phi/2) = 0.96 for phi = 1).
iso, aniso = osc["isotropic k = (4, 4)"], osc["anisotropic k = (4, 1)"]
kinetic = dt_osc * 0.5 * m_osc * (iso["q"][:, 2:] ** 2).sum()  # scale of the action
invariant_traj_err = np.abs(iso["q_rot0"] - iso["q"]).max() / np.abs(iso["q"]).max()
print("isotropic:   S[rho q] = S[q] (1e-12):", abs(iso["S_rot"] - iso["S"]) < 1e-12 * kinetic,
      f"(S = {iso['S']:.3f})", "  trajectory equivariant (1e-12):", iso["eom_err"] < 1e-12)
print(f"anisotropic: S[q] = {aniso['S']:.3f}, S[rho q] = {aniso['S_rot']:.3f};"
      f" equivariance error {aniso['eom_err']:.2f}")
print(f"'trajectory invariant' (wrong): relative error {invariant_traj_err:.2f}")
assert abs(iso["S_rot"] - iso["S"]) < 1e-12 * kinetic and iso["eom_err"] < 1e-12
assert abs(aniso["S_rot"] - aniso["S"]) > 1e-2 * kinetic and aniso["eom_err"] > 1e-2 and invariant_traj_err > 1e-2

# %% [markdown]
# ## 2. Convolutions commute with translations
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
# ## 3. What breaks equivariance: strides, pooling, sub-pixel shifts
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
# ## 4. Invariance from global pooling
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
# ## 5. Residual connections: equivariance kept, gradients kept
#
# Problem 5 of the recitation notes (Miyamoto), section 7.2.1, asks why the ResNet block
#
# $$h[\varphi] = \mathrm{MaxPool}\circ(\mathrm{Id} + \sigma\circ\mathrm{Conv}_2\circ\sigma\circ\mathrm{Conv}_1)\circ\varphi \qquad (7.18)$$
#
# is a clever trick. The equivariance answer: the identity commutes with *every* group action, so
# $\mathrm{Id} + F$ is equivariant whenever $F$ is; the skip adds a path to the gradient without
# adding anything that could break the symmetry (a skip through a dense matrix acting on the flattened image,
# as in an MLP, would). The gradient answer (section 6.4.1 of the same notes): through a plain stack of
# $\sigma\circ\mathrm{Conv}$ layers the gradient is multiplied at each layer by the Jacobian, and
# for ReLU and random kernels with variance $\sigma_w^2$ its squared norm shrinks on average by
#
# $$\chi = \tfrac12\,C\,K^2\sigma_w^2$$
#
# per layer ($CK^2$ is the kernel's fan-out, each pixel feeding $C$ channels at $K^2$ positions, equal to
# its fan-in here; half of the ReLUs are open), i.e. by $\chi^2$ per two-layer block.
# With the skip the block's Jacobian is $\mathbb{I} + J_F$ and the factor becomes $1 + \chi^2$ (to leading
# order: the cross term $2v^\top J_F v$ nearly averages out): the gradient can no longer vanish.
# PyTorch's default initialisation draws kernels uniformly in
# $\pm 1/\sqrt{CK^2}$, so $\sigma_w^2 = 1/(3CK^2)$ and $\chi = 1/6$.

# %%
C_res, K_res, H_res = 8, 3, 16
n_blocks, n_nets = 10, 6  # n_nets = 16 for class
chi = 0.5 * C_res * K_res**2 / (3 * C_res * K_res**2)  # = 1/6


def resnet_block_kernels(gen):
    bound = 1 / np.sqrt(C_res * K_res**2)  # PyTorch's default Conv2d initialisation (no bias)
    return [(2 * torch.rand(C_res, C_res, K_res, K_res, generator=gen) - 1) * bound for _ in range(2)]


def block(h, kernels, skip):
    """(Id + sigma o Conv_2 o sigma o Conv_1)[h] (eq. 7.18 without the pooling), or the plain branch alone."""
    F = torch.relu(eq.conv2d(torch.relu(eq.conv2d(h, kernels[0])), kernels[1]))
    return h + F if skip else F


# the skip keeps equivariance; a skip through a dense matrix on the flattened image does not
k_block = resnet_block_kernels(cu.torch_generator(10))
W_dense = torch.randn(C_res * H_res**2, C_res * H_res**2, generator=cu.torch_generator(11)) / (C_res * H_res**2) ** 0.5
phi_res = torch.randn(1, C_res, H_res, H_res, generator=cu.torch_generator(12))
skip_err = {
    "Id + F": eq.equivariance_error(lambda z: block(z, k_block, True), phi_res, T, T),
    "W_dense + F": eq.equivariance_error(lambda z: (W_dense @ z.flatten()).reshape(z.shape) + block(z, k_block, False),
                                         phi_res, T, T),
}

# squared gradient norm, block by block, backwards from a random output direction v
ratios = {False: [], True: []}  # ||dL/dh_l||^2 / ||dL/dh_{l+1}||^2 for each block l, each network
grad_sq = {False: [], True: []}
for skip in (False, True):
    for net in range(n_nets):
        gen = cu.torch_generator(100 + net)
        hs = [torch.randn(1, C_res, H_res, H_res, generator=gen).requires_grad_(True)]
        for _ in range(n_blocks):
            hs.append(block(hs[-1], resnet_block_kernels(gen), skip))
        v = torch.randn(hs[-1].shape, generator=gen)
        grads = torch.autograd.grad((hs[-1] * v).sum(), hs[:-1])
        sq = np.array([float((g**2).sum()) for g in grads] + [float((v**2).sum())])
        ratios[skip].append(sq[:-1] / sq[1:])
        grad_sq[skip].append(sq[::-1] / sq[-1])  # index = number of blocks the gradient has crossed
ratios = {s: np.array(r) for s, r in ratios.items()}

fig, ax = plt.subplots(figsize=(6.4, 4))
depth = np.arange(n_blocks + 1)
for skip, color, name, theory in ((False, "C3", "plain", r"$\chi^{2L}$"), (True, "C0", "residual", r"$(1+\chi^2)^L$")):
    for i, g in enumerate(grad_sq[skip]):
        ax.plot(depth, g, "o", ms=3, color=color, alpha=0.5, label=f"{name}, {n_nets} networks" if i == 0 else None)
    factor = 1 + chi**2 if skip else chi**2
    ax.plot(depth, factor**depth, "-", color=color, label=f"theory {theory}")
ax.set_yscale("log")
cu.plotting.label(ax, "blocks crossed $L$", r"$\|\partial \mathcal{L}/\partial h\|^2 / \|v\|^2$",
                  "squared gradient norm through L blocks")
ax.legend()
plt.show()

# %%
# Check 1: Id + F is translation equivariant to float64 round-off (1e-12); the dense skip breaks it
# (measured relative error below). Check 2: the mean per-block factor of the squared gradient norm
# (over blocks and networks) equals chi^2 = 1/36 without skips and 1 + chi^2 = 1.028 with them, within
# 4 standard errors of the mean (SE from the spread over the blocks x networks, treating the factors as
# independent: every block has its own kernels). 4 rather than 3 SE: with 64 networks (640 blocks) the residual factor
# is 1.0298 +- 0.0006, 0.0020 above 1 + chi^2 (the theory drops the cross term v.J_F v), about one SE
# of the 60 blocks here; the plain factor was 0.0275 +- 0.0004. The plausible wrong formula without
# ReLU's factor 1/2, chi = C K^2 sigma_w^2 = 1/3, predicts 1/9 = 0.111 and 1.111: printed SE-distances below.
n_r = ratios[False].size
stats = {s: (r.mean(), r.std(ddof=1) / np.sqrt(r.size)) for s, r in ratios.items()}
theory = {False: chi**2, True: 1 + chi**2}
wrong = {False: (2 * chi) ** 2, True: 1 + (2 * chi) ** 2}
print("Id + F equivariant (1e-12):", skip_err["Id + F"] < 1e-12,
      f"  dense skip: relative error {skip_err['W_dense + F']:.2f}")
for s, name in ((False, "plain   "), (True, "residual")):
    mean, se = stats[s]
    print(f"{name}: per-block factor {mean:.4f} +- {se:.4f} ({n_r} blocks), theory {theory[s]:.4f};"
          f" wrong (no 1/2) {wrong[s]:.4f} is more than 10 SE away: {abs(mean - wrong[s]) > 10 * se}")
assert skip_err["Id + F"] < 1e-12 and skip_err["W_dense + F"] > 1e-2
for s in (False, True):
    assert abs(stats[s][0] - theory[s]) < 4 * stats[s][1]
    assert abs(stats[s][0] - wrong[s]) > 10 * stats[s][1]

# %% [markdown]
# ## 6. Message passing on graphs
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
# ## 7. Attention is message passing
#
# The recitation notes (Miyamoto), section 7.2.2, list the transformer as one more choice of message in
# eq. (7.19): an attention-weighted value,
#
# $$h_u = \sum_{v\in\mathcal N_u}\alpha_{uv}\,V x_v,\qquad
#   \alpha_{uv} = \frac{\exp\big((Qx_u)^\top(Kx_v)/\sqrt d\big)}{\sum_{v'\in\mathcal N_u}\exp\big((Qx_u)^\top(Kx_{v'})/\sqrt d\big)} \qquad (7.23)$$
#
# with $Q, K \in\mathbb{R}^{d\times F}$ and $V$ learned, and the sum $\bigoplus = \sum$. A standard transformer's
# self-attention is the fully connected graph ($\mathcal N_u$ = all tokens, $u$ included). Relabelling the
# tokens, $x\mapsto Px$, permutes the rows and columns of the score matrix together, so
# $\alpha(Px) = P\alpha(x)P^T$ and $h(Px) = Ph(x)$: self-attention is permutation equivariant, a layer
# for *sets*. A sentence is not a set: transformers add a **positional encoding** $p_u$ (Vaswani et al.'s
# sinusoids) to token $u$, $x_u \mapsto x_u + p_u$. The encoding stays attached to the *slot* $u$, not to
# the token, so after relabelling the token now at slot $u$ gets $p_u$, not its old encoding, and the
# symmetry is broken on purpose.

# %%
n_tok, F_tok, d_att = 8, 6, 4
g_att = cu.make_rng(7)
x_tok = torch.tensor(g_att.standard_normal((n_tok, F_tok)))
Wq, Wk, Wv = (torch.tensor(g_att.standard_normal((d_att, F_tok))) for _ in range(3))
P_tok = torch.tensor(eq.permutation_matrix(g_att.permutation(n_tok)))
pe = eq.positional_encoding(n_tok, F_tok)
ring = torch.roll(torch.eye(n_tok), 1, 0) + torch.roll(torch.eye(n_tok), -1, 0)  # a sparse graph for 7.23


def attn(x, adj=None):
    return eq.self_attention(x, Wq, Wk, Wv, adj=adj, return_weights=True)


h_att, alpha = attn(x_tok)
h_att_p, alpha_p = attn(P_tok @ x_tok)
h_pe, alpha_pe = attn(x_tok + pe)
h_pe_p, alpha_pe_p = attn(P_tok @ x_tok + pe)  # relabel the tokens, keep the encoding on the slots
h_ring, _ = attn(x_tok, ring)
h_ring_p, _ = attn(P_tok @ x_tok, P_tok @ ring @ P_tok.T)
reference = torch.nn.functional.scaled_dot_product_attention(
    (x_tok @ Wq.T)[None], (x_tok @ Wk.T)[None], (x_tok @ Wv.T)[None])[0]  # PyTorch's transformer attention


def rel(a, b):
    return float((a - b).abs().max() / b.abs().max())


att_err = {"no encoding": rel(h_att_p, P_tok @ h_att), "graph (ring)": rel(h_ring_p, P_tok @ h_ring),
           "with positional encoding": rel(h_pe_p, P_tok @ h_pe)}
att_wrong_invariant = rel(h_att_p, h_att)  # the wrong claim h(Px) = h(x)

fig, axes = plt.subplots(1, 3, figsize=(11, 3.5))
panels = ((alpha, r"$\alpha(x)$"), (P_tok.T @ alpha_p @ P_tok, r"$P^T\alpha(Px)P$"),
          (P_tok.T @ alpha_pe_p @ P_tok, r"$P^T\alpha(Px + p)P$, with encoding"))
for ax, (a, title) in zip(axes, panels):
    im = ax.imshow(a, cmap="viridis", vmin=0, vmax=float(alpha.max()))
    cu.plotting.label(ax, "key token $v$", "query token $u$", title)
fig.colorbar(im, ax=axes, shrink=0.8, label=r"$\alpha_{uv}$")
plt.show()

# %%
# Check: eq. (7.23) equals PyTorch's scaled-dot-product attention, and h(Px) = P h(x) to float64 round-off
# (relative 1e-12) for the fully connected and the ring graph. With positional encodings it fails: measured
# relative error 1.14 (0.44, 0.41 for COURSE_UTILS_SEED = 1, 2). The plausible wrong formula, invariance
# h(Px) = h(x), fails too: 0.63 (0.84, 1.11). Both far above the 1e-2 threshold.
print("eq. 7.23 = torch scaled_dot_product_attention (1e-12):", rel(h_att, reference) < 1e-12)
for name, e in att_err.items():
    print(f"  {name:25s}: h(Px) = P h(x) to 1e-12: {e < 1e-12}" + ("" if e < 1e-12 else f", relative error {e:.2f}"))
print(f"wrong claim h(Px) = h(x): relative error {att_wrong_invariant:.2f}")
assert rel(h_att, reference) < 1e-12
assert att_err["no encoding"] < 1e-12 and att_err["graph (ring)"] < 1e-12
assert att_err["with positional encoding"] > 1e-2 and att_wrong_invariant > 1e-2

# %% [markdown]
# ## 8. Which linear maps are permutation equivariant? (DeepSets)
#
# The recipe of the recitation notes (Miyamoto), section 7.2.3, says to *choose equivariant linear maps*,
# and that for permutations of $n$ nodes with one feature each these are few: a linear map
# $L:\mathbb{R}^n\to\mathbb{R}^n$ is equivariant if $LP = PL$ for every permutation matrix $P$. This is a
# linear constraint on the $n^2$ entries of $L$; solving it (Zaheer et al.'s DeepSets) gives
#
# $$L = a\,\mathbb{I} + b\,\mathbf 1\mathbf 1^T ,$$
#
# a two-dimensional space for every $n\geq2$: each node keeps its own value and adds a multiple of the sum
# of all, the one-feature case of the notes' $W_0x_v + W_1\sum_{v'}x_{v'}$ (with $F_\text{in}$ input and
# $F_\text{out}$ output features the dimension is $2F_\text{in}F_\text{out}$). Two generators suffice for
# $S_n$, a transposition and the $n$-cycle. We solve $\rho(g)L - L\rho(g) = 0$ numerically (null space by
# SVD), project a random matrix on the solution space, and compare with the cyclic group alone (the $n$-cycle only: translations of a ring), whose
# equivariant maps are the circulant matrices, the convolutions of section 2, an $n$-dimensional space.

# %%
def perm_generators(n):
    """Permutation matrices of the transposition (0 1) and the n-cycle, which generate S_n."""
    swap = np.arange(n)
    swap[[0, 1]] = [1, 0]
    return np.stack([eq.permutation_matrix(swap), eq.permutation_matrix(np.roll(np.arange(n), 1))])


n_values = range(2, 9)
dim_sym = {n: len(eq.intertwiner_basis(perm_generators(n))) for n in n_values}
dim_cyc = {n: len(eq.intertwiner_basis(perm_generators(n)[1:])) for n in n_values}
print(" n   dim S_n-equivariant   dim cyclic-equivariant")
for n in n_values:
    print(f"{n:2d}   {dim_sym[n]:19d}   {dim_cyc[n]:22d}")

n_ds = 6
basis_ds = eq.intertwiner_basis(perm_generators(n_ds))
basis_cyc = eq.intertwiner_basis(perm_generators(n_ds)[1:])


def project(M, basis):
    """Orthogonal (Frobenius) projection of M on the span of an orthonormal basis: the nearest equivariant map."""
    flat = basis.reshape(len(basis), -1)
    return (flat.T @ (flat @ M.ravel())).reshape(M.shape)


M_rand = rng.standard_normal((n_ds, n_ds))
fig, axes = plt.subplots(1, 3, figsize=(11, 3.3))
for ax, (A, title) in zip(axes, ((M_rand, "a random $L$"), (project(M_rand, basis_ds), "projected: $S_6$-equivariant"),
                                 (project(M_rand, basis_cyc), "projected: cyclic-equivariant"))):
    im = ax.imshow(A, cmap="RdBu_r", vmin=-np.abs(A).max(), vmax=np.abs(A).max())
    fig.colorbar(im, ax=ax, shrink=0.8)
    cu.plotting.label(ax, "input node", "output node", title)
plt.show()

# %%
# Check: the solution space has dimension 2 for every n = 2..8 and is spanned by I and 1 1^T (their
# projections on it are themselves, to 1e-12); a random a I + b 1 1^T commutes with all 720 permutations
# of 6 nodes; with 2 input and 3 output features the dimension is 2 * 2 * 3 = 12. The plausible wrong
# answer, the n circulant maps of the cyclic group (convolutions), gives dimension n: 2, 3, ..., 8 here
# (equal to 2 only at n = 2, where the cycle is the transposition).
span_err = max(np.abs(project(M, basis_ds) - M).max() for M in (np.eye(n_ds), np.ones((n_ds, n_ds))))
a_ds, b_ds = rng.standard_normal(2)
L_ds = a_ds * np.eye(n_ds) + b_ds * np.ones((n_ds, n_ds))
comm_err = max(np.abs(L_ds @ P - P @ L_ds).max() for P in map(eq.permutation_matrix, permutations(range(n_ds))))
gens4 = perm_generators(4)
dim_feat = len(eq.intertwiner_basis(np.kron(gens4, np.eye(2)), np.kron(gens4, np.eye(3))))
print("S_n: dimension 2 for n = 2..8:", all(d == 2 for d in dim_sym.values()),
      "  spanned by I and 1 1^T (1e-12):", span_err < 1e-12)
print("a I + b 1 1^T commutes with all 720 permutations (1e-12):", comm_err < 1e-12,
      f"  with features (F_in, F_out) = (2, 3): dimension {dim_feat}")
print("cyclic group only (wrong): dimensions", [dim_cyc[n] for n in n_values])
assert all(d == 2 for d in dim_sym.values()) and span_err < 1e-12 and comm_err < 1e-12 and dim_feat == 12
assert all(dim_cyc[n] == n for n in n_values)

# %% [markdown]
# ## 9. An invariant model for point clouds
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
# ## 10. A vector-valued output: forces that rotate with the molecule
#
# An invariant energy is a scalar output; the forces on the particles are not. In the language of eq.
# (7.24) of the recitation notes (Miyamoto), section 7.2.3, a signal on the particles transforms as
# $[\rho(g)f](u) = \rho_V(g)f(g^{-1}\cdot u)$: for the energy $\rho_V$ is trivial, for forces it is the
# rotation matrix itself. Define the forces as the negative gradient of the learned energy,
#
# $$F_i(r) = -\nabla_{r_i} E(r),$$
#
# computed by automatic differentiation. If $E(Rr + t) = E(r)$ for all rotations $R$ and translations $t$,
# differentiating gives $F(Rr + t) = R\,F(r)$: the forces are **equivariant** by construction, with no
# equivariant layer in sight. Two laws of mechanics follow from the same invariances: translation
# invariance gives $\sum_i F_i = 0$ (no net force: Newton's third law for the whole cluster), rotation invariance
# gives $\sum_i r_i\times F_i = 0$ (no net torque). We take the gradients of both trained models of
# section 9 (in float64, so that symmetry is tested to round-off) and rotate the test clusters about the
# origin by random angles.

# %%
models64 = {"invariant": copy.deepcopy(invariant_model).double(), "MLP": copy.deepcopy(mlp_model).double()}
r_f = r_test[:128].double()
rot_f = torch.tensor(eq.random_rotation(2, rng=6, size=(len(r_f),)), dtype=torch.float64)
r_f_rot = r_f @ rot_f.transpose(1, 2)  # R r_i for every particle i


def true_energy(r):
    """The pair potential of section 9, E = sum_{i<j} exp(-|r_i - r_j|^2)."""
    iu = torch.triu_indices(N_part, N_part, offset=1)
    return torch.exp(-((r[:, iu[0]] - r[:, iu[1]]) ** 2).sum(-1)).sum(-1)


force_stats = {}
for name, model in models64.items():
    energy = lambda r, model=model: model(r) * float(E_std) + float(E_mean)
    F, F_rot = eq.forces(energy, r_f), eq.forces(energy, r_f_rot)
    scale = float(F.abs().max())
    torque = r_f[..., 0] * F[..., 1] - r_f[..., 1] * F[..., 0]
    force_stats[name] = dict(
        equivariance=float((F_rot - F @ rot_f.transpose(1, 2)).abs().max()) / scale,  # F(Rr) vs R F(r)
        invariant_wrong=float((F_rot - F).abs().max()) / scale,  # F(Rr) vs F(r): forces as scalars
        net_force=float(F.sum(1).abs().max()) / scale, net_torque=float(torque.sum(1).abs().max()) / scale,
        F=F, F_rot=F_rot)
F_true = eq.forces(true_energy, r_f)
force_err = {name: float(((s["F"] - F_true) ** 2).sum() / (F_true**2).sum()) for name, s in force_stats.items()}

fig, axes = plt.subplots(1, 2, figsize=(10, 4.6), sharex=True, sharey=True)
arrow = float(F_true[0].norm(dim=-1).max()) / 0.6  # the longest true force is drawn 0.6 long
both = torch.cat([r_f[0], r_f_rot[0]])
for ax, name in zip(axes, models64):
    s = force_stats[name]
    for pts, Fs, color, label in ((r_f[0], s["F"][0], "C0", "cluster $r$, forces $F(r)$"),
                                  (r_f_rot[0], s["F_rot"][0], "C1", "rotated $Rr$, forces $F(Rr)$"),
                                  (r_f_rot[0], s["F"][0] @ rot_f[0].T, "k", "rotated forces $RF(r)$")):
        ax.quiver(pts[:, 0], pts[:, 1], Fs[:, 0], Fs[:, 1], color=color, angles="xy", scale_units="xy", scale=arrow,
                  width=0.004 if color == "k" else 0.008, alpha=1.0 if color == "k" else 0.6, label=label)
        ax.plot(pts[:, 0], pts[:, 1], "o", color=color, ms=4)
    ax.set_xlim(float(both[:, 0].min()) - 0.8, float(both[:, 0].max()) + 0.8)
    ax.set_ylim(float(both[:, 1].min()) - 0.8, float(both[:, 1].max()) + 0.8)
    ax.set_aspect("equal")
    cu.plotting.label(ax, "$x$", "$y$", f"$F = -\\nabla E$ of the {name} model")
axes[0].legend(fontsize=8, loc="upper left")
plt.show()

# %%
# Check: the forces of the invariant model rotate with the cluster, F(Rr) = R F(r), and have no net force or
# torque, to float64 round-off (relative 1e-10). The plausible wrong rule, forces invariant like the energy,
# F(Rr) = F(r), is off by O(1): measured 1.8, 1.3, 1.8 (relative) for COURSE_UTILS_SEED = 0, 1, 2. The
# MLP's forces break all three: measured 1.0-1.4 (equivariance), 1.1-1.7 (net force), 1.5-1.7 (net torque).
# The learned forces also match the true ones, -grad of sum_{i<j} exp(-d_ij^2): squared error over |F|^2
# measured 0.008, 0.014, 0.019 for the invariant model (0.27-0.29 for the MLP); a trained quantity, so it
# is printed as the asserted bound 0.1 (5 x the largest measured value).
inv_f, mlp_f = force_stats["invariant"], force_stats["MLP"]
print("invariant model: F(Rr) = R F(r):", inv_f["equivariance"] < 1e-10, "  sum_i F_i = 0:", inv_f["net_force"] < 1e-10,
      "  sum_i r_i x F_i = 0:", inv_f["net_torque"] < 1e-10)
print("wrong rule F(Rr) = F(r) fails by more than 0.1 (relative):", inv_f["invariant_wrong"] > 0.1)
print("MLP: F(Rr) - R F(r), net force and net torque all > 1e-2 (relative):",
      all(mlp_f[k] > 1e-2 for k in ("equivariance", "net_force", "net_torque")))
print("invariant model's forces: |F - F_true|^2 / |F_true|^2 < 0.1:", force_err["invariant"] < 0.1)
assert inv_f["equivariance"] < 1e-10 and inv_f["net_force"] < 1e-10 and inv_f["net_torque"] < 1e-10
assert inv_f["invariant_wrong"] > 0.1 and force_err["invariant"] < 0.1
assert all(mlp_f[k] > 1e-2 for k in ("equivariance", "net_force", "net_torque"))

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
# **Exercise 2. Equivariant pooling.** Replace the 2x2 max pooling of section 3 by a *blur then subsample*
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
#   (distance-based invariant models of molecules, forces as the gradient of the learned energy).
# - A. Vaswani et al., *Attention is all you need*, NeurIPS (2017) (self-attention, sinusoidal positional encoding).
# - K. He, X. Zhang, S. Ren, J. Sun, *Deep residual learning for image recognition*, CVPR (2016).
# - S. S. Schoenholz, J. Gilmer, S. Ganguli, J. Sohl-Dickstein, *Deep information propagation*, ICLR (2017)
#   (the per-layer gradient factor $\chi$ of random networks).
