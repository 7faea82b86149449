"""The built site, as a reader sees it: headless Chromium (Debian's package, driven by Playwright, no browser
download) loads every page from a server on 127.0.0.1 and checks that every formula arrives rendered (SVG made
at build time, no MathJax error, every glyph present), every image loads, no request leaves localhost, the
console shows no error at all, and search finds a term from a chapter. One page is also opened from file://.

Then the reader on a phone (390 px) and on a desktop (1400 px): the navigation buttons work, nothing runs past
the screen, a chapter page weighs at most 2.5 MB with everything it loads, axe-core finds no serious or
critical WCAG 2.1 A/AA violation in the light or the dark theme, and the smaller promises of issue 17 (unique
ids, a bibliography labelled as the text cites it, links to the theorem index, the repository and an error
report). Checks that need only the built HTML read the files directly.

scripts/run-tests builds the site before pytest runs; these tests fail (never skip) when it is missing.
"""

import functools
import html
import http.server
import re
import threading
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import yaml

from tests.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

playwright_sync = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements.txt")

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
# axe-core, pinned by version and checksum in scripts/setup, injected into pages from disk.
AXE_SCRIPT = ROOT / ".cache" / "axe-core" / "axe.min.js"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1400, "height": 900}}
REPOSITORY_URL = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
SKIPPED_DIRS = {"_static", "_sources", "_images", "_sphinx_design_static", "_panels_static"}
# Each edition's folder under the site's root (_config.yml's book_editions): English at the root, Chinese in zh/.
EDITION_ROOTS = {
    language: (folder.strip("/") + "/" if folder.strip("/") else "")
    for language, folder in yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]["book_editions"].items()
}


def edition_of(page_path: str) -> tuple[str, str]:
    """(the edition's folder prefix, the page's path inside the edition) for a page's path under the site."""
    for prefix in sorted(EDITION_ROOTS.values(), key=len, reverse=True):
        if page_path.startswith(prefix):
            return prefix, page_path[len(prefix):]
    raise AssertionError(page_path)


def _site_pages():
    if not SITE.is_dir():
        return []
    return sorted(
        path.relative_to(SITE).as_posix()
        for path in SITE.rglob("*.html")
        if not SKIPPED_DIRS.intersection(path.relative_to(SITE).parts)
        and not any(part.startswith(".") for part in path.relative_to(SITE).parts)
        and path.name != "index.html"  # a redirect to the preface: test_index_redirects_to_the_preface
        and path.relative_to(SITE).parts[0] != "lite"  # the in-browser edition: tests/test_lite.py
    )


PAGES = _site_pages()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site_url():
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM.exists(), "Debian's chromium is required: apt-get install chromium chromium-driver"
    with playwright_sync.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageVisit:
    """A page opened in a fresh browser context that records what leaves localhost and what goes wrong."""

    def __init__(self, browser, allowed_prefix, **context_options):
        self.context = browser.new_context(**context_options)
        self.page = self.context.new_page()
        self.external_requests = []
        self.console_errors = []
        self.page_errors = []
        self.failed_responses = []
        self.allowed_prefix = allowed_prefix
        # Observing requests (rather than intercepting them with a route) keeps page loads fast; a request
        # that leaves localhost fails anyway on this offline machine, and is recorded here either way.
        self.context.on("request", self._request)
        self.context.on("response", self._response)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def _request(self, request):
        url = request.url
        if not (url.startswith(self.allowed_prefix) or urlparse(url).scheme in ("data", "blob", "about")):
            self.external_requests.append(url)

    def _response(self, response):
        if response.status >= 400:
            self.failed_responses.append(f"{response.status} {response.url}")

    def _console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)

    def open(self, url):
        """Load url, forgetting what earlier pages recorded (one context serves many pages: fast)."""
        self.external_requests.clear()
        self.console_errors.clear()
        self.page_errors.clear()
        self.failed_responses.clear()
        self.page.goto(url, wait_until="load")
        return self.page

    def close(self):
        self.context.close()


def _math_rendering(page):
    """Return (number of formulas, number delivered as SVG, MathJax errors, glyph references with no glyph)."""
    return page.evaluate(
        """() => {
            const formulas = Array.from(document.querySelectorAll('.math'));
            const rendered = formulas.filter(el => el.querySelector('mjx-container > svg'));
            const errors = Array.from(document.querySelectorAll('mjx-merror, [data-mjx-error], .math-error'))
                .map(el => el.getAttribute('data-mjx-error') || el.textContent);
            const missingGlyphs = Array.from(document.querySelectorAll('mjx-container use'))
                .map(use => use.getAttribute('xlink:href') || use.getAttribute('href'))
                .filter(href => !document.getElementById(href.slice(1)));
            return [formulas.length, rendered.length, errors, [...new Set(missingGlyphs)]];
        }"""
    )


def _broken_images(page):
    return page.evaluate(
        """async () => {
            const images = Array.from(document.images);
            images.forEach(img => { img.loading = 'eager'; });
            const results = await Promise.all(images.map(img => img.decode().then(() => null, () => img.src)));
            return results.filter(src => src !== null);
        }"""
    )


