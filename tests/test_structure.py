"""The book's structure: every page is reachable, and every notebook's committed outputs come from one
in-order, top-to-bottom run (nbval then proves that run is what the current code computes)."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
PAGE_SUFFIXES = (".md", ".ipynb")


def _toc_files(node):
    """Every `file:` entry of _toc.yml, depth first, including the root page."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("root", "file"):
                yield value
            else:
                yield from _toc_files(value)
    elif isinstance(node, list):
        for item in node:
            yield from _toc_files(item)


def _pages_on_disk():
    return sorted(
        path
        for path in BOOK.rglob("*")
        if path.suffix in PAGE_SUFFIXES
        and "_static" not in path.parts
        and ".ipynb_checkpoints" not in path.parts
    )


def _notebooks():
    return [page for page in _pages_on_disk() if page.suffix == ".ipynb"]


TOC_ENTRIES = list(_toc_files(yaml.safe_load((ROOT / "_toc.yml").read_text())))


def test_toc_has_no_duplicate_entries():
    assert len(TOC_ENTRIES) == len(set(TOC_ENTRIES))


@pytest.mark.parametrize("entry", TOC_ENTRIES)
def test_every_toc_entry_exists(entry):
    matches = [ROOT / f"{entry}{suffix}" for suffix in PAGE_SUFFIXES if (ROOT / f"{entry}{suffix}").exists()]
    assert len(matches) == 1, f"_toc.yml entry {entry!r} matches {len(matches)} files"


@pytest.mark.parametrize("page", _pages_on_disk(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_page_is_in_the_toc(page):
    entry = str(page.relative_to(ROOT).with_suffix(""))
    assert entry in TOC_ENTRIES, f"{entry} is not in _toc.yml, so readers never see it"


def test_there_are_chapter_notebooks():
    # Guards the parametrized tests below against passing vacuously on an empty book.
    assert len(_notebooks()) >= 13


@pytest.mark.parametrize("notebook", _notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_outputs_come_from_one_in_order_run(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    counts = [cell.get("execution_count") for cell in cells if cell["cell_type"] == "code"]
    assert counts, f"{notebook.name} has no code cells"
    assert counts == list(range(1, len(counts) + 1)), (
        f"{notebook.name}: execution counts {counts} are not 1, 2, 3, ...: "
        "re-run it from a fresh kernel (Restart Kernel and Run All Cells) and save"
    )


@pytest.mark.parametrize("notebook", _notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_uses_the_project_kernel_and_no_installs(notebook):
    nb = json.loads(notebook.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = "\n".join("".join(cell["source"]) for cell in nb["cells"] if cell["cell_type"] == "code")
    assert not re.search(r"^\s*[%!]\s*pip\b", code, re.M), "a cell installs packages"
    assert "sys.path" not in code, "mathlib must be imported as an installed package"
    errors = [
        output
        for cell in nb["cells"]
        if cell["cell_type"] == "code"
        for output in cell.get("outputs", [])
        if output["output_type"] == "error" or output.get("name") == "stderr"
    ]
    assert not errors, f"{notebook.name} has committed errors or warnings: {errors[:1]}"


def _code_cells(notebook):
    return [cell for cell in json.loads(notebook.read_text())["cells"] if cell["cell_type"] == "code"]


@pytest.mark.parametrize("notebook", _notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_output_comparison_is_switched_off_only_by_the_machine_dependent_tag(notebook):
    # One visible, documented way to exempt a cell from nbval's comparison (README, "Working on the book"):
    # the tag `machine-dependent`, which the site also shows to readers. nbval's own comment markers and
    # tags would exempt a cell silently.
    for number, cell in enumerate(_code_cells(notebook)):
        source = "".join(cell["source"])
        assert not re.search(r"^\s*#\s*(NBVAL_|PYTEST_VALIDATE_)", source, re.M), (
            f"{notebook.name} code cell {number}: use the tag `machine-dependent`, not an nbval comment")
        tags = cell["metadata"].get("tags", [])
        assert not [tag for tag in tags if tag.startswith("nbval-")], (
            f"{notebook.name} code cell {number}: use the tag `machine-dependent`, not {tags}")


@pytest.mark.parametrize("notebook", _notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_machine_dependent_cells_assert_their_claim(notebook):
    # A cell whose outputs are not compared must still check something, or nothing would.
    for number, cell in enumerate(_code_cells(notebook)):
        if "machine-dependent" in cell["metadata"].get("tags", []):
            source = "".join(cell["source"])
            assert re.search(r"\bassert\b|assert_allclose|assert_array", source), (
                f"{notebook.name} code cell {number} is machine-dependent and asserts nothing")


@pytest.mark.parametrize("notebook", _notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_execution_timing_metadata(notebook):
    # Timings recorded per cell would change on every run and bury real changes in the diff
    # (scripts/execute-notebooks does not record them).
    timed = [number for number, cell in enumerate(_code_cells(notebook)) if "execution" in cell["metadata"]]
    assert not timed, f"{notebook.name}: code cells {timed} carry execution timings"


def test_notebooks_are_formatted_by_ruff():
    # Formatted by a tool, not by hand (ruff.toml: 88 columns), so that code blocks do not scroll sideways.
    ruff = Path(sys.executable).with_name("ruff")
    run = subprocess.run([str(ruff), "format", "--check", "book"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, f"run `.venv/bin/ruff format book`:\n{run.stdout}{run.stderr}"


@pytest.mark.parametrize("notebook", _notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_code_line_is_longer_than_88_characters(notebook):
    # ruff does not break long strings and comments; those are wrapped by hand.
    long_lines = [
        (number, line)
        for number, cell in enumerate(_code_cells(notebook))
        for line in "".join(cell["source"]).splitlines()
        if len(line) > 88
    ]
    assert not long_lines, f"{notebook.name}: code cell lines over 88 characters: {long_lines[:3]}"


@pytest.mark.parametrize("notebook", _notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_plotting_set_up_in_the_chapters(notebook):
    # How figures are drawn is repository configuration (book/_kernel/ipython_kernel_config.py), not a line
    # every reader has to read in every chapter.
    for number, cell in enumerate(_code_cells(notebook)):
        source = "".join(cell["source"])
        assert not re.search(r"^\s*%config\b|rcParams\[.figure\.dpi.\]", source, re.M), (
            f"{notebook.name} code cell {number} configures plotting")


@pytest.mark.parametrize("notebook", _notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_figure_has_a_numbered_caption_and_alt_text(notebook):
    for number, cell in enumerate(_code_cells(notebook)):
        if not any("image/png" in output.get("data", {}) for output in cell.get("outputs", [])):
            continue
        mystnb = cell["metadata"].get("mystnb", {})
        figure, image = mystnb.get("figure", {}), mystnb.get("image", {})
        where = f"{notebook.name} code cell {number}"
        assert figure.get("caption", "").strip() and figure.get("name"), f"{where}: no caption or name"
        alt = image.get("alt", "").strip()
        assert len(alt.split()) >= 8, f"{where}: alt text must say what the figure shows"
        assert not re.search(r"[$\\`]", alt), f"{where}: alt text is read aloud: plain text, no markup"


def test_figure_names_are_unique():
    names = [
        cell["metadata"]["mystnb"]["figure"]["name"]
        for notebook in _notebooks()
        for cell in _code_cells(notebook)
        if "name" in cell["metadata"].get("mystnb", {}).get("figure", {})
    ]
    assert len(names) == len(set(names))
