"""What the book, the editions and the README share about the lectures: where the repository is
published, and which exercise each solution cell answers.

Repository: read from ``git remote get-url origin`` when it points at GitHub (the host Colab
opens notebooks from, and Binder builds from); ``COURSE_REPOSITORY=owner/name`` overrides it
(``none`` for no repository). When it is unknown -- a clone without a GitHub remote, a copy
without .git -- the Binder and Colab links, the README badges and the Colab install cell are
left out rather than pointing at a placeholder.

Exercises: a lecture's exercises are markdown cells that start with ``**Exercise N.``
(numbered 1, 2, ... in order); the code cells tagged ``solution`` after one, up to the next
exercise, answer it, and each begins with the comment ``# Solution N``.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTION_TAG = "solution"
EXERCISE = re.compile(r"^\s*\*\*Exercise\s+(\d+)\b")
SOLUTION_COMMENT = re.compile(r"^\s*#\s*Solution\s+(\d+)\b")
GITHUB = re.compile(r"^(?:https://github\.com/|git@github\.com:|ssh://git@github\.com/)"
                    r"([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+?)(?:\.git)?/?$")


def github_slug(url: str) -> str | None:
    """``owner/name`` of a GitHub remote URL (https or ssh), else None."""
    m = GITHUB.match(url.strip())
    return m.group(1) if m else None


def repository() -> str | None:
    """``owner/name`` of the published GitHub repository, or None where it is unknown."""
    override = os.environ.get("COURSE_REPOSITORY")
    if override is not None:
        return None if override.strip().lower() in ("", "none") else override.strip()
    try:
        url = subprocess.run(["git", "remote", "get-url", "origin"], cwd=ROOT, capture_output=True,
                             text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    return github_slug(url)


def _source(cell) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def is_solution(cell) -> bool:
    return cell["cell_type"] == "code" and SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def exercise_number(cell) -> int | None:
    """N for a markdown cell that opens exercise N, else None."""
    if cell["cell_type"] != "markdown":
        return None
    m = EXERCISE.match(_source(cell))
    return int(m.group(1)) if m else None


def exercises(cells) -> tuple[list[int | None], list[str]]:
    """The exercise each cell belongs to (None before the first exercise), and the problems found:
    exercises not numbered 1, 2, ... in order, a solution before any exercise, a solution whose
    ``# Solution N`` comment names another exercise than the one it follows."""
    owner, problems, current, seen = [], [], None, []
    for i, cell in enumerate(cells):
        n = exercise_number(cell)
        if n is not None:
            seen.append(n)
            current = n
        elif cell["cell_type"] == "markdown" and current is not None and _source(cell).lstrip().startswith("#"):
            current = None  # a heading after the exercises (references, further reading)
        if is_solution(cell):
            if current is None:
                problems.append(f"cell {i}: a solution cell outside any exercise")
            m = SOLUTION_COMMENT.match(_source(cell))
            if not m:
                problems.append(f"cell {i}: a solution cell that does not start with '# Solution {current}'")
            elif current is not None and int(m.group(1)) != current:
                problems.append(f"cell {i}: '# Solution {m.group(1)}' under exercise {current}")
        owner.append(current)
    if seen != list(range(1, len(seen) + 1)):
        problems.append(f"exercises numbered {seen}, expected 1, 2, ... in order")
    return owner, problems
