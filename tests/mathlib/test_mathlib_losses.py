"""mathlib.losses: hand-derived values, the documented differences from torch, and validation.

Agreement with torch.nn.functional on random inputs is in test_mathlib_vs_torch.py (skipped without torch);
everything here needs only NumPy and scipy.
"""

from __future__ import annotations

import math
import re
import os

import mpmath
import numpy as np
import pytest
import scipy.special

from mathlib import _rowwise
from mathlib import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy_loss,
    gaussian_nll_loss,
    l1_loss,
    mse_loss,
    nll_loss,
    poisson_nll_loss,
)

pytestmark = pytest.mark.filterwarnings("error")

INF = math.inf
NAN = math.nan
LOG2 = math.log(2.0)

# Two samples, three classes: probabilities [[1/2, 1/4, 1/4], [1/10, 2/10, 7/10]].
PROBS = np.array([[0.5, 0.25, 0.25], [0.1, 0.2, 0.7]])
LOG_PROBS = np.log(PROBS)


# --- nll_loss --------------------------------------------------------------------------------------------


def test_nll_loss_mean_is_the_average_negative_log_probability_of_the_targets():
    # targets [0, 2]: (-log 1/2 - log 7/10) / 2
    expected = (math.log(2) - math.log(0.7)) / 2
    assert nll_loss(LOG_PROBS, [0, 2]) == pytest.approx(expected, rel=1e-15)


def test_nll_loss_none_and_sum_reductions():
    np.testing.assert_allclose(nll_loss(LOG_PROBS, [1, 2], reduction="none"), [math.log(4), -math.log(0.7)], rtol=1e-15)
    assert nll_loss(LOG_PROBS, [1, 2], reduction="sum") == pytest.approx(math.log(4) - math.log(0.7), rel=1e-15)


def test_nll_loss_weighted_mean_divides_by_the_sum_of_the_target_weights():
    # weight [1, 2, 3], targets [0, 2]: (1 * log 2 + 3 * -log 0.7) / (1 + 3)
    weight = [1.0, 2.0, 3.0]
    expected = (1 * math.log(2) - 3 * math.log(0.7)) / 4
    assert nll_loss(LOG_PROBS, [0, 2], weight=weight) == pytest.approx(expected, rel=1e-15)


def test_nll_loss_weighted_sum_and_none_scale_each_sample_by_its_target_weight():
    weight = [1.0, 2.0, 3.0]
    np.testing.assert_allclose(nll_loss(LOG_PROBS, [0, 2], weight=weight, reduction="none"), [math.log(2), -3 * math.log(0.7)], rtol=1e-15)
    assert nll_loss(LOG_PROBS, [0, 2], weight=weight, reduction="sum") == pytest.approx(math.log(2) - 3 * math.log(0.7), rel=1e-15)


def test_nll_loss_ignores_the_default_ignore_index_minus_100_in_the_denominator():
    # only sample 0 counts: -log(1/2) / 1
    assert nll_loss(LOG_PROBS, [0, -100]) == pytest.approx(LOG2, rel=1e-15)


def test_nll_loss_ignore_index_may_be_a_valid_class():
    # ignore_index=2: sample 1 (target 2) is ignored
    assert nll_loss(LOG_PROBS, [0, 2], ignore_index=2) == pytest.approx(LOG2, rel=1e-15)


def test_nll_loss_weighted_mean_leaves_ignored_weights_out_of_the_denominator():
    # weight [1, 2, 3], targets [1, ignored]: 2 log 4 / 2
    assert nll_loss(LOG_PROBS, [1, -100], weight=[1.0, 2.0, 3.0]) == pytest.approx(math.log(4), rel=1e-15)


def test_nll_loss_gives_zero_loss_to_ignored_samples_under_reduction_none():
    np.testing.assert_allclose(nll_loss(LOG_PROBS, [-100, 1], reduction="none"), [0.0, -math.log(0.2)], rtol=1e-15)


def test_nll_loss_with_every_target_ignored_has_nan_mean():
    assert np.isnan(nll_loss(LOG_PROBS, [-100, -100]))


def test_nll_loss_with_every_target_ignored_has_zero_sum():
    assert nll_loss(LOG_PROBS, [-100, -100], reduction="sum") == 0.0


def test_nll_loss_with_every_target_ignored_has_zero_per_sample_losses():
    np.testing.assert_array_equal(nll_loss(LOG_PROBS, [-100, -100], reduction="none"), [0.0, 0.0])


def test_nll_loss_accepts_an_unbatched_vector_of_log_probabilities():
    # (C,) input with a scalar target: -log(1/4)
    assert nll_loss(LOG_PROBS[0], 1) == pytest.approx(math.log(4), rel=1e-15)


@pytest.mark.parametrize("target", [[0, 3], [0, -1], [5, 0]])
def test_nll_loss_rejects_a_target_outside_the_classes(target):
    with pytest.raises(ValueError):
        nll_loss(LOG_PROBS, target)


def test_nll_loss_accepts_a_negative_ignore_index_other_than_the_default():
    assert nll_loss(LOG_PROBS, [0, -1], ignore_index=-1) == pytest.approx(LOG2, rel=1e-15)


def test_nll_loss_rejects_a_weight_of_the_wrong_length():
    with pytest.raises(ValueError):
        nll_loss(LOG_PROBS, [0, 1], weight=[1.0, 1.0])


@pytest.mark.parametrize("target", [[0, 1, 2], [[0], [1]], [0]])
def test_nll_loss_rejects_a_target_of_the_wrong_shape(target):
    with pytest.raises(ValueError):
        nll_loss(LOG_PROBS, target)


# --- cross_entropy_loss ----------------------------------------------------------------------------------

# logits [0, 0, log 2] -> softmax [1/4, 1/4, 1/2]
LOGITS = np.array([0.0, 0.0, LOG2])


def test_cross_entropy_loss_of_an_index_target_is_minus_log_softmax_at_the_target():
    assert cross_entropy_loss(LOGITS, 2) == pytest.approx(LOG2, rel=1e-15)
    assert cross_entropy_loss(LOGITS[None, :], [0]) == pytest.approx(math.log(4), rel=1e-15)


def test_cross_entropy_loss_weighted_mean_divides_by_the_sum_of_the_target_weights():
    # softmax [1/4, 1/4, 1/2] in both rows, weight [1, 2, 3], targets [0, 2]: losses 1 * log 4 and 3 * log 2;
    # "mean" is (2 log 2 + 3 log 2) / (1 + 3)
    logits = np.array([LOGITS, LOGITS])
    got = cross_entropy_loss(logits, [0, 2], weight=[1.0, 2.0, 3.0], reduction="none")
    np.testing.assert_allclose(got, [2 * LOG2, 3 * LOG2], rtol=1e-15)
    assert cross_entropy_loss(logits, [0, 2], weight=[1.0, 2.0, 3.0]) == pytest.approx(5 * LOG2 / 4, rel=1e-15)


def test_cross_entropy_loss_with_label_smoothing_mixes_in_the_uniform_distribution():
    # torch: (1 - e) (-log p_t) + e / C sum_c (-log p_c); e = 0.3, C = 3, target 2:
    # 0.7 log 2 + 0.1 (log 4 + log 4 + log 2) = 0.7 log 2 + 0.5 log 2 = 1.2 log 2
    assert cross_entropy_loss(LOGITS, 2, label_smoothing=0.3) == pytest.approx(1.2 * LOG2, rel=1e-14)


def test_cross_entropy_loss_with_full_label_smoothing_is_the_uniform_cross_entropy():
    # e = 1: (1/3)(log 4 + log 4 + log 2) = (5/3) log 2, whatever the target
    for target in (0, 1, 2):
        assert cross_entropy_loss(LOGITS, target, label_smoothing=1.0) == pytest.approx(5 / 3 * LOG2, rel=1e-14)


def test_cross_entropy_loss_of_a_probability_target_is_the_cross_entropy():
    # target [1/2, 1/2, 0]: -(1/2 log 1/4 + 1/2 log 1/4 + 0) = log 4
    assert cross_entropy_loss(LOGITS, [0.5, 0.5, 0.0]) == pytest.approx(math.log(4), rel=1e-15)


def test_cross_entropy_loss_of_a_probability_target_is_zero_where_target_and_logit_rule_out_a_class():
    # logits [0, -inf], target [1, 0]: -(1 log 1 + 0 log 0) = 0 with 0 log 0 = 0 (torch returns NaN here)
    assert cross_entropy_loss([[0.0, -INF]], [[1.0, 0.0]]) == 0.0


def test_cross_entropy_loss_of_an_index_target_ignores_minus_inf_logits_of_other_classes():
    # logits [0, -inf, 0] -> softmax [1/2, 0, 1/2]; target 0: log 2
    assert cross_entropy_loss([[0.0, -INF, 0.0]], [0]) == pytest.approx(LOG2, rel=1e-15)


def test_cross_entropy_loss_of_large_logits_does_not_overflow():
    # logits [1000, 0]: -log_softmax = [log(1 + e^-1000), 1000 + log(1 + e^-1000)] = [~0, 1000]
    np.testing.assert_allclose(cross_entropy_loss([[1000.0, 0.0], [1000.0, 0.0]], [0, 1], reduction="none"), [0.0, 1000.0], rtol=1e-15, atol=1e-300)


@pytest.mark.parametrize("label_smoothing", [-0.1, 1.5, NAN])
def test_cross_entropy_loss_rejects_label_smoothing_outside_zero_one(label_smoothing):
    with pytest.raises(ValueError):
        cross_entropy_loss(LOGITS, 0, label_smoothing=label_smoothing)


