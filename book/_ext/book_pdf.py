"""The book as a PDF, one per language in ``book_pdf_languages`` (_config.yml), built by scripts/build-pdf.

For the LaTeX builder: parts and chapters are numbered as on the site. Each part's caption carries its own
number ("Part I: ..."), so LaTeX numbers no part; chapters are numbered only inside the parts that _toc.yml
numbers, and continuously across them, so "chapter 6" and "(6.1)" mean the same thing in both; theorems,
definitions and exercises are numbered per chapter ("Theorem 6.1"), as on the site. The preface, which
sphinx-jupyterbook-latex prints untitled after the table of contents, gets its title back.

For the HTML builder: each language's PDF is a link in every page's download menu, and the role
``{book-pdf}`text``` links to the PDF of the page's language (in the PDF itself it is plain text).
The PDFs are copied next to the site (``_build/html/book-<language>.pdf``) by scripts/build-pdf.
"""

import posixpath

from docutils import nodes
from sphinx_proof import nodes as proof_nodes
from language_switch import current_language, edition_root_to_site_root
from translatable_text import translated
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.texescape import escape as latex_escape


# The download menu's tooltip, in the language of the PDF it offers.
PDF_TOOLTIP = {"en": "Download the whole book as a PDF (English)", "zh_CN": "下载全书 PDF（简体中文）"}


def pdf_filename(language: str) -> str:
    return f"book-{language}.pdf"


def _secnumdepth(numbered: bool) -> nodes.raw:
    # \bookpdfnumbered and \bookpdfunnumbered are defined in book/_latex/bookpdf.sty.
    command = r"\bookpdfnumbered" if numbered else r"\bookpdfunnumbered"
    return nodes.raw("", command + "\n", format="latex")


class NumberLikeTheSite(SphinxPostTransform):
    # After sphinx-jupyterbook-latex (700) has made a part section of each top-level toctree caption.
    default_priority = 750
    builders = ("latex",)

    def run(self, **kwargs) -> None:
        root_doc = self.config.root_doc
        if self.app.project.path2doc(self.document["source"]) != root_doc:
            return
        site_map = self.config.external_site_map
        # The part sections are named by the captions as the edition shows them (translatable_text.py).
        numbered_parts = {translated(self.env, root_doc, toctree.caption): bool(toctree.numbered)
                          for toctree in site_map.root.subtrees}
        root_section = next(s for s in self.document.findall(nodes.section) if s.get("docname") == root_doc)
        preface_title = self.env.titles[root_doc].astext()
        root_section.insert(
            root_section.first_child_matching_class(nodes.title) + 1,
            nodes.raw("", "\\bookpdfunnumbered\n\\chapter{%s}\n" % latex_escape(preface_title), format="latex"),
        )
        for section in list(self.document.findall(nodes.section)):
            caption = section.get("docname")
            if caption not in numbered_parts or section is root_section:
                continue
            section.parent.insert(section.parent.index(section), _secnumdepth(False))
            section.insert(section.first_child_matching_class(nodes.title) + 1, _secnumdepth(numbered_parts[caption]))


class ProofsWithoutATitleBar(SphinxPostTransform):
    """sphinx-proof puts a proof in an untitled admonition, which LaTeX draws as a box under an empty title bar
    (the site shows no title either: the proof's text begins "Proof."). In the PDF a proof is an indented
    block instead (bookpdfproof, book/_latex/bookpdf.sty)."""

    default_priority = 750
    builders = ("latex",)

    def run(self, **kwargs) -> None:
        for proof in list(self.document.findall(proof_nodes.proof_node)):
            for box in [child for child in proof.children if isinstance(child, nodes.admonition)]:
                box.replace_self([
                    nodes.raw("", "\\begin{bookpdfproof}\n", format="latex"),
                    *box.children,
                    nodes.raw("", "\\end{bookpdfproof}\n", format="latex"),
                ])


