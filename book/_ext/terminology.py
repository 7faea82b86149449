"""The book's terminology: each English term and its Chinese rendering, in book/front/terminology.tsv.

One file serves three readers: the terminology page shows it as a table (the ``terminology-table`` directive),
the Chinese edition's search cuts text into words with it (chinese_search.py), and tests/test_translations.py
requires every translation to render each term as it says. The table's cells are the same in both editions, so
they are kept out of the translation catalogues.
"""

from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

TERMINOLOGY_FILE = Path(__file__).resolve().parents[1] / "front" / "terminology.tsv"
HEADER = ("English", "中文")


def terminology(path: Path = TERMINOLOGY_FILE) -> dict[str, str]:
    """English term -> Chinese rendering, in the file's order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or tuple(lines[0].split("\t")) != HEADER:
        raise ValueError(f"{path}: the first line must be the columns {HEADER}, tab-separated")
    terms = {}
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) != 2 or not all(cell.strip() == cell and cell for cell in cells):
            raise ValueError(f"{path}:{number}: expected 'English<TAB>中文', got {line!r}")
        if cells[0] in terms:
            raise ValueError(f"{path}:{number}: the term {cells[0]!r} is listed twice")
        terms[cells[0]] = cells[1]
    return terms


def _cell(text: str) -> nodes.entry:
    paragraph = nodes.paragraph(text, text, translatable=False)
    return nodes.entry("", paragraph)


class TerminologyTable(SphinxDirective):
    """The table of terms, read from terminology.tsv when the page is built."""

    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(str(TERMINOLOGY_FILE))
        rows = [HEADER, *terminology().items()]
        group = nodes.tgroup(cols=2)
        group += [nodes.colspec(colwidth=1), nodes.colspec(colwidth=1)]
        head, body = nodes.thead(), nodes.tbody()
        head += nodes.row("", *(_cell(text) for text in rows[0]))
        body += [nodes.row("", *(_cell(text) for text in row)) for row in rows[1:]]
        group += [head, body]
        return [nodes.table("", group, classes=["terminology"])]


def setup(app: Sphinx):
    app.add_directive("terminology-table", TerminologyTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
