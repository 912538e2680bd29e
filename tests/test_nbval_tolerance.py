"""The notebook output contract (tests/nbval_tolerance.py): text identical, integers exact,
decimals within one unit of their last printed digit."""

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.nbval_tolerance import last_digit_unit, numbers_agree, parse_marker, reconcile

REF = "alpha -> 0: R^2 = -0.358 (n = 160, 5 folds), error 3.1e-15 < 1e-12: True\n"


@pytest.mark.parametrize("test", [
    REF,
    REF.replace("-0.358", "-0.359"),  # last digit, up
    REF.replace("-0.358", "-0.357"),  # last digit, down
    REF.replace("3.1e-15", "3.2e-15"),  # last digit of a mantissa
    REF.replace("3.1e-15", "3.0e-15"),
])
def test_last_digit_flips_pass(test):
    assert numbers_agree(REF, test)


@pytest.mark.parametrize("test, why", [
    (REF.replace("-0.358", "-0.356"), "two units off"),
    (REF.replace("-0.358", "0.358"), "sign flipped"),
    (REF.replace("n = 160", "n = 161"), "integers are exact"),
    (REF.replace("5 folds", "5.0 folds"), "an integer printed as a decimal"),
    (REF.replace("True", "False"), "a changed word"),
    (REF.replace("folds", "fold"), "a changed word"),
    (REF.replace("3.1e-15", "3.1e-14"), "exponent off"),
    (REF.replace(" < 1e-12", ""), "a missing part"),
    (REF + "extra line 0.1\n", "an extra line"),
    (REF.replace("\n", ""), "a missing line break"),
    ("", "a missing output"),
])
def test_real_differences_fail(test, why):
    assert not numbers_agree(REF, test), why


def test_missing_and_extra_lines_fail():
    ref = "a = 0.12\nb = 0.34\n"
    assert not numbers_agree(ref, "a = 0.12\n")
    assert not numbers_agree(ref, "a = 0.12\nb = 0.34\nc = 0.56\n")
    assert numbers_agree(ref, "a = 0.13\nb = 0.33\n")


def test_numbers_glued_to_words_are_text():
    assert not numbers_agree("dtype float32", "dtype float33")
    assert not numbers_agree("x_1 = 2", "x_2 = 2")
    assert numbers_agree("v2.13.0 gives 0.5", "v2.13.0 gives 0.6")  # 0.5 -> 0.6 is one unit
    assert not numbers_agree("v2.13.0 gives 0.5", "v2.14.0 gives 0.5")


def test_last_digit_unit():
    assert last_digit_unit("0.358") == pytest.approx(1e-3)
    assert last_digit_unit("-12.5") == pytest.approx(0.1)
    assert last_digit_unit("3.1e-15") == pytest.approx(1e-16)
    assert last_digit_unit("2E+03") == pytest.approx(1e3)


def test_marker_loosens_one_cell():
    tol = parse_marker("# NBVAL_TOLERANCE rtol=0.05\n# why: a trained model's loss\nprint(loss)")
    assert tol == {"rtol": 0.05, "atol": 0.0}
    assert numbers_agree("loss 1.000", "loss 1.049", **tol)
    assert not numbers_agree("loss 1.000", "loss 1.051", **tol)
    assert not numbers_agree("loss 1.000", "loss 1.049")
    assert parse_marker("print(1)") == {"rtol": 0.0, "atol": 0.0}
    with pytest.raises(ValueError, match="rtol"):
        parse_marker("# NBVAL_TOLERANCE rtl=0.1")
    with pytest.raises(ValueError, match="atol"):
        parse_marker("# NBVAL_TOLERANCE atol=-1")


def test_reconcile_replaces_only_agreeing_texts():
    ref = [nbformat.v4.new_output("stream", name="stdout", text="x = 0.358\n"),
           nbformat.v4.new_output("execute_result", data={"text/plain": "0.12"}, execution_count=1)]
    test = [nbformat.v4.new_output("stream", name="stdout", text="x = 0.359\n"),
            nbformat.v4.new_output("execute_result", data={"text/plain": "0.15"}, execution_count=1)]
    out = reconcile(test, ref)
    assert out[0]["text"] == "x = 0.358\n"  # within one unit: replaced by the stored text
    assert out[1]["data"]["text/plain"] == "0.15"  # three units off: left for nbval to report
    assert test[0]["text"] == "x = 0.359\n"  # the caller's outputs are not modified
    assert out[0].output_type == "stream"  # still notebook nodes, as nbval expects


CASES = [  # (source, stored output, passes)
    ("print(f'{0.3584:.3f}')", "0.359\n", True),  # prints 0.358: a last-digit flip
    ("print(f'{0.3584:.3f}')", "0.360\n", False),  # two units
    ("print('n =', 160)", "n = 161\n", False),  # an integer
    ("print('R^2 is', 0.358)", "R2 is 0.358\n", False),  # a word
    ("print(0.358)", "0.358\n0.1\n", False),  # a missing line
    ("print(0.358); print(0.1)", "0.358\n", False),  # an extra line
    ("# NBVAL_TOLERANCE rtol=0.05\n# (why: a demo)\nprint(1.04)", "1.00\n", True),
    ("print(1.04)", "1.00\n", False),  # the same without the marker
]


def test_end_to_end_with_nbval(tmp_path):
    """pytest --nbval, with this repository's conftest.py, on a notebook of one cell per case."""
    here = Path(__file__).resolve().parent
    (tmp_path / "tests").mkdir()
    (tmp_path / "conftest.py").write_text((here.parent / "conftest.py").read_text())
    (tmp_path / "tests" / "nbval_tolerance.py").write_text((here / "nbval_tolerance.py").read_text())
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for i, (source, stored, _) in enumerate(CASES):
        cell = nbformat.v4.new_code_cell(source, execution_count=i + 1)
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored)]
        nb.cells.append(cell)
    nbformat.write(nb, tmp_path / "nb.ipynb")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-rA", "-p", "no:cacheprovider", "--nbval",
                           "--nbval-current-env", "nb.ipynb"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    outcome = {int(cell): word for word, cell in re.findall(r"^(PASSED|FAILED) nb\.ipynb::Cell (\d+)",
                                                            proc.stdout, re.MULTILINE)}
    assert len(outcome) == len(CASES), proc.stdout[-3000:] + proc.stderr[-2000:]
    for i, (source, stored, passes) in enumerate(CASES):
        assert (outcome[i] == "PASSED") == passes, (source, stored, outcome[i])
