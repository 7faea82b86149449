"""mathlib.estimators: closed-form MLEs against hand-derived formulas and scipy.stats fits, and validation."""

from __future__ import annotations

import fractions
import math

import numpy as np
import pytest
import scipy.stats

from mathlib import (
    empirical_distribution,
    mle_bernoulli,
    mle_categorical,
    mle_exponential,
    mle_gaussian,
    mle_poisson,
)

pytestmark = pytest.mark.filterwarnings("error")

NAN = math.nan
INF = math.inf


# --- Bernoulli -------------------------------------------------------------------------------------------


def test_mle_bernoulli_is_the_fraction_of_ones():
    # 3 ones out of 4
    assert mle_bernoulli([1, 0, 1, 1]) == 0.75


@pytest.mark.parametrize("data, expected", [([0, 0, 0], 0.0), ([1], 1.0), ([True, False], 0.5)])
def test_mle_bernoulli_edge_samples(data, expected):
    assert mle_bernoulli(data) == expected


def test_mle_bernoulli_maximizes_the_log_likelihood():
    # the log-likelihood k log p + (n - k) log(1 - p) is no larger at nearby p
    data = np.random.default_rng(0).integers(0, 2, size=37)
    p_hat = float(mle_bernoulli(data))
    k, n = data.sum(), data.size
    log_lik = lambda p: k * math.log(p) + (n - k) * math.log(1 - p)  # noqa: E731
    assert all(log_lik(p_hat) >= log_lik(p_hat + h) for h in (-1e-3, 1e-3))


@pytest.mark.parametrize("data", [[], [0, 2], [0.5, 1], [-1, 0], [NAN, 1]], ids=["empty", "two", "half", "minus_one", "nan"])
def test_mle_bernoulli_rejects_empty_or_non_binary_data(data):
    with pytest.raises(ValueError):
        mle_bernoulli(data)


# --- categorical -----------------------------------------------------------------------------------------


def test_mle_categorical_is_the_class_frequencies_including_unseen_classes():
    # counts of classes 0..3 in [0, 2, 2, 1, 2]: [1, 1, 3, 0] / 5
    np.testing.assert_allclose(mle_categorical([0, 2, 2, 1, 2], num_classes=4), [0.2, 0.2, 0.6, 0.0], rtol=1e-15)


def test_mle_categorical_matches_counts_on_random_data():
    data = np.random.default_rng(1).integers(0, 6, size=500)
    expected = np.array([np.count_nonzero(data == k) for k in range(8)]) / 500
    np.testing.assert_allclose(mle_categorical(data, num_classes=8), expected, rtol=1e-15)


@pytest.mark.parametrize("data", [[], [0, 4], [-1, 0], [1.5, 0]], ids=["empty", "class_4_of_4", "negative", "fractional"])
def test_mle_categorical_rejects_empty_data_or_labels_outside_the_classes(data):
    with pytest.raises(ValueError):
        mle_categorical(data, num_classes=4)


# --- Gaussian --------------------------------------------------------------------------------------------


def test_mle_gaussian_hand_value_uses_the_biased_variance():
    # [1, 2, 3, 4]: mean 5/2; squared deviations 9/4 + 1/4 + 1/4 + 9/4 = 5, divided by n = 4 (not n - 1)
    mean, var = mle_gaussian([1.0, 2.0, 3.0, 4.0])
    assert mean == 2.5
    assert var == 1.25


def test_mle_gaussian_matches_scipy_norm_fit():
    data = np.random.default_rng(2).normal(3.0, 2.0, size=1000)
    loc, scale = scipy.stats.norm.fit(data)  # closed-form MLE: scale is the root of the biased variance
    mean, var = mle_gaussian(data)
    assert mean == pytest.approx(loc, rel=1e-13)
    assert var == pytest.approx(scale**2, rel=1e-12)


def test_mle_gaussian_of_a_single_observation_has_zero_variance():
    mean, var = mle_gaussian([-7.5])
    assert mean == -7.5
    assert var == 0.0


@pytest.mark.parametrize("data", [[], [1.0, NAN], [1.0, INF]], ids=["empty", "nan", "inf"])
def test_mle_gaussian_rejects_empty_or_non_real_data(data):
    with pytest.raises(ValueError):
        mle_gaussian(data)


# --- Poisson ---------------------------------------------------------------------------------------------


def test_mle_poisson_is_the_sample_mean():
    # (0 + 1 + 2 + 5) / 4 = 2
    assert mle_poisson([0, 1, 2, 5]) == 2.0


def test_mle_poisson_matches_the_mean_of_random_counts():
    data = np.random.default_rng(3).poisson(4.2, size=400)
    assert mle_poisson(data) == pytest.approx(data.sum() / data.size, rel=1e-15)


@pytest.mark.parametrize("data", [[], [1, -1], [1.5, 2], [NAN, 1]], ids=["empty", "negative", "fractional", "nan"])
def test_mle_poisson_rejects_empty_data_or_non_counts(data):
    with pytest.raises(ValueError):
        mle_poisson(data)


