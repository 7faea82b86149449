"""What of the book is translated (gettext catalogues, locale/), and two repairs to how Sphinx translates it.

Sphinx offers every text node of a page for translation. Two kinds are not prose and must stay exactly as the
English edition has them, so they are taken out of the catalogues here:

- display mathematics: a ``$$...$$`` block, and every SymPy result a code cell displays (myst-nb renders
  ``text/latex`` outputs as math blocks). Mathematics and notation are identical in both editions.
- any other text a code cell prints or displays: code, comments and printed outputs stay as they are. Figure
  captions, which come from a code cell's metadata, are prose and stay translatable.
- the API reference's function descriptions, which autodoc takes from mathlib's docstrings: they are part of
  the code, and a reader calls ``help()`` on the same English text. The API page's own prose is translated.

The transform runs before Sphinx's own ``Locale`` transform (priority 20), so the same rule decides what the
gettext builder extracts and what a translated build replaces.

The repairs: the parts' captions, which sphinx-external-toc inserts after Sphinx has translated the page, are
translated from the catalogue too; and ids that translated messages bring in twice are made unique.
"""

from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.locale import init as init_locale
from sphinx.transforms import SphinxTransform
from sphinx.util.i18n import docname_to_domain


def _is_code_text(node: nodes.Node) -> bool:
    """Whether ``node`` is inside a code cell's outputs (and not a figure caption there) or an API description."""
    parent = node
    while parent is not None:
        if isinstance(parent, (nodes.caption, nodes.legend)):
            return False
        if isinstance(parent, nodes.container) and parent.get("nb_element") == "cell_code_output":
            return True
        if isinstance(parent, addnodes.desc):
            return True
        parent = parent.parent
    return False


class KeepMathAndOutputsUntranslated(SphinxTransform):
    default_priority = 15  # before sphinx.transforms.i18n.Locale (20)

    def apply(self, **kwargs) -> None:
        for node in self.document.findall(nodes.TextElement):
            if isinstance(node, nodes.math_block) or _is_code_text(node):
                node["translatable"] = False


class TranslateTocCaptions(SphinxTransform):
    """The parts' captions (Part I: ...) belong to the toctrees that sphinx-external-toc inserts from _toc.yml
    at priority 100, after Sphinx has translated the page; gettext extracts them all the same (into the root
    page's catalogue), so here they are translated from that catalogue, as Sphinx would have."""

    default_priority = 110  # after sphinx_external_toc's InsertToctrees (100)

    def apply(self, **kwargs) -> None:
        for toctree in self.document.findall(addnodes.toctree):
            if toctree.get("caption"):
                toctree["caption"] = translated(self.env, self.env.docname, toctree["caption"])


def translated(env, docname: str, message: str) -> str:
    """``message`` of page ``docname`` in the language being built, from that page's catalogue."""
    if not env.config.language or env.config.language == "en":
        return message
    dirs = [str(Path(env.srcdir, directory)) for directory in env.config.locale_dirs]
    domain = docname_to_domain(docname, env.config.gettext_compact)
    catalogue, has_catalogue = init_locale(dirs, env.config.language, domain)
    return catalogue.gettext(message) if has_catalogue else message


def unique_generated_ids(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Sphinx parses each translated message as a small document of its own, so the ids docutils generates there
    ("id9" for a citation) can repeat ids of the page. A repeated id breaks fragment links and assistive
    technology; every later copy gets a fresh id (what links to the id keeps reaching the first)."""
    # On the site only: the LaTeX builder resolves the whole book as one tree, where each page's ids are told
    # apart by its name.
    if not app.config.language or app.config.language == "en" or app.builder.format != "html":
        return
    elements = list(doctree.findall(nodes.Element))
    taken = {node_id for element in elements for node_id in element["ids"]}
    seen = set()
    for element in elements:
        for index, node_id in enumerate(element["ids"]):
            if node_id not in seen:
                seen.add(node_id)
                continue
            number = 2
            while f"{node_id}-{number}" in taken:
                number += 1
            element["ids"][index] = f"{node_id}-{number}"
            taken.add(element["ids"][index])


def setup(app: Sphinx):
    app.add_transform(KeepMathAndOutputsUntranslated)
    app.add_transform(TranslateTocCaptions)
    app.connect("doctree-resolved", unique_generated_ids)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
