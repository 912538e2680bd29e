"""hopfield.run_dynamics_from_patterns: the dynamics of run_dynamics with Hebb's couplings, without J."""

import numpy as np
import pytest
import torch

from course_utils import hopfield
from course_utils.seeding import make_rng


def _setup(P=12, N=120, B=5, flip=0.2, seed=0):
    xi = hopfield.random_patterns(P, N, seed=seed)
    rng = make_rng(seed + 1)
    start = xi[np.arange(B) % P] * np.where(rng.random((B, N)) < flip, -1.0, 1.0)
    return xi, start


@pytest.mark.parametrize("update", ["sequential", "parallel"])
@pytest.mark.parametrize("T", [0.0, 0.4, "mixed"])
def test_same_states_as_run_dynamics(update, T):
    # same random stream and exact integer fields: identical states, spin for spin (a field
    # without the -P sigma_i self-term, i.e. J_ii = P/N instead of 0, fails the sequential runs
    # at T = 0.4 and mixed T: measured by mutating the code)
    xi, start = _setup()
    if T == "mixed":
        T = np.array([0.0, 0.2, 0.5, 0.0, 1.0])
    ref = hopfield.run_dynamics(hopfield.hebbian_couplings(xi), start, T, 6, update=update, seed=4)
    got = hopfield.run_dynamics_from_patterns(xi, start, T, 6, update=update, seed=4)
    assert got.shape == ref.shape
    assert np.array_equal(got, ref)


def test_single_state_and_zero_sweeps():
    xi, start = _setup(B=1)
    assert hopfield.run_dynamics_from_patterns(xi, start[0], 0.0, 3).shape == (xi.shape[1],)
    assert np.array_equal(hopfield.run_dynamics_from_patterns(xi, start, 0.5, 0), start)


def test_torch_path_retrieves_and_matches_the_law():
    # torch's stream differs, so compare statistics: at T = 0 and alpha = 0.1 a pattern with 20 %
    # flipped bits is retrieved (m > 0.95) by both; at T = 2 (paramagnet) |m| ~ 1/sqrt(N) for both
    xi, start = _setup(P=30, N=300, B=6)
    for T, lo, hi in [(0.0, 0.95, 1.0), (2.0, -0.25, 0.25)]:
        ref = hopfield.overlaps(hopfield.run_dynamics_from_patterns(xi, start, T, 10, seed=1), xi)
        out = hopfield.run_dynamics_from_patterns(torch.tensor(xi), torch.tensor(start), T, 10, seed=1)
        assert isinstance(out, torch.Tensor)
        m = hopfield.overlaps(out.numpy(), xi)
        diag = np.arange(6) % 30
        assert np.all((lo < m[np.arange(6), diag]) & (m[np.arange(6), diag] <= hi))
        assert np.all((lo < ref[np.arange(6), diag]) & (ref[np.arange(6), diag] <= hi))


def test_bad_input():
    xi, start = _setup()
    with pytest.raises(ValueError, match="patterns"):
        hopfield.run_dynamics_from_patterns(xi * 0.5, start, 0.0, 1)
    with pytest.raises(ValueError, match="states"):
        hopfield.run_dynamics_from_patterns(xi, start[:, :-1], 0.0, 1)
    with pytest.raises(ValueError, match="T"):
        hopfield.run_dynamics_from_patterns(xi, start, -1.0, 1)
    with pytest.raises(ValueError, match="sweeps"):
        hopfield.run_dynamics_from_patterns(xi, start, 0.0, -1)
    with pytest.raises(ValueError, match="update"):
        hopfield.run_dynamics_from_patterns(xi, start, 0.0, 1, update="random")
    with pytest.raises(ValueError, match="seed"):
        hopfield.run_dynamics_from_patterns(xi, start, 0.0, 1, seed=-1)
    with pytest.raises(TypeError, match="states"):
        hopfield.run_dynamics_from_patterns(torch.tensor(xi), start, 0.0, 1)


def test_hebbian_couplings_refuses_what_does_not_fit():
    # N = 10^6 neurons would need 8 TB for J: refused at once, naming the argument
    with pytest.raises(ValueError, match="patterns"):
        hopfield.hebbian_couplings(np.ones((1, 10**6)))
