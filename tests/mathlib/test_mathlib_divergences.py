"""mathlib.divergences: closed forms, scipy, hand calculations, and the relations between the divergences."""

from __future__ import annotations

import math
import re

import mpmath
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


# One order in each branch of the computation: alpha < 1/2, |alpha - 1| <= 1/2, alpha > 3/2.
@pytest.mark.parametrize("alpha", [0.25, 0.75, 3.0])
def test_renyi_divergence_along_axis_zero(alpha):
    p, q = random_pair(14, (3, 5))
    np.testing.assert_allclose(renyi_divergence(p.T, q.T, alpha, axis=0), renyi_closed_form(p, q, alpha), rtol=1e-12)


@pytest.mark.parametrize("alpha", [np.array(2.0), np.array(2), np.array(2, dtype=np.uint8), np.array(2.0, dtype=np.float32)],
                         ids=["float64", "int64", "uint8", "float32"])
def test_renyi_divergence_accepts_alpha_as_a_0d_array_of_real_numbers(alpha):
    # D_2 = log sum p^2 / q = log(0.25 / 0.25 + 0.25 / 0.75) = log(4 / 3)
    assert renyi_divergence([0.5, 0.5], [0.25, 0.75], alpha) == pytest.approx(math.log(4 / 3), rel=1e-15)


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


# --- exact messages, conventions at zeros, clipping, and the float range (mutation testing) ----------------

EPS = float(np.finfo(np.float64).eps)
CHI2 = GENERATORS["chi2"][0]
HALF = np.array([0.5, 0.5])
FIRST_REPORTED = np.array([0.5, 0.3, 0.2]), np.array([0.25, 0.1, 0.65])  # ratios 2, 3 and about 0.31

BAD_CALLS = {
    "f not callable": (lambda: f_divergence(HALF, HALF, 3), "f must be callable; got 3"),
    "slope not a number": (
        lambda: f_divergence(HALF, HALF, CHI2, slope_at_infinity="1"),
        "slope_at_infinity must be a real number; got '1'",
    ),
    "slope nan": (
        lambda: f_divergence(HALF, HALF, CHI2, slope_at_infinity=NAN),
        "slope_at_infinity must be a finite number; got nan",
    ),
    "slope -inf": (
        lambda: f_divergence(HALF, HALF, CHI2, slope_at_infinity=-INF),
        "slope_at_infinity must not be -inf (a convex f has f(t)/t bounded below)",
    ),
    # the first evaluation, at t = [1.0], already shows that f is not vectorized
    "f returns a scalar": (
        lambda: f_divergence(HALF, HALF, lambda t: 0.0),
        "f must be vectorized: f(t) for t of shape (1,) returned shape ()",
    ),
    # vectorized at t = [1.0] only: the evaluation at t = [0.0] shows it
    "f scalar at zero": (
        lambda: f_divergence(HALF, HALF, lambda t: (t - 1.0) ** 2 if t[0] == 1.0 else 1.0),
        "f must be vectorized: f(t) for t of shape (1,) returned shape ()",
    ),
    "f(1) not 0": (lambda: f_divergence(HALF, HALF, lambda t: t), "f(1) must be 0 for an f-divergence; got f(1) = 1.0"),
    # just past the documented tolerance of 64 eps
    "f(1) past 64 eps": (
        lambda: f_divergence(HALF, HALF, lambda t: (t - 1.0) ** 2 + np.nextafter(64 * EPS, 1.0)),
        f"f(1) must be 0 for an f-divergence; got f(1) = {float(np.nextafter(64 * EPS, 1.0))!r}",
    ),
    # NaN at the ratios 2 and 3: the message names the first, as a Python float (not "np.float64(2.0)")
    "f NaN": (
        lambda: f_divergence(*FIRST_REPORTED, lambda t: np.where(t > 1.5, np.nan, (t - 1.0) ** 2)),
        "f returned NaN at t = 2.0",
    ),
    "alpha negative": (lambda: renyi_divergence(HALF, HALF, -1), "alpha must be >= 0; got -1"),
    "alpha just below 0": (lambda: renyi_divergence(HALF, HALF, -1e-300), "alpha must be >= 0; got -1e-300"),
    "alpha not a number": (lambda: renyi_divergence(HALF, HALF, "2"), "alpha must be a real number; got '2'"),
    "alpha nan": (lambda: renyi_divergence(HALF, HALF, NAN), "alpha must be a finite number; got nan"),
    # a 0-d array counts as a scalar only when it holds a real number; a 1-element vector is not a scalar
    "alpha a 0-d bool array": (lambda: renyi_divergence(HALF, HALF, np.array(True)), "alpha must be a real number; got array(True)"),
    "alpha a 0-d complex array": (
        lambda: renyi_divergence(HALF, HALF, np.array(2.0 + 0j)), "alpha must be a real number; got array(2.+0.j)"),
    "alpha a 1-element vector": (
        lambda: renyi_divergence(HALF, HALF, np.array([2.0])), "alpha must be a real number; got array([2.])"),
}


