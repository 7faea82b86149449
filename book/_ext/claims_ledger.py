"""The "Ledger of claims" page, generated at build time from the chapter notebooks.

``{claims-ledger}`` in a page becomes a table with one row per claim (``claims.py`` says what a claim is):
the claim, linked to where it is stated, the cells that check it with the kind of each check, and the pages
that cite it. The rows are built after every page has been read, in a post-transform that runs before
Sphinx resolves cross-references, so the claim and page links in the table are ordinary references:
numbered like everywhere else, and checked by ``--nitpick``. Whether every claim has a check is tested in
``tests/test_claims.py``; the page shows an unchecked claim as such rather than hiding it.
"""

from __future__ import annotations

import gettext
from pathlib import Path

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

import claims as claim_reader

CITING_ROLES = {("prf", "ref"), ("math", "eq"), ("std", "ref"), ("std", "numref")}


class ledger_placeholder(nodes.General, nodes.Element):
    """Where the table goes; replaced before references are resolved."""


class ClaimsLedgerDirective(SphinxDirective):
    def run(self):
        return [ledger_placeholder()]


def check_anchor(cell_index: int) -> str:
    return f"ledger-check-{cell_index}"


def mark_checks_and_citations(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    for node in doctree.findall(nodes.container):
        if node.get("nb_element") == "cell_code" and node.get("cell_metadata", {}).get("ledger"):
            node["ids"].append(check_anchor(node["cell_index"]))  # the ledger links here
    citations = env.__dict__.setdefault("ledger_citations", {})
    for xref in doctree.findall(pending_xref):
        if (xref.get("refdomain"), xref.get("reftype")) in CITING_ROLES:
            citations.setdefault(xref["reftarget"], set()).add(env.docname)


def purge_citations(app: Sphinx, env, docname: str) -> None:
    for citing in getattr(env, "ledger_citations", {}).values():
        citing.discard(docname)


def merge_citations(app: Sphinx, env, docnames, other) -> None:
    citations = env.__dict__.setdefault("ledger_citations", {})
    for label, citing in getattr(other, "ledger_citations", {}).items():
        citations.setdefault(label, set()).update(citing)


def _docname(page: str) -> str:
    return str(Path(page).with_suffix(""))


def _doc_link(docname: str, fromdoc: str) -> pending_xref:
    link = pending_xref("", refdomain="std", reftype="doc", reftarget="/" + docname, refdoc=fromdoc,
                        refexplicit=False, refwarn=True)
    link += nodes.inline("", docname)
    return link


def _claim_link(claim: claim_reader.Claim, fromdoc: str) -> pending_xref:
    domain, role = ("math", "eq") if claim.kind == "equation" else ("prf", "ref")
    link = pending_xref("", refdomain=domain, reftype=role, reftarget=claim.label, refdoc=fromdoc,
                        refexplicit=False, refwarn=True)
    # sphinx-proof writes "Theorem 6.1" when the link text is the bare label
    link += nodes.inline("", claim.label)
    return link


def _text_with_math(text: str) -> list[nodes.Node]:
    """A directive title such as "Sample averages are expectations under $\\hat p$", math rendered."""
    pieces = text.split("$")
    if len(pieces) % 2 == 0:  # unbalanced dollars: show the title as it is written
        return [nodes.Text(text)]
    return [nodes.math(piece, piece) if odd else nodes.Text(piece)
            for odd, piece in ((index % 2 == 1, piece) for index, piece in enumerate(pieces)) if piece]


# The table's own words in the translated editions; English is the key. The claims' titles come from the
# catalogue of the page that states them, as on that page.
LEDGER_WORDS = {
    "zh_CN": {
        "Claim": "论断",
        "Stated in": "出处",
        "Checked by": "检验",
        "Cited from": "引用处",
        "no check": "无检验",
        "symbolic, general size": "符号计算，一般规模",
        "symbolic, fixed size": "符号计算，固定规模",
        "numeric, against mathlib": "数值计算，对照 mathlib",
        "numeric, against an independent library or exact value": "数值计算，对照独立的库或精确值",
    },
}


def _words(app) -> dict[str, str]:
    return LEDGER_WORDS.get(app.config.language or "en", {})


def _translated_title(app, title: str, page: str) -> str:
    """A claim's title as the translated edition shows it on its page (sphinx-proof's title message is the
    title in parentheses), read from that page's catalogue, which Sphinx has compiled by now."""
    language = app.config.language or "en"
    if language == "en":
        return title
    for locale_dir in app.config.locale_dirs:
        catalogue = Path(app.srcdir, locale_dir, language, "LC_MESSAGES", _docname(page) + ".mo")
        if catalogue.is_file():
            with catalogue.open("rb") as mo:
                translation = gettext.GNUTranslations(mo).gettext(f"({title})")
            if translation != f"({title})":
                return translation.strip("（）()")
    raise ValueError(f"the claim title {title!r} of {page} has no translation into {language}")


def _cell(*children) -> nodes.entry:
    entry = nodes.entry()
    paragraph = nodes.paragraph()
    paragraph.extend(children)
    entry += paragraph
    return entry


class BuildLedgerTable(SphinxPostTransform):
    # Before the LaTeX builder turns equation references into \eqref (MathReferenceTransform, 5), which
    # runs first at an equal priority, and before sphinx's ReferencesResolver (10).
    default_priority = 4

    def run(self, **kwargs) -> None:
        placeholders = list(self.document.findall(ledger_placeholder))
        if not placeholders:
            return
        root = Path(self.app.srcdir)
        notebooks = sorted(root / self.env.doc2path(doc, False) for doc in self.env.found_docs
                           if self.env.doc2path(doc, False).endswith(".ipynb"))
        claims, checks = claim_reader.read_book(root, notebooks)
        for placeholder in placeholders:
            placeholder.replace_self(self._table(claims, checks))

    def _table(self, claims, checks) -> nodes.table:
        here = self.env.docname
        builder = self.app.builder
        citations = getattr(self.env, "ledger_citations", {})
        # colwidths-given: LaTeX (and HTML) use the widths below; without it LaTeX sets unwrapped columns.
        table = nodes.table(classes=["claims-ledger", "colwidths-given"])
        group = nodes.tgroup(cols=4)
        table += group
        for width in (30, 20, 30, 20):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        words = _words(self.app)
        head += nodes.row("", *(_cell(nodes.Text(words.get(title, title))) for title in
                                ("Claim", "Stated in", "Checked by", "Cited from")))
        group += head
        body = nodes.tbody()
        group += body
        for claim in sorted(claims, key=lambda c: (c.page, c.cell)):
            stated_in = _docname(claim.page)
            claim_cell = [_claim_link(claim, here)]
            if claim.title:
                claim_cell.append(nodes.Text(" "))
                claim_cell.extend(_text_with_math(_translated_title(self.app, claim.title, claim.page)))
            check_links = []
            for check in checks:
                kind = check.claims.get(claim.label)
                if kind is None:
                    continue
                uri = f"{builder.get_relative_uri(here, _docname(check.page))}#{check_anchor(check.cell)}"
                if check_links:
                    check_links.append(nodes.Text("; "))
                label = claim_reader.CHECK_KINDS.get(kind, kind)
                label = words.get(label, label)
                if builder.format == "html":
                    check_links.append(nodes.reference("", label, refuri=uri, internal=True))
                else:  # the cell anchors exist on the site only; the PDF names the kind
                    check_links.append(nodes.Text(label))
            if not check_links:
                check_links = [nodes.strong("", words.get("no check", "no check"))]
            citing = sorted(citations.get(claim.label, set()) - {here, stated_in})
            cited = []
            for docname in citing:
                if cited:
                    cited.append(nodes.Text(", "))
                cited.append(_doc_link(docname, here))
            body += nodes.row("", _cell(*claim_cell), _cell(_doc_link(stated_in, here)),
                              _cell(*check_links), _cell(*(cited or [nodes.Text("")])))
        return table


def setup(app: Sphinx):
    app.add_node(ledger_placeholder)
    app.add_directive("claims-ledger", ClaimsLedgerDirective)
    app.connect("doctree-read", mark_checks_and_citations)
    app.connect("env-purge-doc", purge_citations)
    app.connect("env-merge-info", merge_citations)
    app.add_post_transform(BuildLedgerTable)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