def test_the_site_was_built():
    assert (SITE / "index.html").exists(), "run scripts/build-book first (scripts/run-tests does)"
    assert len(PAGES) >= 18, f"only {len(PAGES)} pages in {SITE}"
    for edition in EDITION_ROOTS.values():
        assert (SITE / edition / "book/front/preface.html").is_file(), f"the edition in {edition or 'the root'} is missing"


@pytest.fixture(scope="module")
def site_visit(browser, site_url):
    visit = PageVisit(browser, site_url)
    yield visit
    visit.close()


@pytest.mark.parametrize("page_path", PAGES)
def test_page_renders_offline(site_visit, site_url, page_path):
    visit = site_visit
    page = visit.open(f"{site_url}/{page_path}")
    math_count, rendered, math_errors, missing_glyphs = _math_rendering(page)
    broken = _broken_images(page)
    assert rendered == math_count, f"{math_count - rendered} of {math_count} formulas not rendered"
    assert not math_errors, f"MathJax errors: {math_errors}"
    assert not missing_glyphs, f"formulas refer to glyphs the page lacks: {missing_glyphs[:5]}"
    assert not broken, f"images that did not load: {broken}"
    assert not visit.external_requests, f"requests leaving localhost: {visit.external_requests}"
    assert not visit.failed_responses, f"resources that failed to load: {visit.failed_responses}"
    assert not visit.page_errors, f"JavaScript errors: {visit.page_errors}"
    assert not visit.console_errors, f"console errors: {visit.console_errors}"


def test_first_visit_logs_no_console_error(browser, site_url):
    # A fresh context has no stored light/dark choice: the theme used to log an error on exactly this visit.
    visit = PageVisit(browser, site_url)
    try:
        page = visit.open(f"{site_url}/book/part1/01_likelihood.html")
        page.wait_for_function("() => document.documentElement.dataset.mode === 'auto'", timeout=30_000)
        page.wait_for_timeout(500)  # the theme's deferred scripts have run; give late errors a moment
    finally:
        visit.close()
    assert not visit.console_errors, visit.console_errors
    assert not visit.page_errors, visit.page_errors


def test_index_redirects_to_the_preface(site_visit, site_url):
    page = site_visit.open(f"{site_url}/index.html")
    page.wait_for_url("**/book/front/preface.html", timeout=30_000)
    assert page.locator("h1").first.inner_text().startswith("Preface")


def test_chapters_contain_rendered_math(browser, site_url):
    # Guards test_page_renders_offline against passing because no page has any math at all.
    visit = PageVisit(browser, site_url)
    try:
        math_count, rendered, _, _ = _math_rendering(visit.open(f"{site_url}/book/part2/06_mle_is_min_kl.html"))
    finally:
        visit.close()
    assert math_count > 10 and rendered == math_count


def test_formulas_arrive_rendered_and_no_mathjax_runs_in_the_browser(browser, site_url):
    # The formulas are SVG in the HTML as served: nothing typesets on the reader's device, so no raw TeX shows
    # while a page loads, and no MathJax script is requested.
    visit = PageVisit(browser, site_url)
    requested = []
    visit.context.on("request", lambda request: requested.append(request.url))
    try:
        page = visit.open(f"{site_url}/book/part1/03_entropy.html")
        served = page.request.get(f"{site_url}/book/part1/03_entropy.html").text()
    finally:
        visit.close()
    assert served.count("<mjx-container") > 50
    assert not re.search(r"\\\(|\\\[", served), "raw TeX delimiters in the served page"
    assert not [url for url in requested if "mathjax" in url.lower() and url.endswith(".js")], requested


def test_search_finds_a_term_from_a_chapter(browser, site_url):
    visit = PageVisit(browser, site_url)
    try:
        page = visit.open(f"{site_url}/search.html?q=Huffman")
        page.wait_for_selector("#search-results li", timeout=30_000)
        hits = page.locator("#search-results li a").evaluate_all("links => links.map(a => a.href)")
    finally:
        visit.close()
    assert any("03_entropy" in href for href in hits), hits


# Search as you type (issue 17): in the search dialog of a reading page, each edition, served and from file://.
# Each query's first hit is the chapter a reader needs, as on the search page.
SEARCH_AS_YOU_TYPE = [
    ("book/part1/01_likelihood.html", "Huffman", "book/part1/03_entropy.html"),
    ("zh/book/part3/09_multiclass.html", "交叉熵", "zh/book/part2/05_cross_entropy_kl.html"),
]


def _type_into_search_dialog(visit, page_url, query):
    requested = []
    visit.context.on("request", lambda request: requested.append(request.url))
    page = visit.open(page_url)
    page.keyboard.press("Control+k")
    page.wait_for_load_state("networkidle")
    index_before_typing = [url for url in requested if "searchindex.js" in url]
    field = page.locator("#pst-search-dialog input[name=q]")
    field.press_sequentially(query, delay=40)
    page.wait_for_selector(".book-search-as-you-type li a", timeout=30_000)
    hits = page.locator(".book-search-as-you-type li a").evaluate_all("links => links.map(a => a.href)")
    return page, field, hits, index_before_typing, requested


