"""The built site, as a reader sees it: headless Chromium (Debian's package, driven by Playwright, no browser
download) loads every page from a server on 127.0.0.1 and checks that every formula is rendered by MathJax
with no MathJax error, every image loads, no request leaves localhost, the console shows no error outside
an exact allowlist, and search finds a term from a chapter. One page is also opened from file://.

scripts/run-tests builds the site before pytest runs; these tests fail (never skip) when it is missing.
"""

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

playwright_sync = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements.txt")

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
CHROMIUM = Path("/usr/bin/chromium")
# Flags that keep Chromium from reaching for Google's services on a machine with no network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Console errors that come from the theme itself and are harmless; each entry is an exact message.
CONSOLE_ERROR_ALLOWLIST = frozenset(
    {
        # pydata-sphinx-theme logs this on a first visit, before any light/dark choice is stored.
        "Got invalid theme mode: . Resetting to auto.",
    }
)
SKIPPED_DIRS = {"_static", "_sources", "_images", "_sphinx_design_static", "_panels_static"}


def _site_pages():
    if not SITE.is_dir():
        return []
    return sorted(
        path.relative_to(SITE).as_posix()
        for path in SITE.rglob("*.html")
        if not SKIPPED_DIRS.intersection(path.relative_to(SITE).parts)
        and not any(part.startswith(".") for part in path.relative_to(SITE).parts)
        and path.name != "index.html"  # a redirect to the preface: test_index_redirects_to_the_preface
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

    def __init__(self, browser, allowed_prefix):
        self.context = browser.new_context()
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
        if message.type == "error" and message.text not in CONSOLE_ERROR_ALLOWLIST:
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


def _wait_for_mathjax(page):
    """Return (number of math elements, number rendered, MathJax error messages)."""
    math_count = page.locator(".math").count()
    if math_count:
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30_000)
        page.evaluate("() => MathJax.startup.promise")
    rendered = page.evaluate(
        "() => Array.from(document.querySelectorAll('.math')).filter(el => el.querySelector('mjx-container')).length"
    )
    errors = page.evaluate(
        "() => Array.from(document.querySelectorAll('mjx-merror, [data-mjx-error]'))"
        ".map(el => el.getAttribute('data-mjx-error') || el.textContent)"
    )
    return math_count, rendered, errors


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


@pytest.fixture(scope="module")
def site_visit(browser, site_url):
    visit = PageVisit(browser, site_url)
    yield visit
    visit.close()


@pytest.mark.parametrize("page_path", PAGES)
def test_page_renders_offline(site_visit, site_url, page_path):
    visit = site_visit
    page = visit.open(f"{site_url}/{page_path}")
    math_count, rendered, math_errors = _wait_for_mathjax(page)
    broken = _broken_images(page)
    assert rendered == math_count, f"{math_count - rendered} of {math_count} formulas not rendered by MathJax"
    assert not math_errors, f"MathJax errors: {math_errors}"
    assert not broken, f"images that did not load: {broken}"
    assert not visit.external_requests, f"requests leaving localhost: {visit.external_requests}"
    assert not visit.failed_responses, f"resources that failed to load: {visit.failed_responses}"
    assert not visit.page_errors, f"JavaScript errors: {visit.page_errors}"
    assert not visit.console_errors, f"console errors: {visit.console_errors}"


def test_index_redirects_to_the_preface(site_visit, site_url):
    page = site_visit.open(f"{site_url}/index.html")
    page.wait_for_url("**/book/front/preface.html", timeout=30_000)
    assert page.locator("h1").first.inner_text().startswith("Preface")


def test_chapters_contain_rendered_math(browser, site_url):
    # Guards test_page_renders_offline against passing because no page has any math at all.
    visit = PageVisit(browser, site_url)
    try:
        math_count, rendered, _ = _wait_for_mathjax(visit.open(f"{site_url}/book/part2/06_mle_is_min_kl.html"))
    finally:
        visit.close()
    assert math_count > 10 and rendered == math_count


def test_search_finds_a_term_from_a_chapter(browser, site_url):
    visit = PageVisit(browser, site_url)
    try:
        page = visit.open(f"{site_url}/search.html?q=Huffman")
        page.wait_for_selector("#search-results li", timeout=30_000)
        hits = page.locator("#search-results li a").evaluate_all("links => links.map(a => a.href)")
    finally:
        visit.close()
    assert any("03_entropy" in href for href in hits), hits


def test_math_renders_from_file_url(browser):
    visit = PageVisit(browser, "file://")
    try:
        page = visit.open((SITE / "book/part1/03_entropy.html").as_uri())
        math_count, rendered, math_errors = _wait_for_mathjax(page)
    finally:
        visit.close()
    assert math_count > 0 and rendered == math_count and not math_errors
    assert not visit.external_requests, visit.external_requests


CHAPTER_PAGES = [page for page in PAGES if page.startswith("book/part")]


@pytest.mark.parametrize("page_path", CHAPTER_PAGES)
def test_chapter_offers_its_notebook_for_download(site_visit, site_url, page_path):
    page = site_visit.open(f"{site_url}/{page_path}")
    links = page.locator('a[href$=".ipynb"]').evaluate_all("links => links.map(a => a.href)")
    assert links, f"{page_path} has no download-.ipynb button"
    response = page.request.get(links[0])
    assert response.ok, f"{links[0]} answered {response.status}"
    assert response.json()["nbformat"] == 4
