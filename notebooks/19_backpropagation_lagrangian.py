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
# # 19 · Backpropagation as a Lagrangian
#
# Every network in this course is trained by gradient descent, and every gradient is
# computed by backpropagation. This lecture takes backprop apart. We first check the
# matrix-calculus rules it is built from, then derive it as the stationarity conditions
# of a Lagrangian whose multipliers are the backward ("adjoint") vectors, measure why the
# reverse sweep is the cheap one for a scalar loss, take the continuous-depth limit (a
# neural ODE, where backprop becomes Pontryagin's adjoint method and a Hamiltonian
# system), and end with the product of Jacobians that makes deep gradients vanish or
# explode.
#
# **Learning goals**
# - derive and check numerically the matrix-derivative identities behind backprop, and
#   recognise the plausible wrong forms (a missing transpose, a symmetric-matrix shortcut);
# - write the Lagrangian of a feed-forward network and read off the forward pass, the
#   backward recursion of the multipliers and the weight gradients;
# - show that each multiplier is the sensitivity of the loss to a perturbation of its
#   constraint, $\lambda_k = \partial C/\partial z_k$;
# - count the cost of forward-mode (Jacobian-vector) and reverse-mode (vector-Jacobian)
#   differentiation as the input width grows;
# - derive the adjoint method for a neural ODE, identify the adjoint as the momentum
#   conjugate to the state, and measure its discretisation error;
# - predict the growth rate of the gradient with depth from mean-field theory.
#
# *Source:* C. Miyamoto, *Machine Learning for Physicists: Recitation Notes*, section 1.2
# (matrix calculus, eqs. 1.15-1.28 and Problem 1); Y. LeCun's lecture in *Lecture Notes
# from Beg Rohu 2025* (C. Miyamoto), section 6.1 (backprop as Lagrangian mechanics,
# eqs. 6.5-6.8). The signal-propagation recursion of section 6 is the one of lecture 03.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch.func import jvp, vjp
from torch.utils.flop_counter import FlopCounterMode

import course_utils as cu
from course_utils import backprop

rng = cu.setup(seed=0)
DT = torch.float64  # every torch computation below in double precision

# %% [markdown]
# ## 1. Matrix calculus, checked
#
# The notes use the *numerator* layout: for a scalar $\phi$ and a column vector
# $\mathbf x\in\mathbb R^d$, $\partial\phi/\partial\mathbf x = (\nabla\phi)^T$ is a row
# (eq. 1.16), the Jacobian $\partial\mathbf y/\partial\mathbf x$ has one row per output
# (eq. 1.17), and the derivative of a scalar with respect to a matrix $\mathbf M$ has the
# shape of $\mathbf M$, entry $(i,j)$ being $\partial t/\partial M_{ij}$ (eq. 1.19). Writing
# each identity in index notation proves it; for instance
# $\mathbf a^T\mathbf M\mathbf b = \sum_{ij} a_i M_{ij} b_j$ gives
# $\partial/\partial M_{ij} = a_i b_j$. The identities we check are
#
# $$\frac{\partial(\mathbf x^T\mathbf A\mathbf x)}{\partial\mathbf x} = \mathbf x^T(\mathbf A + \mathbf A^T),\quad
# \frac{\partial(\mathbf a^T\mathbf M\mathbf b)}{\partial\mathbf M} = \mathbf a\mathbf b^T,\quad
# \frac{\partial(\mathbf a^T\mathbf M^T\mathbf b)}{\partial\mathbf M} = \mathbf b\mathbf a^T,$$
#
# $$\frac{\partial\,\mathrm{tr}(\mathbf A\mathbf X\mathbf B)}{\partial\mathbf X} = \mathbf A^T\mathbf B^T,\qquad
# \frac{\partial\log\det\mathbf X}{\partial\mathbf X} = \mathbf X^{-T}.$$
#
# (The OCR text of the notes prints eq. 1.23 as "$\mathbf b\mathbf a$"; it is the outer
# product $\mathbf b\mathbf a^T$, as the index computation $\sum_{ij} a_j M_{ij} b_i$ shows.)
# The last one is Jacobi's formula: $\delta\log\det\mathbf X = \mathrm{tr}(\mathbf X^{-1}\delta\mathbf X)
# = \sum_{ij}(\mathbf X^{-1})_{ji}\,\delta X_{ij}$. Each is compared below with a central
# difference, $[\phi(\mathbf X + \epsilon\mathbf E_{ij}) - \phi(\mathbf X - \epsilon\mathbf E_{ij})]/2\epsilon$,
# whose error is $O(\epsilon^2)$ from truncation plus $O(u/\epsilon)$ from round-off
# ($u\approx10^{-16}$), about $10^{-10}$ at $\epsilon = 10^{-5}$.

# %%
def numerical_grad(phi, X, eps=1e-5):
    """Central-difference derivative of the scalar phi(X), with the shape of X."""
    G = np.zeros_like(X)
    for idx in np.ndindex(X.shape):
        E = np.zeros_like(X)
        E[idx] = eps
        G[idx] = (phi(X + E) - phi(X - E)) / (2 * eps)
    return G


def rel_err(G, G_ref):
    return float(np.abs(G - G_ref).max() / np.abs(G_ref).max())


d = 5
a, b, x = rng.normal(size=d), rng.normal(size=d), rng.normal(size=d)
A, B, M = rng.normal(size=(d, d)), rng.normal(size=(d, d)), rng.normal(size=(d, d))  # A not symmetric
X = np.eye(d) * 3 + rng.normal(size=(d, d))  # well conditioned
sign_det = np.sign(np.linalg.det(X))