@pytest.mark.parametrize("page_path, query, first_hit", SEARCH_AS_YOU_TYPE)
def test_search_shows_results_as_you_type(browser, site_url, page_path, query, first_hit):
    visit = PageVisit(browser, site_url, **PHONE)
    try:
        page, field, hits, index_before_typing, requested = _type_into_search_dialog(
            visit, f"{site_url}/{page_path}", query
        )
        assert field.input_value() == query, "loading the search code changed what the reader typed"
        status = page.locator(".book-search-status").text_content()
        all_results = page.locator(".book-search-all").get_attribute("href")
        prefix = edition_of(page_path)[0]
        assert [url for url in requested if url.endswith(f"/{prefix}searchindex.js")], requested
        assert not index_before_typing, "the search index was loaded before the reader typed"
        assert len(hits) == len(set(hits)) and 1 <= len(hits) <= 8, hits
        assert urlparse(hits[0]).path == f"/{first_hit}", hits
        for hit in hits:
            assert (SITE / unquote(urlparse(hit).path).lstrip("/")).is_file(), hit
        assert re.search(r"\d", status), status
        page.click(".book-search-all")
        page.wait_for_selector("#search-results li", timeout=30_000)
        assert urlparse(page.url).path == f"/{prefix}search.html" and query in unquote(page.url), (all_results, page.url)
        assert not visit.console_errors and not visit.page_errors and not visit.external_requests
    finally:
        visit.close()


def test_search_as_you_type_says_when_nothing_matches(browser, site_url):
    visit = PageVisit(browser, site_url)
    try:
        page = visit.open(f"{site_url}/book/part1/01_likelihood.html")
        page.keyboard.press("Control+k")
        page.locator("#pst-search-dialog input[name=q]").press_sequentially("zzqxv", delay=40)
        page.wait_for_function("() => !document.querySelector('.book-search-as-you-type')?.hidden", timeout=30_000)
        assert page.locator(".book-search-status").text_content() == "No page matches."
        assert page.locator(".book-search-as-you-type li").count() == 0
        assert not visit.console_errors and not visit.page_errors
    finally:
        visit.close()


def test_search_as_you_type_works_from_file_url(browser):
    visit = PageVisit(browser, "file://")
    try:
        _, _, hits, _, _ = _type_into_search_dialog(
            visit, (SITE / "book/part3/09_multiclass.html").as_uri(), "Huffman"
        )
        assert hits and hits[0] == (SITE / "book/part1/03_entropy.html").as_uri(), hits
        assert not visit.console_errors and not visit.page_errors and not visit.external_requests
    finally:
        visit.close()


def test_math_renders_from_file_url(browser):
    visit = PageVisit(browser, "file://")
    try:
        page = visit.open((SITE / "book/part1/03_entropy.html").as_uri())
        math_count, rendered, math_errors, missing_glyphs = _math_rendering(page)
    finally:
        visit.close()
    assert math_count > 0 and rendered == math_count and not math_errors and not missing_glyphs
    assert not visit.external_requests, visit.external_requests


CHAPTER_PAGES = [page for page in PAGES if edition_of(page)[1].startswith("book/part")]
ENGLISH_CHAPTER_PAGES = [page for page in CHAPTER_PAGES if page.startswith("book/")]


@pytest.mark.parametrize("page_path", CHAPTER_PAGES)
def test_chapter_offers_its_notebook_for_download(site_visit, site_url, page_path):
    page = site_visit.open(f"{site_url}/{page_path}")
    links = page.locator('a[href$=".ipynb"]').evaluate_all("links => links.map(a => a.href)")
    assert links, f"{page_path} has no download-.ipynb button"
    response = page.request.get(links[0])
    assert response.ok, f"{links[0]} answered {response.status}"
    assert response.json()["nbformat"] == 4


# --- The reader on a phone and on a desktop -------------------------------------------------------------------


@pytest.fixture(scope="module")
def phone_visit(browser, site_url):
    visit = PageVisit(browser, site_url, **PHONE)
    yield visit
    visit.close()


def _visible(page, selector):
    locator = page.locator(f"{selector}:visible")
    assert locator.count() == 1, f"{locator.count()} visible {selector!r} on the page"
    return locator


def test_phone_menu_button_opens_the_navigation_drawer(phone_visit, site_url):
    page = phone_visit.open(f"{site_url}/book/part2/05_cross_entropy_kl.html")
    page.wait_for_load_state("load")
    _visible(page, ".primary-toggle").tap()
    drawer = page.locator("#pst-primary-sidebar-modal")
    drawer.wait_for(state="visible", timeout=10_000)
    assert drawer.evaluate("dialog => dialog.open")
    assert drawer.locator("a[href$='06_mle_is_min_kl.html']").is_visible()


def test_phone_contents_button_opens_the_page_contents(phone_visit, site_url):
    page = phone_visit.open(f"{site_url}/book/part2/05_cross_entropy_kl.html")
    page.wait_for_load_state("load")
    _visible(page, ".secondary-toggle").tap()
    drawer = page.locator("#pst-secondary-sidebar-modal")
    drawer.wait_for(state="visible", timeout=10_000)
    assert drawer.locator("a[href^='#']").first.is_visible()


