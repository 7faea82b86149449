"""The one table of math macros (book/_ext/math_macros.py) feeds MathJax and LaTeX the same definitions.

The LaTeX side is checked by typesetting the generated definitions with XeLaTeX and reading the result
back with pdftotext; the MathJax side against the format of MathJax 3's tex.macros option.
"""

import importlib.util
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from sphinx.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("math_macros", ROOT / "book" / "_ext" / "math_macros.py")
math_macros = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(math_macros)

TABLE = {"KL": r"\mathrm{KL}", "pair": [r"(#1, #2)", 2]}


def test_mathjax_gets_the_table_in_its_own_format():
    assert math_macros.mathjax_macros(math_macros.parse_macros(TABLE)) == {
        "KL": r"\mathrm{KL}",
        "pair": ["(#1, #2)", 2],
    }


def test_latex_gets_newcommand_definitions():
    assert math_macros.latex_definitions(math_macros.parse_macros(TABLE)) == (
        "\\newcommand{\\KL}{\\mathrm{KL}}\n\\newcommand{\\pair}[2]{(#1, #2)}\n"
    )


def test_the_latex_definitions_typeset(tmp_path):
    definitions = math_macros.latex_definitions(math_macros.parse_macros(TABLE))
    (tmp_path / "macros.tex").write_text(
        "\\documentclass{article}\n\\usepackage{amsmath}\n" + definitions
        + "\\begin{document}\n$\\pair{a}{b}$ and $\\KL$\n\\end{document}\n",
        encoding="utf-8",
    )
    subprocess.run(["xelatex", "-interaction=nonstopmode", "-halt-on-error", "macros.tex"],
                   cwd=tmp_path, check=True, capture_output=True)
    text = subprocess.run(["pdftotext", str(tmp_path / "macros.pdf"), "-"],
                          check=True, capture_output=True, text=True).stdout
    assert " ".join(text.split()) == "(a, b) and KL 1"  # the article class numbers the page


def test_apply_adds_to_existing_configuration():
    config = SimpleNamespace(
        math_macros=TABLE,
        mathjax3_config={"tex": {"macros": {"RR": r"\mathbb{R}"}}, "svg": {"fontCache": "global"}},
        latex_elements={"preamble": "\\usepackage{bookpdf}", "papersize": "a4paper"},
    )
    math_macros.apply_macros(None, config)
    assert config.mathjax3_config == {
        "tex": {"macros": {"RR": r"\mathbb{R}", "KL": r"\mathrm{KL}", "pair": ["(#1, #2)", 2]}},
        "svg": {"fontCache": "global"},
    }
    assert config.latex_elements == {
        "preamble": "\\usepackage{bookpdf}\n\\newcommand{\\KL}{\\mathrm{KL}}\n\\newcommand{\\pair}[2]{(#1, #2)}\n",
        "papersize": "a4paper",
    }


def test_an_empty_table_changes_nothing():
    config = SimpleNamespace(math_macros={}, mathjax3_config=None, latex_elements={})
    math_macros.apply_macros(None, config)
    assert config.mathjax3_config is None and config.latex_elements == {}


@pytest.mark.parametrize("command", ["\\bbox", "\\class", "\\style", "\\cssId", "\\unicode"])
def test_a_mathjax_only_command_is_refused(command):
    with pytest.raises(ConfigError, match=r"only MathJax knows"):
        math_macros.parse_macros({"marked": command + "{red}{x}"})


def test_a_command_that_only_starts_like_a_mathjax_one_is_accepted():
    assert math_macros.parse_macros({"cls": r"\classname"}) == {"cls": (r"\classname", 0)}


@pytest.mark.parametrize(
    "table, message",
    [
        (["KL"], "must be a mapping"),
        ({"\\KL": "x"}, "not a macro name"),
        ({"K2": "x"}, "not a macro name"),
        ({"pair": ["(#1, #2)", 10]}, "arguments 0-9"),
        ({"pair": ["(#1, #2)", True]}, "arguments 0-9"),
        ({"pair": ["(#1, #2)"]}, "arguments 0-9"),
        ({"pair": 3}, "arguments 0-9"),
    ],
)
def test_a_malformed_table_is_refused(table, message):
    with pytest.raises(ConfigError, match=message):
        math_macros.parse_macros(table)