identities = {  # name: (phi, point, claimed derivative, plausible wrong form)
    "x^T A x    -> (A + A^T) x": (lambda v: v @ A @ v, x, (A + A.T) @ x, 2 * A @ x),
    "a^T M b    -> a b^T": (lambda m: a @ m @ b, M, np.outer(a, b), np.outer(b, a)),
    "a^T M^T b  -> b a^T": (lambda m: a @ m.T @ b, M, np.outer(b, a), np.outer(a, b)),
    "tr(A X B)  -> A^T B^T": (lambda m: np.trace(A @ m @ B), X, A.T @ B.T, B @ A),
    "log|det X| -> X^-T": (lambda m: np.log(sign_det * np.linalg.det(m)), X, np.linalg.inv(X).T, np.linalg.inv(X)),
}
errors = {}
for name, (phi, point, claimed, wrong) in identities.items():
    G = numerical_grad(phi, point)
    errors[name] = (rel_err(claimed, G), rel_err(wrong, G))
    print(f"{name:26s}: claimed form agrees to < 1e-8: {errors[name][0] < 1e-8};  wrong form off by {errors[name][1]:.2f}")

# %%
# Check: each identity agrees with the central difference to its O(eps^2) + O(u/eps) error
# (measured: at most 1.5e-10 relative here; we allow 1e-8), and each plausible wrong form is off
# by an O(1) relative amount (measured, printed above): 2 A x (true only for symmetric A) 0.50,
# b a^T for a^T M b 1.15 (and a b^T for a^T M^T b 1.15), B A for tr(A X B) 1.73, X^-1 for
# log det 0.40. Both the claimed and the wrong forms are exact formulas, so the error of the wrong
# one does not shrink with eps; we assert it exceeds 1e-3, 1e5 times the tolerance.
for name, (good, bad) in errors.items():
    assert good < 1e-8, name
    assert bad > 1e-3, name

# %% [markdown]
# ## 2. Backprop as the stationarity of a Lagrangian
#
# A feed-forward network is a chain of maps $z_{k+1} = f_k(z_k; W_k)$, $k = 0,\dots,T-1$,
# from the input $z_0 = x$ to the output $z_T$, scored by a cost $C(y, z_T)$. LeCun's
# idea (notes, section 6.1) is to treat the activations $z_k$ as free variables and to
# impose the layer maps as constraints with Lagrange multipliers $\lambda_k$:
#
# $$\mathcal L(z, W, \lambda) = C(y, z_T) + \sum_{k=0}^{T-1}\lambda_{k+1}^T\big(f_k(z_k; W_k) - z_{k+1}\big).$$
#
# Its stationarity conditions are the three halves of backprop:
#
# $$\frac{\partial\mathcal L}{\partial\lambda_{k+1}} = 0:\quad z_{k+1} = f_k(z_k; W_k)\quad\text{(forward pass)},$$
#
# $$\frac{\partial\mathcal L}{\partial z_T} = 0:\quad \lambda_T = \nabla_{z_T}C,\qquad
# \frac{\partial\mathcal L}{\partial z_k} = 0:\quad \lambda_k = J_k^T\lambda_{k+1},\quad J_k = \frac{\partial f_k}{\partial z_k}\quad\text{(backward pass)},$$
#
# $$\frac{dC}{dW_k} = \frac{\partial\mathcal L}{\partial W_k} = \Big(\frac{\partial f_k}{\partial W_k}\Big)^T\lambda_{k+1}\quad\text{(weight gradient)}.$$
#
# On the constraint surface $\mathcal L = C$, and because $\mathcal L$ is stationary in
# $z$ and $\lambda$ there, the total derivative of $C$ with respect to $W_k$ is the
# partial derivative of $\mathcal L$. Three remarks on the notes' version (eqs. 6.5-6.8):
# their sum runs to $k = T$, one term too many (there is no $z_{T+1}$); their eq. 6.7,
# $\lambda_k = \frac{\partial f_k}{\partial z_k}\lambda_{k+1}$, needs the **transpose** of
# the Jacobian (in their own numerator layout, eq. 1.17) and, with the multiplier
# $\lambda_k$ attached to the constraint $z_{k+1} = f_k(z_k)$ as in their eq. 6.5, the
# recursion reads $\lambda_{k-1} = J_k^T\lambda_k$ (we shift the label so that
# $\lambda_k$ sits with $z_k$); and eq. 6.8 is not a condition "$=0$" but the formula for
# the gradient, which vanishes only at a minimum of the training loss. With their sign,
# $+\lambda^T(z_{k+1} - f_k)$, the multipliers come out as $-\nabla_{z}C$.
#
# For a layer $f_k(z) = \varphi(W_k z + b_k)$ with pre-activation $h_k = W_k z_k + b_k$,
# $J_k = \mathrm{diag}\,\varphi'(h_k)\,W_k$, so the backward pass is
# $\lambda_k = W_k^T(\varphi'(h_k)\odot\lambda_{k+1})$ and the weight gradient is the outer
# product $dC/dW_k = (\varphi'(h_k)\odot\lambda_{k+1})\,z_k^T$. For a batch of $B$ samples
# and $C = \frac1{2B}\sum_n\|z_T^{(n)} - y^{(n)}\|^2$, $\lambda_T = (z_T - y)/B$. This is
# `course_utils.backprop.mlp_loss_and_grads` (numpy only, no autograd); we compare it with
# torch's autograd and with central differences.

# %%
sizes = [4, 8, 8, 8, 2]  # z_0 in R^4, three tanh layers of width 8, a linear read-out to R^2
n_batch = 5
params = [(rng.normal(size=(m, n)) / np.sqrt(n), 0.1 * rng.normal(size=m)) for n, m in zip(sizes[:-1], sizes[1:])]
x_batch, y_batch = rng.normal(size=(n_batch, sizes[0])), rng.normal(size=(n_batch, sizes[-1]))
loss, grads = backprop.mlp_loss_and_grads(params, x_batch, y_batch)


def torch_loss(params, x, y):
    z = torch.as_tensor(x, dtype=DT)
    for k, (W, b) in enumerate(params):
        z = z @ W.T + b
        if k < len(params) - 1:
            z = torch.tanh(z)
    return 0.5 * ((z - torch.as_tensor(y, dtype=DT)) ** 2).sum() / z.shape[0]


t_params = [(torch.tensor(W, dtype=DT, requires_grad=True), torch.tensor(b, dtype=DT, requires_grad=True)) for W, b in params]
torch_loss(t_params, x_batch, y_batch).backward()
err_autograd = max(float(np.abs(dW - W.grad.numpy()).max()) for (dW, _), (W, _) in zip(grads, t_params))


