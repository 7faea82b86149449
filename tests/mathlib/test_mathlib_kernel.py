"""mathlib's row kernel (logsumexp, softmax, log_softmax, cross_entropy_loss): a row's result depends on
that row alone, whatever shares the call, and inputs spanning many blocks and threads agree row by row
with the same rows computed one at a time."""

from __future__ import annotations

import math
import multiprocessing
import tracemalloc

import mpmath
import numpy as np
import pytest
import scipy.special

from mathlib import _rowwise, cross_entropy_loss, log_softmax, logsumexp, softmax
from mathlib_testing import mp_log_softmax, mp_logsumexp, ulp_error

pytestmark = pytest.mark.filterwarnings("error")


def log_probability_rows(seed: int, shape: tuple[int, int]) -> np.ndarray:
    """Rows log(p) of random distributions p: their logsumexp nearly cancels to 0 (|lse| ~ 1e-16)."""
    p = np.random.default_rng(seed).random(shape)
    p /= p.sum(axis=1, keepdims=True)
    return np.log(p)


def test_logsumexp_of_a_row_does_not_depend_on_the_other_rows_of_the_batch():
    # Issue 12, H2: 40 rows of 1000 near-cancelling entries used to exceed a per-call budget of exact
    # work, and then every row kept a 1e13-ulp error.
    rows = log_probability_rows(5, (40, 1000))
    batch = logsumexp(rows)
    one_at_a_time = np.array([logsumexp(row) for row in rows])
    np.testing.assert_array_equal(batch, one_at_a_time)


def test_logsumexp_of_near_cancelling_rows_is_within_two_ulp_of_mpmath_in_a_large_batch():
    rows = log_probability_rows(5, (40, 1000))
    got = logsumexp(rows)
    errors = [ulp_error(got[i], mp_logsumexp(rows[i].tolist()), np.float64) for i in range(0, 40, 8)]
    assert max(errors) <= 2


def test_long_double_counts_as_float64_where_its_exp_or_log1p_has_only_float64_precision():
    # WebAssembly (the browser edition) has a 113-bit long double whose exp and log1p are musl's float64
    # ones: trusting the format would keep rows off the exact path that need it (5 ulp seen there).
    def float64_only(function):
        return lambda x: np.longdouble(function(np.float64(x)))

    assert _rowwise._long_double_bits(exp=float64_only(np.exp)) == 52
    assert _rowwise._long_double_bits(log1p=float64_only(np.log1p)) == 52
    # This platform's own functions, judged against 200-bit mpmath rather than the code's references.
    with mpmath.workprec(200):
        e, ln2 = mpmath.e, mpmath.log(2)
        accurate = all(
            abs(mpmath.mpf(str(value)) - exact) <= exact * mpmath.mpf(2) ** -60
            for value, exact in ((np.exp(np.longdouble(1)), e), (np.log1p(np.longdouble(1)), ln2))
        )
    expected = int(np.finfo(np.longdouble).nmant) if accurate else 52
    assert _rowwise._long_double_bits() == min(expected, int(np.finfo(np.longdouble).nmant))