# --- exponential -----------------------------------------------------------------------------------------


def test_mle_exponential_is_the_reciprocal_of_the_mean():
    # mean of [1, 2, 3] is 2
    assert mle_exponential([1.0, 2.0, 3.0]) == 0.5


def test_mle_exponential_matches_scipy_expon_fit_with_location_zero():
    data = np.random.default_rng(4).exponential(scale=1 / 3.0, size=800)
    _, scale = scipy.stats.expon.fit(data, floc=0)
    assert mle_exponential(data) == pytest.approx(1 / scale, rel=1e-13)


@pytest.mark.parametrize("data", [[], [1.0, -0.5], [NAN, 1.0], [INF, 1.0]], ids=["empty", "negative", "nan", "inf"])
def test_mle_exponential_rejects_empty_data_or_data_outside_the_support(data):
    with pytest.raises(ValueError):
        mle_exponential(data)


# --- empirical distribution ------------------------------------------------------------------------------


def test_empirical_distribution_sorts_distinct_values_and_counts_duplicates():
    # [3, 1, 3, 2, 3, 1]: value 1 twice, 2 once, 3 three times, out of 6
    values, probs = empirical_distribution([3, 1, 3, 2, 3, 1])
    np.testing.assert_array_equal(values, [1, 2, 3])
    np.testing.assert_allclose(probs, [2 / 6, 1 / 6, 3 / 6], rtol=1e-15)


def test_empirical_distribution_of_real_samples():
    values, probs = empirical_distribution([0.5, -1.25, 0.5])
    np.testing.assert_array_equal(values, [-1.25, 0.5])
    np.testing.assert_allclose(probs, [1 / 3, 2 / 3], rtol=1e-15)


def test_empirical_distribution_probabilities_sum_to_one_on_random_samples():
    samples = np.random.default_rng(5).integers(-3, 9, size=1001)
    values, probs = empirical_distribution(samples)
    np.testing.assert_array_equal(values, np.unique(samples))
    np.testing.assert_allclose(probs, [np.count_nonzero(samples == v) / 1001 for v in values], rtol=1e-15)


def test_empirical_distribution_rejects_empty_samples():
    with pytest.raises(ValueError):
        empirical_distribution([])


# --- dtype -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mle_gaussian_preserves_float_dtype(dtype):
    mean, var = mle_gaussian(np.array([1.0, 2.0, 4.0], dtype=dtype))
    assert np.asarray(mean).dtype == dtype and np.asarray(var).dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mle_exponential_preserves_float_dtype(dtype):
    assert np.asarray(mle_exponential(np.array([1.0, 2.0, 4.0], dtype=dtype))).dtype == dtype


