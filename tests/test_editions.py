"""The student/instructor editions and the book's table of contents (fast: no Chromium, no Sphinx).

The browser test of the built site is book/test_site.py, run by `make test-book`.
"""

import importlib.util
import json
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent


def load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


editions = load("make_editions")
build_book = load("build_book")


SOLUTION = "# Solution 1: square it\ny = x**2\nprint(y)"


@pytest.fixture(autouse=True)
def published(monkeypatch):
    """Tests run as if the repository were published on GitHub, unless they say otherwise."""
    monkeypatch.setenv("COURSE_REPOSITORY", "owner/repo")


def lecture() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 99 · A lecture\n\nTheory $E = -\\sum_i h_i s_i$."),
        nbformat.v4.new_code_cell("x = 2\nprint(x)"),
        nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\ncu.plotting.live(plot, T=(0.5, 4.0, 0.1))"),
        nbformat.v4.new_markdown_cell("## Exercises"),
        nbformat.v4.new_markdown_cell("**Exercise 1.** Square it."),
        nbformat.v4.new_code_cell(SOLUTION, metadata={"tags": ["solution"]}),
        nbformat.v4.new_markdown_cell("**Exercise 2.** Prove that $x^2 \\ge 0$ (on paper)."),
        nbformat.v4.new_code_cell("print(x + 1)"),
    ]
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="2\n")]
    nb.cells[5].outputs = [nbformat.v4.new_output("stream", text="4\n")]
    return nb


def sources(nb):
    return [c.source for c in nb.cells]


def test_student_edition_removes_exactly_the_solutions():
    nb = lecture()
    student = editions.edition(nb, "student")
    assert SOLUTION not in sources(student)
    assert all("solution" not in c.metadata.get("tags", []) for c in student.cells)
    # one labelled answer cell right below each exercise, with or without a solution in the source
    stubs = [(i, c) for i, c in enumerate(student.cells) if "exercise" in c.metadata.get("tags", [])]
    assert [c.source for _, c in stubs] == ["# Exercise 1: your answer here\n", "# Exercise 2: your answer here\n"]
    assert all(student.cells[i - 1].source.startswith(f"**Exercise {k}.**") for k, (i, _) in enumerate(stubs, 1))
    assert not any(c.outputs for _, c in stubs)
    # every other cell is kept, in order, with its stored output
    kept = [s for s in sources(nb) if s != SOLUTION]
    assert [s for s in sources(student) if s in kept] == kept
    assert student.cells[2].outputs[0]["text"] == "2\n"
    assert sources(nb)[5] == SOLUTION, "the source notebook is not modified"
    nbformat.validate(student)


def test_exercises_are_numbered_and_solutions_follow_their_exercise():
    lecture_meta = sys.modules["lecture_meta"]
    owners, problems = lecture_meta.exercises(lecture().cells)
    assert problems == [] and owners[5] == 1 and owners[3] is None
    bad = lecture()
    bad.cells[6].source = "**Exercise 3.** Skipped a number."
    bad.cells.insert(7, nbformat.v4.new_code_cell("# Solution 1: again", metadata={"tags": ["solution"]}))
    _, problems = lecture_meta.exercises(bad.cells)
    assert any("numbered [1, 3]" in p for p in problems)
    assert any("'# Solution 1' under exercise 3" in p for p in problems)


