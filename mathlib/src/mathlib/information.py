"""Information measures of discrete distributions: entropy, cross-entropy, KL, JS, mutual information."""

from __future__ import annotations

import math
import threading
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from . import _rowwise
from ._validation import (
    ignore_underflow,
    as_real_array,
    broadcast_pair,
    check_1d_nonempty,
    check_in_range,
    check_joint_table,
    check_probabilities,
    float_dtype,
    log_of_base,
    pair_axis,
    scalar_or_array,
    to_base,
)

__all__ = [
    "self_information",
    "entropy",
    "cross_entropy",
    "kl_divergence",
    "js_divergence",
    "joint_entropy",
    "conditional_entropy",
    "mutual_information",
    "information_gain",
]


# --------------------------------------------------------------------------- private terms


def _p_log_q(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Elementwise ``p log q`` in float64 with ``0 log q = 0`` (also for ``q = 0``)."""
    p = p.astype(np.float64, copy=False)  # pragma: no mutate (astype(None) is float64; the copy is only read)
    q = q.astype(np.float64, copy=False)  # pragma: no mutate (astype(None) is float64; the copy is only read)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = p * np.log(q)
    terms[p == 0] = 0.0
    return terms


# _log_ratio takes log(p / q) as log1p((p - q) / q) from this ratio up.
_LOG1P_FROM = 0.5
# _far_kl_terms takes log(p / q) as log p - log q below this log ratio (a ratio below the normal range).
_LOG_TINY = math.log(np.finfo(np.float64).tiny)


def _log_ratio(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Elementwise ``log(p / q)`` in float64, accurate when ``p ~ q``; meaningless where ``p = 0``.

    ``p > 0 = q`` gives ``+inf``. For ``p / q >= 1/2`` the log is
    ``log1p((p - q) / q)``, where ``p - q`` is exact (Sterbenz), so the result keeps
    its relative precision as ``p -> q``; below that it is ``log(p / q)``. Ratios that
    over- or underflow fall back to ``log p - log q``.
    """
    p = p.astype(np.float64, copy=False)  # pragma: no mutate (astype(None) is float64; the copy is only read)
    q = q.astype(np.float64, copy=False)  # pragma: no mutate (astype(None) is float64; the copy is only read)
    # A ratio past the float range is recomputed below (`extreme`); every caller already ignores both.
    with np.errstate(over="ignore", under="ignore"):  # pragma: no mutate (the callers ignore them too)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = p / q
            # float64 is np.empty's default; no caller passes a q with more entries than p.
            log_ratio = np.empty(np.broadcast_shapes(p.shape, q.shape), dtype=np.float64)  # pragma: no mutate
            low = ratio < _LOG1P_FROM  # pragma: no mutate (at a ratio of 1/2 both forms give -log 2)
            np.log(ratio, out=log_ratio, where=low)  # pragma: no mutate (log1p below overwrites the rest)
            np.log1p((p - q) / q, out=log_ratio, where=~low)
            # Both nonzero (they are >= 0): at a zero, log p - log q would give the -inf or +inf already there.
            extreme = np.logical_and(p, q) & ((ratio == np.inf) | (ratio < np.finfo(np.float64).tiny))
            if extreme.any():
                p_b, q_b = np.broadcast_arrays(p, q)
                log_ratio[extreme] = np.log(p_b[extreme]) - np.log(q_b[extreme])
    return log_ratio


def _p_log_ratio(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Elementwise ``p log(p / q)`` in float64: ``0 log(0 / q) = 0`` for every ``q``,
    ``p > 0 = q`` gives ``+inf`` (see ``_log_ratio``)."""
    p = p.astype(np.float64, copy=False)  # pragma: no mutate (astype(None) is float64; the copy is only read)
    log_ratio = _log_ratio(p, q)
    with np.errstate(invalid="ignore"):
        terms = p * log_ratio
    terms[np.broadcast_to(p == 0, terms.shape)] = 0.0
    return terms


# The Taylor coefficients of 2 h(z), h(z) = (artanh(t) - t) / t^3 = sum_k z^k / (2k + 3), z = t^2. For
# |t| <= 1/3 the terms left out change a KL term by less than 2^-53 of itself (see _kl_block).
_TWICE_ARTANH_TAIL = tuple(2.0 / (2 * k + 3) for k in range(15))


class _KLScratch:
    """One thread's float64 work arrays for blocks of up to ``count`` rows of ``n`` entries.

    Laid out as (entries, rows) when ``transposed``. Allocated once per call and thread: fresh
    arrays of a block's size for every block cost more in page faults than the arithmetic does.
    """

    def __init__(self, n: int, count: int, transposed: bool) -> None:
        self.transposed = transposed
        shape = (n, count) if transposed else (count, n)
        self.p, self.q, self.difference, self.t, self.z, self.terms, self.work, self.running = (
            np.empty(shape) for _ in range(8)
        )

    def view(self, buffer: np.ndarray, k: int) -> np.ndarray:
        """The part of ``buffer`` that holds a block of ``k`` rows."""
        return buffer[:, :k] if self.transposed else buffer[:k]


def _entries(a: np.ndarray, axis: int, part: slice | int) -> np.ndarray:
    """``a`` restricted to ``part`` of its entries, which lie along ``axis`` (0 or 1)."""
    return a[part] if axis == 0 else a[:, part]


def _running_sums(x: np.ndarray, axis: int, out: np.ndarray) -> np.ndarray:
    """The running sums of ``x`` along ``axis`` (0 or 1): each is one IEEE addition, in order.

    Along the leading axis (a transposed block, at most ``TRANSPOSE_MAX_COLUMNS`` entries)
    ``numpy.cumsum`` works column by column; one vector addition per entry is several times faster.
    """
    if axis == 1:
        np.cumsum(x, axis=1, out=out)
        return out
    out[0] = x[0]
    for k in range(1, x.shape[0]):
        np.add(out[k - 1], x[k], out=out[k])
    return out


def _accurate_sum(x: np.ndarray, axis: int, scratch: _KLScratch, k: int) -> np.ndarray:
    """Sums of ``x`` over ``axis`` (0 or 1), as accurate as if computed in twice the working precision.

    Sum2 of Ogita, Rump and Oishi: the running sums ``s_j = fl(s_(j-1) + x_j)``, the exact error of
    each addition by Knuth's TwoSum, and the sum of those errors added to the last running sum. The
    error is at most ``eps |sum x| + (n eps)^2 sum |x|``, where a plain sum can be off by
    ``n eps sum |x|``. Uses the ``running``, ``z`` and ``work`` arrays of ``scratch``.
    """
    if x.shape[axis] == 1:
        return x.sum(axis=axis)  # one entry: its sum is exact
    running = _running_sums(x, axis, scratch.view(scratch.running, k))
    later = slice(1, None)
    before = _entries(running, axis, slice(-1))
    after, addend = _entries(running, axis, later), _entries(x, axis, later)
    # TwoSum(before, addend), whose rounded sum is `after`: the error is
    # (before - before_part) + (addend - addend_part), with both differences and their sum exact.
    # Each step writes into a view of scratch and reads that view back, not the ufunc's return value.
    addend_part = _entries(scratch.view(scratch.z, k), axis, later)
    np.subtract(after, before, out=addend_part)
    before_part = _entries(scratch.view(scratch.work, k), axis, later)
    np.subtract(after, addend_part, out=before_part)
    errors = before_part  # each error in place of its before_part
    np.subtract(before, before_part, out=errors)
    np.subtract(addend, addend_part, out=addend_part)
    errors += addend_part
    return _entries(running, axis, -1) + _rowwise.sum_entries(errors, axis)


def _far_kl_terms(p: np.ndarray, q: np.ndarray, difference: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``p log(p / q) - (p - q)`` elementwise into ``out``, accurate where ``p / q`` is outside ``[1/2, 2]``.

    There ``|log(p / q)| >= log 2``, so the log of the rounded ratio keeps its relative precision,
    and the subtraction cancels by at most a factor of about 6 (at ``p / q = 2``). ``p = 0`` gives
    ``q`` (``0 log 0 = 0``) and ``p > 0 = q`` gives ``+inf``; a ratio that over- or underflows is
    taken as ``log p - log q``.
    """
    # Every step works in place in ``out``, which holds p / q, then log(p / q), then the terms.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        np.divide(p, q, out=out)
        np.log(out, out=out)
        # The ratio overflowed (or q = 0: +inf), underflowed below the normal range (or p = 0: -inf),
        # or is 0 / 0 (NaN). An underflowed ratio (p < tiny q) gains no visible digit from the fallback:
        # p log(p / q) is then below 1e-305 of the term's q - p, so at the boundary > and >= agree.
        normal = out > _LOG_TINY  # pragma: no mutate (> or >=: see above)
        extreme = ~normal | (out == np.inf)
        if extreme.any():
            # Both nonzero (they are >= 0): at a zero, log p - log q would give the -inf or +inf already there.
            extreme &= np.logical_and(p, q)
            out[extreme] = np.log(p[extreme]) - np.log(q[extreme])
        np.multiply(p, out, out=out)
    out -= difference
    np.copyto(out, q, where=p == 0)
    return out


def _kl_block(p: np.ndarray, q: np.ndarray, scratch: _KLScratch) -> np.ndarray:
    """``sum p log(p / q)`` of each row of a block, float64, accurate also as ``q -> p``.

    The sum is split as ``sum_i g_i + sum_i d_i`` with ``d_i = p_i - q_i`` and
    ``g_i = p_i log(p_i / q_i) - d_i = q_i phi(p_i / q_i) >= 0``, ``phi(r) = r log r - r + 1``. The
    terms ``p log(p / q)`` are ``O(d)`` of both signs and cancel to an ``O(d^2)`` divergence; the
    ``g_i`` do not cancel, and ``sum d_i = sum p - sum q`` (0 up to the rounding that the validation
    allows) is taken by ``_accurate_sum``, with an error far below ``eps`` times the divergence. The
    same floats ``d_i`` go into both sums, so where ``p - q`` is rounded its rounding cancels.

    Near ``p = q``, where ``q/2 <= p <= 2q``, ``d`` is exact (Sterbenz) and ``|t| <= 1/3`` for
    ``t = d / (p + q)``; there ``log(p / q) = 2 artanh(t)`` and ``2 p t - d = d t``, so
    ``g = d t + 2 p (artanh(t) - t) = t (d + p z 2h(z))``, ``z = t^2``, with ``2h`` the Taylor
    polynomial ``_TWICE_ARTANH_TAIL``. The other part, ``O(t^3)``, has the sign of ``t`` and is at
    most 1/6 of ``d t >= 0`` (1/12 where it is negative), so nothing cancels; the Taylor terms left
    out are below ``(12/11) (1 + t) |t| z^15 / (33 (1 - z)) < 2^-53`` of ``g``. Elsewhere ``g`` is
    ``_far_kl_terms``. ``p`` and ``q`` are float64 blocks in ``scratch``'s layout.
    """
    axis = 0 if scratch.transposed else 1
    k = p.shape[1 - axis]
    # Each step writes into a view of scratch and reads that view back, not the ufunc's return value.
    difference = scratch.view(scratch.difference, k)
    np.subtract(p, q, out=difference)
    total = scratch.view(scratch.z, k)
    np.add(p, q, out=total)
    t = scratch.view(scratch.t, k)
    with np.errstate(invalid="ignore"):
        np.divide(difference, total, out=t)
    both_zero = total == 0
    if both_zero.any():
        np.copyto(t, difference, where=both_zero)  # p = q = 0 contributes g = 0: t is 0 / 0, made p - q = 0
    z = total  # total is not needed again
    np.multiply(t, t, out=z)
    terms = scratch.view(scratch.terms, k)
    # Horner's rule, started from 0 rather than from the last coefficient: that one's exact value moves g by
    # less than 2^-53, so indexing it (-1 or -2) would be untestable. The extra multiplication costs little.
    terms.fill(0.0)
    for coefficient in _TWICE_ARTANH_TAIL[::-1]:
        terms *= z
        terms += coefficient
    terms *= z
    terms *= p
    terms += difference
    terms *= t
    work = scratch.view(scratch.work, k)
    np.multiply(q, 2.0, out=work)
    far = p > work  # pragma: no mutate (> or >=: at p = 2q, |t| = 1/3, both forms are accurate)
    np.multiply(p, 2.0, out=work)
    q_far = q > work  # pragma: no mutate (> or >=: as above)
    far |= q_far
    if far.any():
        np.copyto(terms, _far_kl_terms(p, q, difference, work), where=far)
    return _rowwise.sum_entries(terms, axis) + _accurate_sum(difference, axis, scratch, k)


def _kl_sums(p: np.ndarray, q: np.ndarray, axis: int) -> np.ndarray:
    """``sum p log(p / q)`` over ``axis`` of two arrays of one shape, as float64, in blocks of rows.

    Blocks of rows (``_rowwise.run_blocks``) keep the work arrays in the cache; each row's result
    depends on that row alone. Up to ``TRANSPOSE_MAX_COLUMNS`` entries a block is transposed to
    (entries, rows), so that the work along a short row runs across all the rows of the block at once.
    """
    p_rows, batch_shape, _ = _rowwise.to_rows(p, (axis % p.ndim,))
    q_rows, _, _ = _rowwise.to_rows(q, (axis % q.ndim,))
    n_rows, n = p_rows.shape
    out = np.empty(n_rows)  # float64
    per_block = _rowwise.block_rows(n_rows, n)
    # pragma reason: the layout only orders the additions (a row still sums alike in every batch); speed decides
    transposed = n <= _rowwise.TRANSPOSE_MAX_COLUMNS  # pragma: no mutate
    local = threading.local()

    def work(index: int, start: int, stop: int) -> None:
        try:
            scratch = local.scratch
        except AttributeError:  # this thread's first block
            scratch = local.scratch = _KLScratch(n, min(per_block, n_rows), transposed)

        def as_block(rows: np.ndarray, buffer: np.ndarray) -> np.ndarray:
            block = rows[start:stop]
            if not transposed and block.dtype == np.float64:
                return block
            target = scratch.view(buffer, stop - start)
            np.copyto(target, block.T if transposed else block)
            return target

        with ignore_underflow():  # a worker thread does not inherit the caller's error state
            out[start:stop] = _kl_block(as_block(p_rows, scratch.p), as_block(q_rows, scratch.q), scratch)

    _rowwise.run_blocks(n_rows, per_block, n, work)
    return out.reshape(batch_shape)


def _js_terms(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Elementwise ``p log(2p / (p + q)) + q log(2q / (p + q))`` in float64, ``>= 0``, accurate as ``p -> q``.

    With ``s = (p + q) / 2`` and ``t = (p - q) / (p + q)`` (so ``p = s(1 + t)``, ``q = s(1 - t)``) a term is
    ``s f(t)``, ``f(t) = (1 + t) log1p(t) + (1 - t) log1p(-t) = t^2 + t^4/6 + ...``. Its two halves are
    ``O(t)`` with opposite signs, so near ``t = 0`` it is evaluated as
    ``(p - q) artanh(t) + s log1p(-t^2)``: both parts are ``O(t^2)`` and the first is twice the result,
    so at most about a bit is lost; ``p - q`` is exact for ``|t| <= 1/3`` (Sterbenz). For ``|t| > 1/2`` the
    direct form does not cancel: the larger of ``p``, ``q`` contributes ``p log1p(t)`` (or ``q log1p(-t)``),
    the smaller ``y`` contributes ``y log(2y / (p + q))``, not ``y log1p(-|t|)``, which is ``0 * -inf``
    where ``y = 0`` (``0 log 0 = 0``: it contributes 0) and ``-inf`` where ``y > 0`` is so small that
    ``t`` rounds to ``+-1``. ``p = q = 0`` gives 0.
    """
    p, q = np.broadcast_arrays(  # pragma: no mutate (astype(None) is float64; the copies are only read)
        p.astype(np.float64, copy=False), q.astype(np.float64, copy=False)  # pragma: no mutate
    )
    total = p + q
    difference = p - q
    # pragma reason: out=None leaves t unset only where p = q = 0, whose term is 0 for any finite t
    t = np.divide(difference, total, out=np.zeros_like(total), where=total > 0)  # pragma: no mutate
    terms = np.zeros_like(t)
    # Also p = q = 0, where t = 0 and the term is 0. At |t| = 1/2 either form is accurate.
    near = np.abs(t) <= 0.5  # pragma: no mutate (<= or <)
    t_near = t[near]
    terms[near] = difference[near] * np.arctanh(t_near) + 0.5 * total[near] * np.log1p(-t_near * t_near)
    # Far apart: the larger of p, q as p log1p(t) (or q log1p(-t)); the smaller, y, as y log(2y / (p + q)),
    # which stays finite and accurate where t rounds to +-1 although y > 0, and is skipped where y = 0.
    p_larger = ~near & (t > 0)  # pragma: no mutate (t = 0 is near: > or >=)
    q_larger = ~near & (t < 0)  # pragma: no mutate (t = 0 is near: < or <=)
    terms[p_larger] = p[p_larger] * np.log1p(t[p_larger])
    terms[q_larger] = q[q_larger] * np.log1p(-t[q_larger])
    p_smaller = q_larger & (p > 0)
    q_smaller = p_larger & (q > 0)
    terms[p_smaller] += p[p_smaller] * np.log(2.0 * p[p_smaller] / total[p_smaller])
    terms[q_smaller] += q[q_smaller] * np.log(2.0 * q[q_smaller] / total[q_smaller])
    return terms


def _codes(values: np.ndarray, name: str) -> np.ndarray:
    """The index of each value among the sorted distinct values (``numpy.unique``)."""
    try:
        _, codes = np.unique(values, return_inverse=True)
    except TypeError:  # an object array whose values cannot be ordered (None next to 1)
        raise ValueError(
            f"{name} must hold values of one orderable kind (numbers, or strings); got {values.tolist()!r:.80}"
        ) from None
    return codes


def _finish(result: np.ndarray, dtype: np.dtype, log_base: float | None, low: float = 0.0,
            high: float | None = None) -> Any:
    """Clip rounding excursions outside ``[low, high]``, make a zero +0.0, convert base and dtype.

    The information quantities and the clipped divergences end here, so they share one rule for zero's sign."""
    result = np.clip(result, low, high) if high is not None else np.maximum(result, low)
    # On a tie of -0.0 with 0.0 the maximum may keep either (NumPy without SIMD, as in WebAssembly, keeps
    # -0.0); adding 0.0 makes every zero result +0.0.
    result = result + 0.0
    result = to_base(np.asarray(result), log_base)  # every caller's result is float64
    return scalar_or_array(np.asarray(result, dtype=dtype))


def _pair(p: ArrayLike, q: ArrayLike, axis: int) -> tuple[np.ndarray, np.ndarray, int, np.dtype]:
    p_arr = check_probabilities(p, "p", axis)
    q_arr = check_probabilities(q, "q", axis)
    ax = pair_axis(p_arr, q_arr, axis)
    dtype = float_dtype(p_arr, q_arr)
    p_b, q_b = broadcast_pair(p_arr, q_arr, ax, "p", "q")
    return p_b, q_b, ax, dtype


# --------------------------------------------------------------------------- public


def self_information(p: ArrayLike, base: float | None = None) -> np.ndarray | np.floating:
    """Self-information (surprisal) ``-log p`` of event probabilities, elementwise.

    Parameters
    ----------
    p : array_like
        Probabilities of individual events, each in ``[0, 1]`` (they need not sum to 1).
    base : float or None, optional
        Logarithm base: None for nats (default), 2 for bits.

    Returns
    -------
    ndarray or float
        ``-log p / log base``, same shape and floating dtype as ``p``;
        ``+inf`` where ``p = 0``.

    Raises
    ------
    ValueError
        If an entry of ``p`` is NaN or outside ``[0, 1]``, or ``base`` is invalid.

    Notes
    -----
    .. math:: I(p) = -\\log_b p .

    An impossible event (``p = 0``) is infinitely surprising: ``+inf``, without warning.

    Examples
    --------
    >>> from mathlib import self_information
    >>> self_information([1.0, 0.5, 0.25], base=2)
    array([0., 1., 2.])
    >>> float(self_information(0.0))
    inf
    """
    with ignore_underflow():
        arr = as_real_array(p, "p")
        arr = arr.astype(float_dtype(arr), copy=False)  # pragma: no mutate (arr is only read)
        check_in_range(arr, "p", 0.0, 1.0, "a probability in [0, 1]")
        log_base = log_of_base(base)
        wide = arr.astype(np.float64, copy=False)  # pragma: no mutate (astype(None) is float64; the copy is only read)
        with np.errstate(divide="ignore"):
            result = 0.0 - np.log(wide)  # +0, not -0, at p = 1
        result = np.asarray(to_base(result, log_base))
        return scalar_or_array(result.astype(arr.dtype, copy=False))  # pragma: no mutate (copy: result is new)


def entropy(p: ArrayLike, axis: int = -1, base: float | None = None) -> np.ndarray | np.floating:
    """Shannon entropy ``H(p) = -sum p log p`` of probability vectors along ``axis``.

    Parameters
    ----------
    p : array_like
        Probability vectors along ``axis``; other axes are a batch. Entries must be
        finite and non-negative and each vector must sum to 1 (see Notes).
    axis : int, optional
        Axis of the probability vectors. Default ``-1``.
    base : float or None, optional
        Logarithm base: None for nats (default), 2 for bits.

    Returns
    -------
    ndarray or float
        ``H(p) >= 0`` with the batch shape, in the floating dtype of ``p``.

    Raises
    ------
    ValueError
        If ``p`` has a negative, NaN or infinite entry, a vector that does not sum to
        1, an empty vector, or if ``base`` is invalid. The message names the row.

    Notes
    -----
    .. math:: H(p) = -\\sum_i p_i \\log p_i, \\qquad 0 \\log 0 = 0 .

    Evaluated in float64 with the convention ``0 log 0 = 0`` applied by masking
    (no warning). A vector is accepted when ``|sum p - 1| <= 16 eps sqrt(n)``, with
    ``eps`` the machine epsilon of its dtype and ``n`` its length; nothing is
    renormalized. Rounding can make the sum a hair negative when the true value is
    0; the result is clipped at 0.

    References
    ----------
    - C. E. Shannon, "A mathematical theory of communication",
      Bell System Technical Journal 27 (1948).
    - T. M. Cover and J. A. Thomas, Elements of Information Theory, 2nd ed.,
      Wiley (2006), ch. 2.

    Examples
    --------
    >>> from mathlib import entropy
    >>> float(entropy([0.5, 0.5], base=2))
    1.0
    >>> float(entropy([1.0, 0.0]))
    0.0
    >>> entropy([[0.25, 0.25, 0.25, 0.25], [0.5, 0.5, 0.0, 0.0]], base=2)
    array([2., 1.])
    """
    with ignore_underflow():
        arr = check_probabilities(p, "p", axis)
        log_base = log_of_base(base)
        result = -np.sum(_p_log_q(arr, arr), axis=axis)
        return _finish(result, arr.dtype, log_base)


def cross_entropy(p: ArrayLike, q: ArrayLike, axis: int = -1, base: float | None = None) -> np.ndarray | np.floating:
    """Cross-entropy ``H(p, q) = -sum p log q`` along ``axis``.

    Parameters
    ----------
    p : array_like
        Reference distribution(s): probability vectors along ``axis``.
    q : array_like
        Model distribution(s): probability vectors along ``axis``, of the same
        length as ``p``; the batch axes of ``p`` and ``q`` broadcast.
    axis : int, optional
        Axis of the probability vectors. Default ``-1``.
    base : float or None, optional
        Logarithm base: None for nats (default), 2 for bits.

    Returns
    -------
    ndarray or float
        ``H(p, q) >= 0`` with the broadcast batch shape; ``+inf`` where some
        ``p_i > 0`` has ``q_i = 0``.

    Raises
    ------
    ValueError
        If ``p`` or ``q`` is not a valid probability array (the message names the
        argument and the row), if their lengths along ``axis`` differ or their batch
        shapes do not broadcast, or if ``base`` is invalid.

    Notes
    -----
    .. math:: H(p, q) = -\\sum_i p_i \\log q_i = H(p) + \\mathrm{KL}(p \\,\\|\\, q).

    Terms with ``p_i = 0`` are 0 even where ``q_i = 0``; ``p_i > 0 = q_i`` gives
    ``+inf``. Evaluated in float64 by masking, without warnings. See
    ``entropy`` for the tolerance on the sums.

    Examples
    --------
    >>> from mathlib import cross_entropy
    >>> float(cross_entropy([0.5, 0.5], [0.5, 0.5], base=2))
    1.0
    >>> float(cross_entropy([1.0, 0.0], [0.25, 0.75], base=2))
    2.0
    >>> float(cross_entropy([0.5, 0.5], [1.0, 0.0]))
    inf
    """
    with ignore_underflow():
        p_b, q_b, ax, dtype = _pair(p, q, axis)
        log_base = log_of_base(base)
        result = -np.sum(_p_log_q(p_b, q_b), axis=ax)
        return _finish(result, dtype, log_base)


def kl_divergence(p: ArrayLike, q: ArrayLike, axis: int = -1, base: float | None = None) -> np.ndarray | np.floating:
    """Kullback-Leibler divergence ``KL(p || q) = sum p log(p / q)`` along ``axis``.

    Parameters
    ----------
    p : array_like
        Probability vectors along ``axis`` (the distribution the expectation is under).
    q : array_like
        Probability vectors along ``axis``, of the same length as ``p``; the batch
        axes of ``p`` and ``q`` broadcast.
    axis : int, optional
        Axis of the probability vectors. Default ``-1``.
    base : float or None, optional
        Logarithm base: None for nats (default), 2 for bits.

    Returns
    -------
    ndarray or float
        ``KL(p || q) >= 0`` with the broadcast batch shape; ``+inf`` where some
        ``p_i > 0`` has ``q_i = 0``.

    Raises
    ------
    ValueError
        If ``p`` or ``q`` is not a valid probability array (the message names the
        argument and the row), if their lengths along ``axis`` differ or their batch
        shapes do not broadcast, or if ``base`` is invalid.

    Notes
    -----
    .. math:: \\mathrm{KL}(p \\,\\|\\, q) = \\sum_i p_i \\log \\frac{p_i}{q_i},
              \\qquad 0 \\log \\frac{0}{q} = 0, \\quad p \\log \\frac{p}{0} = +\\infty .

    Computed directly, never as ``H(p, q) - H(p)``, which cancels catastrophically
    when ``p`` is close to ``q``. Nor are the terms ``p_i log(p_i / q_i)`` summed as
    they stand: near ``p = q`` they are ``O(p - q)`` of both signs and cancel to an
    ``O((p - q)^2)`` divergence. With :math:`\\phi(r) = r \\log r - r + 1 \\ge 0`,

    .. math:: \\mathrm{KL}(p \\,\\|\\, q) = \\sum_i q_i \\, \\phi(p_i / q_i)
              + \\Big(\\sum_i p_i - \\sum_i q_i\\Big),

    a sum of non-negative terms, which does not cancel, plus the difference of the
    sums, 0 for exact distributions, taken in twice the working precision (Sum2 of
    Ogita, Rump and Oishi over the ``p_i - q_i``). Where
    :math:`q_i / 2 \\le p_i \\le 2 q_i`, :math:`p_i - q_i` is exact (Sterbenz) and,
    with :math:`t_i = (p_i - q_i) / (p_i + q_i)`,

    .. math:: q_i \\, \\phi(p_i / q_i) = (p_i - q_i) \\, t_i
              + 2 p_i (\\operatorname{artanh} t_i - t_i),

    whose second part is :math:`O(t_i^3)`, at most 1/6 of the first (1/12 where it
    is negative), and is a Taylor polynomial in :math:`t_i^2` (no logarithm);
    elsewhere a term is :math:`p_i \\log(p_i / q_i) - (p_i - q_i)`, which cancels by
    at most a factor of about 6. Evaluated in float64, in blocks of rows.

    Accuracy: the result keeps its full relative precision as ``q -> p``, down to
    divergences far below ``eps``: within 8 ulp of a 300-bit mpmath reference for
    relative perturbations ``1e-2`` to ``1e-12`` (lengths 2 to ``10**4``), and within
    8 ulp for distributions far apart; float32 input gives the float64 result rounded
    once. The value is the sum above for the floats as given, which need not sum to
    exactly 1: their ``sum p - sum q`` (up to ``32 eps sqrt(n)`` within the
    validation's tolerance) is part of it and outweighs a divergence smaller than
    that. ``[0.5, 0.5]`` against ``[0.5 + 1e-9, 0.5 - 1e-9]``, whose second vector
    sums to ``1 - 2**-54`` once rounded, gives ``5.75e-17``, of which
    ``2**-54 = 5.55e-17`` is that difference. Only then can the sum be negative; it is
    clipped at 0 (Gibbs' inequality).

    References
    ----------
    - S. Kullback and R. A. Leibler, "On information and sufficiency",
      Annals of Mathematical Statistics 22 (1951).

    Examples
    --------
    >>> from mathlib import kl_divergence
    >>> float(kl_divergence([0.5, 0.5], [0.5, 0.5]))
    0.0
    >>> round(float(kl_divergence([0.75, 0.25], [0.5, 0.5], base=2)), 12)
    0.188721875541
    >>> float(kl_divergence([0.5, 0.5], [1.0, 0.0]))
    inf
    >>> # q - p = +-2**-30 exactly: KL = -log1p(-2**-58) / 2 = 2**-59 (1 + 2**-59 + ...)
    >>> float(kl_divergence([0.5, 0.5], [0.5 + 2**-30, 0.5 - 2**-30])) == 2.0**-59
    True
    """
    with ignore_underflow():
        p_b, q_b, ax, dtype = _pair(p, q, axis)
        log_base = log_of_base(base)
        result = _kl_sums(p_b, q_b, ax)
        return _finish(result, dtype, log_base)


def js_divergence(p: ArrayLike, q: ArrayLike, axis: int = -1, base: float | None = None) -> np.ndarray | np.floating:
    """Jensen-Shannon divergence (not its square root) along ``axis``.

    Parameters
    ----------
    p, q : array_like
        Probability vectors along ``axis``, of equal length; batch axes broadcast.
    axis : int, optional
        Axis of the probability vectors. Default ``-1``.
    base : float or None, optional
        Logarithm base: None for nats (default), 2 for bits.

    Returns
    -------
    ndarray or float
        The divergence, in ``[0, log 2]`` nats (``[0, 1]`` bits), with the broadcast
        batch shape. Always finite.

    Raises
    ------
    ValueError
        If ``p`` or ``q`` is not a valid probability array, if their lengths differ
        or their batch shapes do not broadcast, or if ``base`` is invalid.

    Notes
    -----
    .. math:: \\mathrm{JS}(p, q) = \\tfrac12 \\mathrm{KL}(p \\,\\|\\, m) + \\tfrac12 \\mathrm{KL}(q \\,\\|\\, m),
              \\qquad m = \\tfrac12 (p + q).

    Neither KL term is formed: each is a sum of ``O(p - q)`` terms that cancel to
    leave an ``O((p - q)^2)`` result, and the rounding of ``m`` alone is an
    absolute error of order ``eps``, so near ``p = q`` that form has no correct
    digit. With :math:`s_i = (p_i + q_i)/2` and
    :math:`t_i = (p_i - q_i)/(p_i + q_i)`, so that :math:`p_i = s_i(1 + t_i)` and
    :math:`q_i = s_i(1 - t_i)`,

    .. math:: \\begin{aligned}
              \\mathrm{JS}(p, q) &= \\tfrac12 \\sum_i s_i f(t_i), \\\\
              f(t) &= (1 + t)\\operatorname{log1p}(t) + (1 - t)\\operatorname{log1p}(-t)
              = t^2 + \\tfrac{t^4}{6} + \\dots \\ge 0,
              \\end{aligned}

    a sum of non-negative terms, which does not cancel. Each term is evaluated
    without cancellation: for ``|t| <= 1/2`` as
    :math:`(p_i - q_i)\\operatorname{artanh}(t_i) + s_i \\operatorname{log1p}(-t_i^2)`,
    two parts of order :math:`t^2` of which the first is twice the term, with
    :math:`p_i - q_i` exact near :math:`p_i = q_i` (Sterbenz); for ``|t| > 1/2``
    directly, as
    :math:`p_i \\log \\frac{2 p_i}{p_i + q_i} + q_i \\log \\frac{2 q_i}{p_i + q_i}`
    with the larger of the two logs as :math:`\\operatorname{log1p}(|t_i|)`. The
    result keeps its relative precision (a few ulp) as ``q -> p``, down to
    divergences far below ``eps``, until the terms reach the underflow range.
    ``0 log 0 = 0``: a zero ``p_i`` or ``q_i`` contributes nothing to its term, so
    disjoint supports give ``log 2``. Evaluated in float64, clipped to
    ``[0, log 2]``. This is the divergence itself;
    ``scipy.spatial.distance.jensenshannon`` returns its square root.

    References
    ----------
    - J. Lin, "Divergence measures based on the Shannon entropy",
      IEEE Transactions on Information Theory 37 (1991).

    Examples
    --------
    >>> from mathlib import js_divergence
    >>> float(js_divergence([1.0, 0.0], [0.0, 1.0], base=2))
    1.0
    >>> float(js_divergence([0.5, 0.5], [0.5, 0.5]))
    0.0
    """
    with ignore_underflow():
        p_b, q_b, ax, dtype = _pair(p, q, axis)
        log_base = log_of_base(base)
        result = 0.5 * np.sum(_js_terms(p_b, q_b), axis=ax)
        return _finish(result, dtype, log_base, high=math.log(2.0))


def joint_entropy(pxy: ArrayLike, base: float | None = None) -> np.floating:
    """Joint entropy ``H(X, Y)`` of a 2-D joint probability table.

    Parameters
    ----------
    pxy : array_like
        2-D table ``pxy[i, j] = P(X = x_i, Y = y_j)``: rows index ``X``, columns
        index ``Y``. Entries finite and non-negative, summing to 1 over the table.
    base : float or None, optional
        Logarithm base: None for nats (default), 2 for bits.

    Returns
    -------
    float
        ``H(X, Y) >= 0``, a NumPy scalar of the floating dtype of ``pxy``.

    Raises
    ------
    ValueError
        If ``pxy`` is not 2-D, is empty, has a negative, NaN or infinite entry, or
        does not sum to 1; or if ``base`` is invalid.

    Notes
    -----
    .. math:: H(X, Y) = -\\sum_{i, j} p(x_i, y_j) \\log p(x_i, y_j).

    The table is accepted when its total is within ``16 eps sqrt(size)`` of 1.

    Examples
    --------
    >>> from mathlib import joint_entropy
    >>> float(joint_entropy([[0.25, 0.25], [0.25, 0.25]], base=2))
    2.0
    """
    with ignore_underflow():
        table = check_joint_table(pxy, "pxy")
        log_base = log_of_base(base)
        result = -np.sum(_p_log_q(table, table))
        return _finish(np.asarray(result), table.dtype, log_base)


def conditional_entropy(pxy: ArrayLike, base: float | None = None) -> np.floating:
    """Conditional entropy ``H(Y | X)`` of a 2-D joint probability table.

    Parameters
    ----------
    pxy : array_like
        2-D table ``pxy[i, j] = P(X = x_i, Y = y_j)``: rows index ``X``, columns
        index ``Y``, summing to 1 over the table.
    base : float or None, optional
        Logarithm base: None for nats (default), 2 for bits.

    Returns
    -------
    float
        ``H(Y | X) >= 0``, a NumPy scalar of the floating dtype of ``pxy``.

    Raises
    ------
    ValueError
        If ``pxy`` is not a valid 2-D joint table, or ``base`` is invalid.

    Notes
    -----
    .. math:: \\begin{aligned}
              H(Y \\mid X) &= -\\sum_{i, j} p(x_i, y_j) \\log \\frac{p(x_i, y_j)}{p(x_i)}
              = H(X, Y) - H(X), \\\\
              p(x_i) &= \\sum_j p(x_i, y_j).
              \\end{aligned}

    Computed directly from the first form: every term is :math:`\\ge 0` (a rounded sum
    of non-negative numbers is at least each of them), so nothing cancels.
    ``H(X | Y)`` is ``conditional_entropy(pxy.T)``.

    Examples
    --------
    >>> import numpy as np
    >>> from mathlib import conditional_entropy
    >>> pxy = np.array([[0.25, 0.25], [0.5, 0.0]])
    >>> float(conditional_entropy(pxy, base=2))  # Y is a fair bit when X = 0, fixed when X = 1
    0.5
    """
    with ignore_underflow():
        table = check_joint_table(pxy, "pxy")
        log_base = log_of_base(base)
        px = table.astype(np.float64).sum(axis=1, keepdims=True)  # pragma: no mutate (astype(None) is float64)
        result = -np.sum(_p_log_ratio(table, px))
        return _finish(np.asarray(result), table.dtype, log_base)


def mutual_information(pxy: ArrayLike, base: float | None = None) -> np.floating:
    """Mutual information ``I(X; Y)`` of a 2-D joint probability table.

    Parameters
    ----------
    pxy : array_like
        2-D table ``pxy[i, j] = P(X = x_i, Y = y_j)``: rows index ``X``, columns
        index ``Y``, summing to 1 over the table.
    base : float or None, optional
        Logarithm base: None for nats (default), 2 for bits.

    Returns
    -------
    float
        ``I(X; Y) >= 0``, a NumPy scalar of the floating dtype of ``pxy``.

    Raises
    ------
    ValueError
        If ``pxy`` is not a valid 2-D joint table, or ``base`` is invalid.

    Notes
    -----
    .. math:: I(X; Y) = \\sum_{i, j} p(x_i, y_j) \\log \\frac{p(x_i, y_j)}{p(x_i)\\, p(y_j)}
              = \\mathrm{KL}\\big(p_{XY} \\,\\|\\, p_X \\otimes p_Y\\big).

    Computed directly as that KL divergence (see ``kl_divergence``), not as a
    difference of entropies, and clipped at 0; the ratio is taken as
    :math:`(p(x_i, y_j) / p(x_i)) / p(y_j)`, whose first quotient cannot underflow
    (:math:`p(x_i)\\, p(y_j)` can, for tiny marginals).

    Examples
    --------
    >>> from mathlib import mutual_information
    >>> float(mutual_information([[0.5, 0.0], [0.0, 0.5]], base=2))  # Y = X, a fair bit
    1.0
    >>> float(mutual_information([[0.25, 0.25], [0.25, 0.25]]))  # independent
    0.0
    """
    with ignore_underflow():
        table = check_joint_table(pxy, "pxy")
        log_base = log_of_base(base)
        wide = table.astype(np.float64)  # pragma: no mutate (astype(None) is float64)
        px = wide.sum(axis=1, keepdims=True)
        py = wide.sum(axis=0, keepdims=True)  # pragma: no mutate (a (n,) row broadcasts like (1, n))
        # The ratio as (p(x, y) / p(x)) / p(y): the quotient lies in [p(x, y), 1], so unlike p(x) p(y), which
        # underflows to 0 for p(x, y) = p(x) = p(y) = 1e-200 (an infinite term), it stays normal.
        with np.errstate(invalid="ignore"):  # 0 / 0 in an empty row, and 0 * -inf, both masked below
            conditional = wide / px
            terms = np.where(wide > 0, wide * _log_ratio(conditional, py), 0.0)
        result = np.sum(terms)
        return _finish(np.asarray(result), table.dtype, log_base)


def information_gain(labels: ArrayLike, groups: ArrayLike, base: float | None = None) -> np.floating:
    """Information gain of splitting ``labels`` into ``groups`` (decision-tree criterion).

    Parameters
    ----------
    labels : array_like
        1-D array of class labels (any discrete values: ints, strings, ...).
    groups : array_like
        1-D array of the same length: the group (branch) each sample is sent to.
    base : float or None, optional
        Logarithm base: None for nats (default), 2 for bits.

    Returns
    -------
    float
        The gain, ``>= 0`` and at most ``H(labels)``, as a float64 NumPy scalar.

    Raises
    ------
    ValueError
        If ``labels`` or ``groups`` is not 1-D or is empty, if their lengths differ,
        or if ``base`` is invalid.

    Notes
    -----
    With :math:`n_k` samples in group :math:`k` out of :math:`n`,

    .. math:: \\mathrm{IG} = H(\\text{labels}) - \\sum_k \\frac{n_k}{n} H(\\text{labels in group } k)
              = \\sum_{k, c} \\frac{n_{kc}}{n} \\log \\frac{n_{kc}\\, n}{n_k\\, n_c},

    the mutual information between label and group under the empirical
    distribution. It is computed from the contingency counts :math:`n_{kc}`
    (``numpy.unique`` then ``numpy.bincount``, no loop), directly in the second
    form: the log's argument minus 1 is an exact integer ratio, passed to ``log1p``.

    References
    ----------
    - J. R. Quinlan, "Induction of decision trees", Machine Learning 1 (1986).

    Examples
    --------
    >>> from mathlib import information_gain
    >>> labels = ["yes", "yes", "no", "no"]
    >>> float(information_gain(labels, [0, 0, 1, 1], base=2))  # a perfect split
    1.0
    >>> float(information_gain(labels, [0, 1, 0, 1], base=2))  # a useless split
    0.0
    """
    with ignore_underflow():
        label_arr = check_1d_nonempty(labels, "labels")
        group_arr = check_1d_nonempty(groups, "groups")
        if label_arr.shape != group_arr.shape:
            raise ValueError(
                f"labels and groups must have the same length; got {label_arr.shape[0]} and {group_arr.shape[0]}"
            )
        log_base = log_of_base(base)
        label_codes = _codes(label_arr, "labels")
        group_codes = _codes(group_arr, "groups")
        # np.bincount takes the platform's index type (32-bit in the browser edition); the counts are then
        # widened to int64, so that the products n_k n_c below are exact on every platform.
        # The codes of a 1-D array are 1-D: reshape(-1) only guards NumPy versions that shaped them otherwise.
        label_codes = label_codes.reshape(-1).astype(np.intp)  # pragma: no mutate (codes are 1-D)
        group_codes = group_codes.reshape(-1).astype(np.intp)  # pragma: no mutate (codes are 1-D)
        # An extra, empty label or group (+ 2) would add only zero terms.
        n_labels = int(label_codes.max()) + 1  # pragma: no mutate (an empty extra column adds nothing)
        n_groups = int(group_codes.max()) + 1  # pragma: no mutate (an empty extra row adds nothing)
        n = label_codes.size
        cells = group_codes * n_labels + label_codes
        # pragma reason: float64 counts are exact too until n^2 passes 2^53 (n ~ 10^8 samples, too slow to test)
        counts = np.bincount(cells, minlength=n_groups * n_labels).astype(np.int64)  # pragma: no mutate
        counts = counts.reshape(n_groups, n_labels)
        n_group = counts.sum(axis=1, keepdims=True)
        n_label = counts.sum(axis=0, keepdims=True)  # pragma: no mutate (a (L,) row broadcasts like (1, L))
        expected = n_group * n_label  # n_k n_c, exact in int64
        numerator = counts * n - expected  # n_kc n - n_k n_c, exact
        with np.errstate(divide="ignore", invalid="ignore"):
            log_ratio = np.log1p(numerator / expected)
            terms = np.where(counts > 0, counts / n * log_ratio, 0.0)
        result = np.asarray(np.sum(terms))
        entropy_labels = -np.sum(_p_log_q(n_label / n, n_label / n))
        float64 = np.dtype(np.float64)  # pragma: no mutate (np.dtype(None) and a dtype of None are float64)
        return _finish(
            result,
            float64,  # pragma: no mutate (a dtype of None is float64 too)
            log_base,
            high=float(entropy_labels),
        )
