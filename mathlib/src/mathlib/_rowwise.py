"""The one blocked row kernel behind logsumexp, softmax, log_softmax and the cross-entropy loss.

Private. How it works, in the order a call runs:

1. The caller moves the reduced axes last: a 2-D C-contiguous array, one vector per row.
2. ``run_blocks`` cuts the rows into blocks of ``block_rows`` rows (a share of the input, within
   fixed bounds; the cut depends on the shape only, never on the thread count) and gives whole blocks to worker
   threads, one per core and at most ``MAX_WORKERS`` (NumPy releases the GIL in its loops).
3. ``shift_block`` computes, for one block, what every caller needs: the row max ``m``,
   ``d = x - m`` (in float64 also its rounding error, by TwoSum), ``e = exp(d)`` and
   ``log_s = log(sum exp(d))``, taken as ``log1p`` of the sum without one max term when the max
   dominates, so that a result near 0 keeps its relative precision.
4. Each caller's ``finish(start, stop, block)`` turns those into its result for its rows.
5. Hard rows are finished inside the same block, never gathered across blocks: an infinite max
   takes the limit rules, and a logsumexp whose last addition cancels is recomputed in higher
   precision, row by row. Extra memory is a few blocks per thread, and a row's result depends
   on that row alone, never on the other rows of the call.
"""

from __future__ import annotations

import decimal
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np

__all__: list[str] = []

# Entries per block: 1/BLOCK_FRACTION of the input, but at least BLOCK_MIN_ENTRIES and at most
# BLOCK_MAX_ENTRIES (a few cache-sized buffers per thread). The share bounds the peak extra memory (a few
# buffers per thread) relative to the input, and it keeps the blocks few: every block costs some Python
# between NumPy's loops, and two threads that each hold the GIL for that Python wait for each other (on a
# (8192, 32000) float32 loss, blocks of 2 rows made two threads slower than one).
BLOCK_MIN_ENTRIES = 1 << 16
BLOCK_MAX_ENTRIES = 1 << 19
BLOCK_FRACTION = 128
MAX_WORKERS = 8
# Below this many elements one thread does it all: starting threads would cost more.
PARALLEL_MIN_ELEMENTS = 1 << 17
# Up to this many entries per row a block is transposed to (entries, rows): NumPy reduces
# over the leading axis with SIMD, but over a short last axis it runs one tiny loop per row.
TRANSPOSE_MAX_COLUMNS = 64

_executor: ThreadPoolExecutor | None = None
_executor_pid = -1
_executor_lock = threading.Lock()


def num_workers() -> int:
    """Worker threads: one per core this process may run on, at most ``MAX_WORKERS``."""
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        count = os.cpu_count() or 1  # pragma: no mutate (not reached on Linux)
    return max(1, min(count, MAX_WORKERS))  # pragma: no mutate (thread count changes no result: a row depends on that row alone)


def _get_executor() -> ThreadPoolExecutor:
    """The shared pool, created on first use (and again in a forked child, which
    inherits the pool object but not its threads)."""
    global _executor, _executor_pid
    with _executor_lock:
        if _executor is None or _executor_pid != os.getpid():
            _executor = ThreadPoolExecutor(max_workers=num_workers(), thread_name_prefix="mathlib")  # pragma: no mutate (pool size and thread names change no result)
            _executor_pid = os.getpid()
        return _executor


