"""Strategies, settings and independent oracles shared by the mathlib tests.

Nothing here imports mathlib: every expected value the tests use comes from this module (mpmath at 300
bits), from scipy, from torch, or from a hand calculation written out in the test itself.
"""

from __future__ import annotations

import mpmath
import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# Reproducible in CI: the same examples on every run, nothing read from or written to a database.
PROPERTY_SETTINGS = settings(max_examples=100, deadline=None, derandomize=True, database=None)

# ---------------------------------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------------------------------

# Unnormalized weights: exact zeros are drawn often, so that 0 log 0 and q = 0 are exercised.
_WEIGHT = st.one_of(st.just(0.0), st.floats(min_value=1e-6, max_value=1.0))
_POSITIVE_WEIGHT = st.floats(min_value=1e-3, max_value=1.0)


def _normalize(weights: np.ndarray) -> np.ndarray:
    return weights / weights.sum()


def distributions(size: int, full_support: bool = False) -> st.SearchStrategy[np.ndarray]:
    """Probability vectors of length ``size`` (float64, summing to 1 up to rounding)."""
    elements = _POSITIVE_WEIGHT if full_support else _WEIGHT
    return (
        hnp.arrays(np.float64, size, elements=elements)
        .filter(lambda weights: weights.sum() > 0)
        .map(_normalize)
    )


def distribution_pairs(
    min_size: int = 1, max_size: int = 8, full_support_p: bool = False, full_support_q: bool = False
) -> st.SearchStrategy[tuple[np.ndarray, np.ndarray]]:
    """Pairs ``(p, q)`` of probability vectors of one common length."""
    return st.integers(min_size, max_size).flatmap(
        lambda size: st.tuples(distributions(size, full_support_p), distributions(size, full_support_q))
    )


def joint_tables(max_side: int = 5) -> st.SearchStrategy[np.ndarray]:
    """2-D joint probability tables (rows index X, columns index Y)."""
    shapes = st.tuples(st.integers(1, max_side), st.integers(1, max_side))
    return (
        shapes.flatmap(lambda shape: hnp.arrays(np.float64, shape, elements=_WEIGHT))
        .filter(lambda weights: weights.sum() > 0)
        .map(_normalize)
    )


def logit_arrays(max_classes: int = 12, bound: float = 100.0) -> st.SearchStrategy[np.ndarray]:
    """Batches ``(N, C)`` of finite logits."""
    shapes = st.tuples(st.integers(1, 4), st.integers(1, max_classes))
    return shapes.flatmap(
        lambda shape: hnp.arrays(np.float64, shape, elements=st.floats(-bound, bound))
    )


def labels_and_groups(max_size: int = 60) -> st.SearchStrategy[tuple[np.ndarray, np.ndarray]]:
    """Equal-length integer arrays ``(labels, groups)``: a class label and a split branch per example."""
    return st.integers(1, max_size).flatmap(
        lambda size: st.tuples(
            hnp.arrays(np.int64, size, elements=st.integers(0, 3)),
            hnp.arrays(np.int64, size, elements=st.integers(0, 4)),
        )
    )


# ---------------------------------------------------------------------------------------------------
# Errors in ulps against a 300-bit mpmath reference
# ---------------------------------------------------------------------------------------------------

REFERENCE_BITS = 300

# (significand bits including the hidden bit, smallest normal exponent)
_FORMAT = {np.dtype(np.float64): (53, -1022), np.dtype(np.float32): (24, -126)}


def _overflow_threshold(dtype) -> mpmath.mpf:
    """Magnitudes at or above this round to infinity: max + half an ulp of max."""
    bits, _ = _FORMAT[np.dtype(dtype)]
    finfo_max = mpmath.mpf(float(np.finfo(dtype).max))
    return finfo_max + mpmath.ldexp(mpmath.mpf(1), int(np.finfo(dtype).maxexp) - 1 - bits)


with mpmath.workprec(REFERENCE_BITS):
    _OVERFLOW = {np.dtype(d): _overflow_threshold(d) for d in (np.float32, np.float64)}


def ulp_of(exact: mpmath.mpf, dtype) -> mpmath.mpf:
    """The spacing of ``dtype`` floats at the (exact, unrounded) value ``exact``."""
    bits, min_exponent = _FORMAT[np.dtype(dtype)]
    if exact == 0:
        exponent = min_exponent
    else:
        _, frexp_exponent = mpmath.frexp(abs(exact))  # |exact| = m 2**e with 0.5 <= m < 1
        exponent = max(int(frexp_exponent) - 1, min_exponent)
    return mpmath.ldexp(mpmath.mpf(1), exponent - (bits - 1))


