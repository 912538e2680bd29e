"""equivariance: exact symmetries of convolutions, pooling, message passing and distance models."""

import numpy as np
import pytest
import torch

from course_utils import equivariance as eq


@pytest.fixture
def image():
    g = torch.Generator().manual_seed(0)
    return torch.randn(2, 3, 12, 10, generator=g, dtype=torch.float64), torch.randn(
        4, 3, 3, 3, generator=g, dtype=torch.float64)


def test_translate_integer_and_fractional():
    x = torch.arange(20, dtype=torch.float64).reshape(1, 1, 4, 5)
    assert torch.equal(eq.translate(x, (1, -2)), torch.roll(x, (1, -2), dims=(-2, -1)))
    half = eq.translate(x, (0, 0.5))
    assert torch.allclose(half, 0.5 * x + 0.5 * torch.roll(x, 1, dims=-1))
    # two half shifts of a linear interpolation are not one full shift, but shifts compose for integers
    assert torch.equal(eq.translate(eq.translate(x, (1, 1)), (2, 3)), eq.translate(x, (3, 4)))


def test_circular_conv_is_exactly_equivariant(image):
    x, k = image
    f = lambda z: eq.conv2d(z, k, "circular")
    for s in [(1, 0), (3, -2), (0.5, 0.25)]:  # bilinear shifts are circulant too, hence commute
        assert eq.equivariance_error(f, x, lambda z, s=s: eq.translate(z, s), lambda z, s=s: eq.translate(z, s)) < 1e-13
    # against an explicit periodic sum: Conv(u) = sum_a k(a) x(u + a - p)
    ref = sum(k[:, :, a, b, None, None] * torch.roll(x, (1 - a, 1 - b), dims=(-2, -1))[:, None]
              for a in range(3) for b in range(3)).sum(2)
    assert torch.allclose(f(x), ref, atol=1e-12)


def test_zero_padding_breaks_equivariance_only_at_the_border(image):
    x, k = image
    f = lambda z: eq.conv2d(z, k, "zeros")
    assert eq.equivariance_error(f, x, lambda z: eq.translate(z, (0, 2)), lambda z: eq.translate(z, (0, 2))) > 1e-3
    diff = (f(eq.translate(x, (0, 2))) - eq.translate(f(x), (0, 2))).abs().amax(dim=(0, 1, 2))
    # columns away from the wrapped border (shift 2, kernel radius 1) agree exactly
    assert torch.all(diff[4:-1] < 1e-12) and diff[0] > 1e-3
    assert eq.conv2d(x, k, "valid").shape == (2, 4, 10, 8)


def test_stride_equivariant_for_multiples_of_the_stride(image):
    x, k = image
    f = lambda z: eq.conv2d(z, k, "circular", stride=2)
    assert eq.equivariance_error(f, x, lambda z: eq.translate(z, (2, 4)), lambda z: eq.translate(z, (1, 2))) < 1e-13
    assert eq.equivariance_error(f, x, lambda z: eq.translate(z, (1, 0)), lambda z: eq.translate(z, (0.5, 0))) > 1e-3


def test_global_pool_invariance(image):
    x, k = image
    f = lambda z: eq.global_avg_pool(torch.relu(eq.conv2d(z, k)))
    assert f(x).shape == (2, 4)
    assert eq.equivariance_error(f, x, lambda z: eq.translate(z, (5, 3))) < 1e-13


def _graph(N=7, F=3, seed=1):
    rng = np.random.default_rng(seed)
    A = np.triu((rng.random((N, N)) < 0.4).astype(float), 1)
    return torch.tensor(rng.standard_normal((N, F))), torch.tensor(A + A.T), rng


def test_message_passing_formula_and_permutation_equivariance():
    x, A, rng = _graph()
    W0, W1 = torch.tensor(rng.standard_normal((2, 3))), torch.tensor(rng.standard_normal((2, 3)))
    h = eq.message_passing(x, A, W0, W1, "linear")
    u = 2
    ref = W0 @ x[u] + sum(W1 @ x[v] for v in range(7) if A[u, v])
    assert torch.allclose(h[u], ref, atol=1e-12)
    perm = rng.permutation(7)
    xp, Ap = eq.permute_graph(x, A, perm)
    for layer in (lambda a, b: eq.message_passing(a, b, W0, W1), lambda a, b: eq.gcn_layer(a, b, W1, "tanh")):
        assert torch.allclose(layer(xp, Ap), layer(x, A)[perm], atol=1e-12)


