"""COURSE_UTILS_SEED=k: k = 0 reproduces the stored seeds, k > 0 gives other random numbers everywhere."""

import numpy as np
import pytest
import torch

import course_utils as cu
from course_utils import linalg, seeding


def test_offset_zero_or_unset_keeps_every_seed(monkeypatch):
    monkeypatch.delenv(seeding.SEED_ENV, raising=False)
    assert seeding.mix_seed(7) == 7
    monkeypatch.setenv(seeding.SEED_ENV, "0")
    assert seeding.mix_seed(7) == 7
    assert np.array_equal(cu.make_rng(3).random(4), np.random.default_rng(3).random(4))
    assert torch.equal(torch.randn(3, generator=cu.torch_generator(3)),
                       torch.randn(3, generator=torch.Generator().manual_seed(3)))


def test_offset_changes_every_seed_and_keeps_them_distinct(monkeypatch):
    monkeypatch.setenv(seeding.SEED_ENV, "1")
    mixed = [seeding.mix_seed(s) for s in range(50)]
    assert all(m != s for s, m in zip(range(50), mixed))
    assert len(set(mixed)) == 50  # distinct seeds stay distinct (32-bit hashes: collisions ~1e-7 here)
    assert seeding.mix_seed(5) == seeding.mix_seed(5)  # deterministic
    monkeypatch.setenv(seeding.SEED_ENV, "2")
    assert seeding.mix_seed(5) != mixed[5]


def test_setup_and_module_functions_follow_the_offset(monkeypatch):
    monkeypatch.setenv(seeding.SEED_ENV, "0")
    a = cu.setup(seed=0, plots=False).random(3)
    w0 = linalg.goe(4, seed=1)
    t0 = torch.randn(2)
    monkeypatch.setenv(seeding.SEED_ENV, "3")
    b = cu.setup(seed=0, plots=False).random(3)
    t1 = torch.randn(2)
    assert not np.allclose(a, b)
    assert not torch.equal(t0, t1)  # setup seeded torch's global generator differently
    assert not np.allclose(w0, linalg.goe(4, seed=1))
    cu.manual_seed(4)
    x = torch.rand(2)
    cu.manual_seed(4)
    assert torch.equal(x, torch.rand(2))


def test_generator_passes_through():
    g = np.random.default_rng(1)
    assert seeding.make_rng(g) is g


@pytest.mark.parametrize("bad, msg", [(-1, ">= 0"), (1.5, "integer"), (None, "integer"), (True, "integer"),
                                      (2**63, "<=")])
def test_bad_seeds_are_named(bad, msg):
    with pytest.raises(ValueError, match=f"seed must .*{msg}"):
        seeding.mix_seed(bad)
    with pytest.raises(ValueError, match="rng must"):
        seeding.make_rng(bad, "rng")


@pytest.mark.parametrize("value", ["x", "-1", "1.5"])
def test_bad_offset_is_named(monkeypatch, value):
    monkeypatch.setenv(seeding.SEED_ENV, value)
    with pytest.raises(ValueError, match="COURSE_UTILS_SEED must be an integer >= 0"):
        seeding.mix_seed(0)