def test_desktop_menu_button_collapses_and_restores_the_sidebar(browser, site_url):
    visit = PageVisit(browser, site_url, **DESKTOP)
    try:
        page = visit.open(f"{site_url}/book/part1/01_likelihood.html")
        page.wait_for_load_state("load")
        sidebar = page.locator("#pst-primary-sidebar")
        assert sidebar.is_visible()
        button = _visible(page, ".primary-toggle")
        button.click()
        page.wait_for_function("() => !document.querySelector('#pst-primary-sidebar').checkVisibility({visibilityProperty: true})", timeout=10_000)
        button.click()
        page.wait_for_function("() => document.querySelector('#pst-primary-sidebar').checkVisibility({visibilityProperty: true})", timeout=10_000)
    finally:
        visit.close()


_OVERFLOW_REPORT = """() => {
    const width = window.innerWidth;
    const scrolls = el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
    const overflows = el => el.scrollWidth > el.clientWidth + 1;
    const describe = el => (el.querySelector('mjx-assistive-mml') || el).textContent.trim().slice(0, 60);
    // The sidebars of a phone wait off-screen, hidden, until a button opens them.
    const shown = el => el.checkVisibility({visibilityProperty: true});
    const inline = Array.from(document.querySelectorAll('span.math')).filter(shown);
    const display = Array.from(document.querySelectorAll('div.math > mjx-container')).filter(shown);
    const cue = el => {
        const style = getComputedStyle(el);
        return style.backgroundImage.includes('gradient') && style.backgroundAttachment.includes('local');
    };
    // An element inside a box that scrolls sideways (a wide table) is read by scrolling that box.
    const inScroller = el => {
        for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
            if (scrolls(node) && overflows(node)) return true;
        }
        return false;
    };
    return {
        pageWidth: document.documentElement.scrollWidth,
        width: width,
        inlinePastScreen: inline.filter(el => !inScroller(el))
            .filter(el => el.getBoundingClientRect().right > width + 0.5).map(describe),
        inlineCut: inline.filter(el => overflows(el) && !scrolls(el)).map(describe),
        displayPastScreen: display.filter(el => !inScroller(el))
            .filter(el => el.getBoundingClientRect().right > width + 0.5).map(describe),
        displayWithoutCue: display.filter(el => overflows(el) && !(scrolls(el) && cue(el))).map(describe),
        scrollingOutOfKeyboardReach: inline.concat(display).filter(el => overflows(el) && el.tabIndex < 0).map(describe),
        displayTooWide: display.filter(overflows).map(describe),
    };
}"""


@pytest.mark.parametrize("page_path", PAGES)
def test_nothing_runs_past_a_phone_screen(phone_visit, site_url, page_path):
    page = phone_visit.open(f"{site_url}/{page_path}")
    _two_frames(page)
    report = page.evaluate(_OVERFLOW_REPORT)
    assert report["pageWidth"] <= report["width"], f"the page scrolls sideways ({report['pageWidth']} px)"
    assert not report["inlinePastScreen"], f"inline formulas past the screen: {report['inlinePastScreen']}"
    assert not report["inlineCut"], f"inline formulas cut off: {report['inlineCut']}"
    assert not report["displayPastScreen"], f"display formulas past the screen: {report['displayPastScreen']}"
    assert not report["displayWithoutCue"], f"display formulas that scroll with no cue: {report['displayWithoutCue']}"
    assert not report["scrollingOutOfKeyboardReach"], f"no keyboard reaches {report['scrollingOutOfKeyboardReach']}"


FRONT_PAGES = [page for page in PAGES if page.startswith("book/front/")]


@pytest.fixture(scope="module")
def desktop_visit(browser, site_url):
    visit = PageVisit(browser, site_url, **DESKTOP)
    yield visit
    visit.close()


def _too_wide_at_desktop(visit, site_url, pages):
    too_wide = {}
    for page_path in pages:
        report = visit.open(f"{site_url}/{page_path}").evaluate(_OVERFLOW_REPORT)
        if report["displayTooWide"]:
            too_wide[page_path] = report["displayTooWide"]
    return too_wide


def test_front_matter_formulas_fit_the_desktop_column(desktop_visit, site_url):
    assert FRONT_PAGES
    assert not _too_wide_at_desktop(desktop_visit, site_url, [p for p in FRONT_PAGES if not p.endswith("api.html")])


def test_api_formulas_fit_the_desktop_column(desktop_visit, site_url):
    assert not _too_wide_at_desktop(desktop_visit, site_url, ["book/front/api.html"])


def test_chapter_formulas_fit_the_desktop_column(desktop_visit, site_url):
    assert CHAPTER_PAGES
    assert not _too_wide_at_desktop(desktop_visit, site_url, CHAPTER_PAGES)


# --- Weight: a chapter with everything it loads ---------------------------------------------------------------

PAGE_BUDGET_BYTES = 2.5e6


