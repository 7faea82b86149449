"""The translated editions' catalogues (locale/<language>/LC_MESSAGES/*.po, scripts/build_editions.py).

Every rule is first tried on a planted broken catalogue, then required of every committed one:

- every message is translated: no empty and no fuzzy entry, and a message is its own translation only when it
  has no prose (a formula, a function name);
- a translation keeps its source's mathematics, code, cross-references and link targets exactly: the same
  ``$...$`` spans, the same code spans, the same labels and citation keys, as many times each;
- a translation renders each term of the terminology page (book/front/terminology.tsv) as that page does;
- the catalogues are current: extracting the messages from the current notebooks and pages again gives exactly
  the messages the catalogues hold, so an English edit that is not translated fails here.
"""

import re
import sys
from collections import Counter
from pathlib import Path

import polib
import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.myst_role import myst_role_plugin

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import build_editions  # noqa: E402
from terminology import terminology  # noqa: E402

LANGUAGES = list(build_editions.editions())
CATALOGUES = sorted(p for lang in LANGUAGES for p in (ROOT / "locale" / lang / "LC_MESSAGES").rglob("*.po"))

_MATH = re.compile(r"\$\$.*?\$\$|\$[^$]+\$", re.S)
_CODE = re.compile(r"(?<![`}])`[^`]+`")
# {cite}`key`, {eq}`label`, {ref}`text <label>`, {prf:ref}`label`, {numref}`...`, {doc}`...`
_ROLE = re.compile(r"\{(?P<role>[a-z:]+)\}`(?P<body>[^`]*)`")
_LINK_TARGET = re.compile(r"\]\((?P<target>[^)\s]+)\)")
# English words that also have an everyday sense the terminology does not mean ("a bit more", "the solution of
# an equation", "the bias term of a model", "cells that exercise a rule"): the table still renders them, but they are not required wherever
# the English word occurs.
AMBIGUOUS_TERMS = {"bit", "solution", "bias", "exercise"}


# The parser MyST is built on, with the syntax the book's prose uses. In CommonMark, emphasis that ends in
# punctuation closes only before a space or punctuation: "**论断。**对" shows its asterisks, "**论断。** 对" and
# "**论断**。对" are bold. So a translation is parsed as the page will parse it.
_MARKDOWN = MarkdownIt("commonmark").use(dollarmath_plugin).use(myst_role_plugin)


def markdown_structure(text: str) -> Counter:
    """How many of each kind of markup a message parses into (bold, emphasis, links, roles, formulas, ...)."""
    kinds = Counter()
    for token in _MARKDOWN.parse(text):
        for inner in token.children or [token]:
            if inner.type not in ("text", "softbreak", "inline"):
                kinds[inner.type] += 1
    return kinds


# Roles whose body is only the link's text: {book-pdf}`book-en.pdf` links the PDF of the page's language.
TEXT_ROLES = {"book-pdf"}


def role_targets(text: str) -> Counter:
    """The label or key of every role: a role's visible text may be translated, never what it points at."""
    targets = Counter()
    for match in _ROLE.finditer(text):
        if match["role"] in TEXT_ROLES:
            continue
        body = match["body"]
        label = re.search(r"<([^>]+)>\s*$", body)
        targets[(match["role"], label[1] if label else body)] += 1
    return targets


def markup_problems(msgid: str, msgstr: str) -> list[str]:
    problems = []
    for name, found in [
        ("mathematics", lambda t: Counter(_MATH.findall(t))),
        ("code", lambda t: Counter(_CODE.findall(_ROLE.sub(" ", _MATH.sub(" ", t))))),
        ("cross-references", role_targets),
        ("link targets", lambda t: Counter(_LINK_TARGET.findall(t))),
        ("markup as parsed", markdown_structure),
    ]:
        source, translation = found(msgid), found(msgstr)
        if source != translation:
            missing = list((source - translation).elements())
            extra = list((translation - source).elements())
            problems.append(f"{name} differ: missing {missing}, not in the source {extra}")
    return problems


def _prose(text: str) -> str:
    return _LINK_TARGET.sub(" ", _ROLE.sub(" ", _CODE.sub(" ", _MATH.sub(" ", text))))


def terminology_problems(msgid: str, msgstr: str, terms: dict[str, str]) -> list[str]:
    english = _prose(msgid).lower()
    problems = []
    for term, rendering in terms.items():
        if term in AMBIGUOUS_TERMS or term == rendering:
            continue
        if re.search(rf"(?<![\w-]){re.escape(term.lower())}(e?s)?(?![\w-])", english) and rendering not in msgstr:
            problems.append(f"{term!r} is not rendered as {rendering!r}")
    return problems


def catalogue_problems(catalogue: polib.POFile, terms: dict[str, str]) -> list[str]:
    problems = []
    for entry in catalogue:
        where = entry.msgid[:70].replace("\n", " ")
        if not entry.msgstr.strip():
            problems.append(f"untranslated: {where!r}")
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {where!r}")
        if entry.msgstr == entry.msgid and build_editions.has_prose(entry.msgid):
            problems.append(f"copied, not translated: {where!r}")
        problems += [f"{p}: {where!r}" for p in markup_problems(entry.msgid, entry.msgstr)]
        problems += [f"{p}: {where!r}" for p in terminology_problems(entry.msgid, entry.msgstr, terms)]
    return problems


