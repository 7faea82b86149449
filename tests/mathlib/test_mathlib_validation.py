"""mathlib's argument checking (the private mathlib._validation), through the public functions: each bad
argument raises with the exact message the validation module words for it, naming the argument, the row or
entry, and the value; the boundaries of each check (one entry, a sum off by exactly the tolerance) are
accepted."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import scipy.special

import mathlib

pytestmark = pytest.mark.filterwarnings("error")

LOG_THIRDS = np.log(np.full((2, 3), 1 / 3))
QUARTERS = np.full((2, 3), 0.25)

# (call, exception type, the whole message): each message is the specification of that check's wording.
BAD_CALLS = {
    "f_divergence: f not callable": (
        lambda: mathlib.f_divergence([0.5, 0.5], [0.5, 0.5], 3), ValueError, "f must be callable; got 3"),
    "mse_loss: shapes differ": (
        lambda: mathlib.mse_loss(np.ones(3), np.ones(4)), ValueError,
        "input and target must have the same shape (no broadcasting); got (3,) and (4,)"),
    # probability vectors: the row is named by its index in the batch, a tuple when the batch has 2 dims
    "entropy: negative entry in row 1 of a 1-D batch": (
        lambda: mathlib.entropy(np.array([[0.5, 0.5], [1.5, -0.5]])), ValueError,
        "p row 1 has a negative probability -0.5 (at position 1 along axis -1)"),
    "entropy: row (1, 2) of a 2-D batch sums to 1.25": (
        lambda: mathlib.entropy(np.concatenate([np.full((5, 2), 0.5), [[0.5, 0.75]]]).reshape(2, 3, 2)),
        ValueError,
        "p row (1, 2) sums to 1.25, not 1 (tolerance 5e-15 for 2 float64 entries); "
        "probabilities are never renormalized"),
    "entropy: row (0, 1) of a 2-D batch holds inf": (
        lambda: mathlib.entropy(np.array([[[0.5, 0.5], [0.0, np.inf]]])), ValueError,
        "p row (0, 1) contains inf (at position 1 along axis -1); probabilities must be finite"),
    "entropy: negative entry after a zero and an entry above 1": (
        # the first negative entry is named: not the 0 before it, nor the 1.5 (the first entry below 1)
        lambda: mathlib.entropy([0.0, 1.5, -0.5]), ValueError,
        "p has a negative probability -0.5 (at position 2)"),
    "entropy: NaN in a single vector (no axis named)": (
        lambda: mathlib.entropy([0.5, np.nan]), ValueError,
        "p contains NaN (at position 1); probabilities must be finite"),
    "entropy: inf and -inf in a single vector (their sum is NaN, and no warning)": (
        lambda: mathlib.entropy([np.inf, -np.inf]), ValueError,
        "p contains inf (at position 0); probabilities must be finite"),
    "entropy: a single entry off by 20 eps, over the tolerance 16 eps sqrt(1)": (
        # 1 + 20 * 2**-52 = 1.0000000000000044; tolerance 16 * 2**-52 = 3.6e-15 (not 16 eps sqrt(2) = 5.0e-15)
        lambda: mathlib.entropy([1.0 + 20 * 2.0**-52]), ValueError,
        "p sums to 1.0000000000000044, not 1 (tolerance 3.6e-15 for 1 float64 entries); "
        "probabilities are never renormalized"),
    "entropy: float32 vector summed in float64": (
        # as for the joint table below: a float32 running sum would round both 2**-23 away and print 2.0
        lambda: mathlib.entropy(np.float32([1.0, 1.0, 2.0**-23, 2.0**-23])), ValueError,
        "p sums to 2.0000002, not 1 (tolerance 3.8e-06 for 4 float32 entries); probabilities are never renormalized"),
    "entropy: strings": (
        lambda: mathlib.entropy(["a"]), TypeError, "p must hold real numbers; got an array of dtype <U1"),
    "entropy: vectors of length 0": (
        lambda: mathlib.entropy(np.zeros((2, 0))), ValueError,
        "p is empty along axis -1: a probability vector needs at least one entry"),
    "entropy: a scalar": (
        lambda: mathlib.entropy(1.0), ValueError,
        "p must have at least one dimension (a vector along axis -1); got a scalar"),
    "entropy: axis equal to ndim": (
        lambda: mathlib.entropy([0.5, 0.5], axis=1), ValueError, "axis 1 is out of bounds for p with 1 dimension(s)"),
    # pairs of probability arrays
    "kl_divergence: vectors of different lengths": (
        lambda: mathlib.kl_divergence([0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]), ValueError,
        "p and q must have the same length along axis -1; got 2 and 3 (shapes (2,) and (3,))"),
    "kl_divergence: batches that do not broadcast": (
        lambda: mathlib.kl_divergence(np.full((2, 2), 0.5), np.full((3, 2), 0.5)), ValueError,
        "p and q have shapes (2, 2) and (3, 2), whose batch dimensions do not broadcast"),
    "kl_divergence: axis out of bounds for p": (
        lambda: mathlib.kl_divergence([0.5, 0.5], [0.5, 0.5], axis=1), ValueError,
        "axis 1 is out of bounds for p with 1 dimension(s)"),
    "kl_divergence: axis out of bounds for q only": (
        lambda: mathlib.kl_divergence(np.full((2, 2), 0.5), [0.5, 0.5], axis=1), ValueError,
        "axis 1 is out of bounds for q with 1 dimension(s)"),
    "kl_divergence: a non-negative axis that is a different trailing axis of p and q": (
        lambda: mathlib.kl_divergence(np.full((2, 2), 0.5), [0.5, 0.5], axis=0), ValueError,
        "axis 0 is not the same trailing axis of p (ndim 2) and q (ndim 1); "
        "use a negative axis or arrays with the same number of dimensions"),
    # axes of a reduction
    "logsumexp: a float axis": (
        lambda: mathlib.logsumexp(np.zeros((2, 2)), axis=1.5), ValueError, "axis must be an integer; got 1.5"),
    "logsumexp: a repeated axis": (
        lambda: mathlib.logsumexp(np.zeros((2, 2)), axis=(0, 0)), ValueError, "axis (0, 0) repeats an axis"),
    # joint tables: the entry is named by (row, column)
    "mutual_information: strings": (
        lambda: mathlib.mutual_information(["a"]), TypeError, "pxy must hold real numbers; got an array of dtype <U1"),
    "mutual_information: 1-D table": (
        lambda: mathlib.mutual_information([0.5, 0.5]), ValueError,
        "pxy must be a 2-D joint probability table; got shape (2,)"),
    "joint_entropy: empty table": (
        lambda: mathlib.joint_entropy(np.zeros((2, 0))), ValueError,
        "pxy is empty (shape (2, 0)); a joint table needs at least one entry"),
    "joint_entropy: inf at (1, 0)": (
        lambda: mathlib.joint_entropy([[0.5, 0.25], [np.inf, 0.25]]), ValueError,
        "pxy contains inf at (1, 0); probabilities must be finite"),
    "joint_entropy: nan at (0, 1)": (
        lambda: mathlib.joint_entropy([[0.5, np.nan], [0.0, 0.25]]), ValueError,
        "pxy contains nan at (0, 1); probabilities must be finite"),
    "conditional_entropy: negative entry at (0, 1) after a zero": (
        lambda: mathlib.conditional_entropy([[0.0, -0.25], [1.0, 0.25]]), ValueError,
        "pxy has a negative probability -0.25 at (0, 1)"),
    "mutual_information: table sums to 0.9": (
        lambda: mathlib.mutual_information([[0.5, 0.25], [0.1, 0.05]]), ValueError,
        # tolerance 16 eps sqrt(4) = 32 * 2**-52 = 7.1e-15
        "pxy sums to 0.9, not 1 (tolerance 7.1e-15 for 4 float64 entries); a joint table is never renormalized"),
    "mutual_information: float32 table summed in float64": (
        # 1 + 1 + 2**-23 + 2**-23 = 2 + 2**-22 exactly (a float32); a float32 running sum would round each
        # 2**-23 (half an ulp of 2) away and print 2.0. Tolerance 16 * 2**-23 * 2 = 3.8e-06.
        lambda: mathlib.mutual_information(np.float32([[1.0, 1.0], [2.0**-23, 2.0**-23]])), ValueError,
        "pxy sums to 2.0000002, not 1 (tolerance 3.8e-06 for 4 float32 entries); a joint table is never renormalized"),
    # weights
    "nll_loss: weight of strings": (
        lambda: mathlib.nll_loss(LOG_THIRDS, [0, 2], weight=["a", "b", "c"]), TypeError,
        "weight must hold real numbers; got an array of dtype <U1"),
    "nll_loss: weight with nan": (
        lambda: mathlib.nll_loss(LOG_THIRDS, [0, 2], weight=[1.0, np.nan, 1.0]), ValueError,
        "weight must be finite; got nan at index (1,)"),
    "nll_loss: negative integer weight": (
        lambda: mathlib.nll_loss(LOG_THIRDS, [0, 2], weight=[1, -1, 1]), ValueError,
        "weight must be non-negative; got -1 at index (1,)"),
    "binary_cross_entropy: negative weight": (
        lambda: mathlib.binary_cross_entropy(QUARTERS, np.ones((2, 3)), weight=[[1.0], [-0.5]]), ValueError,
        "weight must be non-negative; got -0.5 at index (1, 0)"),
    "binary_cross_entropy: weight that does not broadcast": (
        lambda: mathlib.binary_cross_entropy(QUARTERS, np.ones((2, 3)), weight=np.ones(4)), ValueError,
        "weight of shape (4,) does not broadcast to the shape (2, 3) of probs"),
    "binary_cross_entropy: weight that would enlarge the result": (
        lambda: mathlib.binary_cross_entropy(QUARTERS, np.ones((2, 3)), weight=np.ones((2, 2, 3))), ValueError,
        "weight of shape (2, 2, 3) does not broadcast to the shape (2, 3) of probs"),
    "nll_loss: one weight too few": (
        lambda: mathlib.nll_loss(LOG_THIRDS, [0, 2], weight=[1.0, 1.0]), ValueError,
        "weight must have shape (3,), one entry per class; got shape (2,)"),
    # ranges: the first entry out of range is named, not an entry at the bound
    "binary_cross_entropy: probability above 1 after a 0": (
        lambda: mathlib.binary_cross_entropy([0.0, 1.5], [1.0, 1.0]), ValueError,
        "probs must be a probability in [0, 1]; got 1.5 at index (1,)"),
    "binary_cross_entropy: probability below 0 after a 1": (
        lambda: mathlib.binary_cross_entropy([1.0, -0.5], [1.0, 1.0]), ValueError,
        "probs must be a probability in [0, 1]; got -0.5 at index (1,)"),
    "binary_cross_entropy: a single probability above 1": (
        lambda: mathlib.binary_cross_entropy([1.5], [1.0]), ValueError,
        "probs must be a probability in [0, 1]; got 1.5 at index (0,)"),
    "gaussian_nll_loss: negative variance after a zero": (
        lambda: mathlib.gaussian_nll_loss([0.0, 1.0], [0.0, 1.0], [0.0, -1.0]), ValueError,
        "var must be non-negative; got -1.0 at index (1,)"),
    # class targets: the index is an int for a 1-D target, a tuple for more dims, absent for a 0-d target
    "nll_loss: target equal to the number of classes": (
        lambda: mathlib.nll_loss(LOG_THIRDS, [0, 3]), ValueError, "target 3 at index 1 is out of range for 3 classes (valid: 0 to 2, or ignore_index=-100)"),
    "nll_loss: negative target": (
        lambda: mathlib.nll_loss(LOG_THIRDS, [-1, 0]), IndexError,
        "target -1 at index 0 is out of range for 3 classes (valid: 0 to 2, or ignore_index=-100)"),
    "nll_loss: target out of range in a 2-D batch": (
        lambda: mathlib.nll_loss(np.log(np.full((2, 2, 3), 1 / 3)), [[0, 1], [2, 5]]), IndexError,
        "target 5 at index (1, 1) is out of range for 3 classes (valid: 0 to 2, or ignore_index=-100)"),
    "cross_entropy_loss: 0-d target out of range": (
        lambda: mathlib.cross_entropy_loss(np.zeros(3), 7, ignore_index=2), ValueError,
        "target 7 is out of range for 3 classes (valid: 0 to 2, or ignore_index=2)"),
    # scalar arguments: the checks of mathlib._validation, reached through the functions that take them
    "mse_loss: unknown reduction": (
        lambda: mathlib.mse_loss(np.ones(3), np.ones(3), reduction="avg"), ValueError,
        "reduction must be 'none', 'mean' or 'sum'; got 'avg'"),
    "gaussian_nll_loss: infinite eps (a scalar is finite unless inf is allowed)": (
        lambda: mathlib.gaussian_nll_loss([1.0], [1.0], [1.0], eps=np.inf), ValueError,
        "eps must be a finite number; got inf"),
    "cross_entropy_loss: label_smoothing above 1": (
        lambda: mathlib.cross_entropy_loss(np.zeros((2, 3)), [0, 1], label_smoothing=1.5), ValueError,
        "label_smoothing must be <= 1; got 1.5"),
    # sample data
    "mle_gaussian: strings": (
        lambda: mathlib.mle_gaussian(["a"]), TypeError, "x must hold real numbers; got an array of dtype <U1"),
    "information_gain: 2-D labels": (
        lambda: mathlib.information_gain([[0, 1]], [0, 1]), ValueError, "labels must be a 1-D array; got shape (1, 2)"),
    "information_gain: empty labels": (
        lambda: mathlib.information_gain([], []), ValueError, "labels is empty"),
    "information_gain: empty groups": (
        lambda: mathlib.information_gain([0], []), ValueError, "groups is empty"),
}


@pytest.mark.parametrize("call, error, message", BAD_CALLS.values(), ids=BAD_CALLS.keys())
def test_a_bad_argument_raises_with_the_exact_message_naming_it(call, error, message):
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        call()


def test_a_joint_table_of_one_cell_is_accepted_and_has_zero_information():
    # X and Y are both certain: H(X, Y) = H(X) = H(Y) = 0, so I(X; Y) = 0
    assert mathlib.joint_entropy([[1.0]]) == 0.0
    assert mathlib.mutual_information([[1.0]]) == 0.0


def test_information_gain_of_a_single_sample_is_zero():
    # one label: H(labels) = 0, and no split can reduce it
    assert mathlib.information_gain(["yes"], [0]) == 0.0


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 2.0**-47), (np.float32, 2.0**-18)])
def test_a_joint_table_off_by_exactly_the_tolerance_is_accepted(dtype, tolerance):
    # 4 entries: tolerance 16 eps sqrt(4) = 32 eps. 0.25 + tolerance is exact in dtype, and so is the sum.
    table = np.array([[0.25, 0.25], [0.25, 0.25 + tolerance]], dtype=dtype)
    assert float(np.sum(table, dtype=np.float64)) - 1.0 == tolerance
    assert 16 * float(np.finfo(dtype).eps) * math.sqrt(4) == tolerance
    # H = -3 * 0.25 log 0.25 - (0.25 + t) log(0.25 + t), to first order in t: 2 log 2 - t (1 - 2 log 2)
    expected = 2 * math.log(2.0) - tolerance * (1 - 2 * math.log(2.0))
    np.testing.assert_allclose(mathlib.joint_entropy(table), expected, rtol=4 * float(np.finfo(dtype).eps))


@pytest.mark.parametrize("targets, expected_none", [([0, 2], [0.0, 2 * math.log(2.0)]),
                                                    ([2, 0], [2 * math.log(2.0), 0.0])])
def test_an_ignore_index_equal_to_the_smallest_target_is_ignored(targets, expected_none):
    # rows p = (1/2, 1/4, 1/4) and (1/4, 1/2, 1/4): -log p[2] = log 4 for row 1 (row 0 for [2, 0]); the target 0
    # is ignored, so "mean" is log 4 over the one sample left (not (log 2 + log 4) / 2).
    log_probs = np.log([[0.5, 0.25, 0.25], [0.25, 0.5, 0.25]])
    if targets[0] == 2:
        log_probs = log_probs[::-1]
    got = mathlib.nll_loss(log_probs, targets, ignore_index=0, reduction="none")
    np.testing.assert_allclose(got, expected_none, rtol=1e-15)
    np.testing.assert_allclose(mathlib.nll_loss(log_probs, targets, ignore_index=0), 2 * math.log(2.0), rtol=1e-15)
    np.testing.assert_allclose(mathlib.cross_entropy_loss(log_probs, targets, ignore_index=0), 2 * math.log(2.0),
                               rtol=1e-15)


def test_a_probability_vector_off_by_exactly_the_tolerance_is_accepted():
    # 4 entries: tolerance 16 eps sqrt(4) = 32 * 2**-52 = 2**-47; 0.25 + 2**-47 and the sum are exact
    p = np.array([0.25, 0.25, 0.25, 0.25 + 2.0**-47])
    assert float(np.sum(p)) - 1.0 == 2.0**-47
    # H = -3 * 0.25 log 0.25 - (0.25 + t) log(0.25 + t), to first order in t: 2 log 2 - t (1 - 2 log 2)
    expected = 2 * math.log(2.0) - 2.0**-47 * (1 - 2 * math.log(2.0))
    np.testing.assert_allclose(mathlib.entropy(p), expected, rtol=4 * 2.0**-52)


@pytest.mark.parametrize("axis", [None, (0, 1), (1, 0), (0, 2), (2,)])
def test_logsumexp_over_none_or_a_tuple_of_distinct_axes_matches_scipy(axis):
    a = np.random.default_rng(3).normal(size=(2, 3, 4))
    np.testing.assert_allclose(mathlib.logsumexp(a, axis=axis), scipy.special.logsumexp(a, axis=axis), rtol=1e-15)


def test_a_reduction_to_a_single_value_is_a_numpy_scalar_and_a_batch_is_an_array():
    # the contract: 0-d results are NumPy scalars; a batch of results stays an array
    assert type(mathlib.entropy([0.5, 0.5])) is np.float64
    assert type(mathlib.entropy(np.full((2, 2), 0.5))) is np.ndarray


@pytest.mark.skipif(np.finfo(np.longdouble).nmant == np.finfo(np.float64).nmant, reason="long double is float64 here")
@pytest.mark.parametrize(
    "call, expected",
    [
        # x = [1/4, 3/4], reversed [3/4, 1/4]; expected values from scipy and by hand
        (lambda x: mathlib.entropy(x), scipy.special.entr([0.25, 0.75]).sum()),
        (lambda x: mathlib.logsumexp(x), scipy.special.logsumexp([0.25, 0.75])),
        (lambda x: mathlib.softmax(x), scipy.special.softmax([0.25, 0.75])),
        (lambda x: mathlib.kl_divergence(x, x[::-1]), scipy.special.rel_entr([0.25, 0.75], [0.75, 0.25]).sum()),
        (lambda x: mathlib.mse_loss(x, x[::-1]), 0.25),  # both differences are 1/2
    ],
    ids=["entropy", "logsumexp", "softmax", "kl_divergence", "mse_loss"],
)
def test_long_double_input_is_computed_and_returned_in_float64(call, expected):
    # float_dtype: extended precision returns float64 (the library's arithmetic is float64 at most).
    got = call(np.array([0.25, 0.75], dtype=np.longdouble))
    assert np.asarray(got).dtype == np.float64
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), expected, rtol=1e-15, atol=0)
