"""Argument checking shared by every public function of :mod:`mathlib`.

This is the one place where arguments are converted and validated, so that every
function raises the same errors with the same wording: the message names the
argument and the problem (which row, which entry, which value).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__: list[str] = []

REDUCTIONS = ("none", "mean", "sum")

def ignore_underflow() -> np.errstate:
    """The floating-point error state every public function runs in: underflow ignored.

    Gradual underflow to 0 is the correct result everywhere in mathlib (``exp(-800)``,
    ``p * log q`` for tiny ``p``), so no accepted input may warn or raise about it,
    whatever ``np.seterr`` says. Divisions by zero, invalid operations and overflows are
    handled where they occur instead.
    """
    return np.errstate(under="ignore")


class TargetIndexError(IndexError, ValueError):
    """A class-index target lies outside ``[0, C)`` and is not ``ignore_index``.

    It derives from both :class:`IndexError` (what torch raises) and
    :class:`ValueError` (what every other invalid argument raises).
    """


# --------------------------------------------------------------------------- dtypes


# (A dtype kind is one character: a mutant "XXbiufXX" accepts the same kinds.)
_REAL_KINDS = "biuf"  # pragma: no mutate (see above)
_FLOAT64 = np.dtype(np.float64)  # pragma: no mutate (np.dtype(None) is float64 too)


def as_real_array(x: ArrayLike, name: str) -> np.ndarray:
    """``np.asarray(x)``, refusing anything that is not real numbers."""
    arr = np.asarray(x)
    if arr.dtype.kind not in _REAL_KINDS:
        raise TypeError(f"{name} must hold real numbers; got an array of dtype {arr.dtype}")
    return arr


def float_dtype(*arrays: np.ndarray | None) -> np.dtype:
    """The floating dtype a computation on ``arrays`` returns.

    The floating arrays decide (``result_type`` of their dtypes: float16, float32 or
    float64); integer and bool arrays adopt it; with no floating array the result is
    float64. Extended precision returns float64. None entries (absent arguments, and
    Python scalars, which like NumPy's own never widen an array) are skipped.
    """
    kinds = [a.dtype for a in arrays if a is not None and a.dtype.kind == "f"]
    if not kinds:
        return _FLOAT64
    dtype = np.result_type(*kinds)
    # float16, float32 and float64 are returned as they are: only long double is wider.
    return _FLOAT64 if dtype == np.longdouble else dtype


def compute_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype that code working "in the input's dtype" uses: float16 works in float32
    (NumPy's float16 loops round every step and have no SIMD), and rounds once at the end."""
    return np.dtype(np.float32) if dtype == np.float16 else np.dtype(dtype)


def weak(value: Any, arr: np.ndarray) -> np.ndarray | None:
    """``arr``, or None when ``value`` is a Python number: such a scalar argument (a
    ``weight=2.0``, a ``var=1.0``) does not decide the result's dtype."""
    return None if isinstance(value, (int, float)) else arr


def as_float_array(x: ArrayLike, name: str) -> np.ndarray:
    """``x`` as a floating array of :func:`float_dtype` of ``x``."""
    arr = as_real_array(x, name)
    return arr.astype(float_dtype(arr), copy=False)  # pragma: no mutate (copy= changes memory, not values)


def scalar_or_array(result: np.ndarray) -> Any:
    """A 0-d array becomes a NumPy scalar; anything else is returned unchanged."""
    if result.ndim:
        return result
    return result[()]


# --------------------------------------------------------------------------- scalars


def log_of_base(base: Any) -> float | None:
    """``log(base)``, or None for nats; raises for an invalid base.

    A base must be a finite number > 1. The contract refuses ``base <= 0`` and
    ``base == 1``; mathlib also refuses a base in ``(0, 1)``, whose negative logarithm
    would turn every entropy and divergence negative (``js_divergence`` of disjoint
    distributions in base 1/2 would be -1, against its range ``[0, log 2]``).
    """
    if base is None:
        return None
    if isinstance(base, (bool, np.bool_)) or not isinstance(base, (numbers.Real, np.floating, np.integer)):
        raise ValueError(f"base must be None (nats) or a real number > 1; got {base!r}")
    value = float(base)
    if not (math.isfinite(value) and value > 1.0):
        raise ValueError(f"base must be a finite number > 1 (None means nats, 2 bits); got {base!r}")
    return math.log(value)


def to_base(result: np.ndarray, log_base: float | None) -> np.ndarray:
    """Convert a result in nats to the requested base, in place when possible."""
    if log_base is None:
        return result
    return result / result.dtype.type(log_base)


def check_reduction(reduction: Any) -> str:
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be 'none', 'mean' or 'sum'; got {reduction!r}")
    return reduction


def check_real_scalar(value: Any, name: str, *, low: float | None = None, high: float | None = None,
                      allow_inf: bool = False) -> float:
    """A real scalar, optionally required to lie in ``[low, high]``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in ("i", "u", "f"):
            value = value[()]
        else:
            raise ValueError(f"{name} must be a real number; got {value!r}")
    number = float(value)
    if math.isnan(number) or (math.isinf(number) and not allow_inf):
        raise ValueError(f"{name} must be a finite number; got {value!r}")
    if low is not None and number < low:
        raise ValueError(f"{name} must be >= {low:g}; got {value!r}")
    if high is not None and number > high:
        raise ValueError(f"{name} must be <= {high:g}; got {value!r}")
    return number


def check_integer_scalar(value: Any, name: str, *, low: int | None = None) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        raise ValueError(f"{name} must be an integer; got {value!r}")
    number = int(value)
    if low is not None and number < low:
        raise ValueError(f"{name} must be >= {low}; got {number}")
    return number


def check_bool(value: Any, name: str) -> bool:
    """A flag: Python or NumPy bool only (a string such as ``"no"`` is not False)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a bool; got {value!r}")
    return bool(value)


def check_callable(f: Any, name: str) -> Callable[..., Any]:
    if not callable(f):
        raise ValueError(f"{name} must be callable; got {f!r}")
    return f


# --------------------------------------------------------------------------- shapes


def normalize_axis(axis: Any, ndim: int, name: str) -> int:
    """``axis`` as a non-negative int for an array named ``name`` with ``ndim`` dims."""
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (numbers.Integral, np.integer)):
        raise ValueError(f"axis must be an integer; got {axis!r}")
    if ndim == 0:
        raise ValueError(f"{name} must have at least one dimension (a vector along axis {axis}); got a scalar")
    if not -ndim <= int(axis) < ndim:
        raise ValueError(f"axis {axis} is out of bounds for {name} with {ndim} dimension(s)")
    return int(axis) % ndim


