"""The mutation score of the last mutmut run, per module, as the table in MUTATION.md.

Run by ``tests/mathlib/mutation`` after mutmut; alone: ``.venv/bin/python tests/mathlib/mutation_score.py``.
It reads mutmut's result files in ``.cache/mutation/mutants`` (one exit code per mutant) and names each code as
mutmut's own ``results`` command does.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

RESULTS = Path(__file__).resolve().parents[2] / ".cache" / "mutation" / "mutants" / "src" / "mathlib"
COLUMNS = ("killed", "survived", "timeout", "no tests", "not checked")


def counts_by_module(results: Path = RESULTS) -> dict[str, Counter]:
    by_module: dict[str, Counter] = {}
    for meta in sorted(results.glob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"].values()
        if codes:
            module = f"mathlib.{meta.name.removesuffix('.py.meta')}"
            by_module[module] = Counter(status_by_exit_code[code] for code in codes)
    return by_module


def table(by_module: dict[str, Counter]) -> str:
    """A Markdown table; the score is killed / (killed + survived + timeout), equivalent mutants being marked in
    the code (``# pragma: no mutate``) and so never generated."""
    rows = ["| module | mutants | " + " | ".join(COLUMNS) + " | score |", "|---|" + "---:|" * (len(COLUMNS) + 2)]
    # Any other status (suspicious, segfault) is counted in "mutants" only, and would show as a gap.
    total: Counter = Counter()
    for name, c in [*by_module.items(), ("all", None)]:
        c = total if c is None else c
        if name != "all":
            total.update(c)
        decided = c["killed"] + c["survived"] + c["timeout"]
        score = f"{100 * c['killed'] / decided:.1f}%" if decided else "n/a"
        rows.append(f"| `{name}` | {sum(c.values())} | " + " | ".join(str(c[k]) for k in COLUMNS) + f" | {score} |")
    return "\n".join(rows)


if __name__ == "__main__":
    found = counts_by_module()
    if not found:
        sys.exit(f"no mutmut results under {RESULTS}: run bash tests/mathlib/mutation first")
    print(table(found))
