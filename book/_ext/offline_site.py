"""Keep the site free of live-code machinery it does not use, and point the launch button at the site's own
in-browser edition.

Jupyter Book 1 always loads sphinx-thebe, which puts a script naming a CDN copy of thebe on every page
(twice, which the browser reports as a redeclared constant). The book has no thebe cells, so those scripts are
removed from each page: the site stays fully offline and error-free.

sphinx-book-theme draws a "JupyterLite" launch link from ``launch_buttons.jupyterlite_url`` exactly as given, so
a relative URL would only work from pages at one depth. Here the configured URL is taken as relative to the
site's root, made relative to each page, and the link is named for what it does. Every edition (English at the
root, Chinese in zh/) opens the same in-browser edition: code and outputs are the same in both.
"""

from language_switch import current_language, edition_root_to_site_root
from sphinx.application import Sphinx

# The launch link's text and tooltip in each edition's language.
LAUNCH_LINK = {
    "en": ("Run in the browser", "Run this chapter in your browser (JupyterLite, offline, from this site)"),
    "zh_CN": ("在浏览器中运行", "在浏览器中运行本章（JupyterLite，离线，由本站提供）"),
}


def _is_thebe_script(script) -> bool:
    filename = str(getattr(script, "filename", "") or "")
    body = str(getattr(script, "attributes", {}).get("body", ""))
    return "sphinx-thebe" in filename or "THEBE_JS_URL" in body


def _drop_thebe_scripts(app, pagename, templatename, context, doctree):
    if "script_files" in context:
        context["script_files"] = [s for s in context["script_files"] if not _is_thebe_script(s)]
    if "css_files" in context:
        context["css_files"] = [c for c in context["css_files"] if "sphinx-thebe" not in str(getattr(c, "filename", c))]


def _localize_jupyterlite_button(app, pagename, templatename, context, doctree):
    lite_url = app.config.html_theme_options.get("launch_buttons", {}).get("jupyterlite_url", "").strip("/")
    if not lite_url:
        return
    groups = context.get("header_buttons", [])
    for group in groups:
        for button in group.get("buttons", []) if group.get("label") == "launch-buttons" else []:
            url = button.get("url", "")
            if url.startswith(lite_url + "?"):
                site_url = edition_root_to_site_root(app) + lite_url
                button["url"] = context["pathto"](site_url, 1) + url[len(lite_url):]
                button["text"], button["tooltip"] = LAUNCH_LINK[current_language(app)]
                button["label"] = "run-in-browser"
    # The launch menu goes after the download menu: the page's first link whose URL ends in ".ipynb" stays the
    # notebook download (the launch link's URL ends in "?path=<chapter>.ipynb", and tests/test_site.py takes the
    # first such link as the download).
    labels = [group.get("label") for group in groups]
    if "launch-buttons" in labels and "download-buttons" in labels:
        launch = groups.pop(labels.index("launch-buttons"))
        groups.insert([group.get("label") for group in groups].index("download-buttons") + 1, launch)


def setup(app: Sphinx):
    app.connect("html-page-context", _drop_thebe_scripts, priority=900)
    app.connect("html-page-context", _localize_jupyterlite_button, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
