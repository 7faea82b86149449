"""How long a reader on a mid-range phone waits until a chapter's mathematics is readable.

Run from the repository root, after scripts/build-book::

    .venv/bin/python benchmarks/time_to_math.py                         # every chapter, 3 runs each
    .venv/bin/python benchmarks/time_to_math.py --runs 5 --pages 05 09  # chapters whose file names match
    .venv/bin/python benchmarks/time_to_math.py --site OTHER/_build/html  # e.g. an older build, to compare

Each run opens the page in a fresh browser context (an empty cache, as on a first visit) in Debian's
headless Chromium, with a phone's screen (390 x 844 CSS px at 3x) and the CPU slowed four times through the
DevTools protocol (Emulation.setCPUThrottlingRate), the profile that Lighthouse uses for a mid-range phone.
The page is served from 127.0.0.1, so the network costs next to nothing: what is measured is the work the
phone's CPU does. "Time to math" is the time from the start of navigation until every formula on the page
holds its rendered SVG, in the first animation frame after that (so the formulas have been laid out); with
MathJax in the browser that is when typesetting ends, with formulas rendered at build time it is as soon as
the HTML is parsed. The median over the runs goes into a Markdown table on stdout, with the load event and
the bytes the page loaded for comparison. The goal of issue 17 is under 4 s.

It is a benchmark, not a test: timings depend on the machine and on what else runs on it, so the suite
never asserts on them.

Last measured on the project's 2-core machine (2026-12-02; 5 cold runs a page; runs of one page spread by up
to 1.5x on this shared machine): every chapter 1.6-3.0 s, chapter 6 (348 formulas) the slowest. The same
session measured 2.5-4.9 s before three changes; side by side on chapter 12 (variants of one page, main-thread
CPU time without throttling, best of 4) they cut the work from 1.18 s to 0.80 s:

- the theme is resolved in the head (book/_templates/layout.html): a first visit had been styled with
  data-theme="auto", then wholly restyled when the theme's script set "light" (0.16 s unthrottled);
- MathJax's label-only SVG groups are gone (book/_ext/tex2svg.js): 4,242 groups -> 922 on chapter 12;
- code tokens drawn as plain text carry no span (book/_ext/plain_code_tokens.py): 6,446 spans -> 2,578;
  with the two above, chapter 12 has 12,200 elements instead of 19,400;
- the screen readers' hidden MathML is laid out as inline boxes, not as mathematics (site.css).

Tried and left out, for no measurable gain: pruning the stylesheets to the selectors in use, a 1 px box for
the hidden MathML, formulas without a scrolling box. content-visibility on the hidden MathML would save more,
but takes it out of the accessibility tree.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import statistics
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}
CPU_SLOWDOWN = 4
GOAL_SECONDS = 4.0

# Records in window.__timeToMath the first frame in which the whole page is parsed and every formula is drawn.
WATCH_FORMULAS = """
(() => {
    const check = () => {
        const formulas = document.querySelectorAll('.math');
        const parsed = document.readyState !== 'loading';
        if (parsed && Array.from(formulas).every(formula => formula.querySelector('mjx-container svg'))) {
            window.__timeToMath = performance.now();
            window.__formulas = formulas.length;
            return;
        }
        requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
})();
"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(site: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _one_run(browser, url: str, timeout_ms: float):
    context = browser.new_context(**PHONE)
    loaded_bytes = []
    context.on("response", lambda response: loaded_bytes.append(len(response.body())) if response.ok else None)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        page.add_init_script(WATCH_FORMULAS)
        page.goto(url, wait_until="load", timeout=timeout_ms)
        page.wait_for_function("() => window.__timeToMath !== undefined", timeout=timeout_ms)
        time_to_math, formulas, load_event = page.evaluate(
            "() => [window.__timeToMath, window.__formulas, performance.getEntriesByType('navigation')[0].loadEventEnd]"
        )
        page.wait_for_load_state("networkidle", timeout=timeout_ms)
        return time_to_math / 1000, load_event / 1000, formulas, sum(loaded_bytes)
    finally:
        context.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html", help="the built site (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=3, help="runs per page; the median is reported")
    parser.add_argument("--pages", nargs="*", default=[], help="only chapters whose file name contains one of these")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for one page")
    args = parser.parse_args()

    if not (args.site / "index.html").is_file():
        parser.error(f"no built site in {args.site}: run scripts/build-book first")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    chapters = sorted(path.relative_to(args.site).as_posix() for path in args.site.glob("book/part*/*.html"))
    if args.pages:
        chapters = [chapter for chapter in chapters if any(pattern in Path(chapter).name for pattern in args.pages)]
    if not chapters:
        parser.error("no chapter pages match")

    server = _serve(args.site)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    print(f"Phone profile: 390 x 844 CSS px at 3x, CPU slowed {CPU_SLOWDOWN}x; median of {args.runs} cold runs; goal < {GOAL_SECONDS:.0f} s.\n")
    print("| page | formulas | time to math (s) | load event (s) | loaded (MB) |")
    print("|---|---:|---:|---:|---:|")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                for chapter in chapters:
                    runs = [_one_run(browser, f"{base}/{chapter}", args.timeout * 1000) for _ in range(args.runs)]
                    math_time = statistics.median(run[0] for run in runs)
                    load_time = statistics.median(run[1] for run in runs)
                    print(f"| {chapter} | {runs[0][2]} | {math_time:.2f} | {load_time:.2f} | {runs[0][3] / 1e6:.2f} |", flush=True)
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