def test_logsumexp_rows_that_cancel_are_within_two_ulp_where_long_double_is_only_float64(monkeypatch):
    # Where long double is worth float64 (as in WebAssembly), every row whose last addition cancels by more
    # than 2**-3 goes to the decimal path; rows like the browser's [-0.6015, -0.6042, -6.0935] (condition ~14),
    # which glibc's long double handles, must still be within the 2-ulp budget.
    monkeypatch.setattr(_rowwise, "_VERY_ILL_CONDITIONED", 2.0 ** (52 - 55))
    rng = np.random.default_rng(13)
    rows = np.column_stack([rng.uniform(-0.75, -0.55, 64), rng.uniform(-0.75, -0.55, 64), rng.uniform(-7, -5, 64)])
    _, condition = _rowwise._lse_extended(rows)
    assert (condition > 1.5).all()  # each row is one that cancels: off the plain float64 path
    got = logsumexp(rows)
    errors = [ulp_error(got[i], mp_logsumexp(rows[i].tolist()), np.float64) for i in range(len(rows))]
    assert max(errors) <= 2


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("num_classes", [3, 64, 65, 5000])
def test_row_functions_of_a_batch_spanning_many_blocks_equal_them_row_by_row(dtype, num_classes):
    # Enough rows for several blocks (half a MiB per buffer) and for every worker thread, with hard rows spread
    # through them: +-inf logits, a NaN, a confident row, and rows shifted far from 0.
    rng = np.random.default_rng(num_classes)
    n = max(8, 3 * (1 << 20) // (8 * num_classes))
    x = (rng.standard_normal((n, num_classes)) * rng.choice([1.0, 100.0], size=(n, 1))
         + rng.choice([0.0, 100.0, -1000.0], size=(n, 1))).astype(dtype)
    x[1, 0] = np.inf
    x[n // 2, :] = -np.inf
    x[n - 2, -1] = np.nan
    x[n - 3, 0] = 60.0
    target = rng.integers(0, num_classes, n)
    picks = [0, 1, 2, n // 3, n // 2, n - 3, n - 2, n - 1]
    batch_lse, batch_log, batch_soft = logsumexp(x), log_softmax(x), softmax(x)
    batch_ce = cross_entropy_loss(x, target, reduction="none")
    for i in picks:
        np.testing.assert_array_equal(batch_lse[i], logsumexp(x[i]))
        np.testing.assert_array_equal(batch_log[i], log_softmax(x[i]))
        np.testing.assert_array_equal(batch_soft[i], softmax(x[i]))
        np.testing.assert_array_equal(batch_ce[i], cross_entropy_loss(x[i : i + 1], target[i : i + 1], reduction="none")[0])


@pytest.mark.parametrize("num_classes", [10, 3000])
def test_cross_entropy_mean_over_many_blocks_is_the_mean_of_the_per_sample_losses(num_classes):
    rng = np.random.default_rng(1)
    n = 3 * (1 << 20) // (8 * num_classes)
    x = rng.standard_normal((n, num_classes)) + 100.0
    target = rng.integers(0, num_classes, n)
    per_sample = cross_entropy_loss(x, target, reduction="none")
    assert cross_entropy_loss(x, target) == pytest.approx(math.fsum(per_sample) / n, rel=1e-13, abs=0)
    assert cross_entropy_loss(x, target, reduction="sum") == pytest.approx(math.fsum(per_sample), rel=1e-13, abs=0)


@pytest.mark.parametrize("shift, scale", [(100.0, 1.0), (0.0, 100.0), (0.0, 1.0)])
def test_cross_entropy_loss_never_copies_the_logits(shift, scale):
    # Issue 12, H1: shifted or scaled logits used to be gathered whole for a second pass.
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1024, 8192), dtype=np.float32) * np.float32(scale) + np.float32(shift)
    target = rng.integers(0, 8192, 1024)
    tracemalloc.start()
    try:
        cross_entropy_loss(x, target)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < x.nbytes / 8, f"peak {peak / 2**20:.1f} MiB for {x.nbytes / 2**20:.0f} MiB of logits"


def test_the_worker_pool_is_created_once_and_reused():
    from mathlib import _rowwise

    assert _rowwise._get_executor() is _rowwise._get_executor()


def _logsumexp_in_child(connection, rows, inherited_pool):
    result = logsumexp(rows)
    connection.send((result, _rowwise._get_executor() is inherited_pool))
    connection.close()


def test_a_forked_child_gets_a_worker_pool_of_its_own(monkeypatch):
    # A forked child inherits the pool object but none of its threads: it must make a pool of its own (work
    # submitted to the inherited one can wait forever). 4096 rows of 64 zeros (2^18 entries, 4 blocks) go to two
    # workers in parent and child.
    monkeypatch.setattr(_rowwise, "num_workers", lambda: 2)
    rows = np.zeros((4096, 64))
    np.testing.assert_allclose(logsumexp(rows), math.log(64), rtol=1e-15)  # log(sum of 64 ones)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_logsumexp_in_child, args=(sender, rows, _rowwise._executor))
    child.start()
    try:
        assert receiver.poll(30), "the forked child's logsumexp did not finish within 30 s"
        result, reused_inherited_pool = receiver.recv()
        np.testing.assert_allclose(result, math.log(64), rtol=1e-15)
        assert not reused_inherited_pool
    finally:
        child.join(5)
        if child.is_alive():
            child.kill()
            child.join()
    assert child.exitcode == 0


def float16_logits(seed: int, shape: tuple[int, int]) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal(shape) * 3).astype(np.float16)