@pytest.mark.parametrize("target", [[0, 3], [0, -2]])
def test_cross_entropy_loss_rejects_a_target_outside_the_classes(target):
    with pytest.raises(ValueError):
        cross_entropy_loss(np.zeros((2, 3)), target)


def test_cross_entropy_loss_rejects_a_probability_target_of_a_different_shape():
    with pytest.raises(ValueError):
        cross_entropy_loss(np.zeros((2, 3)), np.full((2, 4), 0.25))


@pytest.mark.parametrize(
    "bad_row", [[0.5, 0.6, 0.1], [1.2, -0.2, 0.0], [NAN, 0.5, 0.5]], ids=["sums_to_1.2", "negative", "nan"]
)
def test_cross_entropy_loss_rejects_an_invalid_probability_target_naming_the_row(bad_row):
    # torch accepts any real target "probabilities"; the contract's probability rule applies to target
    target = np.full((4, 3), 1 / 3)
    target[3] = bad_row
    with pytest.raises(ValueError, match=r"(?s)(?=.*\btarget\b)(?=.*\brows?\b[^0-9]{0,12}\b3\b)"):
        cross_entropy_loss(np.zeros((4, 3)), target)


def test_cross_entropy_loss_with_every_target_ignored():
    logits = np.zeros((2, 3))
    assert np.isnan(cross_entropy_loss(logits, [-100, -100]))
    assert cross_entropy_loss(logits, [-100, -100], reduction="sum") == 0.0


# --- binary_cross_entropy --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "p, y, expected",
    [
        (0.25, 1.0, math.log(4)),  # -log(1/4)
        (0.25, 0.0, math.log(4 / 3)),  # -log(3/4)
        (0.5, 0.5, LOG2),  # -(1/2 log 1/2 + 1/2 log 1/2)
        (0.0, 0.0, 0.0),  # -(0 log 0 + 1 log 1)
        (1.0, 1.0, 0.0),
        (0.0, 1.0, INF),  # exact: -log 0; torch clamps the log at -100 and returns 100
        (1.0, 0.0, INF),
        (0.0, 0.5, INF),
    ],
)
def test_binary_cross_entropy_is_exact_without_clamping(p, y, expected):
    assert binary_cross_entropy([p], [y], reduction="sum") == pytest.approx(expected, rel=1e-15)


def test_binary_cross_entropy_weight_scales_each_element():
    # weights [2, 3]: 2 (-log 1/4) + 3 (-log 1/2) = 2 log 4 + 3 log 2 = 7 log 2; mean over 2 elements
    got = binary_cross_entropy([0.25, 0.5], [1.0, 0.0], weight=[2.0, 3.0])
    assert got == pytest.approx(7 * LOG2 / 2, rel=1e-15)


@pytest.mark.parametrize("p", [-0.1, 1.1, NAN, INF])
def test_binary_cross_entropy_rejects_probabilities_outside_zero_one(p):
    with pytest.raises(ValueError):
        binary_cross_entropy([0.5, p], [1.0, 0.0])


@pytest.mark.parametrize("loss", [binary_cross_entropy, binary_cross_entropy_with_logits], ids=lambda f: f.__name__)
@pytest.mark.parametrize("y", [-0.5, 1.5, NAN])
def test_binary_losses_reject_a_target_outside_zero_one(loss, y):
    # torch silently computes a "loss" for y = 1.5 (possibly negative); a target is a probability
    with pytest.raises(ValueError):
        loss([0.5, 0.5], [1.0, y])


# --- binary_cross_entropy_with_logits ----------------------------------------------------------------------

# loss(x, y) = -(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))) = y softplus(-x) + (1 - y) softplus(x)
HAND_BCE_WITH_LOGITS = [
    (0.0, 1.0, LOG2),
    (INF, 1.0, 0.0),  # log sigmoid(inf) = log 1 (torch: NaN)
    (-INF, 0.0, 0.0),  # log(1 - sigmoid(-inf)) = log 1 (torch: NaN)
    (INF, 0.0, INF),
    (-INF, 1.0, INF),  # -log sigmoid(-inf) = -log 0 (torch: NaN)
    (INF, 0.5, INF),
    (1e4, 0.0, 1e4),  # softplus(1e4) = 1e4 + log(1 + e^-1e4) = 1e4 to double precision
    (-1e4, 1.0, 1e4),
    (1e4, 1.0, 0.0),  # log(1 + e^-1e4) underflows to 0
    (40.0, 1.0, 4.248354255291589e-18),  # log(1 + e^-40) = e^-40 - e^-80 / 2 (full relative precision)
    (-40.0, 0.0, 4.248354255291589e-18),
    (40.0, 0.5, 20.0),  # (softplus(-40) + softplus(40)) / 2 = (2 e^-40 + 40) / 2 = 20 + 4.2e-18
    (1e308, 0.0, 1e308),
]


@pytest.mark.parametrize("x, y, expected", HAND_BCE_WITH_LOGITS)
def test_binary_cross_entropy_with_logits_is_stable_at_every_magnitude(x, y, expected):
    got = binary_cross_entropy_with_logits([x], [y], reduction="sum")
    assert got == pytest.approx(expected, rel=4 * np.finfo(np.float64).eps, abs=1e-300)


def test_binary_cross_entropy_with_logits_keeps_full_relative_precision_on_random_logits():
    # loss = y softplus(-x) + (1 - y) softplus(x); reference: mpmath at 300 bits, log1p(exp(.)) form
    rng = np.random.default_rng(0)
    logits = rng.uniform(-45, 45, size=200)
    target = rng.integers(0, 2, size=200).astype(np.float64)
    with mpmath.workprec(300):
        softplus_exact = lambda x: mpmath.log1p(mpmath.exp(mpmath.mpf(float(x))))  # noqa: E731
        expected = [float(softplus_exact(-x) if y == 1 else softplus_exact(x)) for x, y in zip(logits, target)]
    got = binary_cross_entropy_with_logits(logits, target, reduction="none")
    np.testing.assert_allclose(got, expected, rtol=4 * np.finfo(np.float64).eps, atol=0)


def test_binary_cross_entropy_with_logits_pos_weight_scales_the_positive_term():
    # x = 0, y = 1, pos_weight 3: 3 (-log sigmoid 0) = 3 log 2; x = 0, y = 0: -log(1/2), unweighted
    got = binary_cross_entropy_with_logits([[0.0, 0.0]], [[1.0, 0.0]], pos_weight=[3.0, 3.0], reduction="none")
    np.testing.assert_allclose(got, [[3 * LOG2, LOG2]], rtol=1e-15)


def test_binary_cross_entropy_with_logits_pos_weight_keeps_the_zero_loss_of_a_certain_negative():
    # x = -inf, y = 0: pos_weight * 0 * log sigmoid(-inf) is 0 * (-inf) -> the limit 0, not NaN
    assert binary_cross_entropy_with_logits([-INF], [0.0], pos_weight=[2.0], reduction="sum") == 0.0


def test_binary_cross_entropy_with_logits_rejects_a_negative_pos_weight():
    with pytest.raises(ValueError):
        binary_cross_entropy_with_logits([[0.0, 1.0]], [[1.0, 0.0]], pos_weight=[1.0, -0.5])


def test_binary_cross_entropy_with_logits_weight_scales_each_element():
    # weights [2, 3] on log 2 each, mean over 2 elements: 5 log 2 / 2
    got = binary_cross_entropy_with_logits([0.0, 0.0], [1.0, 0.0], weight=[2.0, 3.0])
    assert got == pytest.approx(2.5 * LOG2, rel=1e-15)


# --- mse_loss, l1_loss -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "loss, reduction, expected",
    [
        # input [1, 2, 3], target [1, 0, 0]: errors [0, 2, 3]
        (mse_loss, "none", [0.0, 4.0, 9.0]),
        (mse_loss, "sum", 13.0),
        (mse_loss, "mean", 13.0 / 3),
        (l1_loss, "none", [0.0, 2.0, 3.0]),
        (l1_loss, "sum", 5.0),
        (l1_loss, "mean", 5.0 / 3),
    ],
)
def test_regression_losses_hand_values(loss, reduction, expected):
    np.testing.assert_allclose(loss([1.0, 2.0, 3.0], [1.0, 0.0, 0.0], reduction=reduction), expected, rtol=1e-15)


@pytest.mark.parametrize("loss", [mse_loss, l1_loss], ids=lambda f: f.__name__)
def test_regression_losses_compute_integer_input_in_float64(loss):
    got = loss([1, 2, 3], [1, 0, 0])
    assert np.asarray(got).dtype == np.float64


def test_mse_loss_reduces_over_every_element_of_a_batch():
    # errors [[1, 2], [3, 4]] -> squares 1, 4, 9, 16 -> mean 30 / 4
    assert mse_loss([[1.0, 2.0], [3.0, 4.0]], np.zeros((2, 2))) == pytest.approx(7.5, rel=1e-15)


# --- gaussian_nll_loss -----------------------------------------------------------------------------------

HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)


def test_gaussian_nll_loss_hand_value():
    # 1/2 (log 1/2 + (0 - 1)^2 / (1/2)) = 1/2 (2 - log 2) = 1 - log(2) / 2
    assert gaussian_nll_loss([0.0], [1.0], [0.5]) == pytest.approx(1 - LOG2 / 2, rel=1e-15)


def test_gaussian_nll_loss_full_adds_half_log_two_pi():
    assert gaussian_nll_loss([0.0], [1.0], [0.5], full=True) == pytest.approx(1 - LOG2 / 2 + HALF_LOG_TWO_PI, rel=1e-15)


