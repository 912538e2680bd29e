"""The course's plot style and the live (slider) cells.

Convention for a live cell: the notebook first draws the figure with default values by
a plain function call (that output is what CI compares and what the book shows), then
calls :func:`live` with the same function to offer sliders in a running Jupyter.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from .validation import check_callable

__all__ = ["use_course_style", "live", "label", "STATIC_ENV"]

#: set to 1 where no widget front end runs (CI, stored outputs, the book)
STATIC_ENV = "COURSE_UTILS_STATIC"

COURSE_RC = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 90,
    "savefig.dpi": 90,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": "medium",
    "legend.frameon": True,
    "legend.framealpha": 0.85,
    "legend.edgecolor": "none",
    "figure.constrained_layout.use": True,
    "image.cmap": "viridis",
}


def use_course_style() -> None:
    """Apply the course rcParams and make inline figures PNG (nbval skips PNG, not SVG)."""
    import matplotlib as mpl

    mpl.rcParams.update(COURSE_RC)
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # pragma: no cover - outside Jupyter
        return
    if get_ipython() is not None:
        set_matplotlib_formats("png")


def label(ax, xlabel: str, ylabel: str, title: str | None = None):
    """Label an axis in one call; returns ``ax`` for chaining.

    ``ax`` a matplotlib Axes, ``xlabel`` and ``ylabel`` strings, ``title`` a string or None.
    """
    if not all(callable(getattr(ax, m, None)) for m in ("set_xlabel", "set_ylabel", "set_title")):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    for name, value in (("xlabel", xlabel), ("ylabel", ylabel)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a string, got {value!r} ({type(value).__name__})")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None, got {title!r} ({type(title).__name__})")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax


def _decimals(step) -> int:
    """Digits after the point that ``step`` needs: 0.005 -> 3, 0.25 -> 2, 0.1 -> 1, 2.0 -> 0."""
    text = f"{float(step):.12g}"
    if "e" in text:  # 1e-05
        mantissa, exponent = text.split("e")
        return max(0, -int(exponent) + len(mantissa.partition(".")[2]))
    return len(text.partition(".")[2])


def live(func: Callable, *, manual: bool = False, **controls) -> None:
    """Show ``func`` with sliders in a running Jupyter (``ipywidgets.interactive``): one panel.

    ``controls`` maps each argument of ``func`` to an ipywidgets widget or an
    ``interact`` abbreviation such as ``(0.5, 4.0, 0.1)``. Sliders update on release,
    so a simulation is not rerun at every pixel of a drag; a float slider's readout
    shows as many decimals as its step (alpha in steps of 0.005 reads 0.055, not 0.06);
    ``manual=True`` adds a "Run" button for slow functions.

    The panel is displayed here and ``None`` is returned, so a live cell that ends
    with the call shows the panel once (returning it too would make Jupyter show a
    second copy as the cell's ``Out``). Nothing is shown when ipywidgets is missing or
    the environment variable ``COURSE_UTILS_STATIC=1`` is set, as ``make test``,
    ``make outputs`` and the book build do: there the static figure drawn by the
    plain call above the live cell is what the reader gets, and no simulation runs
    twice.
    """
    check_callable("func", func)
    if not isinstance(manual, bool):
        raise TypeError(f"manual must be True or False, got {manual!r}")
    if os.environ.get(STATIC_ENV, "") not in ("", "0"):
        return None
    try:
        import ipywidgets as widgets
        from IPython.display import display
    except ImportError:  # pragma: no cover
        return None
    panel = widgets.interactive(func, {"manual": manual}, **controls)
    for control in panel.children:
        if hasattr(control, "continuous_update"):
            control.continuous_update = False
        if isinstance(control, (widgets.FloatSlider, widgets.FloatRangeSlider)):
            control.readout_format = f".{_decimals(control.step)}f"
    display(panel)
    return None
