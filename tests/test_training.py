"""training: signal propagation, whitening, normalisation, optimisers, MLPs against exact results."""

import numpy as np
import pytest
import torch

from course_utils import training as tr


def test_init_weights_statistics_and_constant():
    W = tr.init_weights(400, 300, "kaiming", rng=0)
    assert W.shape == (300, 400)
    # 120000 draws: the sample variance has relative error ~ sqrt(2/120000) ~ 0.4%
    assert W.var() * 400 == pytest.approx(2.0, rel=0.02)
    assert tr.init_weights(400, 300, "lecun", rng=0).var() * 400 == pytest.approx(1.0, rel=0.02)
    C = tr.init_weights(5, 3, "constant")
    np.testing.assert_array_equal(C, np.full((3, 5), 0.2))
    assert tr.init_weights(4, 2, "lecun", rng=1, size=(7,)).shape == (7, 2, 4)


def test_gaussian_moment_closed_forms():
    q = np.array([0.0, 0.3, 1.0, 5.0])
    np.testing.assert_allclose(tr.gaussian_activation_moment(q, "relu"), q / 2)
    np.testing.assert_allclose(tr.gaussian_activation_moment(q, "linear"), q)
    # tanh: small-q expansion E tanh^2 = q - 2 q^2 + O(q^3), and a brute-force quadrature
    small = tr.gaussian_activation_moment(1e-3, "tanh")
    assert small == pytest.approx(1e-3 - 2e-6, rel=1e-4)
    z = np.linspace(-40, 40, 400001)
    dens = np.exp(-z**2 / 10) / np.sqrt(10 * np.pi)
    brute = np.sum(np.tanh(z) ** 2 * dens) * (z[1] - z[0])
    assert tr.gaussian_activation_moment(5.0, "tanh") == pytest.approx(brute, abs=1e-9)


def test_variance_recursion_relu_closed_form():
    # ReLU: q_{l+1} = sigma_w^2 q_l / 2 (+ sigma_b^2): Kaiming preserves, LeCun halves
    # (q_1 = sigma_w^2 q_0: the input itself is not passed through phi)
    np.testing.assert_allclose(tr.variance_recursion(1.0, 6, 2.0, "relu"), 2 * np.ones(6))
    np.testing.assert_allclose(tr.variance_recursion(1.0, 6, 1.0, "relu"), 0.5 ** np.arange(6))
    q = tr.variance_recursion(1.0, 40, 1.0, "relu", sigma_b2=0.5)  # fixed point q* = 0.5 / (1 - 1/2) = 1
    assert q[-1] == pytest.approx(1.0, abs=1e-9)
    batch = tr.variance_recursion(np.array([1.0, 2.0]), 3, np.array([[1.0], [2.0]]), "linear")
    assert batch.shape == (2, 2, 3)
    np.testing.assert_allclose(batch[1, 1], [4.0, 8.0, 16.0])


def test_propagate_mlp_matches_recursion_and_constant_collapses():
    x = np.random.default_rng(0).standard_normal((64, 200))
    for scheme in ("kaiming", "lecun"):
        q = tr.propagate_mlp(x, 8, 200, scheme, "relu", n_networks=16, seed=1)["q"]
        assert q.shape == (16, 8)
        # ReLU: E_W q_{l+1} = (sigma_w^2 / 2) q_l exactly; per network the 7-layer factor fluctuates
        # by ~sqrt(2/200)/sqrt(7) ~ 4%, so the mean over 16 networks is good to ~1%: allow 4%
        factor = ((q[:, -1] / q[:, 0]) ** (1 / 7)).mean()
        assert factor == pytest.approx(tr.INIT_GAINS[scheme] / 2, rel=0.04)
        assert q[:, 0].mean() == pytest.approx(tr.INIT_GAINS[scheme] * (x**2).mean(), rel=0.04)
    q = tr.propagate_mlp(x, 8, 200, "lecun", "tanh", n_networks=16, seed=1)["q"]
    th = tr.variance_recursion((x**2).mean(), 8, 1.0, "tanh")
    np.testing.assert_allclose(q.mean(axis=0), th, rtol=0.05)  # Gaussian closure, O(1/width) corrections
    q2 = tr.propagate_mlp(x, 3, 200, sigma_w2=2.0, n_networks=2, seed=1)["q"]
    np.testing.assert_allclose(q2, tr.propagate_mlp(x, 3, 200, "kaiming", n_networks=2, seed=1)["q"])
    const = tr.propagate_mlp(x, 4, 50, "constant", "relu")
    np.testing.assert_allclose(const["neuron_spread"], 0.0, atol=1e-12)  # all neurons identical