def test_cross_entropy_of_float16_logits_is_rounded_once_from_float32_work():
    # float16 work rounds every step (1000 terms of a sum: up to an ulp off); float32 work, rounded once at the end,
    # is within half a float16 ulp of the float64 reference, plus a few float32 ulps (each 2^-13 of a float16 ulp).
    # Reference: scipy in float64 on the float16 inputs.
    x = float16_logits(3, (256, 1000))
    target = np.random.default_rng(3).integers(0, 1000, 256)
    wide = x.astype(np.float64)
    reference = scipy.special.logsumexp(wide, axis=1) - wide[np.arange(256), target]
    got = cross_entropy_loss(x, target, reduction="none")
    assert got.dtype == np.float16
    ulps = np.abs(got.astype(np.float64) - reference) / np.spacing(reference.astype(np.float16)).astype(np.float64)
    assert ulps.max() < 0.5 + 2.0**-10


def peak_memory_of_cross_entropy(dtype) -> int:
    x = float16_logits(0, (1024, 8192)).astype(dtype)
    target = np.random.default_rng(0).integers(0, 8192, 1024)
    tracemalloc.start()
    try:
        cross_entropy_loss(x, target)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_float16_logits_work_in_float32_not_float64(monkeypatch):
    # Same shape, so the same blocks: float32 work buffers take as much memory as for float32 logits (about half a
    # MiB per thread here), float64 ones twice that. One worker thread: with two, whether both threads' buffers
    # exist at once depends on how the threads are scheduled, and the peaks with them.
    monkeypatch.setattr(_rowwise, "num_workers", lambda: 1)
    assert peak_memory_of_cross_entropy(np.float16) < 1.25 * peak_memory_of_cross_entropy(np.float32)


def test_log_softmax_takes_the_limit_row_by_row_when_several_rows_hold_plus_infinity():
    # One +inf per row: each row is one-hot there, however many such rows share the block.
    got = log_softmax(np.array([[np.inf, 0.0], [0.0, np.inf], [1.0, 2.0]]))
    np.testing.assert_array_equal(got[:2], [[0.0, -np.inf], [-np.inf, 0.0]])
    np.testing.assert_allclose(got[2], [-1.0 - math.log1p(math.exp(-1.0)), -math.log1p(math.exp(-1.0))], rtol=1e-15)


def long_double_within(exact: mpmath.mpf, relative_error: float):
    """A stand-in for long double exp or log1p whose value at 1 is ``exact (1 + relative_error)``."""
    with mpmath.workprec(200):
        value = np.longdouble(mpmath.nstr(exact * (1 + mpmath.mpf(relative_error)), 40))
    return lambda x: value


@pytest.mark.parametrize("relative_error, trusted", [(0.0, True), (2.0**-62, True), (3 * 2.0**-62, True),
                                                     (5 * 2.0**-62, False), (2.0**-54, False)])
def test_long_double_is_trusted_only_where_its_exp_and_log1p_are_within_two_to_minus_sixty(relative_error, trusted):
    # Judged on exp(1) and log1p(1) = log 2. 3 * 2**-62 = 0.75 * 2**-60 passes; 5 * 2**-62 = 1.25 * 2**-60 does not.
    with mpmath.workprec(200):
        e, ln2 = mpmath.e, mpmath.log(2)
    nmant = int(np.finfo(np.longdouble).nmant)
    expected = nmant if trusted else min(nmant, 52)
    assert _rowwise._long_double_bits(exp=long_double_within(e, relative_error),
                                      log1p=long_double_within(ln2, relative_error)) == expected
    assert _rowwise._long_double_bits(exp=long_double_within(e, relative_error),
                                      log1p=long_double_within(ln2, 0.0)) == expected
    assert _rowwise._long_double_bits(exp=long_double_within(e, 0.0),
                                      log1p=long_double_within(ln2, relative_error)) == expected


