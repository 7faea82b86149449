"""Side-by-side benchmark of mathlib against torch and scipy.

Run from the repository root::

    .venv/bin/python benchmarks/run.py           # the sizes of the contract (a few minutes)
    .venv/bin/python benchmarks/run.py --quick   # small sizes, a smoke test (seconds)

For every case all implementations run in the same process on the same inputs,
interleaved round by round (so a busy machine slows them alike); the time reported
is the best of the rounds. "time / mathlib" is that implementation's time divided by mathlib's (above 1:
mathlib is faster). "time / read pass" divides by one read of the same input (torch's
amax over the class axis, two threads): no row-wise reduction can beat it by much.

Peak extra memory is measured after all timings, twice, on separate untimed calls:

* RSS: the rise of the process's resident-set high-water mark (VmHWM, reset through
  /proc/self/clear_refs just before the call) above the resident set before it. It
  counts NumPy, torch and scipy allocations alike, temporaries included, inputs not.
  For this phase glibc's malloc is set to serve every allocation of 64 KiB or more
  with its own mmap and to return it on free, so freed memory cannot hide a new
  peak (the timings use the default allocator).
* NumPy (tracemalloc): the peak of NumPy's traced allocations during the call. It
  sees NumPy arrays only (near 0 for torch), but exactly, at any size.

The table goes to stdout as Markdown.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import math
import os
import platform
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
import scipy
import scipy.special
import scipy.stats
import torch
import torch.nn.functional as F

import mathlib

Case = tuple[str, str, list[tuple[str, Callable[[], object]]]]


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def fix_malloc_thresholds() -> None:
    """Make RSS track allocations: mmap (and unmap on free) every block >= 64 KiB."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    libc.mallopt(m_mmap_threshold, 64 * 1024)
    libc.mallopt(m_trim_threshold, 128 * 1024)


def numpy_peak_mib(fn: Callable[[], object]) -> float:
    """Peak of traced (NumPy and Python) allocations during ``fn()``, in MiB."""
    gc.collect()
    tracemalloc.start()
    try:
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak / 2**20


def peak_extra_mib(fn: Callable[[], object]) -> float:
    """Rise of peak RSS above the RSS before ``fn()``, in MiB (Linux only)."""
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # reset VmHWM to the current RSS
    except OSError:
        return float("nan")
    before = _status_kib("VmRSS")
    result = fn()
    peak = _status_kib("VmHWM")
    del result
    return max(peak - before, 0) / 1024  # RSS can shrink during the call: no negative peaks


def best_times(impls: list[tuple[str, Callable[[], object]]], rounds: int) -> dict[str, float]:
    for _, fn in impls:  # warm up: threads, caches, page faults of first use
        fn()
    best = {name: float("inf") for name, _ in impls}
    for _ in range(rounds):
        for name, fn in impls:
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


# The logit distributions of the cross-entropy cases: the standard normal of a freshly initialized
# network, the same shifted by +100 (no logit near 0: a kernel that skips the max shift overflows) and
# scaled by 100 (confident rows, where one class takes nearly all the probability).
LOGIT_DISTRIBUTIONS = {
    "N(0, 1)": lambda z: z,
    "N(0, 1) + 100": lambda z: z + np.float32(100),
    "100 N(0, 1)": lambda z: z * np.float32(100),
}


def read_pass(x: np.ndarray) -> tuple[str, Callable[[], object]]:
    """One read of the logits, the floor for any row-wise reduction: torch's amax over the class axis."""
    t = torch.from_numpy(x)
    return ("one read pass (torch amax)", lambda: torch.amax(t, dim=-1))


def cross_entropy_cases(rng: np.random.Generator, shapes: list[tuple[tuple[int, int], type]]) -> list[Case]:
    cases = []
    for (n, c), dtype in shapes:
        standard = rng.standard_normal((n, c), dtype=np.float32)
        target = rng.integers(0, c, n)
        for name, transform in LOGIT_DISTRIBUTIONS.items():
            logits = transform(standard).astype(dtype, copy=False)
            t_logits, t_target = torch.from_numpy(logits), torch.from_numpy(target)

            def scipy_baseline(logits=logits, target=target):
                log_probs = scipy.special.log_softmax(logits, axis=-1)
                return -np.mean(np.take_along_axis(log_probs, target[:, None], axis=-1))

            cases.append((
                "cross_entropy_loss",
                f"({n}, {c}) {np.dtype(dtype).name} {name}, {logits.nbytes / 2**20:.0f} MiB",
                [
                    ("mathlib", lambda logits=logits, target=target: mathlib.cross_entropy_loss(logits, target)),
                    ("torch", lambda a=t_logits, b=t_target: F.cross_entropy(a, b)),
                    ("scipy log_softmax + gather", scipy_baseline),
                    read_pass(logits),
                ],
            ))
        del standard
    return cases