def ulp_error(got, exact: mpmath.mpf, dtype) -> float:
    """``|got - exact|`` in units of the last place of ``dtype`` at ``exact``."""
    got = float(got)
    with mpmath.workprec(REFERENCE_BITS):
        if not mpmath.isinf(exact) and abs(exact) > _OVERFLOW[np.dtype(dtype)]:
            exact = mpmath.inf if exact > 0 else -mpmath.inf  # correctly rounded, it overflows
        if mpmath.isinf(exact) or np.isinf(got) or np.isnan(got):
            return 0.0 if got == exact else float("inf")
        return float(abs(mpmath.mpf(got) - exact) / ulp_of(exact, dtype))


def mp_logsumexp(values) -> mpmath.mpf:
    """``log(sum(exp(values)))`` at 300 bits, as ``m + log1p(sum_{j != argmax} exp(x_j - m))``.

    The log1p form keeps full relative precision when the result is tiny (``[0, -700]``), where
    ``log(1 + e**-700)`` would round ``1 + e**-700`` to 1 even at 300 bits.
    """
    with mpmath.workprec(REFERENCE_BITS):
        xs = [mpmath.mpf(float(v)) for v in values]
        if not xs:
            return mpmath.mpf("-inf")
        top = max(range(len(xs)), key=lambda i: xs[i])
        m = xs[top]
        if mpmath.isinf(m):
            return m
        rest = mpmath.fsum(mpmath.exp(x - m) for i, x in enumerate(xs) if i != top)
        return m + mpmath.log1p(rest)


def mp_log_softmax(values) -> list[mpmath.mpf]:
    """``x_i - logsumexp(x)`` at 300 bits, each entry with full relative precision."""
    with mpmath.workprec(REFERENCE_BITS):
        xs = [mpmath.mpf(float(v)) for v in values]
        top = max(range(len(xs)), key=lambda i: xs[i])
        m = xs[top]
        log1p_rest = mpmath.log1p(mpmath.fsum(mpmath.exp(x - m) for i, x in enumerate(xs) if i != top))
        return [(x - m) - log1p_rest for x in xs]


def mp_softplus(x) -> mpmath.mpf:
    """``log(1 + exp(x))`` at 300 bits (log1p keeps the tiny values for very negative x)."""
    with mpmath.workprec(REFERENCE_BITS):
        return mpmath.log1p(mpmath.exp(mpmath.mpf(float(x))))


def mp_log_sigmoid(x) -> mpmath.mpf:
    """``log(1 / (1 + exp(-x))) = -log1p(exp(-x))`` at 300 bits."""
    with mpmath.workprec(REFERENCE_BITS):
        return -mpmath.log1p(mpmath.exp(-mpmath.mpf(float(x))))


def mp_kl_divergence(p, q) -> mpmath.mpf:
    """``sum p log(p / q)`` at 300 bits over the exact float inputs (requires q > 0 where p > 0)."""
    with mpmath.workprec(REFERENCE_BITS):
        return mpmath.fsum(
            mpmath.mpf(float(pi)) * mpmath.log(mpmath.mpf(float(pi)) / mpmath.mpf(float(qi)))
            for pi, qi in zip(p, q)
            if pi > 0
        )


def mp_js_divergence(p, q) -> mpmath.mpf:
    """``JS(p, q) = 1/2 sum [p log(2p / (p + q)) + q log(2q / (p + q))]`` at 300 bits over the exact float inputs.

    The textbook form: near ``p = q`` its ``O(p - q)`` terms cancel to leave an ``O((p - q)^2)`` result,
    which costs about ``2 log2(1 / |p - q|)`` of the 300 bits (80 bits at ``|p - q| = 1e-12``): far more
    than a float64 result needs.
    """
    with mpmath.workprec(REFERENCE_BITS):
        total = mpmath.mpf(0)
        for pi, qi in zip(np.asarray(p).tolist(), np.asarray(q).tolist()):
            x, y = mpmath.mpf(pi), mpmath.mpf(qi)
            if x > 0:
                total += x * mpmath.log(2 * x / (x + y))
            if y > 0:
                total += y * mpmath.log(2 * y / (x + y))
        return total / 2
