"""Bibliography labels that read like the citations in the text.

The chapters cite author-year ("Cover and Thomas, 2006", "Szegedy et al., 2016"), but pybtex's plain style
numbers the list [1]-[37], so a reader could not find a citation in it. This registers the formatting style
"plain_author_year": plain's entries and order (by author, year, title), labelled the way the author-year
citations read: one author's last name, two joined by "and", three or more as the first "et al.", then the
year; a letter tells apart two works of the same authors and year.
"""

from collections import Counter

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from sphinx.application import Sphinx

STYLE_NAME = "plain_author_year"


def _last_name(person) -> str:
    # The rich names decode the BibTeX accents: M{\"a}chler reads Mächler, as in the citations.
    return " ".join(name.render_as("text") for name in person.rich_prelast_names + person.rich_last_names)


def _names(entry) -> str:
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    if not people:
        raise ValueError(f"bibliography entry {entry.key} has no author or editor to label it by")
    if len(people) == 1:
        return _last_name(people[0])
    if len(people) == 2:
        return f"{_last_name(people[0])} and {_last_name(people[1])}"
    return f"{_last_name(people[0])} et al."


class AuthorYearLabels(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        sorted_entries = list(sorted_entries)
        labels = [f"{_names(entry)}, {entry.fields.get('year', 'n.d.')}" for entry in sorted_entries]
        repeated = {label for label, count in Counter(labels).items() if count > 1}
        seen = Counter()
        for label in labels:
            if label in repeated:
                seen[label] += 1
                label = f"{label}{'abcdefghijklmnopqrstuvwxyz'[seen[label] - 1]}"
            yield label


class PlainAuthorYearStyle(PlainStyle):
    default_label_style = AuthorYearLabels


def setup(app: Sphinx):
    register_plugin("pybtex.style.formatting", STYLE_NAME, PlainAuthorYearStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
