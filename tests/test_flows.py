"""flows against exact results: autograd Jacobians, exact inverses, normalisation on a grid,
the ELBO bound on a target with known Z, and closed forms (Box-Muller, Gaussian mixtures)."""

import math

import numpy as np
import pytest
import torch

from course_utils import flows


@pytest.fixture(autouse=True)
def _seed():
    torch.set_num_threads(1)  # tiny tensors: threads only add overhead (and contention on CI)
    torch.manual_seed(0)
    torch.set_default_dtype(torch.float32)


def randomised_flow(dim=2, n_layers=3, hidden=16, scale=0.5, seed=0):
    """A RealNVP whose zero-initialised last layers are replaced by random ones (not the identity)."""
    torch.manual_seed(seed)
    flow = flows.RealNVP(dim, n_layers, hidden)
    with torch.no_grad():
        for p in flow.parameters():
            p.add_(scale * torch.randn_like(p))
    return flow.double()


@pytest.mark.parametrize("dim", [2, 3, 5])
def test_log_det_matches_autograd_jacobian(dim):
    flow = randomised_flow(dim=dim)
    x = torch.randn(6, dim, dtype=torch.float64)
    z, log_det = flow(x)
    for i in range(x.shape[0]):
        J = torch.autograd.functional.jacobian(lambda v: flow(v[None])[0][0], x[i])
        assert torch.linalg.slogdet(J)[1].item() == pytest.approx(log_det[i].item(), abs=1e-10)
    # the Jacobian of one coupling layer is triangular in the (kept, transformed) ordering
    layer = flow.layers[0]
    J = torch.autograd.functional.jacobian(lambda v: layer(v[None])[0][0], x[0])
    kept = layer.mask.bool()
    assert torch.all(J[kept][:, ~kept] == 0)
    assert torch.allclose(J[kept][:, kept], torch.eye(int(kept.sum()), dtype=J.dtype))


def test_inverse_undoes_forward_and_sample_log_prob_agree():
    flow = randomised_flow(dim=4, n_layers=4)
    x = 2 * torch.randn(200, 4, dtype=torch.float64)
    z, _ = flow(x)
    assert torch.allclose(flow.inverse(z), x, atol=1e-10)
    xs, log_q = flow.sample_with_log_prob(100, torch.Generator().manual_seed(1))
    assert torch.allclose(flow.log_prob(xs), log_q, atol=1e-10)


def test_identity_at_initialisation():
    flow = flows.RealNVP(2, 4, 8)
    x = torch.randn(10, 2)
    z, log_det = flow(x)
    assert torch.equal(z, x) and torch.all(log_det == 0)


def test_scale_is_bounded():
    flow = randomised_flow(n_layers=1, scale=50.0)
    _, log_det = flow(100 * torch.randn(500, 2, dtype=torch.float64))
    # one layer transforms one of two coordinates by exp(s), |s| <= s_max = 2
    assert log_det.abs().max().item() <= 2.0 + 1e-12


def test_density_integrates_to_one_on_a_grid():
    flow = randomised_flow(n_layers=4, scale=0.15).float()
    assert flow(torch.randn(100, 2))[1].abs().mean() > 0.1  # a genuinely non-volume-preserving map
    X, Y, p = flows.density_on_grid(flow, extent=10.0, n_grid=400)
    h = X[0, 1] - X[0, 0]
    outside = (flow.sample(20000).abs().max(1).values > 10).float().mean().item()
    # mass beyond |x| = 10 (estimated by sampling) is < 1e-4 and the Riemann sum's error ~1e-4
    assert outside < 1e-3
    assert p.sum() * h * h == pytest.approx(1.0, abs=2e-3)


