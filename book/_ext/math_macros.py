"""One table of math macros, fed to both MathJax (the site) and LaTeX (the PDF).

The table is ``math_macros`` in the ``sphinx: config:`` section of _config.yml: a macro name (without the
backslash) maps to its body, or to ``[body, number of arguments]``, the form MathJax's ``tex.macros``
takes. A macro defined only for MathJax would stop the PDF build, and one defined only in the LaTeX
preamble would show as an error on the site; defining both from this table keeps them the same.
"""

import re

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError

# MathJax extensions that LaTeX does not have: a macro built on one of them would stop the PDF build.
MATHJAX_ONLY_COMMANDS = ("\\bbox", "\\class", "\\style", "\\cssId", "\\unicode")
_NAME = re.compile(r"[A-Za-z]+")


def parse_macros(table) -> dict[str, tuple[str, int]]:
    """Return {name: (body, number of arguments)}, or raise ConfigError saying which entry is wrong."""
    if not isinstance(table, dict):
        raise ConfigError(f"math_macros must be a mapping of macro name to body, not {table!r}")
    macros = {}
    for name, definition in table.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ConfigError(f"math_macros: {name!r} is not a macro name (letters only, no backslash)")
        if isinstance(definition, str):
            body, num_args = definition, 0
        elif (
            isinstance(definition, list)
            and len(definition) == 2
            and isinstance(definition[0], str)
            and isinstance(definition[1], int)
            and not isinstance(definition[1], bool)
            and 0 <= definition[1] <= 9
        ):
            body, num_args = definition
        else:
            raise ConfigError(f"math_macros: {name!r} must be a body or [body, arguments 0-9], not {definition!r}")
        for command in MATHJAX_ONLY_COMMANDS:
            if re.search(re.escape(command) + r"(?![A-Za-z])", body):
                raise ConfigError(f"math_macros: {name!r} uses {command}, which only MathJax knows")
        macros[name] = (body, num_args)
    return macros


def mathjax_macros(macros: dict[str, tuple[str, int]]) -> dict:
    return {name: body if num_args == 0 else [body, num_args] for name, (body, num_args) in macros.items()}


def latex_definitions(macros: dict[str, tuple[str, int]]) -> str:
    # \newcommand, not \def: a name that LaTeX or the document class already defines fails loudly.
    return "".join(
        f"\\newcommand{{\\{name}}}{f'[{num_args}]' if num_args else ''}{{{body}}}\n"
        for name, (body, num_args) in macros.items()
    )


def apply_macros(app: Sphinx, config: Config) -> None:
    macros = parse_macros(config.math_macros)
    if not macros:
        return
    mathjax_config = dict(config.mathjax3_config or {})
    tex = dict(mathjax_config.get("tex", {}))
    tex["macros"] = {**tex.get("macros", {}), **mathjax_macros(macros)}
    mathjax_config["tex"] = tex
    config.mathjax3_config = mathjax_config
    latex_elements = dict(config.latex_elements)
    latex_elements["preamble"] = latex_elements.get("preamble", "") + "\n" + latex_definitions(macros)
    config.latex_elements = latex_elements


def setup(app: Sphinx):
    app.add_config_value("math_macros", {}, "env", [dict])
    # Before sphinx-jupyterbook-latex adds its preamble (priority 500), which loads unicode-math.
    app.connect("config-inited", apply_macros, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
