"""mathlib supports the library versions of the in-browser edition: its whole test suite passes in a second virtual
environment (.venv-pyodide-versions, made by scripts/setup from requirements-pyodide-versions.txt) with the numpy and
scipy releases that Pyodide 0.27.7 ships, against the very wheel that the browser installs.
"""

import json
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VENV_PYTHON = ROOT / ".venv-pyodide-versions" / "bin" / "python"
SERVED_LOCK = ROOT / "_build" / "html" / "lite" / "static" / "pyodide" / "pyodide-lock.json"


@pytest.fixture(scope="module")
def browser_versions():
    """The numpy and scipy versions the browser has, read from the served Pyodide lock."""
    packages = json.loads(SERVED_LOCK.read_text())["packages"]
    return {name: packages[name]["version"] for name in ("numpy", "scipy")}


@pytest.fixture(scope="module")
def venv_with_browser_mathlib():
    assert VENV_PYTHON.exists(), "run scripts/setup first (scripts/run-tests does)"
    wheel = SERVED_LOCK.parent / json.loads(SERVED_LOCK.read_text())["packages"]["mathlib"]["file_name"]
    subprocess.run(
        [str(VENV_PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "--no-index",
         "--force-reinstall", str(wheel)],
        check=True,
    )
    return VENV_PYTHON


def test_the_second_environment_has_the_browsers_numpy_and_scipy(venv_with_browser_mathlib, browser_versions):
    installed = subprocess.run(
        [str(venv_with_browser_mathlib), "-c", "import json, numpy, scipy; print(json.dumps({'numpy': numpy.__version__, 'scipy': scipy.__version__}))"],
        capture_output=True, text=True, check=True,
    )
    assert json.loads(installed.stdout) == browser_versions
    # The minor versions the issue names: a newer Pyodide would need a new requirements-pyodide-versions.txt.
    assert browser_versions["numpy"].startswith("2.0.") and browser_versions["scipy"].startswith("1.14.")


def test_mathlib_tests_pass_with_the_browsers_numpy_and_scipy(venv_with_browser_mathlib):
    # The repository's pytest.ini adds nbval and xdist options, and its root conftest imports nbval: neither is
    # needed for mathlib's tests, so both are left out (addopts cleared, conftest search starting at tests/mathlib).
    result = subprocess.run(
        [str(venv_with_browser_mathlib), "-m", "pytest", "tests/mathlib", "-o", "addopts=", "-p", "no:cacheprovider",
         "--confcutdir", "tests/mathlib", "-q", "-W", "error::RuntimeWarning"],
        cwd=ROOT, capture_output=True, text=True, timeout=1800,
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    passed = re.search(r"(\d+) passed", summary)
    assert passed and int(passed.group(1)) > 500, summary
    assert "failed" not in summary and "error" not in summary, summary
    imported = subprocess.run(
        [str(venv_with_browser_mathlib), "-c", "import mathlib, sys; print(mathlib.__file__)"],
        cwd=ROOT / "tests", capture_output=True, text=True, check=True,
    )
    assert ".venv-pyodide-versions" in imported.stdout, "the tests must import the installed wheel, not the source tree"