def softmax_family_cases(rng: np.random.Generator, shapes: list[tuple[tuple[int, int], type]]) -> list[Case]:
    cases = []
    for (n, c), dtype in shapes:
        x = rng.standard_normal((n, c), dtype=np.float32).astype(dtype, copy=False)
        label = f"({n}, {c}) {np.dtype(dtype).name} N(0, 1), {x.nbytes / 2**20:.0f} MiB"
        cases.append(("log_softmax", label, [
            ("mathlib", lambda x=x: mathlib.log_softmax(x)),
            ("scipy", lambda x=x: scipy.special.log_softmax(x, axis=-1)),
            read_pass(x),
        ]))
        cases.append(("logsumexp", label, [
            ("mathlib", lambda x=x: mathlib.logsumexp(x)),
            ("scipy", lambda x=x: scipy.special.logsumexp(x, axis=-1)),
            read_pass(x),
        ]))
    return cases


def near_cancelling_cases(rng: np.random.Generator, shapes: list[tuple[int, int]]) -> list[Case]:
    """logsumexp of log-probabilities: the result is ~1e-16, so the last addition m + log s cancels and
    every row takes the exact path. A row's cost there is the same in every batch."""
    cases = []
    for n, c in shapes:
        p = rng.random((n, c))
        p /= p.sum(axis=1, keepdims=True)
        x = np.log(p)
        cases.append(("logsumexp", f"({n}, {c}) float64 log-probabilities, {x.nbytes / 2**20:.1f} MiB", [
            ("mathlib", lambda x=x: mathlib.logsumexp(x)),
            ("scipy", lambda x=x: scipy.special.logsumexp(x, axis=-1)),
            read_pass(x),
        ]))
    return cases


def bce_case(rng: np.random.Generator, size: int) -> list[Case]:
    logits = rng.standard_normal(size, dtype=np.float32) * 4
    target = (rng.random(size) < 0.5).astype(np.float32)
    t_logits, t_target = torch.from_numpy(logits), torch.from_numpy(target)
    return [("binary_cross_entropy_with_logits", f"({size},) float32, {logits.nbytes / 2**20:.0f} MiB", [
        ("mathlib", lambda: mathlib.binary_cross_entropy_with_logits(logits, target)),
        ("torch", lambda: F.binary_cross_entropy_with_logits(t_logits, t_target)),
    ])]


def information_cases(rng: np.random.Generator, shape: tuple[int, int]) -> list[Case]:
    p = rng.dirichlet(np.ones(shape[1]), size=shape[0])
    q = rng.dirichlet(np.ones(shape[1]), size=shape[0])
    label = f"{shape} float64, {p.nbytes / 2**20:.0f} MiB"
    return [
        ("entropy", label, [
            ("mathlib", lambda: mathlib.entropy(p)),
            ("scipy", lambda: scipy.stats.entropy(p, axis=-1)),
        ]),
        ("kl_divergence", label, [
            ("mathlib", lambda: mathlib.kl_divergence(p, q)),
            ("scipy", lambda: scipy.stats.entropy(p, q, axis=-1)),
        ]),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test that runs in seconds")
    parser.add_argument("--rounds", type=int, default=None, help="timed rounds per implementation")
    parser.add_argument("--only", default=None, help="run only the cases of this function (e.g. logsumexp)")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    torch.set_num_threads(2)
    if args.quick:
        rounds = args.rounds or 3
        ce_shapes = [((256, 3200), np.float32), ((10**4, 10), np.float64)]
        sm_shapes = [((256, 3200), np.float32), ((10**4, 10), np.float64)]
        lp_shapes = [(4, 1000), (100, 10)]
        bce_size, info_shape = 10**5, (10**3, 100)
    else:
        rounds = args.rounds or 5
        ce_shapes = [((8192, 32000), np.float32), ((10**6, 10), np.float64)]
        sm_shapes = [((1024, 32000), np.float32), ((10**6, 10), np.float64)]
        lp_shapes = [(16, 1000), (17, 1000), (64, 1000), (10**4, 10)]
        bce_size, info_shape = 10**7, (10**5, 100)

    cases: list[Case] = []
    cases += cross_entropy_cases(rng, ce_shapes)
    cases += softmax_family_cases(rng, sm_shapes)
    cases += near_cancelling_cases(rng, lp_shapes)
    cases += bce_case(rng, bce_size)
    cases += information_cases(rng, info_shape)

    if args.only:
        cases = [case for case in cases if case[0] == args.only]
    # Time everything with the default allocator first, then measure memory with
    # mmap-per-allocation (which makes RSS exact but adds page faults to every call).
    times = [best_times(impls, rounds) for _, _, impls in cases]
    fix_malloc_thresholds()

    print(f"mathlib {mathlib.__version__}, numpy {np.__version__}, scipy {scipy.__version__}, "
          f"torch {torch.__version__} ({torch.get_num_threads()} threads); "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; best of {rounds} rounds")
    print()
    print("| function | input | implementation | time (ms) | time / mathlib | time / read pass "
          "| peak extra RSS (MiB) | peak NumPy allocations (MiB) |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for (function, label, impls), case_times in zip(cases, times):
        reference = case_times["mathlib"]
        floor = next((t for name, t in case_times.items() if name.startswith("one read pass")), math.nan)
        for name, fn in impls:
            rss = peak_extra_mib(fn)
            traced = numpy_peak_mib(fn)
            print(f"| `{function}` | {label} | {name} | {case_times[name] * 1e3:.1f} | "
                  f"{case_times[name] / reference:.2f} | {case_times[name] / floor:.2f} | {rss:.1f} | {traced:.1f} |",
                  flush=True)


if __name__ == "__main__":
    main()