def loss_with(k, idx, value):
    """The loss with entry idx of W_k set to value."""
    changed = [(W.copy(), b) for W, b in params]
    changed[k][0][idx] = value
    return backprop.mlp_loss_and_grads(changed, x_batch, y_batch)[0]


eps = 1e-5
fd_rel = []
for k, (W, _) in enumerate(params):
    for idx in np.ndindex(W.shape):
        fd = (loss_with(k, idx, W[idx] + eps) - loss_with(k, idx, W[idx] - eps)) / (2 * eps)
        fd_rel.append(abs(fd - grads[k][0][idx]) / max(abs(fd), 1e-3))
n_weights = sum(W.size for W, _ in params)
print(f"loss = {loss:.4f}; {n_weights} weights")
print("hand-derived adjoint recursion vs torch autograd, max |difference| < 1e-14:", err_autograd < 1e-14)
print("vs central differences, max relative difference < 1e-6:", max(fd_rel) < 1e-6)

# %%
# Check: the Lagrangian's gradient equals autograd's to round-off (both are the same chain
# rule in float64; measured max difference 7e-17, allowed 1e-14) and the central difference to
# its O(eps^2) + O(u/eps) error (measured max relative difference 1.3e-8, allowed 1e-6). The
# notes' eq. 6.7 without the transpose, lambda_k = J_k lambda_{k+1}, is not even defined for the
# 8x4 first-layer Jacobian; on the square hidden layers it gives the wrong multipliers (section 3).
assert err_autograd < 1e-14
assert max(fd_rel) < 1e-6

# %% [markdown]
# ## 3. The multipliers are the sensitivities $\partial C/\partial z_k$
#
# A Lagrange multiplier measures how much the optimum moves when its constraint is relaxed.
# Here there is nothing to optimise over $z$ (the constraints fix it), so the statement is
# about the value: kick the forward pass at layer $k$,
# $z_{k+1} = f_k(z_k) + \varepsilon$, and the cost changes by
#
# $$\frac{dC}{d\varepsilon}\Big|_{\varepsilon=0} = \lambda_{k+1}.$$
#
# Indeed $C = \mathcal L$ on the constraint surface and $\partial\mathcal L/\partial\varepsilon = \lambda_{k+1}$
# at a stationary point. `backprop.mlp_adjoints` returns the $z_k$ and the $\lambda_k$ of the
# backward recursion; we measure $dC/d\varepsilon$ by central differences, entry by entry,
# at every layer and for every sample of the batch.

# %%
zs, lams = backprop.mlp_adjoints(params, x_batch, y_batch)


def loss_kicked(kick_layer, kick):
    """The loss with z_{k+1} = f_k(z_k) + kick for k + 1 = kick_layer (kick of shape (B, d_{k+1}))."""
    z = x_batch
    for k, (W, b) in enumerate(params):
        z = z @ W.T + b
        if k < len(params) - 1:
            z = np.tanh(z)
        if k + 1 == kick_layer:
            z = z + kick
    return 0.5 * np.sum((z - y_batch) ** 2) / n_batch


def measured_sensitivity(layer, eps=1e-5):
    g = np.zeros_like(zs[layer])
    for idx in np.ndindex(g.shape):
        e = np.zeros_like(g)
        e[idx] = eps
        g[idx] = (loss_kicked(layer, e) - loss_kicked(layer, -e)) / (2 * eps)
    return g


# the notes' eq. 6.7 as printed, without the transpose, on the square hidden layers
lam_no_T = [None] * len(zs)
lam_no_T[-1] = lams[-1]
lam_no_T[-2] = lams[-2]  # the read-out's Jacobian is 2x8: its transpose is forced by the shapes
for k in range(len(params) - 2, 0, -1):
    W = params[k][0]
    lam_no_T[k] = (1 - zs[k + 1] ** 2) * lam_no_T[k + 1] @ W.T  # J_k lambda instead of J_k^T lambda

sens_err, wrong_err = [], []
for layer in range(1, len(zs)):
    g = measured_sensitivity(layer)
    sens_err.append(rel_err(lams[layer], g))
    if layer < len(zs) - 2:
        wrong_err.append(rel_err(lam_no_T[layer], g))
    print(f"layer {layer}: max |dC/d eps - lambda| / max |lambda| < 1e-8: {sens_err[-1] < 1e-8}")
print("without the transpose (hidden layers 1, 2): relative errors", ", ".join(f"{e:.2f}" for e in wrong_err))

# %%
# Check: the measured sensitivity equals the multiplier at every layer to the central
# difference's error (measured at most 6e-11 relative; allowed 1e-8). The plausible wrong
# recursion without the transpose (the notes' eq. 6.7 as printed) is off by 1.09 and 1.27
# (relative, layers 1 and 2), and the notes' sign convention would give -lambda, a relative
# error of 2.
assert max(sens_err) < 1e-8
assert min(wrong_err) > 1e-3  # 1e5 times the tolerance; over seeds 0-1 measured 0.8-2.3

# %% [markdown]
# ## 4. Forward mode and reverse mode
#
# The chain rule for $C(f_{T-1}(\cdots f_0(x)))$ is a product of Jacobians,
# $\nabla_x C^T = \nabla_{z_T}C^T\,J_{T-1}\cdots J_0$, and a product can be evaluated from
# either end. **Forward mode** pushes a tangent vector $v$ from the input,
# $J_{T-1}\cdots J_0 v$: one Jacobian-vector product (jvp) per pass gives one directional
# derivative, so the full gradient in $\mathbb R^n$ needs $n$ passes. **Reverse mode**
# (backprop) pulls the co-vector $\lambda_T = \nabla_{z_T}C$ from the output,
# $\lambda_T^T J_{T-1}\cdots J_0$: one vector-Jacobian product (vjp) gives the whole gradient of
# a scalar. We count the floating-point operations of the matrix products with torch's
# `FlopCounterMode` (exact and machine independent, unlike wall times) for a tanh network
# $\mathbb R^n\to\mathbb R^{64}\to\mathbb R^{64}\to\mathbb R$ as the input width $n$ grows.

