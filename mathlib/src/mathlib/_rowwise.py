"""Row-wise kernels behind the softmax family and the cross-entropy loss.

Private. Every kernel sees a 2-D C-contiguous array whose rows are the vectors
being reduced (the caller moves the reduced axes last). Rows are processed in
blocks (``BLOCK_BYTES`` for the loss, ``ACCURATE_BLOCK_BYTES`` per buffer for the
accurate kernels) small enough to stay in cache and large enough that the Python
overhead of a dozen NumPy calls per block (which holds the GIL) stays small; large
inputs are split between worker threads (NumPy releases the GIL inside its loops).
Peak extra memory is a few blocks per worker plus O(rows) per-row results, never
a copy of the input.
"""

from __future__ import annotations

import decimal
import math
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__: list[str] = []

BLOCK_BYTES = 1024 * 1024
PARALLEL_MIN_ELEMENTS = 1 << 17

_executor: ThreadPoolExecutor | None = None
_executor_pid = -1
_executor_lock = threading.Lock()


def num_workers() -> int:
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        count = os.cpu_count() or 1
    return max(1, min(count, 8))


def _get_executor() -> ThreadPoolExecutor:
    """The shared worker pool, created on first use (and again in a forked child,
    which inherits the pool object but not its threads)."""
    global _executor, _executor_pid
    with _executor_lock:
        if _executor is None or _executor_pid != os.getpid():
            _executor = ThreadPoolExecutor(max_workers=num_workers(), thread_name_prefix="mathlib")
            _executor_pid = os.getpid()
        return _executor


