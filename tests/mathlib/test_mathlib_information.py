"""mathlib.information: values against scipy and hand calculations, conventions, and validation."""

from __future__ import annotations

import math
import re
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import scipy.spatial.distance
import scipy.special
import scipy.stats

from mathlib import (
    conditional_entropy,
    cross_entropy,
    entropy,
    information_gain,
    joint_entropy,
    js_divergence,
    kl_divergence,
    mutual_information,
    self_information,
)
import mathlib
from mathlib_testing import mp_js_divergence, mp_kl_divergence, ulp_error

pytestmark = pytest.mark.filterwarnings("error")

INF = math.inf
NAN = math.nan
LOG2 = math.log(2.0)


def random_distributions(seed: int, shape, dtype=np.float64) -> np.ndarray:
    """Rows drawn from a flat Dirichlet: strictly positive, summing to 1 up to rounding."""
    rng = np.random.default_rng(seed)
    *batch, size = shape
    return rng.dirichlet(np.ones(size), size=tuple(batch) or None).astype(dtype)


def names_argument_and_row(argument: str, row: int) -> str:
    """A regex for an error message that names ``argument`` and the offending batch ``row``."""
    return rf"(?s)(?=.*\b{argument}\b)(?=.*\b(rows?|index|indices|batch)\b[^0-9]{{0,12}}\b{row}\b)"


def entropy_bits_from_counts(*counts: int) -> float:
    """Hand formula: H = -sum (c/n) log2(c/n) over the nonzero counts."""
    n = sum(counts)
    return -sum(c / n * math.log2(c / n) for c in counts if c)


# --- self_information ------------------------------------------------------------------------------------


def test_self_information_of_one_half_is_one_bit():
    assert self_information(0.5, base=2) == 1.0


def test_self_information_is_minus_log_elementwise():
    # -log 1 = 0, -log(1/4) = log 4, -log(e^-3) = 3; the entries need not sum to 1
    np.testing.assert_allclose(self_information([1.0, 0.25, math.exp(-3.0)]), [0.0, math.log(4.0), 3.0], rtol=1e-15)


def test_self_information_of_an_impossible_event_is_infinite_without_warning():
    assert self_information(0.0) == INF


@pytest.mark.parametrize("p", [-0.5, NAN, 1.5])
def test_self_information_rejects_a_value_that_is_not_a_probability(p):
    with pytest.raises(ValueError, match=r"\bp\b"):
        self_information([0.5, p])


# --- entropy ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "p, bits",
    [
        ([0.5, 0.5], 1.0),  # -2 (1/2) log2(1/2) = 1
        ([0.25] * 4, 2.0),  # -4 (1/4) log2(1/4) = 2
        ([0.5, 0.25, 0.25], 1.5),  # 1/2 * 1 + 2 * 1/4 * 2 = 1.5
        ([1.0], 0.0),
        ([1.0, 0.0, 0.0], 0.0),  # 0 log 0 = 0
        ([0.0, 0.5, 0.0, 0.5], 1.0),
    ],
)
def test_entropy_in_bits_matches_hand_values(p, bits):
    assert entropy(p, base=2) == pytest.approx(bits, abs=1e-15)


def test_entropy_uses_nats_by_default():
    # H(1/2, 1/2) = log 2 nats
    assert entropy([0.5, 0.5]) == pytest.approx(LOG2, rel=1e-15)


def test_entropy_of_a_point_mass_is_exactly_zero_under_the_zero_log_zero_convention():
    assert entropy([0.0, 1.0, 0.0]) == 0.0


@pytest.mark.parametrize("base", [None, 2, 10, math.e, 1.5])
def test_entropy_matches_scipy_on_random_distributions(base):
    p = random_distributions(0, (6, 9))
    np.testing.assert_allclose(entropy(p, base=base), scipy.stats.entropy(p, base=base, axis=-1), rtol=1e-13)


def test_entropy_reduces_along_the_given_axis():
    p = random_distributions(1, (5, 4)).T  # columns are the distributions
    np.testing.assert_allclose(entropy(p, axis=0), scipy.stats.entropy(p, axis=0), rtol=1e-13)


def test_entropy_in_bits_is_entropy_in_nats_divided_by_log_two():
    p = random_distributions(2, (3, 7))
    np.testing.assert_allclose(entropy(p, base=2), scipy.stats.entropy(p, axis=-1) / LOG2, rtol=1e-13)


# --- cross_entropy ---------------------------------------------------------------------------------------


def test_cross_entropy_matches_the_formula_on_random_distributions():
    p, q = random_distributions(3, (4, 6)), random_distributions(4, (4, 6))
    # H(p, q) = -sum p log q = H(p) + KL(p || q), both from scipy
    expected = scipy.stats.entropy(p, axis=-1) + scipy.stats.entropy(p, q, axis=-1)
    np.testing.assert_allclose(cross_entropy(p, q), expected, rtol=1e-13)


def test_cross_entropy_hand_value_in_bits():
    # H([1/2, 1/2], [1/4, 3/4]) = -(1/2 log2(1/4) + 1/2 log2(3/4)) = 1/2 * 2 + 1/2 * (2 - log2 3) = 2 - log2(3)/2
    assert cross_entropy([0.5, 0.5], [0.25, 0.75], base=2) == pytest.approx(2 - math.log2(3) / 2, rel=1e-15)


def test_cross_entropy_is_infinite_where_q_is_zero_and_p_is_not():
    assert cross_entropy([0.5, 0.5], [1.0, 0.0]) == INF


def test_cross_entropy_ignores_outcomes_where_p_is_zero_even_if_q_is_zero():
    # -(1 * log 1 + 0 * log 0) = 0
    assert cross_entropy([1.0, 0.0], [1.0, 0.0]) == 0.0


# --- kl_divergence ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("base", [None, 2])
def test_kl_divergence_matches_scipy_rel_entr_on_random_distributions(base):
    p, q = random_distributions(5, (8, 5)), random_distributions(6, (8, 5))
    expected = scipy.special.rel_entr(p, q).sum(axis=-1) / (1.0 if base is None else math.log(base))
    np.testing.assert_allclose(kl_divergence(p, q, base=base), expected, rtol=1e-13)


def test_kl_divergence_matches_scipy_stats_entropy_along_axis_zero():
    p, q = random_distributions(7, (3, 6)).T, random_distributions(8, (3, 6)).T
    np.testing.assert_allclose(kl_divergence(p, q, axis=0), scipy.stats.entropy(p, q, axis=0), rtol=1e-13)


def test_kl_divergence_hand_value_in_bits():
    # KL([1/2, 1/2] || [1/4, 3/4]) = 1/2 log2(2) + 1/2 log2(2/3) = 1/2 + 1/2 (1 - log2 3) = 1 - log2(3)/2
    assert kl_divergence([0.5, 0.5], [0.25, 0.75], base=2) == pytest.approx(1 - math.log2(3) / 2, rel=1e-14)