# %%
hidden = 64
widths = [2, 8, 32, 128, 512]
gen = cu.torch_generator(1)


def make_scalar_net(n):
    W1 = torch.randn(hidden, n, generator=gen, dtype=DT) / n**0.5
    W2 = torch.randn(hidden, hidden, generator=gen, dtype=DT) / hidden**0.5
    w3 = torch.randn(hidden, 1, generator=gen, dtype=DT) / hidden**0.5
    return lambda x: (torch.tanh(torch.tanh(x @ W1.T) @ W2.T) @ w3).sum()  # x of shape (1, n)


def flops(fn):
    with FlopCounterMode(display=False) as counter:
        out = fn()
    return counter.get_total_flops(), out


cost = {"forward pass": [], "forward mode": [], "reverse mode": []}
passes = {"forward mode": [], "reverse mode": []}
grad_agree = []
for n in widths:
    F = make_scalar_net(n)
    x0 = torch.randn(1, n, generator=gen, dtype=DT)
    f0, _ = flops(lambda: F(x0))
    basis = torch.eye(n, dtype=DT)
    f_fwd, g_fwd = flops(lambda: torch.stack([jvp(F, (x0,), (e[None],))[1] for e in basis]))
    f_rev, g_rev = flops(lambda: vjp(F, x0)[1](torch.ones((), dtype=DT))[0][0])
    cost["forward pass"].append(f0)
    cost["forward mode"].append(f_fwd)
    cost["reverse mode"].append(f_rev)
    passes["forward mode"].append(len(basis))
    passes["reverse mode"].append(1)
    grad_agree.append(float((g_fwd - g_rev).abs().max() / g_rev.abs().max()))
cost = {k: np.array(v) for k, v in cost.items()}
for i, n in enumerate(widths):
    print(f"n = {n:3d}: forward mode {passes['forward mode'][i]:3d} jvps = {cost['forward mode'][i] / cost['forward pass'][i]:6.0f} x one "
          f"forward pass;  reverse mode 1 vjp = {cost['reverse mode'][i] / cost['forward pass'][i]:.0f} x")
print("the two gradients agree to < 1e-13:", max(grad_agree) < 1e-13)

# %%
fig, ax = plt.subplots(figsize=(5.5, 3.6))
ax.loglog(widths, cost["forward mode"] / cost["forward pass"], "o-", label="forward mode ($n$ jvps)")
ax.loglog(widths, cost["reverse mode"] / cost["forward pass"], "s-", label="reverse mode (1 vjp)")
ax.loglog(widths, 3 * np.array(widths), "k:", lw=1, label="$3n$")
cu.plotting.label(ax, "input width $n$", "FLOPs / FLOPs of one forward pass", "gradient of a scalar loss")
ax.legend()
plt.show()

# %%
# Check, on exact operation counts (FlopCounterMode counts the matrix products): reverse mode
# costs a fixed multiple of one forward pass at every width (measured: exactly 2, the forward
# products plus one product with W^T per layer), forward mode grows linearly in n (measured:
# exactly 3n; torch's jvp of a matrix product runs three products per layer and direction, one
# more than the primal-plus-tangent minimum of two). The plausible wrong expectation that forward
# mode also needs one pass would give the ratio 3 at n = 512 instead of the measured 1536.
# The two modes must return the same gradient (float64: measured agreement 1e-16).
assert all(r == 1 for r in passes["reverse mode"]) and passes["forward mode"] == widths
assert np.all(cost["reverse mode"] == 2 * cost["forward pass"])
assert np.all(cost["forward mode"] == 3 * np.array(widths) * cost["forward pass"])
assert max(grad_agree) < 1e-13

# %% [markdown]
# For a map $\mathbb R\to\mathbb R^m$ (one input, many outputs: a trajectory as a function of
# one parameter) the roles swap, and forward mode is the cheap one (exercise 2). Reverse mode's
# price is memory: the forward activations $z_k$ must be stored for the backward sweep.
#
# ## 5. Continuous depth: the adjoint method as Hamiltonian mechanics
#
# A residual network $z_{k+1} = z_k + h\,f(z_k, \theta)$ is the Euler scheme of the
# **neural ODE** $\dot z = f(z, \theta)$, $t\in[0, T]$, with cost $C(z(T))$. The Lagrangian
# of section 2 becomes, with $\lambda_{k+1}\to a(t)$,
#
# $$\mathcal L = C(z(T)) + \int_0^T a^T\big(f(z, \theta) - \dot z\big)\,dt
# = C(z(T)) - \int_0^T\big(a^T\dot z - H\big)\,dt,\qquad H(z, a) = a^T f(z, \theta).$$
#
# The integral is the action $\int(p\,\dot q - H)\,dt$ of classical mechanics with
# $q = z$ and $p = a$; its stationarity conditions are Hamilton's equations,
#
# $$\dot z = \frac{\partial H}{\partial a} = f,\qquad
# \dot a = -\frac{\partial H}{\partial z} = -\Big(\frac{\partial f}{\partial z}\Big)^T a,\qquad a(T) = \nabla C(z(T)),$$
#
# and the gradient is $dC/d\theta = \int_0^T a^T\,\partial f/\partial\theta\,dt$. This is
# Pontryagin's principle and the adjoint method of neural ODEs (Chen et al. 2018). It
# answers the question the notes leave open after eq. 6.8: the state $z$ is the position and
# the adjoint (multiplier) $a$ is its **conjugate momentum**, the note-taker's guess is
# right. The dual space is that of the co-vectors: $a$ pairs with a tangent $\delta z$ to
# a number, and Hamiltonian flow conserves this pairing,
# $\frac{d}{dt}(a^T\delta z) = -a^T J\delta z + a^T J\delta z = 0$
# (in the discrete network, $\lambda_k^T\delta z_k = \lambda_{k+1}^T J_k\delta z_k = \lambda_{k+1}^T\delta z_{k+1}$
# at every layer). Since $f$ does not depend on $t$, the "energy" $H = a^T f$ is conserved too.
#
# We solve the forward ODE with the classical Runge-Kutta scheme (RK4) in $N$ steps, then
# integrate $(z, a, g)$ backward from $t = T$ with RK4, where $g$ accumulates
# $\int a^T\partial f/\partial\theta\,dt$, and compare with torch's autograd through the
# $N$ forward RK4 steps ("discretise then differentiate"). Both approximate the exact
# gradient with an $O(h^4)$ error, $h = T/N$, so their difference should fall by $2^4 = 16$
# per halving of $h$. (The two are not identical at finite $h$: the continuous adjoint
# re-integrates $z$ backward, and RK4 backward is not the exact transpose of RK4 forward.)

