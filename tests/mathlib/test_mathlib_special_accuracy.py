"""Accuracy of mathlib.special against a 300-bit mpmath reference, in ulps of the output dtype.

The contract's budgets: logsumexp, log_sigmoid, softplus within 2 ulp; log_softmax within 4 ulp. Each test
records the worst error it saw (printed in the "mathlib accuracy" section at the end of the run) and
asserts the budget.

The grid is deterministic: float extremes, all pairs and many triples of a set of dyadic values spanning
the float range, repeated entries, vectors whose maximum lies in ``(-2 log n, 0)`` (there the final
``m + log1p(s)`` of logsumexp cancels, the hardest case for the 2 ulp budget), and seeded random vectors of
arbitrary (non-dyadic) floats, where the differences ``x_j - max(x)`` are themselves rounded.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from mathlib import log_sigmoid, log_softmax, logsumexp, softplus
from mathlib_testing import mp_log_sigmoid, mp_log_softmax, mp_logsumexp, mp_softplus, ulp_error

pytestmark = pytest.mark.filterwarnings("error")

_SCALAR_MAGNITUDES = [
    1e308, 1e300, 1e38, 1e10, 1e4, 1000.0, 746.0, 745.0, 710.0, 709.0, 700.0, 104.0, 100.0, 88.5, 50.0,
    40.0, 37.0, 36.5, 33.5, 20.0, 18.0, 17.0, 10.0, 5.0, 2.0, 1.0, 0.5, 2.0**-10, 2.0**-30, 2.0**-60,
    1e-300, 5e-324,
]


def scalar_grid(dtype) -> np.ndarray:
    """Extremes of both signs, a dense dyadic grid on [-60, 60] and log-spaced magnitudes."""
    values = [0.0] + [sign * v for v in _SCALAR_MAGNITUDES for sign in (1.0, -1.0)]
    values += list(np.arange(-60.0, 60.0 + 0.125, 0.125))
    values += [sign * v for v in np.logspace(-20, 3, 47) for sign in (1.0, -1.0)]
    representable = [v for v in values if abs(v) <= float(np.finfo(dtype).max)]
    return np.unique(np.array(representable, dtype=dtype))


_VECTOR_VALUES = {
    np.float64: [-1e308, -1e300, -1000.0, -745.0, -100.0, -40.0, -20.0, -2.0, 0.0, 0.5, 2.0, 20.0, 40.0, 100.0, 700.0, 1000.0, 1e300, 1e308],
    np.float32: [-3e38, -1e38, -1000.0, -745.0, -100.0, -40.0, -20.0, -2.0, 0.0, 0.5, 2.0, 20.0, 40.0, 88.0, 100.0, 1000.0, 1e38, 3e38],
}


def vector_grid(dtype) -> list[np.ndarray]:
    """Pairs and triples of grid values, repeated entries, and seeded dyadic random vectors."""
    values = _VECTOR_VALUES[dtype]
    vectors = [list(pair) for pair in itertools.product(values, repeat=2)]
    vectors += [list(triple) for triple in itertools.product(values[::3], repeat=3)]
    vectors += [[v] * n for v in values for n in (1, 2, 3, 10, 100)]
    rng = np.random.default_rng(20240601)
    for size in (2, 3, 5, 8, 20, 50):
        for scale in (1.0, 10.0, 200.0):
            for _ in range(4):
                # multiples of 2**-10 below 2**20: every difference between entries is exact
                vectors.append(list(np.round(scale * rng.standard_normal(size) * 1024.0) / 1024.0))
                # arbitrary floats: the differences between entries are rounded
                vectors.append(list(scale * rng.standard_normal(size)))
    for size in (2, 3, 5, 10):
        for _ in range(25):
            # maximum in (-2 log n, 0): logsumexp = m + log1p(s) is a cancellation
            vectors.append(list(rng.uniform(-2.0 * math.log(size), 0.0, size=size)))
    return [np.array(v, dtype=dtype) for v in vectors]


def record(ulp_report, name, dtype, errors_and_inputs, budget):
    worst, where = max(errors_and_inputs, key=lambda pair: pair[0])
    ulp_report(name, np.dtype(dtype).name, worst, budget, where)
    return worst, where


@pytest.mark.parametrize("function, reference, name", [(softplus, mp_softplus, "softplus"), (log_sigmoid, mp_log_sigmoid, "log_sigmoid")])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_elementwise_function_is_within_two_ulp_of_mpmath(function, reference, name, dtype, ulp_report):
    grid = scalar_grid(dtype)
    got = np.asarray(function(grid))
    assert got.dtype == dtype
    errors = [(ulp_error(g, reference(x), dtype), f"x={x!r}") for x, g in zip(grid.tolist(), got.tolist())]
    worst, where = record(ulp_report, name, dtype, errors, budget=2)
    assert worst <= 2, f"{name} is {worst:.2f} ulp from the 300-bit value at {where}"


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_logsumexp_is_within_two_ulp_of_mpmath(dtype, ulp_report):
    vectors = vector_grid(dtype)
    errors = []
    for vector in vectors:
        got = logsumexp(vector)
        assert np.asarray(got).dtype == dtype
        errors.append((ulp_error(got, mp_logsumexp(vector.tolist()), dtype), f"a={vector.tolist()!r}"))
    worst, where = record(ulp_report, "logsumexp", dtype, errors, budget=2)
    assert worst <= 2, f"logsumexp is {worst:.2f} ulp from the 300-bit value at {where}"


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_logsumexp_batch_is_within_two_ulp_of_mpmath_row_by_row(dtype):
    # The same accuracy when the rows arrive as one (N, C) batch rather than one vector at a time.
    rows = np.stack([v for v in vector_grid(dtype) if len(v) == 2])
    got = logsumexp(rows, axis=-1)
    errors = [ulp_error(g, mp_logsumexp(row.tolist()), dtype) for row, g in zip(rows, got.tolist())]
    assert max(errors) <= 2


@pytest.mark.parametrize("n", [9, 33, 64, 65, 200])
def test_float64_logsumexp_of_many_entries_under_a_dominant_max_is_within_two_ulp_of_mpmath(n):
    # One entry near 0 and the rest in [-8, -2]: the sum exp(x - m) holds n terms, and a float64 sum of n
    # terms, pairwise with 8 accumulators or in sequence, is off by up to about n / 8 or n ulp (here 4 to
    # 8 ulp at 33 to 64 entries, where the rows are transposed, or not, at 64 entries and fewer).
    rng = np.random.default_rng(1)
    rows = rng.uniform(-8.0, -2.0, (100, n))
    rows[:, 0] = rng.uniform(1e-4, 1e-2, 100)
    for got in (logsumexp(rows, axis=1), logsumexp(rows.T, axis=0)):
        errors = [ulp_error(g, mp_logsumexp(row.tolist()), np.float64) for row, g in zip(rows, got.tolist())]
        assert max(errors) <= 2, f"{max(errors):.2f} ulp at row {int(np.argmax(errors))}"


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_log_softmax_is_within_four_ulp_of_mpmath(dtype, ulp_report):
    errors = []
    for vector in vector_grid(dtype):
        got = np.asarray(log_softmax(vector))
        assert got.dtype == dtype
        exact = mp_log_softmax(vector.tolist())
        errors += [
            (ulp_error(g, e, dtype), f"x={vector.tolist()!r}[{i}]") for i, (g, e) in enumerate(zip(got.tolist(), exact))
        ]
    worst, where = record(ulp_report, "log_softmax", dtype, errors, budget=4)
    assert worst <= 4, f"log_softmax is {worst:.2f} ulp from the 300-bit value at {where}"


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_log_softmax_along_axis_zero_is_within_four_ulp_of_mpmath(dtype):
    columns = np.stack([v for v in vector_grid(dtype) if len(v) == 3], axis=1)  # shape (3, M)
    got = log_softmax(columns, axis=0)
    errors = [
        ulp_error(g, e, dtype)
        for column, got_column in zip(columns.T, got.T)
        for g, e in zip(got_column.tolist(), mp_log_softmax(column.tolist()))
    ]
    assert max(errors) <= 4



@pytest.mark.parametrize("n", [200, 1000])
def test_float64_logsumexp_of_wide_rows_under_a_dominant_max_is_within_two_ulp_of_mpmath(n):
    # Rows of more than 64 entries keep their layout; one entry near 0 dominates (the other terms, exp of
    # [-14, -8], add up to about n / 10**4), so log_s is log1p of the sum without the max's term. (Without the
    # TwoSum correction of d these rows are up to 6 ulp off.)
    rng = np.random.default_rng(2)
    rows = rng.uniform(-14.0, -8.0, (60, n))
    rows[:, 0] = rng.uniform(1e-4, 1e-2, 60)
    got = logsumexp(rows, axis=1)
    errors = [ulp_error(g, mp_logsumexp(row.tolist()), np.float64) for row, g in zip(rows, got.tolist())]
    assert max(errors) <= 2, f"{max(errors):.2f} ulp at row {int(np.argmax(errors))}"