@pytest.mark.parametrize("estimator", [mle_bernoulli, mle_poisson], ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_count_estimators_preserve_float_dtype(estimator, dtype):
    assert np.asarray(estimator(np.array([1.0, 0.0, 1.0], dtype=dtype))).dtype == dtype


def test_empirical_distribution_keeps_the_dtype_of_its_values():
    values, _ = empirical_distribution(np.array([0.5, 0.25, 0.5], dtype=np.float32))
    assert values.dtype == np.float32


@pytest.mark.parametrize("estimator", [mle_bernoulli, mle_poisson, mle_gaussian, mle_exponential], ids=lambda f: f.__name__)
def test_estimators_compute_integer_data_in_float64(estimator):
    result = estimator([1, 0, 1, 1])
    for value in result if isinstance(result, tuple) else (result,):
        assert np.asarray(value).dtype == np.float64


# --- data near the float limit (issue 12: M2) -----------------------------------------------------------------


def test_mle_gaussian_of_two_equal_huge_values_is_that_value_with_zero_variance():
    mean, var = mle_gaussian([1e308, 1e308])
    assert (mean, var) == (1e308, 0.0)


def test_mle_gaussian_of_huge_values_of_both_signs_has_an_infinite_variance():
    # mean 0, variance 1e616: past the float range, so inf is the correctly rounded value
    mean, var = mle_gaussian([-1e308, 1e308])
    assert (mean, var) == (0.0, INF)


def test_mle_gaussian_mean_of_huge_values_is_exact_to_rounding():
    x = np.array([1.5e308, 1.7e308, 1.1e308])
    mean, _ = mle_gaussian(x)
    assert mean == pytest.approx(float(sum(map(fractions.Fraction, x)) / 3), rel=1e-15, abs=0)


def test_mle_exponential_of_huge_waiting_times_is_their_reciprocal():
    assert mle_exponential([1e308, 1e308]) == pytest.approx(1e-308, rel=1e-15, abs=0)


def test_mle_poisson_of_huge_counts_is_their_mean():
    assert mle_poisson([1e308, 1e308]) == 1e308


def test_mle_estimates_of_float16_data_are_float16():
    assert mle_gaussian(np.float16([1.0, 2.0]))[1].dtype == np.float16
    assert mle_exponential(np.float16([1.0, 3.0])).dtype == np.float16


# --- error messages name the argument, the problem and the offending entry --------------------------------

MESSAGES = [
    (lambda: mle_bernoulli([]), "x is empty; an estimate needs at least one observation"),
    (lambda: mle_bernoulli([0, 2]), "x must hold 0/1 (Bernoulli) observations; got 2 at index (1,)"),
    (lambda: mle_bernoulli(np.array([[0, 1], [1, 3]])), "x must hold 0/1 (Bernoulli) observations; got 3 at index (1, 1)"),
    (lambda: mle_bernoulli(np.float64(0.5)), "x must hold 0/1 (Bernoulli) observations; got 0.5"),
    (lambda: mle_bernoulli([1.0, NAN]), "x contains NaN at index (1,)"),
    (lambda: mle_categorical([], 4), "x is empty; an estimate needs at least one observation"),
    (lambda: mle_categorical([0, 4], 4), "x must hold class labels in [0, 4); got 4 at index (1,)"),
    (lambda: mle_categorical([True, False], 2), "x must hold integer class labels; got booleans"),
    (lambda: mle_categorical([1.5, 0], 4), "x must hold integer class labels; got 1.5 at index (0,)"),
    (lambda: mle_categorical([0], 0), "num_classes must be >= 1; got 0"),
    (lambda: mle_categorical([0], 2.0), "num_classes must be an integer; got 2.0"),
    (lambda: mle_categorical([0.0, INF], 4), "x must be finite; got inf at index (1,)"),
    (lambda: mle_gaussian([1.0, INF]), "x must be finite; got inf at index (1,)"),
    (lambda: mle_gaussian([]), "x is empty; an estimate needs at least one observation"),
    (lambda: mle_poisson([True]), "x must hold non-negative integer counts; got booleans"),
    (lambda: mle_poisson([1.5, 2]), "x must hold non-negative integer counts; got 1.5 at index (0,)"),
    (lambda: mle_poisson([1.0, INF]), "x must be finite; got inf at index (1,)"),
    (lambda: mle_poisson([1, -1]), "x must hold non-negative integer counts; got -1 at index (1,)"),
    (lambda: mle_exponential([1.0, -0.5]), "x must hold non-negative observations; got -0.5 at index (1,)"),
    (lambda: mle_exponential([0.0, 0.0]),
     "x is all zeros: the exponential likelihood grows without bound, so no MLE exists"),
    (lambda: mle_exponential([1.0, INF]), "x must be finite; got inf at index (1,)"),
    (lambda: empirical_distribution([]), "samples is empty; an empirical distribution needs at least one observation"),
]


@pytest.mark.parametrize("call, message", MESSAGES, ids=[m for _, m in MESSAGES])
def test_estimators_reject_bad_data_with_a_message_naming_the_argument_and_entry(call, message):
    with pytest.raises(ValueError) as error:
        call()
    assert str(error.value) == message


def test_mle_categorical_accepts_a_single_class():
    np.testing.assert_array_equal(mle_categorical([0, 0, 0], num_classes=1), [1.0])


def test_mle_categorical_counts_a_batch_of_labels_of_any_shape():
    np.testing.assert_allclose(mle_categorical(np.array([[0, 1], [1, 1]]), num_classes=2), [0.25, 0.75], rtol=1e-15)


def test_mle_categorical_accepts_whole_floats_as_labels():
    np.testing.assert_allclose(mle_categorical([0.0, 2.0, 2.0], num_classes=3), [1 / 3, 0.0, 2 / 3], rtol=1e-15)


def test_mle_poisson_accepts_whole_float_counts():
    assert mle_poisson([0.0, 3.0]) == 1.5


def test_mle_exponential_rate_past_the_float_range_is_inf_without_warning():
    # 1 / 5e-324 = 2e323 > max float: inf is the correctly rounded rate
    assert mle_exponential([5e-324, 5e-324]) == INF


def test_mle_gaussian_variance_of_tiny_values_keeps_its_precision():
    # [1e-300, 3e-300]: mean 2e-300, variance 1e-600 underflows to 0 only in the last step
    mean, var = mle_gaussian([1e-300, 3e-300])
    assert mean == pytest.approx(2e-300, rel=1e-15, abs=0)
    assert var == 0.0


def test_empirical_distribution_of_a_2d_sample_counts_every_entry():
    values, probs = empirical_distribution(np.array([[1, 2], [2, 2]]))
    np.testing.assert_array_equal(values, [1, 2])
    np.testing.assert_allclose(probs, [0.25, 0.75], rtol=1e-15)


@pytest.mark.parametrize("estimator", [mle_bernoulli, mle_gaussian, mle_poisson, mle_exponential])
def test_every_estimator_names_x_when_the_data_are_empty_or_nan(estimator):
    with pytest.raises(ValueError) as error:
        estimator([])
    assert str(error.value) == "x is empty; an estimate needs at least one observation"
    with pytest.raises(ValueError) as error:
        estimator([NAN])
    assert str(error.value) == "x contains NaN at index (0,)"
