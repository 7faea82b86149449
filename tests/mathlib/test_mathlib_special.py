"""mathlib.special: edge cases, dtype rules, and agreement with scipy.special.

Accuracy in ulps against mpmath lives in test_mathlib_special_accuracy.py; torch in test_mathlib_vs_torch.py.
"""

from __future__ import annotations

import math
import re

import mpmath
import numpy as np
import pytest
import scipy.special

from mathlib import log_sigmoid, log_softmax, logsumexp, sigmoid, softmax, softplus

# The contract: no accepted input emits a warning. Every test in this module runs with warnings as errors.
pytestmark = pytest.mark.filterwarnings("error")

INF = math.inf
NAN = math.nan

ELEMENTWISE = [sigmoid, log_sigmoid, softplus]
ALONG_AXIS = [logsumexp, softmax, log_softmax]


def random_logits(seed: int, shape=(6, 9), scale: float = 10.0, dtype=np.float64) -> np.ndarray:
    return (scale * np.random.default_rng(seed).standard_normal(shape)).astype(dtype)


# --- logsumexp: decided edge cases -------------------------------------------------------------------


def test_logsumexp_of_empty_input_is_minus_inf():
    # log(sum of no terms) = log 0 = -inf
    assert logsumexp([]) == -INF


def test_logsumexp_of_empty_rows_is_minus_inf_per_row():
    np.testing.assert_array_equal(logsumexp(np.zeros((3, 0))), [-INF, -INF, -INF])


@pytest.mark.parametrize("size", [1, 2, 5])
def test_logsumexp_of_all_minus_inf_is_minus_inf(size):
    assert logsumexp([-INF] * size) == -INF


@pytest.mark.parametrize("values", [[INF, 0.0], [INF, -INF], [INF, INF], [1.0, 1e308, INF], [INF]])
def test_logsumexp_with_any_plus_inf_is_plus_inf(values):
    assert logsumexp(values) == INF


@pytest.mark.parametrize("values", [[NAN], [NAN, 0.0], [0.0, NAN, -INF], [1e308, NAN]])
def test_logsumexp_propagates_nan(values):
    assert np.isnan(logsumexp(values))


def test_logsumexp_decides_each_row_of_a_batch_independently():
    rows = np.array([[0.0, 0.0], [-INF, -INF], [INF, 0.0], [NAN, 0.0]])
    got = logsumexp(rows)
    # row 0: log(e^0 + e^0) = log 2
    np.testing.assert_allclose(got[:1], [math.log(2.0)], rtol=1e-15)
    assert got[1] == -INF
    assert got[2] == INF
    assert np.isnan(got[3])


@pytest.mark.parametrize("x", [1000.0, -1000.0, 1e308, -1e308, 0.0])
def test_logsumexp_of_two_equal_entries_is_entry_plus_log_two_without_overflow(x):
    # log(e^x + e^x) = x + log 2; e^1000 alone would overflow
    np.testing.assert_allclose(logsumexp([x, x]), x + math.log(2.0), rtol=1e-15, atol=1e-300)


def test_logsumexp_of_one_entry_is_that_entry():
    assert logsumexp([-745.5]) == -745.5


def test_logsumexp_keepdims_keeps_the_reduced_axis_with_length_one():
    logits = random_logits(0, (3, 4, 5))
    got = logsumexp(logits, axis=1, keepdims=True)
    assert got.shape == (3, 1, 5)
    np.testing.assert_allclose(got, scipy.special.logsumexp(logits, axis=1, keepdims=True), rtol=1e-14)


@pytest.mark.parametrize("axis", [0, 1, -1, 2, -3])
def test_logsumexp_reduces_along_the_given_axis_like_scipy(axis):
    logits = random_logits(1, (3, 4, 5), scale=50.0)
    got = logsumexp(logits, axis=axis)
    np.testing.assert_allclose(got, scipy.special.logsumexp(logits, axis=axis), rtol=1e-14, atol=1e-15)


def test_logsumexp_reduces_the_last_axis_by_default():
    logits = random_logits(2, (4, 7))
    assert logsumexp(logits).shape == (4,)
    np.testing.assert_allclose(logsumexp(logits), scipy.special.logsumexp(logits, axis=-1), rtol=1e-14)


