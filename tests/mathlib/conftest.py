"""Shared fixtures and reporting for the mathlib test suite.

Layout: ``tests/mathlib`` is deliberately *not* a package. With an ``__init__.py`` pytest would put
``tests/`` on ``sys.path`` and import this folder as a package called ``mathlib``, shadowing the library
under test. Without it, pytest's default ``prepend`` import mode puts this folder on ``sys.path``, so the
test modules import the shared strategies and oracles as ``mathlib_testing`` (a plain module next to this
file). Test module names carry a ``test_mathlib_`` prefix so that they stay unique under the rootdir.

The accuracy tests record the worst error in ulps that they measured; the numbers are printed in a
"mathlib accuracy" section at the end of the run (the tests themselves assert the contract's budgets).
"""

from __future__ import annotations

import pytest

_ULP_REPORT = pytest.StashKey[dict]()


@pytest.fixture(scope="session")
def ulp_report(pytestconfig):
    """A dict ``{(function, dtype): (worst_ulps, budget, worst_input)}`` printed at the end of the run."""
    return pytestconfig.stash.setdefault(_ULP_REPORT, {})


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    report = config.stash.get(_ULP_REPORT, None)
    if not report:
        return
    terminalreporter.section("mathlib accuracy: worst error against 300-bit mpmath")
    for (name, dtype), (worst, budget, where) in sorted(report.items()):
        status = "ok" if worst <= budget else "OVER BUDGET"
        terminalreporter.write_line(
            f"{name:<12} {dtype:<8} worst {worst:8.3f} ulp  (budget {budget} ulp, {status})  at {where}"
        )
