import numpy as np
import pytest

from course_utils import gans


def test_optimal_discriminator_exact():
    d = gans.optimal_discriminator([1.0, 0.0, 3.0, 0.0], [1.0, 2.0, 1.0, 0.0])
    assert np.allclose(d, [0.5, 0.0, 0.75, 0.5])


def test_js_identical_is_zero_disjoint_is_log2():
    p = np.array([1.0, 1.0, 0.0, 0.0])
    q = np.array([0.0, 0.0, 1.0, 1.0])
    assert gans.js_divergence(p, p, 0.5) == pytest.approx(0.0, abs=1e-15)
    assert gans.js_divergence(p, q, 0.5) == pytest.approx(np.log(2), rel=1e-12)


def test_value_at_optimum_is_minus_log4_plus_2js():
    x = np.linspace(-10, 10, 4001)
    dx = x[1] - x[0]
    p = np.exp(-x**2 / 2) / np.sqrt(2 * np.pi)
    q = np.exp(-(x - 1) ** 2 / 2) / np.sqrt(2 * np.pi)
    d = gans.optimal_discriminator(p, q)
    value = np.sum(p * np.log(d) + q * np.log(1 - d)) * dx
    assert value == pytest.approx(-np.log(4) + 2 * gans.js_divergence(p, q, dx), abs=1e-10)