def test_gaussian_nll_loss_clamps_the_variance_at_eps():
    # var 0 -> 1e-3: 1/2 (log 1e-3 + (0.1)^2 / 1e-3) = 1/2 (log 1e-3 + 10)
    got = gaussian_nll_loss([0.0], [0.1], [0.0], eps=1e-3)
    assert got == pytest.approx(0.5 * (math.log(1e-3) + 0.01 / 1e-3), rel=1e-12)


def test_gaussian_nll_loss_one_variance_per_sample_is_shared_across_its_features():
    # input (2, 2), var (2,): var[n] applies to both features of sample n
    inputs = np.array([[0.0, 1.0], [2.0, 2.0]])
    targets = np.zeros((2, 2))
    var = np.array([1.0, 4.0])
    expected = 0.5 * np.array([[0.0 + 0.0, 0.0 + 1.0], [math.log(4) + 1.0, math.log(4) + 1.0]])
    np.testing.assert_allclose(gaussian_nll_loss(inputs, targets, var, reduction="none"), expected, rtol=1e-15)
    np.testing.assert_allclose(gaussian_nll_loss(inputs, targets, var[:, None], reduction="none"), expected, rtol=1e-15)


def test_gaussian_nll_loss_rejects_a_negative_variance():
    with pytest.raises(ValueError):
        gaussian_nll_loss([0.0, 0.0], [1.0, 1.0], [1.0, -1e-12])


def test_gaussian_nll_loss_rejects_a_variance_of_an_incompatible_shape():
    with pytest.raises(ValueError):
        gaussian_nll_loss(np.zeros((4, 3)), np.zeros((4, 3)), np.ones((3,)))


# --- poisson_nll_loss ------------------------------------------------------------------------------------


def test_poisson_nll_loss_with_log_input_hand_value():
    # log-rate 0 (rate 1), target 2: e^0 - 2 * 0 = 1;  log-rate log 3, target 1: 3 - log 3
    got = poisson_nll_loss([0.0, math.log(3)], [2.0, 1.0], reduction="none")
    np.testing.assert_allclose(got, [1.0, 3 - math.log(3)], rtol=1e-15)


def test_poisson_nll_loss_with_rate_input_hand_value():
    # rate 2, target 3: 2 - 3 log(2 + 1e-8)
    got = poisson_nll_loss([2.0], [3.0], log_input=False, reduction="sum")
    assert got == pytest.approx(2 - 3 * math.log(2 + 1e-8), rel=1e-15)


@pytest.mark.parametrize("log_input", [True, False])
def test_poisson_nll_loss_full_adds_the_exact_log_factorial(log_input):
    # torch adds Stirling's approximation y log y - y + 1/2 log(2 pi y) for y > 1; the exact term is
    # log(y!) = gammaln(y + 1): log 2! = log 2, log 5! = log 120, and 0 for y in {0, 1}
    rates = np.array([1.5, 2.0, 0.5, 3.0])
    targets = np.array([2.0, 5.0, 0.0, 1.0])
    inputs = np.log(rates) if log_input else rates
    base = rates - targets * (np.log(rates) if log_input else np.log(rates + 1e-8))
    expected = base + np.array([math.log(2), math.log(120), 0.0, 0.0])
    got = poisson_nll_loss(inputs, targets, log_input=log_input, full=True, reduction="none")
    np.testing.assert_allclose(got, expected, rtol=1e-14)
    np.testing.assert_allclose(expected - base, scipy.special.gammaln(targets + 1), rtol=1e-15, atol=1e-300)


def test_poisson_nll_loss_of_a_zero_rate_and_a_zero_count_is_zero():
    # log-rate -inf (rate 0), target 0: P(0 | rate 0) = 1, so the loss e^-inf - 0 * (-inf) is the limit 0
    assert poisson_nll_loss([-INF], [0.0], reduction="sum") == 0.0


def test_poisson_nll_loss_rejects_a_negative_rate():
    # with log_input=False the input is the rate itself; torch returns NaN from log(-1 + eps)
    with pytest.raises(ValueError):
        poisson_nll_loss([1.0, -1.0], [2.0, 1.0], log_input=False)


@pytest.mark.parametrize("log_input", [True, False])
def test_poisson_nll_loss_rejects_negative_targets(log_input):
    with pytest.raises(ValueError):
        poisson_nll_loss([1.0, 1.0], [2.0, -1.0], log_input=log_input)


# --- rules shared by every loss --------------------------------------------------------------------------

# A valid call of each loss on (2, 3) inputs, as a function of the keyword arguments to add.
LOSS_CALLS = {
    "nll_loss": lambda **kw: nll_loss(np.log(np.full((2, 3), 1 / 3)), [0, 2], **kw),
    "cross_entropy_loss": lambda **kw: cross_entropy_loss(np.zeros((2, 3)), [0, 2], **kw),
    "cross_entropy_loss_probs": lambda **kw: cross_entropy_loss(np.zeros((2, 3)), np.full((2, 3), 1 / 3), **kw),
    "binary_cross_entropy": lambda **kw: binary_cross_entropy(np.full((2, 3), 0.5), np.ones((2, 3)), **kw),
    "binary_cross_entropy_with_logits": lambda **kw: binary_cross_entropy_with_logits(np.zeros((2, 3)), np.ones((2, 3)), **kw),
    "mse_loss": lambda **kw: mse_loss(np.zeros((2, 3)), np.ones((2, 3)), **kw),
    "l1_loss": lambda **kw: l1_loss(np.zeros((2, 3)), np.ones((2, 3)), **kw),
    "gaussian_nll_loss": lambda **kw: gaussian_nll_loss(np.zeros((2, 3)), np.ones((2, 3)), np.ones((2, 3)), **kw),
    "poisson_nll_loss": lambda **kw: poisson_nll_loss(np.zeros((2, 3)), np.ones((2, 3)), **kw),
}


@pytest.mark.parametrize("call", list(LOSS_CALLS.values()), ids=list(LOSS_CALLS))
@pytest.mark.parametrize("reduction", ["avg", "Mean", "", None, "batchmean"])
def test_losses_reject_an_unknown_reduction(call, reduction):
    with pytest.raises(ValueError):
        call(reduction=reduction)


# reduction="none" keeps one loss per sample for the classification losses, one per element otherwise
NONE_SHAPES = {name: ((2,) if name.startswith(("nll", "cross_entropy")) else (2, 3)) for name in LOSS_CALLS}


@pytest.mark.parametrize("name", list(LOSS_CALLS))
def test_losses_reduce_to_a_scalar_or_keep_the_batch_shape(name):
    call = LOSS_CALLS[name]
    assert np.shape(call(reduction="mean")) == ()
    assert np.shape(call(reduction="sum")) == ()
    assert np.shape(call(reduction="none")) == NONE_SHAPES[name]


@pytest.mark.parametrize("call", list(LOSS_CALLS.values()), ids=list(LOSS_CALLS))
def test_losses_mean_is_the_sum_divided_by_the_number_of_terms(call):
    per_term = np.asarray(call(reduction="none"))
    np.testing.assert_allclose(call(reduction="mean"), per_term.sum() / per_term.size, rtol=1e-15)
    np.testing.assert_allclose(call(reduction="sum"), per_term.sum(), rtol=1e-15)


# (first argument, second argument) pairs whose shapes differ but would broadcast in NumPy
MISMATCHED = {
    "column_vs_row": (np.full((3,), 0.5), np.full((3, 1), 0.5)),
    "length_one_vs_three": (np.full((3,), 0.5), np.full((1,), 0.5)),
    "batch_vs_row": (np.full((2, 3), 0.5), np.full((3,), 0.5)),
    "scalar_vs_vector": (np.full((3,), 0.5), np.float64(0.5)),
}
ELEMENTWISE_LOSSES = {
    "binary_cross_entropy": binary_cross_entropy,
    "binary_cross_entropy_with_logits": binary_cross_entropy_with_logits,
    "mse_loss": mse_loss,
    "l1_loss": l1_loss,
    "poisson_nll_loss": poisson_nll_loss,
    "gaussian_nll_loss": lambda a, b: gaussian_nll_loss(a, b, np.ones(np.shape(a))),
}


@pytest.mark.parametrize("loss", list(ELEMENTWISE_LOSSES.values()), ids=list(ELEMENTWISE_LOSSES))
@pytest.mark.parametrize("first, second", list(MISMATCHED.values()), ids=list(MISMATCHED))
def test_elementwise_losses_reject_mismatched_shapes_instead_of_broadcasting(loss, first, second):
    with pytest.raises(ValueError):
        loss(first, second)


FLOAT_LOSS_CALLS = {
    "nll_loss": lambda x: nll_loss(np.log(np.full((2, 3), 1 / 3, dtype=x.dtype)), [0, 2]),
    "cross_entropy_loss": lambda x: cross_entropy_loss(x, [0, 2]),
    "cross_entropy_loss_smoothed": lambda x: cross_entropy_loss(x, [0, 2], label_smoothing=0.1),
    "cross_entropy_loss_probs": lambda x: cross_entropy_loss(x, np.full((2, 3), 1 / 3, dtype=x.dtype)),
    "binary_cross_entropy": lambda x: binary_cross_entropy(np.full((2, 3), 0.25, dtype=x.dtype), np.ones((2, 3), dtype=x.dtype)),
    "binary_cross_entropy_with_logits": lambda x: binary_cross_entropy_with_logits(x, np.ones((2, 3), dtype=x.dtype)),
    "mse_loss": lambda x: mse_loss(x, np.ones((2, 3), dtype=x.dtype)),
    "l1_loss": lambda x: l1_loss(x, np.ones((2, 3), dtype=x.dtype)),
    "gaussian_nll_loss": lambda x: gaussian_nll_loss(x, np.ones((2, 3), dtype=x.dtype), np.full((2, 3), 2.0, dtype=x.dtype)),
    "poisson_nll_loss": lambda x: poisson_nll_loss(x, np.ones((2, 3), dtype=x.dtype)),
    "poisson_nll_loss_full": lambda x: poisson_nll_loss(x, np.full((2, 3), 3.0, dtype=x.dtype), full=True),
}


