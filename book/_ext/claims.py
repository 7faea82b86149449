"""The book's claims and the cells that check them, read straight from the chapter notebooks.

A claim is a general result a chapter states: a ``prf:theorem``, ``prf:lemma``, ``prf:proposition`` or
``prf:corollary`` directive with a ``:label:``, or a labelled display equation (``$$ ... $$ (label)``) that is
not part of a ``prf:definition``. A code cell checks claims when its metadata says so::

    "metadata": {"ledger": {"checks": {"<claim label>": "<kind>"}}}

with a kind from ``CHECK_KINDS``. Both the ledger page (``claims_ledger.py``, at build time) and the structure
tests (``tests/test_claims.py``, without a build) use this module, so the two cannot disagree about what a
claim is.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

CHECK_KINDS = {
    "symbolic-general": "symbolic, general size",
    "symbolic-fixed": "symbolic, fixed size",
    "numeric-mathlib": "numeric, against mathlib",
    "numeric-independent": "numeric, against an independent library or exact value",
}
CLAIM_DIRECTIVES = ("theorem", "lemma", "proposition", "corollary")

# A MyST directive fence with backticks or colons: ```{prf:theorem} Title ... ```
_FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<arg>.*)$")
_CODE_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})[\w+-]*$")
_OPTION = re.compile(r"^:(?P<key>[\w-]+):[ \t]*(?P<value>.*)$")
_EQUATION_LABEL = re.compile(r"\$\$[ \t]*\((?P<label>[^()\s]+)\)[ \t]*$")


@dataclass
class Claim:
    label: str
    kind: str  # "theorem", ..., or "equation"
    title: str
    page: str  # path of the notebook, relative to the book root
    cell: int  # index of the markdown cell that states it
    has_proof: bool = False


@dataclass
class Check:
    page: str
    cell: int  # index of the code cell, counting all cells from 0
    claims: dict[str, str] = field(default_factory=dict)  # label -> kind


def _markdown_claims(text: str, page: str, cell: int) -> list[Claim]:
    claims = []
    open_blocks: list[tuple[str, str]] = []  # (closing fence, directive name or "code"), innermost last
    lines = text.splitlines()
    for number, line in enumerate(lines):
        stripped = line.strip()
        if open_blocks and stripped == open_blocks[-1][0]:
            open_blocks.pop()
            continue
        directive = _FENCE.match(stripped)
        if directive:
            name = directive["name"]
            open_blocks.append((directive["fence"], name))
            kind = name.removeprefix("prf:")
            if name.startswith("prf:") and kind in CLAIM_DIRECTIVES:
                label = ""
                for option in lines[number + 1:]:
                    match = _OPTION.match(option.strip())
                    if not match:
                        break
                    if match["key"] == "label":
                        label = match["value"].strip()
                if label:
                    claims.append(Claim(label, kind, directive["arg"].strip(), page, cell))
            elif name == "prf:proof" and claims:
                claims[-1].has_proof = True
            continue
        code = _CODE_FENCE.match(stripped)
        if code:
            open_blocks.append((code["fence"], "code"))
            continue
        equation = _EQUATION_LABEL.search(stripped)
        inside = {name for _, name in open_blocks}
        if equation and not inside & {"prf:definition", "code"}:
            claims.append(Claim(equation["label"], "equation", "", page, cell))
    return claims


def read_notebook(path: Path, root: Path) -> tuple[list[Claim], list[Check]]:
    """The claims a notebook states and the checks its code cells declare."""
    page = str(path.relative_to(root))
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    claims, checks = [], []
    for index, cell in enumerate(cells):
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            found = _markdown_claims(source, page, index)
            if not found and "{prf:proof}" in source and claims:
                claims[-1].has_proof = True  # the proof follows its claim in a later cell
            claims.extend(found)
        elif cell["cell_type"] == "code":
            declared = cell.get("metadata", {}).get("ledger", {}).get("checks", {})
            if declared:
                checks.append(Check(page, index, dict(declared)))
    return claims, checks


def read_book(root: Path, notebooks: list[Path]) -> tuple[list[Claim], list[Check]]:
    claims, checks = [], []
    for notebook in notebooks:
        found_claims, found_checks = read_notebook(notebook, root)
        claims.extend(found_claims)
        checks.extend(found_checks)
    return claims, checks


def problems(claims: list[Claim], checks: list[Check]) -> list[str]:
    """Everything that makes the ledger untrue: unchecked claims, checks of nothing, unproved proofs."""
    found = []
    by_label: dict[str, Claim] = {}
    for claim in claims:
        if claim.label in by_label:
            found.append(f"{claim.page}: claim label {claim.label!r} is used twice")
        by_label[claim.label] = claim
    kinds_of: dict[str, set[str]] = {label: set() for label in by_label}
    for check in checks:
        for label, kind in check.claims.items():
            where = f"{check.page} cell {check.cell}"
            if kind not in CHECK_KINDS:
                found.append(f"{where}: check kind {kind!r} is not one of {sorted(CHECK_KINDS)}")
            if label not in by_label:
                found.append(f"{where}: checks {label!r}, which no chapter states as a claim")
            else:
                kinds_of[label].add(kind)
    for label, claim in by_label.items():
        if not kinds_of[label]:
            found.append(f"{claim.page} cell {claim.cell}: claim {label!r} has no check")
        elif claim.has_proof and not kinds_of[label] & {"symbolic-general"}:
            found.append(f"{claim.page} cell {claim.cell}: claim {label!r} is proved, but only checked "
                         "for fixed sizes or numerically: add a symbolic check for general size")
    return found
