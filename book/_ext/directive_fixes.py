"""Repairs to what sphinx-exercise 1.2.1, sphinx-proof 0.4.0 and docutils 0.21 put on a page.

- Fixed ids repeated on one page. Each exercise, solution and theorem wraps its body in a section with one
  hard-coded id ("exercise-content", "solution-content", "proof-content"), and every unlabelled proof gets
  the id "proof", so a chapter repeats them; repeated ids break fragment links and confuse assistive
  technology. Nothing links to them; they are dropped (the sections keep "*-content" as a class).
- A folded solution's title reads "Solution to <link>Exercise N</link>". The whole title is the button that
  unfolds the solution, but on a phone a tap lands on the link, which scrolls back to the exercise instead.
  In folded solutions the title is plain text; the exercise sits directly above its solution.
- In the PDF, sphinx-proof writes a theorem's kind ("Definition 1.1") in English whatever the language; on the
  site it translates it. Its LaTeX handlers are wrapped so that the PDF uses its translation too.
- The bibliography: docutils marks the list of citations role="list" and each entry role="doc-biblioentry",
  a role that ARIA 1.2 deprecates and that is no list item, so assistive technology finds a list with no
  items (axe: aria-required-children, critical). The entries become list items.
"""

from collections import Counter

from docutils import nodes
from sphinx.application import Sphinx
from sphinx_exercise.nodes import solution_node
from sphinx_proof import nodes as proof_nodes

_FIXED_IDS = {"exercise-content", "solution-content", "proof-content", "proof"}


def _drop_fixed_ids(doctree: nodes.document):
    elements = list(doctree.findall(nodes.Element))
    counts = Counter(node_id for element in elements for node_id in element["ids"])
    repeated = {node_id for node_id, count in counts.items() if count > 1} & _FIXED_IDS
    for element in elements:
        dropped = repeated.intersection(element["ids"])
        if dropped:
            element["ids"] = [node_id for node_id in element["ids"] if node_id not in dropped]
            element["classes"].extend(sorted(node_id for node_id in dropped if node_id.endswith("-content")))


def _unlink_folded_solution_titles(doctree: nodes.document):
    for solution in doctree.findall(solution_node):
        if "dropdown" not in solution["classes"]:
            continue
        title = solution.next_node(nodes.title)
        if title is None:
            continue
        for reference in list(title.findall(nodes.reference)):
            reference.replace_self(reference.children)


def _repair(app: Sphinx, doctree: nodes.document, docname: str):
    _drop_fixed_ids(doctree)
    _unlink_folded_solution_titles(doctree)


def _citations_as_list_items(app: Sphinx, pagename, templatename, context, doctree):
    if "body" in context:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')


def _translate_kind_in_latex(depart):
    def translated(self, node):
        depart(self, node)
        # sphinx-proof has just put "<Kind> <number>" (or "<Kind>") after the box's opening, in English.
        english = node.attributes.get("realtype", "").title()
        where = proof_nodes.list_rindex(self.body, proof_nodes.latex_admonition_start) + 2
        if self.body[where].startswith(english):
            self.body[where] = proof_nodes._(english) + self.body[where][len(english):]

    return translated


def _theorem_kinds_in_the_pdf_language(app: Sphinx):
    if app.builder.format != "latex":
        return
    app.add_node(
        proof_nodes.unenumerable_node,
        override=True,
        latex=(proof_nodes.visit_unenumerable_node, _translate_kind_in_latex(proof_nodes.depart_unenumerable_node)),
    )
    for node_class in proof_nodes.NODE_TYPES.values():
        app.add_node(
            node_class,
            override=True,
            latex=(proof_nodes.visit_enumerable_node, _translate_kind_in_latex(proof_nodes.depart_enumerable_node)),
        )


def setup(app: Sphinx):
    app.connect("builder-inited", _theorem_kinds_in_the_pdf_language)
    app.connect("doctree-resolved", _repair)
    app.connect("html-page-context", _citations_as_list_items)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
