"""Unit tests for course_utils.backprop against exact results."""

import numpy as np
import pytest
import torch

import course_utils as cu
from course_utils.backprop import mlp_adjoints, mlp_loss_and_grads


def _net(seed=0, sizes=(3, 5, 4, 2), B=6):
    rng = cu.make_rng(seed)
    params = [(rng.normal(size=(m, n)) / np.sqrt(n), rng.normal(size=m) * 0.1)
              for n, m in zip(sizes[:-1], sizes[1:])]
    return params, rng.normal(size=(B, sizes[0])), rng.normal(size=(B, sizes[-1]))


def test_single_linear_layer_exact():
    # z_T = W x + b with W = [[2]], b = [1], x = 1, y = 0: loss = 9/2, dW = 3, db = 3
    loss, grads = mlp_loss_and_grads([(np.array([[2.0]]), np.array([1.0]))], np.array([[1.0]]), np.array([[0.0]]))
    assert loss == pytest.approx(4.5)
    assert grads[0][0][0, 0] == pytest.approx(3.0)
    assert grads[0][1][0] == pytest.approx(3.0)


@pytest.mark.parametrize("activation", ["tanh", "relu", "linear"])
def test_matches_torch_autograd(activation):
    params, x, y = _net(seed=1)
    loss, grads = mlp_loss_and_grads(params, x, y, activation=activation)
    act = {"tanh": torch.tanh, "relu": torch.relu, "linear": lambda a: a}[activation]
    tp = [(torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)) for W, b in params]
    z = torch.tensor(x)
    for k, (W, b) in enumerate(tp):
        z = z @ W.T + b
        if k < len(tp) - 1:
            z = act(z)
    tl = 0.5 * ((z - torch.tensor(y)) ** 2).sum() / x.shape[0]
    tl.backward()
    assert loss == pytest.approx(tl.item(), rel=1e-12)
    for (dW, db), (W, b) in zip(grads, tp):
        assert dW.shape == W.shape and db.shape == b.shape
        np.testing.assert_allclose(dW, W.grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(db, b.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_matches_finite_differences():
    params, x, y = _net(seed=2)
    _, grads = mlp_loss_and_grads(params, x, y)
    eps = 1e-6
    for k in range(len(params)):
        W = params[k][0]
        for idx in [(0, 0), (W.shape[0] - 1, W.shape[1] - 1)]:
            old = W[idx]
            W[idx] = old + eps
            lp, _ = mlp_loss_and_grads(params, x, y)
            W[idx] = old - eps
            lm, _ = mlp_loss_and_grads(params, x, y)
            W[idx] = old
            assert grads[k][0][idx] == pytest.approx((lp - lm) / (2 * eps), rel=1e-6, abs=1e-9)


def test_loss_is_mean_over_batch():
    params, x, y = _net(seed=3)
    loss2, g2 = mlp_loss_and_grads(params, np.vstack([x, x]), np.vstack([y, y]))
    loss1, g1 = mlp_loss_and_grads(params, x, y)
    assert loss2 == pytest.approx(loss1, rel=1e-12)
    np.testing.assert_allclose(g2[0][0], g1[0][0], rtol=1e-12)


def test_bad_activation_raises():
    params, x, y = _net()
    with pytest.raises(ValueError, match="activation"):
        mlp_loss_and_grads(params, x, y, activation="softplus")


@pytest.mark.parametrize("activation", ["tanh", "relu", "linear"])
def test_adjoints_are_dloss_dz_from_autograd(activation):
    params, x, y = _net(seed=4)
    zs, lams = mlp_adjoints(params, x, y, activation=activation)
    act = {"tanh": torch.tanh, "relu": torch.relu, "linear": lambda a: a}[activation]
    z = torch.tensor(x, requires_grad=True)
    tz = [z]
    for k, (W, b) in enumerate(params):
        z = z @ torch.tensor(W).T + torch.tensor(b)
        if k < len(params) - 1:
            z = act(z)
        z.retain_grad()
        tz.append(z)
    tl = 0.5 * ((z - torch.tensor(y)) ** 2).sum() / x.shape[0]
    tl.backward()
    assert len(zs) == len(lams) == len(params) + 1
    for k in range(len(zs)):
        np.testing.assert_allclose(zs[k], tz[k].detach().numpy(), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(lams[k], tz[k].grad.numpy(), rtol=1e-10, atol=1e-14)


def test_adjoints_exact_linear_chain():
    # z1 = 2 z0, z2 = 3 z1 (linear, no bias), y = 0, x = 1: z2 = 6, lambda_2 = 6,
    # lambda_1 = 3 * 6 = 18, lambda_0 = 2 * 18 = 36 = dC/dx of C = (6x)^2 / 2
    params = [(np.array([[2.0]]), np.zeros(1)), (np.array([[3.0]]), np.zeros(1))]
    zs, lams = mlp_adjoints(params, np.array([[1.0]]), np.array([[0.0]]), activation="linear")
    assert [float(z[0, 0]) for z in zs] == [1.0, 2.0, 6.0]
    assert [float(lam[0, 0]) for lam in lams] == [36.0, 18.0, 6.0]


def test_adjoints_give_the_weight_gradient():
    # dC/dW_k = lambda_{k+1}-weighted outer product: for the last (linear) layer dW = lam_T^T z_{T-1}
    params, x, y = _net(seed=5)
    zs, lams = mlp_adjoints(params, x, y)
    _, grads = mlp_loss_and_grads(params, x, y)
    np.testing.assert_allclose(grads[-1][0], lams[-1].T @ zs[-2], rtol=1e-12)
    np.testing.assert_allclose(grads[-1][1], lams[-1].sum(axis=0), rtol=1e-12)


def test_adjoints_bad_input():
    params, x, y = _net()
    with pytest.raises(ValueError, match="y"):
        mlp_adjoints(params, x, y[:, :1])