# %%
d_ode, T_ode = 3, 2.0
gen_ode = cu.torch_generator(2)
W_ode = torch.randn(d_ode, d_ode, generator=gen_ode, dtype=DT) / d_ode**0.5
b_ode = 0.5 * torch.randn(d_ode, generator=gen_ode, dtype=DT)
z_start, y_ode = torch.randn(d_ode, generator=gen_ode, dtype=DT), torch.randn(d_ode, generator=gen_ode, dtype=DT)


def f_ode(z, W, b):
    return torch.tanh(z @ W.T + b)


def rk4(rhs, s, h, n_steps, record=False):
    path = [s]
    for _ in range(n_steps):
        k1 = rhs(s)
        k2 = rhs(s + h / 2 * k1)
        k3 = rhs(s + h / 2 * k2)
        k4 = rhs(s + h * k3)
        s = s + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        path.append(s)
    return torch.stack(path) if record else s


def grad_through_solver(n_steps):
    """Autograd through n_steps RK4 steps of the forward ODE: (dC/dW, dC/db) flattened."""
    W, b = W_ode.clone().requires_grad_(), b_ode.clone().requires_grad_()
    zT = rk4(lambda z: f_ode(z, W, b), z_start, T_ode / n_steps, n_steps)
    (0.5 * ((zT - y_ode) ** 2).sum()).backward()
    return torch.cat([W.grad.ravel(), b.grad])


def adjoint_rhs(s, sign=1.0):
    """d/dtau of (z, a, g) in reversed time tau = T - t: (-f, a^T df/dz, a^T df/dtheta)."""
    z, a = s[:d_ode].clone().requires_grad_(), s[d_ode:2 * d_ode]
    W, b = W_ode.clone().requires_grad_(), b_ode.clone().requires_grad_()
    fz = f_ode(z, W, b)
    gz, gW, gb = torch.autograd.grad(fz, (z, W, b), a)
    return torch.cat([-fz.detach(), sign * gz, gW.ravel(), gb])


def grad_adjoint(n_steps, sign=1.0, record=False):
    """The adjoint method: RK4 forward, then RK4 backward for (z, a, g); returns g(0) (or the path)."""
    h = T_ode / n_steps
    zT = rk4(lambda z: f_ode(z, W_ode, b_ode), z_start, h, n_steps)
    s_T = torch.cat([zT, zT - y_ode, torch.zeros(d_ode * d_ode + d_ode, dtype=DT)])
    out = rk4(lambda s: adjoint_rhs(s, sign), s_T, h, n_steps, record=record)
    return out if record else out[2 * d_ode:]


steps_list = [8, 16, 32, 64, 128]
g_ref = grad_through_solver(4096)  # converged: its own O(h^4) error is ~1e-13
diffs, err_adj, err_auto = [], [], []
for n_steps in steps_list:
    g_auto, g_adj = grad_through_solver(n_steps), grad_adjoint(n_steps)
    diffs.append(float((g_adj - g_auto).norm()))
    err_adj.append(float((g_adj - g_ref).norm()))
    err_auto.append(float((g_auto - g_ref).norm()))
diffs = np.array(diffs)
print(f"|dC/dtheta| = {float(g_ref.norm()):.3f}")
for n_steps, dd, r in zip(steps_list, diffs, [np.nan] + list(diffs[:-1] / diffs[1:])):
    print(f"N = {n_steps:3d}: |adjoint - autograd through RK4| = {dd:.1e}" + ("" if np.isnan(r) else f"   ratio to previous N: {r:.0f}"))

# %%
fig, ax = plt.subplots(figsize=(5.5, 3.6))
h_list = T_ode / np.array(steps_list)
ax.loglog(h_list, err_adj, "o-", label="adjoint method (RK4 backward)")
ax.loglog(h_list, err_auto, "s-", label="autograd through the RK4 solver")
ax.loglog(h_list, diffs, "^-", label="difference of the two")
ax.loglog(h_list, diffs[-1] * (h_list / h_list[-1]) ** 4, "k:", lw=1, label=r"$\propto h^4$")
cu.plotting.label(ax, "step $h = T/N$", r"$\|\Delta\, dC/d\theta\|$", "neural-ODE gradient: discretisation error")
ax.set_xticks(h_list, [f"T/{n}" for n in steps_list])
ax.xaxis.set_minor_formatter(plt.NullFormatter())
ax.legend(fontsize="small")
plt.show()

# %%
# Check: the adjoint gradient converges to autograd-through-the-solver at fourth order. The
# local slope of log|difference| vs log h over N = 32..128 must be 4 within 0.3 (measured here
# 3.98; over COURSE_UTILS_SEED = 0, 2, 4, 5, 6, 7 it ranged 3.96-4.05, the O(h^5) term bending
# it by O(h)). At N = 128 the two agree to 3e-11 relative to |dC/dtheta| (up to 8e-10 over those
# seeds; allowed 1e-8). The plausible wrong adjoint with the sign of the momentum equation
# flipped, da/dt = +J^T a, is off by 0.50 relative at N = 64 (measured; 0.46-3.3 over the
# seeds): it solves a different equation, so refining h does not help.
slope = np.polyfit(np.log(h_list[2:]), np.log(diffs[2:]), 1)[0]
rel_128 = diffs[-1] / float(g_ref.norm())
wrong_sign = float((grad_adjoint(64, sign=-1.0) - g_ref).norm() / g_ref.norm())
print(f"convergence order of the difference: {slope:.1f};  relative difference at N = 128 < 1e-8: {rel_128 < 1e-8}")
print(f"wrong-sign adjoint, relative error at N = 64: {wrong_sign:.2f}")
assert abs(slope - 4) < 0.3
assert rel_128 < 1e-8
assert wrong_sign > 1e-3  # 1e5 times the tolerance

