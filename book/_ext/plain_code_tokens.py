"""Code blocks without a <span> around the tokens that are drawn as plain text.

Pygments wraps every token in a span of its type: each name, comma and space gets one, 6,400 spans on a
chapter page. Most of them are for types that both highlighting styles of the site (the theme's light and
dark ones) draw exactly as the code block's own text, so they change nothing on screen; but each is one more
element for a reader's phone to style and lay out. The formatter installed here writes those tokens as bare
text, which Pygments merges with their bare neighbours into one run, and keeps every span that draws.

Bare text takes the colour of the block's <pre>, which the theme sets to its own text colour rather than the
highlighting style's; book/_static/site.css gives the <pre> the style's colour (the one the spans had), so
every character keeps its colour. tests/test_plain_code_tokens.py checks both halves.
"""

from __future__ import annotations

from pygments.formatters import HtmlFormatter
from pygments.styles import get_style_by_name
from pygments.token import STANDARD_TYPES, Text, _TokenType
from pydata_sphinx_theme.utils import get_theme_options_dict
from sphinx.application import Sphinx


def plain_token_types(style_names: list[str]) -> frozenset[_TokenType]:
    """The standard token types that every one of these styles draws exactly as plain text."""
    styles = [get_style_by_name(name) for name in style_names]
    return frozenset(
        token_type
        for token_type in STANDARD_TYPES
        if all(style.style_for_token(token_type) == style.style_for_token(Text) for style in styles)
    )


def formatter_without_plain_spans(plain_types: frozenset[_TokenType]) -> type[HtmlFormatter]:
    class PlainTokenHtmlFormatter(HtmlFormatter):
        def _get_css_classes(self, token_type):
            # An empty class makes Pygments write the token without a span (HtmlFormatter._format_lines).
            return "" if token_type in plain_types else super()._get_css_classes(token_type)

    return PlainTokenHtmlFormatter


def _site_styles(app: Sphinx) -> list[str]:
    """The light and dark styles that pydata-sphinx-theme writes pygments.css from (its theme options)."""
    options = get_theme_options_dict(app)
    defaults = app.builder.theme.get_options()
    return [options.get(key) or defaults[key] for key in ("pygments_light_style", "pygments_dark_style")]


def _install(app: Sphinx):
    if app.builder.format != "html":
        return
    app.builder.highlighter.formatter = formatter_without_plain_spans(plain_token_types(_site_styles(app)))


def setup(app: Sphinx):
    app.connect("builder-inited", _install)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