def test_kl_divergence_is_infinite_where_q_is_zero_and_p_is_not():
    assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == INF


def test_kl_divergence_is_infinite_only_in_the_rows_where_q_misses_support():
    p = [[0.5, 0.5], [0.5, 0.5]]
    q = [[1.0, 0.0], [0.5, 0.5]]
    np.testing.assert_array_equal(kl_divergence(p, q), [INF, 0.0])


def test_kl_divergence_ignores_outcomes_where_p_is_zero():
    # KL([1, 0] || [1/2, 1/2]) = 1 log(1 / (1/2)) + 0 = log 2
    assert kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(LOG2, rel=1e-15)


def test_kl_divergence_of_a_distribution_from_itself_is_exactly_zero():
    p = random_distributions(9, (5, 12))
    np.testing.assert_array_equal(kl_divergence(p, p), np.zeros(5))


def test_kl_divergence_is_accurate_where_cross_entropy_minus_entropy_cancels():
    # p and q nearly equal (relative perturbation 1e-6, K = 1000): KL ~ 5e-13 while H(p) ~ 6.3. Computing
    # H(p, q) - H(p) loses ~3 digits to cancellation here (relative error 2e-3 for this seed); summing
    # p log(p / q) directly is good to ~1e-6. Reference: mpmath at 300 bits on the same float inputs.
    rng = np.random.default_rng(0)
    q = rng.dirichlet(np.ones(1000))
    p = q * (1 + 1e-6 * rng.standard_normal(1000))
    p /= p.sum()
    exact = float(mp_kl_divergence(p, q))
    assert exact > 0
    got = kl_divergence(p, q)
    assert got >= 0
    assert got == pytest.approx(exact, rel=1e-4)


@pytest.mark.parametrize("delta", [1e-9, 1e-12, 1e-15])
def test_kl_divergence_is_never_negative_for_nearly_equal_distributions(delta):
    rng = np.random.default_rng(1)
    q = rng.dirichlet(np.ones(50), size=200)
    p = q * (1 + delta * rng.standard_normal(q.shape))
    p /= p.sum(axis=-1, keepdims=True)
    assert (kl_divergence(p, q) >= 0).all()


# KL of q = p (1 + delta N(0, 1)) is O(delta^2). The sum p log(p / q) of float inputs also holds
# sum p - sum q, which rounding leaves as large as eps (the validation allows 16 eps sqrt(K)) and which would
# swamp an O(delta^2) divergence; these pairs are therefore built with sum q = sum p exactly, so that the
# reference is the divergence itself. The budget: each term g = p log(p / q) - (p - q) >= 0 is evaluated
# with three roundings (t = (p - q) / (p + q): two, (p - q) t: one; p - q is exact and the O(t^3) rest is at
# most 1/6 of g), about 3 ulp; a sum of non-negative terms adds about an ulp more at these lengths, and
# sum (p - q), taken in twice the working precision, adds less than 2^-40 ulp: 8 ulp leaves room.
KL_ULP_BUDGET = 8
KL_CLOSE_SCALES = [10.0**-k for k in range(2, 13)]


def with_exact_sum(q: np.ndarray, target: Fraction) -> np.ndarray | None:
    """``q`` with its largest entries nudged by a few ulp so that its exact sum is ``target``; None if that fails."""
    q = q.copy()
    defect = target - sum(map(Fraction, q.tolist()))
    for j in np.argsort(-q):
        if defect == 0:
            break
        nudged = q.dtype.type(float(Fraction(q[j].item()) + defect))
        defect -= Fraction(nudged.item()) - Fraction(q[j].item())
        q[j] = nudged
    return q if defect == 0 else None


def nearly_equal_pairs_with_equal_sums(seed: int, delta: float, sizes, dtype=np.float64, concentration=1.0):
    """For each ``(size, rows)``: rows p (Dirichlet) and q = p (1 + delta N(0, 1)) in ``dtype``, sum q = sum p
    exactly (in exact arithmetic), q != p. A concentration below 1 gives rows with entries far below 1 / size."""
    rng = np.random.default_rng(seed)
    pairs = []
    for size, rows in sizes:
        p_rows, q_rows = [], []
        while len(p_rows) < rows:
            p = rng.dirichlet(np.full(size, concentration)).astype(dtype)
            q = with_exact_sum((p * (1 + delta * rng.standard_normal(size))).astype(dtype), sum(map(Fraction, p.tolist())))
            if q is not None and (q > 0).all() and (q != p).any():
                p_rows.append(p)
                q_rows.append(q)
        pairs.append((np.array(p_rows), np.array(q_rows)))
    return pairs


def worst_ulp_error(pairs, dtype, delta=None) -> tuple[float, str]:
    """The worst error of ``kl_divergence`` in ulps of ``dtype`` against mpmath over ``pairs`` of row batches."""
    worst = (0.0, "")
    for p_rows, q_rows in pairs:
        got = kl_divergence(p_rows, q_rows)
        assert got.dtype == dtype
        for p, q, value in zip(p_rows, q_rows, got):
            exact = mp_kl_divergence(p, q)
            if delta is not None:
                assert 0 < exact < 10 * delta**2  # the regime under test: KL = O(delta^2)
            error = ulp_error(value, exact, dtype)
            if error > worst[0]:
                where = f"K={p.size}, p={p.tolist()}, q={q.tolist()}"
                worst = (error, where if delta is None else f"delta={delta:g}, {where}")
    return worst


@pytest.mark.parametrize("concentration", [1.0, 0.1])
def test_kl_divergence_of_nearly_equal_distributions_keeps_full_relative_precision(concentration, ulp_report):
    sizes = [(2, 4), (3, 4), (5, 4), (10, 4), (40, 4), (1000, 2)]
    worst_by_scale = {}
    for delta in KL_CLOSE_SCALES:
        pairs = nearly_equal_pairs_with_equal_sums(int(-math.log10(delta)), delta, sizes, concentration=concentration)
        worst_by_scale[delta] = worst_ulp_error(pairs, np.float64, delta)
    worst = max(worst_by_scale.values())
    ulp_report("kl_divergence", "float64", worst[0], KL_ULP_BUDGET, worst[1])
    assert worst[0] <= KL_ULP_BUDGET, {delta: error for delta, (error, _) in worst_by_scale.items()}


@pytest.mark.parametrize("delta", [1e-2, 1e-7, 1e-12])
def test_kl_divergence_of_nearly_equal_long_vectors_keeps_full_relative_precision(delta):
    pairs = nearly_equal_pairs_with_equal_sums(20, delta, [(10**4, 1)])
    assert worst_ulp_error(pairs, np.float64, delta)[0] <= KL_ULP_BUDGET


