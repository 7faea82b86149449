"""Debian's Chromium as the browser tests start it (tests/test_site.py, tests/test_lite.py)."""

from pathlib import Path

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
