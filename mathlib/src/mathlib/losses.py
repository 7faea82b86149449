"""Likelihood losses with ``torch.nn.functional`` semantics, validated and exact.

The class axis is the last axis: logits of shape ``(..., C)`` go with index targets of
shape ``(...)``. For ``(N, C)`` and ``(C,)`` inputs this is torch's layout; for more
dimensions torch puts the classes second (``(N, C, d1, ...)``) and mathlib does not.
"""

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
    check_bool,
    check_broadcast_to,
    check_class_targets,
    check_class_weight,
    check_in_range,
    check_integer_scalar,
    check_nonnegative_weight,
    check_probabilities,
    check_real_scalar,
    check_reduction,
    check_same_shape,
    compute_dtype,
    float_dtype,
    weak,
    scalar_or_array,
)

__all__ = [
    "nll_loss",
    "cross_entropy_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "mse_loss",
    "l1_loss",
    "gaussian_nll_loss",
    "poisson_nll_loss",
]

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
# Elements per block of binary_cross_entropy_with_logits: 1/_BCE_FRACTION of the input, within bounds (four
# scratch rows per thread: a small share of the input). Few blocks, as in _rowwise.block_rows: every block
# costs some Python under the GIL, and two threads with blocks of 2**15 elements were slower than torch.
_BCE_MIN_BLOCK, _BCE_MAX_BLOCK, _BCE_FRACTION = 1 << 15, 1 << 18, 64
# A float64 sum that overflows is redone with every term scaled by 2**-_SUM_SCALE (exact): fewer than
# 2**63 terms of at most 2**960 cannot overflow, and no term that matters against 2**1024 underflows.
_SUM_SCALE = 64  # pragma: no mutate (any exponent from 63 to about 900 does as well)


# --------------------------------------------------------------------------- private helpers


def _reduce(loss: np.ndarray, reduction: str, dtype: np.dtype, denominator: float | None = None,
            scale: int = 0) -> Any:
    """Apply ``reduction`` to per-element losses (float64), returning ``dtype``.

    Sums accumulate in float64 (pairwise), and one that overflows on the way is redone
    scaled (``_overflow_safe_sum``). ``"mean"`` divides by ``denominator`` (default:
    the number of elements) and multiplies by ``2**scale`` (the losses of weights
    scaled by ``2**-scale``); 0 / 0 is NaN, without warning.
    """
    # Overflow to inf (a float64 sum past 1.8e308, or a cast to float32) is the right
    # answer, as is NaN from inf - inf or 0 / 0: none of them may warn. (No division by
    # zero can occur: a zero denominator comes only with losses that are all 0 or NaN.)
    loss = np.asarray(loss)
    with np.errstate(over="ignore", invalid="ignore"):
        if reduction == "none":
            return scalar_or_array(np.asarray(loss, dtype=dtype))
        total, exponent = _overflow_safe_sum(loss)  # float64 pairwise: every caller's losses are float64
        if reduction == "sum":
            return dtype.type(np.ldexp(total, exponent))
        count = float(loss.size) if denominator is None else float(denominator)
        return dtype.type(np.ldexp(np.float64(total) / np.float64(count), exponent + scale))


def _overflow_safe_sum(values: np.ndarray) -> tuple[np.float64, int]:
    """The float64 sum of ``values`` as ``(total, exponent)``, the sum being ``total * 2**exponent``.

    The exponent is 0 unless the plain sum is not finite: then the sum is redone with
    every value scaled by ``2**-_SUM_SCALE``, so that a sum past the float64 maximum
    on the way (``1e308 + 1e308 - 1e308``, or finite losses whose mean is finite) is
    not lost to inf or NaN. An infinite or NaN value gives the same result either way.
    Call it with overflow and invalid ignored.
    """
    total = np.sum(values, dtype=np.float64)
    if np.isfinite(total):
        return total, 0
    # Only float64 values reach this line: a float32 block's float64 sum is finite unless a value is inf or
    # NaN, which then decides the result either way.
    return np.sum(np.ldexp(np.asarray(values, dtype=np.float64), -_SUM_SCALE)), _SUM_SCALE  # pragma: no mutate


def _scaled_weight(weight: np.ndarray | None) -> tuple[np.ndarray | None, int]:
    """``weight`` in float64 times ``2**-k``, and ``k``: the largest weight scaled to ``[1/2, 1)``.

    A power of two scales exactly (short of subnormal products), so a loss computed
    with the scaled weights is the loss times ``2**-k`` to the bit, and a ratio of two
    weighted sums is unchanged; but neither the sum of the weights nor a weight times
    a finite loss can overflow any more. ``k`` is 0 without weights or when all are 0
    (``frexp(0)`` is ``(0, 0)``).
    """
    if weight is None:
        return None, 0
    w64 = weight.astype(np.float64)  # pragma: no mutate (astype(None) is float64 too)
    # Not mutated (equivalent): initial=1.0 gives 0 weights the same k, and others another exact scale.
    exponent = int(np.frexp(np.max(w64, initial=0.0))[1])  # pragma: no mutate
    return np.ldexp(w64, -exponent), exponent


def _masked_product(a: np.ndarray, b: np.ndarray, zero_where: np.ndarray) -> np.ndarray:
    """``a * b`` in float64 with the entries where ``zero_where`` holds set to 0 (so 0 * inf is 0).

    The three arguments have one shape. Only an overflow can occur here: the zero
    entries, which alone could make 0 * inf, are skipped, and 0 * NaN raises nothing.
    (A caller whose nonzero entries may be infinite against a 0 silences that itself:
    poisson_nll_loss's infinite target at input 0.)
    """
    a, b = np.asarray(a), np.asarray(b)
    out = np.zeros(np.shape(zero_where))  # float64
    with np.errstate(over="ignore"):
        np.multiply(a, b, out=out, where=~zero_where)
    return out


def _weighted(weight: np.ndarray, value: np.ndarray) -> np.ndarray:
    """``weight * value`` where a zero weight gives 0 even against an infinite value, but
    never hides a NaN value (as in torch, a NaN input gives a NaN loss whatever its weight)."""
    weight, value = np.asarray(weight), np.asarray(value)
    return _masked_product(weight, value, (weight == 0) & ~np.isnan(value))


def _weighted_surprisal_sum(coef: np.ndarray, log_probs: np.ndarray) -> np.ndarray:
    """``-sum_c coef_c log_probs_c`` per row for limit log-probabilities (NaN where a split
    between several ``+inf`` logits is undefined, but known to lie in ``[-inf, 0]``).

    A zero coefficient gives 0. One ``+inf`` term makes the sum ``+inf`` whatever the
    undefined terms are, since each of them is ``>= 0``.
    """
    terms = _masked_product(coef, 0.0 - log_probs, coef == 0)
    return np.where((terms == np.inf).any(axis=1), np.inf, terms.sum(axis=1))  # rows: 2-D