@pytest.mark.parametrize("scale", [1.0, 30.0, 1e3, 1e300])
def test_logsumexp_matches_scipy_on_random_logits(scale):
    logits = random_logits(3, (20, 11), scale=scale)
    np.testing.assert_allclose(logsumexp(logits), scipy.special.logsumexp(logits, axis=-1), rtol=1e-14, atol=1e-15)


def test_logsumexp_matches_scipy_in_float32():
    logits = random_logits(4, (20, 11), dtype=np.float32)
    got = logsumexp(logits)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, scipy.special.logsumexp(logits.astype(np.float64), axis=-1), rtol=2e-6, atol=1e-6)


# --- softmax / log_softmax -----------------------------------------------------------------------------


@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_matches_scipy(axis):
    logits = random_logits(5, (7, 9), scale=20.0)
    np.testing.assert_allclose(softmax(logits, axis=axis), scipy.special.softmax(logits, axis=axis), rtol=1e-13, atol=1e-300)


@pytest.mark.parametrize("axis", [-1, 0])
def test_log_softmax_matches_scipy(axis):
    logits = random_logits(6, (7, 9), scale=20.0)
    np.testing.assert_allclose(
        log_softmax(logits, axis=axis), scipy.special.log_softmax(logits, axis=axis), rtol=1e-13, atol=1e-14
    )


@pytest.mark.parametrize("scale", [1.0, 100.0, 1e5])
def test_softmax_rows_sum_to_one(scale):
    probs = softmax(random_logits(7, (50, 13), scale=scale))
    np.testing.assert_allclose(probs.sum(axis=-1), 1.0, rtol=0, atol=16 * np.finfo(np.float64).eps)


def test_softmax_of_large_logits_does_not_overflow():
    # softmax([1000, 0]) = [1 / (1 + e^-1000), e^-1000 / (1 + e^-1000)] = [1, 5e-435 -> 0]
    np.testing.assert_array_equal(softmax([1000.0, 0.0]), [1.0, 0.0])


def test_softmax_gives_zero_probability_to_minus_inf_logits():
    # exp(-inf) = 0; the remaining two share the mass equally
    np.testing.assert_array_equal(softmax([-INF, 0.0, 0.0]), [0.0, 0.5, 0.5])


def test_log_softmax_gives_minus_inf_to_minus_inf_logits():
    np.testing.assert_array_equal(log_softmax([0.0, -INF]), [0.0, -INF])


def test_log_softmax_is_accurate_when_the_result_is_close_to_zero():
    # log_softmax([0, -40])[0] = -log(1 + e^-40) = -4.2483542552915889e-18 (mpmath, 50 digits below);
    # x - logsumexp(x) computed naively gives exactly 0 here (scipy and torch both do).
    with mpmath.workdps(50):
        exact = -mpmath.log1p(mpmath.exp(-40))
    got = log_softmax([0.0, -40.0])
    np.testing.assert_allclose(got[0], float(exact), rtol=4 * np.finfo(np.float64).eps, atol=0)
    np.testing.assert_allclose(got[0], -4.248e-18, rtol=1e-3)  # the contract's quoted value


def test_log_softmax_keeps_tiny_results_at_the_edge_of_the_float_range():
    # log_softmax([0, -700])[0] = -log1p(e^-700) = -e^-700 (1 - e^-700/2 ...) = -9.8596765437597708e-305
    got = log_softmax([0.0, -700.0])
    np.testing.assert_allclose(got[0], -math.exp(-700.0), rtol=4 * np.finfo(np.float64).eps, atol=0)


# --- sigmoid, log_sigmoid, softplus -------------------------------------------------------------------

EXTREME_FLOAT64 = np.array(
    [-INF, -1e308, -1e10, -1000.0, -746.0, -710.0, -40.0, -1.0, -1e-300, 0.0, 1e-300, 1.0, 40.0, 710.0, 746.0, 1000.0, 1e10, 1e308, INF]
)
MODERATE = np.linspace(-30.0, 30.0, 241)