@pytest.mark.parametrize("src", sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py")), ids=lambda p: p.stem)
def test_every_lecture_numbers_its_exercises(src):
    """**Exercise 1.**, **Exercise 2.**, ... each followed by the solutions that say '# Solution N'."""
    import jupytext

    cells = jupytext.read(src).cells
    owners, problems = sys.modules["lecture_meta"].exercises(cells)
    assert not problems, "; ".join(problems)
    assert any(o is not None for o in owners), "no **Exercise 1.** cell"
    assert all(o is not None for c, o in zip(cells, owners) if editions.is_solution(c))


@pytest.mark.parametrize("url, slug", [
    ("https://github.com/someone/ml-course.git", "someone/ml-course"),
    ("git@github.com:someone/ml-course.git", "someone/ml-course"),
    ("https://github.com/someone/ml-course", "someone/ml-course"),
    ("https://gitlab.example.org/someone/ml-course.git", None),
    ("/srv/git/ml-course", None),
    ("", None),
])
def test_repository_is_read_from_a_github_remote_only(url, slug):
    assert sys.modules["lecture_meta"].github_slug(url) == slug


def test_without_a_published_repository_there_are_no_links(monkeypatch):
    monkeypatch.setenv("COURSE_REPOSITORY", "none")
    for which in ("student", "instructor"):
        ed = editions.edition(lecture(), which)
        assert not any("google.colab" in c.source for c in ed.cells), "a Colab cell installing from nowhere"
    meta = build_book.course()
    assert meta["repository"] is None
    web = build_book.web_notebook(json.loads(nbformat.writes(lecture())), "99_a_lecture", meta)
    text = json.dumps(web)
    assert "colab" not in text.lower() and "binder" not in text.lower() and "github.com" not in text
    found = [{"number": 99, "stem": "99_a_lecture", "title": "99 · A lecture"}]
    for book in (True, False):
        table = build_book.lecture_table(found, meta, {}, book=book)
        assert "open" not in table.splitlines()[0] and "colab" not in table.lower()
    assert "http" not in build_book.badges(meta, found)


def test_instructor_edition_keeps_everything_and_both_get_the_colab_cell():
    nb = lecture()
    instructor = editions.edition(nb, "instructor")
    assert [s for s in sources(instructor) if s in sources(nb)] == sources(nb)
    for which in ("student", "instructor"):
        ed = editions.edition(nb, which)
        assert ed.cells[0].cell_type == "markdown", "an edition still opens on its title"
        colab = ed.cells[1].source
        assert "google.colab" in colab and "course_utils @ git+https://github.com/" in colab
        assert ed.metadata["course"]["edition"] == which
        nbformat.validate(ed)
    with pytest.raises(ValueError, match="which"):
        editions.edition(nb, "teacher")


def test_colab_cell_is_valid_ipython_and_idle_outside_colab():
    from IPython.core.inputtransformer2 import TransformerManager

    code = TransformerManager().transform_cell(editions.colab_cell().source)
    compile(code, "colab-cell", "exec")  # the indented %pip is turned into a call
    namespace = {}
    exec(code, namespace)  # not in Colab: nothing is installed, no error


def test_the_book_shows_solutions_folded_and_the_live_cell_note():
    meta = {"repository": "owner/repo", "branch": "main"}
    web = build_book.web_notebook(json.loads(nbformat.writes(lecture())), "99_a_lecture", meta)
    solution = [c for c in web["cells"] if "solution" in c["metadata"].get("tags", [])]
    assert len(solution) == 1 and "hide-cell" in solution[0]["metadata"]["tags"]
    assert solution[0]["metadata"]["mystnb"]["code_prompt_show"] == "Show solution to exercise 1"
    assert not any("NBVAL" in "".join(c["source"]) for c in web["cells"])
    text = [("".join(c["source"])) for c in web["cells"] if c["cell_type"] == "markdown"]
    assert any("Live cell" in t for t in text)
    assert "colab.research.google.com/github/owner/repo/blob/main/notebooks/99_a_lecture.ipynb" in text[1]
    nbformat.validate(nbformat.reads(json.dumps(web), as_version=4))


def test_toc_puts_lectures_in_order_in_their_parts():
    parts = build_book.course()["parts"]
    found = [{"number": n, "stem": f"{n:02d}_x"} for n in (1, 5, 7, 12, 17, 18, 19, 23, 99)]
    toc = build_book.toc(found, parts)
    captions = [p["caption"] for p in toc["parts"]]
    assert captions == ["Getting started", "Foundations", "Sampling and energy",
                        "Memory and spin-glass learning", "Generative models", "Data and society", "More lectures"]
    files = [c["file"] for p in toc["parts"][1:] for c in p["chapters"]]
    # 19 sits in the foundations after 01, 23 with sampling and energy; 99 is in no part
    assert files == [f"lectures/{n:02d}_x" for n in (1, 19, 5, 23, 7, 12, 17, 18, 99)]
    # every lecture 01-23 is in exactly one part
    covered = sorted(n for p in parts for n in p["lectures"])
    assert covered == list(range(1, 24))
    # the README table follows the book's order
    table = build_book.lecture_table([{**f, "title": f["stem"]} for f in found], {"parts": parts}, {}, book=False)
    assert [int(line[2:4]) for line in table.splitlines()[2:]] == [1, 19, 5, 23, 7, 12, 17, 18, 99]


def test_every_lecture_present_has_book_metadata():
    meta = build_book.course()["lectures"]
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py")):
        entry = meta.get(path.name[:2], {})
        assert entry.get("prerequisites") and entry.get("topic"), f"course.yml: no lecture {path.name[:2]}"


def _names(code: str) -> tuple[set[str], set[str]]:
    """(names a cell binds, names it reads), after IPython's syntax is turned into Python."""
    import ast

    from IPython.core.inputtransformer2 import TransformerManager

    tree = ast.parse(TransformerManager().transform_cell(code))
    bound, read = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, (ast.Store, ast.Del)) else read).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
    return bound, read


def solution_dependencies(nb) -> list[str]:
    """Names that only solution cells define and that a later non-solution cell reads."""
    outside, only_solutions, broken = set(), set(), []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        bound, read = _names(cell.source)
        if editions.is_solution(cell):
            only_solutions |= bound - outside
            continue
        used = sorted((read & only_solutions) - bound)
        broken += [f"{name!r} in the cell starting {cell.source.splitlines()[0][:50]!r}" for name in used]
        outside |= bound
        only_solutions -= bound
    return broken


def test_solution_dependencies_are_found():
    nb = lecture()
    assert solution_dependencies(nb) == []
    nb.cells.append(nbformat.v4.new_code_cell("print(y + 1)"))
    assert len(solution_dependencies(nb)) == 1 and "'y'" in solution_dependencies(nb)[0]


@pytest.mark.parametrize("src", sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py")), ids=lambda p: p.stem)
def test_student_edition_needs_no_solution(src):
    """No cell after a solution reads a name that only a solution defines: the student edition
    (solutions removed) runs top to bottom. `make check-editions NB=..` executes it for real."""
    import jupytext

    broken = solution_dependencies(jupytext.read(src))
    assert not broken, "names defined only by solution cells, used later: " + "; ".join(broken)
