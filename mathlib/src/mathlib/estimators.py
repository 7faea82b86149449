"""Closed-form maximum likelihood estimates and the empirical distribution."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import check_finite, check_integer_scalar, check_nonempty_data, float_dtype, ignore_underflow

__all__ = [
    "mle_bernoulli",
    "mle_categorical",
    "mle_gaussian",
    "mle_poisson",
    "mle_exponential",
    "empirical_distribution",
]


def _scaled_mean(data: np.ndarray) -> tuple[np.ndarray, float, int]:
    """``(scaled, mean_scaled, exponent)`` with ``scaled = data / 2**exponent`` exactly (in
    float64, flattened) and ``|scaled| < 1``, so that no sum overflows: ``mean(data) =
    mean_scaled * 2**exponent`` even near the float limit (``[1e308, 1e308]``, whose plain
    sum is inf)."""
    wide = data.astype(np.float64).ravel()  # pragma: no mutate (astype(None) is float64 too: equivalent)
    exponent = int(np.frexp(np.max(np.abs(wide)))[1])
    scaled = np.ldexp(wide, -exponent)
    return scaled, float(np.mean(scaled)), exponent


def _first_bad(arr: np.ndarray, bad: np.ndarray) -> str:
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    return f"{arr[index]} at index {index}" if arr.ndim else str(arr[()])


def _check_integral(arr: np.ndarray, name: str, what: str) -> None:
    if arr.dtype.kind == "f":
        check_finite(arr, name)
        bad = arr != np.floor(arr)
        if bad.any():
            raise ValueError(f"{name} must hold {what}; got {_first_bad(arr, bad)}")


def mle_bernoulli(x: ArrayLike) -> np.floating:
    """Maximum likelihood estimate of a Bernoulli success probability from 0/1 data.

    Parameters
    ----------
    x : array_like
        Observations, each 0 or 1 (bool allowed); any shape, all entries are samples.

    Returns
    -------
    float
        :math:`\\hat p = \\frac1m \\sum_i x_i`, in the floating dtype of ``x``
        (float64 for bool or integer data).

    Raises
    ------
    ValueError
        If ``x`` is empty or has an entry other than 0 and 1 (NaN included).

    Notes
    -----
    The log-likelihood :math:`k \\log p + (m - k) \\log(1 - p)`, :math:`k = \\sum_i x_i`, is
    maximized at :math:`\\hat p = k / m` (including the boundary values 0 and 1).

    Examples
    --------
    >>> from mathlib import mle_bernoulli
    >>> float(mle_bernoulli([1, 0, 1, 1]))
    0.75
    >>> float(mle_bernoulli([True, False]))
    0.5
    """
    with ignore_underflow():
        arr = check_nonempty_data(x, "x")
        bad = (arr != 0) & (arr != 1)
        if bad.any():
            raise ValueError(f"x must hold 0/1 (Bernoulli) observations; got {_first_bad(arr, bad)}")
        dtype = float_dtype(arr)
        _, mean_scaled, exponent = _scaled_mean(arr)
        return dtype.type(np.ldexp(mean_scaled, exponent))


def mle_categorical(x: ArrayLike, num_classes: int) -> np.ndarray:
    """Maximum likelihood estimate of categorical class probabilities, ``counts / m``.

    Parameters
    ----------
    x : array_like of int
        Class labels, each an integer in ``[0, num_classes)``; any shape.
        Floating arrays are accepted when every value is a whole number.
    num_classes : int
        Number of classes ``K >= 1``.

    Returns
    -------
    ndarray
        Shape ``(num_classes,)``, float64: the relative frequency of each class
        (0 for classes never observed).

    Raises
    ------
    ValueError
        If ``x`` is empty, holds a non-integer or NaN, or a label outside
        ``[0, num_classes)``; or if ``num_classes`` is not an integer ``>= 1``.

    Notes
    -----
    Maximizing :math:`\\sum_k n_k \\log \\pi_k` subject to :math:`\\sum_k \\pi_k = 1` (a
    Lagrange multiplier) gives :math:`\\hat\\pi_k = n_k / m`. Counted with ``numpy.bincount``.

    Examples
    --------
    >>> from mathlib import mle_categorical
    >>> mle_categorical([0, 2, 2, 1, 2], num_classes=4)
    array([0.2, 0.2, 0.6, 0. ])
    """
    with ignore_underflow():
        classes = check_integer_scalar(num_classes, "num_classes", low=1)
        arr = check_nonempty_data(x, "x")
        if arr.dtype.kind == "b":
            raise ValueError("x must hold integer class labels; got booleans")
        _check_integral(arr, "x", "integer class labels")
        bad = (arr < 0) | (arr >= classes)
        if bad.any():
            raise ValueError(f"x must hold class labels in [0, {classes}); got {_first_bad(arr, bad)}")
        counts = np.bincount(arr.ravel().astype(np.intp), minlength=classes)
        return counts / arr.size


def mle_gaussian(x: ArrayLike) -> tuple[np.floating, np.floating]:
    """Maximum likelihood estimates ``(mean, var)`` of a Gaussian, ``var`` biased (divide by ``m``).

    Parameters
    ----------
    x : array_like
        Real observations; any shape, all entries are samples.

    Returns
    -------
    mean : float
        :math:`\\hat\\mu = \\frac1m \\sum_i x_i`.
    var : float
        :math:`\\hat\\sigma^2 = \\frac1m \\sum_i (x_i - \\hat\\mu)^2` (not the unbiased
        :math:`m - 1` version). Both in the floating dtype of ``x``.

    Raises
    ------
    ValueError
        If ``x`` is empty or has a NaN or infinite entry.

    Notes
    -----
    Setting the gradient of :math:`-\\frac m2 \\log \\sigma^2 - \\frac{1}{2\\sigma^2}\\sum_i (x_i - \\mu)^2`
    to zero gives the two estimates. Computed in float64 with two passes (mean,
    then squared deviations), which avoids the cancellation of
    :math:`\\overline{x^2} - \\bar x^2`. A single observation gives variance 0.

    Examples
    --------
    >>> from mathlib import mle_gaussian
    >>> mean, var = mle_gaussian([1.0, 2.0, 3.0, 4.0])
    >>> float(mean), float(var)
    (2.5, 1.25)
    """
    with ignore_underflow():
        arr = check_nonempty_data(x, "x")
        check_finite(arr, "x")
        dtype = float_dtype(arr)
        scaled, mean_scaled, exponent = _scaled_mean(arr)
        deviation = scaled - mean_scaled
        with np.errstate(over="ignore"):  # a variance past the float range is inf, the right answer
            mean = np.ldexp(mean_scaled, exponent)
            var = np.ldexp(np.mean(deviation * deviation), 2 * exponent)
            return dtype.type(mean), dtype.type(var)


def mle_poisson(x: ArrayLike) -> np.floating:
    """Maximum likelihood estimate of a Poisson rate from non-negative integer counts.

    Parameters
    ----------
    x : array_like
        Counts, each a non-negative whole number; any shape.

    Returns
    -------
    float
        :math:`\\hat\\lambda = \\frac1m \\sum_i x_i` (0 when every count is 0), in the
        floating dtype of ``x`` (float64 for integer data).

    Raises
    ------
    ValueError
        If ``x`` is empty, or has a negative, non-integer, NaN or infinite entry.

    Notes
    -----
    :math:`\\frac{d}{d\\lambda}\\big(\\sum_i x_i \\log\\lambda - m\\lambda\\big) = 0` gives
    :math:`\\hat\\lambda = \\bar x`.

    Examples
    --------
    >>> from mathlib import mle_poisson
    >>> float(mle_poisson([0, 1, 2, 5]))
    2.0
    """
    with ignore_underflow():
        arr = check_nonempty_data(x, "x")
        if arr.dtype.kind == "b":
            raise ValueError("x must hold non-negative integer counts; got booleans")
        _check_integral(arr, "x", "non-negative integer counts")
        bad = arr < 0
        if bad.any():
            raise ValueError(f"x must hold non-negative integer counts; got {_first_bad(arr, bad)}")
        dtype = float_dtype(arr)
        _, mean_scaled, exponent = _scaled_mean(arr)
        return dtype.type(np.ldexp(mean_scaled, exponent))


def mle_exponential(x: ArrayLike) -> np.floating:
    """Maximum likelihood estimate of an exponential rate, ``lambda = 1 / mean``.

    Parameters
    ----------
    x : array_like
        Non-negative observations (waiting times); any shape.

    Returns
    -------
    float
        :math:`\\hat\\lambda = 1 / \\bar x`, in the floating dtype of ``x``.

    Raises
    ------
    ValueError
        If ``x`` is empty, has a negative, NaN or infinite entry, or is all zeros
        (then the likelihood :math:`\\lambda^m` grows without bound and no MLE exists).

    Notes
    -----
    :math:`\\frac{d}{d\\lambda}\\big(m \\log\\lambda - \\lambda \\sum_i x_i\\big) = 0` gives
    :math:`\\hat\\lambda = m / \\sum_i x_i`.

    Examples
    --------
    >>> from mathlib import mle_exponential
    >>> float(mle_exponential([0.5, 1.5, 2.0]))
    0.75
    """
    with ignore_underflow():
        arr = check_nonempty_data(x, "x")
        check_finite(arr, "x")
        bad = arr < 0
        if bad.any():
            raise ValueError(f"x must hold non-negative observations; got {_first_bad(arr, bad)}")
        _, mean_scaled, exponent = _scaled_mean(arr)
        if mean_scaled == 0.0:
            raise ValueError("x is all zeros: the exponential likelihood grows without bound, so no MLE exists")
        dtype = float_dtype(arr)
        with np.errstate(over="ignore"):  # a rate past the float range is inf, the right answer
            return dtype.type(np.ldexp(1.0 / mean_scaled, -exponent))


def empirical_distribution(samples: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Empirical distribution of samples: sorted distinct values and their relative frequencies.

    Parameters
    ----------
    samples : array_like
        Observations of any sortable dtype (numbers, strings); any shape, all entries
        are samples.

    Returns
    -------
    values : ndarray
        The distinct values, sorted, in the dtype of ``samples``.
    probs : ndarray
        float64 relative frequencies, summing to 1: the MLE of a categorical
        distribution over the observed values.

    Raises
    ------
    ValueError
        If ``samples`` is empty.

    Notes
    -----
    :math:`\\hat p(v) = \\frac1m \\#\\{i : x_i = v\\}`, from ``numpy.unique`` with counts
    (NaNs, if any, count as one value).

    Examples
    --------
    >>> from mathlib import empirical_distribution
    >>> values, probs = empirical_distribution([3, 1, 3, 3])
    >>> values, probs
    (array([1, 3]), array([0.25, 0.75]))
    """
    with ignore_underflow():
        arr = np.asarray(samples)
        if arr.size == 0:
            raise ValueError("samples is empty; an empirical distribution needs at least one observation")
        values, counts = np.unique(arr.ravel(), return_counts=True)
        return values, counts / arr.size