def test_whitening_identity_covariance_and_zca_closest():
    rng = np.random.default_rng(2)
    A = rng.standard_normal((3, 3))
    X = rng.standard_normal((500, 3)) @ A.T + 5.0
    out = {}
    for method in ("zca", "pca"):
        W, mu = tr.whitening_matrix(X, method)
        Z = (X - mu) @ W.T
        np.testing.assert_allclose(Z.T @ Z / 500, np.eye(3), atol=1e-10)
        np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-10)
        out[method] = (W, Z)
    Wz, Zz = out["zca"]
    np.testing.assert_allclose(Wz, Wz.T, atol=1e-12)
    # any whitening is R W_zca with R orthogonal; ZCA minimises E||z - x_c||^2 among them
    Q = np.linalg.qr(rng.standard_normal((3, 3)))[0]
    Xc = X - X.mean(axis=0)
    for Z in (out["pca"][1], Zz @ Q.T):
        assert ((Zz - Xc) ** 2).sum() < ((Z - Xc) ** 2).sum()


def test_batch_and_layer_norm_match_torch():
    x = np.random.default_rng(3).standard_normal((16, 8)) * 3 + 1
    bn = torch.nn.BatchNorm1d(8, dtype=torch.float64).train()
    ln = torch.nn.LayerNorm(8, dtype=torch.float64)
    xt = torch.tensor(x)
    np.testing.assert_allclose(tr.batch_norm(x), bn(xt).detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(tr.layer_norm(x), ln(xt).detach().numpy(), atol=1e-12)
    y = tr.batch_norm(x, gamma=2.0, beta=-1.0, eps=1e-12)
    np.testing.assert_allclose(y.mean(axis=0), -1.0, atol=1e-12)
    np.testing.assert_allclose(y.std(axis=0), 2.0, atol=1e-9)


def test_gd_rate_and_optimizers_on_quadratic():
    H = np.diag([1.0, 10.0])
    lr, rho = tr.gd_rate(H)
    assert lr == pytest.approx(2 / 11) and rho == pytest.approx(9 / 11)
    th = tr.optimize_quadratic(H, np.array([1.0, 1.0]), 5, "gd", lr)
    # with the optimal step both eigencomponents contract by exactly rho in magnitude
    np.testing.assert_allclose(np.abs(th[-1]), rho**5, rtol=1e-12)
    newton = tr.optimize_quadratic(H, np.array([[3.0, -2.0], [1.0, 1.0]]), 4, "newton", 0.5)
    assert newton.shape == (5, 2, 2)
    np.testing.assert_allclose(newton[-1], newton[0] * 0.5**4, rtol=1e-12)
    # affine invariance: Newton on L(A^{-1} phi) from A theta0 gives A theta_t
    A = np.array([[2.0, 1.0], [0.0, 0.5]])
    Ai = np.linalg.inv(A)
    phi = tr.optimize_quadratic(Ai.T @ H @ Ai, A @ [1.0, 1.0], 3, "newton", 0.3)
    np.testing.assert_allclose(phi, tr.optimize_quadratic(H, np.array([1.0, 1.0]), 3, "newton", 0.3) @ A.T,
                               atol=1e-12)
    # Adam, first step: m_hat / sqrt(v_hat) = sign(g), so theta_1 = theta_0 - lr sign(g) (eps = 0)
    adam = tr.optimize_quadratic(H, np.array([1.0, -2.0]), 1, "adam", 0.1, eps=0.0)
    np.testing.assert_allclose(adam[1], [0.9, -1.9])


def test_make_mlp_residual_and_gradients():
    torch.manual_seed(0)
    m = tr.make_mlp(3, 16, 4, 2, init="lecun", norm="layer", residual=True, residual_scale=0.0)
    x = torch.randn(10, 3)
    assert m(x).shape == (10, 2)
    # zero residual scale: every block is the identity, f = Linear_out(Linear_in(x))
    np.testing.assert_allclose(m(x).detach(), m[-1](m[0](x)).detach(), atol=1e-6)
    assert all(layer.bias is None for layer in m[1].f if isinstance(layer, torch.nn.Linear))
    g = tr.layer_gradient_norms(tr.make_mlp(3, 16, 5), x.numpy())
    assert g.shape == (5,) and np.all(g > 0)
    # a linear network (identity residual branch off): gradient equals W^T of the output layer
    lin = tr.make_mlp(3, 4, 1, 1, residual=True, residual_scale=0.0)
    gl = tr.layer_gradient_norms(lin, x.numpy())
    out = lin(x).detach()
    assert gl[0] == pytest.approx(float((out**2).sum() * (lin[-1].weight.detach() ** 2).sum()), rel=1e-5)


def test_train_regression_reduces_loss():
    torch.manual_seed(1)
    X = np.random.default_rng(4).standard_normal((64, 2))
    y = (X[:, :1] * X[:, 1:]).astype(float)
    losses = tr.train_regression(tr.make_mlp(2, 32, 2), X, y, 200, 1e-2)
    assert losses.shape == (200,) and losses[-1] < 0.2 * losses[0]
    batch = tr.train_regression(tr.make_mlp(2, 8, 1, norm="batch"), X, y, 5, 1e-2, batch_size=16, optimizer="sgd")
    assert np.all(np.isfinite(batch))


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: tr.init_weights(0, 3), "n_in must be >= 1"),
        (lambda: tr.init_weights(3, 3, "xavier"), "scheme must be one of"),
        (lambda: tr.gaussian_activation_moment(-1.0), "q must be >= 0"),
        (lambda: tr.variance_recursion(1.0, 0, 1.0), "depth must be >= 1"),
        (lambda: tr.variance_recursion(1.0, 3, 1.0, "gelu"), "activation must be one of"),
        (lambda: tr.propagate_mlp(np.ones(3), 2, 4), "x must have 2 dimensions"),
        (lambda: tr.whitening_matrix(np.ones((2, 3))), "more rows"),
        (lambda: tr.whitening_matrix(np.ones((10, 2))), "singular"),
        (lambda: tr.batch_norm(np.ones((1, 3))), "at least 2 samples"),
        (lambda: tr.gd_rate(np.array([[1.0, 0.0], [0.0, -1.0]])), "positive definite"),
        (lambda: tr.optimize_quadratic(np.eye(2), np.ones(3), 3), "theta0 must have last axis 2"),
        (lambda: tr.optimize_quadratic(np.eye(2), np.ones(2), 3, "sgd"), "method must be one of"),
        (lambda: tr.optimize_quadratic(np.eye(2), np.ones(2), 3, lr=0.0), "lr must be > 0"),
        (lambda: tr.make_mlp(2, 4, 2, norm="group"), "norm must be one of"),
        (lambda: tr.train_regression(tr.make_mlp(2, 4, 1), np.ones((5, 2)), np.ones((4, 1)), 2, 0.1), "y must have 5"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def _stacked_reference(X, y, width, lr, steps, seed, parameterization="sp", base_width=32, n_seeds=2):
    """The same network and Adam in plain torch.nn / torch.optim, for one lr and one initialisation."""
    from course_utils.seeding import torch_generator

    gen = torch_generator(seed)
    d = X.shape[1]
    W1 = torch.randn(n_seeds, width, d, generator=gen) * float(np.sqrt(2.0 / d))  # initialisation 0 is row 0
    w2 = torch.randn(n_seeds, width, generator=gen)
    std, mult = 1 / np.sqrt(width), 1.0
    if parameterization == "mup":
        std, mult = np.sqrt(base_width) / width, base_width / width
    W1 = W1[0].clone().requires_grad_(True)
    b1 = torch.zeros(width, requires_grad=True)
    w2 = (w2[0] * float(std)).clone().requires_grad_(True)
    b2 = torch.zeros((), requires_grad=True)
    opt = torch.optim.Adam([{"params": [W1, b1, b2], "lr": lr}, {"params": [w2], "lr": lr * mult}])
    Xt, yt = torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y, dtype=torch.float32)
    losses = []
    for _ in range(steps + 1):
        loss = ((torch.relu(Xt @ W1.T + b1) @ w2 + b2 - yt) ** 2).mean()
        losses.append(float(loss.detach()))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return np.array(losses)