def test_gcn_normalisation_by_hand():
    # path graph 0-1-2, identity weights, linear: h_0 = x_0/2 + x_1/sqrt(6)
    A = torch.tensor([[0.0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=torch.float64)
    x = torch.eye(3, dtype=torch.float64)
    h = eq.gcn_layer(x, A, torch.eye(3, dtype=torch.float64), "linear")
    assert torch.allclose(h[0], torch.tensor([0.5, 6**-0.5, 0.0], dtype=torch.float64))
    assert torch.allclose(h[1], torch.tensor([6**-0.5, 1 / 3, 6**-0.5], dtype=torch.float64))


def test_rotations_and_distances():
    Q = eq.random_rotation(3, rng=0, size=(5,))
    assert np.allclose(Q @ np.swapaxes(Q, -1, -2), np.eye(3)) and np.allclose(np.linalg.det(Q), 1.0)
    r = np.random.default_rng(2).standard_normal((5, 6, 3))
    moved = r @ np.swapaxes(Q, -1, -2) + np.array([1.0, -2.0, 3.0])
    np.testing.assert_allclose(eq.pairwise_distances(moved), eq.pairwise_distances(r), atol=1e-12)
    d = eq.pairwise_distances(r[0])
    assert d[0, 1] == pytest.approx(np.linalg.norm(r[0, 0] - r[0, 1]))
    assert torch.allclose(eq.pairwise_distances(torch.tensor(r)), torch.tensor(eq.pairwise_distances(r)))


def test_distance_model_is_invariant():
    torch.manual_seed(0)
    model = eq.DistanceHistogramModel(8, 3.0, 16).double()
    r = torch.randn(4, 5, 2, dtype=torch.float64)
    Q = torch.tensor(eq.random_rotation(2, rng=1))
    out = model(r)
    assert out.shape == (4,)
    assert torch.allclose(model(r @ Q.T + torch.tensor([3.0, -1.0], dtype=torch.float64)), out, atol=1e-12)
    assert torch.allclose(model(r[:, [3, 0, 4, 1, 2]]), out, atol=1e-12)
    assert torch.allclose(model(-r), out, atol=1e-12)  # reflections too


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: eq.translate(torch.zeros(3, 4), (1, 1)), "x must have 4 dimensions"),
        (lambda: eq.translate(torch.zeros(1, 1, 3, 3), (1, np.nan)), "shift must be two finite"),
        (lambda: eq.conv2d(torch.zeros(1, 2, 5, 5), torch.zeros(1, 3, 3, 3)), "kernel must have 2 input channels"),
        (lambda: eq.conv2d(torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, 2, 2)), "odd size"),
        (lambda: eq.conv2d(torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, 3, 3), "reflect"), "padding must be"),
        (lambda: eq.conv2d(torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, 3, 3), stride=0), "stride must be >= 1"),
        (lambda: eq.equivariance_error(lambda z: 0 * z, torch.ones(2), lambda z: z), "identically zero"),
        (lambda: eq.message_passing(torch.zeros(4, 2), torch.zeros(3, 3), torch.zeros(1, 2), torch.zeros(1, 2)),
         "adj must have shape"),
        (lambda: eq.message_passing(torch.zeros(3, 2), torch.zeros(3, 3), torch.zeros(1, 3), torch.zeros(1, 2)),
         "W0 must have shape"),
        (lambda: eq.gcn_layer(torch.zeros(3, 2), torch.zeros(3, 3), torch.zeros(1, 2), "gelu"), "activation must be"),
        (lambda: eq.permute_graph(torch.zeros(3, 2), torch.zeros(3, 3), [0, 0, 1]), "perm must be a permutation"),
        (lambda: eq.random_rotation(0), "d must be >= 1"),
        (lambda: eq.pairwise_distances(np.ones(3)), "points must have shape"),
        (lambda: eq.DistanceHistogramModel(1), "n_centers must be >= 2"),
        (lambda: eq.DistanceHistogramModel()(torch.zeros(4, 2)), "points must have shape"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ----------------------------------------------------------------------------- issue 22 additions
def test_self_attention_matches_explicit_softmax_and_torch():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(5, 3, generator=g, dtype=torch.float64)
    Wq, Wk, Wv = (torch.randn(2, 3, generator=g, dtype=torch.float64) for _ in range(3))
    h, alpha = eq.self_attention(x, Wq, Wk, Wv, return_weights=True)
    # eq. 7.23 written out entry by entry
    scores = torch.tensor([[float((Wq @ x[u]) @ (Wk @ x[v])) / np.sqrt(2) for v in range(5)] for u in range(5)])
    ref_alpha = torch.exp(scores) / torch.exp(scores).sum(1, keepdim=True)
    assert torch.allclose(alpha, ref_alpha, atol=1e-14)
    assert torch.allclose(h, ref_alpha @ (x @ Wv.T), atol=1e-14)
    sdpa = torch.nn.functional.scaled_dot_product_attention((x @ Wq.T)[None], (x @ Wk.T)[None], (x @ Wv.T)[None])[0]
    assert torch.allclose(h, sdpa, atol=1e-13)


def test_self_attention_graph_mask_and_equivariance():
    g = torch.Generator().manual_seed(2)
    x = torch.randn(4, 3, generator=g, dtype=torch.float64)
    W = torch.randn(3, 3, generator=g, dtype=torch.float64)
    adj = torch.tensor([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]], dtype=torch.float64)
    h, alpha = eq.self_attention(x, W, W, W, adj=adj, return_weights=True)
    assert torch.all(alpha[adj == 0] == 0) and torch.allclose(alpha.sum(1), torch.ones(4, dtype=torch.float64))
    assert torch.allclose(alpha[0, 1], torch.tensor(1.0, dtype=torch.float64))  # node 0 has one neighbour
    perm = np.array([2, 0, 3, 1])
    P = torch.tensor(eq.permutation_matrix(perm))
    hp = eq.self_attention(P @ x, W, W, W, adj=P @ adj @ P.T)
    assert torch.allclose(hp, P @ h, atol=1e-13)
    with pytest.raises(ValueError, match="adj"):
        eq.self_attention(x, W, W, W, adj=torch.zeros(4, 4))


