"""Divergences between discrete distributions: f-divergences, total variation, Hellinger, chi-square, Renyi."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._validation import check_callable, check_real_scalar, log_of_base, scalar_or_array, ignore_underflow
from .information import _finish, _kl_sums, _log_ratio, _pair
from .special import logsumexp

__all__ = ["f_divergence", "total_variation", "hellinger_distance", "chi2_divergence", "renyi_divergence"]

# |f(1)| above this is not "f(1) = 0": a few ulp of float64 rounding in the generator is tolerated.
_F_AT_ONE_TOLERANCE = 64 * float(np.finfo(np.float64).eps)


def _as_result(result: np.ndarray, dtype: np.dtype) -> Any:
    return scalar_or_array(np.asarray(result).astype(dtype, copy=False))  # pragma: no mutate (result is a new array)


def f_divergence(
    p: ArrayLike,
    q: ArrayLike,
    f: Callable[[np.ndarray], ArrayLike],
    axis: int = -1,
    slope_at_infinity: float = math.inf,
) -> np.ndarray | np.floating:
    """f-divergence ``D_f(p || q) = sum q f(p / q)`` for a convex generator ``f`` with ``f(1) = 0``.

    Parameters
    ----------
    p, q : array_like
        Probability vectors along ``axis``, of equal length; batch axes broadcast.
    f : callable
        Vectorized generator: called once with a float64 ndarray of ratios
        ``t = p / q``, it returns an array of the same shape. Must satisfy
        ``f(1) = 0``; convexity is the caller's responsibility.
    axis : int, optional
        Axis of the probability vectors. Default ``-1``.
    slope_at_infinity : float, optional
        :math:`f'(\\infty) = \\lim_{t \\to \\infty} f(t) / t`, used for terms with
        ``q_i = 0 < p_i`` (see Notes). Default ``inf``, right for KL and
        chi-square; it is ``0.5`` for total variation (``f(t) = |t - 1| / 2``), 1
        for squared Hellinger (``f(t) = (sqrt(t) - 1)^2``).

    Returns
    -------
    ndarray or float
        The divergence with the broadcast batch shape, in the floating dtype of
        ``p`` and ``q``.

    Raises
    ------
    ValueError
        If ``p`` or ``q`` is not a valid probability array or their shapes are
        incompatible; if ``f`` is not callable, ``f(1)`` is not 0 (within
        ``64 eps``), ``f`` returns an array of the wrong shape or NaN at a ratio it
        must evaluate; or if ``slope_at_infinity`` is NaN or negative infinity.

    Notes
    -----
    .. math:: D_f(p \\,\\|\\, q) = \\sum_i q_i\\, f\\!\\left(\\frac{p_i}{q_i}\\right).

    Terms where ``q_i = 0`` are defined by the perspective function's limit,
    :math:`q f(p/q) \\to p\\, f'(\\infty)` as :math:`q \\to 0^+`: 0 when ``p_i = 0`` too,
    ``p_i * slope_at_infinity`` otherwise. A numerical limit cannot tell ``log t``
    (unbounded) from a constant, so the slope is an argument rather than a guess.
    Terms where ``p_i = 0 < q_i`` use ``f(0)``; if ``f(0)`` is NaN (``t * log(t)``
    written naively gives ``0 * -inf``), the right limit is taken as ``f`` at the
    smallest positive float. ``f`` is evaluated with floating-point warnings
    silenced. Evaluated in float64.

    References
    ----------
    - I. Csiszar, "Information-type measures of difference of probability
      distributions and indirect observation", Studia Sci. Math. Hungarica 2 (1967).
    - S. M. Ali and S. D. Silvey, "A general class of coefficients of divergence
      of one distribution from another", JRSS B 28 (1966).

    Examples
    --------
    >>> import numpy as np
    >>> from mathlib import f_divergence, kl_divergence
    >>> p, q = np.array([0.2, 0.8]), np.array([0.5, 0.5])
    >>> bool(np.isclose(f_divergence(p, q, lambda t: t * np.log(t)), kl_divergence(p, q)))
    True
    >>> round(float(f_divergence(p, q, lambda t: 0.5 * np.abs(t - 1), slope_at_infinity=0.5)), 12)  # TV
    0.3
    """
    with ignore_underflow():
        p_b, q_b, ax, dtype = _pair(p, q, axis)
        generator = check_callable(f, "f")
        slope = check_real_scalar(slope_at_infinity, "slope_at_infinity", allow_inf=True)
        if slope == -math.inf:
            raise ValueError("slope_at_infinity must not be -inf (a convex f has f(t)/t bounded below)")

        def evaluate(t: np.ndarray) -> np.ndarray:
            with np.errstate(all="ignore"):
                values = np.asarray(generator(t), dtype=np.float64)
            if values.shape != t.shape:
                raise ValueError(f"f must be vectorized: f(t) for t of shape {t.shape} returned shape {values.shape}")
            return values

        at_one = float(evaluate(np.ones(1))[0])
        if not abs(at_one) <= _F_AT_ONE_TOLERANCE:
            raise ValueError(f"f(1) must be 0 for an f-divergence; got f(1) = {at_one!r}")
        at_zero = float(evaluate(np.zeros(1))[0])
        if math.isnan(at_zero):
            at_zero = float(evaluate(np.array([np.finfo(np.float64).smallest_subnormal]))[0])

        P = p_b.astype(np.float64)  # pragma: no mutate (astype(None) is float64)
        Q = q_b.astype(np.float64)  # pragma: no mutate (astype(None) is float64)
        both = (P > 0) & (Q > 0)
        # pragma reason: the fill t = 1 is masked below; with out=None f would see unset memory there instead,
        # which only a generator raising on it could tell, and not reproducibly.
        with np.errstate(over="ignore"):  # p / q past the float range is inf, the right ratio
            ratio = np.divide(P, Q, out=np.ones_like(P), where=both)  # pragma: no mutate
        values = evaluate(ratio)
        bad = both & np.isnan(values)
        if bad.any():
            raise ValueError(f"f returned NaN at t = {float(ratio[bad][0])!r}")  # a float, not np.float64(..)
        with np.errstate(invalid="ignore", over="ignore"):
            terms = np.where(both, Q * values, 0.0)
            terms = np.where((P == 0) & (Q > 0), Q * at_zero, terms)
            terms = np.where((P > 0) & (Q == 0), P * slope, terms)
        return _as_result(np.sum(terms, axis=ax), dtype)


def total_variation(p: ArrayLike, q: ArrayLike, axis: int = -1) -> np.ndarray | np.floating:
    """Total variation distance ``0.5 * sum |p - q|`` along ``axis``.

    Parameters
    ----------
    p, q : array_like
        Probability vectors along ``axis``, of equal length; batch axes broadcast.
    axis : int, optional
        Axis of the probability vectors. Default ``-1``.

    Returns
    -------
    ndarray or float
        The distance in ``[0, 1]``, with the broadcast batch shape.

    Raises
    ------
    ValueError
        If ``p`` or ``q`` is not a valid probability array or their shapes are incompatible.

    Notes
    -----
    .. math:: \\delta(p, q) = \\tfrac12 \\sum_i |p_i - q_i| = \\max_A |p(A) - q(A)|,

    the f-divergence of :math:`f(t) = |t - 1| / 2`. Evaluated in float64, clipped to ``[0, 1]``.

    Examples
    --------
    >>> from mathlib import total_variation
    >>> float(total_variation([1.0, 0.0], [0.0, 1.0]))
    1.0
    >>> float(total_variation([0.5, 0.5], [0.75, 0.25]))
    0.25
    """
    with ignore_underflow():
        p_b, q_b, ax, dtype = _pair(p, q, axis)
        P = p_b.astype(np.float64)  # pragma: no mutate (astype(None) is float64)
        result = 0.5 * np.sum(np.abs(P - q_b), axis=ax)
        return _finish(result, dtype, None, high=1.0)


def hellinger_distance(p: ArrayLike, q: ArrayLike, axis: int = -1) -> np.ndarray | np.floating:
    """Hellinger distance ``sqrt(0.5 * sum (sqrt p - sqrt q)^2)`` along ``axis``.

    Parameters
    ----------
    p, q : array_like
        Probability vectors along ``axis``, of equal length; batch axes broadcast.
    axis : int, optional
        Axis of the probability vectors. Default ``-1``.

    Returns
    -------
    ndarray or float
        The distance in ``[0, 1]``, with the broadcast batch shape.

    Raises
    ------
    ValueError
        If ``p`` or ``q`` is not a valid probability array or their shapes are incompatible.

    Notes
    -----
    .. math:: H(p, q) = \\sqrt{\\tfrac12 \\sum_i \\big(\\sqrt{p_i} - \\sqrt{q_i}\\big)^2}.

    This convention (the factor 1/2) puts it in ``[0, 1]``; the squared distance is
    the f-divergence of :math:`f(t) = (\\sqrt t - 1)^2 / 2`. Evaluated in float64 with
    :math:`\\sqrt{p_i} - \\sqrt{q_i} = (p_i - q_i) / (\\sqrt{p_i} + \\sqrt{q_i})`, whose
    numerator is exact when ``p ~ q``: neither ``1 - sum sqrt(p q)`` nor the difference of
    rounded square roots, which both cancel there. Clipped to ``[0, 1]``.

    Examples
    --------
    >>> from mathlib import hellinger_distance
    >>> float(hellinger_distance([1.0, 0.0], [0.0, 1.0]))
    1.0
    >>> float(hellinger_distance([0.5, 0.5], [0.5, 0.5]))
    0.0
    """
    with ignore_underflow():
        p_b, q_b, ax, dtype = _pair(p, q, axis)
        P = p_b.astype(np.float64)  # pragma: no mutate (astype(None) is float64)
        Q = q_b.astype(np.float64)  # pragma: no mutate (astype(None) is float64)
        root_sum = np.sqrt(P) + np.sqrt(Q)
        # sqrt p - sqrt q = (p - q) / (sqrt p + sqrt q): p - q is exact near p = q (Sterbenz),
        # where the difference of rounded square roots would cancel.
        # pragma reason: out=None would leave unset memory at p = q = 0 (tested, with shared zeros, but what that
        # memory holds is not reproducible, so no test kills it reliably).
        diff = np.divide(P - Q, root_sum, out=np.zeros_like(root_sum), where=root_sum > 0)  # pragma: no mutate
        result = np.sqrt(0.5 * np.sum(diff * diff, axis=ax))
        return _finish(result, dtype, None, high=1.0)


def chi2_divergence(p: ArrayLike, q: ArrayLike, axis: int = -1) -> np.ndarray | np.floating:
    """Pearson chi-square divergence ``sum (p - q)^2 / q`` along ``axis``.

    Parameters
    ----------
    p, q : array_like
        Probability vectors along ``axis``, of equal length; batch axes broadcast.
    axis : int, optional
        Axis of the probability vectors. Default ``-1``.

    Returns
    -------
    ndarray or float
        The divergence, ``>= 0``, with the broadcast batch shape; ``+inf`` where some
        ``p_i > 0`` has ``q_i = 0``.

    Raises
    ------
    ValueError
        If ``p`` or ``q`` is not a valid probability array or their shapes are incompatible.

    Notes
    -----
    .. math:: \\chi^2(p \\,\\|\\, q) = \\sum_i \\frac{(p_i - q_i)^2}{q_i},

    the f-divergence of :math:`f(t) = (t - 1)^2`. Terms with ``p_i = q_i = 0`` are
    0; ``p_i > 0 = q_i`` gives ``+inf``, without warning. Computed from the
    differences (every term is ``>= 0``), not as ``sum p^2 / q - 1``. Evaluated in float64.

    Examples
    --------
    >>> from mathlib import chi2_divergence
    >>> float(chi2_divergence([0.5, 0.5], [0.25, 0.75]))
    0.3333333333333333
    >>> float(chi2_divergence([0.5, 0.5], [1.0, 0.0]))
    inf
    """
    with ignore_underflow():
        p_b, q_b, ax, dtype = _pair(p, q, axis)
        P = p_b.astype(np.float64)  # pragma: no mutate (astype(None) is float64)
        Q = q_b.astype(np.float64)  # pragma: no mutate (astype(None) is float64)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            diff = P - Q
            terms = diff * diff / Q  # past the float range a term is inf, the right answer
        terms[(P == 0) & (Q == 0)] = 0.0
        return _as_result(np.sum(terms, axis=ax), dtype)


def renyi_divergence(
    p: ArrayLike, q: ArrayLike, alpha: float, axis: int = -1, base: float | None = None
) -> np.ndarray | np.floating:
    """Renyi divergence of order ``alpha`` along ``axis``; ``alpha -> 1`` is KL.

    Parameters
    ----------
    p, q : array_like
        Probability vectors along ``axis``, of equal length; batch axes broadcast.
    alpha : float
        Order, ``0 <= alpha <= inf``.
    axis : int, optional
        Axis of the probability vectors. Default ``-1``.
    base : float or None, optional
        Logarithm base: None for nats (default), 2 for bits.

    Returns
    -------
    ndarray or float
        The divergence, ``>= 0`` (possibly ``+inf``), with the broadcast batch shape.

    Raises
    ------
    ValueError
        If ``alpha`` is negative or NaN, if ``p`` or ``q`` is not a valid probability
        array or their shapes are incompatible, or if ``base`` is invalid.

    Notes
    -----
    .. math:: D_\\alpha(p \\,\\|\\, q) = \\frac{1}{\\alpha - 1} \\log \\sum_{i: p_i > 0} p_i^\\alpha q_i^{1 - \\alpha},

    with the limits :math:`D_0 = -\\log q(\\{i : p_i > 0\\})`, :math:`D_1 = \\mathrm{KL}(p \\,\\|\\, q)`
    (computed by ``kl_divergence``'s method) and
    :math:`D_\\infty = \\log \\max_{i: p_i > 0} p_i / q_i`.

    Near ``alpha = 1`` the sum is :math:`1 + S` with
    :math:`S = \\sum_i p_i \\operatorname{expm1}((\\alpha - 1) \\log(p_i / q_i))`
    (using :math:`\\sum_i p_i = 1`), and the result is :math:`\\operatorname{log1p}(S) / (\\alpha - 1)`:
    no cancellation, so it is continuous in ``alpha`` and tends to KL with full
    relative precision. This form is used for ``|alpha - 1| <= 1/2``; further out the
    log-sum is a ``logsumexp`` of
    :math:`\\log p_i + (\\alpha - 1) \\log(p_i / q_i)`, for ``alpha > 1`` less
    :math:`(\\alpha - 1) L` with :math:`L` the largest log ratio (added back as :math:`L`), so
    that no order, however large, overflows. ``p_i > 0 = q_i`` gives ``+inf``
    for ``alpha >= 1``; disjoint supports give ``+inf`` for every ``alpha``. Rounding
    excursions below 0 are clipped.

    References
    ----------
    - A. Renyi, "On measures of entropy and information", Proc. Fourth Berkeley
      Symposium on Mathematical Statistics and Probability, vol. 1 (1961).
    - T. van Erven and P. Harremoes, "Renyi divergence and Kullback-Leibler
      divergence", IEEE Transactions on Information Theory 60 (2014).

    Examples
    --------
    >>> import numpy as np
    >>> from mathlib import renyi_divergence, kl_divergence
    >>> p, q = [0.2, 0.8], [0.5, 0.5]
    >>> bool(np.isclose(renyi_divergence(p, q, 1.0 + 1e-9), kl_divergence(p, q)))
    True
    >>> round(float(renyi_divergence(p, q, np.inf)), 12)  # log(0.8 / 0.5)
    0.470003629246
    >>> round(float(renyi_divergence(p, q, 2.0)), 10)  # log(sum p^2 / q)
    0.3074846997
    """
    with ignore_underflow():
        order = check_real_scalar(alpha, "alpha", low=0.0, allow_inf=True)
        p_b, q_b, ax, dtype = _pair(p, q, axis)
        log_base = log_of_base(base)
        P = p_b.astype(np.float64)  # pragma: no mutate (astype(None) is float64)
        Q = q_b.astype(np.float64)  # pragma: no mutate (astype(None) is float64)
        support = P > 0
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if order == 1.0:
                result = _kl_sums(P, Q, ax)
            elif order == 0.0:
                result = -np.log(np.sum(np.where(support, Q, 0.0), axis=ax))
            elif order == math.inf:
                # log max p / q as the largest log ratio: a ratio past the float range (q subnormal) stays finite
                result = np.where(support, _log_ratio(P, Q), -np.inf).max(axis=ax)
            else:
                c = order - 1.0
                log_ratio = _log_ratio(P, Q)  # +inf where p > 0 = q; NaN or -inf off the support
                if abs(c) <= 0.5:
                    # expm1 cannot overflow: |log(p / q)| <= log(1 / 5e-324) < 745, so |c log(p / q)| < 373.
                    s = np.sum(np.where(support, P * np.expm1(c * log_ratio), 0.0), axis=ax)
                    result = np.log1p(np.maximum(s, -1.0)) / c
                elif c > 0:  # pragma: no mutate (c != 0 here; unshifted, c <= 1 cannot overflow)
                    # D = L + log(sum p exp(c (log(p / q) - L))) / c about the largest log ratio L over the support:
                    # every exponent is <= 0, so no alpha, however large, overflows. L = +inf (q misses part of the
                    # support) gives +inf.
                    largest = np.where(support, log_ratio, -np.inf).max(axis=ax, keepdims=True)
                    log_terms = np.where(support, np.log(P) + c * (log_ratio - largest), -np.inf)
                    log_sum = np.asarray(logsumexp(log_terms, axis=ax))  # float64, as log_terms is
                    largest = np.squeeze(largest, axis=ax)
                    result = np.where(largest == np.inf, np.inf, largest + log_sum / c)
                else:
                    # -1 <= c < -1/2: |c log(p / q)| < 745 cannot overflow; q = 0 (log ratio +inf) adds exp(-inf) = 0
                    log_terms = np.where(support, np.log(P) + c * log_ratio, -np.inf)
                    result = np.asarray(logsumexp(log_terms, axis=ax)) / c  # float64, as log_terms is
        return _finish(result, dtype, log_base)