@pytest.mark.parametrize("call", list(FLOAT_LOSS_CALLS.values()), ids=list(FLOAT_LOSS_CALLS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_losses_preserve_float_dtype(call, dtype):
    x = np.array([[0.5, -1.0, 2.0], [0.0, 1.5, -0.5]], dtype=dtype)
    assert np.asarray(call(x)).dtype == dtype


@pytest.mark.parametrize("call", list(FLOAT_LOSS_CALLS.values()), ids=list(FLOAT_LOSS_CALLS))
def test_losses_in_float32_agree_with_float64(call):
    x = np.array([[0.5, -1.0, 2.0], [0.0, 1.5, -0.5]])
    np.testing.assert_allclose(call(x.astype(np.float32)), call(x), rtol=2e-6)


# --- issue 12: infinities, confident predictions, zero weights, dtypes, 0-d inputs, flags -------------------


@pytest.mark.parametrize(
    "logits, target, expected",
    [
        ([[INF, 0.0, 1.0]], [1], INF),  # the only +inf is another class: probability 0
        ([[INF, 0.0, 1.0]], [0], 0.0),  # the only +inf is the target: probability 1
        ([[0.0, -INF, 1.0]], [1], INF),  # a masked class as the target
        ([[-INF, -INF, -INF]], [0], NAN),  # no distribution at all
        ([[INF, INF, 1.0]], [0], NAN),  # the target shares +inf: its share is undefined
        ([[INF, INF, 1.0]], [2], INF),  # whatever the split, class 2 gets nothing
    ],
)
def test_cross_entropy_loss_at_infinite_logits_is_the_limit(logits, target, expected):
    np.testing.assert_array_equal(cross_entropy_loss(logits, target, reduction="none"), [expected])


@pytest.mark.parametrize("smoothing", [0.3, 1.0])
def test_cross_entropy_loss_with_smoothing_is_inf_when_a_smoothed_class_has_probability_zero(smoothing):
    # [inf, inf, 1]: class 2 has probability 0 whatever the split of the two +inf, and smoothing gives
    # it mass, so -log 0 = inf; the undefined split of the other two cannot change that.
    assert cross_entropy_loss([[INF, INF, 1.0]], [2], label_smoothing=smoothing) == INF
    assert cross_entropy_loss([[INF, INF, 1.0]], np.array([[0.0, 0.0, 1.0]]), label_smoothing=smoothing) == INF


def test_cross_entropy_loss_of_a_confident_right_prediction_keeps_full_precision():
    # -log softmax([50, 10, 10])_0 = log1p(2 exp(-40)), at 300 bits
    with mpmath.workprec(300):
        exact = float(mpmath.log1p(2 * mpmath.exp(-40)))
    for logits in ([[50.0, 10.0, 10.0]], np.float32([[50.0, 10.0, 10.0]])):
        assert float(cross_entropy_loss(logits, [0])) == pytest.approx(exact, rel=1e-6, abs=0)
    assert float(cross_entropy_loss([[50.0, 10.0, 10.0]], [0])) == pytest.approx(exact, rel=1e-15, abs=0)


@pytest.mark.parametrize("shift", [0.0, 100.0, -1000.0, 1e30])
def test_cross_entropy_loss_is_invariant_to_shifting_the_logits(shift):
    # By hand, for logits [s + 2, s, s]: -log(e^2 / (e^2 + 2)) = log1p(2 e^-2) for target 0, and
    # -log(1 / (e^2 + 2)) = 2 + log1p(2 e^-2) for target 1.
    logits = np.array([[2.0, 0.0, 0.0], [2.0, 0.0, 0.0]]) + shift
    expected = [math.log1p(2 * math.exp(-2.0)), 2.0 + math.log1p(2 * math.exp(-2.0))]
    if shift == 1e30:  # the differences 2 are lost in rounding: all three logits are equal
        expected = [math.log(3.0), math.log(3.0)]
    np.testing.assert_allclose(cross_entropy_loss(logits, [0, 1], reduction="none"), expected, rtol=1e-14)


def test_cross_entropy_loss_gives_a_zero_weight_class_masked_with_minus_inf_nothing():
    # torch: 0 * -inf = nan in the smoothing term. Class 1 has weight 0, so it contributes 0; the rest is
    # (1 - 0.1) * 1 * (-log 1) + 0.1 / 2 * (1 * -log 1) = 0.
    loss = cross_entropy_loss([[0.0, -INF]], [0], weight=[1.0, 0.0], label_smoothing=0.1)
    assert loss == 0.0


def test_a_zero_weight_does_not_hide_a_nan_logit():
    # torch gives nan: 0 * nan is nan. Only an ignored target contributes 0 whatever its logits.
    assert np.isnan(cross_entropy_loss([[NAN, 0.0]], [1], weight=[1.0, 0.0], reduction="none")[0])
    assert np.isnan(nll_loss([[NAN, 0.0]], [0], weight=[0.0, 1.0], reduction="none")[0])
    assert np.isnan(binary_cross_entropy_with_logits([NAN], [1.0], weight=[0.0], reduction="none")[0])
    assert np.isnan(binary_cross_entropy_with_logits([NAN], [1.0], pos_weight=[0.0], reduction="none")[0])
    assert cross_entropy_loss([[NAN, 0.0]], [-100], reduction="sum") == 0.0


@pytest.mark.parametrize("x", [16.7, 17.0, 20.0, 30.0, 88.0, 100.0, 1e4])
@pytest.mark.parametrize("y", [0.0, 1.0, 0.25])
def test_float32_binary_cross_entropy_with_logits_is_accurate_beyond_the_log1p_cutoff(x, y):
    # For |x| > 16.6 float32's 1 + exp(-|x|) rounds to 1; the loss must not become nan or 0 there.
    # Below float32's smallest normal number the loss is a subnormal: one subnormal spacing of slack.
    for logit in (np.float32(x), np.float32(-x)):
        with mpmath.workprec(200):
            z = mpmath.mpf(float(logit))
            exact = float(y * mpmath.log1p(mpmath.exp(-z)) + (1 - y) * mpmath.log1p(mpmath.exp(z)))
        got = binary_cross_entropy_with_logits(np.float32([logit]), np.float32([y]), reduction="none")
        assert got.dtype == np.float32
        assert float(got[0]) == pytest.approx(exact, rel=4e-7, abs=float(np.finfo(np.float32).smallest_subnormal))


def test_float32_binary_cross_entropy_with_logits_sum_past_the_float32_range_is_inf_without_warning():
    x = np.float32([3e38, 3e38])
    assert binary_cross_entropy_with_logits(x, np.float32([0.0, 0.0]), reduction="sum") == INF


@pytest.mark.parametrize(
    "call, expected",
    [
        (lambda: mse_loss(1.0, 3.0), 4.0),
        (lambda: l1_loss(1.0, 3.0), 2.0),
        (lambda: mse_loss(1.0, 3.0, reduction="none"), 4.0),
        (lambda: poisson_nll_loss(1.0, 3.0), math.e - 3.0),  # exp(1) - 3 * 1
        (lambda: poisson_nll_loss(2.0, 3.0, log_input=False), 2.0 - 3.0 * math.log(2.0 + 1e-8)),
        (lambda: gaussian_nll_loss(1.0, 3.0, 2.0), 0.5 * (math.log(2.0) + 4.0 / 2.0)),
    ],
)
def test_regression_losses_accept_zero_dimensional_inputs(call, expected):
    assert float(call()) == pytest.approx(expected, rel=1e-15, abs=0)


@pytest.mark.parametrize("flag", ["log_input", "full"])
@pytest.mark.parametrize("value", ["no", "False", 1, 0, None])
def test_poisson_nll_loss_flags_must_be_bools(flag, value):
    with pytest.raises(ValueError, match=f"{flag} must be a bool"):
        poisson_nll_loss([1.0], [1.0], **{flag: value})


def test_poisson_nll_loss_accepts_numpy_bools():
    assert poisson_nll_loss([0.0], [1.0], log_input=np.True_, full=np.False_) == 1.0


F32 = np.float32


@pytest.mark.parametrize(
    "call",
    [
        lambda: cross_entropy_loss(F32([[1.0, 2.0, 3.0]]), [0], weight=[1, 2, 3]),
        lambda: cross_entropy_loss(F32([[1.0, 2.0, 3.0]]), [0], weight=[1, 2, 3], reduction="none"),
        lambda: cross_entropy_loss(F32([[1.0, 2.0, 3.0]]), F32([[0.5, 0.5, 0.0]]), weight=[1, 2, 3]),
        lambda: nll_loss(F32([[-1.0, -2.0]]), [0], weight=[1, 2]),
        lambda: binary_cross_entropy(F32([0.5]), F32([1.0]), weight=[2]),
        lambda: binary_cross_entropy(F32([0.5]), F32([1.0]), weight=2.0),
        lambda: binary_cross_entropy_with_logits(F32([0.5]), F32([1.0]), weight=[2], pos_weight=[3]),
        lambda: binary_cross_entropy_with_logits(F32([0.5]), F32([1.0]), weight=2.0, pos_weight=3),
        lambda: binary_cross_entropy_with_logits(F32([0.5]), F32([1.0]), pos_weight=3.0),
        lambda: gaussian_nll_loss(F32([1.0]), F32([2.0]), 1.0),
        lambda: gaussian_nll_loss(F32([1.0]), F32([2.0]), [1]),
    ],
)
def test_integer_weights_and_python_scalars_keep_a_float32_result_float32(call):
    assert np.asarray(call()).dtype == np.float32


@pytest.mark.parametrize(
    "call, dtype",
    [
        (lambda: cross_entropy_loss(F32([[1.0, 2.0]]), [0], weight=np.float64([1.0, 2.0])), np.float64),
        (lambda: cross_entropy_loss(np.float64([[1.0, 2.0]]), F32([[0.5, 0.5]])), np.float64),
        (lambda: cross_entropy_loss(np.float16([[1.0, 2.0]]), [0]), np.float16),
        (lambda: cross_entropy_loss(np.float16([[1.0, 2.0]]), [0], weight=F32([1.0, 2.0])), np.float32),
        (lambda: cross_entropy_loss([[1, 2]], [0]), np.float64),
        (lambda: binary_cross_entropy_with_logits(np.float16([1.0]), np.float16([1.0])), np.float16),
        (lambda: binary_cross_entropy_with_logits(F32([1.0]), F32([1.0]), weight=np.float64([2.0])), np.float64),
        (lambda: mse_loss(np.float16([1.0]), np.float16([2.0])), np.float16),
        (lambda: nll_loss(F32([[-1.0, -2.0]]), [0], weight=np.float64([1.0, 2.0])), np.float64),
        (lambda: cross_entropy_loss(F32([[1.0, 2.0]]), np.float64([[0.5, 0.5]])), np.float64),
        (lambda: cross_entropy_loss(F32([[1.0, 2.0]]), F32([[0.5, 0.5]]), weight=np.float64([1.0, 2.0])), np.float64),
        (lambda: binary_cross_entropy_with_logits(F32([1.0]), np.float16([1.0])), np.float32),
        (lambda: binary_cross_entropy_with_logits(np.float16([1.0]), F32([1.0])), np.float32),
        (lambda: binary_cross_entropy_with_logits(F32([1.0]), F32([1.0]), pos_weight=np.float64([2.0])), np.float64),
        (lambda: mse_loss(np.float16([1.0]), F32([2.0])), np.float32),
        (lambda: l1_loss(F32([1.0]), np.float16([2.0])), np.float32),
        (lambda: gaussian_nll_loss(np.float16([1.0]), F32([2.0]), 1.0), np.float32),
        (lambda: gaussian_nll_loss(F32([1.0]), np.float16([2.0]), 1.0), np.float32),
        (lambda: gaussian_nll_loss(F32([1.0]), np.float64([2.0]), 1.0), np.float64),
        (lambda: gaussian_nll_loss(F32([1.0]), F32([2.0]), np.float64([1.0])), np.float64),
        (lambda: poisson_nll_loss(np.float16([1.0]), F32([2.0])), np.float32),
        (lambda: poisson_nll_loss(F32([1.0]), np.float16([2.0])), np.float32),
        (lambda: binary_cross_entropy(np.float64([0.5]), F32([1.0])), np.float64),
        (lambda: binary_cross_entropy(F32([0.5]), np.float64([1.0])), np.float64),
        (lambda: binary_cross_entropy(F32([0.5]), F32([1.0]), weight=np.float64([2.0])), np.float64),
    ],
)
def test_mixed_dtypes_give_the_result_type_of_the_floating_arguments(call, dtype):
    assert np.asarray(call()).dtype == dtype


def test_cross_entropy_loss_of_mixed_dtypes_is_computed_in_the_wider_one():
    # float32 logits with float64 weights: float64 result, as accurate as all-float64 input.
    logits = np.float32([[0.1, 0.2, 0.3]])
    weight = np.array([1.0, 2.0, 3.0])
    wide = cross_entropy_loss(logits.astype(np.float64), [2], weight=weight)
    assert cross_entropy_loss(logits, [2], weight=weight) == wide


def test_float16_cross_entropy_loss_is_the_float64_loss_rounded_to_float16():
    logits = np.float16([[1.5, -2.0, 0.25], [3.0, 3.0, -1.0]])
    expected = cross_entropy_loss(logits.astype(np.float64), [0, 2], reduction="none").astype(np.float16)
    np.testing.assert_array_equal(cross_entropy_loss(logits, [0, 2], reduction="none"), expected)


def test_nll_loss_accepts_positive_values_and_returns_what_they_give():
    # The contract: nll_loss does not check that its input is log-probabilities (the book shows what raw
    # probabilities give: a negative "loss").
    assert nll_loss([[0.5, 2.0]], [0]) == -0.5


def test_docstrings_state_the_thread_count_the_kernel_uses():
    assert _rowwise.num_workers() == max(1, min(len(os.sched_getaffinity(0)), 8))
    for function in (cross_entropy_loss, binary_cross_entropy_with_logits):
        assert "two worker threads" not in function.__doc__
        assert "at most" in function.__doc__ and "eight" in function.__doc__


# --- exact error messages: the message names the argument and says what was wrong --------------------------

BCE_LOGITS = binary_cross_entropy_with_logits
# (call, exception type, the whole message)
BAD_CALLS = {
    "nll_loss_complex_log_probs": (
        lambda: nll_loss([[1j, 0.0]], [0]), TypeError, "log_probs must hold real numbers; got an array of dtype complex128"
    ),
    "nll_loss_scalar_log_probs": (
        lambda: nll_loss(0.5, 0), ValueError, "log_probs must have a class axis (the last axis); got a scalar"
    ),
    "nll_loss_no_classes": (
        lambda: nll_loss(np.zeros((2, 0)), [0, 0]), ValueError, "log_probs has no classes (its last axis has length 0)"
    ),
    "nll_loss_target_shape": (
        lambda: nll_loss(np.zeros((2, 3)), [0, 1, 2]),
        ValueError,
        "target must have shape (2,) (log_probs.shape without the class axis); got (3,)",
    ),
    "nll_loss_float_ignore_index": (
        lambda: nll_loss(np.zeros((2, 3)), [0, 1], ignore_index=1.5), ValueError, "ignore_index must be an integer; got 1.5"
    ),
    "nll_loss_complex_target": (
        lambda: nll_loss(np.zeros((1, 3)), [1j]), TypeError, "target must hold real numbers; got an array of dtype complex128"
    ),
    "nll_loss_float_target": (
        lambda: nll_loss(np.zeros((2, 3)), [0.0, 1.0]),
        ValueError,
        "target must hold integer class indices; got dtype float64",
    ),
    "nll_loss_bool_target": (
        lambda: nll_loss(np.zeros((2, 3)), [True, False]), ValueError, "target must hold integer class indices; got dtype bool"
    ),
    "ce_complex_logits": (
        lambda: cross_entropy_loss([[1j, 0.0]], [0]), TypeError, "logits must hold real numbers; got an array of dtype complex128"
    ),
    "ce_scalar_logits": (
        lambda: cross_entropy_loss(0.5, 0), ValueError, "logits must have a class axis (the last axis); got a scalar"
    ),
    "ce_no_classes": (
        lambda: cross_entropy_loss(np.zeros((2, 0)), [0, 0]), ValueError, "logits has no classes (its last axis has length 0)"
    ),
    "ce_label_smoothing_above_one": (
        lambda: cross_entropy_loss(np.zeros((2, 3)), [0, 2], label_smoothing=1.5),
        ValueError,
        "label_smoothing must be <= 1; got 1.5",
    ),
    "ce_float_ignore_index": (
        lambda: cross_entropy_loss(np.zeros((2, 3)), [0, 2], ignore_index=1.5),
        ValueError,
        "ignore_index must be an integer; got 1.5",
    ),
    "ce_complex_target": (
        lambda: cross_entropy_loss(np.zeros((2, 3)), [1j, 0.0]),
        TypeError,
        "target must hold real numbers; got an array of dtype complex128",
    ),
    "ce_index_target_shape": (
        lambda: cross_entropy_loss(np.zeros((2, 3)), [0, 1, 2]),
        ValueError,
        "target must have shape (2,) (logits.shape without the class axis); got (3,)",
    ),
    "ce_ignore_index_with_probability_targets": (
        lambda: cross_entropy_loss(np.zeros((2, 3)), np.full((2, 3), 1 / 3), ignore_index=0),
        ValueError,
        "ignore_index=0 applies only to class-index targets; target holds class probabilities",
    ),
    "ce_float_index_target": (
        lambda: cross_entropy_loss(np.zeros((2, 3)), [0.0, 2.0]),
        ValueError,
        "target of shape (2,) looks like class indices but has dtype float64; "
        "use an integer dtype (or pass class probabilities of shape logits.shape)",
    ),
    # bool is neither form: not indices (True is not a class), not probabilities (even one-hot)
    "ce_bool_index_target": (
        lambda: cross_entropy_loss(np.zeros((2, 3)), [True, False]),
        ValueError,
        "target must be integer class indices of shape (2,) or class probabilities of shape (2, 3); "
        "got dtype bool and shape (2,)",
    ),
    "ce_bool_one_hot_target": (
        lambda: cross_entropy_loss(np.zeros((2, 3)), np.eye(3, dtype=bool)[[0, 2]]),
        ValueError,
        "target must be integer class indices of shape (2,) or class probabilities of shape (2, 3); "
        "got dtype bool and shape (2, 3)",
    ),
    "ce_probability_target_of_another_shape": (
        lambda: cross_entropy_loss(np.zeros((2, 3)), np.full((2, 4), 0.25)),
        ValueError,
        "target must be integer class indices of shape (2,) or class probabilities of shape (2, 3); "
        "got dtype float64 and shape (2, 4)",
    ),
    "bce_complex_probs": (
        lambda: binary_cross_entropy([1j], [1.0]), TypeError, "probs must hold real numbers; got an array of dtype complex128"
    ),
    "bce_complex_target": (
        lambda: binary_cross_entropy([0.5], [1j]), TypeError, "target must hold real numbers; got an array of dtype complex128"
    ),
    "bce_shapes": (
        lambda: binary_cross_entropy([0.5, 0.5], [1.0, 1.0, 1.0]),
        ValueError,
        "probs and target must have the same shape (no broadcasting); got (2,) and (3,)",
    ),
    "bce_target_range": (
        lambda: binary_cross_entropy([0.5, 0.5], [1.0, 1.5]), ValueError, "target must be in [0, 1]; got 1.5 at index (1,)"
    ),
    "bce_logits_complex_logits": (
        lambda: BCE_LOGITS([1j], [1.0]), TypeError, "logits must hold real numbers; got an array of dtype complex128"
    ),
    "bce_logits_complex_target": (
        lambda: BCE_LOGITS([1.0], [1j]), TypeError, "target must hold real numbers; got an array of dtype complex128"
    ),
    "bce_logits_shapes": (
        lambda: BCE_LOGITS([0.0, 0.0], [1.0, 1.0, 1.0]),
        ValueError,
        "logits and target must have the same shape (no broadcasting); got (2,) and (3,)",
    ),
    "bce_logits_target_range": (
        lambda: BCE_LOGITS([0.0, 0.0], [1.0, 1.5]), ValueError, "target must be in [0, 1]; got 1.5 at index (1,)"
    ),
    "bce_logits_negative_weight": (
        lambda: BCE_LOGITS([0.0, 0.0], [1.0, 0.0], weight=[1.0, -2.0]),
        ValueError,
        "weight must be non-negative; got -2.0 at index (1,)",
    ),
    "bce_logits_infinite_weight": (
        lambda: BCE_LOGITS([0.0, 0.0], [1.0, 0.0], weight=[INF, 1.0]),
        ValueError,
        "weight must be finite; got inf at index (0,)",
    ),
    "bce_logits_negative_pos_weight": (
        lambda: BCE_LOGITS([0.0, 0.0], [1.0, 0.0], pos_weight=[-0.5]),
        ValueError,
        "pos_weight must be non-negative; got -0.5 at index (0,)",
    ),
    "bce_logits_weight_shape": (
        lambda: BCE_LOGITS([0.0, 0.0], [1.0, 0.0], weight=[1.0, 2.0, 3.0]),
        ValueError,
        "weight of shape (3,) does not broadcast to the shape (2,) of logits",
    ),
    "bce_logits_pos_weight_shape": (
        lambda: BCE_LOGITS([0.0, 0.0], [1.0, 0.0], pos_weight=[[1.0], [2.0]]),
        ValueError,
        "pos_weight of shape (2, 1) does not broadcast to the shape (2,) of logits",
    ),
    "mse_complex_input": (
        lambda: mse_loss([1j], [1.0]), TypeError, "input must hold real numbers; got an array of dtype complex128"
    ),
    "l1_complex_target": (
        lambda: l1_loss([1.0], [1j]), TypeError, "target must hold real numbers; got an array of dtype complex128"
    ),
    "mse_shapes": (
        lambda: mse_loss([1.0, 2.0], [1.0]),
        ValueError,
        "input and target must have the same shape (no broadcasting); got (2,) and (1,)",
    ),
    "gaussian_complex_input": (
        lambda: gaussian_nll_loss([1j], [1.0], [1.0]),
        TypeError,
        "input must hold real numbers; got an array of dtype complex128",
    ),
    "gaussian_complex_target": (
        lambda: gaussian_nll_loss([1.0], [1j], [1.0]),
        TypeError,
        "target must hold real numbers; got an array of dtype complex128",
    ),
    "gaussian_complex_var": (
        lambda: gaussian_nll_loss([1.0], [1.0], [1j]), TypeError, "var must hold real numbers; got an array of dtype complex128"
    ),
    "gaussian_shapes": (
        lambda: gaussian_nll_loss([1.0, 2.0], [1.0, 2.0, 3.0], 1.0),
        ValueError,
        "input and target must have the same shape (no broadcasting); got (2,) and (3,)",
    ),
    "gaussian_eps_string": (
        lambda: gaussian_nll_loss([1.0], [1.0], [1.0], eps="small"), ValueError, "eps must be a real number; got 'small'"
    ),
    "gaussian_eps_zero": (lambda: gaussian_nll_loss([1.0], [1.0], [1.0], eps=0.0), ValueError, "eps must be > 0; got 0.0"),
    "gaussian_full_not_bool": (
        lambda: gaussian_nll_loss([1.0], [1.0], [1.0], full=1), ValueError, "full must be a bool; got 1"
    ),
    "gaussian_negative_var": (
        lambda: gaussian_nll_loss([1.0, 2.0], [1.0, 2.0], [1.0, -0.5]),
        ValueError,
        "var must be non-negative; got -0.5 at index (1,)",
    ),
    "gaussian_var_two_axes_of_length_one": (
        lambda: gaussian_nll_loss(np.zeros((2, 3, 4)), np.zeros((2, 3, 4)), np.ones((1, 1, 4))),
        ValueError,
        "var of shape (1, 1, 4) does not fit input of shape (2, 3, 4): it must have the input's shape, "
        "that shape without the last axis, that shape with one axis of length 1, or be a scalar",
    ),
    "gaussian_var_one_axis_of_another_length": (
        lambda: gaussian_nll_loss(np.zeros((2, 3)), np.zeros((2, 3)), np.ones((2, 2))),
        ValueError,
        "var of shape (2, 2) does not fit input of shape (2, 3): it must have the input's shape, "
        "that shape without the last axis, that shape with one axis of length 1, or be a scalar",
    ),
    "poisson_complex_input": (
        lambda: poisson_nll_loss([1j], [1.0]), TypeError, "input must hold real numbers; got an array of dtype complex128"
    ),
    "poisson_complex_target": (
        lambda: poisson_nll_loss([1.0], [1j]), TypeError, "target must hold real numbers; got an array of dtype complex128"
    ),
    "poisson_shapes": (
        lambda: poisson_nll_loss([1.0], [1.0, 2.0]),
        ValueError,
        "input and target must have the same shape (no broadcasting); got (1,) and (2,)",
    ),
    "poisson_negative_eps": (
        lambda: poisson_nll_loss([1.0], [1.0], log_input=False, eps=-1e-3), ValueError, "eps must be >= 0; got -0.001"
    ),
    "poisson_eps_string": (
        lambda: poisson_nll_loss([1.0], [1.0], eps="tiny"), ValueError, "eps must be a real number; got 'tiny'"
    ),
    "poisson_negative_target": (
        lambda: poisson_nll_loss([0.0, 0.0], [1.0, -1.0]),
        ValueError,
        "target must be a non-negative count; got -1.0 at index (1,)",
    ),
    "poisson_negative_rate": (
        lambda: poisson_nll_loss([-0.5, 1.0], [1.0, 1.0], log_input=False),
        ValueError,
        "input must be a non-negative rate (log_input=False); got -0.5 at index (0,)",
    ),
}


@pytest.mark.parametrize("call, error, message", list(BAD_CALLS.values()), ids=list(BAD_CALLS))
def test_losses_refuse_invalid_arguments_with_a_message_naming_the_argument(call, error, message):
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        call()


# --- limits, conversions and warnings that the code handles on purpose --------------------------------------


def test_nll_loss_ignores_targets_of_a_single_class_problem():
    # One class: an ignored sample must not be looked up at any other class. Mean: -(-0.5) / 1.
    assert nll_loss([[-0.5], [-2.0]], [0, -100]) == 0.5
    np.testing.assert_array_equal(nll_loss([[-0.5], [-2.0]], [0, -100], reduction="none"), [0.5, 0.0])


def test_cross_entropy_loss_ignores_targets_of_a_single_class_problem():
    # One class: softmax is 1, so the loss is -log 1 = 0; the ignored sample must not be looked up at any
    # other class. Mean: 0 over the one sample left.
    np.testing.assert_array_equal(cross_entropy_loss([[3.0], [5.0]], [0, -100], reduction="none"), [0.0, 0.0])
    assert cross_entropy_loss([[3.0], [5.0]], [0, -100]) == 0.0


def test_cross_entropy_loss_smoothed_mean_over_a_zero_total_target_weight_is_inf_without_warning():
    # logits [0, 0] (p = 1/2 each), target 0 of weight 0, class 1 of weight 1, smoothing 0.5:
    # loss = (1 - 0.5) * 0 * log 2 + 0.5 / 2 * (0 * log 2 + 1 * log 2) = log(2) / 4, and "mean" divides
    # it by the target weights' sum, 0: log(2) / 4 / 0 = inf. (torch: nan, from its nll part 0 / 0.)
    call = lambda **kw: cross_entropy_loss([[0.0, 0.0]], [0], weight=[0.0, 1.0], label_smoothing=0.5, **kw)  # noqa: E731
    assert call(reduction="sum") == pytest.approx(LOG2 / 4, rel=1e-15)
    assert call() == INF


def test_cross_entropy_loss_of_probability_targets_keeps_each_limit_row_apart():
    # Each row's only +inf logit: class 0 has probability 1. Row 0 puts its target on class 1 (probability 0):
    # +inf; row 1 on class 0: 0. One infinite row must not make the other infinite.
    got = cross_entropy_loss([[INF, 0.0], [INF, 0.0]], np.array([[0.0, 1.0], [1.0, 0.0]]), reduction="none")
    np.testing.assert_array_equal(got, [INF, 0.0])


def test_cross_entropy_loss_of_probability_targets_keeps_the_batch_shape():
    # Uniform logits: every row's loss is log 3 whatever its (valid) target.
    target = np.full((2, 3, 3), 1 / 3)
    got = cross_entropy_loss(np.zeros((2, 3, 3)), target, reduction="none")
    assert got.shape == (2, 3)
    np.testing.assert_allclose(got, np.full((2, 3), math.log(3.0)), rtol=1e-15)
    unbatched = cross_entropy_loss(np.zeros(3), np.full(3, 1 / 3), reduction="none")
    assert np.shape(unbatched) == ()
    assert float(unbatched) == pytest.approx(math.log(3.0), rel=1e-15)


def test_binary_cross_entropy_with_logits_converts_integer_logits_before_taking_their_magnitude():
    # int8 -128 has no int8 magnitude; softplus(128) = 128 + log1p(e^-128) = 128 to double precision.
    got = binary_cross_entropy_with_logits(np.int8([-128, 127]), [1.0, 0.0], reduction="none")
    np.testing.assert_array_equal(got, [128.0, 127.0])
    # 2**24 + 1 is not a float32: the logit is rounded to float32 once, softplus(-x) is then 0, never -1.
    got = binary_cross_entropy_with_logits(np.array([2**24 + 1]), F32([1.0]), reduction="none")
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, [0.0])


def test_binary_cross_entropy_with_logits_zero_pos_weight_gives_zero_at_minus_inf():
    # x = -inf, y > 0: the positive term rho y softplus(inf) has coefficient rho y = 0, so it is 0.
    got = binary_cross_entropy_with_logits([-INF, -INF], [1.0, 0.5], pos_weight=[0.0], reduction="none")
    np.testing.assert_array_equal(got, [0.0, 0.0])


def test_binary_cross_entropy_with_logits_zero_weight_gives_zero_against_an_infinite_loss():
    # x = +inf, y = 0: softplus(inf) = inf times weight 0 is 0; the unit-weight element keeps log 2.
    got = binary_cross_entropy_with_logits([INF, 0.0], [0.0, 1.0], weight=[0.0, 1.0], reduction="none")
    np.testing.assert_array_equal(got, [0.0, LOG2])


def test_binary_cross_entropy_zero_weight_gives_zero_against_an_infinite_loss():
    # p = 0, y = 1: -log 0 = inf times weight 0 is 0; the unit-weight element keeps -log(1/4) = log 4.
    got = binary_cross_entropy([0.0, 0.25], [1.0, 1.0], weight=[0.0, 1.0], reduction="none")
    np.testing.assert_array_equal(got, [0.0, math.log(4.0)])


def test_float32_binary_cross_entropy_is_the_float64_loss_rounded_once():
    # Evaluated in float64 (the docstring): each float32 loss is the loss of the float32 inputs, computed
    # here in float64 by the formula, rounded to float32. Working in float32 (log p, 1 - y) would round
    # earlier and miss by an ulp on many of these soft labels.
    rng = np.random.default_rng(27)
    p = rng.uniform(0, 1, size=2000).astype(np.float32)
    y = rng.uniform(0, 1, size=2000).astype(np.float32)
    p64, y64 = p.astype(np.float64), y.astype(np.float64)
    expected = -(y64 * np.log(p64) + (1 - y64) * np.log1p(-p64))
    got = binary_cross_entropy(p, y, reduction="none")
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, expected.astype(np.float32))


