"""Shared fixtures and reporting for the mathlib test suite.

Layout: ``tests/mathlib`` is deliberately *not* a package. With an ``__init__.py`` pytest would put
``tests/`` on ``sys.path`` and import this folder as a package called ``mathlib``, shadowing the library
under test. Without it, pytest's default ``prepend`` import mode puts this folder on ``sys.path``, so the
test modules import the shared strategies and oracles as ``mathlib_testing`` (a plain module next to this
file). Test module names carry a ``test_mathlib_`` prefix so that they stay unique under the rootdir.

The accuracy tests attach the worst error in ulps that they measured to their test report (a user
property, so that it reaches the controller under pytest-xdist too); the numbers are printed in a
"mathlib accuracy" section at the end of the run. The tests themselves assert the contract's budgets.
"""

from __future__ import annotations

import pytest

_ULP_PROPERTY = "mathlib_worst_ulp"
_ulp_lines: list[tuple] = []


@pytest.fixture
def ulp_report(record_property):
    """Call ``ulp_report(function_name, dtype_name, worst_ulps, budget, worst_input)`` to report accuracy."""

    def report(name: str, dtype: str, worst: float, budget: float, where: str) -> None:
        record_property(_ULP_PROPERTY, (name, dtype, worst, budget, where))

    return report


def pytest_runtest_logreport(report):
    if report.when == "call":
        _ulp_lines.extend(value for key, value in report.user_properties if key == _ULP_PROPERTY)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _ulp_lines:
        return
    terminalreporter.section("mathlib accuracy: worst error against 300-bit mpmath")
    for name, dtype, worst, budget, where in sorted(_ulp_lines, key=lambda line: line[:2]):
        status = "ok" if worst <= budget else "OVER BUDGET"
        where = where if len(where) <= 100 else where[:97] + "..."
        terminalreporter.write_line(
            f"{name:<12} {dtype:<8} worst {worst:8.3f} ulp  (budget {budget} ulp, {status})  at {where}"
        )