def _catalogue(*pairs: tuple[str, str], fuzzy: bool = False) -> polib.POFile:
    catalogue = polib.POFile()
    for msgid, msgstr in pairs:
        catalogue.append(polib.POEntry(msgid=msgid, msgstr=msgstr, flags=["fuzzy"] if fuzzy else []))
    return catalogue


TERMS = {"cross-entropy": "交叉熵", "likelihood": "似然", "bit": "比特"}
SOURCE = "The cross-entropy $H(p, q)$ of {eq}`ce-def` is `mathlib.cross_entropy`, see [the code](../api.md)."
GOOD = "{eq}`ce-def` 中的交叉熵 $H(p, q)$ 即 `mathlib.cross_entropy`，见[代码](../api.md)。"


def test_a_faithful_translation_passes():
    assert catalogue_problems(_catalogue((SOURCE, GOOD)), TERMS) == []
    claim = "**Claim.** " + SOURCE
    assert catalogue_problems(_catalogue((claim, "**论断。** " + GOOD), (claim, "**论断**。" + GOOD)), TERMS) == []


@pytest.mark.parametrize(
    "broken, complaint",
    [
        ("", "untranslated"),
        (SOURCE, "copied, not translated"),
        (GOOD.replace("$H(p, q)$", "$H(q, p)$"), "mathematics differ"),
        (GOOD.replace("$H(p, q)$", "$H(p,q)$"), "mathematics differ"),
        (GOOD.replace("$H(p, q)$", "$H(p, q)$ 与 $H(p, q)$"), "mathematics differ"),
        (GOOD.replace("`mathlib.cross_entropy`", "mathlib.cross_entropy"), "code differ"),
        (GOOD.replace("{eq}`ce-def`", "{eq}`ce-defn`"), "cross-references differ"),
        (GOOD.replace("(../api.md)", "(api.md)"), "link targets differ"),
        (GOOD.replace("交叉熵", "互熵"), "'cross-entropy' is not rendered as '交叉熵'"),
    ],
)
def test_a_broken_translation_is_found(broken, complaint):
    problems = catalogue_problems(_catalogue((SOURCE, broken)), TERMS)
    assert any(complaint in p for p in problems), problems


def test_bold_that_the_page_would_not_close_is_found():
    source = "**Claim.** The likelihood is $L$."
    problems = catalogue_problems(_catalogue((source, "**论断。**似然为 $L$。")), TERMS)
    assert any("markup as parsed differ" in p for p in problems), problems


def test_a_fuzzy_entry_is_found():
    assert any("fuzzy" in p for p in catalogue_problems(_catalogue((SOURCE, GOOD), fuzzy=True), TERMS))


def test_a_formula_alone_is_its_own_translation():
    assert catalogue_problems(_catalogue(("$\\lambda \\to 0$", "$\\lambda \\to 0$")), TERMS) == []


def test_the_text_of_a_reference_may_be_translated_but_not_its_label():
    source = "See {ref}`the chapter on entropy <ch-entropy>`."
    assert catalogue_problems(_catalogue((source, "见{ref}`熵一章 <ch-entropy>`。")), {}) == []
    assert catalogue_problems(_catalogue((source, "见{ref}`熵一章 <ch-entropie>`。")), {}) != []


def test_terms_inside_code_and_mathematics_are_not_required():
    source = "The function `cross_entropy` returns $\\mathrm{likelihood}$ values."
    assert catalogue_problems(_catalogue((source, "函数 `cross_entropy` 返回 $\\mathrm{likelihood}$ 的值。")), TERMS) == []


def test_ambiguous_words_are_not_required():
    assert catalogue_problems(_catalogue(("A bit more likelihood.", "多一点似然。")), TERMS) == []


def test_the_book_has_a_catalogue_for_each_language():
    assert LANGUAGES == ["zh_CN"]
    assert CATALOGUES, "no catalogues under locale/"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.relative_to(ROOT / "locale").as_posix())
def test_every_message_is_translated_faithfully(path):
    problems = catalogue_problems(polib.pofile(str(path)), terminology())
    assert not problems, f"{path.relative_to(ROOT)}:\n" + "\n".join(problems)


def test_the_catalogues_hold_the_current_messages(tmp_path):
    """Extract the English messages again and compare page by page: an English edit without a catalogue update
    (scripts/build_editions.py catalogs) fails here."""
    templates = build_editions.templates(build_editions.extract(tmp_path))
    for language in LANGUAGES:
        committed = {
            p.relative_to(ROOT / "locale" / language / "LC_MESSAGES").with_suffix("").as_posix(): p
            for p in (ROOT / "locale" / language / "LC_MESSAGES").rglob("*.po")
        }
        assert sorted(committed) == sorted(templates), f"{language}: pages with a catalogue differ from the book's"
        for page, template in templates.items():
            current = {e.msgid for e in template}
            held = {e.msgid for e in polib.pofile(str(committed[page]))}
            assert held == current, (
                f"{language}/{page}: catalogue out of date; run scripts/build_editions.py catalogs and translate.\n"
                f"new in the book: {sorted(current - held)[:5]}\nno longer in the book: {sorted(held - current)[:5]}"
            )