# %% [markdown]
# The Hamiltonian $H = a^T f(z)$ along the backward sweep is conserved up to the RK4 error;
# the wrong-sign "adjoint" conserves nothing.

# %%
def hamiltonian_along(n_steps, sign=1.0):
    path = grad_adjoint(n_steps, sign=sign, record=True)
    z, a = path[:, :d_ode], path[:, d_ode:2 * d_ode]
    return (a * f_ode(z, W_ode, b_ode)).sum(dim=1).numpy()


H_path, H_wrong = hamiltonian_along(64), hamiltonian_along(64, sign=-1.0)
H_drift = np.abs(H_path - H_path[0]).max() / abs(H_path[0])
H_wrong_drift = np.abs(H_wrong - H_wrong[0]).max() / abs(H_wrong[0])
print(f"H(T) = {H_path[0]:.4f};  max |H(t) - H(T)| / |H(T)| < 1e-6: {H_drift < 1e-6};  "
      f"wrong-sign adjoint: {H_wrong_drift:.2f}")
# Check: RK4 with N = 64 conserves H to its O(h^4) error (measured 2.2e-10 relative; at most
# 3.5e-9 over COURSE_UTILS_SEED = 0, 2, 4-7; allowed 1e-6); with the wrong sign H changes by 26%
# (measured, printed above; 0.26-29 over those seeds).
assert H_drift < 1e-6
assert H_wrong_drift > 1e-3  # 1000 times the tolerance

# %% [markdown]
# ## 6. Vanishing and exploding gradients
#
# The backward pass multiplies the multiplier by one Jacobian per layer,
# $\lambda_0 = J_0^T\cdots J_{L-1}^T\lambda_L$, so its norm behaves like a product of $L$
# random factors: it shrinks or grows exponentially with depth. For a tanh network with
# weights $W_{ij}\sim N(0, \sigma_w^2/N)$ and no bias, take a unit vector $u$ and push it
# through the Jacobians $J_l = \mathrm{diag}\,\varphi'(h_l)\,W_l$ (forward mode; at large width the backward
# product has the same mean-field statistics). At large width $N$ the pre-activations of layer $l$ are
# Gaussian with variance $q_l$, following the recursion of lecture 03,
# $q_{l+1} = \sigma_w^2\,\mathbb E_{z\sim N(0,1)}[\varphi(\sqrt{q_l}z)^2]$, and each layer
# multiplies $\mathbb E\|u\|^2$ by
#
# $$\chi_l = \sigma_w^2\,\mathbb E_{z\sim N(0,1)}\big[\varphi'(\sqrt{q_l}\,z)^2\big]$$
#
# (mean-field theory, Poole et al. 2016; Schoenholz et al. 2017). At finite width the
# logarithm of a random product is smaller than the logarithm of its mean: the factor
# $r_l = \|J_l u\|^2/\|u\|^2 = \frac{\sigma_w^2}{N}\sum_i\varphi'(h_i)^2 g_i^2$ with $g_i\sim N(0,1)$
# has relative variance $(3\kappa_l - 1)/N$, $\kappa_l = \mathbb E[\varphi'^4]/\mathbb E[\varphi'^2]^2$,
# so that $\mathbb E\log r_l \approx \log\chi_l - (3\kappa_l - 1)/(2N)$ and
#
# $$\mathbb E\log\|J_{L-1}\cdots J_0 u\| \approx \sum_{l<L}\Big[\tfrac12\log\chi_l - \frac{3\kappa_l - 1}{4N}\Big].$$
#
# For $\sigma_w < 1$ the signal dies ($q_l\to0$, $\chi\to\sigma_w^2 < 1$): vanishing
# gradients. For $\sigma_w > 1$ it saturates at $q^* > 0$ and $\chi^* > 1$: exploding
# gradients, the chaotic phase. $\sigma_w = 1$ is the edge of chaos, where the gradient
# decays only as a power of depth.

# %%
gauss_z, gauss_w = np.polynomial.hermite_e.hermegauss(80)
gauss_w = gauss_w / gauss_w.sum()  # E_{z ~ N(0,1)}[g(z)] = sum_i gauss_w[i] g(gauss_z[i])


def log_norm_theory(sigma_w, depth, width, finite_width=True):
    """Mean-field E log ||J_{l-1} ... J_0 u|| for l = 0..depth (inputs with E x_i^2 = 1)."""
    q, out = sigma_w**2, [0.0]
    for _ in range(depth):
        dphi2 = (1 - np.tanh(np.sqrt(q) * gauss_z) ** 2) ** 2
        m2, m4 = gauss_w @ dphi2, gauss_w @ dphi2**2
        out.append(out[-1] + 0.5 * np.log(sigma_w**2 * m2) - finite_width * (3 * m4 / m2**2 - 1) / (4 * width))
        q = sigma_w**2 * (gauss_w @ np.tanh(np.sqrt(q) * gauss_z) ** 2)
    return np.array(out)


def log_norm_measured(sigma_w, depth, width, n_nets, seed):
    """log ||J_{l-1} ... J_0 u|| for l = 0..depth, one row per random tanh network."""
    r = cu.make_rng(seed)
    z = r.standard_normal((n_nets, width))
    u = r.standard_normal((n_nets, width))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    out = np.zeros((n_nets, depth + 1))
    for layer in range(depth):
        W = r.standard_normal((n_nets, width, width)) * (sigma_w / np.sqrt(width))
        z = np.tanh(np.einsum("nij,nj->ni", W, z))
        u = (1 - z**2) * np.einsum("nij,nj->ni", W, u)
        out[:, layer + 1] = np.log(np.linalg.norm(u, axis=1))
    return out


