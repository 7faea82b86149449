"""The book's editions side by side: the English site at the root, the Chinese one in zh/ (scripts/build_editions.py).

- Each edition has every page of the other, and every page links to the same page in the other edition, in
  both directions (also followed in the browser).
- The Chinese pages are Chinese: the page's language is declared, and no paragraph of prose is left in English
  (the catalogue tests, tests/test_translations.py, check the catalogues; this checks that the built site uses
  them).
- Chinese search finds each of the book's key terms, the right chapter first (jieba with the terminology's
  words, book/_ext/chinese_search.py).

The per-page browser checks of tests/test_site.py (formulas rendered, nothing leaving the site, no console
error, nothing past a phone screen, axe-core) run on the pages of both editions.
"""

import html
import re
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup

from tests.test_site import EDITION_ROOTS, PAGES, SITE, PageVisit, browser, edition_of, site_url  # noqa: F401 (fixtures)

TRANSLATED = {language: root for language, root in EDITION_ROOTS.items() if root}
_HAN = re.compile(r"[\u3400-\u9fff]")


def _pages_of(root: str) -> set[str]:
    return {edition_of(page)[1] for page in PAGES if edition_of(page)[0] == root}


def test_there_is_a_chinese_edition():
    assert TRANSLATED == {"zh_CN": "zh/"}


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_edition_has_every_page_of_the_other(language):
    english, translated = _pages_of(""), _pages_of(TRANSLATED[language])
    assert len(english) >= 20 and english == translated, (sorted(english - translated), sorted(translated - english))


def _switch_links(page_path: str) -> list[tuple[str, str]]:
    text = (SITE / page_path).read_text(encoding="utf-8")
    return [
        (hreflang, html.unescape(href))
        for href, hreflang in re.findall(r'<a class="btn btn-sm language-switch" href="([^"]+)" hreflang="([^"]+)"', text)
    ]


@pytest.mark.parametrize("page_path", PAGES)
def test_every_page_links_to_the_same_page_in_the_other_edition(page_path):
    links = _switch_links(page_path)
    assert len(links) == len(EDITION_ROOTS) - 1, f"{page_path}: language switch links {links}"
    _, page_in_edition = edition_of(page_path)
    for hreflang, href in links:
        target = (SITE / page_path).parent.joinpath(href).resolve()
        language = {"en": "en", "zh-CN": "zh_CN"}[hreflang]
        assert target == (SITE / EDITION_ROOTS[language] / page_in_edition).resolve(), (page_path, href)
        assert target.is_file(), f"{page_path} links to a missing {target}"


def test_the_switch_leads_there_and_back_in_the_browser(browser, site_url):  # noqa: F811
    visit = PageVisit(browser, site_url)
    try:
        page = visit.open(f"{site_url}/book/part2/06_mle_is_min_kl.html")
        english_title = page.locator("h1").first.inner_text()
        page.locator("a.language-switch").click()
        page.wait_for_url("**/zh/book/part2/06_mle_is_min_kl.html")
        chinese_title = page.locator("h1").first.inner_text()
        assert page.evaluate("() => document.documentElement.lang") == "zh-CN"
        page.locator("a.language-switch").click()
        page.wait_for_url("**/book/part2/06_mle_is_min_kl.html")
        assert "/zh/" not in page.url and page.locator("h1").first.inner_text() == english_title
    finally:
        visit.close()
    assert _HAN.search(chinese_title) and chinese_title != english_title, chinese_title
    assert not visit.console_errors and not visit.external_requests


# What stays English in the Chinese edition by design: code and its outputs, formulas, the API's function
# descriptions (mathlib's docstrings), the bibliography's entries and the terminology table's English column.
NOT_TRANSLATED = [
    "div.cell_output",
    "div.highlight",
    "mjx-container",
    "dl.py",
    "div.citation",
    "table.terminology",
    "code",
]


def english_prose(page_html: str) -> list[str]:
    """The paragraphs, headings, list items, captions and table cells of a page's article, and the entries and
    part captions of its navigation, that read as English: four or more Latin words and not one Chinese
    character."""
    page = BeautifulSoup(page_html, "html.parser")
    article = page.select_one("article.bd-article")
    for element in article.select(", ".join(NOT_TRANSLATED)):
        element.decompose()
    found = []
    blocks = article.select("p, h1, h2, h3, li, figcaption, th, td") + page.select("nav.bd-docs-nav .caption-text, nav.bd-docs-nav a")
    for block in blocks:
        words = " ".join(block.get_text(" ").split())
        if len(re.findall(r"\b[A-Za-z]{3,}\b", words)) >= 4 and not _HAN.search(words):
            found.append(words[:80])
    return found


def test_english_prose_is_found_in_a_planted_page():
    page = (
        '<html lang="zh-CN"><body><article class="bd-article"><p>似然函数 $L$</p>'
        "<p>The likelihood is not a density.</p><div class=\"highlight\"><pre>print(the value of it)</pre></div>"
        '</article><nav class="bd-docs-nav"><p class="caption"><span class="caption-text">Part I: Likelihood and'
        " information</span></p></nav></body></html>"
    )
    assert english_prose(page) == ["The likelihood is not a density.", "Part I: Likelihood and information"]


@pytest.mark.parametrize("language", TRANSLATED)
def test_translated_pages_hold_no_english_prose(language):
    root = TRANSLATED[language]
    pages = sorted(page for page in PAGES if page.startswith(root + "book/"))
    english = []
    for page_path in pages:
        text = (SITE / page_path).read_text(encoding="utf-8")
        assert 'lang="zh-CN"' in text.split(">", 2)[1], f"{page_path} does not declare its language"
        english += [(page_path, paragraph) for paragraph in english_prose(text)]
    assert pages and not english, f"{len(english)} English paragraphs, e.g. {english[:5]}"


# Each term, and the chapter a reader searching for it needs (issue 14).
CHINESE_SEARCHES = {
    "熵": "book/part1/03_entropy",
    "交叉熵": "book/part2/05_cross_entropy_kl",
    "负对数似然": "book/part2/06_mle_is_min_kl",
    "经验分布": "book/part2/06_mle_is_min_kl",
    "最大似然估计": "book/part1/02_maximum_likelihood",
    "KL 散度": "book/part2/05_cross_entropy_kl",
    "互信息": "book/part1/04_mutual_information",
    "信息增益": "book/part1/04_mutual_information",
}


@pytest.fixture(scope="module")
def search_visit(browser, site_url):  # noqa: F811
    visit = PageVisit(browser, site_url)
    yield visit
    visit.close()


@pytest.mark.parametrize("term, chapter", CHINESE_SEARCHES.items())
def test_chinese_search_finds_the_right_chapter_first(search_visit, site_url, term, chapter):  # noqa: F811
    page = search_visit.open(f"{site_url}/zh/search.html?q={quote(term)}")
    page.wait_for_selector("#search-results li", timeout=30_000)
    page.wait_for_function("() => !document.querySelector('#search-progress')?.textContent.trim()", timeout=30_000)
    hits = page.locator("#search-results li a").evaluate_all("links => links.map(a => a.pathname)")
    assert hits and hits[0].endswith(f"/zh/{chapter}.html"), f"{term}: {hits[:5]}"
    assert not search_visit.console_errors and not search_visit.external_requests