@pytest.mark.parametrize("page_path", CHAPTER_PAGES)
def test_chapter_page_weighs_at_most_2_5_mb(browser, site_url, page_path):
    visit = PageVisit(browser, site_url)  # a fresh context: nothing comes from an earlier page's cache
    sizes = {}

    def record(response):
        if response.ok:
            sizes[response.url] = len(response.body())

    visit.context.on("response", record)
    try:
        page = visit.open(f"{site_url}/{page_path}")
        _broken_images(page)  # loads every image, lazy ones included
        page.evaluate("() => document.fonts.ready")
        page.wait_for_load_state("networkidle")
    finally:
        visit.close()
    total = sum(sizes.values())
    largest = sorted(sizes.items(), key=lambda item: -item[1])[:5]
    assert total <= PAGE_BUDGET_BYTES, f"{page_path} loads {total / 1e6:.2f} MB in {len(sizes)} requests: {largest}"
    assert len(sizes) > 10, "the page should at least load its theme"


def _static_text_files():
    return [path for path in SITE.rglob("*") if path.suffix in (".html", ".css", ".js") and path.is_file()]


@pytest.mark.parametrize("edition", EDITION_ROOTS.values())
def test_site_ships_only_assets_its_pages_use(edition):
    static = SITE / edition / "_static"
    assert static.is_dir()
    assert not list(SITE.rglob("*.map")), "source maps are shipped"
    assert not (static / "mathjax").exists(), "MathJax is shipped, but formulas are rendered at build time"
    assert not (static / "scripts" / "fontawesome.js").exists()
    # Every other asset is named by a page, a stylesheet or a script of the site (license texts aside).
    corpus = "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in _static_text_files())
    unused = [
        path.relative_to(SITE).as_posix()
        for path in static.rglob("*")
        if path.is_file() and "LICENSE" not in path.name and path.name not in corpus
    ]
    assert not unused, f"assets that nothing refers to: {unused}"


@pytest.mark.parametrize("edition", EDITION_ROOTS.values())
def test_icon_font_holds_only_the_icons_the_pages_show(edition):
    fonts = list((SITE / edition / "_static" / "vendor" / "fontawesome" / "webfonts").glob("*"))
    assert fonts, "the icon fonts are missing"
    assert sum(font.stat().st_size for font in fonts) < 60_000, [(f.name, f.stat().st_size) for f in fonts]


def test_icons_are_drawn(phone_visit, site_url):
    page = phone_visit.open(f"{site_url}/book/part1/01_likelihood.html")
    page.evaluate("() => document.fonts.ready")
    icon = _visible(page, ".primary-toggle").locator("[class*='fa-']")
    drawn = icon.evaluate(
        """icon => {
            const glyph = getComputedStyle(icon, '::before').content;
            const style = getComputedStyle(icon);
            const font = `${style.fontWeight} 16px ${style.fontFamily}`;
            return [glyph, document.fonts.check(font, glyph.replaceAll('"', '')), icon.getBoundingClientRect().width];
        }"""
    )
    glyph, font_loaded, width = drawn
    assert glyph not in ("none", "normal", "") and font_loaded and width > 5, drawn


@pytest.mark.parametrize("page_path", [page for page in PAGES if edition_of(page)[1] != "search.html"])
def test_search_index_is_not_loaded_by_reading_pages(page_path):
    text = (SITE / page_path).read_text(encoding="utf-8")
    assert "searchindex.js" not in text, f"{page_path} loads the whole search index"


@pytest.mark.parametrize("edition", EDITION_ROOTS.values())
def test_search_page_still_loads_the_search_index(edition):
    assert 'searchindex.js"' in (SITE / edition / "search.html").read_text(encoding="utf-8")


# --- Accessibility --------------------------------------------------------------------------------------------