def test_binary_cross_entropy_with_logits_of_an_empty_batch_is_nan_mean_and_zero_sum_without_warning():
    assert np.isnan(binary_cross_entropy_with_logits(np.zeros(0), np.zeros(0)))
    assert binary_cross_entropy_with_logits(np.zeros(0), np.zeros(0), reduction="sum") == 0.0


def test_float32_binary_cross_entropy_with_logits_accumulates_its_block_sums_in_float64():
    # Two losses of 2e38 (softplus(2e38) = 2e38): their float32 sum overflows, their mean is 2e38.
    got = binary_cross_entropy_with_logits(F32([2e38, 2e38]), F32([0.0, 0.0]))
    assert got.dtype == np.float32
    assert got == F32(2e38)


@pytest.mark.parametrize("x", [3.0, 6.0, 9.0, 12.0, 15.0, 16.5])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_float32_binary_cross_entropy_with_logits_is_accurate_below_the_log1p_cutoff(x, y):
    # Where 1 + e^-|x| is not 1 in float32, log(1 + e) alone would lose the low bits of e: the loss of a
    # confident right prediction, log1p(e^-|x|), must keep its relative precision.
    logit = np.float32(x if y == 1.0 else -x)
    with mpmath.workprec(200):
        z = mpmath.mpf(float(logit))
        exact = float(y * mpmath.log1p(mpmath.exp(-z)) + (1 - y) * mpmath.log1p(mpmath.exp(z)))
    got = binary_cross_entropy_with_logits(np.float32([logit]), np.float32([y]), reduction="none")
    assert float(got[0]) == pytest.approx(exact, rel=1e-6)


