"""Row-wise kernels behind the softmax family and the cross-entropy loss.

Private. Every kernel sees a 2-D C-contiguous array whose rows are the vectors
being reduced (the caller moves the reduced axes last). Rows are processed in
blocks of roughly :data:`BLOCK_BYTES` so that the scratch buffer stays in the
L2 cache, and large inputs are split between worker threads (NumPy releases the
GIL inside its loops). Peak extra memory is a few blocks per worker plus
O(rows) per-row results, never a copy of the input.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__: list[str] = []

BLOCK_BYTES = 192 * 1024
PARALLEL_MIN_ELEMENTS = 1 << 17

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def num_workers() -> int:
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        count = os.cpu_count() or 1
    return max(1, min(count, 8))


def _get_executor() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=num_workers(), thread_name_prefix="mathlib")
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


# Beyond this condition number (|max| + log1p(s)) / |lse| the float64 evaluation of
# max + log1p(s) may lose more than an ulp to cancellation: recompute in extended precision.
_ILL_CONDITIONED = {np.dtype(np.float32): 2.0**20, np.dtype(np.float64): 2.0}


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


def lse_rows(rows: np.ndarray) -> np.ndarray:
    """Accurate ``log(sum(exp(row)))`` of every row, as float64.

    With ``k`` the (first) argmax and ``s = sum_{j != k} exp(x_j - x_k)`` the result is
    ``x_k + log1p(s)``: the max term contributes exactly 1 and is never rounded into
    the sum. float32 input is evaluated in float64. Rows where the final addition
    cancels are recomputed in long double.
    """
    n_rows, n = rows.shape
    lse = np.empty(n_rows, dtype=np.float64)
    if n == 0:
        lse.fill(-np.inf)
        return lse
    max_out = np.empty(n_rows, dtype=np.float64)
    log1p_out = np.empty(n_rows, dtype=np.float64)
    block = rows_per_block(n, 8)

    def kernel(start: int, stop: int) -> None:
        scratch = np.empty((min(block, stop - start), n), dtype=np.float64)
        with np.errstate(all="ignore"):
            for a in range(start, stop, block):
                b = min(a + block, stop)
                x = rows[a:b]
                arange = np.arange(b - a)
                idx = np.argmax(x, axis=1)  # the first NaN if there is one
                m = x[arange, idx].astype(np.float64)
                shift = np.where(np.isfinite(m), m, 0.0)
                d = np.subtract(x, shift[:, None], out=scratch[: b - a], dtype=np.float64)
                np.exp(d, out=d)
                d[arange, idx] = 0.0
                log1p_s = np.log1p(d.sum(axis=1))
                max_out[a:b] = m
                log1p_out[a:b] = log1p_s
                # +inf max -> inf; all -inf -> -inf + 0; NaN -> NaN: all fall out of this sum.
                np.add(m, log1p_s, out=lse[a:b])

    run_rows(kernel, n_rows, n)
    threshold = _ILL_CONDITIONED.get(rows.dtype, 2.0)
    with np.errstate(all="ignore"):
        ill = np.isfinite(lse) & (np.abs(max_out) + log1p_out > threshold * np.abs(lse))
    if ill.any():
        lse[ill] = _lse_extended(rows[ill])
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

    log-softmax is ``(x_i - x_k) - log1p(s)`` with ``k`` the argmax and ``s`` the sum of
    the other ``exp(x_j - x_k)``: both terms are <= 0, so nothing cancels, and the
    entry of the max is ``-log1p(s)`` to full relative precision even when it is
    ~1e-18. softmax is ``exp(x_i - x_k) / (1 + s)``. float32 computes in float64.
    """
    n_rows, n = rows.shape
    if n == 0 or n_rows == 0:
        return
    block = rows_per_block(n, 8)
    special = np.zeros(n_rows, dtype=bool)

    def kernel(start: int, stop: int) -> None:
        scratch = np.empty((min(block, stop - start), n), dtype=np.float64)
        with np.errstate(all="ignore"):
            for a in range(start, stop, block):
                b = min(a + block, stop)
                x = rows[a:b]
                arange = np.arange(b - a)
                idx = np.argmax(x, axis=1)
                m = x[arange, idx].astype(np.float64)
                finite = np.isfinite(m)
                special[a:b] = ~finite & ~np.isnan(m)
                shift = np.where(finite, m, 0.0)
                d = np.subtract(x, shift[:, None], out=scratch[: b - a], dtype=np.float64)
                if log:
                    # log-softmax needs d itself after the sum of exps: keep it in out.
                    o = out[a:b]
                    if o.dtype == np.float64:
                        np.copyto(o, d)
                        e = d
                        np.exp(e, out=e)
                        e[arange, idx] = 0.0
                        log1p_s = np.log1p(e.sum(axis=1))
                        np.subtract(o, log1p_s[:, None], out=o)
                    else:
                        e = np.exp(d)
                        e[arange, idx] = 0.0
                        log1p_s = np.log1p(e.sum(axis=1))
                        np.subtract(d, log1p_s[:, None], out=d)
                        np.copyto(o, d, casting="same_kind")
                else:
                    np.exp(d, out=d)
                    total = d.sum(axis=1)
                    np.divide(d, total[:, None], out=d)
                    np.copyto(out[a:b], d, casting="same_kind")

    run_rows(kernel, n_rows, n)
    if special.any():
        out[special] = _limit_rows(rows[special], log)


