"""Student and instructor editions of the lectures, from the solution tags of the sources.

    python scripts/make_editions.py student [NB ...]      # -> student/NN_topic.ipynb, solutions removed
    python scripts/make_editions.py instructor [NB ...]   # -> instructor/NN_topic.ipynb, everything kept
    python scripts/make_editions.py check [NB ...]        # write both editions and execute them top to bottom

NB is a lecture number ("05") or a path; default is every notebooks/NN_*.ipynb. A solution
is a code cell tagged ``solution`` (``# %% tags=["solution"]`` in the jupytext source).

The student edition gives every exercise (a markdown cell ``**Exercise N. ...``) one empty
answer cell right below it, ``# Exercise N: your answer here`` (tag ``exercise``), in place
of its solution cells, and keeps the stored outputs of every other cell, so it reads like
the book without the answers. The instructor edition is the notebook as stored. When the
repository is published on GitHub (scripts/lecture_meta.py), both get a cell after the
title that installs course_utils when the notebook is opened in Google Colab (it does
nothing elsewhere); without a published repository there is nothing to install from, and
no such cell. ``check`` executes both editions from a fresh kernel (one thread,
COURSE_UTILS_STATIC=1, like `make test`): a student edition that fails means a later cell
uses a name that only a solution defines.
"""

from __future__ import annotations

import copy
import os
import sys
import time
from pathlib import Path

import nbformat
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lecture_meta  # noqa: E402 - repository and exercise numbers, shared with build_book
import run_notebooks  # noqa: E402 - the lecture lookup shared with make outputs/timings

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOLUTION_TAG = "solution"
EDITIONS = ("student", "instructor")
ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
       "COURSE_UTILS_STATIC": "1", "PYTHONHASHSEED": "0", "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
EXERCISE_STUB = "# Exercise {n}: your answer here\n"


def repository() -> tuple[str, str] | None:
    """(owner/name, branch) of the published repository, or None (no Colab install cell then)."""
    repo = lecture_meta.repository()
    if repo is None:
        return None
    return repo, yaml.safe_load((ROOT / "book" / "course.yml").read_text())["branch"]


def colab_cell() -> nbformat.NotebookNode | None:
    if repository() is None:
        return None
    repo, branch = repository()
    src = (
        "# Google Colab only: install course_utils and its dependencies (does nothing elsewhere)\n"
        "import sys\n"
        "if \"google.colab\" in sys.modules:\n"
        f"    %pip install -q \"course_utils @ git+https://github.com/{repo}@{branch}\"\n"
    )
    cell = nbformat.v4.new_code_cell(src, id="colab-install")
    cell.metadata["tags"] = ["colab"]
    return cell


def answer_cell(n: int | None, cell_id: str) -> nbformat.NotebookNode:
    """The student's empty cell for exercise ``n`` (tag ``exercise``)."""
    text = EXERCISE_STUB.format(n=n) if n is not None else "# Your answer here\n"
    cell = nbformat.v4.new_code_cell(text, id=cell_id)
    cell.metadata["tags"] = ["exercise"]
    return cell


def is_solution(cell) -> bool:
    return cell.cell_type == "code" and SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def edition(nb: nbformat.NotebookNode, which: str) -> nbformat.NotebookNode:
    """The ``which`` edition of ``nb`` ("student" or "instructor"); ``nb`` is not modified."""
    if which not in EDITIONS:
        raise ValueError(f"which must be one of {EDITIONS}, got {which!r}")
    out = copy.deepcopy(nb)
    cells = []
    owners, _ = lecture_meta.exercises(out.cells)
    for i, (cell, exercise) in enumerate(zip(out.cells, owners)):
        if which == "student" and is_solution(cell):
            if exercise is None:  # a solution outside a numbered exercise: an unnumbered answer cell
                cells.append(answer_cell(None, f"exercise-cell-{i}"))
            continue  # a numbered exercise got its answer cell right below its text
        cells.append(cell)
        n = lecture_meta.exercise_number(cell)
        if which == "student" and n is not None:
            cells.append(answer_cell(n, f"exercise-{n}"))
    # the Colab cell goes after the title cell, so the notebook still opens on its title
    colab = colab_cell()
    if colab is not None:
        first_md = next((i for i, c in enumerate(cells) if c.cell_type == "markdown"), -1)
        cells.insert(first_md + 1, colab)
    if out.nbformat == 4 and out.nbformat_minor < 5:  # cell ids exist from v4.5 on
        for cell in cells:
            cell.pop("id", None)
    out.cells = cells
    out.metadata.pop("jupytext", None)  # an edition is not paired with the sources
    out.metadata.setdefault("course", {})["edition"] = which
    for cell in out.cells:  # execution counts would be off by the inserted cell
        if cell.cell_type == "code":
            cell.execution_count = None
            for o in cell.get("outputs", []):
                if "execution_count" in o:
                    o["execution_count"] = None
    return out


def notebooks(args: list[str]) -> list[Path]:
    """The stored .ipynb of each lecture named in ``args`` (paths or numbers such as 05), or of all."""
    return [src.with_suffix(".ipynb") for src in run_notebooks.sources(args)]


def write(which: str, paths: list[Path]) -> list[Path]:
    folder = ROOT / which
    folder.mkdir(exist_ok=True)
    written = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        ed = edition(nb, which)
        target = folder / path.name
        nbformat.write(ed, target)
        removed = sum(map(is_solution, nb.cells)) if which == "student" else 0
        note = f", {removed} solution cells removed" if which == "student" else ""
        print(f"{target.relative_to(ROOT)}{note}")
        written.append(target)
    return written


def execute(path: Path) -> float:
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    t0 = time.perf_counter()
    client.execute()
    return time.perf_counter() - t0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in (*EDITIONS, "check"):
        print(__doc__)
        return 2
    mode, paths = argv[0], notebooks(argv[1:])
    if not paths:
        sys.exit("no notebooks/NN_topic.ipynb found")
    if mode in EDITIONS:
        write(mode, paths)
        return 0
    os.environ.update(ENV)
    failed = []
    for which in EDITIONS:
        for target in write(which, paths):
            try:
                seconds = execute(target)
                print(f"executed {target.relative_to(ROOT)} ({seconds:.1f} s)", flush=True)
            except Exception as exc:  # report every edition, then fail
                why = f"{type(exc).__name__}: {str(exc)[-800:]}"
                print(f"FAILED {target.relative_to(ROOT)}: {why}", flush=True)
                failed.append(target)
    if failed:
        print(f"{len(failed)} edition(s) do not run top to bottom", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
