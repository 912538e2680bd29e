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
