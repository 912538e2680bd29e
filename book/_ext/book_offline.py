"""Sphinx extension of the course book: keep every page working offline and free of console errors.

- sphinx-thebe 0.3 adds its inline ``const THEBE_JS_URL = ...`` script twice under Jupyter
  Book 1.0.4, and the second ``const`` throws a SyntaxError in the browser: drop repeated
  scripts from each page (thebe stays off in this book: nothing runs on the site).
- Phone and desktop: static/course.css and static/course.js (the sidebar toggles of the
  article header work, no second header band, wide figures enlarge on a tap, long inline
  math scrolls instead of being cut).
- A lecture title with math ("... and $p > n$") would show its TeX in the browser tab
  (``<title>`` is plain text, MathJax does not reach it): write it as plain text there.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

_INLINE_MATH = re.compile(r"\\\((.*?)\\\)")
_COMMAND = re.compile(r"\\([A-Za-z]+)")
_GREEK = {"varphi": "φ", "vartheta": "ϑ", "varepsilon": "ε"}


def _greek(match: re.Match) -> str:
    name = match.group(1)
    if name in _GREEK:
        return _GREEK[name]
    try:
        case = "CAPITAL" if name[0].isupper() else "SMALL"
        return unicodedata.lookup(f"GREEK {case} LETTER {name.upper()}")
    except KeyError:  # \mathbb, \to, ...: keep only their arguments
        return ""


def plain_title(title: str) -> str:
    """``\\(\\varphi^4\\)`` -> ``φ^4``: inline math of a title as readable plain text."""
    return _INLINE_MATH.sub(lambda m: _COMMAND.sub(_greek, m.group(1)).replace("{", "").replace("}", ""), title)


def plain_page_title(app, pagename, templatename, context, doctree):
    if context.get("title"):
        context["title"] = plain_title(context["title"])


def _key(js) -> tuple:
    attributes = getattr(js, "attributes", {}) or {}
    # the same inline script comes once with filename None and once with "": one key for both
    return (str(getattr(js, "filename", js) or ""), tuple(sorted((k, str(v)) for k, v in attributes.items())))


def dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for js in scripts:
        key = _key(js)
        if key not in seen:
            seen.add(key)
            kept.append(js)
    scripts[:] = kept


STATIC = Path(__file__).resolve().parent / "static"


def add_static(app):
    app.config.html_static_path.append(str(STATIC))


def setup(app):
    # the phone and desktop fixes of the course (static/course.css, static/course.js): sidebar
    # toggles that work, one header, wide figures that enlarge on a tap, long math that scrolls
    app.connect("builder-inited", add_static)
    app.add_css_file("course.css")
    app.add_js_file("course.js", loading_method="defer")
    # early: html-page-context stops at the first handler that returns a template name
    app.connect("html-page-context", dedupe_scripts, priority=100)
    app.connect("html-page-context", plain_page_title, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