SUBNORMAL_ULP = 5e-324  # results below 2.2e-308 keep only absolute precision


def test_sigmoid_matches_scipy_expit():
    np.testing.assert_allclose(sigmoid(MODERATE), scipy.special.expit(MODERATE), rtol=4 * np.finfo(np.float64).eps, atol=0)


def test_sigmoid_matches_mpmath_at_extremes_including_subnormal_results():
    # sigmoid(-710) = e^-710 / (1 + e^-710) = 4.4762862256751298e-309, a subnormal (scipy's expit returns 0)
    with mpmath.workprec(300):
        expected = [float(1 / (1 + mpmath.exp(-mpmath.mpf(float(x))))) for x in EXTREME_FLOAT64]
    np.testing.assert_allclose(sigmoid(EXTREME_FLOAT64), expected, rtol=4 * np.finfo(np.float64).eps, atol=2 * SUBNORMAL_ULP)


def test_sigmoid_of_infinities_is_zero_and_one():
    np.testing.assert_array_equal(sigmoid([-INF, INF]), [0.0, 1.0])


def test_sigmoid_of_zero_is_one_half():
    assert sigmoid(0.0) == 0.5


@pytest.mark.parametrize("x", [EXTREME_FLOAT64, MODERATE], ids=["extreme", "moderate"])
def test_log_sigmoid_matches_scipy_log_expit(x):
    np.testing.assert_allclose(log_sigmoid(x), scipy.special.log_expit(x), rtol=4 * np.finfo(np.float64).eps, atol=2 * SUBNORMAL_ULP)


@pytest.mark.parametrize("x", [EXTREME_FLOAT64, MODERATE], ids=["extreme", "moderate"])
def test_softplus_matches_scipy(x):
    # softplus(x) = log(1 + e^x) = -log(1 / (1 + e^x)) = -log_expit(-x)
    np.testing.assert_allclose(softplus(x), -scipy.special.log_expit(-x), rtol=4 * np.finfo(np.float64).eps, atol=2 * SUBNORMAL_ULP)


def test_softplus_of_infinities_is_zero_and_inf():
    # log(1 + e^-inf) = log 1 = 0; log(1 + e^inf) = inf
    np.testing.assert_array_equal(softplus([-INF, INF]), [0.0, INF])


def test_softplus_of_zero_is_log_two():
    np.testing.assert_allclose(softplus(0.0), math.log(2.0), rtol=1e-16)


def test_log_sigmoid_of_large_positive_x_is_tiny_and_negative_not_zero():
    # log_sigmoid(40) = -log(1 + e^-40) = -4.248354255291589e-18 (first terms of -log1p(u) = -u + u^2/2)
    u = math.exp(-40.0)
    np.testing.assert_allclose(log_sigmoid(40.0), -(u - u * u / 2), rtol=4 * np.finfo(np.float64).eps)


def test_softplus_of_large_negative_x_is_tiny_not_zero():
    # softplus(-40) = log(1 + e^-40) = e^-40 - e^-80/2 + ...
    u = math.exp(-40.0)
    np.testing.assert_allclose(softplus(-40.0), u - u * u / 2, rtol=4 * np.finfo(np.float64).eps)


def test_elementwise_functions_keep_the_input_shape():
    x = random_logits(8, (2, 3, 4))
    for function in ELEMENTWISE:
        assert np.shape(function(x)) == (2, 3, 4), function.__name__


# --- no warnings at extreme inputs ---------------------------------------------------------------------


