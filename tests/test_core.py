"""setup(), device(), the validation helpers and the plotting helpers."""

import random

import numpy as np
import pytest
import torch

import course_utils as cu
from course_utils import validation as v


def test_setup_returns_seeded_generator_and_seeds_everything():
    rng = cu.setup(seed=3, plots=False)
    a = (rng.random(3), np.random.random(), random.random(), torch.rand(2))  # noqa: NPY002
    rng = cu.setup(seed=3, plots=False)
    b = (rng.random(3), np.random.random(), random.random(), torch.rand(2))  # noqa: NPY002
    np.testing.assert_array_equal(a[0], b[0])
    assert a[1] == b[1] and a[2] == b[2]
    assert torch.equal(a[3], b[3])
    assert isinstance(rng, np.random.Generator)


def test_setup_fixes_threads_and_dtype():
    cu.setup(seed=0, plots=False)
    assert torch.get_num_threads() == cu.N_THREADS == 1
    assert torch.get_default_dtype() == torch.float32
    from threadpoolctl import threadpool_info

    assert all(pool["num_threads"] == 1 for pool in threadpool_info())


def test_setup_applies_plot_style():
    import matplotlib as mpl

    cu.setup(seed=0)
    assert mpl.rcParams["axes.grid"] is True
    assert mpl.rcParams["axes.spines.top"] is False


def test_setup_rejects_bad_seed():
    with pytest.raises(ValueError, match="seed"):
        cu.setup(seed=-1)
    with pytest.raises(ValueError, match="seed"):
        cu.setup(seed=1.5)


def test_device_is_cpu_without_gpu():
    dev = cu.device()
    assert dev.type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_lazy_submodules_and_unknown_attribute():
    assert cu.mcmc.ISING_TC == pytest.approx(2.269185314213022)
    with pytest.raises(AttributeError, match="no_such_module"):
        cu.no_such_module  # noqa: B018


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: v.check_int("n", 2.0), "n must be an integer"),
        (lambda: v.check_int("n", True), "n must be an integer"),
        (lambda: v.check_int("n", 1, minimum=2), "n must be >= 2"),
        (lambda: v.check_positive("T", 0.0), "T must be > 0"),
        (lambda: v.check_positive("T", -1.0, allow_zero=True), "T must be >= 0"),
        (lambda: v.check_positive("T", float("nan")), "T must be finite"),
        (lambda: v.check_positive("T", "hot"), "T must be a real number"),
        (lambda: v.check_in_range("alpha", 1.5, 0, 1), r"alpha must lie in \[0, 1\]"),
        (lambda: v.check_array("x", np.zeros((2, 3)), shape=(None, 2)), r"x must have shape \(any, 2\)"),
        (lambda: v.check_array("x", np.zeros(3), ndim=2), "x must have 2 dimensions"),
        (lambda: v.check_array("x", [1.0, np.inf]), "x must contain only finite values"),
        (lambda: v.check_array("x", ["a", "b"]), "x must be a numeric array"),
        (lambda: v.check_spins("s", [1, 0, -1]), r"s must contain only \+1 and -1"),
        (lambda: v.check_probabilities("w", [0.5, 0.6]), "w must sum to 1"),
        (lambda: v.check_probabilities("w", [1.5, -0.5]), "w must be non-negative"),
        (lambda: v.check_symmetric("J", [[0, 1], [2, 0]]), "J must be symmetric"),
        (lambda: v.check_symmetric("J", [[1, 0], [0, 0]], zero_diagonal=True), "J must have a zero diagonal"),
        (lambda: v.check_symmetric("J", np.zeros((2, 3))), "J must be a square matrix"),
    ],
)
def test_validation_errors_name_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_validation_passes_good_input_through():
    assert v.check_int("n", np.int64(4), minimum=1) == 4
    assert v.check_positive("T", 2) == 2.0
    np.testing.assert_array_equal(v.check_spins("s", [[1, -1]]), [[1.0, -1.0]])
    assert v.check_in_range("a", 0.0, 0, 1) == 0.0


def test_live_is_silent_when_static(monkeypatch):
    from course_utils import plotting

    monkeypatch.setenv(plotting.STATIC_ENV, "1")
    assert plotting.live(lambda T=1.0: None, T=(0.5, 2.0)) is None


def _shown_by_live(monkeypatch, func, **controls) -> list:
    """What ``plotting.live`` passes to IPython's display, and what it returns."""
    import IPython.display

    from course_utils import plotting

    monkeypatch.delenv(plotting.STATIC_ENV, raising=False)
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    returned = plotting.live(func, **controls)
    return shown, returned


def test_live_shows_one_panel_and_returns_nothing(monkeypatch):
    # returning the panel as well would make Jupyter show it twice (display + Out[n])
    shown, returned = _shown_by_live(monkeypatch, lambda T=1.0: None, T=(0.5, 2.0, 0.5))
    assert returned is None
    assert len(shown) == 1


def test_live_builds_sliders_that_update_on_release(monkeypatch):
    calls = []
    (panel,), _ = _shown_by_live(monkeypatch, lambda T=1.0: calls.append(T), T=(0.5, 2.0, 0.5))
    slider = panel.children[0]
    assert slider.continuous_update is False
    assert calls == [1.0]  # drawn once with the default value


def test_live_readout_shows_the_precision_of_the_step(monkeypatch):
    (panel,), _ = _shown_by_live(monkeypatch, lambda alpha=0.055, T=0.5, n=3: None,
                                 alpha=(0.005, 0.3, 0.005), T=(0.0, 1.0, 0.25), n=(1, 9, 1))
    alpha, temperature, n = panel.children[:3]
    assert alpha.readout_format == ".3f"  # 0.055, not the default ".2f" that reads 0.06
    assert temperature.readout_format == ".2f"
    assert not hasattr(n, "readout_format") or n.readout_format == "d"
