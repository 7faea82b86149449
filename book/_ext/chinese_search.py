"""Search that works in the Chinese edition.

Sphinx indexes Chinese text by cutting it into words with jieba. jieba's own dictionary does not know the
book's terms, so 交叉熵 or 最大似然估计 would be cut into pieces and a search for the whole term would find
nothing. The book's terminology (terminology.py) lists every term with its Chinese rendering; its Chinese
column becomes a jieba user dictionary, written beside the build's doctrees and given to Sphinx as an
absolute path (``html_search_options["dict"]``), so it resolves from wherever the build runs.
"""

import logging
import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.search import languages
from sphinx.search.zh import SearchChinese
from terminology import terminology

# A count far above any word's in jieba's dictionary: a listed term is always kept whole.
TERM_FREQUENCY = 10**6
_HAN = re.compile(r"[\u3400-\u9fff]")


# One-character function words, which a reader never searches for and which would fill the index.
_FUNCTION_CHARACTERS = set("的了是在和与或为其这那个之及也就都而被把对由从以于即若则所并且")


class BookChineseSearch(SearchChinese):
    """Sphinx's Chinese search, also indexing one-character words: 熵 (entropy) is a term of its own, and Sphinx
    drops every word shorter than two characters."""

    def word_filter(self, stemmed_word: str) -> bool:
        if len(stemmed_word) == 1 and _HAN.fullmatch(stemmed_word):
            return stemmed_word not in _FUNCTION_CHARACTERS
        return super().word_filter(stemmed_word)


def chinese_words(terms: dict[str, str]) -> list[str]:
    """The Chinese words of the renderings, one per space-separated part ("KL 散度" gives 散度)."""
    words = {part for rendering in terms.values() for part in rendering.split() if _HAN.search(part)}
    return sorted(words)


def _write_user_dictionary(app: Sphinx, config) -> None:
    if not (config.language or "en").startswith("zh"):
        return
    import jieba  # only the Chinese edition needs it

    jieba.setLogLevel(logging.WARNING)  # not its notes on loading its dictionary, on every build
    path = Path(app.doctreedir) / "jieba-user-dictionary.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "".join(f"{word} {TERM_FREQUENCY}\n" for word in chinese_words(terminology())), encoding="utf-8"
    )
    config.html_search_options = {**(config.html_search_options or {}), "dict": str(path)}


def setup(app: Sphinx):
    languages["zh"] = BookChineseSearch
    app.connect("config-inited", _write_user_dictionary)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