def _logits_and_classes(logits: ArrayLike, name: str) -> tuple[np.ndarray, int]:
    arr = as_real_array(logits, name)
    if arr.ndim == 0:
        raise ValueError(f"{name} must have a class axis (the last axis); got a scalar")
    num_classes = arr.shape[-1]
    if num_classes == 0:
        raise ValueError(f"{name} has no classes (its last axis has length 0)")
    return arr, num_classes


def _index_target(target: ArrayLike, batch_shape: tuple[int, ...], input_name: str) -> np.ndarray:
    t = as_real_array(target, "target")
    if not np.issubdtype(t.dtype, np.integer):  # bool is not an integer dtype here
        raise ValueError(f"target must hold integer class indices; got dtype {t.dtype}")
    if t.shape != batch_shape:
        raise ValueError(
            f"target must have shape {batch_shape} ({input_name}.shape without the class axis); got {t.shape}"
        )
    return t


def _explicit_log_probs(rows: np.ndarray) -> np.ndarray:
    """Accurate log-softmax of a few rows (with the limit conventions for +-inf), float64."""
    out = np.empty(rows.shape, dtype=np.float64)  # pragma: no mutate (dtype=None is float64 too)
    _rowwise.softmax_rows(rows, out, log=True)
    return out


# --------------------------------------------------------------------------- public


