"""Execute lecture notebooks from their jupytext sources.

    python scripts/run_notebooks.py outputs [NB ...]   # sync .py -> .ipynb, execute, store outputs
    python scripts/run_notebooks.py timings [NB ...]   # execute in memory, print seconds per notebook

NB may be a path or a lecture number ("05"); default is every notebooks/NN_*.py. The
environment (one thread, COURSE_UTILS_STATIC=1) is set by the Makefile; this script sets
it too so it is safe to call directly.
"""

from __future__ import annotations

import glob
import os
import sys
import time
from pathlib import Path

ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
       "COURSE_UTILS_STATIC": "1", "PYTHONHASHSEED": "0", "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def sources(args: list[str]) -> list[Path]:
    if not args:
        return sorted(Path(p) for p in glob.glob(str(NOTEBOOKS / "[0-9][0-9]_*.py")))
    found = []
    for a in args:
        p = Path(a)
        if p.suffix in (".py", ".ipynb") and p.exists():
            found.append(p.with_suffix(".py"))
            continue
        matches = sorted(NOTEBOOKS.glob(f"{a}_*.py"))
        if not matches:
            sys.exit(f"no notebook matches {a!r} (give a path or a lecture number such as 05)")
        found.extend(matches)
    return found


def execute(src: Path):
    import jupytext
    from nbclient import NotebookClient

    nb = jupytext.read(src)
    ipynb = src.with_suffix(".ipynb")
    if ipynb.exists():  # keep the stored notebook's metadata (kernelspec, jupytext pairing)
        nb.metadata = jupytext.read(ipynb).metadata | nb.metadata
    nb.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
    client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(src.parent)}})
    t0 = time.perf_counter()
    client.execute()
    return nb, time.perf_counter() - t0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("outputs", "timings"):
        print(__doc__)
        return 2
    os.environ.update(ENV)
    import jupytext

    mode, rest = argv[0], argv[1:]
    rows = []
    for src in sources(rest):
        nb, seconds = execute(src)
        rows.append((src.name, seconds))
        if mode == "outputs":
            nb.metadata.setdefault("jupytext", {})["formats"] = "ipynb,py:percent"
            jupytext.write(nb, src.with_suffix(".ipynb"))
            print(f"stored outputs of {src.with_suffix('.ipynb').name} ({seconds:.1f} s)", flush=True)
    if mode == "timings":
        print(f"{'notebook':45s} {'seconds':>8s}")
        for name, seconds in rows:
            flag = "  <-- over the 60 s budget" if seconds > 60 else ""
            print(f"{name:45s} {seconds:8.1f}{flag}")
        print(f"{'total':45s} {sum(s for _, s in rows):8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
