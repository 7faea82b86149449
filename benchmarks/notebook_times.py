"""How long each chapter takes to run top to bottom in a fresh kernel: the "well under 20 s" target.

Run from the repository root, after scripts/setup::

    .venv/bin/python benchmarks/notebook_times.py                 # every chapter, 2 runs each
    .venv/bin/python benchmarks/notebook_times.py --runs 3 09 11  # chapters whose file names match

Each run starts a new kernel of .venv (as nbval does), executes every cell in order and stops the kernel. The
wall-clock time counts from the kernel's start to the last cell's end, so it includes the imports; the CPU time is
the kernel process's own (user + system), read from /proc, which a busy machine inflates less than the wall clock.
The best of the runs goes into a Markdown table on stdout, with a mark on every chapter over the target.

It is a benchmark, not a test: timings depend on the machine and on what else runs on it, so the suite never
asserts on them.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 20.0


def kernel_cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a live process, from /proc/<pid>/stat (fields 14 and 15, in clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_once(path: Path) -> tuple[float, float]:
    """Wall-clock and kernel CPU seconds of one top-to-bottom run of the notebook at ``path``."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    with client.setup_kernel():
        pid = client.km.provisioner.process.pid
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        cpu = kernel_cpu_seconds(pid)
        wall = time.perf_counter() - start
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("patterns", nargs="*", help="run only chapters whose file name contains one of these")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    chapters = sorted(p for p in (ROOT / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    if args.patterns:
        chapters = [p for p in chapters if any(pattern in p.name for pattern in args.patterns)]
    print(f"| chapter | wall clock (s), best of {args.runs} | kernel CPU (s) | under {TARGET_SECONDS:.0f} s |")
    print("|---|---:|---:|---|")
    for path in chapters:
        runs = [run_once(path) for _ in range(args.runs)]
        wall, cpu = min(runs)
        mark = "yes" if wall < TARGET_SECONDS else "**no**"
        print(f"| `{path.relative_to(ROOT / 'book')}` | {wall:.1f} | {cpu:.1f} | {mark} |", flush=True)


if __name__ == "__main__":
    main()
