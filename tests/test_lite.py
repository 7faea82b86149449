"""The in-browser edition, as a reader uses it: every chapter's "Run in the browser" button opens that chapter in
JupyterLite served by the site, and every cell runs there, in Pyodide, without an error.

One headless Chromium (Debian's package, driven by Playwright) serves all chapters, so the Pyodide files are
fetched once and cached; each chapter still starts its own kernel. Chromium refuses every request that is not
for loopback (it sends them to a proxy on a closed loopback port), and every request that does not go to the
site is recorded, the kernel's Web Worker's included, and fails the test. Requests are observed rather than
intercepted with a route: a route would pass each of the edition's hundreds of files through Python.

scripts/run-tests builds the site, the in-browser edition included, before pytest runs; these tests fail (never
skip) when it is missing.
"""

import functools
import http.server
import json
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

playwright_sync = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements.txt")

from tests.chromium import CHROMIUM  # noqa: E402
from tests.chromium import CHROMIUM_ARGS as OFFLINE_CHROMIUM_ARGS  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
LITE = SITE / "lite"
CHROMIUM_ARGS = [
    *OFFLINE_CHROMIUM_ARGS,
    # Everything not on loopback (which Chromium never proxies) goes to a proxy that is not there: refused.
    "--proxy-server=http://127.0.0.1:9",
]
CHAPTERS = sorted(path.relative_to(ROOT).with_suffix("").as_posix() for path in (ROOT / "book").glob("part*/*.ipynb"))
# A chapter runs in well under 20 s on the host; Pyodide is slower, and the first kernel also loads its packages.
KERNEL_START_MS = 180_000
RUN_ALL_MS = 600_000
# What a fresh Pyodide legitimately writes to stderr; each entry is one exact stream text.
STDERR_ALLOWLIST = [
    # matplotlib, on its first import in a new browser kernel, which has no font cache yet.
    "Matplotlib is building the font cache; this may take a moment.\n",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site_url():
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class Reader:
    """One browser context for every chapter; records every request that does not go to the site."""

    def __init__(self, browser, site_url):
        self.site_url = site_url
        self.context = browser.new_context()
        self.outside_requests = []
        self.page_errors = []
        self.context.on("request", self._request)
        self.context.on("weberror", lambda error: self.page_errors.append(str(error.error)))
        self.page = self.context.new_page()

    def _leaves_site(self, url):
        return not (url.startswith(self.site_url + "/") or urlparse(url).scheme in ("data", "blob", "about"))

    def _request(self, request):
        if self._leaves_site(request.url):
            self.outside_requests.append(request.url)


@pytest.fixture(scope="module")
def reader(site_url):
    assert CHROMIUM.exists(), "Debian's chromium is required: apt-get install chromium chromium-driver"
    assert (LITE / "jupyter-lite.json").exists(), "run scripts/build-book first (scripts/run-tests does)"
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        reader = Reader(browser, site_url)
        yield reader
        reader.context.close()
        browser.close()


def test_every_chapter_is_in_the_browser_edition():
    lite_chapters = sorted(
        path.relative_to(LITE / "files").with_suffix("").as_posix() for path in (LITE / "files").glob("book/part*/*.ipynb")
    )
    assert len(CHAPTERS) >= 13
    assert lite_chapters == CHAPTERS


def test_the_browser_never_falls_back_to_pypi():
    settings = json.loads((LITE / "jupyter-lite.json").read_text())["jupyter-config-data"]["litePluginSettings"]
    kernel = settings["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["disablePyPIFallback"] is True
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.js"


def _open_with_the_button(reader, chapter):
    """Open the chapter's page, click its launch menu and "Run in the browser"; return the JupyterLite page."""
    page = reader.page
    page.goto(f"{reader.site_url}/{chapter}.html", wait_until="load")
    page.locator(".dropdown-launch-buttons button.dropdown-toggle").click()
    link = page.get_by_role("link", name="Run in the browser")
    query = parse_qs(urlparse(link.get_attribute("href")).query)
    assert query == {"path": [f"{chapter}.ipynb"]}, link.get_attribute("href")
    with reader.context.expect_page() as opened:
        link.click()
    lite = opened.value
    lite.wait_for_load_state("load")
    assert urlparse(lite.url).path.endswith("/lite/notebooks/index.html")
    return lite


# Runs in the page: waits until the notebook's kernel is idle, runs every cell, and reports what came out.
_RUN_ALL = r"""async ({kernelStartMs, runAllMs, stderrAllowlist}) => {
    const until = async (condition, ms, what) => {
        const start = Date.now();
        while (!condition()) {
            if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
            await new Promise(resolve => setTimeout(resolve, 250));
        }
    };
    const notebook = () => window.jupyterapp && window.jupyterapp.shell.currentWidget;
    await until(() => notebook() && notebook().sessionContext, 120000, 'the notebook');
    const app = window.jupyterapp;
    const panel = notebook();
    await panel.context.ready;
    await panel.sessionContext.ready;
    const session = panel.sessionContext;
    await until(() => session.session && session.session.kernel && session.session.kernel.status === 'idle',
                kernelStartMs, 'the Pyodide kernel');
    const kernel = session.session.kernel;
    const kernelName = kernel.name;
    const codeCells = () => Array.from(panel.content.model.cells).filter(cell => cell.type === 'code');
    const hasError = cell => Array.from({length: cell.outputs.length}, (_, i) => cell.outputs.get(i).type)
        .includes('error');
    await app.commands.execute('notebook:run-all-cells');
    // "Run all" stops at the first cell that raises: then the kernel goes idle with cells left unrun.
    await until(() => kernel.status === 'idle'
                      && (codeCells().every(cell => cell.executionCount !== null) || codeCells().some(hasError)),
                runAllMs, 'every cell to run');
    const problems = [];
    codeCells().forEach((cell, index) => {
        for (let i = 0; i < cell.outputs.length; i++) {
            const output = cell.outputs.get(i).toJSON();
            if (output.output_type === 'error') {
                // The Pyodide kernel reports ename as "<class 'TypeError'>": keep the bare name.
                const ename = output.ename.replace(/^<class '(?:.*\.)?([^.']+)'>$/, '$1');
                problems.push(`code cell ${index + 1}: ${ename}: ${output.evalue}`);
            } else if (output.output_type === 'stream' && output.name === 'stderr') {
                const text = [].concat(output.text).join('');
                if (!stderrAllowlist.includes(text)) problems.push(`code cell ${index + 1} wrote to stderr: ${text}`);
            }
        }
    });
    const mathErrors = Array.from(panel.node.querySelectorAll('mjx-merror, [data-mjx-error]'))
        .map(el => el.getAttribute('data-mjx-error') || el.textContent);
    return {kernelName, codeCells: codeCells().length, executed: codeCells().filter(c => c.executionCount !== null).length,
            problems, mathErrors, rendered: panel.node.querySelectorAll('mjx-container').length};
}"""


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_runs_in_the_browser(reader, chapter):
    reader.outside_requests.clear()
    reader.page_errors.clear()
    lite = _open_with_the_button(reader, chapter)
    try:
        result = lite.evaluate(_RUN_ALL, {"kernelStartMs": KERNEL_START_MS, "runAllMs": RUN_ALL_MS, "stderrAllowlist": STDERR_ALLOWLIST})
    finally:
        lite.close()
    assert not reader.outside_requests, f"requests leaving the site: {reader.outside_requests}"
    assert not reader.page_errors, reader.page_errors
    assert result["kernelName"] == "python", result
    assert result["rendered"] > 0 and not result["mathErrors"], result
    assert result["codeCells"] > 0 and result["executed"] == result["codeCells"], result
    assert not result["problems"], "\n".join(result["problems"])