def test_positional_encoding_values():
    pe = eq.positional_encoding(3, 4).double()
    u = np.arange(3.0)
    expected = np.stack([np.sin(u), np.cos(u), np.sin(u / 100.0), np.cos(u / 100.0)], axis=1)
    assert np.allclose(pe.numpy(), expected, atol=1e-6)
    assert eq.positional_encoding(2, 3).shape == (2, 3)


def test_permutation_matrix_matches_permute_graph():
    perm = np.array([2, 0, 1])
    P = eq.permutation_matrix(perm)
    assert np.array_equal(P, np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0]], dtype=float))
    x = torch.arange(6.0).reshape(3, 2)
    xp, _ = eq.permute_graph(x, torch.zeros(3, 3), perm)
    assert torch.equal(torch.tensor(P, dtype=x.dtype) @ x, xp)


def _gens(n):
    swap = np.arange(n)
    swap[[0, 1]] = [1, 0]
    return np.stack([eq.permutation_matrix(swap), eq.permutation_matrix(np.roll(np.arange(n), 1))])


@pytest.mark.parametrize("n", [2, 3, 5])
def test_intertwiner_basis_deepsets_and_circulants(n):
    basis = eq.intertwiner_basis(_gens(n))
    assert basis.shape == (2, n, n)
    flat = basis.reshape(2, -1)
    assert np.allclose(flat @ flat.T, np.eye(2), atol=1e-12)  # orthonormal
    for M in (np.eye(n), np.ones((n, n))):  # I and 1 1^T lie in the span
        assert np.allclose(flat.T @ (flat @ M.ravel()), M.ravel(), atol=1e-12)
    assert eq.intertwiner_basis(_gens(n)[1:]).shape == (n, n, n)  # circulants: cyclic group only


def test_intertwiner_basis_between_different_representations():
    # SO(2) generated by one irrational rotation: maps R^2 -> R^2 commuting with it are a I + b J (dimension 2);
    # from the trivial 1-d representation to R^2 there is none
    c, s = np.cos(1.0), np.sin(1.0)
    R = np.array([[[c, -s], [s, c]]])
    assert eq.intertwiner_basis(R).shape == (2, 2, 2)
    assert eq.intertwiner_basis(np.ones((1, 1, 1)), R).shape == (0, 2, 1)
    assert eq.intertwiner_basis(np.ones((1, 1, 1))).shape == (1, 1, 1)


def test_forces_of_a_pair_potential():
    # E = sum_{i<j} |r_i - r_j|^2 / 2 gives F_i = -sum_j (r_i - r_j) = -(N r_i - sum_j r_j)
    r = torch.tensor([[[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]]], dtype=torch.float64)
    energy = lambda p: 0.5 * ((p[:, :, None] - p[:, None]) ** 2).sum((1, 2, 3)) / 2
    F = eq.forces(energy, r)
    expected = -(3 * r - r.sum(1, keepdim=True))
    assert torch.allclose(F, expected, atol=1e-14) and not F.requires_grad
    with pytest.raises(ValueError, match="energy"):
        eq.forces(lambda p: p.sum(), r)