width, depth, n_nets = 128, 30, 24  # width 512 for class
sigmas = [0.8, 1.0, 1.5, 2.5]
measured = {s: log_norm_measured(s, depth, width, n_nets, seed=10 + i) for i, s in enumerate(sigmas)}

fig, ax = plt.subplots(figsize=(6, 3.8))
layers = np.arange(depth + 1)
for s in sigmas:
    m = measured[s]
    line = ax.errorbar(layers[::3], m.mean(0)[::3], 2 * m.std(0, ddof=1)[::3] / np.sqrt(n_nets), fmt="o", ms=4, capsize=2,
                       label=rf"$\sigma_w = {s}$")
    ax.plot(layers, log_norm_theory(s, depth, width), color=line[0].get_color(), lw=1)
cu.plotting.label(ax, "depth $l$", r"$\log\|J_{l-1}\cdots J_0 u\|$", f"tanh networks, width {width}: points ± 2 s.e., lines mean field")
ax.legend(ncol=2, fontsize="small")
plt.show()

# %%
# Check: at depth 30 the mean over 24 networks of log||J u|| matches the mean-field prediction
# with its 1/N correction within 4 standard errors of that mean (s.e. measured from the spread
# over networks: 0.05-0.12 here, where the deviations are 0.6, 1.2, 1.1, 0.9 s.e.; at most
# 2.4 s.e. over COURSE_UTILS_SEED = 0-5, 24 cases; with 96 networks at another seed, within 1.1
# s.e. at every sigma_w). Plausible wrong formula: the linear-network factor chi = sigma_w^2
# (forgetting phi') predicts L log(sigma_w) = +12.2 and +27.5 at sigma_w = 1.5 and 2.5
# (measured means 1.3 and 6.7, over 80 s.e. away at every seed tried); asserted against on the
# chaotic side sigma_w > 1 (below 1, q -> 0 and phi' -> 1, so it is only 0.7 off at
# sigma_w = 0.8). The leading mean field without the 1/N term is off by 0.12 (sigma_w = 0.8) to
# 0.42 (sigma_w = 2.5), comparable to 4 s.e. at 24 networks, so the 1/N term is included but
# not separately asserted.
print("depth 30:  measured mean ± s.e.   mean field (with 1/N)   linear net (chi = sigma_w^2)")
for s in sigmas:
    last = measured[s][:, -1]
    se = last.std(ddof=1) / np.sqrt(n_nets)
    theory = log_norm_theory(s, depth, width)[-1]
    within = abs(last.mean() - theory) < 4 * se
    print(f"sigma_w = {s}: {last.mean():6.1f} ± {se:.1f}   {theory:6.1f}   {depth * np.log(s):6.1f}   within 4 s.e.: {within}")
    assert within
    if s > 1:
        assert abs(last.mean() - depth * np.log(s)) > 4 * se

# %%
# Check: the growth rate per layer. The slope of log||J u|| over layers 10..30 (one fit per
# network; s.e. from their spread, 0.002-0.005) must match the slope of the mean-field curve,
# (1/2) log chi - (3 kappa - 1)/(4N) per layer at the fixed point, within 4 s.e. (measured here
# within 1.0 s.e.; over COURSE_UTILS_SEED = 0-5, 24 cases, within 2.7 s.e.). The linear-network
# rate log(sigma_w), the plausible wrong chi = sigma_w^2, is 0.405 and 0.916 at sigma_w = 1.5
# and 2.5, more than 50 s.e. from the measured 0.057 and 0.225 at every seed tried.
fit_layers = layers[10:]
print("slope per layer (l = 10..30):  measured ± s.e.   mean field   linear net log(sigma_w)")
for s in sigmas:
    per_net = np.polyfit(fit_layers, measured[s][:, 10:].T, 1)[0]
    slope_se = per_net.std(ddof=1) / np.sqrt(n_nets)
    slope_th = np.polyfit(fit_layers, log_norm_theory(s, depth, width)[10:], 1)[0]
    ok = abs(per_net.mean() - slope_th) < 4 * slope_se
    print(f"sigma_w = {s}: {per_net.mean():+.3f} ± {slope_se:.3f}   {slope_th:+.3f}   {np.log(s):+.3f}   within 4 s.e.: {ok}")
    assert ok
    if s > 1:
        assert abs(per_net.mean() - np.log(s)) > 4 * slope_se

# %% [markdown]
# The gradient with respect to the first layer's weights is $\lambda_1 z_0^T$ (section 2),
# so its size follows $\|\lambda_1\|$: over 30 layers the product of Jacobians shrinks a vector by
# about $e^{-7.5}\approx 6\times10^{-4}$ at $\sigma_w = 0.8$ and stretches it by about
# $e^{6.5}\approx 700$ at $\sigma_w = 2.5$. Lecture 03's
# remedies (initialising at $\sigma_w^2 = 1$ for tanh, normalisation layers, residual connections)
# are ways of keeping $\chi\approx1$.
#
# ### Live: the weight scale
# The slider sets $\sigma_w$; the figure shows $\log\|J_{l-1}\cdots J_0 u\|$ for 8 networks of
# width 128 against the mean-field line.

# %%
def plot_gradient_norm(sigma_w=1.5):
    runs = log_norm_measured(sigma_w, 30, 128, 8, seed=20)
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    ax.plot(np.arange(31), runs.T, color="C0", lw=0.8, alpha=0.6)
    ax.plot(np.arange(31), log_norm_theory(sigma_w, 30, 128), "k--", label="mean field")
    cu.plotting.label(ax, "depth $l$", r"$\log\|J_{l-1}\cdots J_0 u\|$", rf"$\sigma_w = {sigma_w:.2f}$, 8 networks")
    ax.legend()
    plt.show()


plot_gradient_norm(sigma_w=1.5)

# %%
# NBVAL_IGNORE_OUTPUT
cu.plotting.live(plot_gradient_norm, sigma_w=(0.5, 3.0, 0.05))

# %% [markdown]
# ## Exercises