@pytest.mark.parametrize(
    "call, expected",
    [
        (lambda: mse_loss([INF], [INF]), NAN),  # inf - inf
        (lambda: mse_loss([1e200], [-1e200]), INF),  # the square overflows
        (lambda: l1_loss([1e308], [-1e308]), INF),  # the difference overflows
        (lambda: gaussian_nll_loss([INF], [INF], [1.0]), NAN),
        (lambda: gaussian_nll_loss([1e200], [-1e200], [1.0]), INF),
        (lambda: poisson_nll_loss([INF], [1.0]), INF),  # e^inf - 1 * inf: an infinite rate gives +inf
        (lambda: poisson_nll_loss([1000.0], [0.0]), INF),  # e^1000 overflows
        (lambda: poisson_nll_loss([0.0], [1.0], log_input=False, eps=0.0), INF),  # 0 - 1 * log 0
        (lambda: poisson_nll_loss([0.0], [0.0], log_input=False, eps=0.0), 0.0),  # 0 log 0 = 0
        (lambda: poisson_nll_loss([1.0], [INF], full=True), NAN),  # e - inf + log Gamma(inf)
        (lambda: poisson_nll_loss([0.0], [1e306], full=True), INF),  # log(1e306!) is past the float range
        (lambda: l1_loss([1e308, 1e308], [0.0, 0.0], reduction="sum"), INF),  # 2e308: the float64 sum overflows
        (lambda: l1_loss(F32(3e38), F32(-3e38), reduction="none"), INF),  # 6e38 is past float32's range
        (lambda: l1_loss(F32([3e38]), F32([-3e38]), reduction="sum"), INF),
        (lambda: binary_cross_entropy([0.1], [1.0], weight=[1e308]), INF),  # 1e308 * -log 0.1 = 2.3e308
        (lambda: binary_cross_entropy([0.1], [1.0], weight=[1e308], reduction="sum"), INF),  # unscaled weights
        # float32 logits [0, -3e38], target 1: each loss is 3e38 (a float32), their sum 6e38 is not
        (lambda: cross_entropy_loss(F32([[0.0, -3e38], [0.0, -3e38]]), [1, 1], reduction="sum"), INF),
    ],
)
def test_losses_at_infinities_and_overflow_give_the_limit_without_warning(call, expected):
    got = float(call())
    assert got == expected or (math.isnan(expected) and math.isnan(got))