def test_elbo_below_log_z_and_importance_sampling_recovers_it():
    # unnormalised target pi~ = Z N(x; m, diag(s^2)) with Z = e^1.5: an affine map is exact in theory
    m, s, log_z = torch.tensor([1.0, -0.5]), torch.tensor([0.7, 1.4]), 1.5

    def log_target(x):
        return log_z + flows.RealNVP.base_log_prob((x - m) / s) - torch.log(s).sum()

    flow = flows.RealNVP(2, 2, 16)
    hist = flows.train_reverse_kl(flow, log_target, steps=300, batch_size=256, lr=1e-2, seed=0)
    assert hist["elbo"][-20:].mean() > hist["elbo"][:5].mean()
    w = flows.importance_weights(flow, log_target, 20000, seed=3)
    est = flows.log_z_estimates(w["log_w"])
    # ELBO <= log Z always (KL >= 0); allow a Monte Carlo error of 3 standard errors of mean log w
    se = w["log_w"].std() / math.sqrt(w["log_w"].size)
    assert est["elbo"] <= log_z + 3 * se
    assert est["importance"] == pytest.approx(log_z, abs=0.02)
    assert 0.5 * 20000 < flows.effective_sample_size(w["log_w"]) <= 20000


def test_forward_kl_reaches_entropy_of_a_gaussian():
    # data from N(0, diag(4, 1/4)): entropy = log(2 pi e) + log(2 * 1/2) = 2.8379 nats
    rng = np.random.default_rng(0)
    data = rng.standard_normal((4000, 2)) * np.array([2.0, 0.5])
    flow = flows.RealNVP(2, 2, 16)
    hist = flows.train_forward_kl(flow, data, steps=300, batch_size=256, lr=1e-2, snapshot_steps=(0, 300))
    with torch.no_grad():
        nll = -flow.log_prob(torch.as_tensor(data, dtype=torch.float32)).mean().item()
    entropy = math.log(2 * math.pi * math.e)
    assert entropy - 0.01 < nll < entropy + 0.05  # the fit is exact for this family up to training noise
    assert [s for s, _ in hist["snapshots"]] == [0, 300]


def test_effective_sample_size_limits():
    assert flows.effective_sample_size(np.zeros(50)) == pytest.approx(50.0)
    assert flows.effective_sample_size(np.array([0.0, -np.inf, -np.inf])) == pytest.approx(1.0)
    lw = np.log(np.array([1.0, 3.0]))
    assert flows.effective_sample_size(lw) == pytest.approx(16 / 10)
    est = flows.log_z_estimates(np.log(np.array([1.0, 3.0])))
    assert est["importance"] == pytest.approx(math.log(2.0))
    assert est["elbo"] == pytest.approx(0.5 * math.log(3.0))


def test_box_muller_log_det_and_gaussian_density():
    rng = np.random.default_rng(1)
    u = 1.0 - rng.random((5, 2))
    z = flows.box_muller(u)
    for ui, ld in zip(u, flows.box_muller_log_det(u)):
        J = torch.autograd.functional.jacobian(
            lambda v: torch.stack([torch.sqrt(-2 * torch.log(v[0])) * torch.cos(2 * math.pi * v[1]),
                                   torch.sqrt(-2 * torch.log(v[0])) * torch.sin(2 * math.pi * v[1])]),
            torch.tensor(ui))
        assert math.log(abs(torch.linalg.det(J).item())) == pytest.approx(ld, rel=1e-10)
    # change of variables (eq. 9.5): log pi(z) = log nu(u) - log|det| = log N(z; 0, I)
    log_pi = 0.0 - flows.box_muller_log_det(u)
    np.testing.assert_allclose(log_pi, -0.5 * (z**2).sum(1) - math.log(2 * math.pi), rtol=1e-12)