WCAG_21_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _two_frames(page):
    """Wait until the page has drawn twice: its ResizeObserver callbacks (site.js) have run."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def _axe_violations(page):
    # axe first builds a tree of every node on the page, and the glyph drawings inside the formulas' SVGs are
    # most of them (a chapter's run took 37 s instead of 15 s). Those drawings are aria-hidden graphics that
    # no rule examines; each formula keeps its SVG element, size and attributes, and its MathML for screen
    # readers, which is what axe checks.
    page.evaluate("() => document.querySelectorAll('mjx-container > svg').forEach(svg => svg.replaceChildren())")
    page.add_script_tag(path=str(AXE_SCRIPT))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_21_A_AA,
    )
    return [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes'][:3]]}"
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.fixture(scope="module", params=["light", "dark"])
def themed_visit(request, browser, site_url):
    visit = PageVisit(browser, site_url)
    visit.context.add_init_script(f"localStorage.setItem('mode', '{request.param}');")
    yield visit, request.param
    visit.close()


@pytest.mark.parametrize("page_path", PAGES)
def test_axe_finds_no_serious_wcag_violation(themed_visit, site_url, page_path):
    assert AXE_SCRIPT.is_file(), "axe-core is installed by scripts/setup"
    visit, theme = themed_visit
    page = visit.open(f"{site_url}/{page_path}")
    page.wait_for_function(f"() => document.documentElement.dataset.theme === '{theme}'", timeout=30_000)
    _two_frames(page)
    violations = _axe_violations(page)
    assert not violations, f"{page_path} in the {theme} theme: {violations}"


# Records the page's data-theme as the body starts to arrive (the first frames are styled with it) and once
# the page has loaded and the theme's own script has run.
RECORD_THEME = """
(() => {
    window.__themes = {};
    new MutationObserver((records, observer) => {
        if (document.body && !('atBody' in window.__themes)) {
            window.__themes.atBody = document.documentElement.dataset.theme;
            observer.disconnect();
        }
    }).observe(document, {childList: true, subtree: true});
})();
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("stored_mode", [None, "auto", "light", "dark"])
def test_the_page_is_styled_once_in_the_readers_theme(browser, site_url, scheme, stored_mode):
    # data-theme was "auto" on a first visit until the theme's script ran after parsing: the first frames
    # matched neither theme's colours and every element was then styled again (book/_templates/layout.html).
    visit = PageVisit(browser, site_url, color_scheme=scheme)
    if stored_mode is not None:
        visit.context.add_init_script(f"localStorage.setItem('mode', '{stored_mode}');")
    visit.context.add_init_script(RECORD_THEME)
    try:
        page = visit.open(f"{site_url}/book/part5/14_real_data.html")
        _two_frames(page)
        themes = page.evaluate("() => ({...window.__themes, loaded: document.documentElement.dataset.theme})")
    finally:
        visit.close()
    expected = stored_mode if stored_mode in ("light", "dark") else scheme
    assert themes == {"atBody": expected, "loaded": expected}


def _mathml_in_accessibility_tree(page):
    cdp = page.context.new_cdp_session(page)
    try:
        tree = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    return [
        (node["role"]["value"], node.get("name", {}).get("value"))
        for node in tree
        if not node.get("ignored") and (node["role"]["value"] == "math" or node["role"]["value"].startswith("MathML"))
    ]


def test_screen_readers_get_the_same_mathml_when_it_is_laid_out_inline(browser, site_url):
    # site.css lays the hidden MathML out as inline boxes (cheaper than MathML layout); the accessibility tree
    # must be what it is with MathML layout: the same formulas, the same nodes, the same names.
    visit = PageVisit(browser, site_url, **PHONE)
    try:
        page = visit.open(f"{site_url}/book/part4/12_f_divergences.html")
        _two_frames(page)
        inline = _mathml_in_accessibility_tree(page)
        removed = page.evaluate(
            """() => {
                let removed = 0;
                for (const sheet of document.styleSheets) {
                    if (!(sheet.href || '').includes('site.css')) continue;
                    for (let index = sheet.cssRules.length - 1; index >= 0; index--) {
                        if (sheet.cssRules[index].selectorText?.startsWith('mjx-assistive-mml math')) {
                            sheet.deleteRule(index);
                            removed++;
                        }
                    }
                }
                return removed;
            }"""
        )
        assert removed == 1
        assert page.evaluate("() => getComputedStyle(document.querySelector('mjx-assistive-mml math')).display") != "inline"
        _two_frames(page)
        as_mathml = _mathml_in_accessibility_tree(page)
    finally:
        visit.close()
    assert sum(role in ("math", "MathMLMath") for role, _ in inline) > 250
    assert sum(role.startswith("MathML") and role != "MathMLMath" for role, _ in inline) > 1000
    assert inline == as_mathml


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_code_is_drawn_in_the_highlighting_styles_colours(browser, site_url, theme):
    # Plain-text tokens carry no span (book/_ext/plain_code_tokens.py): the code block's own colour must be
    # the one pygments.css gives code in this theme, which the spans had.
    pygments_css = (SITE / "_static" / "pygments.css").read_text(encoding="utf-8")
    text_colour = re.search(rf'html\[data-theme="{theme}"\] \.highlight {{[^}}]*color: #([0-9A-Fa-f]{{6}})', pygments_css)[1]
    expected = "rgb({}, {}, {})".format(*(int(text_colour[i : i + 2], 16) for i in (0, 2, 4)))
    visit = PageVisit(browser, site_url)
    visit.context.add_init_script(f"localStorage.setItem('mode', '{theme}');")
    try:
        page = visit.open(f"{site_url}/book/part1/03_entropy.html")
        colours = page.evaluate("() => Array.from(document.querySelectorAll('.cell_input div.highlight pre'), pre => getComputedStyle(pre).color)")
    finally:
        visit.close()
    assert len(colours) > 5
    assert set(colours) == {expected}


