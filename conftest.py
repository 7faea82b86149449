"""pytest configuration shared by the whole repository.

nbval compares a notebook's fresh outputs with its committed ones, but by default it skips PNG images.
The book promises that every figure a reader sees is what the current code draws, so figures are compared
too: matplotlib's Agg renderer is deterministic for a fixed version, font and seed.
"""

from nbval.plugin import IPyNbFile

_FIGURE_MIME_TYPES = {"image/png"}


def pytest_collection_modifyitems(items):
    for notebook in {item.parent for item in items if isinstance(item.parent, IPyNbFile)}:
        notebook.skip_compare = tuple(
            key for key in notebook.skip_compare if key not in _FIGURE_MIME_TYPES
        )
