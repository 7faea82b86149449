"""Code blocks drop the spans of plain-text tokens (book/_ext/plain_code_tokens.py) and still draw the same.

Pygments' own HtmlFormatter is the reference: for a snippet with every kind of Python token the book's code
has, each character must get the same style (colour, weight, slant, background) in both of the site's
highlighting styles, whether it sits in a span of its type or in the bare text the lean formatter writes.
The built pages must carry none of the dropped spans, and in Chromium the bare text must be drawn in the
colour pygments.css gives a code block (the spans' colour), in the light and the dark theme.
"""

import configparser
import html.parser
import importlib.util
import re
import sys
from pathlib import Path

import pydata_sphinx_theme
import pytest
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer
from pygments.styles import get_style_by_name
from pygments.token import STANDARD_TYPES, Text

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
_spec = importlib.util.spec_from_file_location("plain_code_tokens", ROOT / "book" / "_ext" / "plain_code_tokens.py")
plain_code_tokens = importlib.util.module_from_spec(_spec)
sys.modules["plain_code_tokens"] = plain_code_tokens
_spec.loader.exec_module(plain_code_tokens)

# The theme's styles (pydata-sphinx-theme's theme.conf; _config.yml does not change them).
SITE_STYLES = ["a11y-high-contrast-light", "a11y-high-contrast-dark"]
SNIPPET = '''import numpy as np
from mathlib import cross_entropy_loss  # the loss

@decorator
def nll(logits: np.ndarray, labels, *, eps=1e-12) -> float:
    """Mean negative log-likelihood."""
    x = logits - logits.max(axis=-1, keepdims=True)
    total = -(x[np.arange(len(labels)), labels] - np.log(np.exp(x).sum(-1))).mean()
    assert total >= 0 and not np.isnan(total), f"{total!r} is {0x1F} {3.5j} {True}"
    return float(total) if labels is not None else None
'''
CLASS_TO_TYPE = {css_class: token_type for token_type, css_class in STANDARD_TYPES.items()}


class _StyledCharacters(html.parser.HTMLParser):
    """(character, the token type whose style draws it) for Pygments' HTML: a span's type, or Text when bare."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open_types = []
        self.characters = []

    def handle_starttag(self, tag, attrs):
        if tag == "span":  # Pygments opens every block with an empty <span></span>
            css_class = dict(attrs).get("class")
            self.open_types.append(CLASS_TO_TYPE[css_class.split()[0]] if css_class else Text)

    def handle_endtag(self, tag):
        if tag == "span":
            self.open_types.pop()

    def handle_data(self, data):
        token_type = self.open_types[-1] if self.open_types else Text
        self.characters.extend((character, token_type) for character in data)


def _styled_characters(markup):
    parser = _StyledCharacters()
    parser.feed(markup)
    return parser.characters


def test_site_styles_are_the_themes():
    conf = configparser.ConfigParser()
    conf.read(Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "theme.conf")
    assert [conf["options"]["pygments_light_style"], conf["options"]["pygments_dark_style"]] == SITE_STYLES
    assert "pygments_" not in (ROOT / "_config.yml").read_text(encoding="utf-8")


def test_plain_types_are_the_ones_both_styles_draw_as_text():
    plain = plain_code_tokens.plain_token_types(SITE_STYLES)
    classes = {STANDARD_TYPES[token_type] for token_type in plain}
    # Names, punctuation and spaces look like text in these styles; keywords, strings, numbers do not.
    assert classes >= {"", "n", "p", "w"}
    assert not classes & {"k", "s2", "mf", "o", "c1", "nf", "nb"}
    for style in map(get_style_by_name, SITE_STYLES):
        assert all(style.style_for_token(token_type) == style.style_for_token(Text) for token_type in plain)


@pytest.mark.parametrize("style_name", SITE_STYLES)
def test_every_character_keeps_its_style(style_name):
    lean_formatter = plain_code_tokens.formatter_without_plain_spans(plain_code_tokens.plain_token_types(SITE_STYLES))
    reference = highlight(SNIPPET, PythonLexer(), HtmlFormatter(style=style_name))
    lean = highlight(SNIPPET, PythonLexer(), lean_formatter(style=style_name))
    style = get_style_by_name(style_name)
    reference_characters = _styled_characters(reference)
    lean_characters = _styled_characters(lean)
    assert [character for character, _ in lean_characters] == [character for character, _ in reference_characters]
    for index, ((character, reference_type), (_, lean_type)) in enumerate(zip(reference_characters, lean_characters)):
        assert style.style_for_token(lean_type) == style.style_for_token(reference_type), (index, character)
    assert lean.count("<span") < 0.5 * reference.count("<span")


def test_built_code_blocks_carry_no_span_of_a_plain_token():
    plain_classes = {STANDARD_TYPES[token_type] for token_type in plain_code_tokens.plain_token_types(SITE_STYLES)} - {""}
    chapters = sorted(SITE.glob("book/part*/*.html"))
    assert chapters, "scripts/build-book builds the site first"
    for chapter in chapters:
        classes = set(re.findall(r'<span class="([a-z0-9]+)">', chapter.read_text(encoding="utf-8")))
        assert "k" in classes, chapter  # the page has highlighted code
        assert not classes & plain_classes, (chapter, classes & plain_classes)
