# How the book's notebooks draw figures, in every kernel of the project's .venv: scripts/setup copies this
# file into .venv/etc/ipython/, where IPython reads it at start-up. It keeps this configuration out of the
# chapters, which readers see. Figures are PNG at twice the pixel density, displayed at their nominal size,
# so that they are crisp on high-DPI screens and phones; 80 dots per inch of figure size, which the chapters'
# figsize values are chosen for (a 8 x 3.6 inch figure is 640 px wide on the page).
c.InlineBackend.figure_formats = {"retina"}  # noqa: F821 (IPython's config object)
c.InlineBackend.rc = {"figure.dpi": 80}  # noqa: F821