def _relative_luminance(rgb):
    # WCAG 2.1 definition: sRGB channels linearized, weighted 0.2126, 0.7152, 0.0722.
    def linear(channel):
        channel /= 255
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def test_wcag_luminance_formula():
    # Hand-checked anchors of the formula the contrast test relies on: black on white is 21:1, and
    # #767676 on white is the well-known 4.54:1 grey.
    assert (_relative_luminance((255, 255, 255)) + 0.05) / (_relative_luminance((0, 0, 0)) + 0.05) == pytest.approx(21)
    assert (1.05) / (_relative_luminance((0x76, 0x76, 0x76)) + 0.05) == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_links_in_theorem_and_exercise_boxes_are_legible(browser, site_url, theme):
    visit = PageVisit(browser, site_url)
    visit.context.add_init_script(f"localStorage.setItem('mode', '{theme}');")
    try:
        page = visit.open(f"{site_url}/book/part2/05_cross_entropy_kl.html")
        page.wait_for_function(f"() => document.documentElement.dataset.theme === '{theme}'", timeout=30_000)
        colours = page.evaluate(
            """() => Array.from(document.querySelectorAll('div.proof a, div.exercise a, div.solution a')).map(link => {
                const rgba = el => {
                    const c = getComputedStyle(el).backgroundColor.match(/[0-9.]+/g).map(Number);
                    return c.length === 3 ? [...c, 1] : c;
                };
                // The background a reader sees: the boxes' (partly transparent) colours laid over each other.
                const layers = [];
                for (let el = link; el; el = el.parentElement) {
                    const layer = rgba(el);
                    if (layer[3] > 0) layers.push(layer);
                    if (layer[3] === 1) break;
                }
                let seen = [255, 255, 255];
                for (const [r, g, b, a] of layers.reverse()) {
                    seen = [r, g, b].map((channel, i) => a * channel + (1 - a) * seen[i]);
                }
                const text = getComputedStyle(link).color.match(/[0-9.]+/g).map(Number).slice(0, 3);
                return [link.textContent, text, seen];
            })"""
        )
    finally:
        visit.close()
    assert colours, "no links inside theorem or exercise boxes to check"
    for text, foreground, background in colours:
        lighter, darker = sorted((_relative_luminance(foreground), _relative_luminance(background)), reverse=True)
        ratio = (lighter + 0.05) / (darker + 0.05)
        assert ratio >= 4.5, f"link {text!r} in a theorem or exercise box: {foreground} on {background} is {ratio:.2f}:1"


def _ids(page_text):
    return re.findall(r'\sid="([^"]*)"', page_text)


@pytest.mark.parametrize("page_path", PAGES)
def test_element_ids_are_unique(page_path):
    repeated = [i for i, count in Counter(_ids((SITE / page_path).read_text(encoding="utf-8"))).items() if count > 1]
    assert not repeated, f"{page_path} repeats ids {repeated}"


# --- Exercises, bibliography, notation, links ---------------------------------------------------------------


def test_tapping_a_solution_title_on_a_phone_opens_the_solution(phone_visit, site_url):
    url = f"{site_url}/book/part1/03_entropy.html"
    page = phone_visit.open(url)
    page.wait_for_load_state("load")
    solution = page.locator("div.solution.dropdown").first
    solution.scroll_into_view_if_needed()
    body = solution.locator("section").first
    assert not body.is_visible(), "the solution should start folded"
    solution.locator(".admonition-title").tap()
    body.wait_for(state="visible", timeout=10_000)
    assert page.url == url, f"tapping the title navigated to {page.url}"


def _citations():
    """(page, link text, target id) for every citation link in the chapters."""
    found = []
    for page_path in ENGLISH_CHAPTER_PAGES:
        text = (SITE / page_path).read_text(encoding="utf-8")
        for target, label in re.findall(r'href="[^"]*bibliography\.html#([^"]+)"[^>]*>(.*?)</a>', text):
            found.append((page_path, html.unescape(re.sub(r"<[^>]+>", "", label)), target))
    return found


def _bibliography_labels():
    text = (SITE / "book/front/bibliography.html").read_text(encoding="utf-8")
    entries = re.findall(r'<div class="citation" id="([^"]+)"[^>]*>\s*<span class="label">(.*?)</span></span>', text, re.S)
    return {entry_id: html.unescape(re.sub(r"<[^>]+>", "", label)).strip("[]") for entry_id, label in entries}


def test_bibliography_is_labelled_as_the_text_cites_it():
    labels = _bibliography_labels()
    citations = _citations()
    assert len(labels) > 30 and len(citations) > 30
    assert not [label for label in labels.values() if label.isdigit()], "the list is numbered"
    mismatched = []
    for page_path, cited, target in citations:
        label = labels.get(target)
        # A citation reads "Cover and Thomas, 2006", or only "2006" where the sentence names the authors.
        if label is None or not (label == cited or (cited.isdigit() and label.endswith(f", {cited}"))):
            mismatched.append((page_path, cited, label))
    assert not mismatched, mismatched[:5]


def test_bibliography_shows_no_raw_tex():
    text = (SITE / "book/front/bibliography.html").read_text(encoding="utf-8")
    entries = re.findall(r'<div class="citation".*?</div>', text, re.S)
    assert entries
    raw = [entry for entry in entries if "$" in entry or "\\" in entry]
    assert not raw, raw[:1]


def test_notation_table_shows_the_double_bar_of_kl():
    text = (SITE / "book/front/notation.html").read_text(encoding="utf-8")
    row = next(row for row in re.findall(r"<tr.*?</tr>", text, re.S) if "Kullback-Leibler" in row)
    symbol_math = re.search(r"<math.*?</math>", row, re.S)[0]
    operators = re.findall(r"<mo[^>]*>(.*?)</mo>", symbol_math)
    assert "‖" in operators or "∥" in operators, operators  # U+2016 or U+2225: the double bar
    assert "|" not in operators, operators


