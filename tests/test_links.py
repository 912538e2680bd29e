"""No dead links: no placeholder repository (OWNER/...) and no path into the authors' notes
folder (shared/...), which is not part of the repository, in what a reader sees. The built
book is checked the same way by book/test_site.py."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEAD = re.compile(r"\bOWNER\b|<owner>|\bshared/")
READER_FILES = sorted([ROOT / "README.md", ROOT / "CONTRIBUTING.md", *(ROOT / "book").glob("*.md"),
                       *(ROOT / "book").glob("*.yml"), *(ROOT / "notebooks").glob("[0-9][0-9]_*.py"),
                       *(ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")])


def dead_links(text: str) -> list[str]:
    return [text[max(0, m.start() - 40):m.end() + 40].replace("\n", " ") for m in DEAD.finditer(text)]


def test_the_pattern_catches_placeholders_and_note_paths():
    assert dead_links("see github.com/OWNER/ml-physics-course") and dead_links("notes in `shared/notes/000_*`")
    assert not dead_links("Beg Rohu 2025 notes, part II; the owner of the repository")


@pytest.mark.parametrize("path", READER_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_placeholder_or_notes_path(path):
    found = dead_links(path.read_text())
    assert not found, f"{path.relative_to(ROOT)}: dead link or placeholder: {found[:3]}"
