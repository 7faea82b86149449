"""mathlib.divergences: closed forms, scipy, hand calculations, and the relations between the divergences."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.spatial.distance
import scipy.special

from mathlib import chi2_divergence, f_divergence, hellinger_distance, renyi_divergence, total_variation

pytestmark = pytest.mark.filterwarnings("error")

INF = math.inf
NAN = math.nan
LOG2 = math.log(2.0)


def random_pair(seed: int, shape=(6, 7)):
    """Two batches of strictly positive distributions (flat Dirichlet rows)."""
    rng = np.random.default_rng(seed)
    *batch, size = shape
    return rng.dirichlet(np.ones(size), size=tuple(batch)), rng.dirichlet(np.ones(size), size=tuple(batch))


# Closed forms written from the definitions, independent of mathlib.
def kl_closed_form(p, q, axis=-1):
    return scipy.special.rel_entr(p, q).sum(axis=axis)


def tv_closed_form(p, q, axis=-1):
    return 0.5 * np.abs(p - q).sum(axis=axis)


def chi2_closed_form(p, q, axis=-1):
    return ((p - q) ** 2 / q).sum(axis=axis)


def hellinger_closed_form(p, q, axis=-1):
    return np.sqrt(0.5 * ((np.sqrt(p) - np.sqrt(q)) ** 2).sum(axis=axis))


def renyi_closed_form(p, q, alpha, axis=-1):
    return np.log((p**alpha * q ** (1 - alpha)).sum(axis=axis)) / (alpha - 1)


# --- f_divergence ----------------------------------------------------------------------------------------

GENERATORS = {
    # name: (f with f(1) = 0, closed form of sum q f(p / q))
    "kl": (lambda t: t * np.log(t), kl_closed_form),
    "reverse_kl": (lambda t: -np.log(t), lambda p, q, axis=-1: kl_closed_form(q, p, axis)),
    "total_variation": (lambda t: 0.5 * np.abs(t - 1), tv_closed_form),
    "chi2": (lambda t: (t - 1) ** 2, chi2_closed_form),
    # sum q (sqrt(p/q) - 1)^2 = sum (sqrt p - sqrt q)^2 = 2 H^2 with H = sqrt(1/2 sum (sqrt p - sqrt q)^2)
    "squared_hellinger_times_two": (lambda t: (np.sqrt(t) - 1) ** 2, lambda p, q, axis=-1: 2 * hellinger_closed_form(p, q, axis) ** 2),
}


@pytest.mark.parametrize("generator, closed_form", list(GENERATORS.values()), ids=list(GENERATORS))
def test_f_divergence_equals_the_closed_form_of_its_generator(generator, closed_form):
    p, q = random_pair(0)
    np.testing.assert_allclose(f_divergence(p, q, generator), closed_form(p, q), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("generator, closed_form", list(GENERATORS.values()), ids=list(GENERATORS))
def test_f_divergence_reduces_along_the_given_axis(generator, closed_form):
    p, q = random_pair(1, (4, 5))
    np.testing.assert_allclose(f_divergence(p.T, q.T, generator, axis=0), closed_form(p, q), rtol=1e-12, atol=1e-15)


def test_f_divergence_of_a_distribution_from_itself_is_zero():
    p, _ = random_pair(2)
    np.testing.assert_allclose(f_divergence(p, p, GENERATORS["chi2"][0]), 0.0, atol=1e-15)


def test_f_divergence_with_the_kl_generator_is_infinite_where_q_is_zero_and_p_is_not():
    # q f(p / q) -> p lim_{t -> inf} f(t) / t = p lim log t = inf as q -> 0+; matches KL's convention
    assert f_divergence([0.5, 0.5], [1.0, 0.0], lambda t: t * np.log(t)) == INF


def test_f_divergence_with_the_kl_generator_ignores_outcomes_where_p_is_zero():
    # term q f(0) with f(0) = lim t log t = 0: KL([1, 0] || [1/2, 1/2]) = log 2
    assert f_divergence([1.0, 0.0], [0.5, 0.5], lambda t: t * np.log(t)) == pytest.approx(LOG2, rel=1e-15)


def test_f_divergence_hand_value():
    # f(t) = (t - 1)^2, p = [1/2, 1/2], q = [1/4, 3/4]: 1/4 (2 - 1)^2 + 3/4 (2/3 - 1)^2 = 1/4 + 1/12 = 1/3
    assert f_divergence([0.5, 0.5], [0.25, 0.75], lambda t: (t - 1) ** 2) == pytest.approx(1 / 3, rel=1e-15)


# --- total variation, Hellinger, chi-squared --------------------------------------------------------------


@pytest.mark.parametrize(
    "p, q, expected",
    [
        ([1.0, 0.0], [0.0, 1.0], 1.0),  # disjoint supports
        ([0.5, 0.5], [0.25, 0.75], 0.25),  # 1/2 (1/4 + 1/4)
        ([0.2, 0.3, 0.5], [0.2, 0.3, 0.5], 0.0),
    ],
)
def test_total_variation_hand_values(p, q, expected):
    assert total_variation(p, q) == pytest.approx(expected, abs=1e-16)


def test_total_variation_is_half_the_city_block_distance():
    p, q = random_pair(3, (7,))
    assert total_variation(p, q) == pytest.approx(0.5 * scipy.spatial.distance.cityblock(p, q), rel=1e-14)


def test_total_variation_on_a_batch_matches_the_closed_form():
    p, q = random_pair(4)
    np.testing.assert_allclose(total_variation(p, q), tv_closed_form(p, q), rtol=1e-14)


@pytest.mark.parametrize(
    "p, q, expected",
    [
        ([1.0, 0.0], [0.0, 1.0], 1.0),  # sqrt(1/2 (1 + 1))
        ([0.3, 0.7], [0.3, 0.7], 0.0),
        # sqrt(1/2 ((sqrt(1/2) - 1)^2 + 1/2)) = sqrt(1/2 (1/2 - sqrt 2 + 1 + 1/2)) = sqrt(1 - sqrt(1/2))
        ([0.5, 0.5], [1.0, 0.0], math.sqrt(1 - math.sqrt(0.5))),
    ],
)
def test_hellinger_distance_hand_values(p, q, expected):
    assert hellinger_distance(p, q) == pytest.approx(expected, abs=1e-16, rel=1e-15)


def test_hellinger_distance_is_the_euclidean_distance_of_square_roots_over_root_two():
    p, q = random_pair(5, (9,))
    expected = scipy.spatial.distance.euclidean(np.sqrt(p), np.sqrt(q)) / math.sqrt(2)
    assert hellinger_distance(p, q) == pytest.approx(expected, rel=1e-13)


def test_hellinger_distance_on_a_batch_matches_the_closed_form():
    p, q = random_pair(6)
    np.testing.assert_allclose(hellinger_distance(p, q), hellinger_closed_form(p, q), rtol=1e-13)


def test_chi2_divergence_hand_value():
    # (1/2 - 1/4)^2 / (1/4) + (1/2 - 3/4)^2 / (3/4) = 1/4 + 1/12 = 1/3
    assert chi2_divergence([0.5, 0.5], [0.25, 0.75]) == pytest.approx(1 / 3, rel=1e-15)


def test_chi2_divergence_is_not_symmetric():
    # (1/4 - 1/2)^2 / (1/2) + (3/4 - 1/2)^2 / (1/2) = 1/8 + 1/8 = 1/4, not 1/3
    assert chi2_divergence([0.25, 0.75], [0.5, 0.5]) == pytest.approx(0.25, rel=1e-15)


def test_chi2_divergence_on_a_batch_matches_the_closed_form():
    p, q = random_pair(7)
    np.testing.assert_allclose(chi2_divergence(p, q), chi2_closed_form(p, q), rtol=1e-13)


def test_chi2_divergence_is_infinite_where_q_is_zero_and_p_is_not():
    assert chi2_divergence([0.5, 0.5], [1.0, 0.0]) == INF


def test_chi2_divergence_ignores_outcomes_where_both_are_zero():
    # the term (0 - 0)^2 / 0 is the limit 0 of q f(p / q); the rest is 1/4 / 1/2 + 1/4 / 1/2 = 1
    assert chi2_divergence([0.25, 0.75, 0.0], [0.5, 0.5, 0.0]) == pytest.approx(0.25, rel=1e-15)


# --- Renyi -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [0.1, 0.5, 0.9, 1.5, 2.0, 3.0, 10.0])
def test_renyi_divergence_matches_its_defining_formula(alpha):
    # D_alpha = 1 / (alpha - 1) log sum p^alpha q^(1 - alpha)
    p, q = random_pair(8)
    np.testing.assert_allclose(renyi_divergence(p, q, alpha), renyi_closed_form(p, q, alpha), rtol=1e-12)


def test_renyi_divergence_of_order_one_is_kl_divergence():
    p, q = random_pair(9)
    np.testing.assert_allclose(renyi_divergence(p, q, 1.0), kl_closed_form(p, q), rtol=1e-12)


@pytest.mark.parametrize("alpha", [1 - 1e-6, 1 + 1e-6, 1 - 1e-9, 1 + 1e-9])
def test_renyi_divergence_tends_to_kl_divergence_as_alpha_tends_to_one(alpha):
    # D_alpha = KL + (alpha - 1)/2 Var_p[log p/q] + O((alpha - 1)^2): allow twice the first-order term, plus
    # the rounding of log(sum p^alpha q^(1 - alpha)), about K eps ~ 1e-15, magnified by 1 / |alpha - 1|.
    p, q = random_pair(10)
    log_ratio = np.log(p / q)
    variance = (p * log_ratio**2).sum(-1) - ((p * log_ratio).sum(-1)) ** 2
    tolerance = abs(alpha - 1) * variance + 1e-14 / abs(alpha - 1)
    assert np.all(np.abs(renyi_divergence(p, q, alpha) - kl_closed_form(p, q)) <= tolerance)


def test_renyi_divergence_of_order_one_half_is_minus_two_log_one_minus_hellinger_squared():
    # D_1/2 = -2 log sum sqrt(p q) and sum sqrt(p q) = 1 - H^2 (Bhattacharyya coefficient)
    p, q = random_pair(11)
    hellinger = hellinger_closed_form(p, q)
    np.testing.assert_allclose(renyi_divergence(p, q, 0.5), -2 * np.log(1 - hellinger**2), rtol=1e-12)


def test_renyi_divergence_of_order_two_is_log_one_plus_chi2():
    # sum p^2 / q = sum (p - q)^2 / q + 2 sum p - sum q = chi2 + 1
    p, q = random_pair(12)
    np.testing.assert_allclose(renyi_divergence(p, q, 2.0), np.log1p(chi2_closed_form(p, q)), rtol=1e-12)


def test_renyi_divergence_in_bits():
    p, q = random_pair(13)
    np.testing.assert_allclose(renyi_divergence(p, q, 2.0, base=2), renyi_closed_form(p, q, 2.0) / LOG2, rtol=1e-12)


def test_renyi_divergence_of_order_one_half_is_finite_where_q_misses_support():
    # p = [1/2, 1/2], q = [1, 0]: -2 log(sqrt(1/2 * 1) + sqrt(1/2 * 0)) = -2 log(2^-1/2) = log 2
    assert renyi_divergence([0.5, 0.5], [1.0, 0.0], 0.5) == pytest.approx(LOG2, rel=1e-15)


@pytest.mark.parametrize("alpha", [1.0, 2.0])
def test_renyi_divergence_of_order_at_least_one_is_infinite_where_q_misses_support(alpha):
    assert renyi_divergence([0.5, 0.5], [1.0, 0.0], alpha) == INF


def test_renyi_divergence_of_order_zero_is_minus_log_q_mass_on_the_support_of_p():
    # D_0 = -log sum_{p > 0} q = -log(1/4) = log 4 for p = [1, 0], q = [1/4, 3/4]
    assert renyi_divergence([1.0, 0.0], [0.25, 0.75], 0.0) == pytest.approx(math.log(4), rel=1e-15)


def test_renyi_divergence_of_order_infinity_is_log_of_the_largest_ratio():
    # D_inf = log max p / q = log max(1/2 / 1/4, 1/2 / 3/4) = log 2
    assert renyi_divergence([0.5, 0.5], [0.25, 0.75], INF) == pytest.approx(LOG2, rel=1e-15)


def test_renyi_divergence_along_axis_zero():
    p, q = random_pair(14, (3, 5))
    np.testing.assert_allclose(renyi_divergence(p.T, q.T, 3.0, axis=0), renyi_closed_form(p, q, 3.0), rtol=1e-12)


def test_renyi_divergence_rejects_an_invalid_base():
    with pytest.raises(ValueError, match="base"):
        renyi_divergence([0.5, 0.5], [0.5, 0.5], 2.0, base=1)


# --- validation and dtype --------------------------------------------------------------------------------

CALLS = {
    "f_divergence": lambda p, q: f_divergence(p, q, lambda t: (t - 1) ** 2),
    "total_variation": total_variation,
    "hellinger_distance": hellinger_distance,
    "chi2_divergence": chi2_divergence,
    "renyi_divergence": lambda p, q: renyi_divergence(p, q, 2.0),
}
INVALID_ROWS = {
    "negative entry": [0.6, 0.5, -0.1],
    "nan entry": [NAN, 0.5, 0.5],
    "sums to more than 1": [0.5, 0.6, 0.1],
    "sums to 1 + 1e-6": [0.5, 0.5 + 1e-6, 0.0],
}


@pytest.mark.parametrize("call", list(CALLS.values()), ids=list(CALLS))
@pytest.mark.parametrize("argument", ["p", "q"])
@pytest.mark.parametrize("bad_row", list(INVALID_ROWS.values()), ids=list(INVALID_ROWS))
def test_divergences_name_the_invalid_argument_and_row(call, argument, bad_row):
    valid = np.full((4, 3), 1 / 3)
    invalid = valid.copy()
    invalid[3] = bad_row
    arguments = {"p": valid, "q": valid, argument: invalid}
    pattern = rf"(?s)(?=.*\b{argument}\b)(?=.*\b(rows?|index|indices|batch)\b[^0-9]{{0,12}}\b3\b)"
    with pytest.raises(ValueError, match=pattern):
        call(arguments["p"], arguments["q"])


@pytest.mark.parametrize("call", list(CALLS.values()), ids=list(CALLS))
def test_divergences_reject_mismatched_lengths(call):
    with pytest.raises(ValueError):
        call([0.5, 0.5], [0.25, 0.25, 0.5])


@pytest.mark.parametrize("call", list(CALLS.values()), ids=list(CALLS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_divergences_preserve_float_dtype(call, dtype):
    p = np.array([0.125, 0.25, 0.5, 0.125], dtype=dtype)
    q = np.array([0.25, 0.25, 0.25, 0.25], dtype=dtype)
    assert np.asarray(call(p, q)).dtype == dtype


@pytest.mark.parametrize("call", list(CALLS.values()), ids=list(CALLS))
def test_divergences_in_float32_agree_with_float64(call):
    p = np.array([0.125, 0.25, 0.5, 0.125])
    q = np.array([0.25, 0.25, 0.25, 0.25])
    np.testing.assert_allclose(call(p.astype(np.float32), q.astype(np.float32)), call(p, q), rtol=1e-6)


# --- edge of the float range and near p = q (issue 12: M2, M3) ---------------------------------------------


def test_chi2_divergence_is_inf_without_warning_when_a_term_passes_the_float_range():
    # (1 - 5e-324)^2 / 5e-324 = 2e323 > max float: the correctly rounded value is inf
    assert chi2_divergence([0.0, 1.0], [1.0, 5e-324]) == INF


def test_f_divergence_is_inf_without_warning_when_a_ratio_passes_the_float_range():
    assert f_divergence([0.0, 1.0], [1.0, 5e-324], lambda t: (t - 1.0) ** 2) == INF


@pytest.mark.parametrize("delta", [1e-12, 1e-14, 2**-50])
def test_hellinger_distance_keeps_full_precision_near_p_equal_q(delta):
    # Hand calculation: with p = (1/2, 1/2) and q = (1/2 + d, 1/2 - d),
    # sqrt(p_i) - sqrt(q_i) = (p_i - q_i) / (sqrt(p_i) + sqrt(q_i)), and p_i - q_i is exact here.
    p = np.array([0.5, 0.5])
    q = np.array([0.5 + delta, 0.5 - delta])
    exact = np.sqrt(0.5 * sum(((pi - qi) / (math.sqrt(pi) + math.sqrt(qi))) ** 2 for pi, qi in zip(p, q)))
    assert hellinger_distance(p, q) == pytest.approx(exact, rel=1e-14, abs=0)


def test_hellinger_distance_of_float32_inputs_is_float32():
    got = hellinger_distance(np.float32([0.5, 0.5]), np.float32([0.25, 0.75]))
    assert got.dtype == np.float32
