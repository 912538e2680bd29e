"""nbval, tolerant to the last printed digit: the output contract of every notebook.

nbval compares a re-executed cell's text outputs with the stored ones exactly. Exact text
cannot survive a change of CPU: BLAS and torch pick their kernels at run time, so a
printed ``0.358`` may come back as ``0.359``. The contract this plugin enforces is

* the text is identical: words, signs, ``True``/``False``, ``< 1e-12``, line breaks and the
  number of numbers;
* each integer is identical (counts, sizes, indices);
* each decimal number agrees with the stored one within one unit of the stored number's
  last printed digit (``0.358`` accepts 0.357-0.359; ``3.1e-15`` accepts 3.0e-15-3.2e-15).

A cell may loosen this with a comment line ``# NBVAL_TOLERANCE rtol=0.05`` (and/or
``atol=...``), which must be followed by a comment saying why.

How: before nbval's own ``compare_outputs`` runs, every fresh text output that agrees with
its stored counterpart under these rules is replaced by the stored text; nbval then
compares as usual, so anything else (a changed word, a missing or extra line or output)
still fails with nbval's own diff. Loaded from the repository's ``conftest.py``.
"""

from __future__ import annotations

import copy
import math
import re

#: a number standing on its own: not glued to a preceding letter, digit, "_" or "." (so
#: "float32", "x_1" and version strings stay text); sign included; "12." is the integer 12
NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?")
MARKER = re.compile(r"^\s*#\s*NBVAL_TOLERANCE\b(.*)$", re.MULTILINE)


def parse_marker(source: str) -> dict:
    """``{'rtol': x, 'atol': y}`` from a ``# NBVAL_TOLERANCE rtol=x atol=y`` line of a cell (zeros if none)."""
    tol = {"rtol": 0.0, "atol": 0.0}
    for match in MARKER.finditer(source or ""):
        for item in match.group(1).split():
            key, _, value = item.partition("=")
            if key not in tol or not value:
                raise ValueError(f"NBVAL_TOLERANCE takes rtol=<float> and atol=<float>, got {item!r}")
            tol[key] = float(value)
            if not (math.isfinite(tol[key]) and tol[key] >= 0):
                raise ValueError(f"NBVAL_TOLERANCE {key} must be a finite number >= 0, got {value!r}")
    return tol


def _is_integer(token: str) -> bool:
    return "." not in token and "e" not in token.lower()


def last_digit_unit(token: str) -> float:
    """One unit of the last printed digit: 0.001 for '0.358', 1e-16 for '3.1e-15', 1 for '12'."""
    mantissa, _, exponent = token.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (int(exponent or 0) - decimals)


def numbers_agree(ref: str, test: str, rtol: float = 0.0, atol: float = 0.0) -> bool:
    """True if ``test`` matches ``ref`` as text, with every decimal number within one unit of
    ``ref``'s last printed digit (or within rtol * |ref| + atol if that is larger); integers exact."""
    if ref == test:
        return True
    if NUMBER.sub("#", ref) != NUMBER.sub("#", test):
        return False  # a word, a sign glued to text, a line or the count of numbers differs
    for r, t in zip(NUMBER.findall(ref), NUMBER.findall(test)):
        if r == t:
            continue
        if _is_integer(r) or _is_integer(t):
            return False
        allowed = max(last_digit_unit(r), rtol * abs(float(r)), atol)
        if not abs(float(t) - float(r)) <= allowed * (1 + 1e-9):
            return False
    return True


def _text_slots(outputs) -> dict:
    """{key: [(container, field), ...]} in order, keyed as nbval keys them: stream name or MIME type."""
    slots: dict = {}
    for out in outputs:
        if out.get("output_type") == "stream":
            slots.setdefault(out["name"], []).append((out, "text"))
        elif isinstance(out.get("data"), dict):
            for mime in out["data"]:
                slots.setdefault(mime, []).append((out["data"], mime))
    return slots


def reconcile(test, ref, sanitize=lambda s: s, rtol: float = 0.0, atol: float = 0.0):
    """A copy of the fresh outputs ``test`` in which every text that agrees with its stored
    counterpart in ``ref`` (``numbers_agree`` after ``sanitize``) is replaced by the stored text."""
    test = copy.deepcopy(test)
    ref_slots = _text_slots(ref)
    for key, fresh in _text_slots(test).items():
        stored = ref_slots.get(key, [])
        if len(stored) != len(fresh):
            continue  # nbval reports the different number of outputs itself
        for (tc, tf), (rc, rf) in zip(fresh, stored):
            t, r = tc[tf], rc[rf]
            t_str = "".join(t) if isinstance(t, list) else t
            r_str = "".join(r) if isinstance(r, list) else r
            if not (isinstance(t_str, str) and isinstance(r_str, str)) or t_str == r_str:
                continue
            if numbers_agree(sanitize(r_str), sanitize(t_str), rtol, atol):
                tc[tf] = r_str
    return test


def install() -> None:
    """Wrap ``nbval.plugin.IPyNbCell.compare_outputs`` with ``reconcile`` (idempotent)."""
    from nbval.plugin import IPyNbCell

    original = IPyNbCell.compare_outputs
    if getattr(original, "_tolerant", False):
        return

    def compare_outputs(self, test, ref, skip_compare=None):
        tol = parse_marker(self.cell.get("source", ""))
        return original(self, reconcile(test, ref, self.sanitize, **tol), ref, skip_compare)

    compare_outputs._tolerant = True
    IPyNbCell.compare_outputs = compare_outputs
