"""Search that works in the Chinese edition.

Sphinx indexes Chinese text by cutting it into words with jieba. jieba's own dictionary does not know the
book's terms, so 交叉熵 or 最大似然估计 would be cut into pieces and a search for the whole term would find
nothing. The terminology page (book/front/terminology.md) lists every term with its Chinese rendering; its
Chinese column becomes a jieba user dictionary, written beside the build's doctrees and given to Sphinx as an
absolute path (``html_search_options["dict"]``), so it resolves from wherever the build runs.
"""

import re
from pathlib import Path

from sphinx.application import Sphinx

TERMINOLOGY_PAGE = Path(__file__).resolve().parents[1] / "front" / "terminology.md"
# A count far above any word's in jieba's dictionary: a listed term is always kept whole.
TERM_FREQUENCY = 10**6
_HAN = re.compile(r"[\u3400-\u9fff]")
_TABLE_ROW = re.compile(r"^\|\s*(?P<english>[^|]+?)\s*\|\s*(?P<chinese>[^|]+?)\s*\|\s*$")


def terminology(page: Path = TERMINOLOGY_PAGE) -> dict[str, str]:
    """English term -> Chinese rendering, read from the table of the terminology page."""
    terms = {}
    for line in page.read_text(encoding="utf-8").splitlines():
        row = _TABLE_ROW.match(line)
        if row and not set(row["english"]) <= set("-: ") and row["english"] != "English":
            if row["english"] in terms:
                raise ValueError(f"{page}: the term {row['english']!r} is listed twice")
            terms[row["english"]] = row["chinese"]
    if not terms:
        raise ValueError(f"{page}: no table of terms found")
    return terms


def chinese_words(terms: dict[str, str]) -> list[str]:
    """The Chinese words of the renderings, one per space-separated part ("KL 散度" gives 散度)."""
    words = {part for rendering in terms.values() for part in rendering.split() if _HAN.search(part)}
    return sorted(words)


def _write_user_dictionary(app: Sphinx, config) -> None:
    if not (config.language or "en").startswith("zh"):
        return
    path = Path(app.doctreedir) / "jieba-user-dictionary.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "".join(f"{word} {TERM_FREQUENCY}\n" for word in chinese_words(terminology())), encoding="utf-8"
    )
    config.html_search_options = {**(config.html_search_options or {}), "dict": str(path)}


def setup(app: Sphinx):
    app.connect("config-inited", _write_user_dictionary)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
