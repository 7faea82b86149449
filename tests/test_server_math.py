"""Formulas rendered at build time (book/_ext/server_math.py, tex2svg.js) draw exactly what MathJax draws.

tex2svg.js removes the groups MathJax wraps around every MathML node, so that a reader's browser has fewer
elements to style and lay out. That must change nothing a reader sees or hears: each formula below, which
between them use every construction whose groups are handled specially (fractions, scripts, limits, roots,
accents, stretchy delimiters, tables with rules and dashes, colour, boxes, links, an equation tag), is rendered
both with and without the flattening, the two are drawn side by side in Chromium, and the pixels must be the
same; the MathML that screen readers read must be the same text. The built pages are then checked to carry
no group that holds only MathJax's labels.
"""

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from tests.chromium import CHROMIUM, CHROMIUM_ARGS

playwright_sync = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements.txt")

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
MATHJAX = ROOT / ".cache" / "mathjax" / "es5"

_spec = importlib.util.spec_from_file_location("server_math", ROOT / "book" / "_ext" / "server_math.py")
server_math = importlib.util.module_from_spec(_spec)
sys.modules["server_math"] = server_math
_spec.loader.exec_module(server_math)

FORMULAS = [
    (r"x", False),
    (r"\hat\theta_{\mathrm{MLE}} = \arg\max_\theta \prod_{i=1}^n p_\theta(x_i)", False),
    (r"D_{\mathrm{KL}}(p \,\|\, q) = \sum_{x} p(x) \log \frac{p(x)}{q(x)} \geq 0", True),
    (r"\sigma(z) = \frac{1}{1 + e^{-z}}, \quad \sqrt[3]{\frac{a^2_{ij}}{\sqrt{b}}}", True),
    (r"\left( \frac{\partial^2 J}{\partial w_j \, \partial w_k} \right)_{j,k} \bigg| \Big\{ \tilde p, \widehat{xy}, \vec v, \bar l \Big\}", True),
    (r"\underbrace{-\sum_k y_k \log \hat y_k}_{\text{cross-entropy}} = \overbrace{H(y)}^{0} + D(y \| \hat y)", True),
    (r"\begin{aligned} H(X) &= -\sum_x p(x)\log p(x) \\ &\le \log K \end{aligned}", True),
    (r"\begin{array}{c|c} a & b \\ \hline c & d \end{array} \quad \begin{array}{:c:} x \\ \hdashline y \end{array}", True),
    (r"\begin{pmatrix} 1 & 0 \\ 0 & \ddots \end{pmatrix} \begin{cases} 1 & y = 1, \\ 0 & \text{otherwise} \end{cases}", True),
    (r"\color{red}{a} + \colorbox{yellow}{$b$} + \boxed{c} + \bbox[5px,border:2px solid blue]{d} + \cancel{e}", True),
    (r"\href{https://example.org}{\log p} \xrightarrow[\text{below}]{\text{above}} \mathbb{E}_{x \sim p}[f(x)]", True),
    (r"\int_{-\infty}^{\infty} e^{-x^2/2} \, dx = \sqrt{2\pi} \tag{7}", True),
    (r"\begin{align} a &= b + c \tag{1} \\ \frac{d}{e} &= \sqrt{f} \tag{2} \end{align}", True),
    (r"\begin{array}{|c|c|} \hline \frac{1}{2} & \sum_k a_k \\ \hline x & \sqrt{y} \\ \hline \end{array}", True),
    (r"\begin{smallmatrix} a & b \\ c & d \end{smallmatrix} \quad \substack{i < j \\ j < k}", True),
    (r"\mathcal{I}(\theta) = \operatorname{Var}\!\left[\tfrac{\partial}{\partial\theta} \log p_\theta(X)\right]", False),
]
_ASSISTIVE_MML = re.compile(r"<mjx-assistive-mml.*?</mjx-assistive-mml>", re.S)
# A group that holds nothing but MathJax's labels, which tex2svg.js removes (all but the ones CSS selects).
_BARE_GROUP = re.compile(r'<g data-mml-node="(?!mtable"|merror"|maction")[^"]*"(?: data-mjx-texclass="[^"]*")?>')


@pytest.fixture(scope="module")
def renderer():
    assert (MATHJAX / "node-main.js").is_file(), "MathJax is installed by scripts/setup"
    renderer = server_math.TexRenderer(MATHJAX)
    yield renderer
    renderer.close()


@pytest.fixture(scope="module")
def rendered(renderer):
    pairs = []
    for tex, display in FORMULAS:
        flat, error = renderer.render(tex, display)
        assert error is None, (tex, error)
        nested, error = renderer.render(tex, display, flatten=False)
        assert error is None, (tex, error)
        pairs.append((tex, flat, nested))
    return pairs


def test_flattening_removes_most_groups(rendered):
    flat = sum(html.count("<g") for _, html, _ in rendered)
    nested = sum(html.count("<g") for _, _, html in rendered)
    assert flat < 0.5 * nested, (flat, nested)
    assert not any(_BARE_GROUP.search(html) for _, html, _ in rendered)
    assert all(_BARE_GROUP.search(html) for _, _, html in rendered)
    # A transform on a nested <svg> (the label column of a tagged equation) is SVG 2, not drawn everywhere.
    assert not any(re.search(r"<svg[^>]* transform=", html) for _, html, _ in rendered)
    assert any("<svg data-table" in html for _, html, _ in rendered)  # the case is among the formulas


def test_flattening_leaves_the_mathml_for_screen_readers_alone(rendered):
    for tex, flat, nested in rendered:
        assert _ASSISTIVE_MML.findall(flat) == _ASSISTIVE_MML.findall(nested), tex


def test_flattened_formulas_draw_the_same_pixels(renderer, rendered):
    glyphs = "".join(f'<path id="{glyph}" d="{path}"></path>' for glyph, path in renderer.glyphs.items())
    css = renderer.ask(op="css")["css"]

    def page(formula):  # each version drawn alone at the same place, so that anti-aliasing cannot differ
        return (
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{css} body {{ font-size: 20px; }}</style>"
            f"</head><body><svg style='display: none'><defs>{glyphs}</defs></svg>"
            f"<div id='formula' style='display: inline-block; padding: 8px'>{formula}</div></body></html>"
        )

    assert CHROMIUM.exists(), "Debian's chromium is required: apt-get install chromium chromium-driver"
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            view = browser.new_page(device_scale_factor=3)
            for tex, flat, nested in rendered:
                drawn = []
                for formula in (flat, nested):
                    view.set_content(page(formula))
                    drawn.append(view.locator("#formula").screenshot())
                assert drawn[0] == drawn[1], f"the flattened SVG of {tex!r} draws differently"
        finally:
            browser.close()


def test_built_pages_carry_no_bare_groups():
    chapters = sorted(SITE.glob("book/part*/*.html"))
    assert chapters, "scripts/build-book builds the site first"
    for chapter in chapters:
        text = chapter.read_text(encoding="utf-8")
        assert "<mjx-container" in text, chapter
        assert not _BARE_GROUP.search(text), chapter