# float32 in, computed in float64 (within 8 float64 ulp, 2^-26 of a float32 ulp) and rounded once: within half
# a float32 ulp, up to that. Below delta = 1e-6 a perturbation is a few float32 ulp of the entries.
@pytest.mark.parametrize("delta", [1e-2, 1e-3, 1e-4, 1e-5, 1e-6])
def test_kl_divergence_of_nearly_equal_float32_distributions_is_correctly_rounded_float32(delta):
    pairs = nearly_equal_pairs_with_equal_sums(30, delta, [(2, 4), (5, 4), (40, 4), (1000, 2)], np.float32)
    assert worst_ulp_error(pairs, np.float32, delta)[0] <= 0.5 + 2.0**-20


def test_kl_divergence_of_long_float32_vectors_far_apart_is_correctly_rounded_float32():
    # 100 entries: blocks of whole rows, not transposed. Computed in float64 (p + q in float32 would be
    # off by up to half a float32 ulp), then rounded once.
    rng = np.random.default_rng(5)
    p, q = (rng.dirichlet(np.full(100, 0.3), size=60).astype(np.float32) for _ in range(2))
    got = kl_divergence(p, q)
    expected = [np.float32(float(mp_kl_divergence(p_row, q_row))) for p_row, q_row in zip(p, q)]
    np.testing.assert_array_equal(got, expected)


def test_kl_divergence_of_a_perturbation_by_a_power_of_two_is_accurate_to_the_last_bits():
    # q - p = +-2^-30 exactly, sum q = 1 exactly: KL = 1/4 log(1/4 / q_0) + 3/4 log(3/4 / q_1)
    # ~ (2^-30)^2 / 2 (1/(1/4) + 1/(3/4)) = 8/3 2^-60. Summing p log(p / q) as it stands leaves ~1e8 ulp.
    p, q = [0.25, 0.75], [0.25 + 2.0**-30, 0.75 - 2.0**-30]
    exact = mp_kl_divergence(p, q)
    assert float(exact) == pytest.approx(8 / 3 * 2.0**-60, rel=1e-8)
    assert ulp_error(kl_divergence(p, q), exact, np.float64) <= KL_ULP_BUDGET


def test_kl_divergence_is_the_sum_as_written_when_the_rounded_sums_differ():
    # The example of issue 12: rounded, q sums to 1 - 2^-54, so sum p log(p / q) = KL of the intended
    # distributions (~2e-18) + 2^-54 (5.55e-17). The result is that sum, to its last bits.
    p, q = [0.5, 0.5], [0.5 + 1e-9, 0.5 - 1e-9]
    assert sum(map(Fraction, q)) == 1 - Fraction(1, 2**54)
    exact = mp_kl_divergence(p, q)
    assert 5.7e-17 < exact < 5.8e-17
    assert ulp_error(kl_divergence(p, q), exact, np.float64) <= KL_ULP_BUDGET


def test_kl_divergence_is_clipped_at_zero_where_the_sum_as_written_is_negative():
    # sum q = 1 + 2^-53 (within the tolerance): sum p log(p / q) = 1/2 log(1/2 / (1/2 + 2^-53)) < 0.
    p, q = [0.5, 0.5], [0.5 + 2.0**-53, 0.5]
    assert mp_kl_divergence(p, q) < 0
    assert kl_divergence(p, q) == 0.0


def test_kl_divergence_of_a_single_outcome_is_zero():
    assert kl_divergence([1.0], [1.0]) == 0.0
    np.testing.assert_array_equal(kl_divergence(np.ones((3, 1)), np.ones((3, 1))), np.zeros(3))


def test_kl_divergence_of_single_outcomes_is_each_row_own_sum_as_written():
    # q = 1 - 2^-50 is within the tolerance of 1: its row's sum p log(p / q) = -log1p(-2^-50) ~ 2^-50,
    # the row with q = 1 gives 0 (no row borrows another's p - q).
    p, q = np.ones((2, 1)), np.array([[1.0 - 2.0**-50], [1.0]])
    got = kl_divergence(p, q)
    assert ulp_error(got[0], mp_kl_divergence(p[0], q[0]), np.float64) <= KL_ULP_BUDGET
    assert got[1] == 0.0


def test_kl_divergence_ignores_outcomes_where_p_and_q_are_both_zero():
    # The outcome with p = q = 0 adds 0 log(0 / 0) = 0; the others are near p = q.
    p, q = [0.5, 0.3, 0.2, 0.0], [0.3, 0.5, 0.2, 0.0]
    expected = 0.2 * math.log(5 / 3)  # 0.5 log(0.5 / 0.3) + 0.3 log(0.3 / 0.5) + 0.2 log 1
    assert float(mp_kl_divergence(p, q)) == pytest.approx(expected, rel=1e-15)
    assert ulp_error(kl_divergence(p, q), mp_kl_divergence(p, q), np.float64) <= KL_ULP_BUDGET


# p / q = 2 (and 1/2) exactly: t = +-1/3, the edge of the Taylor polynomial's range, where its truncation error
# (below 2^-53 of g) is largest. Degree or last coefficient wrong there costs a few ulp.
@pytest.mark.parametrize("p, q", [([0.5, 0.5], [0.25, 0.75]), ([2 / 3, 1 / 3], [1 / 3, 2 / 3])])
def test_kl_divergence_at_the_edge_of_its_taylor_range_is_within_one_ulp(p, q):
    assert ulp_error(kl_divergence(p, q), mp_kl_divergence(p, q), np.float64) <= 1.0


@pytest.mark.parametrize("size", [2, 10, 100, 1000, 10**4])
def test_kl_divergence_agrees_with_scipy_rel_entr_sums_far_from_p_equals_q(size):
    # Far apart the terms p log(p / q) cancel little (asserted: sum |terms| / KL < 20), so summing scipy's
    # terms is accurate to (log2 K + 2) eps sum |terms| (pairwise summation) plus the error of the terms
    # themselves. scipy 1.14 (the browser's) computes a term as x log(x / y): the ratio is rounded first, by
    # up to eps/2 of itself, which moves the log by up to eps/2 in absolute terms, so a term can be off by
    # x eps/2 however small its log is (p = (0, 1), q_2 = 0.957: 13 ulp of KL = 0.044, where 300-bit mpmath
    # puts kl_divergence within 0.5 ulp). That adds eps sum p / 2. The 8 ulp (4 eps) of kl_divergence come
    # on top.
    p, q = random_distributions(40 + size, (6, size)), random_distributions(41 + size, (6, size))
    p[:, ::7] = 0.0
    p /= p.sum(axis=-1, keepdims=True)
    terms = scipy.special.rel_entr(p, q)
    expected = terms.sum(axis=-1)
    condition = np.abs(terms).sum(axis=-1) / expected
    assert (condition < 20).all()
    eps = np.finfo(np.float64).eps
    tolerance = ((math.log2(size) + 2) * condition + 4) * eps * expected + eps / 2 * p.sum(axis=-1)
    assert (np.abs(kl_divergence(p, q) - expected) <= tolerance).all()