# %% [markdown]
# **Exercise 1. Two-layer backprop by hand (notes, Problem 1).** For
# $\mathcal L = (y - \hat y)^2$ with $\hat y = \frac1N\sum_{i=1}^N a_i\,\sigma(\mathbf w_i^T\mathbf x + b_i)$,
# derive $\partial\mathcal L/\partial\mathbf w_i$ with the chain rule, then check it against torch
# autograd for a sigmoid $\sigma$, $N = 6$, $d = 3$.

# %% tags=["solution"]
# Solution 1: dL/dw_i = -2 (y - yhat) (a_i / N) sigma'(w_i^T x + b_i) x, with sigma' = sigma (1 - sigma).
r1 = cu.make_rng(30)
N1, d1 = 6, 3
w1, a1, b1 = r1.normal(size=(N1, d1)), r1.normal(size=N1), r1.normal(size=N1)
x1, y1 = r1.normal(size=d1), 0.7
s1 = 1 / (1 + np.exp(-(w1 @ x1 + b1)))
yhat = a1 @ s1 / N1
by_hand = (-2 * (y1 - yhat) * a1 / N1 * s1 * (1 - s1))[:, None] * x1[None, :]
tw = torch.tensor(w1, dtype=DT, requires_grad=True)
t_yhat = (torch.tensor(a1, dtype=DT) * torch.sigmoid(tw @ torch.tensor(x1, dtype=DT) + torch.tensor(b1, dtype=DT))).sum() / N1
((y1 - t_yhat) ** 2).backward()
print("hand-derived dL/dw_i equals autograd to round-off:", float(np.abs(by_hand - tw.grad.numpy()).max()) < 1e-14)

# %% [markdown]
# **Exercise 2. When forward mode wins.** For a map $\mathbb R\to\mathbb R^m$,
# $x\mapsto \tanh(W_2\tanh(w_1 x))$ with $w_1\in\mathbb R^{64}$, $W_2\in\mathbb R^{m\times64}$,
# count the FLOPs of the full Jacobian (a column of length $m$) by one jvp and by $m$ vjps,
# for $m = 8, 64, 256$.

# %% tags=["solution"]
# Solution 2: one jvp gives the whole column; reverse mode needs one vjp per output.
for m in (8, 64, 256):
    w_in = torch.randn(64, 1, generator=gen, dtype=DT)
    W_out = torch.randn(m, 64, generator=gen, dtype=DT) / 8
    G = lambda x: torch.tanh(torch.tanh(x @ w_in.T) @ W_out.T)  # x of shape (1, 1)
    x_one = torch.ones(1, 1, dtype=DT)
    f_j, col_j = flops(lambda: jvp(G, (x_one,), (torch.ones(1, 1, dtype=DT),))[1][0])
    _, pull = vjp(G, x_one)
    f_v, col_v = flops(lambda: torch.stack([pull(e[None])[0][0, 0] for e in torch.eye(m, dtype=DT)]))
    print(f"m = {m:3d}: one jvp {f_j:7d} FLOPs, {m} vjps {f_v:8d} FLOPs; columns agree: {bool(torch.allclose(col_j, col_v))}")

# %% [markdown]
# **Exercise 3. Symplectic pairing (on paper, then numerically).** Show that in the network of
# section 3 the number $\lambda_k^T\delta z_k$ is the same at every layer when a perturbation
# $\delta z_0$ of the input is propagated by $\delta z_{k+1} = J_k\delta z_k$. Check it with
# `backprop.mlp_adjoints` for one sample, and explain why it equals $\nabla_x C^T\delta z_0$.

# %% tags=["solution"]
# Solution 3: lambda_k^T dz_k = lambda_{k+1}^T J_k dz_k = lambda_{k+1}^T dz_{k+1}; at k = 0 it is
# grad_x C . dz_0, the directional derivative that forward mode computes (jvp = vjp pairing).
dz = cu.make_rng(31).normal(size=sizes[0])
pairings = [lams[0][0] @ dz]
for k, (W, _) in enumerate(params):
    dz = W @ dz
    if k < len(params) - 1:
        dz = (1 - zs[k + 1][0] ** 2) * dz
    pairings.append(lams[k + 1][0] @ dz)
print("lambda_k . dz_k equal at every layer (to 1e-14):", float(np.ptp(pairings)) < 1e-14 * max(1.0, abs(pairings[0])))

# %% [markdown]
# **Exercise 4. The residual network as a symplectic integrator (on paper).** For
# $f_k(z) = z + h\,F(z)$ write the discrete Lagrangian of section 2 as
# $C(z_T) - \sum_k h\,[\lambda_{k+1}^T (z_{k+1} - z_k)/h - H(z_k, \lambda_{k+1})]$ with
# $H = \lambda^T F$, and show that its stationarity conditions are the symplectic Euler scheme
# for Hamilton's equations of section 5.

# %% [markdown]
# ## References
# - C. Miyamoto, *Machine Learning for Physicists: Recitation Notes*, section 1.2 (matrix calculus,
#   Problem 1).
# - Y. LeCun, lecture on energy-based models, section 6.1, in *Lecture Notes from Beg Rohu 2025*
#   (C. Miyamoto); Y. LeCun, *A theoretical framework for back-propagation*, Proc. 1988
#   Connectionist Models Summer School, 21-28 (1988).
# - K. B. Petersen, M. S. Pedersen, *The Matrix Cookbook* (2012).
# - A. G. Baydin, B. A. Pearlmutter, A. A. Radul, J. M. Siskind, *Automatic differentiation in
#   machine learning: a survey*, JMLR 18, 1 (2018); A. Griewank, A. Walther, *Evaluating
#   Derivatives*, SIAM (2008).
# - L. S. Pontryagin et al., *The Mathematical Theory of Optimal Processes*, Interscience (1962);
#   R. T. Q. Chen, Y. Rubanova, J. Bettencourt, D. Duvenaud, *Neural ordinary differential
#   equations*, NeurIPS (2018).
# - B. Poole, S. Lahiri, M. Raghu, J. Sohl-Dickstein, S. Ganguli, *Exponential expressivity in deep
#   neural networks through transient chaos*, NeurIPS (2016); S. S. Schoenholz, J. Gilmer,
#   S. Ganguli, J. Sohl-Dickstein, *Deep information propagation*, ICLR (2017).