@pytest.mark.parametrize("function", ELEMENTWISE, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_elementwise_functions_emit_no_warning_at_extreme_inputs(function, dtype):
    finfo = np.finfo(dtype)
    x = np.array([-INF, -finfo.max, -1e4, -1000.0, -750.0, -89.0, -0.0, 0.0, 89.0, 750.0, 1000.0, 1e4, finfo.max, INF], dtype=dtype)
    result = function(x)  # a RuntimeWarning here is an error (module pytestmark)
    assert not np.isnan(result).any()


@pytest.mark.parametrize("function", ALONG_AXIS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    "logits",
    [
        [1e308, 1e308],
        [-1e308, -1e308],
        [1e308, -1e308, 0.0],
        [1000.0, 0.0, -1000.0],
        [-INF, 0.0],
        [-INF, -1e308],
        [0.0, -800.0],
    ],
)
def test_softmax_family_emits_no_warning_at_extreme_finite_logits(function, logits):
    result = function(logits)  # a RuntimeWarning here is an error (module pytestmark)
    assert not np.isnan(result).any()


# --- dtype rules ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("function", ELEMENTWISE + ALONG_AXIS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_special_functions_preserve_float_dtype(function, dtype):
    x = random_logits(9, (3, 4), dtype=dtype)
    assert np.asarray(function(x)).dtype == dtype


@pytest.mark.parametrize("function", ELEMENTWISE + ALONG_AXIS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("values", [[1, 2, 3], [True, False, True]], ids=["int", "bool"])
def test_special_functions_compute_integer_and_bool_input_in_float64(function, values):
    got = np.asarray(function(values))
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, np.asarray(function(np.asarray(values, dtype=np.float64))), rtol=0)


def test_float32_logsumexp_does_not_overflow_where_float32_exp_would():
    # e^100 overflows float32 (max 3.4e38); log(e^100 + e^100) = 100 + log 2 = 100.693147...
    got = logsumexp(np.array([100.0, 100.0], dtype=np.float32))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, 100.0 + math.log(2.0), rtol=1e-7)


# --- public surface ------------------------------------------------------------------------------------


# --- issue 12: 0-d axes, log_sigmoid(inf), float16, underflow under any error state -------------------


