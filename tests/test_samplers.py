"""Unit tests of course_utils.samplers against exact results."""

import math

import numpy as np
import pytest

from course_utils import samplers


def _log_gauss(x):
    return -0.5 * (x**2).sum(-1)


def test_ais_exact_when_target_is_scaled_base():
    # pi~ = e^c N(0, I): every increment is c * dbeta, so every log weight equals c exactly
    c = 1.7
    out = samplers.ais(lambda x: _log_gauss(x) - 0.5 * 3 * math.log(2 * math.pi) + c, 3, 50, 5, seed=1)
    assert np.allclose(out["log_weights"], c, atol=1e-12)
    assert out["log_z"] == pytest.approx(c, abs=1e-12)
    assert out["ess"] == pytest.approx(50.0, rel=1e-12)
    assert out["samples"].shape == (50, 3) and out["betas"][0] == 0.0 and out["betas"][-1] == 1.0


def test_ais_log_z_of_shifted_narrow_gaussian():
    # pi~(x) = exp(-|x - m|^2 / 2 s^2): Z = (2 pi s^2)^(d/2); a wrong (mean log w) estimate is biased low
    m, s, d = np.array([1.5, -1.0]), 0.4, 2
    exact = 0.5 * d * math.log(2 * math.pi * s**2)
    out = samplers.ais(lambda x: -0.5 * ((x - m) ** 2).sum(-1) / s**2, d, 4000, 60, seed=2)
    assert abs(out["log_z"] - exact) < 0.05
    assert np.allclose(out["samples"].mean(0), m, atol=0.05)


def test_ess_from_log_weights_exact():
    assert samplers.ess_from_log_weights(np.zeros(7)) == pytest.approx(7.0)
    assert samplers.ess_from_log_weights(np.array([0.0, 0.0, -1e4])) == pytest.approx(2.0)
    w = np.array([1.0, 2.0, 3.0])
    assert samplers.ess_from_log_weights(np.log(w)) == pytest.approx(36.0 / 14.0)


def test_ou_time_grid():
    t = samplers.ou_time_grid(4, t_max=2.0, power=2.0)
    assert np.allclose(t, 2.0 * np.array([0, 1, 4, 9, 16]) / 16)


def test_path_weights_exact_for_gaussian_target_and_zero_network():
    # target N(0, I) up to e^c: the guide term vanishes and the untrained reverse chain is the exact
    # time reversal of the stationary OU chain, so every path has log w = c (eq. 8.21 with KL = 0)
    c = -0.3
    lt = lambda x: _log_gauss(x) - 0.5 * 2 * math.log(2 * math.pi) + c  # noqa: E731
    model = samplers.train_path_kl_sampler(lt, 2, 5, 1, lr=1e-12, seed=0)["model"]
    for k in (None, 3, 17):
        out = samplers.sample_path_kl(model, lt, 200, seed=3, n_steps=k)
        assert np.allclose(out["log_w"], c, atol=1e-5)
        assert out["ess"] == pytest.approx(200.0, rel=1e-6)


def test_training_lowers_path_kl_and_weights_stay_unbiased():
    s = 0.5
    exact = math.log(2 * math.pi * s**2)
    lt = lambda x: -0.5 * ((x - 1.0) ** 2).sum(-1) / s**2  # noqa: E731
    tr = samplers.train_path_kl_sampler(lt, 2, 6, 60, batch_size=64, seed=0)
    assert tr["loss"][-10:].mean() < tr["loss"][:10].mean()
    out = samplers.sample_path_kl(tr["model"], lt, 4000, seed=1)
    assert out["elbo"] < exact  # Jensen: mean log w <= log E w = log Z
    assert abs(out["log_z"] - exact) < 0.1
