"""Theorems of information theory, checked by hypothesis on random distributions, tables and logits.

Every property is a mathematical identity or inequality, so the expected value is the other side of the
theorem; tolerances allow for floating point rounding only. Settings are derandomized (same examples on
every run) and keep no example database.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mathlib import (
    cross_entropy,
    entropy,
    hellinger_distance,
    information_gain,
    js_divergence,
    joint_entropy,
    kl_divergence,
    log_softmax,
    mutual_information,
    renyi_divergence,
    softmax,
    total_variation,
)
from mathlib_testing import PROPERTY_SETTINGS, distribution_pairs, distributions, joint_tables, labels_and_groups, logit_arrays

pytestmark = pytest.mark.filterwarnings("error")

EPS = np.finfo(np.float64).eps
LOG2 = math.log(2.0)


# --- KL divergence -----------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(distribution_pairs())
def test_kl_divergence_is_never_negative(pair):
    p, q = pair
    assert kl_divergence(p, q) >= 0


@PROPERTY_SETTINGS
@given(st.integers(1, 8).flatmap(distributions))
def test_kl_divergence_of_equal_distributions_is_zero(p):
    assert kl_divergence(p, p) == 0


@PROPERTY_SETTINGS
@given(distribution_pairs(min_size=2))
def test_kl_divergence_is_positive_for_distinct_distributions(pair):
    # "= 0 only if p = q": by Pinsker KL >= 2 TV^2, so TV >= 1e-6 forces KL >= 2e-12, far above rounding
    p, q = pair
    if 0.5 * np.abs(p - q).sum() >= 1e-6:
        assert kl_divergence(p, q) > 0


@PROPERTY_SETTINGS
@given(distribution_pairs())
def test_cross_entropy_is_entropy_plus_kl_divergence(pair):
    # H(p, q) = H(p) + KL(p || q); both sides are +inf when q = 0 < p
    p, q = pair
    lhs, rhs = cross_entropy(p, q), entropy(p) + kl_divergence(p, q)
    if np.isinf(lhs) or np.isinf(rhs):
        assert lhs == rhs == math.inf
    else:
        assert lhs == pytest.approx(rhs, rel=1e-12, abs=1e-12)


@PROPERTY_SETTINGS
@given(distribution_pairs(full_support_q=True))
def test_kl_divergence_satisfies_pinskers_inequality(pair):
    # TV(p, q) <= sqrt(KL(p || q) / 2); slack 3e-8 = sqrt of the ~1e-15 rounding of KL
    p, q = pair
    assert total_variation(p, q) <= math.sqrt(kl_divergence(p, q) / 2) + 3e-8


# --- Jensen-Shannon ---------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(distribution_pairs())
def test_js_divergence_lies_between_zero_and_log_two(pair):
    p, q = pair
    value = js_divergence(p, q)
    assert 0 <= value <= LOG2


@PROPERTY_SETTINGS
@given(distribution_pairs())
def test_js_divergence_lies_between_zero_and_one_bit(pair):
    p, q = pair
    value = js_divergence(p, q, base=2)
    assert 0 <= value <= 1


@PROPERTY_SETTINGS
@given(distribution_pairs())
def test_js_divergence_is_symmetric(pair):
    p, q = pair
    assert js_divergence(p, q) == pytest.approx(js_divergence(q, p), rel=1e-14, abs=1e-16)


# --- mutual information ------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(joint_tables())
def test_mutual_information_is_never_negative(table):
    assert mutual_information(table) >= 0


@PROPERTY_SETTINGS
@given(joint_tables())
def test_mutual_information_is_the_sum_of_marginal_entropies_minus_the_joint_entropy(table):
    # I(X; Y) = H(X) + H(Y) - H(X, Y); H(X) from the row sums, H(Y) from the column sums
    h_x, h_y = entropy(table.sum(axis=1)), entropy(table.sum(axis=0))
    assert mutual_information(table) == pytest.approx(h_x + h_y - joint_entropy(table), abs=1e-12)


@PROPERTY_SETTINGS
@given(st.integers(1, 5).flatmap(distributions), st.integers(1, 5).flatmap(distributions))
def test_mutual_information_of_a_product_table_is_zero(p_x, p_y):
    assert mutual_information(np.outer(p_x, p_y)) == pytest.approx(0.0, abs=1e-12)


@PROPERTY_SETTINGS
@given(labels_and_groups())
def test_information_gain_is_the_mutual_information_between_split_and_label(data):
    labels, groups = data
    # empirical joint of (group, label): rows index the group, columns the label
    counts = np.zeros((groups.max() + 1, labels.max() + 1))
    np.add.at(counts, (groups, labels), 1.0)
    table = counts / labels.size
    assert information_gain(labels, groups) == pytest.approx(mutual_information(table), abs=1e-12)


@PROPERTY_SETTINGS
@given(labels_and_groups())
def test_information_gain_is_between_zero_and_the_label_entropy(data):
    labels, groups = data
    _, label_counts = np.unique(labels, return_counts=True)
    gain = information_gain(labels, groups)
    assert -1e-15 <= gain <= entropy(label_counts / labels.size) + 1e-12


# --- softmax and log_softmax --------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(logit_arrays(), st.floats(-1e3, 1e3))
def test_log_softmax_is_invariant_to_shifting_the_logits(logits, shift):
    # x + c is rounded once per entry (error <= eps |x + c| / 2); the result moves by at most twice that
    tolerance = 4 * EPS * (np.abs(logits).max() + abs(shift) + 1)
    np.testing.assert_allclose(log_softmax(logits + shift), log_softmax(logits), rtol=0, atol=tolerance)


@PROPERTY_SETTINGS
@given(logit_arrays(bound=1e4))
def test_softmax_sums_to_one(logits):
    totals = softmax(logits).sum(axis=-1)
    np.testing.assert_allclose(totals, 1.0, rtol=0, atol=2 * logits.shape[-1] * EPS)


@PROPERTY_SETTINGS
@given(logit_arrays(bound=1e4))
def test_softmax_is_a_probability_vector(logits):
    probs = softmax(logits)
    assert np.all((probs >= 0) & (probs <= 1))


@PROPERTY_SETTINGS
@given(logit_arrays(bound=1e4))
def test_log_softmax_is_never_positive(logits):
    assert np.all(log_softmax(logits) <= 0)


# --- Renyi and the f-divergences ---------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(distribution_pairs(full_support_p=True, full_support_q=True), st.sampled_from([1e-4, 1e-5]))
def test_renyi_divergence_tends_to_kl_divergence_as_alpha_tends_to_one(pair, h):
    # D_(1 +- h) = KL +- h/2 Var_p[log p/q] + O(h^2): allow h Var, plus the rounding of the log, ~1e-15 / h
    p, q = pair
    log_ratio = np.log(p / q)
    variance = float((p * log_ratio**2).sum() - (p * log_ratio).sum() ** 2)
    kl = kl_divergence(p, q)
    for alpha in (1 - h, 1 + h):
        assert abs(renyi_divergence(p, q, alpha) - kl) <= h * variance + 1e-14 / h


@PROPERTY_SETTINGS
@given(distribution_pairs(full_support_q=True))
def test_renyi_divergence_is_nondecreasing_in_alpha(pair):
    p, q = pair
    orders = [0.25, 0.5, 0.999, 1.0, 1.001, 2.0, 5.0]
    values = [float(renyi_divergence(p, q, alpha)) for alpha in orders]
    assert all(a <= b + 1e-12 * (1 + abs(b)) for a, b in zip(values, values[1:]))


@PROPERTY_SETTINGS
@given(distribution_pairs())
def test_hellinger_distance_bounds_total_variation(pair):
    # H^2 <= TV <= sqrt(2) H, with H = sqrt(1/2 sum (sqrt p - sqrt q)^2) (Le Cam)
    p, q = pair
    h, tv = hellinger_distance(p, q), total_variation(p, q)
    assert h**2 <= tv + 1e-15
    assert tv <= math.sqrt(2) * h + 1e-15


@PROPERTY_SETTINGS
@given(distribution_pairs())
def test_distances_lie_in_the_unit_interval(pair):
    p, q = pair
    # 1 is reached for disjoint supports; allow its rounding (sums of p and q within a few eps of 1)
    assert 0 <= total_variation(p, q) <= 1 + 4 * EPS
    assert 0 <= hellinger_distance(p, q) <= 1 + 4 * EPS


@PROPERTY_SETTINGS
@given(st.integers(1, 8).flatmap(distributions))
def test_entropy_in_bits_is_entropy_in_nats_over_log_two(p):
    assert entropy(p, base=2) == pytest.approx(entropy(p) / LOG2, rel=1e-14, abs=1e-15)


@PROPERTY_SETTINGS
@given(st.integers(1, 8).flatmap(distributions))
def test_entropy_lies_between_zero_and_log_of_the_support_size(p):
    assert 0 <= entropy(p) <= math.log(np.count_nonzero(p)) + 1e-14