class BookPdfLink(nodes.reference):
    """A link to the PDF of the page's language: a link on the site, plain text elsewhere."""


def number_theorems_per_chapter(app: Sphinx) -> None:
    """Number theorems per chapter while the environment assigns numbers, then give LaTeX its setting back.

    With parts, sphinx-jupyterbook-latex sets numfig_secnum_depth to 2 at builder-inited: the depth LaTeX
    needs to reset figure and equation counters per chapter, but also the depth at which the environment
    numbers theorems, which would make them "Theorem 6.4.1" where the site says "Theorem 6.1".
    """
    if app.builder.name != "latex":
        return
    latex_depth = app.config.numfig_secnum_depth
    app.config.numfig_secnum_depth = 1

    def restore(app, env):
        app.config.numfig_secnum_depth = latex_depth

    # Emitted once the environment has numbered everything, before the LaTeX writer reads the setting
    # (the LaTeX builder emits no write-started). scripts/build_pdf.py always reads afresh, so it comes.
    app.connect("env-check-consistency", restore)


def _site_pdf(app: Sphinx, language: str) -> str:
    """The PDF of ``language`` as a path from the root of the edition being built: the PDFs lie at the site's
    root (scripts/build_pdf.py), which is above a translated edition's folder."""
    return edition_root_to_site_root(app) + pdf_filename(language)


def _pdf_language(app: Sphinx) -> str:
    """The PDF a page links to: the one in its own language, or the English one where there is none."""
    language = current_language(app)
    return language if language in app.config.book_pdf_languages else "en"


def book_pdf_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    env = inliner.document.settings.env
    target = posixpath.relpath(_site_pdf(env.app, _pdf_language(env.app)), posixpath.dirname(env.docname) or ".")
    return [BookPdfLink(rawtext, text, refuri=target, classes=["book-pdf"])], []


def _tell_latex_the_language(app: Sphinx, config) -> None:
    """bookpdf.sty writes its own words (the machine-dependent note) in the book's language."""
    preamble = config.latex_elements.get("preamble", "")
    config.latex_elements = {
        **config.latex_elements,
        "preamble": f"\\def\\bookpdflanguage{{{config.language or 'en'}}}\n{preamble}",
    }


def _visit_link_html(translator, node):
    translator.visit_reference(node)


def _depart_link_html(translator, node):
    translator.depart_reference(node)


def _children_only(translator, node):
    """Outside the site the link's text stands alone: a relative link to the PDF means nothing in a PDF."""


def add_pdf_downloads(app, pagename, templatename, context, doctree):
    """Add each language's PDF to the theme's download menu, next to the page's own downloads."""
    pathto = context["pathto"]
    for group in context.get("header_buttons", []):
        if group.get("label") != "download-buttons":
            continue
        for language in app.config.book_pdf_languages:
            group["buttons"].append(
                {
                    "type": "link",
                    "url": pathto(_site_pdf(app, language), 1),
                    "text": pdf_filename(language),
                    "tooltip": PDF_TOOLTIP[language],
                    "icon": "fas fa-book",
                    "label": f"download-book-pdf-{language}-button",
                }
            )


def setup(app: Sphinx):
    app.add_config_value("book_pdf_languages", ["en"], "html", [list])
    app.add_post_transform(NumberLikeTheSite)
    app.add_post_transform(ProofsWithoutATitleBar)
    # After sphinx-jupyterbook-latex's own builder-inited handler (priority 500).
    app.connect("builder-inited", number_theorems_per_chapter, priority=600)
    app.add_node(
        BookPdfLink,
        html=(_visit_link_html, _depart_link_html),
        latex=(_children_only, _children_only),
        text=(_children_only, _children_only),
    )
    app.add_role("book-pdf", book_pdf_role)
    app.connect("config-inited", _tell_latex_the_language)
    # After sphinx-book-theme fills its download menu (priority 501).
    app.connect("html-page-context", add_pdf_downloads, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
