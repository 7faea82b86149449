"""Render every formula to SVG when the book is built, so that readers' browsers run no MathJax at all.

Typesetting in the browser cost a chapter page 2 MB of JavaScript and, on a mid-range phone, 12 s during
which raw TeX showed. Here MathJax runs once, in Node.js, at build time (tex2svg.js beside this file, with
the copy of MathJax that scripts/setup installs, pinned by version and checksum). Each formula becomes an
inline SVG with MathML beside it for screen readers; pages work offline and from file:// by construction.

A formula MathJax cannot parse (unknown macro, unbalanced brace) is a build warning, so with -W the build
fails instead of publishing red TeX.

Glyph outlines are shared: a formula's SVG refers to its glyphs by id, and after the build every page gets
one hidden <svg> holding the outlines that page refers to (MathJax's "global font cache", done per page).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import threading
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

logger = logging.getLogger(__name__)

RENDERER_NAME = "svg_at_build_time"
STYLESHEET = "mathjax-svg.css"
_GLYPH_CACHE_ID = "MJX-SVG-page-glyphs"
_GLYPH_PATH = re.compile(r'<path id="(MJX-[^"]+)" d="([^"]*)"')
_GLYPH_REFERENCE = re.compile(r'xlink:href="#(MJX-[^"]+)"')
_OLD_GLYPH_CACHE = re.compile(rf'<svg id="{_GLYPH_CACHE_ID}"[^>]*>.*?</svg>', re.S)
_BODY_TAG = re.compile(r"<body[^>]*>")


class TexRenderer:
    """One Node.js process running tex2svg.js, started on first use and shared by the whole build."""

    def __init__(self, mathjax_dir: Path):
        self.mathjax_dir = mathjax_dir
        self.glyphs: dict[str, str] = {}
        self._process = None
        self._lock = threading.Lock()

    def _start(self):
        node = shutil.which("node") or shutil.which("nodejs")
        if node is None:
            raise ExtensionError("server_math: Node.js is needed to render the formulas (scripts/setup installs it)")
        if not (self.mathjax_dir / "node-main.js").is_file():
            raise ExtensionError(f"server_math: no MathJax in {self.mathjax_dir}; run scripts/setup")
        script = Path(__file__).with_name("tex2svg.js")
        self._process = subprocess.Popen(
            [node, str(script), str(self.mathjax_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        ready = self._process.stdout.readline()
        if json.loads(ready or "{}").get("ready") is not True:
            raise ExtensionError(f"server_math: tex2svg.js did not start (said {ready!r})")

    def ask(self, **request) -> dict:
        with self._lock:
            if self._process is None:
                self._start()
            self._process.stdin.write(json.dumps(request) + "\n")
            self._process.stdin.flush()
            answer = self._process.stdout.readline()
            if not answer:
                raise ExtensionError("server_math: tex2svg.js exited during the build")
            return json.loads(answer)

    def render(self, tex: str, display: bool, flatten: bool = True) -> tuple[str | None, str | None]:
        """Return (html, None) for the formula, or (None, MathJax's error message).

        flatten=False keeps every group MathJax makes (see tex2svg.js), for tests that compare the two."""
        answer = self.ask(op="render", tex=tex, display=display, flatten=flatten)
        if "error" in answer:
            return None, answer["error"]
        self.glyphs.update(_GLYPH_PATH.findall(self.ask(op="defs")["html"]))
        return answer["html"], None

    def close(self):
        if self._process is not None:
            self._process.stdin.close()
            self._process.wait(timeout=30)
            self._process = None


def _renderer(translator) -> TexRenderer:
    return translator.builder.app.server_math_renderer


def _formula_html(translator, node, tex: str, display: bool) -> str:
    rendered, error = _renderer(translator).render(tex, display)
    if error is None:
        return rendered
    logger.warning("MathJax cannot render %r: %s", tex, error, location=node, type="server_math")
    return f'<code class="math-error">{html.escape(tex)}</code>'


def visit_math(translator, node: nodes.math):
    translator.body.append(translator.starttag(node, "span", "", CLASS="math notranslate nohighlight"))
    translator.body.append(_formula_html(translator, node, node.astext(), display=False))
    translator.body.append("</span>")
    raise nodes.SkipNode


def _display_tex(node: nodes.math_block) -> str:
    """The TeX that sphinx.ext.mathjax would hand MathJax for this block (same rules for parts and splits)."""
    if node["nowrap"]:
        return node.astext()
    parts = [part for part in node.astext().split("\n\n") if part.strip()]
    parts = [rf"\begin{{split}}{part}\end{{split}}" if r"\\" in part else part for part in parts]
    if len(parts) > 1:
        return r"\begin{align}\begin{aligned}" + r"\\".join(parts) + r"\end{aligned}\end{align}"
    return parts[0] if parts else ""


def visit_displaymath(translator, node: nodes.math_block):
    translator.body.append(translator.starttag(node, "div", CLASS="math notranslate nohighlight"))
    if node.get("number") and not node["nowrap"]:
        number = get_node_equation_number(translator, node)
        translator.body.append(f'<span class="eqno">({number})')
        translator.add_permalink_ref(node, _("Link to this equation"))
        translator.body.append("</span>")
    translator.body.append(_formula_html(translator, node, _display_tex(node), display=True))
    translator.body.append("</div>\n")
    raise nodes.SkipNode


def _start_renderer(app: Sphinx):
    mathjax_dir = Path(app.config.server_math_mathjax_dir)
    if not mathjax_dir.is_absolute():
        mathjax_dir = Path(app.srcdir) / mathjax_dir
    app.server_math_renderer = TexRenderer(mathjax_dir)
    if app.builder.format == "html":
        app.add_css_file(STYLESHEET)


def _add_glyphs_to_page(page: str, glyphs: dict[str, str]) -> str:
    page = _OLD_GLYPH_CACHE.sub("", page)
    used = sorted(set(_GLYPH_REFERENCE.findall(page)))
    if not used:
        return page
    missing = [glyph for glyph in used if glyph not in glyphs]
    if missing:
        raise ExtensionError(f"server_math: no outline for glyphs {missing[:5]}")
    paths = "".join(f'<path id="{glyph}" d="{glyphs[glyph]}"></path>' for glyph in used)
    cache = f'<svg id="{_GLYPH_CACHE_ID}" aria-hidden="true" style="display: none"><defs>{paths}</defs></svg>'
    body = _BODY_TAG.search(page)
    return page[: body.end()] + cache + page[body.end() :]


def _finish(app: Sphinx, exception):
    renderer: TexRenderer = app.server_math_renderer
    try:
        if exception is not None or app.builder.format != "html":
            return
        static = Path(app.outdir) / "_static"
        static.mkdir(parents=True, exist_ok=True)
        (static / STYLESHEET).write_text(renderer.ask(op="css")["css"], encoding="utf-8")
        # Only pages written in this build can refer to glyphs this build has not seen; the others keep the
        # glyph cache they were given when they were written.
        for docname in app.builder.pages_written:
            path = Path(app.builder.get_outfilename(docname))
            if path.is_file():
                path.write_text(_add_glyphs_to_page(path.read_text(encoding="utf-8"), renderer.glyphs), encoding="utf-8")
    finally:
        renderer.close()


def _record_written(app: Sphinx, pagename, templatename, context, doctree):
    app.builder.pages_written.add(pagename)


def setup(app: Sphinx):
    app.add_config_value("server_math_mathjax_dir", ".cache/mathjax/es5", "env")
    app.add_html_math_renderer(RENDERER_NAME, (visit_math, None), (visit_displaymath, None))
    app.connect("builder-inited", _start_renderer)
    app.connect("builder-inited", lambda app: setattr(app.builder, "pages_written", set()))
    app.connect("html-page-context", _record_written)
    app.connect("build-finished", _finish)
    # Glyph outlines are collected in this process while pages are written, so writing must stay serial.
    return {"parallel_read_safe": True, "parallel_write_safe": False}
