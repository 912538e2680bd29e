"""denoisers against exact results: homogeneity and f(y) = J(y) y of the bias-free CNN, the
Jacobian against finite differences and a linear model, the field spectrum and covariance,
the OU score of a known linear denoiser, nearest-neighbour distances by hand."""

import numpy as np
import pytest
import torch

from course_utils import denoisers as dn


@pytest.fixture
def net():
    torch.manual_seed(0)
    return dn.BiasFreeCNN(4, 3).double()


def test_no_bias_anywhere_and_layer_count():
    model = dn.BiasFreeCNN(5, 4, kernel_size=5)
    assert all(conv.bias is None for conv in model.convs)
    assert len(model.convs) == 4
    assert [c.kernel_size for c in model.convs] == [(5, 5)] * 4
    assert sum(p.numel() for p in model.parameters()) == 25 * (5 + 5 * 5 * 2 + 5)


def test_homogeneity_and_f_equals_J_y(net):
    y = torch.randn(2, 1, 6, 6, dtype=torch.float64)
    for a in (0.3, 2.0, 17.0):
        assert torch.allclose(net(a * y), a * net(y), atol=1e-12, rtol=1e-12)
    J = dn.jacobian(net, y[0, 0])
    assert J.shape == (36, 36)
    f = net(y[:1]).detach().numpy().ravel()
    assert np.allclose(J @ y[0, 0].numpy().ravel(), f, atol=1e-12)


def test_jacobian_matches_finite_differences(net):
    y = torch.randn(1, 1, 5, 5, dtype=torch.float64)
    J = dn.jacobian(net, y)
    eps = 1e-6
    for j in (0, 7, 24):
        e = torch.zeros(25, dtype=torch.float64)
        e[j] = eps
        fd = (net(y + e.reshape(1, 1, 5, 5)) - net(y - e.reshape(1, 1, 5, 5))).detach().numpy().ravel() / (2 * eps)
        assert np.allclose(J[:, j], fd, atol=1e-7)


def test_jacobian_of_a_linear_model_is_its_matrix():
    class Scale(torch.nn.Module):
        def forward(self, y):
            return 0.5 * y + 0.25 * torch.roll(y, 1, dims=-1)

    J = dn.jacobian(Scale(), torch.zeros(3, 3))
    expected = 0.5 * np.eye(9)
    for i in range(3):
        for j in range(3):
            expected[i * 3 + j, i * 3 + (j - 1) % 3] += 0.25
    assert np.allclose(J, expected)


def test_identity_at_initialisation_of_last_layer_zero(net):
    with torch.no_grad():
        net.convs[-1].weight.zero_()
    y = torch.randn(3, 1, 4, 4, dtype=torch.float64)
    assert torch.equal(net(y), y)


def test_field_spectrum_normalised_and_isotropic():
    lam = dn.field_spectrum(8, exponent=2.0, k0=1.0)
    assert lam.shape == (8, 8)
    assert lam.sum() / 64 == pytest.approx(1.0)
    assert lam[1, 0] == pytest.approx(lam[0, 1]) and lam[1, 0] == pytest.approx(lam[-1, 0])
    assert lam[0, 0] / lam[1, 0] == pytest.approx(2.0)  # (k0^2 + 1) / k0^2 with exponent 2
    assert np.allclose(dn.field_spectrum(4, exponent=0.0), 1.0)


def test_gaussian_field_covariance_is_circulant_with_the_spectrum():
    L = 4
    x = dn.gaussian_field(40000, L, exponent=2.0, seed=1).reshape(40000, -1)
    C = x.T @ x / x.shape[0]
    lam = dn.field_spectrum(L, exponent=2.0)
    F = np.fft.fft2(np.eye(L * L).reshape(L * L, L, L)).reshape(L * L, L * L)  # rows: FFT of basis images
    C_exact = np.real(np.conj(F.T) @ np.diag(lam.ravel()) @ F) / (L * L)
    assert np.abs(C - C_exact).max() < 0.05
    assert np.allclose(np.diag(C_exact), 1.0)


def test_network_score_of_a_linear_denoiser_is_the_gaussian_score():
    c = 0.6  # data a ~ N(0, c I): E[a | y] = c / (c + sigma^2) y, score of x(t): -x / (c e^{-2t} + Delta_t)

    class Wiener(torch.nn.Module):
        sigma2 = 0.0

        def forward(self, y):
            return c / (c + self.sigma2) * y

    model = Wiener()
    t = 0.7
    model.sigma2 = np.exp(2 * t) - 1
    x = np.random.default_rng(0).normal(size=(3, 4))
    s = dn.network_score(model, 2)(x, t)
    assert np.allclose(s, -x / (c * np.exp(-2 * t) + 1 - np.exp(-2 * t)), rtol=1e-6)