@pytest.mark.parametrize("call, message", list(BAD_CALLS.values()), ids=list(BAD_CALLS))
def test_divergences_reject_bad_arguments_with_the_exact_message(call, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        call()


def test_f_divergence_accepts_f_of_one_at_exactly_the_tolerance():
    # f(t) = (t - 1)^2 + 64 eps: sum q f(p/q) = chi2 + 64 eps sum q, for q > 0 everywhere
    offset = 64 * EPS
    got = f_divergence([0.5, 0.5], [0.25, 0.75], lambda t: (t - 1.0) ** 2 + offset)
    assert got == pytest.approx(1 / 3 + offset, rel=1e-15, abs=0)


# (p, q, generator, slope, expected), each worked out by hand
ZERO_CONVENTIONS = {
    # p_i = q_i = 0 contributes 0, also where f(0) or the slope is infinite: chi2 = 1/4 + 1/12
    "both zero, chi2": ([0.5, 0.5, 0.0], [0.25, 0.75, 0.0], CHI2, INF, 1 / 3),
    # -log t: f(0) = inf, so a both-zero term must not be 0 * f(0); KL(q || p) = 1/4 log(1/2) + 3/4 log(3/2)
    "both zero, reverse kl": (
        [0.5, 0.5, 0.0], [0.25, 0.75, 0.0], lambda t: -np.log(t), INF, 0.25 * math.log(0.5) + 0.75 * math.log(1.5)
    ),
    # p_i = 0 < q_i gives q_i f(0): 1/2 (2 - 1)^2 + 1/2 (0 - 1)^2 = 1
    "p zero, chi2": ([1.0, 0.0], [0.5, 0.5], CHI2, INF, 1.0),
    # q_i = 0 < p_i gives p_i slope; with q_0 = 1: 1 |1/2 - 1| / 2 + 1/2 * 1/2 = 1/2
    "q zero, tv": ([0.5, 0.5], [1.0, 0.0], lambda t: 0.5 * np.abs(t - 1.0), 0.5, 0.5),
    "q zero, kl": ([0.5, 0.25, 0.25], [0.5, 0.5, 0.0], lambda t: t * np.log(t), INF, INF),
}


@pytest.mark.parametrize("p, q, f, slope, expected", list(ZERO_CONVENTIONS.values()), ids=list(ZERO_CONVENTIONS))
def test_f_divergence_takes_the_perspective_limits_at_zero_entries(p, q, f, slope, expected):
    assert f_divergence(p, q, f, slope_at_infinity=slope) == pytest.approx(expected, rel=1e-15, abs=0)


def test_f_divergence_accepts_a_generator_that_returns_an_object_array():
    # np.frompyfunc wraps a scalar function and returns an object array; f_divergence works in float64
    f = np.frompyfunc(lambda t: (t - 1.0) ** 2, 1, 1)
    assert f_divergence([0.5, 0.5], [0.25, 0.75], f) == pytest.approx(1 / 3, rel=1e-15, abs=0)


def test_f_divergence_is_inf_without_warning_when_a_term_overflows():
    # q = [1 + 2^-52] is within the sum tolerance; t = 1 / q != 1, where f is the largest float: q f(t) overflows
    huge = np.finfo(np.float64).max
    assert f_divergence([1.0], [1.0 + 2**-52], lambda t: np.where(t == 1.0, 0.0, huge)) == INF


# Disjoint supports whose entries exceed 1 by 8 eps (within the sum tolerance): the raw value is 1 + 8 eps (TV),
# about 1 + 4 eps (Hellinger); both distances are clipped to exactly 1.
OVER_ONE = np.array([1.0 + 8 * EPS, 0.0])


@pytest.mark.parametrize("distance", [total_variation, hellinger_distance], ids=lambda f: f.__name__)
def test_distances_of_disjoint_supports_are_clipped_to_exactly_one(distance):
    assert distance(OVER_ONE, OVER_ONE[::-1]) == 1.0


def test_hellinger_distance_of_a_batch_with_shared_zero_entries_matches_the_closed_form():
    # p_i = q_i = 0 contributes nothing: its (sqrt p - sqrt q) is 0, not 0 / 0
    p, q = random_pair(15, (20, 50))
    p[:, :15] = 0.0
    q[:, :15] = 0.0
    p /= p.sum(axis=-1, keepdims=True)
    q /= q.sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(hellinger_distance(p, q), hellinger_closed_form(p, q), rtol=1e-13)


def zero_padded_pair(seed: int):
    """Rows p with a zero in a different column each and q strictly positive, shape (4, 5)."""
    p, q = random_pair(seed, (4, 5))
    p[np.arange(4), np.arange(4)] = 0.0
    return p / p.sum(axis=-1, keepdims=True), q


def test_renyi_divergence_of_order_zero_on_a_batch_is_minus_log_q_mass_on_each_support():
    p, q = zero_padded_pair(16)
    expected = -np.log(np.where(p > 0, q, 0.0).sum(axis=-1))
    np.testing.assert_allclose(renyi_divergence(p, q, 0.0), expected, rtol=1e-14)


def test_renyi_divergence_of_order_infinity_on_a_batch_is_log_of_each_largest_ratio():
    p, q = zero_padded_pair(17)
    expected = np.log((p / q).max(axis=-1))  # p = 0 gives ratio 0, never the largest
    np.testing.assert_allclose(renyi_divergence(p, q, INF), expected, rtol=1e-14)
    np.testing.assert_allclose(renyi_divergence(p.T, q.T, INF, axis=0), expected, rtol=1e-14)


def test_renyi_divergence_of_order_infinity_is_finite_where_the_ratio_passes_the_float_range():
    # q_1 = 2^-1074, the smallest subnormal: p_1 / q_1 = 2^1073 overflows, its log does not: 1073 log 2
    assert renyi_divergence([0.5, 0.5], [1.0, 5e-324], INF) == pytest.approx(1073 * LOG2, rel=1e-15, abs=0)


def test_renyi_divergence_of_order_infinity_ignores_outcomes_where_p_is_zero():
    # p_0 = 0 next to q_0 = 1e-300: max over the support {1} of p / q = 1 / 1, so D_inf = 0
    assert renyi_divergence([0.0, 1.0], [1e-300, 1.0], INF) == 0.0
    assert renyi_divergence([0.5, 0.5, 0.0], [0.25, 0.25, 0.5], INF) == pytest.approx(LOG2, rel=1e-15, abs=0)


@pytest.mark.parametrize("alpha", [0.2, 0.5, 0.8, 1.2, 1.5, 3.0])
def test_renyi_divergence_ignores_outcomes_where_p_is_zero(alpha):
    # entries with p_i = 0 contribute nothing to sum p^alpha q^(1 - alpha)
    p, q = zero_padded_pair(18)
    np.testing.assert_allclose(renyi_divergence(p, q, alpha), renyi_closed_form(p, q, alpha), rtol=1e-12)


def mp_renyi_divergence(p, q, alpha) -> float:
    """50-digit log(sum p^alpha q^(1 - alpha)) / (alpha - 1) of the floats as given."""
    with mpmath.workdps(50):
        a = mpmath.mpf(alpha)
        total = mpmath.fsum(mpmath.mpf(pi) ** a * mpmath.mpf(qi) ** (1 - a) for pi, qi in zip(p, q) if pi > 0)
        return float(mpmath.log(total) / (a - 1))


@pytest.mark.parametrize("alpha", [0.5, 0.8, 1 - 1e-7, 1 + 1e-7, 1.2, 1.5])
def test_renyi_divergence_near_order_one_keeps_its_relative_precision_for_nearly_equal_distributions(alpha):
    # p sums to exactly 1 (the near-one form relies on it); q = p (1 + 1e-5 z). D ~ alpha chi2 / 2 ~ 1e-11, which
    # the log of a sum near 1 would give to about eps / ((alpha - 1) D) ~ 1e-5; the expm1 form to about
    # eps / 1e-5 ~ 1e-11.
    rng = np.random.default_rng(19)
    p = np.array([0.125, 0.25, 0.0625, 0.5, 0.0625])
    for _ in range(4):
        q = p * (1 + 1e-5 * rng.standard_normal(p.size))
        q /= q.sum()
        assert renyi_divergence(p, q, alpha) == pytest.approx(mp_renyi_divergence(p, q, alpha), rel=1e-9, abs=0)


def test_renyi_divergence_of_disjoint_supports_is_infinite_below_order_one_even_if_p_sums_past_one():
    # p sums to 1 + 2^-52 (within the tolerance): sum_i p_i expm1(-inf) = -(1 + 2^-52) is below -1
    assert renyi_divergence([0.5, 0.5 + 2**-52, 0.0], [0.0, 0.0, 1.0], 0.7) == INF


def test_renyi_divergence_of_order_two_is_finite_where_a_ratio_passes_the_float_range():
    # q_0 = 2^-1074: sum p^2 / q = 2^-2 2^1074 + 1/4, so D_2 = log(2^1072 + 1/4) = 1072 log 2 to double precision
    assert renyi_divergence([0.5, 0.5], [5e-324, 1.0], 2.0) == pytest.approx(1072 * LOG2, rel=1e-15, abs=0)


@pytest.mark.parametrize(
    "p, q, expected",
    [
        # D_alpha - D_inf = O(log(p) / alpha): below an ulp of D_inf = log max p / q at alpha = 1e308
        ([0.9, 0.1], [0.1, 0.9], math.log(9.0)),
        ([0.05, 0.95], [0.01, 0.99], math.log(5.0)),
    ],
)
def test_renyi_divergence_of_a_huge_order_is_the_order_infinity_limit_without_overflow(p, q, expected):
    # alpha log p and (1 - alpha) log q overflow with opposite signs here: the sum must not become NaN
    assert renyi_divergence(p, q, 1e308) == pytest.approx(expected, rel=1e-15, abs=0)


@pytest.mark.parametrize(
    "p, q, alpha, expected",
    [
        # sum p^alpha q^(1 - alpha) = (1/2)^0.2 (q_1 = 0 removes the other term): D = 0.2 log 2 / 0.8
        ([0.5, 0.5], [1.0, 0.0], 0.2, math.log(2.0) / 4),
        ([1.0, 0.0], [0.0, 1.0], 0.2, INF),  # disjoint supports: the sum is 0
        ([1.0, 0.0], [0.0, 1.0], 3.0, INF),
        ([0.5, 0.5], [1.0, 0.0], 3.0, INF),  # p_1 > 0 = q_1 and alpha > 1
    ],
)
def test_renyi_divergence_far_from_order_one_where_q_misses_part_of_the_support(p, q, alpha, expected):
    assert renyi_divergence(p, q, alpha) == pytest.approx(expected, rel=1e-15, abs=0)


def test_renyi_divergence_is_infinite_only_in_the_rows_where_q_misses_support():
    # second row: D_3 = log(sum p^3 / q^2) / 2 = log(1/8 / 1/16 + 1/8 / 9/16) / 2 = log(2 + 2/9) / 2
    p = [[0.5, 0.5], [0.5, 0.5]]
    q = [[1.0, 0.0], [0.25, 0.75]]
    np.testing.assert_allclose(renyi_divergence(p, q, 3.0), [INF, math.log(2 + 2 / 9) / 2], rtol=1e-15)


@pytest.mark.parametrize("alpha", [0.0, 0.2, 0.8, 1.0, 3.0, INF])
@pytest.mark.parametrize("shape", [(1, 5), (2, 1, 5)])
def test_renyi_divergence_keeps_batch_axes_of_length_one(alpha, shape):
    p, q = random_pair(21, shape)
    assert renyi_divergence(p, q, alpha).shape == shape[:-1]


def test_f_divergence_evaluates_f_only_at_ratios_that_are_non_negative():
    # A scalar generator built on math.sqrt raises for t < 0: f must never see anything but ratios t >= 0
    # (entries where p or q is 0 are not ratios and take their limits instead). sum q (sqrt(p/q) - 1)^2 = 2 H^2.
    f = np.frompyfunc(lambda t: (math.sqrt(t) - 1.0) ** 2, 1, 1)
    p, q = random_pair(22, (20, 6))
    p[:, :3] = 0.0
    p /= p.sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(f_divergence(p, q, f, slope_at_infinity=1.0), 2 * hellinger_closed_form(p, q) ** 2,
                               rtol=1e-12)


def test_renyi_divergence_of_order_zero_is_exactly_zero_where_p_has_full_support():
    # D_0 = -log q(supp p) = -log(1/8 + 3/8 + 1/2) = -log 1, and that sum of dyadic q is exact in every order
    assert renyi_divergence([1 / 3, 1 / 3, 1 / 3], [0.125, 0.375, 0.5], 0.0) == 0.0