def test_train_stacked_mlp_matches_torch_adam():
    X = np.random.default_rng(0).standard_normal((20, 3))
    y = np.sin(X[:, 0]) + X[:, 1]
    lrs = [0.003, 0.03]
    for par in ("sp", "mup"):
        out = tr.train_stacked_mlp(X, y, 64, lrs, 15, parameterization=par, n_seeds=2, seed=5)
        assert out["train_loss"].shape == (16, 2, 2) and out["weight_norm2"].shape == (2, 2)
        # initialisation j is shared by every lr: identical losses at step 0
        np.testing.assert_array_equal(out["train_loss"][0, 0], out["train_loss"][0, 1])
        for i, lr in enumerate(lrs):
            ref = _stacked_reference(X, y, 64, lr, 15, 5, par)
            np.testing.assert_allclose(out["train_loss"][:, i, 0], ref, rtol=1e-4, atol=1e-6)


def test_train_stacked_mlp_mup_equals_sp_at_base_width_and_scales():
    X = np.random.default_rng(1).standard_normal((16, 4))
    y = X[:, 0] * X[:, 1]
    a = tr.train_stacked_mlp(X, y, 32, [0.01, 0.1], 10, parameterization="sp", seed=3)
    for par in ("mup", "mup_sqrt"):
        b = tr.train_stacked_mlp(X, y, 32, [0.01, 0.1], 10, parameterization=par, base_width=32, seed=3)
        np.testing.assert_array_equal(a["train_loss"], b["train_loss"])
    # at width n the mup read-out starts with weights scaled by sqrt(n0/n) relative to sp: with zero steps
    # the squared norms differ by exactly n0/n in the read-out part
    sp = tr.train_stacked_mlp(X, y, 128, 0.01, 0, seed=4)["weight_norm2"]
    mp = tr.train_stacked_mlp(X, y, 128, 0.01, 0, parameterization="mup", base_width=32, seed=4)["weight_norm2"]
    w1 = tr.train_stacked_mlp(X, y, 128, 0.01, 0, parameterization="mup", base_width=128, seed=4)["weight_norm2"]
    np.testing.assert_allclose(w1, sp)  # base width = width: sp exactly
    # sp - mup = ||w2_sp||^2 (1 - n0/n): positive, and the W1 part is common
    assert np.all(mp < sp)