def test_kl_divergence_of_distributions_far_apart_is_within_the_ulp_budget(ulp_report):
    # Far from p = q, where p / q is outside [1/2, 2], a term is p log(p / q) - (p - q) as it stands: it cancels
    # by at most a factor of about 6 (at p / q = 2), a few ulp at worst; flat Dirichlet rows are mostly there.
    rng = np.random.default_rng(50)
    pairs = [(rng.dirichlet(np.ones(size), size=8), rng.dirichlet(np.ones(size), size=8)) for size in (2, 3, 10, 100)]
    worst = worst_ulp_error(pairs, np.float64)
    ulp_report("kl_divergence", "float64", worst[0], KL_ULP_BUDGET, "far apart: " + worst[1])
    assert worst[0] <= KL_ULP_BUDGET


def test_kl_divergence_of_a_row_does_not_depend_on_the_rows_around_it():
    # The rows are worked in blocks, on worker threads for a batch this large: the result of a row must be
    # the same, bit for bit, alone, in any batch and along any axis.
    rng = np.random.default_rng(60)
    p = rng.dirichlet(np.ones(10), size=30000)
    q = p * (1 + 1e-6 * rng.standard_normal(p.shape))
    q /= q.sum(axis=-1, keepdims=True)
    batch = kl_divergence(p, q)
    rows = [0, 1, 12345, 29999]
    np.testing.assert_array_equal([kl_divergence(p[i], q[i]) for i in rows], batch[rows])
    np.testing.assert_array_equal(kl_divergence(p[:3], q[:3]), batch[:3])
    np.testing.assert_array_equal(kl_divergence(p.T, q.T, axis=0), batch)


# --- js_divergence ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("base", [None, 2])
def test_js_divergence_is_the_square_of_scipys_jensenshannon_distance(base):
    p, q = random_distributions(10, (7, 5)), random_distributions(11, (7, 5))
    distance = scipy.spatial.distance.jensenshannon(p, q, axis=-1, base=base)
    np.testing.assert_allclose(js_divergence(p, q, base=base), distance**2, rtol=1e-12)


def test_js_divergence_of_disjoint_distributions_is_log_two():
    # m = [1/2, 1/2]; KL([1,0] || m) = log 2 = KL([0,1] || m); JS = (log 2 + log 2) / 2
    assert js_divergence([1.0, 0.0], [0.0, 1.0]) == pytest.approx(LOG2, rel=1e-15)
    assert js_divergence([1.0, 0.0], [0.0, 1.0], base=2) == pytest.approx(1.0, rel=1e-15)


def test_js_divergence_is_finite_where_kl_divergence_is_infinite():
    # p = [1/2, 1/2], q = [1, 0], m = [3/4, 1/4]
    # KL(p || m) = 1/2 log(2/3) + 1/2 log 2 ; KL(q || m) = log(4/3)
    expected = 0.5 * (0.5 * math.log(2 / 3) + 0.5 * math.log(2.0)) + 0.5 * math.log(4 / 3)
    assert js_divergence([0.5, 0.5], [1.0, 0.0]) == pytest.approx(expected, rel=1e-14)


# JS of p and q = p(1 + delta) is O(delta^2). The budget: each term s f(t) is evaluated to about 2 ulp (one
# bit lost between its two O(t^2) parts, the rounding of t, s and the logs), and a sum of non-negative terms
# adds at most about an ulp more at these lengths: 8 ulp of the float64 result leaves room.
JS_ULP_BUDGET = 8
JS_CLOSE_SCALES = [10.0**-k for k in range(2, 13)]


def nearly_equal_pairs(seed: int, delta: float, dtype=np.float64) -> list[tuple[np.ndarray, np.ndarray]]:
    """Rows p (flat Dirichlet, lengths 2 to 40) and q = p (1 + delta N(0, 1)), renormalized in the float dtype."""
    rng = np.random.default_rng(seed)
    pairs = []
    for size in (2, 3, 5, 10, 40):
        p = rng.dirichlet(np.ones(size), size=4)
        q = p * (1 + delta * rng.standard_normal(p.shape))
        q /= q.sum(axis=-1, keepdims=True)
        pairs.append((p.astype(dtype), q.astype(dtype)))
    return pairs


def test_js_divergence_of_nearly_equal_distributions_keeps_full_relative_precision(ulp_report):
    # The reference takes the float inputs exactly as given (q need not sum to exactly 1).
    worst_by_scale = {}
    worst = (0.0, "")
    for delta in JS_CLOSE_SCALES:
        worst_by_scale[delta] = 0.0
        for p_rows, q_rows in nearly_equal_pairs(int(-math.log10(delta)), delta):
            got = js_divergence(p_rows, q_rows)
            for p, q, value in zip(p_rows, q_rows, got):
                exact = mp_js_divergence(p, q)
                assert 0 < exact < 10 * delta**2  # the regime under test: JS = O(delta^2)
                error = ulp_error(value, exact, np.float64)
                worst_by_scale[delta] = max(worst_by_scale[delta], error)
                if error > worst[0]:
                    worst = (error, f"delta={delta:g}, p={p.tolist()}, q={q.tolist()}")
    ulp_report("js_divergence", "float64", worst[0], JS_ULP_BUDGET, worst[1])
    assert max(worst_by_scale.values()) <= JS_ULP_BUDGET, worst_by_scale


@pytest.mark.parametrize("delta", [1e-3, 1e-6])
def test_js_divergence_of_nearly_equal_float32_distributions_is_float32_within_an_ulp(delta):
    for p_rows, q_rows in nearly_equal_pairs(7, delta, np.float32):
        got = js_divergence(p_rows, q_rows)
        assert got.dtype == np.float32
        for p, q, value in zip(p_rows, q_rows, got):
            assert ulp_error(value, mp_js_divergence(p, q), np.float32) <= 1


def test_js_divergence_is_accurate_where_an_entry_is_negligible_next_to_the_other():
    # 0.1 + 1e-20 rounds to 0.1, so t = (p - q) / (p + q) rounds to 1 although q_0 > 0:
    # q_0 log(2 q_0 / (p_0 + q_0)) must come out finite, not 1e-20 * log1p(-1) = -inf.
    p, q = np.array([0.1, 0.9]), np.array([1e-20, 1.0])
    for a, b in ((p, q), (q, p)):
        assert ulp_error(js_divergence(a, b), mp_js_divergence(a, b), np.float64) <= JS_ULP_BUDGET