@pytest.mark.parametrize("function", ALONG_AXIS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("axis", [5, 1, -2, (0, 1), 1.0])
def test_a_scalar_input_refuses_an_axis_other_than_none_zero_or_minus_one(function, axis):
    with pytest.raises(ValueError, match="axis"):
        function(3.0, axis=axis)


@pytest.mark.parametrize("axis", [None, 0, -1, (), (0,), (-1,)])
def test_a_scalar_input_is_a_one_element_vector_along_axis_none_zero_or_minus_one(axis):
    # log(exp(3)) = 3, softmax of one logit is 1, its log is 0
    assert logsumexp(3.0, axis=axis) == 3.0
    assert softmax(3.0, axis=axis) == 1.0
    assert log_softmax(3.0, axis=axis) == 0.0


def test_log_sigmoid_of_plus_infinity_is_plus_zero():
    got = log_sigmoid(INF)
    assert got == 0.0 and not np.signbit(got)


@pytest.mark.parametrize("function", ELEMENTWISE + ALONG_AXIS, ids=lambda f: f.__name__)
def test_float16_input_gives_float16_output(function):
    assert np.asarray(function(np.float16([1.0, -2.0, 3.0]))).dtype == np.float16


@pytest.mark.parametrize("function", ELEMENTWISE + ALONG_AXIS, ids=lambda f: f.__name__)
def test_float16_results_are_the_float64_results_rounded_to_float16(function):
    x = np.float16([1.5, -2.25, 3.0, -7.0])
    expected = np.asarray(function(x.astype(np.float64))).astype(np.float16)
    np.testing.assert_array_equal(np.asarray(function(x)), expected)


@pytest.mark.parametrize(
    "call",
    [
        lambda: softplus(-800.0),
        lambda: log_sigmoid(800.0),
        lambda: sigmoid(-800.0),
        lambda: logsumexp([0.0, -800.0]),
        lambda: softmax([0.0, -800.0]),
        lambda: log_softmax(np.float32([0.0, -200.0])),
    ],
    ids=["softplus", "log_sigmoid", "sigmoid", "logsumexp", "softmax", "log_softmax"],
)
def test_underflow_to_zero_is_silent_even_when_numpy_is_told_to_raise_on_it(call):
    # exp(-800) underflows; that is the right answer, whatever np.seterr says.
    with np.errstate(under="raise"):
        call()


def test_log_softmax_keeps_full_precision_for_a_confident_row():
    # -log(1 + 2 exp(-40)) at 300 bits, by hand: the max entry is -2 exp(-40) (1 - exp(-40) + ...).
    with mpmath.workprec(300):
        exact = -mpmath.log1p(2 * mpmath.exp(-40))
    got = log_softmax([50.0, 10.0, 10.0])[0]
    assert float(got) == pytest.approx(float(exact), rel=1e-15, abs=0)


@pytest.mark.parametrize("row, expected", [([0.0, INF, 1.0], [-INF, 0.0, -INF]),
                                           ([INF, INF, 1.0], [NAN, NAN, -INF]),
                                           ([-INF, -INF], [NAN, NAN]),
                                           ([-INF, 0.0], [-INF, 0.0])])
def test_log_softmax_takes_the_limit_at_infinite_logits(row, expected):
    np.testing.assert_array_equal(log_softmax(row), expected)
    np.testing.assert_array_equal(softmax(row), np.exp(expected))


def test_log_softmax_of_a_row_with_nan_is_all_nan():
    assert np.isnan(log_softmax([[0.0, NAN, 1.0], [0.0, 1.0, 2.0]])[0]).all()


@pytest.mark.parametrize("function, name", [(sigmoid, "x"), (softplus, "x"), (log_sigmoid, "x"), (softmax, "x"),
                                            (log_softmax, "x"), (logsumexp, "a")], ids=lambda v: getattr(v, "__name__", v))
def test_non_numeric_input_raises_a_type_error_naming_the_argument(function, name):
    with pytest.raises(TypeError) as error:
        function(["a"])
    assert str(error.value) == f"{name} must hold real numbers; got an array of dtype <U1"


SCALAR_AXIS_RULE = "(a scalar is a one-element vector: axis may be None, 0 or -1)"
AXIS_ERRORS = [
    (lambda: logsumexp(3.0, axis=5), f"axis 5 is out of bounds for a with 0 dimensions {SCALAR_AXIS_RULE}"),
    (lambda: softmax(3.0, axis=(0, -1)), f"axis (0, -1) is out of bounds for x with 0 dimensions {SCALAR_AXIS_RULE}"),
    (lambda: log_softmax(3.0, axis=1), f"axis 1 is out of bounds for x with 0 dimensions {SCALAR_AXIS_RULE}"),
    (lambda: logsumexp(3.0, axis=0.0), "axis must be an integer; got 0.0"),
    (lambda: softmax(3.0, axis=(0.0,)), "axis must be an integer; got (0.0,)"),
    (lambda: log_softmax(3.0, axis=True), "axis must be an integer; got True"),
    (lambda: logsumexp(np.ones(3), axis=2), "axis 2 is out of bounds for a with 1 dimension(s)"),
    (lambda: softmax(np.ones(3), axis=2), "axis 2 is out of bounds for x with 1 dimension(s)"),
    (lambda: log_softmax(np.ones((2, 3)), axis=(0, -3)), "axis -3 is out of bounds for x with 2 dimension(s)"),
]


@pytest.mark.parametrize("call, message", AXIS_ERRORS, ids=[message for _, message in AXIS_ERRORS])
def test_a_bad_axis_raises_with_the_exact_message_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        call()


@pytest.mark.parametrize("function", ALONG_AXIS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_a_scalar_input_keeps_its_float_dtype(function, dtype):
    # lse(x) = x, softmax(x) = 1 and log_softmax(x) = 0 for a one-element vector
    got = function(dtype(3.0))
    assert got.dtype == dtype and np.ndim(got) == 0
    assert got == {"logsumexp": 3.0, "softmax": 1.0, "log_softmax": 0.0}[function.__name__]


def test_float16_sigmoid_is_rounded_once_at_every_float16_value():
    # Worked in float32, sigmoid(0.00293) = 0.50073242135... rounds to the float16 midpoint 0.500732421875 and
    # then, ties to even, to 0.5009765625 instead of 0.50048828125.
    x = np.arange(2**16, dtype=np.uint16).view(np.float16)
    x = x[np.isfinite(x)]
    expected = scipy.special.expit(x.astype(np.float64)).astype(np.float16)
    np.testing.assert_array_equal(sigmoid(x), expected)