@pytest.mark.parametrize("page_path", [page for page in PAGES if edition_of(page)[1].startswith("book/")])
def test_every_page_links_to_theorem_index_repository_and_error_report(page_path):
    edition, page_in_edition = edition_of(page_path)
    text = (SITE / page_path).read_text(encoding="utf-8")
    links = [html.unescape(href) for href in re.findall(r'<a[^>]*href="([^"]+)"', text)]
    index_links = [href for href in links if href.endswith("prf-prf.html")]
    assert index_links, "no link to the index of theorems and definitions"
    assert (SITE / page_path).parent.joinpath(index_links[0]).resolve() == (SITE / edition / "prf-prf.html").resolve()
    assert REPOSITORY_URL in links, "no link to the repository"
    reports = [unquote(href) for href in links if href.startswith(f"{REPOSITORY_URL}/issues/new")]
    assert any(Path(page_in_edition).with_suffix("").as_posix() in report for report in reports), (
        "no 'report an error' link that names this page"
    )


@pytest.mark.parametrize("edition", EDITION_ROOTS.values())
def test_theorem_index_lists_the_theorems(edition):
    text = (SITE / edition / "prf-prf.html").read_text(encoding="utf-8")
    assert len(re.findall(r'href="book/part[^"]+#', text)) >= 10


# --- The notebook-level half of issue 17: code width, figures, no test plumbing on the page ---------------------

NOTEBOOKS = sorted((ROOT / "book").rglob("*.ipynb"))


def test_no_code_line_is_longer_than_88_characters():
    import json

    long_lines = [
        (notebook.name, line)
        for notebook in NOTEBOOKS
        for cell in json.loads(notebook.read_text())["cells"]
        if cell["cell_type"] == "code"
        for line in "".join(cell["source"]).splitlines()
        if len(line) > 88
    ]
    assert NOTEBOOKS and not long_lines, f"{len(long_lines)} code lines over 88 characters, e.g. {long_lines[:2]}"


def test_every_chapter_figure_has_a_numbered_caption_and_alt_text():
    problems = []
    for page_path in CHAPTER_PAGES:
        page = (SITE / page_path).read_text(encoding="utf-8")
        # the chapter's own content, not the header's launch-button logo
        text = page.split('<article class="bd-article"', 1)[1].split("</article>", 1)[0]
        for image in re.findall(r"<img[^>]*>", text):
            alt = html.unescape((re.search(r'alt="([^"]*)"', image) or [None, ""])[1])
            if not alt or re.search(r"\.(png|svg|jpe?g)$|_images/|[0-9a-f]{20}", alt):
                problems.append((page_path, "alt text", alt))
        figures = re.findall(r"<figure.*?</figure>", text, re.S)
        images = len(re.findall(r"<img", text))
        numbered = [figure for figure in figures if re.search(r'class="caption-number"', figure)]
        if len(numbered) < images:
            problems.append((page_path, "uncaptioned figures", images - len(numbered)))
    assert CHAPTER_PAGES and not problems, problems[:5]


def test_chapter_figures_are_sharp_on_a_high_dpi_screen(desktop_visit, site_url):
    blurry = []
    for page_path in CHAPTER_PAGES:
        page = desktop_visit.open(f"{site_url}/{page_path}")
        _broken_images(page)
        blurry += page.evaluate(
            """() => Array.from(document.querySelectorAll('img'))
                .filter(img => img.naturalWidth < 2 * img.getBoundingClientRect().width)
                .map(img => [location.pathname, img.naturalWidth, Math.round(img.getBoundingClientRect().width)])"""
        )
    assert CHAPTER_PAGES and not blurry, f"{len(blurry)} figures below 2x pixel density: {blurry[:3]}"


def test_chapters_show_no_test_plumbing():
    shown = []
    for page_path in CHAPTER_PAGES:
        text = html.unescape(re.sub(r"<[^>]+>", "", (SITE / page_path).read_text(encoding="utf-8")))
        shown += [(page_path, marker) for marker in ("%config", "NBVAL_") if marker in text]
    assert CHAPTER_PAGES and not shown, shown[:5]


def test_chapter_map_labels_are_legible_on_a_phone(phone_visit, site_url):
    svg = (ROOT / "book/front/figures/chapter-map.svg").read_text(encoding="utf-8")
    view_box_width = float(re.search(r'viewBox="0 0 ([0-9.]+)', svg)[1])
    smallest_font = min(float(size) for size in re.findall(r'font-size(?:="|:\s*)([0-9.]+)', svg))
    page = phone_visit.open(f"{site_url}/book/front/preface.html")
    shown_width = page.locator("#fig-chapter-map img").evaluate("img => img.getBoundingClientRect().width")
    label_px = smallest_font * shown_width / view_box_width
    assert label_px >= 9, f"the chapter map's smallest labels are {label_px:.1f} px on a phone"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