def test_js_divergence_of_a_distribution_with_itself_is_exactly_zero():
    p = random_distributions(12, (3, 6))
    p[0, :2] = [0.0, p[0, 0] + p[0, 1]]
    assert np.array_equal(js_divergence(p, p), np.zeros(3))


# --- joint and conditional entropy, mutual information ----------------------------------------------------

# Rows index X, columns index Y.
#   pxy = [[1/2, 1/4],      p(x) = [3/4, 1/4]     p(y) = [1/2, 1/2]
#          [0,   1/4]]
# H(X, Y) = H(1/2, 1/4, 1/4) = 1/2 * 1 + 2 * (1/4 * 2) = 1.5 bits
# H(X) = -(3/4 log2 3/4 + 1/4 log2 1/4) = 2 - (3/4) log2 3 = 0.8112781244591328 bits
# H(Y) = 1 bit
# H(Y | X) = H(X, Y) - H(X) = (3/4) log2 3 - 1/2 = 0.6887218755408672 bits
# I(X; Y) = H(X) + H(Y) - H(X, Y) = 3/2 - (3/4) log2 3 = 0.3112781244591328 bits
ASYMMETRIC_TABLE = np.array([[0.5, 0.25], [0.0, 0.25]])


def test_joint_entropy_of_a_hand_table_in_bits():
    assert joint_entropy(ASYMMETRIC_TABLE, base=2) == pytest.approx(1.5, rel=1e-15)


def test_conditional_entropy_conditions_on_the_row_variable():
    assert conditional_entropy(ASYMMETRIC_TABLE, base=2) == pytest.approx(0.75 * math.log2(3) - 0.5, rel=1e-14)


def test_conditional_entropy_of_the_transposed_table_conditions_on_the_other_variable():
    # H(X | Y) = H(X, Y) - H(Y) = 1.5 - 1 = 0.5 bits
    assert conditional_entropy(ASYMMETRIC_TABLE.T, base=2) == pytest.approx(0.5, rel=1e-14)


def test_mutual_information_of_a_hand_table_in_bits():
    assert mutual_information(ASYMMETRIC_TABLE, base=2) == pytest.approx(1.5 - 0.75 * math.log2(3), rel=1e-14)


def test_mutual_information_of_perfectly_dependent_bits_is_one_bit():
    # X = Y uniform: I = H(X) = 1 bit
    assert mutual_information([[0.5, 0.0], [0.0, 0.5]], base=2) == pytest.approx(1.0, rel=1e-15)


def test_mutual_information_of_independent_variables_is_zero():
    # pxy = p(x) p(y)^T with p(x) = [1/4, 3/4], p(y) = [1/2, 1/2]: every ratio pxy / (p(x) p(y)) is 1
    table = np.outer([0.25, 0.75], [0.5, 0.5])
    assert mutual_information(table) == pytest.approx(0.0, abs=1e-15)


def test_mutual_information_matches_scipy_on_a_random_table():
    table = np.random.default_rng(12).dirichlet(np.ones(12)).reshape(3, 4)
    # I = KL(p(x, y) || p(x) p(y))
    expected = scipy.special.rel_entr(table, np.outer(table.sum(1), table.sum(0))).sum()
    assert mutual_information(table) == pytest.approx(expected, rel=1e-12)


def test_joint_entropy_matches_scipy_on_a_random_table():
    table = np.random.default_rng(13).dirichlet(np.ones(15)).reshape(5, 3)
    assert joint_entropy(table) == pytest.approx(scipy.stats.entropy(table.ravel()), rel=1e-13)


def test_joint_table_must_sum_to_one_as_a_whole_not_row_by_row():
    # each row sums to 1, the table sums to 2
    with pytest.raises(ValueError, match=r"\bpxy\b"):
        mutual_information([[0.5, 0.5], [0.5, 0.5]])


@pytest.mark.parametrize("function", [joint_entropy, conditional_entropy, mutual_information], ids=lambda f: f.__name__)
@pytest.mark.parametrize("table", [[[0.75, 0.5], [0.0, -0.25]], [[0.5, NAN], [0.25, 0.25]], [[0.5, 0.25], [0.0, 0.2]]])
def test_joint_table_functions_reject_invalid_tables(function, table):
    with pytest.raises(ValueError, match=r"\bpxy\b"):
        function(table)


# --- information_gain on Quinlan's play-tennis data ------------------------------------------------------

# Quinlan (1986), Table 1: (Outlook, Temperature, Humidity, Wind, PlayTennis), days D1..D14.
PLAY_TENNIS = [
    ("Sunny", "Hot", "High", "Weak", "No"),
    ("Sunny", "Hot", "High", "Strong", "No"),
    ("Overcast", "Hot", "High", "Weak", "Yes"),
    ("Rain", "Mild", "High", "Weak", "Yes"),
    ("Rain", "Cool", "Normal", "Weak", "Yes"),
    ("Rain", "Cool", "Normal", "Strong", "No"),
    ("Overcast", "Cool", "Normal", "Strong", "Yes"),
    ("Sunny", "Mild", "High", "Weak", "No"),
    ("Sunny", "Cool", "Normal", "Weak", "Yes"),
    ("Rain", "Mild", "Normal", "Weak", "Yes"),
    ("Sunny", "Mild", "Normal", "Strong", "Yes"),
    ("Overcast", "Mild", "High", "Strong", "Yes"),
    ("Overcast", "Hot", "Normal", "Weak", "Yes"),
    ("Rain", "Mild", "High", "Strong", "No"),
]
ATTRIBUTES = ["Outlook", "Temperature", "Humidity", "Wind"]


def encode(column: list[str]) -> np.ndarray:
    """Category names to integer codes (sorted names -> 0, 1, ...)."""
    codes = {name: code for code, name in enumerate(sorted(set(column)))}
    return np.array([codes[name] for name in column])


PLAY = encode([row[4] for row in PLAY_TENNIS])

# (yes, no) counts per branch, read off the table above; test_play_tennis_counts checks them against it.
BRANCH_COUNTS = {
    "Outlook": {"Sunny": (2, 3), "Overcast": (4, 0), "Rain": (3, 2)},
    "Temperature": {"Hot": (2, 2), "Mild": (4, 2), "Cool": (3, 1)},
    "Humidity": {"High": (3, 4), "Normal": (6, 1)},
    "Wind": {"Weak": (6, 2), "Strong": (3, 3)},
}
# Hand calculation, in bits. H(S) = H(9/14, 5/14) = 0.940286.
#   Outlook:     5/14 H(2,3) + 4/14 H(4,0) + 5/14 H(3,2) = 5/14 .970951 + 0 + 5/14 .970951 = .693536 -> gain .246750
#   Temperature: 4/14 H(2,2) + 6/14 H(4,2) + 4/14 H(3,1) = .285714 + .393555 + .231794 = .911063 -> gain .029223
#   Humidity:    7/14 H(3,4) + 7/14 H(6,1) = .5 .985228 + .5 .591673 = .788450                  -> gain .151836
#   Wind:        8/14 H(6,2) + 6/14 H(3,3) = 8/14 .811278 + 6/14 1 = .892159                    -> gain .048127
PUBLISHED_GAIN_BITS = {"Outlook": 0.2467, "Temperature": 0.0292, "Humidity": 0.1518, "Wind": 0.0481}