def nll_loss(
    log_probs: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> np.ndarray | np.floating:
    """Negative log-likelihood loss of class-index targets, ``-log_probs[..., target]``.

    Parameters
    ----------
    log_probs : array_like
        Log-probabilities, shape ``(..., C)`` with the classes on the last axis
        (``(N, C)`` or ``(C,)`` as in torch). Typically ``log_softmax``
        of logits; the values are not checked.
    target : array_like of int
        Class indices, shape ``log_probs.shape[:-1]``; each in ``[0, C)`` or equal to
        ``ignore_index``.
    weight : array_like or None, optional
        Per-class weights, shape ``(C,)``, finite and non-negative. Default: all 1.
    ignore_index : int, optional
        Target value that contributes nothing (loss 0, and left out of the ``"mean"``
        denominator). Default ``-100``.
    reduction : str, optional
        ``"none"``, ``"mean"`` (default) or ``"sum"``.

    Returns
    -------
    ndarray or float
        Per-sample losses of shape ``target.shape`` for ``"none"``, else a scalar,
        in the floating dtype of ``log_probs`` (and ``weight``).

    Raises
    ------
    ValueError
        If ``target`` is not integer, has the wrong shape, or ``weight`` is not a
        finite non-negative ``(C,)`` array, or ``reduction`` is unknown.
    IndexError
        If a target is outside ``[0, C)`` and not ``ignore_index`` (the exception
        also derives from ValueError).

    Notes
    -----
    .. math:: \\ell_i = -w_{t_i}\\, \\log p_{i, t_i}, \\qquad
              \\text{mean} = \\frac{\\sum_i \\ell_i}{\\sum_{i:\\, t_i \\ne \\text{ignore}} w_{t_i}} .

    Ignored samples have :math:`\\ell_i = 0` and weight 0 in the denominator. If every
    target is ignored (or the batch is empty) ``"mean"`` is 0 / 0 = NaN and ``"sum"``
    is 0, as in torch, without warning. Sums accumulate in float64.

    For ``"mean"`` the weights are first scaled by the power of two that brings the
    largest into ``[1/2, 1)``, which is exact and cancels in the ratio, and a sum that
    overflows on the way is redone scaled: the mean, an average of the
    :math:`-\\log p_{i, t_i}`, is right however large the weights (``weight=[1e308, 1, 1]``
    gives ``log 3`` for log-probabilities ``log 1/3``; torch: NaN). A ``"sum"`` past
    the float64 maximum is ``inf``, without warning.

    Differences from ``torch.nn.functional.nll_loss``: inputs of more than two
    dimensions keep the classes last (torch: second); a target out of range raises
    the same way on every device; a weight must be finite and non-negative; a sample
    whose weight is 0 contributes 0 even when its log-probability is ``-inf``
    (torch: ``0 * inf = NaN``), but a NaN log-probability gives NaN whatever its weight
    (as in torch); an integer ``weight`` does not widen a float32 result.

    Positive log-probabilities are accepted, as the contract settles (torch accepts
    them too): ``nll_loss([[0.5, 2.0]], [0])`` is -0.5. A value above 0 is not the log
    of a probability, and a negative "loss" is what raw probabilities passed in place
    of log-probabilities give; the book's chapter on multiclass classification shows
    that mistake, so mathlib returns the number rather than refusing it.

    Examples
    --------
    >>> import numpy as np
    >>> from mathlib import nll_loss
    >>> log_probs = np.log([[0.5, 0.25, 0.25], [0.1, 0.1, 0.8]])
    >>> round(float(nll_loss(log_probs, [0, 2])), 12)  # mean of -log 0.5 and -log 0.8
    0.458145365937
    >>> round(float(nll_loss(log_probs, [0, 2], weight=[2.0, 1.0, 1.0])), 12)  # (2 log 2 - log 0.8) / 3
    0.536479304145
    >>> nll_loss(log_probs, [0, -100], reduction="none")
    array([0.69314718, 0.        ])
    """
    with ignore_underflow():
        arr, num_classes = _logits_and_classes(log_probs, "log_probs")
        t = _index_target(target, arr.shape[:-1], "log_probs")
        index = check_integer_scalar(ignore_index, "ignore_index")
        reduction = check_reduction(reduction)
        ignored = check_class_targets(t, num_classes, index)
        w = check_class_weight(weight, num_classes)
        dtype = float_dtype(arr, w)
        safe_target = t
        if ignored is not None:
            safe_target = np.where(ignored, 0, t)
        # Not mutated (equivalent): axis=-1 is take_along_axis's default, astype(None) is float64 too.
        picked = np.take_along_axis(arr, safe_target[..., None], axis=-1)[..., 0]  # pragma: no mutate
        picked = picked.astype(np.float64)  # pragma: no mutate
        w64 = None if w is None else w.astype(np.float64)  # pragma: no mutate
        if reduction == "mean":  # a ratio of weighted sums: the weights' scale cancels
            w64, _ = _scaled_weight(w)
        sample_weight = np.ones(t.shape) if w is None else w64[safe_target]
        loss = 0.0 - _weighted(sample_weight, picked)  # 0 - x: a zero loss is +0, not -0
        if ignored is not None:
            sample_weight[ignored] = 0.0
            loss[ignored] = 0.0
        # (only "mean" uses it: scaled weights, whose sum cannot overflow)
        denominator = float(np.sum(sample_weight)) if reduction == "mean" else None
        return _reduce(loss, reduction, dtype, denominator=denominator)


def cross_entropy_loss(
    logits: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> np.ndarray | np.floating:
    """Cross-entropy loss of logits, ``nll_loss(log_softmax(logits), target)``, fast and exact.

    Parameters
    ----------
    logits : array_like
        Unnormalized scores, shape ``(..., C)`` with the classes on the last axis
        (``(N, C)`` or ``(C,)`` as in torch). ``-inf`` masks a class.
    target : array_like
        Either integer class indices of shape ``logits.shape[:-1]`` (each in
        ``[0, C)`` or ``ignore_index``), or class probabilities of the same shape as
        ``logits`` (floating, rows summing to 1).
    weight : array_like or None, optional
        Per-class weights, shape ``(C,)``, finite and non-negative. Default: all 1.
    ignore_index : int, optional
        Index target that contributes nothing. Only for index targets. Default ``-100``.
    reduction : str, optional
        ``"none"``, ``"mean"`` (default) or ``"sum"``.
    label_smoothing : float, optional
        ``eps`` in ``[0, 1]``: the target becomes ``(1 - eps) * target + eps / C``.
        Default 0.

    Returns
    -------
    ndarray or float
        Per-sample losses of shape ``logits.shape[:-1]`` for ``"none"``, else a
        scalar, in the floating dtype of the inputs.

    Raises
    ------
    ValueError
        If ``target`` has neither form above (wrong shape, float indices, bool), if
        probability targets are negative, NaN or do not sum to 1 (the message names
        the row), if ``weight`` is not a finite non-negative ``(C,)`` array, if
        ``label_smoothing`` is outside ``[0, 1]``, if a non-default ``ignore_index``
        is given with probability targets, or if ``reduction`` is unknown.
    IndexError
        If an index target is outside ``[0, C)`` and not ``ignore_index`` (the
        exception also derives from ValueError).

    Notes
    -----
    With :math:`m_i = \\max_c x_{ic}`, :math:`d_{ic} = x_{ic} - m_i` and
    :math:`\\log s_i = \\log \\sum_c e^{d_{ic}}`, the log-softmax is
    :math:`\\log s_i - d_{ic}` negated. For index targets (weights :math:`w`,
    smoothing :math:`\\varepsilon`, :math:`W = \\sum_c w_c`):

    .. math:: \\ell_i = (1 - \\varepsilon)\\, w_{t_i} (\\log s_i - d_{i t_i})
              + \\frac{\\varepsilon}{C} \\Big(W \\log s_i - \\sum_c w_c d_{ic}\\Big),

    and ``"mean"`` divides :math:`\\sum_i \\ell_i` by :math:`\\sum_{i \\text{ not ignored}} w_{t_i}`
    (the count when unweighted), exactly as torch does, smoothing term included.
    The weights are scaled by the power of two that brings the largest into
    ``[1/2, 1)`` (exact; undone at the end), and sums that overflow on the way are
    redone scaled, so weights up to the float64 maximum give the right mean.
    For probability targets :math:`y` (after smoothing):

    .. math:: \\ell_i = -\\sum_c w_c\\, y_{ic} \\log \\operatorname{softmax}(x_i)_c ,

    with terms where :math:`w_c y_{ic} = 0` equal to 0, and ``"mean"`` divides by the
    number of samples (torch's rule for probability targets, weights or not).

    Numerical method: the full log-softmax is never formed. The rows go through the
    same blocked row kernel as ``log_softmax`` (blocks of about 1/128 of the logits, from
    :math:`2^{16}` to :math:`2^{19}` entries; one worker thread per core and at most eight;
    NumPy releases the GIL): per block the row max
    ``m_i``, ``d = x - m_i`` and ``exp(d)`` into two scratch buffers, the row sums, and
    the gathered target term (blocks of rows with at most 64 classes are laid out
    transposed, so that the sums run across rows with SIMD). Every row is shifted by
    its max, so shifted or scaled logits cost what ordinary ones do. Where one class
    dominates (the sum is below 2), :math:`\\log s_i` is ``log1p`` of the sum without
    one maximum's term, so that a loss near 0 (a confident right prediction) keeps its
    relative precision: ``[50, 10, 10]`` with target 0 gives
    :math:`8.4967 \\times 10^{-18}` (torch: 0). Rows with an infinite max take the limit
    rules above, inside their block, and so does a smoothing term that overflows for
    finite logits spanning nearly the float range (from the log-softmax, with
    :math:`\\varepsilon / C` in its coefficients). ``exp`` and the class sums run in the logits'
    dtype (float16 in float32); ``log s``, the target term and everything after are
    float64. With ``"mean"`` and ``"sum"`` each block is reduced as it is done, so the
    peak extra memory is a few blocks per thread, whatever N: never a copy of the
    logits, nor an array of per-sample losses.

    Conventions: integer ``weight`` does not widen a float32 result; a NaN logit gives
    a NaN loss even where its weight is 0 (as in torch), while an ignored target
    contributes 0 whatever its logits.

    Differences from ``torch.nn.functional.cross_entropy``:

    * inputs of more than two dimensions keep the classes last (torch: second);
    * probability targets are validated (non-negative, finite, rows summing to 1)
      instead of being used as given; float targets of index shape raise;
    * a non-default ``ignore_index`` with probability targets raises (torch ignores it);
    * where torch returns NaN for a defined value, mathlib returns the value: a
      class masked with ``-inf`` logit and zero target probability contributes 0
      (torch: ``0 * -inf``); a class with zero weight contributes 0 to the smoothing
      term even at ``-inf``; a row whose only ``+inf`` logit is the target has loss 0,
      and +inf when the target is another class;
    * undefined cases are NaN, without warning: a row of only ``-inf`` logits, or
      one whose target shares ``+inf`` with another class.

    References
    ----------
    - C. Szegedy et al., "Rethinking the Inception architecture for computer
      vision", CVPR (2016), section 7 (label smoothing).

    Examples
    --------
    >>> import numpy as np
    >>> from mathlib import cross_entropy_loss
    >>> logits = np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    >>> cross_entropy_loss(logits, [0, 1], reduction="none")
    array([0.23954477, 1.09861229])
    >>> soft = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    >>> bool(np.isclose(cross_entropy_loss(logits, soft), cross_entropy_loss(logits, [0, 1])))
    True
    >>> float(cross_entropy_loss([0.0, -np.inf], np.array([1.0, 0.0])))  # torch: nan
    0.0
    """
    with ignore_underflow():
        arr, num_classes = _logits_and_classes(logits, "logits")
        smoothing = check_real_scalar(label_smoothing, "label_smoothing", low=0.0, high=1.0)
        reduction = check_reduction(reduction)
        index = check_integer_scalar(ignore_index, "ignore_index")
        w = check_class_weight(weight, num_classes)
        t = as_real_array(target, "target")
        batch_shape = arr.shape[:-1]
        if np.issubdtype(t.dtype, np.integer):
            t = _index_target(t, batch_shape, "logits")
            return _cross_entropy_index(arr, t, w, index, reduction, smoothing, num_classes)
        if t.dtype.kind == "f" and t.shape == arr.shape:
            if index != -100:
                raise ValueError(
                    f"ignore_index={index} applies only to class-index targets; target holds class probabilities"
                )
            y = check_probabilities(t, "target")  # along the class axis, -1 (the default)
            return _cross_entropy_probs(arr, y, w, reduction, smoothing, num_classes)
        if t.dtype.kind == "f" and t.shape == batch_shape:
            raise ValueError(
                f"target of shape {t.shape} looks like class indices but has dtype {t.dtype}; "
                "use an integer dtype (or pass class probabilities of shape logits.shape)"
            )
        raise ValueError(
            f"target must be integer class indices of shape {batch_shape} or class probabilities of shape "
            f"{arr.shape}; got dtype {t.dtype} and shape {t.shape}"
        )


def _blockwise_loss(rows: np.ndarray, work_dtype: np.dtype, block_loss: Any, reduction: str,
                    dtype: np.dtype, batch_shape: tuple[int, ...], loss_scale: int,
                    denominator_scale: int = 0) -> Any:
    """Run the row kernel over ``rows`` and reduce the per-sample losses block by block.

    ``block_loss(start, stop, shifted)`` returns the float64 losses of rows
    ``start:stop`` and their share of the ``"mean"`` denominator, the true ones times
    ``2**-loss_scale`` and ``2**-denominator_scale`` (losses of scaled weights). With
    ``"mean"`` and ``"sum"`` only one sum per block is kept, never an array of
    per-sample losses.
    """
    keep = reduction == "none"
    if keep:  # (per_sample is only used when keep)
        per_sample = np.empty(rows.shape[0], dtype=dtype)
    n_blocks = -(-rows.shape[0] // _rowwise.block_rows(*rows.shape))
    sums = np.zeros(n_blocks)
    exponents = np.zeros(n_blocks, dtype=int)
    denominators = np.zeros(n_blocks)

    def finish(index: int, start: int, stop: int, shifted: _rowwise.Shifted) -> None:
        loss, denominator = block_loss(start, stop, shifted)
        if keep:
            # a float32 overflow to inf is the right answer
            per_sample[start:stop] = np.ldexp(loss, loss_scale)
        else:
            sums[index], exponents[index] = _overflow_safe_sum(loss)
            denominators[index] = denominator

    # Float64 work or the TwoSum correction would only be slower (and no less accurate).
    _rowwise.run_kernel(rows, work_dtype, False, finish)  # pragma: no mutate (speed only: see above)
    if keep:
        return scalar_or_array(per_sample.reshape(batch_shape))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if exponents.any():  # some block's sum overflowed: add them all scaled alike
            total, exponent = np.sum(np.ldexp(sums, exponents - _SUM_SCALE)), _SUM_SCALE
        else:
            total, exponent = _overflow_safe_sum(sums)
        if reduction == "sum":
            return dtype.type(np.ldexp(total, exponent + loss_scale))
        return dtype.type(np.ldexp(total / np.sum(denominators), exponent + loss_scale - denominator_scale))


def _logit_rows(arr: np.ndarray, dtype: np.dtype) -> tuple[np.ndarray, np.dtype]:
    """The logits as rows (a view when they are contiguous) and the kernel's work dtype."""
    num_classes = arr.shape[-1]
    rows = arr.reshape(-1, num_classes)  # pragma: no mutate (reshape(-2) is reshape(-1))
    if rows.dtype.kind != "f":
        rows = rows.astype(np.float64)  # pragma: no mutate (astype(None) is float64 too)
    return np.ascontiguousarray(rows), compute_dtype(dtype)  # pragma: no mutate (compute_dtype(None) is float64: slower)


def _cross_entropy_index(arr: np.ndarray, t: np.ndarray, w: np.ndarray | None, index: int, reduction: str,
                         smoothing: float, num_classes: int) -> Any:
    ignored_any = check_class_targets(t, num_classes, index) is not None
    dtype = float_dtype(arr, w)
    rows, work_dtype = _logit_rows(arr, dtype)
    target = t.reshape(-1)  # pragma: no mutate (reshape(-2) is reshape(-1))
    # Scaled weights: the losses and the "mean" denominator are 2**-scale times the true ones.
    class_weight, scale = _scaled_weight(w)
    # (Float64 weights in the smoothing dot would only be slower.)
    weight_work = None if class_weight is None else class_weight.astype(work_dtype)  # pragma: no mutate (speed)
    weight_sum = float(num_classes) if w is None else float(np.sum(class_weight))

    def block_loss(start: int, stop: int, shifted: _rowwise.Shifted) -> tuple[np.ndarray, float]:
        k = stop - start
        t_block = target[start:stop]
        ignored, t_safe = None, t_block
        if ignored_any:
            ignored = t_block == index
            t_safe = np.where(ignored, 0, t_block)
        columns = np.arange(k)
        d = shifted.d
        d_target = d[t_safe, columns] if shifted.transposed else d[columns, t_safe]
        nll = shifted.log_s - d_target  # float64: log_s is, and d_target converts to it exactly
        smooth = None
        redo = shifted.hard
        if smoothing > 0:
            weights = None if weight_work is None else np.expand_dims(weight_work, 1 - shifted.axis)
            dot = _rowwise.sum_entries(d if weights is None else d * weights, shifted.axis)
            smooth = weight_sum * shifted.log_s - dot
            # 0 * -inf in the weighted dot: a class of weight 0 masked with -inf.
            # (Redoing more rows through the explicit log-softmax would give the same losses, slower.)
            redo = redo | (np.isnan(smooth) & ~np.isnan(shifted.m))  # pragma: no mutate (speed only)
        if redo.any():
            log_probs = _explicit_log_probs(rows[start:stop][redo])
            nll[redo] = 0.0 - log_probs[np.arange(log_probs.shape[0]), t_safe[redo]]
            if smooth is not None:
                coef = np.ones(num_classes) if class_weight is None else class_weight
                smooth[redo] = _weighted_surprisal_sum(np.broadcast_to(coef, log_probs.shape), log_probs)
        sample_weight = np.ones(k) if class_weight is None else class_weight[t_safe]
        if smoothing == 0 and class_weight is None:
            loss = nll  # the general branch would multiply by ones: the same numbers, slower
        else:
            loss = _weighted((1.0 - smoothing) * sample_weight, nll)
        if smooth is not None:
            term = (smoothing / num_classes) * smooth
            past = np.flatnonzero(smooth == np.inf)
            if past.size:
                # Finite logits that span nearly the whole float range can take W log s - sum_c w_c d_c past
                # the float64 maximum where e / C times it is not: those rows put e / C in the coefficients.
                past = past[np.isfinite(rows[start:stop][past]).all(axis=1)]
                log_probs = _explicit_log_probs(rows[start:stop][past])
                coef = (smoothing / num_classes) * (np.ones(num_classes) if class_weight is None else class_weight)
                term[past] = _weighted_surprisal_sum(np.broadcast_to(coef, log_probs.shape), log_probs)
            loss = loss + term
        if ignored is not None:
            sample_weight[ignored] = 0.0
            loss[ignored] = 0.0
        return loss, float(np.sum(sample_weight))

    return _blockwise_loss(rows, work_dtype, block_loss, reduction, dtype, t.shape, scale, scale)


def _cross_entropy_probs(arr: np.ndarray, y: np.ndarray, w: np.ndarray | None, reduction: str, smoothing: float,
                         num_classes: int) -> Any:
    dtype = float_dtype(arr, y, w)
    rows, work_dtype = _logit_rows(arr, dtype)
    y_rows = y.reshape(-1, num_classes)  # pragma: no mutate (reshape(-2) is reshape(-1))
    class_weight, scale = _scaled_weight(w)  # the losses are 2**-scale times the true ones

    def block_loss(start: int, stop: int, shifted: _rowwise.Shifted) -> tuple[np.ndarray, float]:
        coef = y_rows[start:stop].astype(np.float64)  # pragma: no mutate (astype(None) is float64 too)
        if smoothing > 0:  # pragma: no mutate (>= 0: smoothing 0 leaves coef unchanged)
            coef = coef * (1.0 - smoothing) + smoothing / num_classes
        if class_weight is not None:
            coef = coef * class_weight
        laid_out = coef.T if shifted.transposed else coef
        products = np.multiply(laid_out, shifted.d, where=laid_out != 0, out=np.zeros(laid_out.shape))
        nll = coef.sum(axis=1) * shifted.log_s - _rowwise.sum_entries(products, shifted.axis)
        if shifted.hard.any():
            nll[shifted.hard] = _weighted_surprisal_sum(coef[shifted.hard],
                                                        _explicit_log_probs(rows[start:stop][shifted.hard]))
        return nll, float(stop - start)

    return _blockwise_loss(rows, work_dtype, block_loss, reduction, dtype, arr.shape[:-1], scale)


def binary_cross_entropy(
    probs: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    reduction: str = "mean",
) -> np.ndarray | np.floating:
    """Binary cross-entropy of probabilities, ``-(y log p + (1 - y) log(1 - p))``, exactly.

    Parameters
    ----------
    probs : array_like
        Predicted probabilities ``p``, each in ``[0, 1]``.
    target : array_like
        Targets ``y`` of the same shape, each in ``[0, 1]`` (soft labels allowed).
    weight : array_like or None, optional
        Per-element weights, finite and non-negative, broadcastable to ``probs.shape``.
    reduction : str, optional
        ``"none"``, ``"mean"`` (default) or ``"sum"``.

    Returns
    -------
    ndarray or float
        Losses of shape ``probs.shape`` for ``"none"``, else a scalar, in the
        floating dtype of the inputs; ``+inf`` where the prediction is certain and wrong.

    Raises
    ------
    ValueError
        If ``probs`` or ``target`` has an entry outside ``[0, 1]`` or NaN, if their
        shapes differ, if ``weight`` is negative, not finite or does not broadcast,
        or if ``reduction`` is unknown.

    Notes
    -----
    .. math:: \\ell = -w \\big(y \\log p + (1 - y) \\operatorname{log1p}(-p)\\big),
              \\qquad 0 \\log 0 = 0 .

    Terms with a zero coefficient are 0 (so ``p = 0, y = 0`` gives 0), ``p = 0,
    y = 1`` gives ``+inf``; ``log1p(-p)`` keeps ``log(1 - p)`` accurate for small
    ``p``. Evaluated in float64; ``"mean"`` divides by the number of elements, with
    the weights scaled by a power of two (exact, undone at the end) and sums that
    overflow on the way redone scaled: it is ``inf`` only when the mean is.

    Differences from ``torch.nn.functional.binary_cross_entropy``: no clamping
    (torch clamps each log at -100, so its loss never exceeds 100); out-of-range or
    NaN probabilities and targets raise; shapes must match exactly; an element of
    weight 0 contributes 0 even where its loss is infinite.

    Examples
    --------
    >>> from mathlib import binary_cross_entropy
    >>> binary_cross_entropy([0.5, 0.9, 0.0], [1.0, 1.0, 0.0], reduction="none")
    array([0.69314718, 0.10536052, 0.        ])
    >>> float(binary_cross_entropy([0.0], [1.0]))  # torch: 100
    inf
    """
    with ignore_underflow():
        p = as_real_array(probs, "probs")
        y = as_real_array(target, "target")
        check_same_shape(p, y, "probs", "target")
        reduction = check_reduction(reduction)
        w = None if weight is None else check_nonnegative_weight(weight, "weight")
        dtype = float_dtype(p, y, weak(weight, w))  # weak(None, None) is None
        check_in_range(p, "probs", 0.0, 1.0, "a probability in [0, 1]")
        check_in_range(y, "target", 0.0, 1.0, "in [0, 1]")
        P = np.asarray(p, dtype=np.float64)
        Y = np.asarray(y, dtype=np.float64)
        with np.errstate(divide="ignore"):
            log_p = np.log(P)
            log_not_p = np.log1p(-P)
        # 0 - (...) rather than -(...): a zero loss is +0, not -0.
        loss = 0.0 - (_masked_product(Y, log_p, Y == 0) + _masked_product(1.0 - Y, log_not_p, Y == 1))
        scale = 0
        if w is not None:
            if reduction == "mean":  # the mean of w l is 2**scale times that of (w 2**-scale) l
                w, scale = _scaled_weight(w)
            w_b = check_broadcast_to(w, p.shape, "weight", "probs")  # the product is float64
            loss = _masked_product(w_b, loss, w_b == 0)
        return _reduce(loss, reduction, dtype, scale=scale)


def binary_cross_entropy_with_logits(
    logits: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    pos_weight: ArrayLike | None = None,
    reduction: str = "mean",
) -> np.ndarray | np.floating:
    """Binary cross-entropy of logits, ``binary_cross_entropy(sigmoid(x), y)``, stable everywhere.

    Parameters
    ----------
    logits : array_like
        Logits ``x``, any real values including ``+-inf``.
    target : array_like
        Targets ``y`` of the same shape, each in ``[0, 1]``.
    weight : array_like or None, optional
        Per-element weights, finite and non-negative, broadcastable to ``logits.shape``.
    pos_weight : array_like or None, optional
        Weight of the positive term, finite and non-negative, broadcastable to
        ``logits.shape`` (a ``(C,)`` array weights each class of the last axis, as in torch).
    reduction : str, optional
        ``"none"``, ``"mean"`` (default) or ``"sum"``.

    Returns
    -------
    ndarray or float
        Losses of shape ``logits.shape`` for ``"none"``, else a scalar, in the
        floating dtype of the inputs.

    Raises
    ------
    ValueError
        If ``target`` has an entry outside ``[0, 1]`` or NaN, if the shapes of
        ``logits`` and ``target`` differ, if ``weight`` or ``pos_weight`` is negative,
        not finite or does not broadcast, or if ``reduction`` is unknown.

    Notes
    -----
    With :math:`\\operatorname{softplus}(z) = \\log(1 + e^z)` and positive weight :math:`\\rho`,

    .. math:: \\ell = w \\big(\\rho\\, y \\operatorname{softplus}(-x) + (1 - y) \\operatorname{softplus}(x)\\big),

    which equals torch's :math:`(1 - y) x + (1 + (\\rho - 1) y) \\operatorname{softplus}(-x)`
    (use :math:`\\operatorname{softplus}(x) = x + \\operatorname{softplus}(-x)`) but adds
    two non-negative terms instead of cancelling ``x`` against ``softplus``. Each
    softplus is :math:`\\max(z, 0) + \\operatorname{log1p}(e^{-|x|})`, sharing one
    exponential; terms with a zero coefficient are 0, so ``x = +inf, y = 1`` and
    ``x = -inf, y = 0`` give 0 and ``x = +inf, y = 0`` gives ``+inf``. Evaluated in
    the inputs' floating dtype, in blocks of 1/64 of the input (from :math:`2^{15}` to
    :math:`2^{18}` elements) split between threads (one per core, at most eight);
    float32 builds ``log1p`` from SIMD ``exp`` and ``log`` by Goldberg's identity
    (within a few ulp of the float64 result). With ``"mean"`` or ``"sum"``
    no per-element array is kept: block sums accumulate in float64 (redone scaled
    when they overflow on the way, so the mean of finite losses is finite), while
    each element's loss is evaluated in the inputs' dtype: one past its range is
    ``inf``, and so is the mean, as in torch.

    Differences from ``torch.nn.functional.binary_cross_entropy_with_logits``:
    torch returns NaN at ``x = -inf, y = 0`` (``-inf + inf``) and at ``x = +inf``
    with ``y = 1`` for some paths; mathlib returns the limits. Targets outside
    ``[0, 1]`` and negative weights raise; shapes must match exactly.

    Examples
    --------
    >>> import numpy as np
    >>> from mathlib import binary_cross_entropy_with_logits
    >>> x = np.array([0.0, np.inf, -np.inf, np.inf])
    >>> y = np.array([1.0, 1.0, 0.0, 0.0])
    >>> binary_cross_entropy_with_logits(x, y, reduction="none")
    array([0.69314718, 0.        , 0.        ,        inf])
    >>> float(binary_cross_entropy_with_logits([1000.0], [0.0]))
    1000.0
    """
    with ignore_underflow():
        x = as_real_array(logits, "logits")
        y = as_real_array(target, "target")
        check_same_shape(x, y, "logits", "target")
        reduction = check_reduction(reduction)
        w = None if weight is None else check_nonnegative_weight(weight, "weight")
        rho = None if pos_weight is None else check_nonnegative_weight(pos_weight, "pos_weight")
        dtype = float_dtype(x, y, weak(weight, w), weak(pos_weight, rho))  # weak(None, None) is None
        work_dtype = compute_dtype(dtype)
        check_in_range(y, "target", 0.0, 1.0, "in [0, 1]")
        w_b = None if w is None else check_broadcast_to(w, x.shape, "weight", "logits")
        rho_b = None if rho is None else check_broadcast_to(rho, x.shape, "pos_weight", "logits")
        # Contiguous flat views; broadcast weights are materialized (a copy only when broadcast).
        # Not mutated (equivalent): reshape(-2) is reshape(-1); an unused loss buffer, a float64 default
        # dtype or a scratch reallocated per block change nothing but memory.
        x_flat = np.ascontiguousarray(x).reshape(-1)  # pragma: no mutate
        y_flat = np.ascontiguousarray(y).reshape(-1)  # pragma: no mutate
        w_flat = None if w_b is None else np.ascontiguousarray(w_b).reshape(-1)  # pragma: no mutate
        rho_flat = None if rho_b is None else np.ascontiguousarray(rho_b).reshape(-1)  # pragma: no mutate
        keep = reduction == "none"
        loss = np.empty(x.shape, dtype=dtype) if keep else None  # pragma: no mutate
        loss_flat = None if loss is None else loss.reshape(-1)  # pragma: no mutate
        per_block = min(max(x_flat.size // _BCE_FRACTION, _BCE_MIN_BLOCK), _BCE_MAX_BLOCK)  # pragma: no mutate (block size: speed; the grouping only rounds the sum)
        n_blocks = -(-x_flat.size // per_block)
        block_sums = np.zeros(n_blocks, dtype=np.float64)  # pragma: no mutate
        block_exponents = np.zeros(n_blocks, dtype=int)
        local = threading.local()

        def work(index: int, start: int, stop: int) -> None:
            if getattr(local, "scratch", None) is None:  # pragma: no mutate
                local.scratch = np.empty((4, min(per_block, x_flat.size)), dtype=work_dtype)
            a, b = start * per_block, min(stop * per_block, x_flat.size)
            with np.errstate(all="ignore"):
                out = _bce_logits_block(x_flat[a:b], y_flat[a:b], None if rho_flat is None else rho_flat[a:b],
                                        None if w_flat is None else w_flat[a:b], local.scratch[:, : b - a])
                if keep:
                    loss_flat[a:b] = out  # a float32 overflow to inf is the right answer
                else:
                    block_sums[index], block_exponents[index] = _overflow_safe_sum(out)

        # One "row" per block of elements: each thread takes whole blocks, each block sum is written once.
        _rowwise.run_blocks(n_blocks, 1, per_block, work)
        if keep:
            return scalar_or_array(loss)
        # invalid: 0 / 0 for an empty batch (the only division by zero: a non-empty batch has size >= 1)
        with np.errstate(over="ignore", invalid="ignore"):
            if block_exponents.any():  # some block's sum overflowed: add them all scaled alike
                total, exponent = np.sum(np.ldexp(block_sums, block_exponents - _SUM_SCALE)), _SUM_SCALE
            else:
                total, exponent = _overflow_safe_sum(block_sums)
            if reduction == "sum":
                return dtype.type(np.ldexp(total, exponent))
            return dtype.type(np.ldexp(total / np.float64(x_flat.size), exponent))


def _bce_logits_block(x: np.ndarray, y: np.ndarray, rho: np.ndarray | None, w: np.ndarray | None,
                      scratch: np.ndarray) -> np.ndarray:
    """``w (rho y softplus(-x) + (1 - y) softplus(x))`` for one block, in ``scratch.dtype``.

    ``softplus(+-x) = max(+-x, 0) + log1p(exp(-|x|))`` share one exponential. float64
    uses ``log1p``; float32 uses Goldberg's identity ``log1p(e) = log(u) e / (u - 1)``
    with ``u = fl(1 + e)`` (``e`` itself where ``u = 1``), accurate to a few ulp and
    built from NumPy's SIMD ``exp`` and ``log`` (its float32 ``log1p`` is scalar and
    six times slower). All temporaries live in the four rows of ``scratch``.
    """
    log_term, softplus_pos, softplus_neg, tmp = scratch
    dtype = scratch.dtype
    one = dtype.type(1)
    np.abs(x, out=tmp, dtype=dtype)
    np.negative(tmp, out=tmp)
    e = np.exp(tmp, out=tmp)  # pragma: no mutate (a new array instead of tmp changes only memory)
    # Both branches are accurate to a few ulp in either dtype; the choice is speed.
    if dtype == np.float64:  # pragma: no mutate
        np.log1p(e, out=log_term)
    else:
        np.add(e, one, out=softplus_pos)  # u
        np.log(softplus_pos, out=log_term)
        np.subtract(softplus_pos, one, out=softplus_pos)  # u - 1
        tiny = softplus_pos == 0  # e below eps / 2: log1p(e) = e to working precision
        np.divide(e, softplus_pos, out=softplus_pos)
        np.multiply(log_term, softplus_pos, out=log_term)
        np.copyto(log_term, e, where=tiny)
    np.maximum(x, 0, out=softplus_pos, dtype=dtype)  # pragma: no mutate (max(x, 0) is exact in any dtype)
    np.subtract(softplus_pos, x, out=softplus_neg, dtype=dtype)  # max(-x, 0), exactly
    softplus_pos += log_term
    softplus_neg += log_term
    # Coefficients: rho y on softplus(-x), 1 - y on softplus(x).
    np.multiply(softplus_neg, y, out=softplus_neg, dtype=dtype)  # pragma: no mutate (y <= dtype: same loop)
    if rho is not None:
        np.multiply(softplus_neg, rho, out=softplus_neg, dtype=dtype)
    np.subtract(one, y, out=tmp, dtype=dtype)  # pragma: no mutate (one is a dtype scalar: same loop)
    np.multiply(softplus_pos, tmp, out=softplus_pos)
    if np.isinf(x).any():
        # softplus(-x) is 0 at x = +inf and inf at x = -inf (max(x, 0) - x gave inf - inf
        # there); a term with a zero coefficient is 0 even against inf.
        pos_coef = y if rho is None else y * rho
        softplus_neg[x == np.inf] = 0
        softplus_neg[(x == -np.inf) & (pos_coef != 0)] = np.inf  # pragma: no mutate (0 - -inf is inf already)
        softplus_neg[pos_coef == 0] = 0
        softplus_pos[tmp == 0] = 0
    out = np.add(softplus_neg, softplus_pos, out=log_term)  # pragma: no mutate (a new array: only memory)
    if w is not None:
        np.multiply(out, w, out=out, dtype=dtype)
        zero_weight = w == 0
        if zero_weight.any():
            out[zero_weight] = 0
    # A NaN logit gives a NaN loss whatever its weights (the masks above may have hidden it).
    np.copyto(out, x, where=np.isnan(x))
    return out


def mse_loss(input: ArrayLike, target: ArrayLike, reduction: str = "mean") -> np.ndarray | np.floating:
    """Mean squared error loss, ``(input - target)^2``.

    Parameters
    ----------
    input : array_like
        Predictions.
    target : array_like
        Targets of the same shape (no broadcasting).
    reduction : str, optional
        ``"none"``, ``"mean"`` (default) or ``"sum"``.

    Returns
    -------
    ndarray or float
        Squared errors of the input's shape for ``"none"``, else a scalar, in the
        floating dtype of the inputs.

    Raises
    ------
    ValueError
        If the shapes differ or ``reduction`` is unknown.

    Notes
    -----
    .. math:: \\ell_i = (x_i - y_i)^2 .

    ``"mean"`` divides by the number of elements; sums accumulate in float64. NaN
    propagates; an infinite input against the same infinite target is undefined
    (NaN), without warning. Unlike torch, shapes that differ raise instead of
    broadcasting (torch only warns).

    Examples
    --------
    >>> from mathlib import mse_loss
    >>> float(mse_loss([1.0, 2.0, 3.0], [1.0, 2.0, 5.0]))
    1.3333333333333333
    """
    return _loss_of_difference(input, target, reduction, np.square)


def l1_loss(input: ArrayLike, target: ArrayLike, reduction: str = "mean") -> np.ndarray | np.floating:
    """Mean absolute error loss, ``|input - target|``.

    Parameters
    ----------
    input : array_like
        Predictions.
    target : array_like
        Targets of the same shape (no broadcasting).
    reduction : str, optional
        ``"none"``, ``"mean"`` (default) or ``"sum"``.

    Returns
    -------
    ndarray or float
        Absolute errors of the input's shape for ``"none"``, else a scalar, in the
        floating dtype of the inputs.

    Raises
    ------
    ValueError
        If the shapes differ or ``reduction`` is unknown.

    Notes
    -----
    .. math:: \\ell_i = |x_i - y_i| .

    ``"mean"`` divides by the number of elements; sums accumulate in float64. Unlike
    torch, shapes that differ raise instead of broadcasting.

    Examples
    --------
    >>> from mathlib import l1_loss
    >>> float(l1_loss([1.0, 2.0, 3.0], [1.0, 2.0, 6.0]))
    1.0
    """
    return _loss_of_difference(input, target, reduction, np.abs)



def _loss_of_difference(input, target, reduction: str, of_difference) -> np.ndarray | np.floating:
    """``of_difference(input - target)`` per element, reduced: the shared body of MSE and L1."""
    with ignore_underflow():
        x = as_real_array(input, "input")
        y = as_real_array(target, "target")
        check_same_shape(x, y, "input", "target")
        reduction = check_reduction(reduction)
        dtype = float_dtype(x, y)
        with np.errstate(invalid="ignore", over="ignore"):
            loss = of_difference(np.subtract(x, y, dtype=np.float64))
        return _reduce(loss, reduction, dtype)

def _gaussian_variance(var: ArrayLike, input_shape: tuple[int, ...]) -> np.ndarray:
    """``var`` shaped as torch allows, then broadcast to ``input_shape``."""
    v = as_real_array(var, "var")  # pragma: no mutate (the caller passes the already checked array)
    check_in_range(v, "var", 0.0, None, "non-negative")
    if v.ndim == 0 or v.shape == input_shape:
        return np.broadcast_to(v, input_shape)
    if v.shape == input_shape[:-1]:
        return np.broadcast_to(v[..., None], input_shape)
    if v.ndim == len(input_shape):
        mismatched = [(i, s) for i, (s_in, s) in enumerate(zip(input_shape, v.shape)) if s_in != s]
        if len(mismatched) == 1 and mismatched[0][1] == 1:
            return np.broadcast_to(v, input_shape)
    raise ValueError(
        f"var of shape {v.shape} does not fit input of shape {input_shape}: it must have the input's shape, "
        "that shape without the last axis, that shape with one axis of length 1, or be a scalar"
    )


def gaussian_nll_loss(
    input: ArrayLike,
    target: ArrayLike,
    var: ArrayLike,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> np.ndarray | np.floating:
    """Gaussian negative log-likelihood loss with predicted mean ``input`` and variance ``var``.

    Parameters
    ----------
    input : array_like
        Predicted means.
    target : array_like
        Observations, same shape as ``input`` (no broadcasting).
    var : array_like
        Predicted variances, non-negative: a scalar, the input's shape, the input's
        shape without its last axis, or the input's shape with one axis of length 1
        (torch's rules: the last three are homoscedastic along the missing axis).
    full : bool, optional
        Add the constant ``0.5 log(2 pi)``. Default False.
    eps : float, optional
        Lower clamp on the variance, ``> 0``. Default ``1e-6``.
    reduction : str, optional
        ``"none"``, ``"mean"`` (default) or ``"sum"``.

    Returns
    -------
    ndarray or float
        Losses of the input's shape for ``"none"``, else a scalar, in the floating
        dtype of the inputs.

    Raises
    ------
    ValueError
        If ``var`` has a negative or NaN entry or an incompatible shape, if
        ``input`` and ``target`` shapes differ, if ``eps`` is not a finite number
        ``> 0``, or if ``reduction`` is unknown.

    Notes
    -----
    .. math:: \\ell_i = \\tfrac12 \\Big(\\log \\max(\\sigma_i^2, \\varepsilon)
              + \\frac{(x_i - y_i)^2}{\\max(\\sigma_i^2, \\varepsilon)}\\Big)
              \\; \\big[ + \\tfrac12 \\log 2\\pi \\text{ if full} \\big].

    ``"mean"`` divides by the number of elements of ``input``. Evaluated in float64.
    Differences from ``torch.nn.functional.gaussian_nll_loss``: ``input`` and
    ``target`` must have the same shape (torch broadcasts them); NaN variances raise.

    Examples
    --------
    >>> from mathlib import gaussian_nll_loss
    >>> float(gaussian_nll_loss([0.0, 0.0], [1.0, -1.0], [1.0, 1.0]))
    0.5
    >>> round(float(gaussian_nll_loss([0.0], [0.0], [1.0], full=True)), 12)  # 0.5 log(2 pi)
    0.918938533205
    """
    with ignore_underflow():
        x = as_real_array(input, "input")
        y = as_real_array(target, "target")
        check_same_shape(x, y, "input", "target")
        epsilon = check_real_scalar(eps, "eps")
        if epsilon <= 0:
            raise ValueError(f"eps must be > 0; got {eps!r}")
        check_bool(full, "full")
        reduction = check_reduction(reduction)
        v_in = as_real_array(var, "var")
        v = _gaussian_variance(v_in, x.shape)
        dtype = float_dtype(x, y, weak(var, v_in))
        v64 = np.maximum(v.astype(np.float64), epsilon)  # pragma: no mutate (astype(None) is float64 too)
        with np.errstate(invalid="ignore", over="ignore"):
            diff = x.astype(np.float64) - y.astype(np.float64)  # pragma: no mutate (astype(None): float64)
            loss = 0.5 * (np.log(v64) + diff * diff / v64)
        if full:
            loss += _HALF_LOG_2PI
        return _reduce(loss, reduction, dtype)


def _log_factorial(values: np.ndarray) -> np.ndarray:
    """``log Gamma(y + 1)`` elementwise, exactly (``math.lgamma`` on the distinct values)."""
    distinct, inverse = np.unique(values, return_inverse=True)

    def log_gamma_plus_one(v: float) -> float:
        try:
            return math.lgamma(v + 1.0)
        except OverflowError:  # v beyond ~2.5e305: log(v!) exceeds the float range
            return math.inf

    with np.errstate(all="ignore"):  # lgamma's own overflow flag would reach NumPy's check
        table = np.frompyfunc(log_gamma_plus_one, 1, 1)(distinct).astype(np.float64)  # pragma: no mutate (None)
    return table[inverse].reshape(values.shape)  # pragma: no mutate (inverse has values.shape already)


def poisson_nll_loss(
    input: ArrayLike,
    target: ArrayLike,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
    reduction: str = "mean",
) -> np.ndarray | np.floating:
    """Poisson negative log-likelihood loss.

    Parameters
    ----------
    input : array_like
        The log-rate ``log lambda`` if ``log_input`` (default), else the rate
        ``lambda >= 0``.
    target : array_like
        Observed counts, same shape, ``>= 0`` (non-integer values are allowed;
        ``log(y!)`` is then ``log Gamma(y + 1)``).
    log_input : bool, optional
        Whether ``input`` is the log-rate. Default True.
    full : bool, optional
        Add the exact ``log(target!)``, making the loss the full negative
        log-likelihood. Default False.
    eps : float, optional
        Added to the rate inside the log when ``log_input`` is False, ``>= 0``.
        Default ``1e-8``.
    reduction : str, optional
        ``"none"``, ``"mean"`` (default) or ``"sum"``.

    Returns
    -------
    ndarray or float
        Losses of the input's shape for ``"none"``, else a scalar, in the floating
        dtype of the inputs.

    Raises
    ------
    ValueError
        If ``target`` has a negative or NaN entry, if a rate (``log_input=False``) is
        negative, if ``log_input`` or ``full`` is not a bool, if the shapes differ, if ``eps`` is negative or not finite, or if
        ``reduction`` is unknown.

    Notes
    -----
    .. math:: \\ell_i = e^{x_i} - y_i x_i \\;\\; (\\text{log\\_input}), \\qquad
              \\ell_i = x_i - y_i \\log(x_i + \\varepsilon) \\;\\; (\\text{otherwise}),

    plus :math:`\\log \\Gamma(y_i + 1) = \\log y_i!` when ``full``. Terms ``y_i x_i``
    with ``y_i = 0`` are 0 (so ``x = -inf, y = 0`` gives 0); an infinite rate gives
    ``+inf``. ``log Gamma`` is ``math.lgamma`` applied once per distinct target value
    (a loop over distinct values, not elements; counts have few). Evaluated in float64.

    Differences from ``torch.nn.functional.poisson_nll_loss``: with ``full`` torch
    adds Stirling's approximation :math:`y \\log y - y + \\tfrac12 \\log(2\\pi y)` and only
    for ``y > 1`` (it is 0.0413 nats short at ``y = 2``); mathlib adds the exact
    :math:`\\log y!`. Negative or NaN targets and negative rates raise; shapes must
    match exactly.

    Examples
    --------
    >>> import numpy as np
    >>> from mathlib import poisson_nll_loss
    >>> float(poisson_nll_loss([0.0], [1.0]))  # exp(0) - 1 * 0
    1.0
    >>> round(float(poisson_nll_loss([np.log(2.0)], [3.0], full=True)), 12)  # -log Poisson(3; 2)
    1.712317927548
    """
    with ignore_underflow():
        x = as_real_array(input, "input")
        y = as_real_array(target, "target")
        check_same_shape(x, y, "input", "target")
        epsilon = check_real_scalar(eps, "eps", low=0.0)
        log_input = check_bool(log_input, "log_input")
        full = check_bool(full, "full")
        reduction = check_reduction(reduction)
        dtype = float_dtype(x, y)
        check_in_range(y, "target", 0.0, None, "a non-negative count")
        if not log_input:
            check_in_range(x, "input", 0.0, None, "a non-negative rate (log_input=False)")
        X = np.asarray(x, dtype=np.float64)
        Y = np.asarray(y, dtype=np.float64)  # pragma: no mutate (float32 Y: same products, lgamma sees floats)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if log_input:
                loss = np.exp(X) - _masked_product(Y, X, Y == 0)
            else:
                loss = X - _masked_product(Y, np.log(X + epsilon), Y == 0)
        loss = np.asarray(loss)
        loss[X == np.inf] = np.inf
        if full:
            with np.errstate(invalid="ignore"):  # an infinite target: -inf + inf is NaN
                loss += _log_factorial(Y)
        return _reduce(loss, reduction, dtype)