def test_float32_regression_losses_take_the_difference_in_float64():
    # 3e38 - (-3e38) = 6e38 is past float32's range, the mean 6e38 / 4 = 1.5e38 is not.
    x, y = F32([3e38, 0.0, 0.0, 0.0]), F32([-3e38, 0.0, 0.0, 0.0])
    got = l1_loss(x, y)
    assert got.dtype == np.float32
    assert got == pytest.approx((float(F32(3e38)) * 2) / 4, rel=1e-7)


def test_float32_poisson_nll_loss_is_evaluated_in_float64():
    # e^89 = 4.49e38 is past float32's range; the mean of e^89 and e^-inf = 0 is not.
    got = poisson_nll_loss(F32([89.0, -INF]), F32([0.0, 0.0]))
    assert got.dtype == np.float32
    assert got == pytest.approx(math.exp(89.0) / 2, rel=1e-7)
    # log Gamma(1 + y) of a float32 y: 1 + 1e-8 is 1 in float32 but not in float64.
    y = F32(1e-8)
    got = poisson_nll_loss(F32([0.0]), F32([y]), log_input=False, eps=1.0, full=True)
    assert got == pytest.approx(scipy.special.gammaln(1.0 + float(y)), rel=1e-6)


def test_gaussian_nll_loss_one_variance_per_row_of_a_three_dimensional_input():
    # var of shape input.shape[:-1]: each (i, j) row of 2 features shares var[i, j].
    x = np.zeros((2, 3, 2))
    y = np.ones((2, 3, 2))
    var = np.array([[1.0, 2.0, 4.0], [0.5, 1.0, 8.0]])
    expected = 0.5 * (np.log(var) + 1.0 / var)
    got = gaussian_nll_loss(x, y, var, reduction="none")
    np.testing.assert_allclose(got, np.repeat(expected[..., None], 2, axis=-1), rtol=1e-15)


@pytest.mark.parametrize("argument", ["weight", "pos_weight"])
def test_float32_binary_cross_entropy_with_logits_takes_a_python_float_weight_in_float32(argument):
    # A Python scalar does not decide the dtype (as in NumPy): weight=0.1 acts as float32(0.1) throughout,
    # exactly as a float32 weight array would (0.1 is not a float32, so a float64 product would round differently).
    rng = np.random.default_rng(25)
    logits = (4 * rng.standard_normal(1000)).astype(np.float32)
    target = rng.uniform(0, 1, size=1000).astype(np.float32)
    as_scalar = binary_cross_entropy_with_logits(logits, target, reduction="none", **{argument: 0.1})
    as_float32 = binary_cross_entropy_with_logits(logits, target, reduction="none", **{argument: np.float32([0.1])})
    assert as_scalar.dtype == np.float32
    np.testing.assert_array_equal(as_scalar, as_float32)