def hand_information_gain_bits(attribute: str) -> float:
    branches = BRANCH_COUNTS[attribute].values()
    n = sum(yes + no for yes, no in branches)
    total_yes = sum(yes for yes, _ in branches)
    remainder = sum((yes + no) / n * entropy_bits_from_counts(yes, no) for yes, no in branches)
    return entropy_bits_from_counts(total_yes, n - total_yes) - remainder


@pytest.mark.parametrize("column, attribute", list(enumerate(ATTRIBUTES)))
def test_play_tennis_counts(column, attribute):
    # the counts used by the hand calculation are the counts of the table
    for value, (yes, no) in BRANCH_COUNTS[attribute].items():
        outcomes = [row[4] for row in PLAY_TENNIS if row[column] == value]
        assert (outcomes.count("Yes"), outcomes.count("No")) == (yes, no)


@pytest.mark.parametrize("attribute", ATTRIBUTES)
def test_hand_information_gain_reproduces_the_published_value(attribute):
    assert round(hand_information_gain_bits(attribute), 4) == PUBLISHED_GAIN_BITS[attribute]


@pytest.mark.parametrize("column, attribute", list(enumerate(ATTRIBUTES)))
def test_information_gain_on_play_tennis_matches_the_hand_calculation(column, attribute):
    groups = encode([row[column] for row in PLAY_TENNIS])
    got = information_gain(PLAY, groups, base=2)
    assert got == pytest.approx(hand_information_gain_bits(attribute), rel=1e-12)


def test_information_gain_is_in_nats_by_default():
    groups = encode([row[0] for row in PLAY_TENNIS])
    assert information_gain(PLAY, groups) == pytest.approx(hand_information_gain_bits("Outlook") * LOG2, rel=1e-12)


def test_information_gain_ranks_outlook_first_as_id3_does():
    gains = {a: information_gain(PLAY, encode([row[c] for row in PLAY_TENNIS])) for c, a in enumerate(ATTRIBUTES)}
    assert max(gains, key=gains.get) == "Outlook"


def test_information_gain_of_a_split_that_separates_the_labels_is_the_label_entropy():
    # groups = labels: every branch is pure; gain = H(9/14, 5/14)
    assert information_gain(PLAY, PLAY, base=2) == pytest.approx(entropy_bits_from_counts(9, 5), rel=1e-14)


def test_information_gain_of_a_single_group_is_zero():
    assert information_gain(PLAY, np.zeros(len(PLAY), dtype=int)) == pytest.approx(0.0, abs=1e-15)


def test_information_gain_accepts_categorical_labels_given_as_strings():
    labels = [row[4] for row in PLAY_TENNIS]
    groups = [row[0] for row in PLAY_TENNIS]
    assert information_gain(labels, groups, base=2) == pytest.approx(hand_information_gain_bits("Outlook"), rel=1e-12)


def test_information_gain_rejects_labels_and_groups_of_different_lengths():
    with pytest.raises(ValueError):
        information_gain([0, 1, 1], [0, 1])


# --- validation ------------------------------------------------------------------------------------------

ONE_DISTRIBUTION = [entropy]
TWO_DISTRIBUTIONS = [cross_entropy, kl_divergence, js_divergence]
WITH_BASE = [
    lambda base: self_information([0.5, 0.25], base=base),
    lambda base: entropy([0.5, 0.5], base=base),
    lambda base: cross_entropy([0.5, 0.5], [0.5, 0.5], base=base),
    lambda base: kl_divergence([0.5, 0.5], [0.5, 0.5], base=base),
    lambda base: js_divergence([0.5, 0.5], [0.5, 0.5], base=base),
    lambda base: joint_entropy([[0.5, 0.0], [0.0, 0.5]], base=base),
    lambda base: conditional_entropy([[0.5, 0.0], [0.0, 0.5]], base=base),
    lambda base: mutual_information([[0.5, 0.0], [0.0, 0.5]], base=base),
    lambda base: information_gain([0, 1], [0, 1], base=base),
]
WITH_BASE_IDS = [
    "self_information", "entropy", "cross_entropy", "kl_divergence", "js_divergence",
    "joint_entropy", "conditional_entropy", "mutual_information", "information_gain",
]

INVALID_ROWS = {
    "negative entry": [0.6, 0.5, -0.1],  # sums to 1 but is not a distribution
    "nan entry": [NAN, 0.5, 0.5],
    "inf entry": [INF, 0.0, 0.0],
    "sums to more than 1": [0.5, 0.6, 0.1],
    "sums to less than 1": [0.2, 0.2, 0.2],
    "sums to 1 + 1e-6": [0.5, 0.5 + 1e-6, 0.0],
}


@pytest.mark.parametrize("call", WITH_BASE, ids=WITH_BASE_IDS)
@pytest.mark.parametrize("base", [0, -2.0, 1, 1.0, 0.5, 1 - 1e-12, math.inf, NAN, True, "2"])
def test_functions_with_a_base_reject_a_base_that_is_not_above_one(call, base):
    # A base in (0, 1) is refused too: its negative log would make every measure negative.
    with pytest.raises(ValueError, match="base"):
        call(base)


def test_a_base_below_one_is_refused_rather_than_making_js_divergence_negative():
    with pytest.raises(ValueError, match="> 1"):
        js_divergence([1.0, 0.0], [0.0, 1.0], base=0.5)


@pytest.mark.parametrize("call", WITH_BASE, ids=WITH_BASE_IDS)
@pytest.mark.parametrize("base", [2, 10, 1.5, math.e, 1 + 1e-9])
def test_functions_with_a_base_accept_any_base_above_one(call, base):
    assert np.all(np.isfinite(call(base)))


@pytest.mark.parametrize("bad_row", list(INVALID_ROWS.values()), ids=list(INVALID_ROWS))
def test_entropy_rejects_an_invalid_distribution_naming_the_row(bad_row):
    batch = np.full((4, 3), 1 / 3)
    batch[3] = bad_row
    with pytest.raises(ValueError, match=names_argument_and_row("p", 3)):
        entropy(batch)