def block_rows(n_rows: int, n_cols: int) -> int:
    """Rows per block of an ``(n_rows, n_cols)`` input: see ``BLOCK_MIN_ENTRIES``. Two to five
    buffers of a block per thread: the peak extra memory stays a few MiB, or a few percent of
    the input, whatever the input."""
    entries = min(max(n_rows * n_cols // BLOCK_FRACTION, BLOCK_MIN_ENTRIES), BLOCK_MAX_ENTRIES)  # pragma: no mutate (block size: no row depends on the cut)
    return max(1, entries // max(n_cols, 1))  # pragma: no mutate (block size: no row depends on the cut)


def run_blocks(n_rows: int, rows_per_block: int, n_cols: int, work: Callable[[int, int, int], None]) -> None:
    """Call ``work(index, start, stop)`` for every block ``start:stop`` of ``rows_per_block`` rows.

    The blocks are the same whatever the number of threads; each thread takes a
    contiguous run of whole blocks. Exceptions propagate.
    """
    n_blocks = -(-n_rows // rows_per_block)

    def run(first: int, last: int) -> None:
        for index in range(first, last):  # pragma: no mutate (range(last) redoes blocks with the same values)
            work(index, index * rows_per_block, min((index + 1) * rows_per_block, n_rows))

    workers = min(num_workers(), n_blocks)
    if workers < 2 or n_rows * n_cols < PARALLEL_MIN_ELEMENTS:  # pragma: no mutate (thread count changes no result: a row depends on that row alone)
        run(0, n_blocks)
        return
    bounds = [round(i * n_blocks / workers) for i in range(workers + 1)]
    # (bounds[2:] for bounds[1:] gives overlapping runs that still cover every block: the same values)
    futures = [_get_executor().submit(run, a, b) for a, b in zip(bounds[:-1], bounds[1:])]  # pragma: no mutate
    for future in futures:
        future.result()


# --------------------------------------------------------------------------- layout


def to_rows(arr: np.ndarray, axes: tuple[int, ...]) -> tuple[np.ndarray, tuple[int, ...], tuple[int, ...]]:
    """Move ``axes`` last and flatten: returns ``(rows, batch_shape, order)``.

    ``rows`` has shape ``(prod(batch_shape), prod(reduced dims))``; ``order`` is the
    axis permutation applied, for :func:`from_rows`. A copy only when the reduced axes
    are not already last and contiguous.
    """
    other = [i for i in range(arr.ndim) if i not in axes]
    order = tuple(other) + tuple(axes)
    moved = arr.transpose(order)
    batch_shape = moved.shape[: len(other)]
    rows = np.ascontiguousarray(moved.reshape(int(np.prod(batch_shape)), int(np.prod(moved.shape[len(other):]))))
    return rows, batch_shape, order


def from_rows(rows: np.ndarray, shape: tuple[int, ...], order: tuple[int, ...]) -> np.ndarray:
    """Inverse of :func:`to_rows` for an output of the input's shape ``shape``."""
    moved_shape = tuple(shape[i] for i in order)
    return rows.reshape(moved_shape).transpose(np.argsort(order))


# --------------------------------------------------------------------------- the kernel


class Shifted(NamedTuple):
    """What :func:`shift_block` computes for a block of ``k`` rows.

    ``m``, ``total`` (``sum exp(d)``), ``log_s`` (its log) and ``hard`` have shape
    ``(k,)``, float64 and bool. ``d`` (``x - m``),
    ``lo`` (its rounding error, or None) and ``e`` (``exp(d)``) are laid out as
    ``(k, n)``, or ``(n, k)`` when ``transposed``; ``axis`` is the entries' axis.
    ``hard`` marks rows whose max is infinite: the caller applies the limit rules.
    """

    m: np.ndarray
    d: np.ndarray
    lo: np.ndarray | None
    e: np.ndarray
    total: np.ndarray
    log_s: np.ndarray
    hard: np.ndarray
    axis: int
    transposed: bool


class Scratch:
    """One thread's buffers for blocks of up to ``count`` rows of ``n`` entries."""

    def __init__(self, n: int, count: int, work_dtype: type, exact: bool) -> None:
        # The work dtype (float32 for float32 losses, else float64) is a speed choice, as in
        # losses._blockwise_loss: float64 work in its place (a dtype of None) changes speed, not
        # correctness. The layout too: transposed or not, every row is summed in an order of its own.
        self.n, self.exact = n, exact
        self.work_dtype = np.dtype(work_dtype)  # pragma: no mutate (speed only, see above)
        self.transposed = n <= TRANSPOSE_MAX_COLUMNS  # pragma: no mutate (layout, see above)
        shape = (n, count) if self.transposed else (count, n)
        self.x = np.empty(shape, dtype=work_dtype) if self.transposed else None  # pragma: no mutate (speed)
        # Without TwoSum nothing reads the transposed copy of x after d = x - m: d takes its place (one
        # buffer less). TwoSum reads x again, so d has its own buffer there.
        if self.transposed and not exact:
            self.d = self.x
        else:
            self.d = np.empty(shape, dtype=work_dtype)  # pragma: no mutate (speed, see above)
        self.e = np.empty(shape, dtype=work_dtype)  # pragma: no mutate (speed, see above)
        # float64 is np.empty's default: a dtype of None changes nothing; an unused tmp only costs memory
        self.lo = np.empty(shape, dtype=np.float64) if exact else None  # pragma: no mutate (see above)
        self.tmp = np.empty(shape, dtype=np.float64) if exact else None  # pragma: no mutate (see above)

    def view(self, buffer: np.ndarray | None, k: int) -> np.ndarray | None:
        if buffer is None:
            return None
        return buffer[:, :k] if self.transposed else buffer[:k]


def _exact_difference(x: np.ndarray, shift: np.ndarray, d: np.ndarray, lo: np.ndarray, tmp: np.ndarray) -> None:
    """``lo`` = the rounding error of ``d = fl(x - shift)`` (Knuth's TwoSum), 0 where ``x`` is infinite.

    With it ``exp(x - shift) = exp(d) (1 + lo)``: without it, ``exp`` of a rounded
    difference of size ``|d|`` carries a relative error of ``|d| 2^-53``, hundreds of
    ulp at ``|d| ~ 700``.
    """
    np.add(d, shift, out=tmp)  # a' = d + shift
    np.subtract(d, tmp, out=lo)  # b' = d - a'
    np.subtract(x, tmp, out=tmp)  # x - a'
    np.add(lo, shift, out=lo)  # b' + shift
    np.subtract(tmp, lo, out=lo)  # the error
    # An infinite x makes the error NaN (inf - inf); it needs no correction. fmax/fmin
    # ignore NaN, so their sum maps NaN to 0 and keeps every finite error.
    np.fmax(lo, 0.0, out=tmp)
    np.fmin(lo, 0.0, out=lo)
    np.add(lo, tmp, out=lo)


def sum_entries(a: np.ndarray, axis: int) -> np.ndarray:
    """Per-row sums over ``axis`` (the entries' axis of a block), as float64, in an order
    that depends on the row alone, so that a row sums alike in every batch.

    Along the last axis NumPy sums each row pairwise whatever the number of rows. Along
    the first axis (a transposed block, at most ``TRANSPOSE_MAX_COLUMNS`` entries) NumPy
    would add a single row pairwise but several rows sequentially; the entries are added
    one at a time instead, in sequence, for every row at once.
    """
    if axis == 1:
        return a.sum(axis=1).astype(np.float64, copy=False)  # pragma: no mutate (None is float64; copy=: memory)
    total = a[0].astype(np.float64)  # pragma: no mutate (astype(None) is a float64 copy too)
    for entry in a[1:]:
        np.add(total, entry, out=total)
    return total


def sum_entries_precise(a: np.ndarray, axis: int) -> np.ndarray:
    """:func:`sum_entries` of float64 entries with more care.

    A float64 sum of n entries can be off by about n / 8 ulp (pairwise, 8 accumulators) or
    n ulp (in sequence), past logsumexp's 2-ulp budget at a few dozen entries. Along the
    last axis the entries are added in long double; along the first, in sequence with
    each addition's rounding error kept (TwoSum) and added at the end. Call it with
    floating-point errors ignored (``run_kernel`` does): an infinite or NaN entry leaves
    NaN in that error, and the total alone is then the sum.
    """
    if axis == 1:
        total = a.sum(axis=1, dtype=np.longdouble)
        return total.astype(np.float64)  # pragma: no mutate (astype(None) is float64 too)
    total = a[0].copy()
    error = np.zeros_like(total)
    new_total, virtual, tmp = np.empty_like(total), np.empty_like(total), np.empty_like(total)
    for entry in a[1:]:
        np.add(total, entry, out=new_total)
        np.subtract(new_total, total, out=virtual)  # the part of entry that went in
        np.subtract(new_total, virtual, out=tmp)  # the part of total that stayed
        np.subtract(total, tmp, out=tmp)
        error += tmp
        np.subtract(entry, virtual, out=tmp)
        error += tmp
        total, new_total = new_total, total
    return np.where(np.isfinite(total), total + error, total)


def shift_block(x: np.ndarray, scratch: Scratch) -> Shifted:
    """The shared first steps for the rows ``x`` (``(k, n)``, any float dtype).

    The sum ``t = sum_j exp(x_j - m)`` includes the max's term, exactly 1. Where
    ``t >= 2`` its log is accurate as it is; where ``t < 2`` (one entry dominates) the
    row is summed again without one max term and ``log_s = log1p(s)`` keeps full
    relative precision when ``s`` is tiny (``log_softmax([0, -40])[0] = -4.2e-18``).
    """
    k = x.shape[0]
    if scratch.transposed:
        xw = scratch.view(scratch.x, k)
        np.copyto(xw, x.T)
        axis = 0
        m = xw.max(axis=0)
    else:
        xw = x
        axis = 1
        m = x.max(axis=1)
    m = m.astype(np.float64, copy=False)  # pragma: no mutate (astype(None) is float64 too; copy= is memory)
    finite = np.isfinite(m)
    # A row with an infinite max (hard: overwritten by the caller's limit rules) or a NaN max (NaN
    # anyway) may take any finite shift: 1.0 for 0.0 changes no result. Work dtype: speed, see Scratch.
    shift = np.expand_dims(np.where(finite, m, 0.0).astype(scratch.work_dtype, copy=False), axis)  # pragma: no mutate
    d, e, lo, tmp = (scratch.view(b, k) for b in (scratch.d, scratch.e, scratch.lo, scratch.tmp))
    np.subtract(xw, shift, out=d)  # computed in the wider of xw and shift, the work dtype
    np.exp(d, out=e)
    if lo is not None:
        _exact_difference(xw, shift, d, lo, tmp)
        np.multiply(e, lo, out=tmp)
        np.add(e, tmp, out=e)
    # The exact (TwoSum) mode of logsumexp's float64 rows also sums with care; the losses trade that for speed.
    # (A mutant that sums with care everywhere changes no result beyond rounding: it is only slower.)
    add_up = sum_entries if lo is None else sum_entries_precise  # pragma: no mutate (see above)
    total = add_up(e, axis)
    log_s = np.log(total)
    # (Mutants that also send t = 2, t < 3 or the hard rows to log1p change no result: log1p(1) = log 2
    # exactly as log(2); for 2 < t < 3 both logs are within the budget; hard rows are overwritten.)
    dominated = np.flatnonzero(finite & (total < 2.0))  # pragma: no mutate (see above)
    if dominated.size:
        # exp(d) = 1 exactly where d = 0, and a dominated row (t < 2) has one such entry, its max:
        # drop it from the sum in place (no copy of the block) and put it back for the callers.
        at_max = d == 0  # a bool block, an eighth of the floats
        if scratch.transposed:
            # NumPy's argmax along the first axis runs a tiny loop per row; subtracting the 0/1 mask
            # and adding it back is exact (1 - 1 = 0, e - 0 = e) and costs less.
            np.subtract(e, at_max, out=e)
            rest = add_up(e, 0)[dominated]  # pragma: no mutate (an axis of None is summed as axis 0)
            np.add(e, at_max, out=e)
        else:
            # Along the last axis argmax is fast, and only the dominated rows are touched.
            at_top = (dominated, np.argmax(at_max, axis=1)[dominated])
            e[at_top] = 0.0
            rest = add_up(e, 1)[dominated]
            e[at_top] = 1.0
        total[dominated] = 1.0 + rest
        log_s[dominated] = np.log1p(rest)
    return Shifted(m, d, lo, e, total, log_s, np.isinf(m), axis, scratch.transposed)


def run_kernel(rows: np.ndarray, work_dtype: type, exact: bool,
               finish: Callable[[int, int, int, Shifted], None]) -> None:
    """Shift every block of ``rows`` and hand it to ``finish(index, start, stop, shifted)``.

    ``work_dtype`` is the dtype of ``d`` and ``e``; ``exact`` adds the TwoSum
    correction (float64 input only). Floating-point warnings are silenced: every
    overflow, 0 * inf or inf - inf in here is either the right answer or a hard row
    that ``finish`` overwrites.
    """
    n_rows, n = rows.shape
    per_block = block_rows(n_rows, n)
    local = threading.local()

    def work(index: int, start: int, stop: int) -> None:
        if getattr(local, "scratch", None) is None:  # pragma: no mutate (a new Scratch per block: same values)
            local.scratch = Scratch(n, min(per_block, n_rows), work_dtype, exact)
        with np.errstate(all="ignore"):
            finish(index, start, stop, shift_block(rows[start:stop], local.scratch))

    run_blocks(n_rows, per_block, n, work)


# --------------------------------------------------------------------------- logsumexp


# exp(1) and log(2), each as the sum of two float64 (about 106 bits).
_E_HI_LO = (2.718281828459045, 1.4456468917292502e-16)
_LN2_HI_LO = (0.6931471805599453, 2.3190468138462996e-17)


def _long_double_bits(exp=np.exp, log1p=np.log1p) -> int:
    """Mantissa bits that long double arithmetic *and* its ``exp`` and ``log1p`` deliver.

    The format alone does not tell: WebAssembly (Pyodide) has a 113-bit long double, but
    its C library (musl) computes the long double exp and log1p in float64, about 2**-54
    relative. Its nmant counts only where both functions are within 2**-60 of exp(1) and
    log(2); otherwise long double is worth float64's 52 bits. (The functions are
    parameters so that a test can hand in float64-only ones.)
    """
    nmant = int(np.finfo(np.longdouble).nmant)
    one = np.longdouble(1)
    for value, (hi, lo) in ((exp(one), _E_HI_LO), (log1p(one), _LN2_HI_LO)):
        reference = np.longdouble(hi) + np.longdouble(lo)
        bound = reference * 2.0**-60
        # No long double lies exactly the bound away (reference * (1 + 2**-60) needs about 60 bits more than
        # the format has), so <= and < agree.
        if not abs(value - reference) <= bound:  # pragma: no mutate (< and <= agree, see above)
            return min(nmant, int(np.finfo(np.float64).nmant))
    return nmant


# Condition number of the last addition m + log_s: kappa = (|m| + log_s) / |lse|. Up to
# _ILL_CONDITIONED[dtype] float64 work is enough for 2 ulp of the input's dtype; beyond it
# the row is recomputed in long double, and beyond _VERY_ILL_CONDITIONED in decimal. Where
# long double is no better than float64 (52 bits: 2**-3, below every kappa sent there),
# every such row goes to decimal.
_ILL_CONDITIONED = {np.dtype(np.float64): 1.5}
_ILL_CONDITIONED_NARROW = 2.0**20  # float32 and float16 inputs: 29 or more spare bits
_VERY_ILL_CONDITIONED = 2.0 ** (_long_double_bits() - 55)


def _lse_extended(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(lse, kappa)`` of a few rows in long double: max + log1p(sum of the other terms)."""
    x = rows.astype(np.longdouble)
    arange = np.arange(x.shape[0])
    top = np.argmax(x, axis=1)
    m = x[arange, top]
    e = np.exp(x - m[:, None])
    e[arange, top] = 0
    log_s = np.log1p(e.sum(axis=1))
    lse = m + log_s
    kappa = (np.abs(m) + log_s) / np.abs(lse)
    return lse.astype(np.float64), kappa.astype(np.float64)  # pragma: no mutate (astype(None) is float64 too)


def _lse_decimal(row: np.ndarray) -> float:
    """log-sum-exp of one row in decimal arithmetic (floats convert to Decimal exactly;
    ``exp`` and ``ln`` are correctly rounded).

    For rows whose result nearly cancels to 0. At ``p`` digits the absolute error is
    below ``(|m| + log n) 10^(3-p)``; the precision doubles until that is below
    ``2^-60`` of the result, far under an ulp. (``log n``, not ``log_s``: rounding
    ``1 + s`` to ``p`` digits costs up to ``10^(1-p)`` however small ``s`` is, so for a
    tiny max such as ``[-1e-90, log(1e-90)]``, whose log-sum-exp is 7e-105, a bound
    scaled by ``log_s`` stopped at 40 digits and returned -1e-90.)
    """
    k = int(np.argmax(row))
    values = [decimal.Decimal(float(v)) for v in row]
    precision = 40  # pragma: no mutate (the first precision only decides how soon the loop ends)
    while True:
        # Any exponent range far beyond a float's (10**6 or 10**9) gives the same results.
        context = decimal.Context(prec=precision, Emin=-10**8, Emax=10**8)  # pragma: no mutate (see above)
        with decimal.localcontext(context):
            m = values[k]
            log_s = (1 + sum((v - m).exp() for j, v in enumerate(values) if j != k)).ln()
            result = m + log_s
            scale = abs(m) + decimal.Decimal(len(values)).ln()
            # The margins (10**3 and 2**-60, 7 bits below an ulp) are not sharp: other constants, or < for
            # <=, change no float result.
            bound = scale * decimal.Decimal(10) ** (3 - precision)  # pragma: no mutate (margin, see above)
            if bound <= abs(result) * decimal.Decimal(2) ** -60:  # pragma: no mutate (margin, see above)
                return float(result)
        precision *= 2  # pragma: no mutate (the factor only decides how soon the loop ends; see above)


def _lse_precise(rows: np.ndarray) -> np.ndarray:
    """log-sum-exp of rows whose last addition cancels: long double, then decimal."""
    lse, kappa = _lse_extended(rows)
    # At kappa = _VERY_ILL_CONDITIONED either path is far within the 2-ulp budget: <= and < agree. (NaN goes
    # to decimal.)
    within_long_double = kappa <= _VERY_ILL_CONDITIONED  # pragma: no mutate (< or <=: see above)
    for r in np.flatnonzero(~within_long_double):
        lse[r] = _lse_decimal(rows[r])
    return lse


def lse_rows(rows: np.ndarray) -> np.ndarray:
    """Accurate ``log(sum(exp(row)))`` of every row, as float64.

    ``m + log_s`` from :func:`shift_block` (float64 work, TwoSum for float64 input);
    rows where that addition cancels are recomputed by :func:`_lse_precise`.
    """
    n_rows, n = rows.shape
    out = np.empty(n_rows)  # float64, np.empty's default
    if n == 0:
        out.fill(-np.inf)
        return out
    threshold = _ILL_CONDITIONED.get(rows.dtype, _ILL_CONDITIONED_NARROW)

    def finish(index: int, start: int, stop: int, block: Shifted) -> None:
        lse = out[start:stop]
        # all -inf gives -inf + log(0) = -inf, NaN gives NaN; +inf is set explicitly
        # (its row may hold exp(inf) * 0 = NaN).
        np.add(block.m, block.log_s, out=lse)
        np.copyto(lse, block.m, where=block.m == np.inf)
        # (Mutants that send more finite rows to _lse_precise, | for & or >= for >, change no result beyond
        # the budget: the precise path is within 2 ulp of every row.)
        ill = np.isfinite(lse) & (np.abs(block.m) + block.log_s > threshold * np.abs(lse))  # pragma: no mutate
        if ill.any():
            lse[ill] = _lse_precise(rows[start:stop][ill])

    exact = rows.dtype == np.float64
    run_kernel(rows, np.float64, exact, finish)  # pragma: no mutate (a work dtype of None is float64 too)
    return out


# --------------------------------------------------------------------------- softmax family


def limit_log_softmax(rows: np.ndarray) -> np.ndarray:
    """log-softmax (float64) of rows whose max is +-inf, as the limit where it exists.

    A row with exactly one ``+inf`` is the limit of one logit growing without bound:
    0 there, ``-inf`` elsewhere. With several ``+inf`` the split between them is
    undefined (NaN there, ``-inf`` elsewhere). A row of only ``-inf`` is undefined (NaN).
    """
    at_inf = rows == np.inf
    count = at_inf.sum(axis=1, keepdims=True)
    out = np.where(at_inf, np.where(count == 1, 0.0, np.nan), -np.inf)
    out[count[:, 0] == 0] = np.nan  # pragma: no mutate (None stored in a float array is NaN too)
    return out


def softmax_rows(rows: np.ndarray, out: np.ndarray, log: bool) -> None:
    """Write softmax (``log=False``) or log-softmax (``log=True``) of ``rows`` into ``out``.

    log-softmax is ``(x_i - m) - log_s``: both terms are <= 0, so nothing cancels, and
    at the max it is ``-log_s`` to full relative precision. softmax is
    ``exp(x_i - m) / sum_j exp(x_j - m)``. float64 work, rounded once to ``out``.
    """
    n_rows, n = rows.shape
    if n == 0 or n_rows == 0:
        return

    def finish(index: int, start: int, stop: int, block: Shifted) -> None:
        # Every out= below only saves a buffer: a mutant without it computes the same values.
        if log:
            log_s = np.expand_dims(block.log_s, block.axis)
            if block.lo is None:
                result = np.subtract(block.d, log_s, out=block.d)  # pragma: no mutate (out=, see above)
            else:
                # (x - m) - log_s = d + (lo - log_s), d added last: one rounding of the result. Adding lo
                # to a rounded d - log_s would round twice (|lo| <= ulp(d) / 2 then only decides ties).
                lo_minus_log_s = np.subtract(block.lo, log_s, out=block.lo)  # pragma: no mutate (out=)
                result = np.add(block.d, lo_minus_log_s, out=block.d)  # pragma: no mutate (out=)
        else:
            total = np.expand_dims(block.total, block.axis)
            result = np.divide(block.e, total, out=block.e)  # pragma: no mutate (out=, see above)
        target = out[start:stop]
        result = result.T if block.transposed else result
        np.copyto(target, result, casting="same_kind")  # pragma: no mutate (same_kind is the default)
        if block.hard.any():
            limit = limit_log_softmax(rows[start:stop][block.hard])
            target[block.hard] = limit if log else np.exp(limit)

    exact = rows.dtype == np.float64
    run_kernel(rows, np.float64, exact, finish)  # pragma: no mutate (a work dtype of None is float64 too)
