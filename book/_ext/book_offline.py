"""Sphinx extension of the course book: keep every page working offline and free of console errors.

- sphinx-thebe 0.3 adds its inline ``const THEBE_JS_URL = ...`` script twice under Jupyter
  Book 1.0.4, and the second ``const`` throws a SyntaxError in the browser: drop repeated
  scripts from each page (thebe stays off in this book: nothing runs on the site).
"""

from __future__ import annotations


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


def setup(app):
    # early: html-page-context stops at the first handler that returns a template name
    app.connect("html-page-context", dedupe_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