def test_generate_is_deterministic_in_the_seed(net):
    a = dn.generate(net.float(), 3, 4, n_steps=5, seed=2)
    b = dn.generate(net, 3, 4, n_steps=5, seed=2)
    c = dn.generate(net, 3, 4, n_steps=5, seed=3)
    assert a.shape == (3, 4, 4) and np.array_equal(a, b) and not np.array_equal(a, c)


def test_nearest_distance_by_hand():
    ref = np.array([[1.0, 0.0], [0.0, 2.0]])
    s = np.array([[1.0, 0.0], [0.0, 1.0], [3.0, 4.0]])
    d, i = dn.nearest_distance(s, ref)
    assert list(i) == [0, 1, 1]
    assert np.allclose(d, [0.0, 1.0, np.sqrt(9 + 4) / 5])


def test_train_denoiser_lowers_the_loss():
    torch.manual_seed(0)
    model = dn.BiasFreeCNN(4, 3)
    x = dn.gaussian_field(64, 6, seed=0)
    loss = dn.train_denoiser(model, x, 0.5, 1.0, 60, batch_size=16, lr=1e-2, seed=0)
    assert loss.shape == (60,) and loss[-10:].mean() < loss[:10].mean()


def test_bad_input():
    with pytest.raises(ValueError, match="kernel_size"):
        dn.BiasFreeCNN(4, 3, kernel_size=4)
    with pytest.raises(ValueError, match="y"):
        dn.BiasFreeCNN(4, 3)(torch.zeros(2, 2, 4, 4))
    with pytest.raises(ValueError, match="y"):
        dn.jacobian(dn.BiasFreeCNN(4, 3), torch.zeros(2, 1, 4, 4))
    with pytest.raises(TypeError, match="model"):
        dn.jacobian(lambda v: v, torch.zeros(4, 4))
    with pytest.raises(ValueError, match="sigma_max"):
        dn.train_denoiser(dn.BiasFreeCNN(4, 3), np.zeros((2, 4, 4)), 1.0, 0.5, 2)
    with pytest.raises(ValueError, match="t_max"):
        dn.generate(dn.BiasFreeCNN(4, 3), 2, 4, t_max=0.01, t_min=0.1)


def test_padding_option_zeros_breaks_translation_equivariance():
    torch.manual_seed(1)
    circ = dn.BiasFreeCNN(3, 3).double()
    zero = dn.BiasFreeCNN(3, 3, padding="zeros").double()
    zero.load_state_dict(circ.state_dict())
    assert circ.padding == "circular" and zero.padding == "zeros"
    assert [c.padding_mode for c in zero.convs] == ["zeros"] * 3
    y = torch.randn(1, 1, 6, 6, dtype=torch.float64)
    shift = lambda v: torch.roll(v, (2, 1), dims=(-2, -1))  # noqa: E731
    assert torch.allclose(circ(shift(y)), shift(circ(y)), atol=1e-12)
    assert not torch.allclose(zero(shift(y)), shift(zero(y)), atol=1e-3)
    # away from the border (the centre pixel, receptive field 7 > 6 reaches the border: compare a
    # single-layer kernel instead) the two paddings agree on an image that is zero near the border
    y0 = torch.zeros(1, 1, 12, 12, dtype=torch.float64)
    y0[..., 5:7, 5:7] = 1.0
    assert torch.allclose(circ(y0), zero(y0), atol=1e-12)


def test_zero_padding_keeps_homogeneity_and_bias_breaks_it():
    torch.manual_seed(2)
    zero = dn.BiasFreeCNN(4, 3, padding="zeros").double()
    biased = dn.BiasFreeCNN(4, 3, bias=True).double()
    assert biased.has_bias and all(c.bias is not None for c in biased.convs)
    with torch.no_grad():
        for c in biased.convs:
            c.bias.fill_(0.1)
    y = torch.randn(2, 1, 5, 5, dtype=torch.float64)
    assert torch.allclose(zero(3.0 * y), 3.0 * zero(y), atol=1e-12)
    J = dn.jacobian(zero, y[0, 0])
    assert np.allclose(J @ y[0, 0].numpy().ravel(), zero(y[:1]).detach().numpy().ravel(), atol=1e-12)
    # with biases f(0) = -r(0) != 0, so f(a y) != a f(y) at a = 0 already
    assert biased(torch.zeros(1, 1, 5, 5, dtype=torch.float64)).abs().max() > 1e-3
    assert not torch.allclose(biased(3.0 * y), 3.0 * biased(y), atol=1e-3)


def test_jacobian_in_the_model_dtype():
    torch.manual_seed(3)
    net64 = dn.BiasFreeCNN(2, 2).double()
    J = dn.jacobian(net64, np.random.default_rng(0).normal(size=(4, 4)))
    assert J.shape == (16, 16) and J.dtype == np.float64