def test_log_softmax_rounds_once_where_the_difference_to_the_max_is_a_tie():
    # x in [-2, -1) and m in [1, 2) have ulp 2**-52, x - m in (-4, -2) has ulp 2**-51: the difference is
    # exact or exactly halfway, and its rounding error (half an ulp) must enter before the result is rounded.
    # Adding it to an already rounded (x - m) - log_s rounds twice: up to 0.94 ulp off on these rows.
    rng = np.random.default_rng(7)
    rows = np.column_stack([rng.uniform(1, 2, 64), rng.uniform(-2, -1, 64)])
    got = log_softmax(rows)[:, 1]
    errors = [ulp_error(got[i], mp_log_softmax(rows[i].tolist())[1], np.float64) for i in range(len(rows))]
    assert max(errors) <= 0.625


@pytest.mark.parametrize("function", [softmax, log_softmax], ids=lambda f: f.__name__)
@pytest.mark.parametrize("shape", [(3, 0), (0, 3), (0, 0)])
def test_softmax_of_empty_rows_or_no_rows_is_empty_of_the_same_shape(function, shape):
    got = function(np.zeros(shape))
    assert got.shape == shape and got.dtype == np.float64


@pytest.mark.parametrize("row", [[-1e-90, math.log(1e-90)], [-1e-20, math.log(1e-20)], [-1e-300, math.log(1e-300)],
                                 [math.log(1e-300), -1e-300, -800.0]],
                         ids=["1e-90", "1e-20", "1e-300", "1e-300, max second"])
def test_logsumexp_with_a_tiny_max_that_cancels_is_within_two_ulp_of_mpmath(row):
    # e^-1e-90 + e^log(1e-90) = 1 + O(1e-106): the result is far below the max, 7e-105 for the first row (it
    # used to be -1e-90, the max itself: the decimal path stopped at 40 digits, where 1 + 1e-90 rounds to 1).
    assert ulp_error(logsumexp(row), mp_logsumexp(row), np.float64) <= 2


def test_logsumexp_of_cancelling_log_probabilities_next_to_a_huge_negative_entry_is_within_two_ulp():
    # log(0.25 + 0.75 + e^-1e300) nearly cancels to 0: the decimal path, which must shift by the max, not by
    # the first entry (exp(1e300) overflows any decimal context), nor overflow on the entry itself.
    row = [-1e300, math.log(0.25), math.log(0.75)]
    assert ulp_error(logsumexp(row), mp_logsumexp(row), np.float64) <= 2


def test_float64_logsumexp_corrects_the_rounding_of_x_minus_max_within_two_ulp_of_mpmath():
    # A small positive max (1e-4 to 1e-2) and two entries 2 to 8 below it: x - m is rounded (the operands are
    # of different sizes), and exp of the rounded difference is off by up to |d| 2**-53 relative. Without the
    # TwoSum correction of d some of these rows are 4 ulp off. (Two entries: the sum itself adds little error.)
    rng = np.random.default_rng(1)
    rows = np.concatenate([rng.uniform(1e-4, 1e-2, (300, 1)), -rng.uniform(2, 8, (300, 2))], axis=1)
    got = logsumexp(rows)
    with mpmath.workprec(300):
        reference = [float(mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(float(v))) for v in row))) for row in rows]
    ulps = np.abs(got - reference) / np.spacing(np.abs(reference))
    assert ulps.max() <= 2


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n", [65, 1000])
def test_softmax_of_wide_rows_under_a_dominant_max_agrees_with_scipy(dtype, n):
    # A dominated row's max term is taken out of the sum and put back: softmax, which divides the terms by
    # their sum, must find it there (rows of more than 64 entries keep their layout; fewer are transposed).
    rng = np.random.default_rng(4)
    rows = rng.uniform(-60.0, -20.0, (5, n)).astype(dtype)
    rows[np.arange(5), rng.integers(0, n, 5)] = 0.0
    got = softmax(rows, axis=1)
    expected = scipy.special.softmax(rows.astype(np.float64), axis=1)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, expected.astype(dtype), rtol=4 * np.finfo(dtype).eps, atol=0)