def rows_per_block(n_cols: int, itemsize: int) -> int:
    return max(1, BLOCK_BYTES // max(1, n_cols * itemsize))


def run_rows(kernel: Callable[[int, int], None], n_rows: int, n_cols: int) -> None:
    """Run ``kernel(start, stop)`` over a partition of ``range(n_rows)``.

    Large problems are cut into one contiguous chunk per worker thread; the kernel
    itself walks its chunk block by block. Exceptions propagate.
    """
    workers = num_workers()
    if workers == 1 or n_rows < 2 or n_rows * max(n_cols, 1) < PARALLEL_MIN_ELEMENTS:
        kernel(0, n_rows)
        return
    workers = min(workers, n_rows)
    bounds = [round(i * n_rows / workers) for i in range(workers + 1)]
    executor = _get_executor()
    futures = [executor.submit(kernel, a, b) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
    for future in futures:
        future.result()


# --------------------------------------------------------------------------- layout


def to_rows(arr: np.ndarray, axes: tuple[int, ...]) -> tuple[np.ndarray, tuple[int, ...], tuple[int, ...]]:
    """Move ``axes`` last and flatten: returns ``(rows, batch_shape, order)``.

    ``rows`` has shape ``(prod(batch_shape), prod(reduced dims))``; ``order`` is the
    axis permutation applied, for :func:`from_rows`.
    """
    other = [i for i in range(arr.ndim) if i not in axes]
    order = tuple(other) + tuple(axes)
    moved = arr.transpose(order) if order != tuple(range(arr.ndim)) else arr
    batch_shape = moved.shape[: len(other)]
    n = math.prod(moved.shape[len(other):])
    rows = np.ascontiguousarray(moved.reshape(math.prod(batch_shape), n))
    return rows, batch_shape, order


def from_rows(rows: np.ndarray, shape: tuple[int, ...], order: tuple[int, ...]) -> np.ndarray:
    """Inverse of :func:`to_rows` for an output of the input's shape ``shape``."""
    moved_shape = tuple(shape[i] for i in order)
    out = rows.reshape(moved_shape)
    if order != tuple(range(len(shape))):
        out = out.transpose(np.argsort(order))
    return out


# --------------------------------------------------------------------------- accurate lse


# Condition number of the final addition m + log1p(s): kappa = (|m| + log1p(s)) / |lse|.
# Up to _ILL_CONDITIONED[dtype] the working precision (float64) is enough for 2 ulp; up to
# _VERY_ILL_CONDITIONED long double (64-bit significand on x86) is; beyond, exact decimal.
_ILL_CONDITIONED = {np.dtype(np.float32): 2.0**20, np.dtype(np.float64): 1.5}
_VERY_ILL_CONDITIONED = 2.0**8
# Decimal costs ~50 us per element: at most this many elements per call take that path
# (beyond it those rows keep the long double value, absolute error <= 2^-62 (|max| + log n)).
EXACT_ELEMENT_BUDGET = 1 << 14


def _lse_extended(rows: np.ndarray) -> np.ndarray:
    """max + log1p(sum of the other exp(x - max)) in long double, for a few rows."""
    x = rows.astype(np.longdouble)
    arange = np.arange(x.shape[0])
    idx = np.argmax(x, axis=1)
    m = x[arange, idx]
    with np.errstate(all="ignore"):
        e = np.exp(x - m[:, None])
        e[arange, idx] = 0
        return (m + np.log1p(e.sum(axis=1))).astype(np.float64)


def _lse_decimal(row: np.ndarray) -> float:
    """log-sum-exp of one row in decimal arithmetic, correctly rounded to float64.

    For rows whose result is so close to 0 that even long double cancels (|lse| below
    ~|max| / 256). The precision doubles until two evaluations round to the same float.
    Floats convert to Decimal exactly; ``Decimal.exp`` and ``ln`` are correctly rounded.
    """
    k = int(np.argmax(row))
    values = [decimal.Decimal(float(v)) for v in row]
    previous = None
    precision = 40
    while True:
        with decimal.localcontext(decimal.Context(prec=precision, Emin=-10**8, Emax=10**8)):
            m = values[k]
            others = sum((v - m).exp() for j, v in enumerate(values) if j != k)
            result = float(m + (1 + others).ln())
        if result == previous or precision >= 3200:
            return result
        previous = result
        precision *= 2


ACCURATE_BLOCK_BYTES = 1024 * 1024

# Up to this many entries per row a block is transposed to (entries, rows) first: NumPy
# reduces over the leading axis of a contiguous array with SIMD, but over a short last
# axis it runs one tiny inner loop per row (about 4 ns per element instead of 0.3).
TRANSPOSE_MAX_COLUMNS = 64


def _shifted_exp(x: np.ndarray, shift: np.ndarray, d: np.ndarray, e: np.ndarray,
                 lo: np.ndarray | None, tmp: np.ndarray) -> None:
    """``d = fl(x - shift)``, ``e = exp(x - shift)`` with the difference taken exactly.

    ``shift`` broadcasts against ``x``. For float64 ``x`` the rounding error of the
    difference is recovered with Knuth's TwoSum into ``lo`` (``d + lo == x - shift``
    exactly) and folded into the exponential as ``exp(d) (1 + lo)``: without it,
    ``exp`` of a rounded difference of size ``|d|`` carries a relative error of
    ``|d| 2^-53``, hundreds of ulp at ``|d| ~ 700``. float32 input is widened to
    float64, where the difference is exact enough (``lo`` is None).
    """
    np.subtract(x, shift, out=d, dtype=np.float64)
    if lo is None:
        np.exp(d, out=e)
        return
    np.add(d, shift, out=tmp)  # a' = s - b
    np.subtract(d, tmp, out=lo)  # b' = s - a'
    np.subtract(x, tmp, out=tmp)  # da = a - a'
    np.add(lo, shift, out=lo)  # -(db) = b' - b
    np.subtract(tmp, lo, out=lo)  # err = da + db
    # An infinite x makes err NaN (inf - inf); it needs no correction. fmax/fmin ignore
    # NaN, so their sum maps NaN to 0 and keeps every finite err (faster than nan_to_num).
    np.fmax(lo, 0.0, out=tmp)
    np.fmin(lo, 0.0, out=lo)
    np.add(lo, tmp, out=lo)
    np.exp(d, out=e)
    np.multiply(e, lo, out=tmp)
    np.add(e, tmp, out=e)


class _AccurateBlocks:
    """Per-thread scratch and the shared first steps of the accurate row kernels.

    For a block of rows it computes, in float64, the row max ``m``, ``d = x - m``
    (plus its rounding error ``lo`` for float64 input), ``e = exp(x - m)`` and
    ``log1p(s)`` with ``s`` the sum of ``e`` over all entries but one maximum. The max
    entries are found as ``d == 0`` (a difference of floats is 0 only when they are
    equal): they are zeroed in ``e`` and ``count - 1`` is added back exactly, so the
    one term equal to 1 never enters a rounded sum. Short rows use the transposed
    layout ``(entries, rows)``; ``axis`` is the entries' axis.
    """

    def __init__(self, rows: np.ndarray, count: int) -> None:
        n = rows.shape[1]
        self.transpose = n <= TRANSPOSE_MAX_COLUMNS
        self.axis = 0 if self.transpose else 1
        shape = (n, count) if self.transpose else (count, n)
        self.x = np.empty(shape, dtype=np.float64) if self.transpose else None
        self.d, self.e, self.tmp = (np.empty(shape, dtype=np.float64) for _ in range(3))
        self.lo = np.empty(shape, dtype=np.float64) if rows.dtype == np.float64 else None
        self.zero = np.empty(shape, dtype=bool)

    def view(self, buffer: np.ndarray | None, k: int) -> np.ndarray | None:
        if buffer is None:
            return None
        return buffer[:, :k] if self.transpose else buffer[:k]

    def run(self, block: np.ndarray) -> tuple[np.ndarray, ...]:
        """Returns ``(m, log1p_s, d, lo, e)`` for ``block`` (rows, entries)."""
        k = block.shape[0]
        if self.transpose:
            x = self.view(self.x, k)
            np.copyto(x, block.T)
            m = x.max(axis=0)
            shift = np.where(np.isfinite(m), m, 0.0)
            shift_b = shift[None, :]
        else:
            x = block
            m = x.max(axis=1).astype(np.float64)
            shift = np.where(np.isfinite(m), m, 0.0)
            shift_b = shift[:, None]
        d, e, lo, tmp, zero = (self.view(b, k) for b in (self.d, self.e, self.lo, self.tmp, self.zero))
        _shifted_exp(x, shift_b, d, e, lo, tmp)
        np.equal(d, 0.0, out=zero)
        n = zero.shape[self.axis]
        ties = zero.view(np.uint8).sum(axis=self.axis, dtype=np.uint8 if n < 256 else np.intp)
        np.subtract(e, zero, out=e)  # the max entries hold exp(0) = 1 exactly: now 0
        # All -inf rows have no zero: s = -1 and log1p gives -inf, as lse needs.
        log1p_s = np.log1p(e.sum(axis=self.axis) + (ties - 1.0))
        return m, log1p_s, d, lo, e


def _block_rows(n: int) -> int:
    return max(1, ACCURATE_BLOCK_BYTES // (8 * n))


def lse_rows(rows: np.ndarray) -> np.ndarray:
    """Accurate ``log(sum(exp(row)))`` of every row, as float64.

    With ``m`` the max and ``s`` the sum of ``exp(x_j - m)`` over all entries but one
    maximum, the result is ``m + log1p(s)``: the max's term, exactly 1, never enters a
    rounded sum, and each ``x_j - m`` is exact (see ``_shifted_exp``). float32 input
    is evaluated in float64. Rows where the final addition cancels are recomputed in
    long double, and rows where it nearly cancels to 0 in decimal arithmetic.
    """
    n_rows, n = rows.shape
    lse = np.empty(n_rows, dtype=np.float64)
    if n == 0:
        lse.fill(-np.inf)
        return lse
    max_out = np.empty(n_rows, dtype=np.float64)
    log1p_out = np.empty(n_rows, dtype=np.float64)
    block = _block_rows(n)

    def kernel(start: int, stop: int) -> None:
        blocks = _AccurateBlocks(rows, min(block, stop - start))
        with np.errstate(all="ignore"):
            for a in range(start, stop, block):
                b = min(a + block, stop)
                m, log1p_s, *_ = blocks.run(rows[a:b])
                max_out[a:b] = m
                log1p_out[a:b] = log1p_s
                # all -inf -> -inf + -inf and NaN -> NaN fall out of this sum; +inf is set
                # explicitly (its row may hold exp(finite) = inf times a zero correction = NaN).
                np.add(m, log1p_s, out=lse[a:b])
                np.copyto(lse[a:b], m, where=m == np.inf)

    run_rows(kernel, n_rows, n)
    threshold = _ILL_CONDITIONED.get(rows.dtype, 2.0)
    with np.errstate(all="ignore"):
        ill = np.isfinite(lse) & (np.abs(max_out) + log1p_out > threshold * np.abs(lse))
    if ill.any():
        lse[ill] = _lse_extended(rows[ill])
        with np.errstate(all="ignore"):
            very_ill = ill & (np.abs(max_out) + log1p_out > _VERY_ILL_CONDITIONED * np.abs(lse))
        very_ill_rows = np.flatnonzero(very_ill)  # rare: rows whose lse nearly cancels to 0
        if very_ill_rows.size * n <= EXACT_ELEMENT_BUDGET:
            for r in very_ill_rows:
                lse[r] = _lse_decimal(rows[r])
    return lse


# --------------------------------------------------------------------------- softmax family


def _limit_rows(rows: np.ndarray, log: bool) -> np.ndarray:
    """(log-)softmax of rows whose max is +-inf, as the limit where it exists.

    A row with exactly one ``+inf`` is the limit of one logit growing without bound:
    softmax is one-hot there. With several ``+inf`` the split between them is
    undefined (NaN there, 0 elsewhere). A row of only ``-inf`` is undefined (NaN).
    """
    pos = rows == np.inf
    count = pos.sum(axis=1, keepdims=True)
    at_inf = np.where(count == 1, 0.0 if log else 1.0, np.nan)
    out = np.where(pos, at_inf, -np.inf if log else 0.0)
    out[count[:, 0] == 0] = np.nan
    return out


def softmax_rows(rows: np.ndarray, out: np.ndarray, log: bool) -> None:
    """Write softmax (``log=False``) or log-softmax (``log=True``) of ``rows`` into ``out``.

    log-softmax is ``(x_i - m) - log1p(s)`` with ``s`` as in ``lse_rows``: both terms
    are <= 0, so nothing cancels, and the entry of the max is ``-log1p(s)`` to full
    relative precision even when it is ~1e-18. softmax is ``exp(x_i - m) / sum_j
    exp(x_j - m)``. Differences are exact (see ``_shifted_exp``); float32 computes in
    float64 and rounds once.
    """
    n_rows, n = rows.shape
    if n == 0 or n_rows == 0:
        return
    block = _block_rows(n)
    special = np.zeros(n_rows, dtype=bool)

    def kernel(start: int, stop: int) -> None:
        blocks = _AccurateBlocks(rows, min(block, stop - start))
        axis = blocks.axis
        with np.errstate(all="ignore"):
            for a in range(start, stop, block):
                b = min(a + block, stop)
                m, log1p_s, d, lo, e = blocks.run(rows[a:b])
                special[a:b] = np.isinf(m)
                if log:
                    result = np.subtract(d, np.expand_dims(log1p_s, axis), out=d)
                    if lo is not None:
                        np.add(result, lo, out=result)
                else:
                    # e lost its max entries to the sum above; exp(0) = 1 restores them.
                    np.copyto(e, 1.0, where=blocks.view(blocks.zero, b - a))
                    total = e.sum(axis=axis)
                    result = np.divide(e, np.expand_dims(total, axis), out=e)
                np.copyto(out[a:b], result.T if blocks.transpose else result, casting="same_kind")

    run_rows(kernel, n_rows, n)
    if special.any():
        out[special] = _limit_rows(rows[special], log)


# --------------------------------------------------------------------------- cross-entropy


def _unshifted_nll_rows(rows: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``nll_i = log sum_c exp(x_ic) - x_{i t_i}`` without the max shift, where that is exact.

    For ordinary logits ``exp(x)`` neither overflows nor underflows, and then the
    max-shift only costs two passes (the max and the subtraction) and rounds
    ``x - m``. Each row is checked instead: it is returned in ``redo`` unless its sum
    ``s`` is finite and large enough that the terms lost to underflow (each below the
    smallest subnormal, at most ``n`` of them) are negligible, and ``log s - x_t``
    loses at most two bits to cancellation. Those rows, and rows with NaN or
    infinite logits, take the shifted path. ``exp`` and the sums run in the input's
    dtype, ``log s`` and the result in float64.
    """
    n_rows, n = rows.shape
    dtype = rows.dtype
    info = np.finfo(dtype)
    smallest_safe_sum = max(float(info.tiny) * 2.0**40, n * float(info.smallest_subnormal) * 2.0**64)
    nll = np.empty(n_rows, dtype=np.float64)
    redo = np.zeros(n_rows, dtype=bool)
    block = rows_per_block(n, dtype.itemsize)
    transpose = n <= TRANSPOSE_MAX_COLUMNS

    def kernel(start: int, stop: int) -> None:
        count = min(block, stop - start)
        scratch = np.empty((n, count) if transpose else (count, n), dtype=dtype)
        with np.errstate(all="ignore"):
            for a in range(start, stop, block):
                b = min(a + block, stop)
                k = b - a
                x = rows[a:b]
                if transpose:
                    e = np.exp(x.T, out=scratch[:, :k])
                    s = e.sum(axis=0, dtype=np.float64)
                else:
                    e = np.exp(x, out=scratch[:k])
                    s = e.sum(axis=1).astype(np.float64)
                log_s = np.log(s)
                target_logit = x[np.arange(k), target[a:b]].astype(np.float64)
                np.subtract(log_s, target_logit, out=nll[a:b])
                # Redo rows outside the safe range, and rows where log s - x_t cancels (a
                # small loss next to large logits) by more than two bits.
                redo[a:b] = ~((s >= smallest_safe_sum) & (s < np.inf)
                              & (4.0 * nll[a:b] >= np.abs(log_s) + np.abs(target_logit)))

    run_rows(kernel, n_rows, n)
    return nll, redo


def cross_entropy_rows(
    rows: np.ndarray,
    target: np.ndarray | None,
    coef: Callable[[int, int], np.ndarray] | None,
    class_weight: np.ndarray | None,
    need_smooth: bool,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Per-row pieces of the cross-entropy loss, without forming log_softmax.

    With ``m`` the row max, ``d = x - m`` and ``log s = log sum exp(d)``
    (so ``lse = m + log s``):

    * index targets (``target`` given): ``nll_i = log s_i - d_{i, t_i}``, and if
      ``need_smooth``, ``smooth_i = -sum_c w_c log_softmax_ic = W log s_i - sum_c w_c d_ic``.
    * probability targets (``coef(a, b)`` gives the rows' ``w_c y_ic``):
      ``nll_i = sum_c coef_ic (log s_i - d_ic)``, terms with ``coef = 0`` being 0.

    Every term is >= 0, so nothing cancels. ``exp`` and the class sums run in the
    input's dtype (float32 stays float32: SIMD and half the memory traffic); ``log s``,
    ``d_t`` and everything per row are float64. Returns ``(nll, smooth, special)``
    where ``special`` marks rows whose max is +-inf or whose smoothing term hit
    0 * inf: the caller recomputes those from an explicit log-softmax.
    """
    n_rows, n = rows.shape
    if target is not None and not need_smooth:
        nll, redo = _unshifted_nll_rows(rows, target)
        special = np.zeros(n_rows, dtype=bool)
        if redo.any():
            nll[redo], _, special[redo] = _shifted_cross_entropy_rows(rows[redo], target[redo], None, class_weight,
                                                                      False)
        return nll, None, special
    return _shifted_cross_entropy_rows(rows, target, coef, class_weight, need_smooth)


def _shifted_cross_entropy_rows(
    rows: np.ndarray,
    target: np.ndarray | None,
    coef: Callable[[int, int], np.ndarray] | None,
    class_weight: np.ndarray | None,
    need_smooth: bool,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """The max-shifted computation behind :func:`cross_entropy_rows` (any logits)."""
    n_rows, n = rows.shape
    dtype = rows.dtype
    nll = np.empty(n_rows, dtype=np.float64)
    smooth = np.empty(n_rows, dtype=np.float64) if need_smooth else None
    special = np.zeros(n_rows, dtype=bool)
    block = rows_per_block(n, dtype.itemsize)
    transpose = n <= TRANSPOSE_MAX_COLUMNS
    weight_sum = float(class_weight.sum(dtype=np.float64)) if class_weight is not None else float(n)
    weight_cast = class_weight.astype(dtype) if class_weight is not None else None
    class_axis = 0 if transpose else 1

    def kernel(start: int, stop: int) -> None:
        count = min(block, stop - start)
        scratch = np.empty((n, count) if transpose else (count, n), dtype=dtype)
        is_max = np.empty(scratch.shape, dtype=bool)
        with np.errstate(all="ignore"):
            for a in range(start, stop, block):
                b = min(a + block, stop)
                k = b - a
                x = rows[a:b]
                zero = is_max[:, :k] if transpose else is_max[:k]
                if transpose:
                    d = scratch[:, :k]
                    np.copyto(d, x.T)
                    m = d.max(axis=0)
                else:
                    d = scratch[:k]
                    m = x.max(axis=1)
                finite = np.isfinite(m)
                special[a:b] = ~finite & ~np.isnan(m)
                shift = np.where(finite, m, 0).astype(dtype, copy=False)
                if transpose:
                    np.subtract(d, shift, out=d)
                else:
                    np.subtract(x, shift[:, None], out=d)
                if target is not None:
                    # x_t - m in float64: exact for float32 input.
                    d_target = x[np.arange(k), target[a:b]].astype(np.float64) - shift
                    if need_smooth:
                        if weight_cast is None:
                            smooth_dot = d.sum(axis=class_axis, dtype=np.float64)
                        else:
                            smooth_dot = (weight_cast @ d if transpose else d @ weight_cast).astype(np.float64)
                else:
                    c = coef(a, b)
                    if transpose:
                        c = c.T
                    coef_sum = c.sum(axis=class_axis, dtype=np.float64)
                    prod = np.multiply(c, d, where=c != 0, out=np.zeros(c.shape, dtype=np.float64))
                    coef_dot = prod.sum(axis=class_axis)
                # log s = log1p(s') with s' the sum without one max term (exactly 1): keeps
                # a loss near 0 (a confident right prediction) to full relative precision.
                np.equal(d, 0, out=zero)
                ties = zero.view(np.uint8).sum(axis=class_axis, dtype=np.uint8 if n < 256 else np.intp)
                np.exp(d, out=d)
                np.subtract(d, zero, out=d)
                others = d.sum(axis=class_axis, dtype=np.float64 if transpose else None).astype(np.float64)
                log_s = np.log1p(others + (ties - 1.0))
                if target is not None:
                    np.subtract(log_s, d_target, out=nll[a:b])
                    if need_smooth:
                        smooth[a:b] = weight_sum * log_s - smooth_dot
                        special[a:b] |= np.isnan(smooth[a:b]) & ~np.isnan(m)
                else:
                    nll[a:b] = coef_sum * log_s - coef_dot

    run_rows(kernel, n_rows, n)
    return nll, smooth, special
