"""Keep the site free of live-code machinery it does not use.

Jupyter Book 1 always loads sphinx-thebe, which puts a script naming a CDN copy of thebe on every page
(twice, which the browser reports as a redeclared constant). The book has no live code cells (launch buttons
are off), so those scripts are removed from each page: the site stays fully offline and error-free.
"""

from sphinx.application import Sphinx


def _is_thebe_script(script) -> bool:
    filename = str(getattr(script, "filename", "") or "")
    body = str(getattr(script, "attributes", {}).get("body", ""))
    return "sphinx-thebe" in filename or "THEBE_JS_URL" in body


def _drop_thebe_scripts(app, pagename, templatename, context, doctree):
    if "script_files" in context:
        context["script_files"] = [s for s in context["script_files"] if not _is_thebe_script(s)]
    if "css_files" in context:
        context["css_files"] = [c for c in context["css_files"] if "sphinx-thebe" not in str(getattr(c, "filename", c))]


def setup(app: Sphinx):
    app.connect("html-page-context", _drop_thebe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