def normalize_axes(axis: Any, ndim: int, name: str) -> tuple[int, ...]:
    """``axis`` (None, int or tuple of ints) as a sorted tuple of distinct axes."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, tuple):
        axes = tuple(normalize_axis(a, ndim, name) for a in axis)
        if len(set(axes)) != len(axes):
            raise ValueError(f"axis {axis} repeats an axis")
        return tuple(sorted(axes))
    return (normalize_axis(axis, ndim, name),)


def check_scalar_axis(axis: Any, name: str) -> None:
    """The ``axis`` of a reduction over a 0-d array, which is a one-element vector (as in
    torch): None, ``()``, 0 or -1 (alone or in a tuple); anything else raises."""
    if axis is None or (isinstance(axis, tuple) and len(axis) == 0):
        return
    axes = axis if isinstance(axis, tuple) else (axis,)
    for a in axes:
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, (numbers.Integral, np.integer)):
            raise ValueError(f"axis must be an integer; got {axis!r}")
    if len(axes) != 1 or int(axes[0]) not in (0, -1):
        raise ValueError(
            f"axis {axis!r} is out of bounds for {name} with 0 dimensions "
            "(a scalar is a one-element vector: axis may be None, 0 or -1)"
        )


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape (no broadcasting); got {a.shape} and {b.shape}"
        )


def broadcast_pair(p: np.ndarray, q: np.ndarray, axis: int, name_p: str, name_q: str) -> tuple[np.ndarray, np.ndarray]:
    """Broadcast two probability arrays whose vectors lie along ``axis`` (given as negative or
    non-negative int valid for both). The vector lengths must match exactly."""
    if p.shape[axis] != q.shape[axis]:
        raise ValueError(
            f"{name_p} and {name_q} must have the same length along axis {axis}; "
            f"got {p.shape[axis]} and {q.shape[axis]} (shapes {p.shape} and {q.shape})"
        )
    try:
        return tuple(np.broadcast_arrays(p, q))  # type: ignore[return-value]
    except ValueError:
        raise ValueError(
            f"{name_p} and {name_q} have shapes {p.shape} and {q.shape}, whose batch dimensions do not broadcast"
        ) from None


def pair_axis(p: np.ndarray, q: np.ndarray, axis: Any) -> int:
    """A negative axis index valid for both ``p`` and ``q`` (they may differ in ndim); ``axis`` is already
    known to be valid for each."""
    # (The caller has checked axis against p and against q, each by name, with check_probabilities.)
    neg_p = int(axis) % p.ndim - p.ndim
    neg_q = int(axis) % q.ndim - q.ndim
    if neg_p != neg_q:
        raise ValueError(
            f"axis {axis} is not the same trailing axis of p (ndim {p.ndim}) and q (ndim {q.ndim}); "
            "use a negative axis or arrays with the same number of dimensions"
        )
    return neg_p


def _row_label(name: str, batch_shape: tuple[int, ...], flat_row: int) -> str:
    if len(batch_shape) == 0:
        return name
    index = np.unravel_index(flat_row, batch_shape)
    label = str(int(index[0])) if len(batch_shape) == 1 else str(tuple(int(i) for i in index))
    return f"{name} row {label}"


def _fmt(value: Any, dtype: np.dtype) -> str:
    return str(dtype.type(value))


# --------------------------------------------------------------------------- probabilities


def sum_tolerance(n: int, dtype: np.dtype) -> float:
    """Tolerance on ``|sum(p) - 1|`` for ``n`` entries of ``dtype``: ``16 eps sqrt(n)``."""
    return 16.0 * float(np.finfo(dtype).eps) * math.sqrt(max(n, 1))


def check_probabilities(p: ArrayLike, name: str, axis: Any = -1) -> np.ndarray:
    """``p`` as a floating array of probability vectors along ``axis``.

    Every entry must be finite and non-negative and every vector must sum to 1
    within :func:`sum_tolerance`; otherwise a ValueError names ``name`` and the row.
    A vector of length 0 is refused. Nothing is renormalized.
    """
    arr = as_real_array(p, name)
    ax = normalize_axis(axis, arr.ndim, name)
    n = arr.shape[ax]
    if n == 0:
        raise ValueError(f"{name} is empty along axis {axis}: a probability vector needs at least one entry")
    dtype = float_dtype(arr)
    arr = arr.astype(dtype, copy=False)  # pragma: no mutate (copy= changes memory, not values)
    if arr.size == 0:
        return arr
    tol = sum_tolerance(n, dtype)
    # inf + -inf in a row sums to NaN: refused below by name, without a warning
    with np.errstate(invalid="ignore"):
        sums = np.sum(arr, axis=ax, dtype=np.float64)
        minima = np.min(arr, axis=ax)
        bad = ~(np.abs(sums - 1.0) <= tol) | (minima < 0)
    if bad.any():
        flat_row = int(np.flatnonzero(bad.ravel())[0])
        rows = np.moveaxis(arr, ax, -1).reshape(sums.size, n)
        row = rows[flat_row]
        who = _row_label(name, sums.shape, flat_row)
        where = f" along axis {axis}" if arr.ndim > 1 else ""
        if np.isnan(row).any():
            j = int(np.flatnonzero(np.isnan(row))[0])
            raise ValueError(f"{who} contains NaN (at position {j}{where}); probabilities must be finite")
        if np.isinf(row).any():
            j = int(np.flatnonzero(np.isinf(row))[0])
            raise ValueError(f"{who} contains {_fmt(row[j], dtype)} (at position {j}{where}); "
                             "probabilities must be finite")
        if (row < 0).any():
            j = int(np.flatnonzero(row < 0)[0])
            raise ValueError(f"{who} has a negative probability {_fmt(row[j], dtype)} (at position {j}{where})")
        raise ValueError(
            f"{who} sums to {_fmt(sums.ravel()[flat_row], dtype)}, not 1 (tolerance {tol:.2g} for {n} "
            f"{dtype} entries); probabilities are never renormalized"
        )
    return arr


def check_joint_table(pxy: ArrayLike, name: str) -> np.ndarray:
    """A 2-D joint probability table (rows index X, columns Y) summing to 1."""
    arr = as_real_array(pxy, name)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D joint probability table; got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); a joint table needs at least one entry")
    dtype = float_dtype(arr)
    arr = arr.astype(dtype, copy=False)  # pragma: no mutate (copy= changes memory, not values)
    finite = np.isfinite(arr)
    if not finite.all():
        i, j = (int(k) for k in np.argwhere(~finite)[0])
        raise ValueError(f"{name} contains {_fmt(arr[i, j], dtype)} at ({i}, {j}); probabilities must be finite")
    if (arr < 0).any():
        i, j = (int(k) for k in np.argwhere(arr < 0)[0])
        raise ValueError(f"{name} has a negative probability {_fmt(arr[i, j], dtype)} at ({i}, {j})")
    total = float(np.sum(arr, dtype=np.float64))
    tol = sum_tolerance(arr.size, dtype)
    if not abs(total - 1.0) <= tol:
        raise ValueError(
            f"{name} sums to {_fmt(total, dtype)}, not 1 (tolerance {tol:.2g} for {arr.size} {dtype} entries); "
            "a joint table is never renormalized"
        )
    return arr


# --------------------------------------------------------------------------- value checks


def check_no_nan(x: np.ndarray, name: str) -> None:
    if x.dtype.kind == "f" and np.isnan(x).any():
        index = tuple(int(i) for i in np.argwhere(np.isnan(x))[0])
        raise ValueError(f"{name} contains NaN at index {index}")


def check_finite(x: np.ndarray, name: str) -> None:
    if x.dtype.kind == "f" and not np.isfinite(x).all():
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(x))[0])
        raise ValueError(f"{name} must be finite; got {x[index]} at index {index}")


def check_in_range(x: np.ndarray, name: str, low: float | None, high: float | None, what: str) -> None:
    """Every entry of ``x`` is a number in ``[low, high]`` (NaN refused)."""
    if x.size == 0:
        return
    # Fast path without temporaries: min and max propagate NaN, which fails both tests.
    lowest, highest = np.min(x), np.max(x)
    # (Any mutant of this test that only sends more calls to the full check below is equivalent.)
    if (low is None or lowest >= low) and (high is None or highest <= high):  # pragma: no mutate (see above)
        return
    check_no_nan(x, name)
    bad = np.zeros(x.shape, dtype=bool)
    if low is not None:
        np.logical_or(bad, x < low, out=bad)
    if high is not None:
        bad |= x > high
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name} must be {what}; got {x[index]} at index {index}")


def check_nonnegative_weight(weight: ArrayLike, name: str) -> np.ndarray:
    """A finite, non-negative weight array, in its own dtype (an integer weight does not
    widen a float32 result)."""
    arr = as_real_array(weight, name)
    check_finite(arr, name)
    check_in_range(arr, name, 0.0, None, "non-negative")
    return arr


def check_class_weight(weight: ArrayLike | None, num_classes: int) -> np.ndarray | None:
    """The ``weight`` of a classification loss: shape ``(C,)``, finite, non-negative."""
    if weight is None:
        return None
    arr = check_nonnegative_weight(weight, "weight")
    if arr.shape != (num_classes,):
        raise ValueError(f"weight must have shape ({num_classes},), one entry per class; got shape {arr.shape}")
    return arr


def check_broadcast_to(x: np.ndarray, shape: tuple[int, ...], name: str, target_name: str) -> np.ndarray:
    """``x`` broadcast to ``shape`` (``x`` may not enlarge it)."""
    try:
        # (broadcast_to alone would also refuse an x that enlarges shape: a mutant that drops x.shape here
        # is equivalent.)
        if np.broadcast_shapes(x.shape, shape) == shape:  # pragma: no mutate (see above)
            return np.broadcast_to(x, shape)
    except ValueError:
        pass
    raise ValueError(f"{name} of shape {x.shape} does not broadcast to the shape {shape} of {target_name}")


def check_class_targets(target: np.ndarray, num_classes: int, ignore_index: int,
                        name: str = "target") -> np.ndarray | None:
    """Check integer class indices: each in ``[0, C)`` or equal to ``ignore_index``.

    Returns the boolean mask of ignored targets, or None when no target is ignored
    (the common case, decided from the min and max without building masks).
    """
    # (Every caller has already refused a non-integer target with this message: a defence, unreachable.)
    if target.dtype.kind not in "iu":  # pragma: no mutate (unreachable, see above)
        raise ValueError(f"{name} must hold integer class indices; got dtype {target.dtype}")  # pragma: no mutate
    if target.size == 0:
        return None
    low, high = int(target.min()), int(target.max())
    # (0 <= low: a mutant asking 0 < low only sends more calls to the full check below, which decides alike.)
    nonnegative = 0 <= low  # pragma: no mutate (see above)
    if nonnegative and high < num_classes and not low <= ignore_index <= high:
        return None
    ignored = target == ignore_index
    bad = ((target < 0) | (target >= num_classes)) & ~ignored
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        value = int(target[index])
        at = f" at index {index[0] if len(index) == 1 else index}" if target.ndim else ""
        raise TargetIndexError(
            f"{name} {value}{at} is out of range for {num_classes} classes "
            f"(valid: 0 to {num_classes - 1}, or ignore_index={ignore_index})"
        )
    return ignored if ignored.any() else None  # pragma: no mutate (an all-False mask ignores nothing, like None)


def check_nonempty_data(x: ArrayLike, name: str) -> np.ndarray:
    """Sample data for an estimator: real numbers, at least one, no NaN."""
    arr = as_real_array(x, name)
    if arr.size == 0:
        raise ValueError(f"{name} is empty; an estimate needs at least one observation")
    check_no_nan(arr, name)
    return arr


def check_1d_nonempty(x: ArrayLike, name: str) -> np.ndarray:
    arr = np.asarray(x)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array; got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    return arr
