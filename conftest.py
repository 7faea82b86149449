"""pytest configuration shared by the whole repository.

nbval re-runs every notebook and compares each output with the committed one: text exactly (after the
address sanitizing in tests/nbval_sanitize.cfg), figures pixel by pixel within a stated tolerance, and cells
tagged ``machine-dependent`` not at all. tests/nbval_figures.py says why and how.
"""

pytest_plugins = ["tests.nbval_figures"]