# --------------------------------------------------------------------------- cross-entropy


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

    Every term is >= 0, so nothing cancels. Returns ``(nll, smooth, special)`` where
    ``special`` marks rows whose max is +-inf or whose smoothing term hit 0 * inf: the
    caller recomputes those from an explicit log-softmax.
    """
    n_rows, n = rows.shape
    dtype = rows.dtype
    nll = np.empty(n_rows, dtype=np.float64)
    smooth = np.empty(n_rows, dtype=np.float64) if need_smooth else None
    special = np.zeros(n_rows, dtype=bool)
    block = rows_per_block(n, dtype.itemsize)
    weight_sum = float(class_weight.sum(dtype=np.float64)) if class_weight is not None else float(n)
    weight_cast = class_weight.astype(dtype) if class_weight is not None else None

    def kernel(start: int, stop: int) -> None:
        scratch = np.empty((min(block, stop - start), n), dtype=dtype)
        with np.errstate(all="ignore"):
            for a in range(start, stop, block):
                b = min(a + block, stop)
                x = rows[a:b]
                m = x.max(axis=1)
                finite = np.isfinite(m)
                special[a:b] = ~finite & ~np.isnan(m)
                shift = np.where(finite, m, 0).astype(dtype, copy=False)
                d = np.subtract(x, shift[:, None], out=scratch[: b - a])
                if target is not None:
                    arange = np.arange(b - a)
                    # x_t - m in float64: exact for float32 input.
                    d_target = x[arange, target[a:b]].astype(np.float64) - shift
                    if need_smooth:
                        if weight_cast is None:
                            dot = d.sum(axis=1, dtype=np.float64)
                        else:
                            dot = (d @ weight_cast).astype(np.float64)
                        smooth_dot = dot
                else:
                    c = coef(a, b)
                    coef_sum = c.sum(axis=1, dtype=np.float64)
                    prod = np.multiply(c, d, where=c != 0, out=np.zeros(c.shape, dtype=np.result_type(c, d)))
                    coef_dot = prod.sum(axis=1, dtype=np.float64)
                np.exp(d, out=d)
                log_s = np.log(d.sum(axis=1, dtype=np.float64 if n < 64 else None).astype(np.float64))
                if target is not None:
                    nll[a:b] = log_s - d_target
                    if need_smooth:
                        smooth[a:b] = weight_sum * log_s - smooth_dot
                        special[a:b] |= np.isnan(smooth[a:b]) & ~np.isnan(m)
                else:
                    nll[a:b] = coef_sum * log_s - coef_dot

    run_rows(kernel, n_rows, n)
    return nll, smooth, special
