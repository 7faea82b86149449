"""Ship only what the pages use, so that a chapter page stays well under 2.5 MB with everything it loads.

After the HTML build, the themes' static files are trimmed:

- Font Awesome: the themes ship all of it twice, as a 1.5 MB script that swaps every icon for an SVG and as
  web fonts that the theme's stylesheet already uses. The script goes; the fonts are cut down to the glyphs
  the pages show (fontTools, from the TrueType copies), and the stylesheet keeps only the rules of those icons.
- Source maps, and the theme's files that no page requests (translations used at build time, template
  fragments, launch-button logos, thebe, which book/_ext/offline_site.py already took off the pages).

Sphinx copies static files only when it writes some page, and does not see changes to templates or to
book/_ext/tex2svg.js at all; so when any of the book's own assets changes, every page is rebuilt.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
from pathlib import Path

from fontTools import subset
from sphinx.application import Sphinx

_FONTAWESOME_SCRIPT = re.compile(
    r'\s*<!-- So that users can add custom icons -->\s*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>'
)
_CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')
_ICON_CLASS = re.compile(r"\bfa-[a-z0-9-]+\b")
# One Font Awesome icon rule in the theme's stylesheet: `.fa-bars:before,.fa-navicon:before{content:"\f0c9"}`.
_ICON_RULE = re.compile(r'((?:\.fa-[a-z0-9-]+:before,?)+)\{content:"\\([0-9a-f]+)"\}')
_SOURCE_MAP_COMMENT = re.compile(r"\n?(//# sourceMappingURL=\S+|/\*# sourceMappingURL=\S+ \*/)")
_WEBFONT = re.compile(r"url\(\.\./vendor/fontawesome/webfonts/(fa-[a-z]+-[0-9]+)\.woff2\) format\(\"woff2\"\),url\([^)]*\.ttf\) format\(\"truetype\"\)")

UNUSED_STATIC = [
    "locales",
    "webpack-macros.html",
    "sbt-webpack-macros.html",
    "sphinx-thebe.js",
    "sphinx-thebe.css",
    # logos of the launch buttons this book turns off; its "Run in the browser" button shows the JupyterLite one
    "images/logo_binder.svg",
    "images/logo_colab.png",
    "images/logo_deepnote.svg",
    "images/logo_jupyterhub.svg",
    "copybutton_funcs.js",  # the module copybutton.js was built from
    "copy-button.svg",  # copybutton.js draws its icons inline
    "check-solid.svg",
    "play-solid.svg",  # a thebe launch icon
    "scripts/fontawesome.js",
    "scripts/fontawesome.js.LICENSE.txt",
]


def _pages(outdir: Path):
    return [path for path in outdir.rglob("*.html") if "_static" not in path.relative_to(outdir).parts]


def _drop_icon_script(pages) -> set[str]:
    """Remove the Font Awesome script tag from every page; return the icon classes the pages use."""
    used = set()
    for page in pages:
        text = page.read_text(encoding="utf-8")
        lean = _FONTAWESOME_SCRIPT.sub("", text)
        if lean != text:
            page.write_text(lean, encoding="utf-8")
        for classes in _CLASS_ATTRIBUTE.findall(lean):
            used.update(_ICON_CLASS.findall(classes))
    return used


def _trim_icon_rules(stylesheet: Path, used_classes: set[str]) -> set[int]:
    """Keep only the icon rules that the pages use; return the code points those icons need."""
    code_points = set()

    def keep_if_used(rule):
        names = {selector[1:-7] for selector in rule[1].split(",")}  # ".fa-bars:before" -> "fa-bars"
        if names & used_classes:
            code_points.add(int(rule[2], 16))
            return rule[0]
        return ""

    css = _ICON_RULE.sub(keep_if_used, stylesheet.read_text(encoding="utf-8"))
    stylesheet.write_text(_WEBFONT.sub(r'url(../vendor/fontawesome/webfonts/\1.subset.woff) format("woff")', css), encoding="utf-8")
    return code_points


def _subset_fonts(webfonts: Path, code_points: set[int]):
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # it reports every table it subsets
    options = subset.Options()
    options.flavor = "woff"  # zlib-compressed; woff2 would need the brotli module
    options.layout_features = []
    for truetype in sorted(webfonts.glob("fa-*.ttf")):
        font = subset.load_font(str(truetype), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=code_points)
        subsetter.subset(font)
        subset.save_font(font, str(webfonts / f"{truetype.stem}.subset.woff"), options)
    for original in list(webfonts.glob("fa-*.ttf")) + list(webfonts.glob("fa-*.woff2")):
        original.unlink()


def _drop_source_maps(static: Path):
    for source_map in static.rglob("*.map"):
        source_map.unlink()
    for asset in list(static.rglob("*.js")) + list(static.rglob("*.css")):
        text = asset.read_text(encoding="utf-8")
        lean = _SOURCE_MAP_COMMENT.sub("", text)
        if lean != text:
            asset.write_text(lean, encoding="utf-8")


def _trim(app: Sphinx, exception):
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    static = outdir / "_static"
    used_icons = _drop_icon_script(_pages(outdir))
    code_points = _trim_icon_rules(static / "styles" / "pydata-sphinx-theme.css", used_icons)
    _subset_fonts(static / "vendor" / "fontawesome" / "webfonts", code_points)
    _drop_source_maps(static)
    for name in UNUSED_STATIC:
        path = static / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def _assets_digest(app: Sphinx) -> str:
    roots = [Path(app.confdir) / path for path in app.config.html_static_path + app.config.templates_path]
    files = sorted(path for root in roots for path in root.rglob("*") if path.is_file())
    files.append(Path(__file__).with_name("tex2svg.js"))
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _rebuild_when_assets_change(app: Sphinx, env, added, changed, removed):
    digest = _assets_digest(app)
    if getattr(env, "book_assets_digest", None) == digest:
        return []
    env.book_assets_digest = digest
    return sorted(env.found_docs)


def setup(app: Sphinx):
    app.connect("env-get-outdated", _rebuild_when_assets_change)
    # After server_math has written its stylesheet (default priority 500), so that every page is final.
    app.connect("build-finished", _trim, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