def test_bad_shapes_raise():
    with pytest.raises(ValueError, match="p_g"):
        gans.optimal_discriminator([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="p_data"):
        gans.optimal_discriminator([-1.0, 2.0], [1.0, 1.0])


# ------------------------------------------------------------------------------ ensemble and training
def test_ensemble_members_are_independent_mlps():
    import torch

    net = gans.EnsembleMLP(3, 2, 5, 1, depth=2, seed=4)
    x = torch.randn(3, 7, 2, generator=torch.Generator().manual_seed(0))
    out = net(x)
    assert out.shape == (3, 7, 1)
    for k in range(3):  # member k is the plain MLP built from slice k of every weight tensor
        h = x[k]
        for i, (w, b) in enumerate(zip(net.weights, net.biases)):
            h = h @ w[k] + b[k]
            if i < len(net.weights) - 1:
                h = torch.nn.functional.leaky_relu(h, 0.2)
        assert torch.allclose(out[k], h, atol=1e-6)
    # the gradient of member 0's output does not reach member 1's weights
    out[0].sum().backward()
    assert float(net.weights[0].grad[1].abs().max()) == 0.0


def test_ensemble_init_is_seeded():
    a, b = gans.EnsembleMLP(2, 2, 4, 1, seed=1), gans.EnsembleMLP(2, 2, 4, 1, seed=1)
    c = gans.EnsembleMLP(2, 2, 4, 1, seed=2)
    assert all(np.array_equal(p.detach().numpy(), q.detach().numpy()) for p, q in zip(a.parameters(), b.parameters()))
    assert not np.array_equal(a.weights[0].detach().numpy(), c.weights[0].detach().numpy())


def test_trained_discriminator_is_optimal_on_separable_points():
    # p_data and p_G put all their mass on disjoint sets: D* = 1 on the data, 0 on the generated points
    x_data = np.array([[-2.0], [-1.5]])
    x_gen = np.array([[1.5], [2.0]])
    disc = gans.train_discriminator(x_data, x_gen, 300, n_models=2, hidden=8, lr=1e-2, batch_size=16, seed=0)
    d = gans.discriminator_prob(disc, np.array([[-2.0], [2.0]]))
    assert d.shape == (2, 2)
    assert np.all(d[:, 0] > 0.95) and np.all(d[:, 1] < 0.05)


def test_trained_discriminator_matches_density_ratio():
    # p_data = N(-1, 1), p_G = N(1, 1): D*(x) = sigmoid(-2x), within sampling error at x = 0 and +-1
    rng = np.random.default_rng(0)
    x_data = rng.normal(-1, 1, (4000, 1))
    x_gen = rng.normal(1, 1, (4000, 1))
    disc = gans.train_discriminator(x_data, x_gen, 300, n_models=1, hidden=16, seed=1)
    x = np.array([[-1.0], [0.0], [1.0]])
    d = gans.discriminator_prob(disc, x)[0]
    assert np.allclose(d, 1 / (1 + np.exp(2 * x[:, 0])), atol=0.06)


def test_train_gan_shapes_records_and_seed():
    data = np.random.default_rng(0).normal(size=(64, 2))
    a = gans.train_gan(data, 6, n_models=2, g_hidden=8, d_hidden=8, batch_size=16, record_every=3, n_record=5, seed=2)
    b = gans.train_gan(data, 6, n_models=2, g_hidden=8, d_hidden=8, batch_size=16, record_every=3, n_record=5, seed=2)
    assert list(a["record_steps"]) == [0, 3, 6]
    assert a["samples"].shape == (3, 2, 5, 2)
    assert np.array_equal(a["samples"], b["samples"])
    x = gans.sample(a["generator"], 4, latent_dim=2, seed=0)
    assert x.shape == (2, 4, 2)


def test_train_gan_moves_generator_to_the_data():
    # a point mass at (3, 3): the non-saturating GAN brings its samples from ~0 to the point
    data = np.tile([[3.0, 3.0]], (32, 1))
    out = gans.train_gan(data, 300, n_models=1, g_hidden=16, d_hidden=16, batch_size=32, lr=3e-3,
                         record_every=300, n_record=64, seed=0)
    start, end = out["samples"][0, 0], out["samples"][-1, 0]
    assert np.linalg.norm(start.mean(0) - 3.0) > 3.0
    assert np.linalg.norm(end.mean(0) - 3.0) < 0.5


def test_conditional_gan_and_packing_run():
    data = np.array([[0.0, 0.0], [4.0, 0.0]] * 16)
    labels = np.array([0, 1] * 16)
    out = gans.train_gan(data, 4, n_models=2, g_hidden=8, d_hidden=8, batch_size=8, pack=2, labels=labels,
                         n_classes=2, record_every=4, n_record=6, seed=0)
    assert list(out["record_labels"]) == [0, 1, 0, 1, 0, 1]
    x = gans.sample(out["generator"], 3, latent_dim=2, labels=[1, 1, 0], n_classes=2, seed=0)
    assert x.shape == (2, 3, 2)


def test_mode_metrics_exact():
    means = np.array([[0.0, 0.0], [10.0, 0.0]])
    x = np.array([[0.1, 0.0], [0.0, 0.2], [10.0, 0.0], [5.0, 0.0]])
    m = gans.mode_metrics(x, means, 0.1, n_std=3.0, min_fraction=0.3)
    assert m["precision"] == pytest.approx(0.75)
    assert np.allclose(m["fractions"], [0.5, 0.25])
    assert m["n_covered"] == 1   # mode 1 holds 1/4 < 0.3
    assert list(m["nearest"]) == [0, 0, 1, 0]
    batch = gans.mode_metrics(np.stack([x, x[::-1]]), means, 0.1, min_fraction=0.2)
    assert batch["n_covered"].tolist() == [2, 2]


def test_nearest_distance_exact():
    ref = np.array([[0.0, 0.0], [3.0, 4.0]])
    x = np.array([[0.0, 1.0], [3.0, 3.0], [6.0, 8.0]])
    assert np.allclose(gans.nearest_distance(x, ref), [1.0, 1.0, 5.0])
    assert gans.nearest_distance(x[None], ref).shape == (1, 3)


def test_training_bad_inputs_raise():
    data = np.zeros((8, 2))
    with pytest.raises(ValueError, match="loss"):
        gans.train_gan(data, 2, loss="wasserstein")
    with pytest.raises(ValueError, match="pack"):
        gans.train_gan(data, 2, batch_size=10, pack=3)
    with pytest.raises(ValueError, match="labels"):
        gans.train_gan(data, 2, n_classes=2)
    with pytest.raises(ValueError, match="labels"):
        gans.train_gan(data, 2, labels=np.zeros(8))
    with pytest.raises(ValueError, match="x_gen"):
        gans.train_discriminator(data, np.zeros((8, 3)), 2)