@pytest.mark.parametrize("function", TWO_DISTRIBUTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("argument", ["p", "q"])
@pytest.mark.parametrize("bad_row", list(INVALID_ROWS.values()), ids=list(INVALID_ROWS))
def test_two_distribution_functions_name_the_invalid_argument_and_row(function, argument, bad_row):
    valid = np.full((4, 3), 1 / 3)
    invalid = valid.copy()
    invalid[3] = bad_row
    arguments = {"p": valid, "q": valid, argument: invalid}
    with pytest.raises(ValueError, match=names_argument_and_row(argument, 3)):
        function(arguments["p"], arguments["q"])


@pytest.mark.parametrize("function", TWO_DISTRIBUTIONS, ids=lambda f: f.__name__)
def test_two_distribution_functions_name_the_argument_for_a_single_vector(function):
    with pytest.raises(ValueError, match=r"\bq\b"):
        function([0.5, 0.5], [0.5, 0.6])


@pytest.mark.parametrize("function", ONE_DISTRIBUTION + TWO_DISTRIBUTIONS, ids=lambda f: f.__name__)
def test_float32_distributions_are_rejected_when_off_by_more_than_float32_rounding(function):
    bad = np.array([0.5, 0.51], dtype=np.float32)  # sums to 1.01
    args = (bad,) if function is entropy else (bad, bad)
    with pytest.raises(ValueError):
        function(*args)


@pytest.mark.parametrize("function", ONE_DISTRIBUTION + TWO_DISTRIBUTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_distributions_that_sum_to_one_up_to_rounding_are_accepted(function, dtype):
    # 0.1 * 10 sums to 0.9999999999999999 in float64; a float32 cast of a 1000-point Dirichlet is off by ~1e-6
    for p in (np.full(10, 0.1, dtype=dtype), random_distributions(14, (3, 1000), dtype=dtype)):
        args = (p,) if function is entropy else (p, p)
        assert np.all(np.isfinite(function(*args)))


def test_distributions_are_not_renormalized_silently():
    with pytest.raises(ValueError):
        kl_divergence([1.0, 1.0], [1.0, 3.0])


@pytest.mark.parametrize("function", TWO_DISTRIBUTIONS, ids=lambda f: f.__name__)
def test_two_distribution_functions_reject_mismatched_lengths(function):
    with pytest.raises(ValueError):
        function([0.5, 0.5], [0.25, 0.25, 0.5])


# --- dtype -----------------------------------------------------------------------------------------------

FLOAT_CALLS = {
    "self_information": lambda p: self_information(p),
    "entropy": lambda p: entropy(p),
    "cross_entropy": lambda p: cross_entropy(p, p[::-1]),
    "kl_divergence": lambda p: kl_divergence(p, p[::-1]),
    "js_divergence": lambda p: js_divergence(p, p[::-1]),
    "joint_entropy": lambda p: joint_entropy(p.reshape(2, 2)),
    "conditional_entropy": lambda p: conditional_entropy(p.reshape(2, 2)),
    "mutual_information": lambda p: mutual_information(p.reshape(2, 2)),
}


@pytest.mark.parametrize("call", list(FLOAT_CALLS.values()), ids=list(FLOAT_CALLS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_information_functions_preserve_float_dtype(call, dtype):
    p = np.array([0.125, 0.25, 0.5, 0.125], dtype=dtype)
    assert np.asarray(call(p)).dtype == dtype


@pytest.mark.parametrize("call", list(FLOAT_CALLS.values()), ids=list(FLOAT_CALLS))
def test_information_functions_in_float32_agree_with_float64(call):
    p = np.array([0.125, 0.25, 0.5, 0.125])
    np.testing.assert_allclose(call(p.astype(np.float32)), call(p), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("call", [cross_entropy, kl_divergence, js_divergence])
def test_pair_functions_return_the_wider_float_dtype_of_p_and_q(call):
    narrow, wide = np.float32([0.5, 0.5]), np.float64([0.25, 0.75])
    assert np.asarray(call(narrow, wide)).dtype == np.float64
    assert np.asarray(call(wide, narrow)).dtype == np.float64


def test_information_functions_compute_integer_input_in_float64():
    assert np.asarray(entropy([0, 1, 0])).dtype == np.float64
    assert np.asarray(kl_divergence([1, 0], [1, 0])).dtype == np.float64


# --- float16 and unorderable labels (issue 12: M4, L6) --------------------------------------------------------


def test_entropy_accepts_a_float16_distribution_with_the_float16_tolerance():
    # float16 [.1, .2, .7] sums to 1.0002 in float64: within 16 eps(float16) sqrt(3) = 0.027, not
    # within the float32 tolerance 3.3e-6. The result is float16, computed in float64.
    p = np.float16([0.1, 0.2, 0.7])
    got = entropy(p)
    assert got.dtype == np.float16
    exact = -sum(float(v) * math.log(float(v)) for v in p)
    assert float(got) == pytest.approx(exact, rel=1e-3, abs=0)


def test_entropy_rejects_a_float16_vector_that_misses_the_float16_tolerance():
    with pytest.raises(ValueError, match="sums to"):
        entropy(np.float16([0.1, 0.2, 0.6]))


def test_kl_divergence_of_float16_distributions_is_float16():
    assert kl_divergence(np.float16([0.5, 0.5]), np.float16([0.25, 0.75])).dtype == np.float16


def test_information_gain_of_labels_that_cannot_be_ordered_raises_a_value_error():
    with pytest.raises(ValueError, match="labels must hold values of one orderable kind"):
        information_gain([None, None, 1, 1], [0, 0, 1, 1])


def test_information_gain_of_groups_that_cannot_be_ordered_raises_a_value_error():
    with pytest.raises(ValueError, match="groups must hold values of one orderable kind"):
        information_gain([0, 0, 1, 1], [None, "a", 1, 1])


def test_a_zero_result_is_positive_zero_where_the_maximum_keeps_negative_zero_on_a_tie(monkeypatch):
    # -sum(1 log 1) is -0.0; NumPy's maximum (and clip) may keep either zero on a tie of -0.0 with 0.0: its SIMD
    # kernels give +0.0, its scalar loop, which WebAssembly runs, gives -0.0, and the browser edition printed
    # "-0." for the entropy of a certain outcome. The scalar rule is emulated here on every machine.
    def first_on_ties(a, b, *args, **kwargs):
        return np.where(np.asarray(a) >= b, a, b)

    def clip_first_on_ties(a, low, high, *args, **kwargs):
        return first_on_ties(np.where(np.asarray(a) <= high, a, high), low)

    monkeypatch.setattr(np, "maximum", first_on_ties)
    monkeypatch.setattr(np, "clip", clip_first_on_ties)
    assert first_on_ties(-0.0, 0.0) == 0 and math.copysign(1, first_on_ties(-0.0, 0.0)) == -1
    one_hot, joint = [1.0, 0.0, 0.0], [[1.0, 0.0], [0.0, 0.0]]
    zeros = {
        "entropy": entropy(one_hot),
        "kl_divergence": kl_divergence(one_hot, one_hot),
        "js_divergence": js_divergence(one_hot, one_hot),
        "cross_entropy": cross_entropy(one_hot, one_hot),
        "joint_entropy": joint_entropy(joint),
        "conditional_entropy": conditional_entropy(joint),
        "mutual_information": mutual_information(joint),
        "hellinger_distance": mathlib.hellinger_distance(one_hot, one_hot),
        "total_variation": mathlib.total_variation(one_hot, one_hot),
        "renyi_divergence": mathlib.renyi_divergence(one_hot, one_hot, 2.0),
    }
    for name, value in zeros.items():
        assert value == 0 and math.copysign(1.0, value) == 1.0, (name, value)


# --- exact messages, the float range, and clipping (mutation testing) --------------------------------------

INFORMATION_BAD_CALLS = {
    "self_information of strings": (
        lambda: self_information(["a"]), TypeError, "p must hold real numbers; got an array of dtype <U1"
    ),
    "self_information above one": (
        lambda: self_information([0.5, 1.5]), ValueError, "p must be a probability in [0, 1]; got 1.5 at index (1,)"
    ),
    "labels not 1-D": (
        lambda: information_gain([[0, 1], [1, 0]], [0, 1, 0, 1]), ValueError,
        "labels must be a 1-D array; got shape (2, 2)",
    ),
    "groups not 1-D": (lambda: information_gain([0, 1], 0), ValueError, "groups must be a 1-D array; got shape ()"),
    "labels empty": (lambda: information_gain([], [0]), ValueError, "labels is empty"),
    "groups empty": (lambda: information_gain([0], []), ValueError, "groups is empty"),
    "lengths differ": (
        lambda: information_gain([0, 1, 1], [0, 1]),
        ValueError,
        "labels and groups must have the same length; got 3 and 2",
    ),
}


@pytest.mark.parametrize("call, error, message", list(INFORMATION_BAD_CALLS.values()), ids=list(INFORMATION_BAD_CALLS))
def test_information_functions_reject_bad_arguments_with_the_exact_message(call, error, message):
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        call()


def test_conditional_entropy_of_a_negligible_entry_is_its_tiny_positive_term():
    # 1e-300 + 1 = 1 in float64: p(x) = 1, and H(Y | X) = -1e-300 log(1e-300) - 1 log 1 = 1e-300 * 300 log 10
    assert conditional_entropy([[1e-300, 1.0]]) == pytest.approx(1e-300 * 300 * math.log(10.0), rel=1e-13, abs=0)


@pytest.mark.parametrize("exponent", [160, 200, 300])
def test_mutual_information_is_accurate_where_the_product_of_the_marginals_underflows(exponent):
    # pxy = diag(a, 1) with a = 10^-exponent: p(x) = p(y) = (a, 1), so I = a log(a / a^2) + 1 log(1 / 1) = a log(1 / a).
    # a^2 is subnormal (a = 1e-160) or 0 (a = 1e-200, 1e-300): it must not make the term inexact or infinite.
    a = 10.0**-exponent
    expected = a * exponent * math.log(10.0)
    assert mutual_information([[a, 0.0], [0.0, 1.0]]) == pytest.approx(expected, rel=1e-13, abs=0)
    assert mutual_information([[0.0, a], [1.0, 0.0]], base=2) == pytest.approx(expected / LOG2, rel=1e-13, abs=0)


def test_js_divergence_of_disjoint_supports_is_clipped_to_exactly_log_two():
    # entries 1 + 8 eps (within the sum tolerance) would give (1 + 8 eps) log 2 unclipped
    p = np.array([1.0 + 8 * np.finfo(np.float64).eps, 0.0])
    assert js_divergence(p, p[::-1]) == math.log(2.0)
    assert js_divergence(p, p[::-1], base=2) == 1.0


def test_information_gain_of_a_perfect_split_never_exceeds_the_entropy_of_the_labels():
    # groups = labels: the gain is H(labels) exactly in exact arithmetic; its rounding (about one case in ten
    # comes out an ulp above) is clipped to the bound of the docstring, "at most H(labels)".
    rng = np.random.default_rng(20)
    for _ in range(40):
        labels = rng.integers(0, int(rng.integers(2, 6)), size=int(rng.integers(2, 40)))
        frequencies = np.bincount(labels)[np.bincount(labels) > 0] / labels.size
        assert information_gain(labels, labels) <= entropy(frequencies)


def test_kl_divergence_is_finite_where_a_ratio_passes_the_float_range():
    # q_1 = 2^-1074: p_1 / q_1 = 2^1073 overflows, its log does not. KL = 1/2 log(1/2) + 1/2 log(2^1073) = 536 log 2
    assert kl_divergence([0.5, 0.5], [1.0, 5e-324]) == pytest.approx(536 * LOG2, rel=1e-14, abs=0)
    assert kl_divergence([[0.5, 0.5]] * 3, [[1.0, 5e-324]] * 3) == pytest.approx([536 * LOG2] * 3, rel=1e-14, abs=0)


def test_kl_divergence_of_tiny_entries_far_apart_keeps_full_relative_precision():
    # p = (a, x, 0, 1), q = (b, x + a - b - c, c, 1): all exact (multiples of 2^-1000 below 2^-989), so sum p = sum q
    # and KL = a log(a / b) + x log(x / (x + a - b - c)) ~ 2.8e-300. The entry a / b = 3/40 is far from 1; its log
    # must be the log of the ratio, not log a - log b, two logs near -690 whose rounding (1e-13 each) is 1e-14 of
    # the KL. Only the entry p = 0 < q (log ratio -inf) needs the fallback for extreme ratios, and does not take it.
    a, b, c, x = 3 * 2.0**-1000, 40 * 2.0**-1000, 2.0**-1000, 2.0**-990
    p, q = [a, x, 0.0, 1.0], [b, x + a - b - c, c, 1.0]
    assert ulp_error(kl_divergence(p, q), mp_kl_divergence(p, q), np.float64) <= 2


def test_conditional_entropy_at_a_ratio_of_exactly_the_smallest_normal_float():
    # b = 2^-1023 and p(x_0) = 1/2 + b = 1/2: b / p(x_0) = 2^-1022, the smallest normal float, exactly. Its log,
    # -1022 log 2, is then taken directly (log b - log(1/2) rounds to an ulp below). H(Y | X) = b 1022 log 2, where
    # the product with the power of two b is exact.
    b = 2.0**-1023
    with mpmath.workprec(300):
        expected = float(1022 * mpmath.log(2)) * b
    assert conditional_entropy([[0.5, b], [0.5, 0.0]]) == expected
