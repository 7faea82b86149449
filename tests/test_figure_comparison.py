"""The figure comparison catches a wrong figure and lets anti-aliasing noise through.

Figures are drawn the way the book's notebooks draw them (matplotlib's Agg renderer, PNG, the inline
backend's tight bounding box), then planted wrong: a curve moved by 1% of its axis, a missing line, a
changed legend. The last test runs nbval itself on a small notebook whose committed figures were planted,
to show the comparison is the one nbval uses.
"""

from __future__ import annotations

import base64
import io
import os
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

from tests.nbval_figures import MAX_CHANNEL_DIFFERENCE, decode_png, figure_difference  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def draw(shift=0.0, scale=1.0, with_second_line=True, legend="model $q_\\theta$"):
    """A two-line figure like the book's; returns it as base64 PNG."""
    x = np.linspace(0.0, 10.0, 400)
    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=80)
    ax.plot(x, scale * np.sin(x) + shift, label=legend)
    if with_second_line:
        ax.plot(x, np.cos(x), linestyle="--", label="data $p$")
    ax.set_ylim(-1.5, 1.5)
    ax.legend(loc="upper right")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def add_one_level_noise(encoded, pixels=40, seed=0):
    """The committed figure with `pixels` random pixels one grey level off, as seen between CPUs."""
    from PIL import Image

    levels = decode_png(encoded).astype(np.uint8)
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, levels.shape[0], size=pixels)
    cols = rng.integers(0, levels.shape[1], size=pixels)
    levels[rows, cols, :3] = np.where(levels[rows, cols, :3] > 0, levels[rows, cols, :3] - 1, 1)
    buffer = io.BytesIO()
    Image.fromarray(levels, mode="RGBA").save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


REFERENCE = draw()


def test_the_same_figure_matches():
    assert figure_difference(REFERENCE, draw()) is None


def test_last_bit_changes_of_the_data_match():
    # A relative change of a few ulps in every plotted value, as different SIMD kernels produce.
    assert figure_difference(REFERENCE, draw(scale=1.0 + 4 * np.finfo(float).eps)) is None


def test_one_level_noise_matches():
    noisy = add_one_level_noise(REFERENCE)
    assert decode_png(noisy).tolist() != decode_png(REFERENCE).tolist()  # the noise is really there
    assert figure_difference(REFERENCE, noisy) is None


@pytest.mark.parametrize(
    "planted",
    [
        pytest.param(dict(shift=0.03), id="curve moved by 1% of its 3-unit axis"),
        pytest.param(dict(with_second_line=False), id="missing line"),
        pytest.param(dict(legend="model $q_\\phi$"), id="changed legend"),
    ],
)
def test_a_wrong_figure_fails(planted):
    problem = figure_difference(REFERENCE, draw(**planted))
    assert problem is not None
    assert f"more than {MAX_CHANNEL_DIFFERENCE} of 255 levels" in problem or "size differs" in problem


def test_a_different_size_fails():
    fig, ax = plt.subplots(figsize=(5, 3.5), dpi=80)
    ax.plot([0, 1], [0, 1])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    problem = figure_difference(REFERENCE, base64.b64encode(buffer.getvalue()).decode())
    assert problem is not None and problem.startswith("figure size differs")


FIGURE_CELL = """\
import matplotlib.pyplot as plt
import numpy as np
x = np.linspace(0.0, 10.0, 400)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(x, np.sin(x) + SHIFT, label=LEGEND)
if SECOND_LINE:
    ax.plot(x, np.cos(x), linestyle="--", label="data")
ax.set_ylim(-1.5, 1.5)
ax.legend(loc="upper right")
plt.show()
"""


def _notebook(variants):
    """One figure cell per variant; `variants` maps a cell to (shift, legend, second line)."""
    cells = [nbformat.v4.new_code_cell("%matplotlib inline\nimport matplotlib\nmatplotlib.rcParams['figure.dpi'] = 80")]
    for shift, legend, second_line in variants:
        source = FIGURE_CELL.replace("SHIFT", repr(shift)).replace("LEGEND", repr(legend))
        cells.append(nbformat.v4.new_code_cell(source.replace("SECOND_LINE", repr(second_line))))
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def test_nbval_fails_on_planted_figures_and_passes_on_noise(tmp_path):
    right = (0.0, "model", True)
    planted = [(0.03, "model", True), (0.0, "model", False), (0.0, "changed", True)]
    # The notebook as committed: run the right code, then plant outputs drawn by wrong code.
    committed = _notebook([right] + [right] * len(planted))
    wrong = _notebook([right] + planted)
    for notebook in (committed, wrong):
        NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    figure_cell = committed.cells[1]
    figure_output = next(o for o in figure_cell.outputs if "image/png" in o.get("data", {}))
    figure_output["data"]["image/png"] = add_one_level_noise(figure_output["data"]["image/png"])
    for index in range(2, 2 + len(planted)):
        committed.cells[index].outputs = wrong.cells[index].outputs
    path = tmp_path / "planted.ipynb"
    nbformat.write(committed, path)

    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.nbval_figures", "-p", "no:cacheprovider",
         "--nbval", "--nbval-current-env", "-n", "0", "-q", "-rA", "-c", os.devnull, "--rootdir", str(tmp_path),
         str(path)],
        capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300,
    )
    report = run.stdout
    assert "PASSED planted.ipynb::Cell 1" in report, report  # one-level noise: passes
    for cell in range(2, 2 + len(planted)):
        assert f"FAILED planted.ipynb::Cell {cell}" in report, report
    assert "3 failed, 2 passed" in report.splitlines()[-1], report
    # Each failure is the figure comparison's, not an error in the cell.
    for cell in range(2, 2 + len(planted)):
        section = report.split(f"_ planted.ipynb::Cell {cell} _", 1)[1].split("\n___", 1)[0]
        assert f"pixels differ by more than {MAX_CHANNEL_DIFFERENCE} of 255 levels" in section, section
        assert "Error" not in section.replace("NbCellError", ""), section