@pytest.mark.parametrize("num_classes", [5, 70], ids=["transposed_blocks", "row_blocks"])
@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_one_hot_probability_targets_give_exactly_the_index_target_loss(num_classes, dtype):
    # Both target forms run the same kernel in the same work dtype: a one-hot row's loss -log softmax(x)_t
    # is the same number either way (its other terms are exact zeros).
    rng = np.random.default_rng(26)
    logits = (3 * rng.standard_normal((1000, num_classes))).astype(dtype)
    target = rng.integers(0, num_classes, size=1000)
    one_hot = np.eye(num_classes, dtype=dtype)[target]
    by_index = cross_entropy_loss(logits, target, reduction="none")
    np.testing.assert_array_equal(cross_entropy_loss(logits, one_hot, reduction="none"), by_index)


# --- means and sums near the float64 maximum -------------------------------------------------------------
# A weighted "mean" of index targets is sum_i w_i l_i / sum_i w_i, an average of the l_i: it is
# representable whenever they are, however large the weights. Neither sum may overflow on the way.

THIRDS = np.log(np.full((2, 3), 1 / 3))  # log-probabilities 1/3: every loss is log 3


@pytest.mark.parametrize(
    "call",
    [
        lambda: nll_loss(THIRDS, [0, 0], weight=[1e308, 1.0, 1.0]),  # both sums are 2e308
        lambda: nll_loss(THIRDS, [0, 1], weight=[1e308, 1e308, 1.0]),
        lambda: nll_loss(np.log(np.full((3, 3), 1 / 3)), [0, -100, 1], weight=[1e308, 1e308, 1.0]),
        lambda: cross_entropy_loss(np.zeros((2, 3)), [0, 0], weight=[1e308, 1.0, 1.0]),
        lambda: cross_entropy_loss(np.zeros((3, 3)), [0, -100, 1], weight=[1e308, 1e308, 1.0]),
        lambda: cross_entropy_loss(np.zeros((2, 3), dtype=np.float32), [0, 0], weight=F32([3e38, 1.0, 1.0])),
    ],
    ids=["nll", "nll_two_classes", "nll_ignore_index", "ce", "ce_ignore_index", "ce_float32"],
)
def test_weighted_mean_with_weights_near_the_float64_maximum_is_the_average_loss(call):
    # every loss is log 3, so their weighted average is log 3 (float32: to float32 precision)
    got = call()
    assert got == pytest.approx(math.log(3), rel=1e-15 if got.dtype == np.float64 else 1e-7)


@pytest.mark.parametrize("target", [[0, 0], [0, -100]], ids=["all_kept", "one_ignored"])
def test_label_smoothed_weighted_mean_with_weights_near_the_float64_maximum(target):
    # logits 0: every log-probability is -log 3. Weight [1e308, 1, 1], smoothing e = 0.3, C = 3, each kept
    # sample: (1 - e) 1e308 log 3 + e / 3 (1e308 + 2) log 3; "mean" divides by 1e308 per kept sample:
    # ((1 - e) + e / 3 (1 + 2e-308)) log 3 = 0.8 log 3.
    got = cross_entropy_loss(np.zeros((2, 3)), target, weight=[1e308, 1.0, 1.0], label_smoothing=0.3)
    assert got == pytest.approx(0.8 * math.log(3), rel=1e-15)


@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_probability_target_mean_with_weights_near_the_float64_maximum(smoothing):
    # logits 0, uniform targets (uniform after smoothing too), weight 1e308 for every class: each sample's loss
    # is sum_c 1e308 / 3 log 3 = 1e308 log 3 (1.1e308); "mean" divides their sum (2.2e308) by 2.
    got = cross_entropy_loss(np.zeros((2, 3)), np.full((2, 3), 1 / 3), weight=[1e308] * 3, label_smoothing=smoothing)
    assert got == pytest.approx(1e308 * math.log(3), rel=1e-15)


@pytest.mark.parametrize(
    "call, expected",
    [
        # -log p = 1e308 for both samples: the mean is 1e308, the sum 2e308 is not representable
        (lambda: nll_loss([[-1e308], [-1e308]], [0, 0]), 1e308),
        # logits [0, -1e308], target 1: loss log(1 + e^-1e308) + 1e308 = 1e308
        (lambda: cross_entropy_loss([[0.0, -1e308], [0.0, -1e308]], [1, 1]), 1e308),
        # p = 1/2, y = 1: each loss is 1e308 log 2 (6.9e307); three of them sum to 2.1e308
        (lambda: binary_cross_entropy([0.5] * 3, [1.0] * 3, weight=[1e308] * 3), 1e308 * LOG2),
        (lambda: BCE_LOGITS([0.0] * 3, [1.0] * 3, weight=[1e308] * 3), 1e308 * LOG2),
        (lambda: BCE_LOGITS([0.0] * 3, [1.0] * 3, pos_weight=[1e308] * 3), 1e308 * LOG2),
        (lambda: l1_loss([1e308] * 3, [0.0] * 3), 1e308),
        (lambda: mse_loss([1e154] * 3, [0.0] * 3), 1e308),
    ],
    ids=["nll", "ce", "bce", "bce_logits_weight", "bce_logits_pos_weight", "l1", "mse"],
)
def test_mean_of_losses_whose_sum_overflows_is_their_average(call, expected):
    assert call() == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(
    "call, expected",
    [
        # 2 * 1e308 log 3 = 2.2e308 is past the float64 maximum (1.8e308)
        (lambda: nll_loss(THIRDS, [0, 0], weight=[1e308, 1.0, 1.0], reduction="sum"), INF),
        (lambda: cross_entropy_loss(np.zeros((2, 3)), [0, 0], weight=[1e308, 1.0, 1.0], reduction="sum"), INF),
        # smoothed as above: 2 * 0.8e308 log 3 (+ a negligible 2 * 0.2 log 3) = 1.76e308 is not
        (
            lambda: cross_entropy_loss(
                np.zeros((2, 3)), [0, 0], weight=[1e308, 1.0, 1.0], label_smoothing=0.3, reduction="sum"
            ),
            1.6e308 * math.log(3),
        ),
        # 1e308 - 1e308 + 1e308: the exact sum is 1e308 whatever order a sum takes
        (lambda: nll_loss([[-1e308], [1e308], [-1e308], [-1e308], [1e308]], [0] * 5, reduction="sum"), 1e308),
    ],
    ids=["nll", "ce", "ce_smoothed", "nll_mixed_signs"],
)
def test_a_sum_past_the_float64_maximum_is_inf_without_warning_and_any_other_sum_is_its_value(call, expected):
    assert call() == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("dtype, big", [(np.float64, 1e308), (np.float32, float(F32(3e38)))])
def test_label_smoothing_term_of_logits_spanning_the_float_range_does_not_overflow(dtype, big):
    # logits [0, -big, -big], target 0, e = 0.3: log-probabilities [0, -big, -big] (e^-big is 0 against 1), so the
    # loss is 0.7 * 0 + 0.3 / 3 * (0 + big + big) = 0.2 big; the sum of the surprisals, 2 big, is not representable.
    got = cross_entropy_loss(np.array([[0.0, -big, -big]], dtype=dtype), [0], label_smoothing=0.3, reduction="none")
    assert got[0] == pytest.approx(0.2 * big, rel=1e-15 if dtype == np.float64 else 1e-7)


@pytest.mark.parametrize("dtype, big", [(np.float64, 1.7e308), (np.float32, float(F32(3e38)))])
def test_weighted_label_smoothing_term_of_logits_spanning_the_float_range_keeps_the_class_weights(dtype, big):
    # As above with class weights [1, 3, 3]: 0.7 * 1 * 0 + 0.3 / 3 * (1 * 0 + 3 big + 3 big) = 0.6 big, where
    # the weighted sum of the surprisals is not representable, even with the weights scaled to [1/4, 3/4, 3/4].
    logits = np.array([[0.0, -big, -big]], dtype=dtype)
    got = cross_entropy_loss(logits, [0], weight=np.array([1.0, 3.0, 3.0], dtype=dtype), label_smoothing=0.3,
                             reduction="none")
    assert got[0] == pytest.approx(0.6 * big, rel=1e-15 if dtype == np.float64 else 1e-7)


def test_weighted_mean_of_binary_cross_entropy_whose_one_term_overflows_is_finite():
    # weight [1e308, 0, 0, 0], p = 0.1, y = 1: the one nonzero term, 1e308 * -log 0.1 = 2.3e308, is past the
    # float64 maximum, but the mean over four elements, 5.8e307, is not.
    expected = float(mpmath.mpf(1e308) * -mpmath.log(mpmath.mpf(0.1)) / 4)
    got = binary_cross_entropy([0.1, 0.5, 0.5, 0.5], [1.0] * 4, weight=[1e308, 0.0, 0.0, 0.0])
    assert got == pytest.approx(expected, rel=1e-15)


def test_a_sum_of_subnormal_losses_is_exact():
    # -log p = 1e-310 (a subnormal) for both samples: the float64 sum 2e-310 is exact; a sum redone with the
    # values scaled down (as for one that overflows) would lose them.
    assert nll_loss([[-1e-310], [-1e-310]], [0, 0], reduction="sum") == 2e-310

