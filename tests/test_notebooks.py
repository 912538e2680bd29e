"""Every lecture is a jupytext py:percent source paired with an executed .ipynb.

nbval silently skips code cells that have no stored execution, so a cleared notebook
would "pass": these tests make sure each stored notebook was executed top to bottom.
"""

import json
import re
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_there_are_lectures():
    assert SOURCES, "no notebooks/NN_topic.py found"


def test_every_notebook_has_a_source_and_vice_versa():
    assert {p.stem for p in SOURCES} == {p.stem for p in NOTEBOOKS}


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_source_and_notebook_agree(src):
    ipynb = src.with_suffix(".ipynb")
    a = jupytext.read(src)
    b = jupytext.read(ipynb)
    assert [(c.cell_type, c.source.strip()) for c in a.cells] == [(c.cell_type, c.source.strip()) for c in b.cells], (
        f"{src.name} and {ipynb.name} differ: run `make sync` (jupytext --sync) then `make outputs NB={src.stem[:2]}`"
    )
    assert b.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent"


@pytest.mark.parametrize("ipynb", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_was_executed_top_to_bottom(ipynb):
    nb = json.loads(ipynb.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    counts = [c.get("execution_count") for c in code]
    assert None not in counts, f"{ipynb.name}: cells without execution_count (not executed): run `make outputs`"
    assert counts == list(range(1, len(code) + 1)), f"{ipynb.name}: not executed in order from a fresh kernel"
    assert sum(bool(c["outputs"]) for c in code) >= len(code) // 3, f"{ipynb.name}: too few stored outputs"
    errors = [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors, f"{ipynb.name}: stored outputs contain an error"


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_lecture_conventions(src):
    text = src.read_text()
    assert re.search(r"cu\.setup\(seed=\d+\)|course_utils\.setup\(seed=\d+\)", text), "call setup(seed=...) at the top"
    assert "assert " in text, "a check cell compares simulation with theory and asserts it"
    assert 'tags=["solution"]' in text, "exercises come with tagged solution cells"
    assert "live(" in text, "a live (slider) cell for the key parameter"
    nb = json.loads(src.with_suffix(".ipynb").read_text())
    texts = [
        "".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
        for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]
    ]
    assert not any(re.search(r"\b0x[0-9a-f]{6,}", t) for t in texts), "a memory address leaked into stored outputs"