def test_gmm_log_prob_closed_form_and_toy_data():
    means = flows.ring_means(4, 2.0)
    np.testing.assert_allclose(means[1], [0.0, 2.0], atol=1e-12)
    x = torch.zeros(1, 2)
    # at the centre every component is at distance 2: log N = -2/s^2 - log(2 pi s^2)
    s = 0.5
    assert flows.gmm_log_prob(x, means, s).item() == pytest.approx(-2 / s**2 - math.log(2 * math.pi * s**2), rel=1e-6)
    for name in flows.TOY_DATA:
        a, b = flows.toy_data(name, 300, seed=4), flows.toy_data(name, 300, seed=4)
        assert a.shape == (300, 2) and np.array_equal(a, b)
    board = flows.toy_data("checkerboard", 2000, seed=0)
    assert np.all(np.isfinite(flows.checkerboard_log_prob(board)))
    assert flows.checkerboard_log_prob(np.array([[1.0, -1.0]]))[0] == -np.inf
    ring = flows.toy_data("ring", 20000, seed=0)
    assert np.linalg.norm(ring, axis=1).mean() == pytest.approx(3.0, abs=0.05)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: flows.RealNVP(1, 2, 8), "dim must be >= 2"),
        (lambda: flows.RealNVP(2, 0, 8), "n_layers must be >= 1"),
        (lambda: flows.RealNVP(2, 2, 0), "hidden must be >= 1"),
        (lambda: flows.RealNVP(2.0, 2, 8), "dim must be an integer"),
        (lambda: flows.RealNVP(2, 2, 8)(torch.zeros(5, 3)), r"x must have shape \(batch, 2\)"),
        (lambda: flows.RealNVP(2, 2, 8)(torch.zeros(2)), r"x must have shape \(batch, 2\)"),
        (lambda: flows.RealNVP(2, 2, 8).log_prob(torch.full((1, 2), float("nan"))), "finite"),
        (lambda: flows.RealNVP(3, 2, 8).inverse(torch.zeros(4, 2)), r"z must have shape \(batch, 3\)"),
        (lambda: flows.RealNVP(2, 2, 8).sample(0), "n must be >= 1"),
        (lambda: flows.toy_data("spiral", 10), "name must be one of"),
        (lambda: flows.box_muller(np.zeros((3, 2))), r"u must lie in \(0, 1\]"),
        (lambda: flows.train_forward_kl(flows.RealNVP(2, 1, 4), np.zeros((10, 3)), 5), "data must have shape"),
        (lambda: flows.gmm_log_prob(torch.zeros(3, 2), np.zeros((2, 2)), -1.0), "std must be > 0"),
        (lambda: flows.effective_sample_size(np.array([np.nan])), "log_w must be"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_training_many_flows_at_once_is_training_each():
    # same initial weights and minibatch seeds: the batched run must follow the separate runs to
    # round-off (a wrong mask, a swapped minibatch or a shared optimizer state would not)
    import copy

    torch.manual_seed(3)
    sep = [flows.RealNVP(2, 3, 16) for _ in range(3)]
    many = [copy.deepcopy(f) for f in sep]
    data = [flows.toy_data(name, 500, seed=k) for k, name in enumerate(flows.TOY_DATA)]
    ref = [flows.train_forward_kl(f, x, 25, 64, 1e-2, seed=10 + k, snapshot_steps=(0, 25))
           for k, (f, x) in enumerate(zip(sep, data, strict=True))]
    out = flows.train_forward_kl_many(many, data, 25, 64, 1e-2, seeds=[10, 11, 12], snapshot_steps=(0, 25))
    for r, o, f, g in zip(ref, out, sep, many, strict=True):
        np.testing.assert_allclose(o["loss"], r["loss"], rtol=1e-4, atol=1e-5)
        for p, q in zip(f.parameters(), g.parameters(), strict=True):  # written back into each flow
            torch.testing.assert_close(q, p, rtol=1e-3, atol=1e-4)
        assert [s for s, _ in o["snapshots"]] == [0, 25]
        for key, value in r["snapshots"][0][1].items():
            torch.testing.assert_close(o["snapshots"][0][1][key], value)
    # the three flows learned different data: their losses differ by more than the round-off
    assert abs(out[0]["loss"][-5:].mean() - out[2]["loss"][-5:].mean()) > 0.3
