"""Run every lecture as an instructor would, with live widgets on, and check each live cell.

    python scripts/check_live_cells.py [NB ...]     (make test-live)

`make test` runs the notebooks with COURSE_UTILS_STATIC=1, where live cells draw nothing.
This script executes them with widgets enabled (a kernel, no browser) and fails unless every
live cell (a `live(` call in a cell marked NBVAL_IGNORE_OUTPUT) displays a widget whose
first draw, with the sliders' initial values, produced a figure and raised no error.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_notebooks import ENV, NOTEBOOKS, sources  # noqa: E402

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def check(src: Path) -> list[str]:
    import jupytext
    from nbclient import NotebookClient

    nb = jupytext.read(src)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    live = [c for c in nb.cells if c.cell_type == "code" and "live(" in c.source and "NBVAL_IGNORE_OUTPUT" in c.source]
    problems = [] if live else ["no live cell"]
    for cell in live:
        panels = sum(WIDGET_VIEW in o.get("data", {}) for o in cell.outputs)
        if panels != 1:  # 2: the panel displayed and also returned as the cell's Out[n]
            problems.append(f"a live cell shows {panels} widget panels, not 1")
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    outputs = [o for m in state.values() if m.get("model_name") == "OutputModel"
               for o in m.get("state", {}).get("outputs", [])]
    problems += [f"error in a widget's first draw: {o.get('ename')}: {o.get('evalue', '')[:120]}"
                 for o in outputs if o.get("output_type") == "error"]
    if sum("image/png" in o.get("data", {}) for o in outputs) < len(live):
        problems.append("a widget drew no figure")
    return problems


def main(argv: list[str]) -> int:
    os.environ.update({k: v for k, v in ENV.items() if k != "COURSE_UTILS_STATIC"})
    os.environ.pop("COURSE_UTILS_STATIC", None)
    failed = 0
    for src in sources(argv):
        t0 = time.perf_counter()
        problems = check(src)
        failed += bool(problems)
        status = "ok" if not problems else "FAILED: " + "; ".join(problems)
        print(f"{src.name:45s} {time.perf_counter() - t0:6.1f} s  {status}", flush=True)
    print(f"{len(sources(argv)) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