def test_train_stacked_mlp_ema_dropout_decay_and_eval_sets():
    X = np.random.default_rng(2).standard_normal((24, 3))
    y = X[:, 0]
    ev = {"val": (X[:8], y[:8]), "test": (X[8:], y[8:])}
    out = tr.train_stacked_mlp(X, y, 16, 0.01, 0, ema_decay=0.9, eval_sets=ev, seed=1)
    # zero steps: every loss is the loss of the initial network; the EMA equals theta_0
    np.testing.assert_array_equal(out["val_loss"], out["val_loss_ema"])
    full = tr.train_stacked_mlp(X, y, 16, 0.01, 0, eval_sets={"all": (X, y)}, seed=1)
    np.testing.assert_allclose(full["all_loss"], out["train_loss"], rtol=1e-6)
    n_val, n_test = 8, 16
    np.testing.assert_allclose((n_val * out["val_loss"] + n_test * out["test_loss"]) / 24, out["train_loss"], rtol=1e-5)
    # one step: the EMA is beta theta_0 + (1 - beta) theta_1, so a decay near 0 follows the iterate
    one = tr.train_stacked_mlp(X, y, 16, 0.01, 1, ema_decay=1e-9, eval_sets=ev, seed=1)
    np.testing.assert_allclose(one["val_loss_ema"][-1], one["val_loss"][-1], rtol=1e-5)
    # weight decay shrinks the weights; dropout with p = 0 is the plain run
    plain = tr.train_stacked_mlp(X, y, 16, 0.05, 50, seed=1)
    decayed = tr.train_stacked_mlp(X, y, 16, 0.05, 50, weight_decay=0.1, seed=1)
    assert np.all(decayed["weight_norm2"] < plain["weight_norm2"])
    np.testing.assert_array_equal(tr.train_stacked_mlp(X, y, 16, 0.05, 5, dropout=0.0, seed=1)["train_loss"],
                                  plain["train_loss"][:6])
    dropped = tr.train_stacked_mlp(X, y, 16, 0.05, 5, dropout=0.5, seed=1)["train_loss"]
    assert not np.allclose(dropped, plain["train_loss"][:6])
    np.testing.assert_array_equal(dropped[0], plain["train_loss"][0])  # same initial network


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(dropout=1.0), "dropout must be < 1"),
        (dict(parameterization="ntk"), "parameterization must be one of"),
        (dict(eval_sets={"v": (np.ones((3, 2)), np.ones(3))}), "eval_sets\\['v'\\] must be"),
        (dict(ema_decay=1.0), "ema_decay"),
        (dict(batch_size=20), "batch_size"),
    ],
)
def test_train_stacked_mlp_bad_input(kwargs, match):
    X, y = np.ones((10, 3)), np.ones(10)
    with pytest.raises(ValueError, match=match):
        tr.train_stacked_mlp(X, y, 4, 0.01, 2, **kwargs)
