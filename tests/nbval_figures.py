"""How nbval compares the book's outputs: text exactly, figures by their pixels within a stated tolerance,
and cells tagged ``machine-dependent`` not at all (their own assertions carry their claim).

Why a tolerance for figures. The same notebook run on two CPUs draws the same figure from data that can
differ in the last bits: NumPy picks SIMD kernels (SSE, AVX2, AVX-512, NEON) at run time, and they round
``exp``, ``log`` and sums differently. Plotted, a last-bit difference moves an anti-aliased edge by about
1e-13 of a pixel, which changes a pixel's coverage, and so its grey level, by at most one of 255 levels
after rounding (seen here: 37 pixels of one figure differ by exactly one level between AVX2 and AVX-512).
Anything a reader could notice changes some pixel by far more: a line moved by a tenth of a pixel changes
the pixels along its edge by about 25 levels, a missing line or a different glyph in a legend by 100 or more.
So a figure matches when its size is the same and no channel of any pixel differs by more than
``MAX_CHANNEL_DIFFERENCE`` levels; the margin of 8 over the one level we observe leaves room for rounding
in compositing stacked translucent lines, and stays 3x below what a 0.1 px shift produces.
``tests/test_figure_comparison.py`` plants wrong figures (a curve moved by 1% of its axis, a missing line,
a changed legend) and checks that they fail, while one-level noise passes.

Figures and values that depend on the CPU by nature (the error curve of a naive float formula, timings,
measured ulps) cannot be compared at all; their cells carry the tag ``machine-dependent``, assert their
claim in code, and are shown on the site with a note saying so (``book/_static/machine-dependent.css``).
"""

from __future__ import annotations

import base64
import io

import numpy as np
from nbval import plugin as nbval_plugin
from PIL import Image

MAX_CHANNEL_DIFFERENCE = 8
FIGURE_MIME_TYPE = "image/png"
MACHINE_DEPENDENT_TAG = "machine-dependent"

# nbval runs a tagged cell and fails on an error in it, but does not compare its outputs.
nbval_plugin.metadata_tags[MACHINE_DEPENDENT_TAG] = ("check", False)


def decode_png(encoded: str) -> np.ndarray:
    """A base64 PNG as an (height, width, 4) array of 0-255 RGBA levels."""
    with Image.open(io.BytesIO(base64.b64decode(encoded))) as image:
        return np.asarray(image.convert("RGBA"), dtype=np.int16)


def figure_difference(reference: str, computed: str) -> str | None:
    """Why two base64 PNG figures differ visibly, or None when they match within the tolerance."""
    expected, actual = decode_png(reference), decode_png(computed)
    if expected.shape != actual.shape:
        return f"figure size differs: committed {expected.shape[1]}x{expected.shape[0]} px, " \
               f"computed {actual.shape[1]}x{actual.shape[0]} px"
    per_pixel = np.abs(expected - actual).max(axis=-1)
    worst = int(per_pixel.max())
    if worst > MAX_CHANNEL_DIFFERENCE:
        changed = int((per_pixel > MAX_CHANNEL_DIFFERENCE).sum())
        rows, cols = np.nonzero(per_pixel > MAX_CHANNEL_DIFFERENCE)
        return (f"{changed} pixels differ by more than {MAX_CHANNEL_DIFFERENCE} of 255 levels "
                f"(worst {worst}), in the box x {cols.min()}-{cols.max()}, y {rows.min()}-{rows.max()}")
    return None


def _figures(outputs) -> list[str]:
    return [output["data"][FIGURE_MIME_TYPE] for output in outputs
            if FIGURE_MIME_TYPE in output.get("data", {})]


_compare_text_outputs = nbval_plugin.IPyNbCell.compare_outputs


def _compare_outputs(self, test, ref, skip_compare=None):
    # nbval's own comparison covers every output but the figures (it skips image/png by default).
    if not _compare_text_outputs(self, test, ref, skip_compare):
        return False
    committed, computed = _figures(ref), _figures(test)
    if len(committed) != len(computed):
        self.comparison_traceback.append(
            f"the cell drew {len(computed)} figures, the committed outputs hold {len(committed)}")
        return False
    for number, (reference, figure) in enumerate(zip(committed, computed), start=1):
        problem = figure_difference(reference, figure)
        if problem:
            self.comparison_traceback.append(f"figure {number} of the cell: {problem}")
            return False
    return True


nbval_plugin.IPyNbCell.compare_outputs = _compare_outputs
