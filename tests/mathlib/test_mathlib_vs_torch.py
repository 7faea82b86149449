"""torch as an oracle: mathlib.special and mathlib.losses against torch / torch.nn.functional on random inputs.

torch is optional for a reader: this module is skipped with a reason when it is absent (CI installs the CPU
build). Cases where torch is documented to differ (it clamps, approximates, or returns NaN for a defined
value) are tested against hand-derived values in test_mathlib_losses.py instead.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special

torch = pytest.importorskip("torch", reason="torch is an optional oracle; install the CPU build to run these tests")
F = torch.nn.functional

from mathlib import (  # noqa: E402  (after the importorskip on purpose)
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy_loss,
    gaussian_nll_loss,
    l1_loss,
    log_sigmoid,
    log_softmax,
    logsumexp,
    mse_loss,
    nll_loss,
    poisson_nll_loss,
    sigmoid,
    softmax,
    softplus,
)

REDUCTIONS = ["none", "mean", "sum"]
RTOL = {np.float64: 1e-12, np.float32: 2e-5}


def as_torch(array):
    return None if array is None else torch.from_numpy(np.ascontiguousarray(array))


def from_torch(tensor) -> np.ndarray:
    return tensor.detach().numpy()


def assert_matches_torch(got, expected, dtype=np.float64, atol=0.0):
    assert np.asarray(got).dtype == dtype
    np.testing.assert_allclose(got, from_torch(expected), rtol=RTOL[dtype], atol=atol, equal_nan=True)


def rng_for(*seed):
    return np.random.default_rng(list(seed))


def random_classification(seed, batch=16, classes=5, dtype=np.float64, scale=3.0):
    rng = rng_for(seed)
    logits = (scale * rng.standard_normal((batch, classes))).astype(dtype)
    target = rng.integers(0, classes, size=batch)
    weight = rng.uniform(0.1, 2.0, size=classes).astype(dtype)
    return logits, target, weight


# --- special ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("scale", [1.0, 50.0, 1e4])
def test_softmax_family_matches_torch(dtype, scale):
    x = (scale * rng_for(1).standard_normal((8, 13))).astype(dtype)
    tx = as_torch(x)
    assert_matches_torch(logsumexp(x), torch.logsumexp(tx, dim=-1), dtype, atol=1e-6 if dtype == np.float32 else 1e-14)
    assert_matches_torch(softmax(x), torch.softmax(tx, dim=-1), dtype, atol=1e-30)
    assert_matches_torch(log_softmax(x), torch.log_softmax(tx, dim=-1), dtype, atol=1e-6 if dtype == np.float32 else 1e-14)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_family_matches_torch(dtype):
    # torch's softplus returns x itself above `threshold`; a threshold of 1000 makes it evaluate
    # log1p(exp(x)) on the whole range [-700, 700] used here
    x = np.concatenate([np.linspace(-700, 700, 1401), np.linspace(-20, 20, 801)]).astype(dtype)
    if dtype == np.float32:
        x = x[np.abs(x) < 80]  # exp(x) stays finite in float32
    tx = as_torch(x)
    assert_matches_torch(sigmoid(x), torch.sigmoid(tx), dtype, atol=1e-300)
    assert_matches_torch(log_sigmoid(x), F.logsigmoid(tx), dtype, atol=1e-300)
    assert_matches_torch(softplus(x), F.softplus(tx, beta=1.0, threshold=1000.0), dtype, atol=1e-300)


# --- nll_loss and cross_entropy_loss with index targets --------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_nll_loss_matches_torch(reduction, weighted, dtype):
    logits, target, weight = random_classification(2, dtype=dtype)
    log_probs = from_torch(torch.log_softmax(as_torch(logits), -1))
    weight = weight if weighted else None
    got = nll_loss(log_probs, target, weight=weight, reduction=reduction)
    expected = F.nll_loss(as_torch(log_probs), as_torch(target), weight=as_torch(weight), reduction=reduction)
    assert_matches_torch(got, expected, dtype)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("ignore_index", [-100, 1])
def test_nll_loss_with_ignored_targets_matches_torch(reduction, weighted, ignore_index):
    logits, target, weight = random_classification(3)
    target[::3] = ignore_index
    log_probs = from_torch(torch.log_softmax(as_torch(logits), -1))
    weight = weight if weighted else None
    got = nll_loss(log_probs, target, weight=weight, ignore_index=ignore_index, reduction=reduction)
    expected = F.nll_loss(as_torch(log_probs), as_torch(target), weight=as_torch(weight), ignore_index=ignore_index, reduction=reduction)
    assert_matches_torch(got, expected)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_nll_loss_with_every_target_ignored_matches_torch(reduction, weighted):
    logits, target, weight = random_classification(4, batch=4)
    log_probs = from_torch(torch.log_softmax(as_torch(logits), -1))
    target[:] = -100
    weight = weight if weighted else None
    got = nll_loss(log_probs, target, weight=weight, reduction=reduction)
    expected = F.nll_loss(as_torch(log_probs), as_torch(target), weight=as_torch(weight), reduction=reduction)
    assert_matches_torch(got, expected)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_nll_loss_of_an_unbatched_input_matches_torch(reduction, weighted):
    logits, target, weight = random_classification(5, batch=1)
    log_probs = from_torch(torch.log_softmax(as_torch(logits[0]), -1))
    weight = weight if weighted else None
    got = nll_loss(log_probs, target[0], weight=weight, reduction=reduction)
    expected = F.nll_loss(as_torch(log_probs), torch.tensor(target[0]), weight=as_torch(weight), reduction=reduction)
    assert np.shape(got) == tuple(expected.shape)
    assert_matches_torch(got, expected)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1, 0.5, 1.0])
@pytest.mark.parametrize("with_ignored", [False, True], ids=["all_counted", "some_ignored"])
def test_cross_entropy_loss_with_index_targets_matches_torch(reduction, weighted, label_smoothing, with_ignored):
    logits, target, weight = random_classification(6)
    if with_ignored:
        target[1::4] = -100
    weight = weight if weighted else None
    got = cross_entropy_loss(logits, target, weight=weight, reduction=reduction, label_smoothing=label_smoothing)
    expected = F.cross_entropy(
        as_torch(logits), as_torch(target), weight=as_torch(weight), reduction=reduction, label_smoothing=label_smoothing
    )
    assert_matches_torch(got, expected)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
def test_cross_entropy_loss_with_a_custom_ignore_index_matches_torch(reduction, label_smoothing):
    logits, target, weight = random_classification(7)
    got = cross_entropy_loss(logits, target, weight=weight, ignore_index=2, reduction=reduction, label_smoothing=label_smoothing)
    expected = F.cross_entropy(
        as_torch(logits), as_torch(target), weight=as_torch(weight), ignore_index=2, reduction=reduction, label_smoothing=label_smoothing
    )
    assert_matches_torch(got, expected)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
def test_cross_entropy_loss_with_every_target_ignored_matches_torch(reduction, label_smoothing):
    logits, target, weight = random_classification(8, batch=3)
    target[:] = -100
    got = cross_entropy_loss(logits, target, reduction=reduction, label_smoothing=label_smoothing)
    expected = F.cross_entropy(as_torch(logits), as_torch(target), reduction=reduction, label_smoothing=label_smoothing)
    assert_matches_torch(got, expected)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.25])
def test_cross_entropy_loss_of_an_unbatched_input_matches_torch(reduction, weighted, label_smoothing):
    logits, target, weight = random_classification(9, batch=1)
    weight = weight if weighted else None
    got = cross_entropy_loss(logits[0], target[0], weight=weight, reduction=reduction, label_smoothing=label_smoothing)
    expected = F.cross_entropy(
        as_torch(logits[0]), torch.tensor(target[0]), weight=as_torch(weight), reduction=reduction, label_smoothing=label_smoothing
    )
    assert np.shape(got) == tuple(expected.shape)
    assert_matches_torch(got, expected)


@pytest.mark.parametrize("scale", [1e2, 1e4])
def test_cross_entropy_loss_on_extreme_logits_matches_torch(scale):
    logits, target, weight = random_classification(10, scale=scale)
    got = cross_entropy_loss(logits, target, weight=weight, reduction="none", label_smoothing=0.1)
    expected = F.cross_entropy(as_torch(logits), as_torch(target), weight=as_torch(weight), reduction="none", label_smoothing=0.1)
    assert_matches_torch(got, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_loss_in_float32_matches_torch_in_float32(dtype):
    logits, target, weight = random_classification(11, batch=64, classes=100, dtype=dtype)
    got = cross_entropy_loss(logits, target, weight=weight, label_smoothing=0.1)
    expected = F.cross_entropy(as_torch(logits), as_torch(target), weight=as_torch(weight), label_smoothing=0.1)
    assert_matches_torch(got, expected, dtype)


# --- cross_entropy_loss with probability targets ---------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1, 1.0])
def test_cross_entropy_loss_with_probability_targets_matches_torch(reduction, weighted, label_smoothing):
    logits, _, weight = random_classification(12)
    target = rng_for(12, 1).dirichlet(np.ones(logits.shape[1]), size=logits.shape[0])
    weight = weight if weighted else None
    got = cross_entropy_loss(logits, target, weight=weight, reduction=reduction, label_smoothing=label_smoothing)
    expected = F.cross_entropy(
        as_torch(logits), as_torch(target), weight=as_torch(weight), reduction=reduction, label_smoothing=label_smoothing
    )
    assert_matches_torch(got, expected)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_loss_with_an_unbatched_probability_target_matches_torch(reduction):
    logits, _, weight = random_classification(13, batch=1)
    target = rng_for(13, 1).dirichlet(np.ones(logits.shape[1]))
    got = cross_entropy_loss(logits[0], target, weight=weight, reduction=reduction, label_smoothing=0.2)
    expected = F.cross_entropy(as_torch(logits[0]), as_torch(target), weight=as_torch(weight), reduction=reduction, label_smoothing=0.2)
    assert_matches_torch(got, expected)


# --- binary cross-entropy --------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_binary_cross_entropy_matches_torch_away_from_its_clamp(reduction, weighted):
    # torch clamps log at -100; probabilities in [1e-6, 1 - 1e-6] never reach the clamp
    rng = rng_for(14)
    probs = rng.uniform(1e-6, 1 - 1e-6, size=(8, 3))
    target = rng.uniform(0, 1, size=(8, 3))
    target[::2] = np.round(target[::2])
    weight = rng.uniform(0, 2, size=(8, 3)) if weighted else None
    got = binary_cross_entropy(probs, target, weight=weight, reduction=reduction)
    expected = F.binary_cross_entropy(as_torch(probs), as_torch(target), weight=as_torch(weight), reduction=reduction)
    assert_matches_torch(got, expected)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("scale", [1.0, 30.0, 1e4])
@pytest.mark.parametrize("pos_weighted", [False, True], ids=["no_pos_weight", "pos_weight"])
def test_binary_cross_entropy_with_logits_matches_torch_on_finite_logits(reduction, scale, pos_weighted):
    rng = rng_for(15)
    logits = scale * rng.standard_normal((10, 4))
    target = rng.uniform(0, 1, size=(10, 4))
    target[::2] = np.round(target[::2])
    weight = rng.uniform(0, 2, size=(10, 4))
    pos_weight = rng.uniform(0, 3, size=4) if pos_weighted else None
    got = binary_cross_entropy_with_logits(logits, target, weight=weight, pos_weight=pos_weight, reduction=reduction)
    expected = F.binary_cross_entropy_with_logits(
        as_torch(logits), as_torch(target), weight=as_torch(weight), pos_weight=as_torch(pos_weight), reduction=reduction
    )
    # torch evaluates log(1 + e^-|x|) as log(e^0 + e^-|x|): an absolute error of a few eps, which is all of
    # a loss as small as e^-28. Allow that absolute error; the tiny losses are checked exactly elsewhere.
    scale_of_terms = weight * (1 + np.abs(logits)) * (1 + (0 if pos_weight is None else pos_weight))
    atol = 8 * np.finfo(np.float64).eps * (scale_of_terms if reduction == "none" else scale_of_terms.sum())
    assert np.asarray(got).dtype == np.float64
    np.testing.assert_array_less(np.abs(got - from_torch(expected)), atol + 1e-12 * np.abs(from_torch(expected)))


def test_binary_cross_entropy_with_logits_matches_torch_in_float32():
    rng = rng_for(16)
    logits = (5 * rng.standard_normal((10, 4))).astype(np.float32)
    target = rng.uniform(0, 1, size=(10, 4)).astype(np.float32)
    got = binary_cross_entropy_with_logits(logits, target, reduction="none")
    assert_matches_torch(got, F.binary_cross_entropy_with_logits(as_torch(logits), as_torch(target), reduction="none"), np.float32)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_binary_cross_entropy_with_logits_over_several_blocks_matches_torch(reduction, dtype):
    # 100000 elements: four blocks of 32768 (the last one partial), shared between the worker threads; per-class
    # weight and pos_weight of shape (4,) broadcast over the batch.
    rng = rng_for(22)
    logits = (4 * rng.standard_normal((25000, 4))).astype(dtype)
    target = rng.uniform(0, 1, size=(25000, 4)).astype(dtype)
    weight = rng.uniform(0.5, 2, size=4).astype(dtype)
    pos_weight = rng.uniform(0.5, 3, size=4).astype(dtype)
    got = binary_cross_entropy_with_logits(logits, target, weight=weight, pos_weight=pos_weight, reduction=reduction)
    expected = F.binary_cross_entropy_with_logits(
        as_torch(logits), as_torch(target), weight=as_torch(weight), pos_weight=as_torch(pos_weight), reduction=reduction
    )
    # torch cancels x against softplus: an absolute error of a few eps times |x| on tiny losses
    assert_matches_torch(got, expected, dtype, atol=2e-5 if dtype == np.float32 else 1e-12)


def test_float32_binary_cross_entropy_with_logits_overflows_per_element_like_torch():
    # float32 evaluation: weight 2 times softplus(3e38) is past float32's range, so the mean is inf (as in torch).
    logits, target = np.float32([3e38, 0.0, 0.0, 0.0]), np.zeros(4, dtype=np.float32)
    weight = np.float32([2.0, 1.0, 1.0, 1.0])
    for reduction in REDUCTIONS:
        got = binary_cross_entropy_with_logits(logits, target, weight=weight, reduction=reduction)
        expected = F.binary_cross_entropy_with_logits(as_torch(logits), as_torch(target), weight=as_torch(weight),
                                                      reduction=reduction)
        assert_matches_torch(got, expected, np.float32)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_cross_entropy_loss_with_probability_targets_over_many_classes_and_blocks_matches_torch(reduction, weighted):
    # 70 classes: blocks are not transposed (more than 64 entries per row); 2000 rows are three blocks of 936.
    rng = rng_for(23)
    logits = 3 * rng.standard_normal((2000, 70))
    target = rng.dirichlet(np.ones(70), size=2000)
    weight = rng.uniform(0.1, 2.0, size=70) if weighted else None
    got = cross_entropy_loss(logits, target, weight=weight, reduction=reduction)
    expected = F.cross_entropy(as_torch(logits), as_torch(target), weight=as_torch(weight), reduction=reduction)
    assert_matches_torch(got, expected)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gaussian_nll_loss_with_one_variance_per_row_of_a_three_dimensional_input_matches_torch(reduction):
    rng = rng_for(24)
    prediction, target = rng.standard_normal((3, 4, 5)), rng.standard_normal((3, 4, 5))
    var = rng.uniform(0.1, 3.0, size=(3, 4))
    got = gaussian_nll_loss(prediction, target, var, reduction=reduction)
    expected = F.gaussian_nll_loss(as_torch(prediction), as_torch(target), as_torch(var), reduction=reduction)
    assert_matches_torch(got, expected)


# --- regression losses -----------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("ours, theirs", [(mse_loss, F.mse_loss), (l1_loss, F.l1_loss)], ids=["mse", "l1"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_regression_losses_match_torch(reduction, ours, theirs, dtype):
    rng = rng_for(17)
    prediction, target = (rng.standard_normal((6, 5)).astype(dtype) for _ in range(2))
    assert_matches_torch(ours(prediction, target, reduction=reduction), theirs(as_torch(prediction), as_torch(target), reduction=reduction), dtype)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("var_shape", [(6, 5), (6,), (6, 1)], ids=["per_element", "per_sample", "per_sample_keepdim"])
def test_gaussian_nll_loss_matches_torch(reduction, full, var_shape):
    rng = rng_for(18)
    prediction, target = rng.standard_normal((6, 5)), rng.standard_normal((6, 5))
    var = rng.uniform(0.1, 3.0, size=var_shape)
    got = gaussian_nll_loss(prediction, target, var, full=full, reduction=reduction)
    expected = F.gaussian_nll_loss(as_torch(prediction), as_torch(target), as_torch(var), full=full, reduction=reduction)
    assert_matches_torch(got, expected)


@pytest.mark.parametrize("eps", [1e-6, 1e-2])
def test_gaussian_nll_loss_clamps_small_variances_like_torch(eps):
    rng = rng_for(19)
    prediction, target = rng.standard_normal(20), rng.standard_normal(20)
    var = np.concatenate([np.zeros(5), np.full(5, 1e-9), rng.uniform(0, 0.05, size=10)])
    got = gaussian_nll_loss(prediction, target, var, eps=eps, reduction="none")
    expected = F.gaussian_nll_loss(as_torch(prediction), as_torch(target), as_torch(var), eps=eps, reduction="none")
    assert_matches_torch(got, expected)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input", [True, False])
def test_poisson_nll_loss_matches_torch_without_the_full_term(reduction, log_input):
    rng = rng_for(20)
    rates = rng.uniform(0.0, 6.0, size=(7, 3))
    target = rng.poisson(rates).astype(np.float64)
    inputs = np.log(rates) if log_input else rates
    got = poisson_nll_loss(inputs, target, log_input=log_input, reduction=reduction)
    expected = F.poisson_nll_loss(as_torch(inputs), as_torch(target), log_input=log_input, reduction=reduction)
    assert_matches_torch(got, expected)


@pytest.mark.parametrize("eps", [1e-8, 1e-3])
def test_poisson_nll_loss_rate_input_adds_eps_inside_the_log_like_torch(eps):
    rates = np.array([0.0, 1e-9, 0.5, 2.0])
    target = np.array([0.0, 1.0, 2.0, 3.0])
    got = poisson_nll_loss(rates, target, log_input=False, eps=eps, reduction="none")
    expected = F.poisson_nll_loss(as_torch(rates), as_torch(target), log_input=False, eps=eps, reduction="none")
    assert_matches_torch(got, expected)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input", [True, False])
def test_poisson_nll_loss_full_is_torch_without_full_plus_the_exact_log_factorial(reduction, log_input):
    # Documented difference: torch's full=True adds Stirling's approximation of log(y!); mathlib adds
    # log(y!) = gammaln(y + 1) exactly.
    rng = rng_for(21)
    rates = rng.uniform(0.1, 20.0, size=(7, 3))
    target = rng.poisson(rates).astype(np.float64)
    inputs = np.log(rates) if log_input else rates
    base = F.poisson_nll_loss(as_torch(inputs), as_torch(target), log_input=log_input, full=False, reduction="none")
    per_element = from_torch(base) + scipy.special.gammaln(target + 1)
    expected = {"none": per_element, "mean": per_element.mean(), "sum": per_element.sum()}[reduction]
    got = poisson_nll_loss(inputs, target, log_input=log_input, full=True, reduction=reduction)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_poisson_nll_loss_full_differs_from_torch_by_the_error_of_stirlings_approximation():
    # For y = 2: exact log 2! = 0.693147; torch's Stirling term 2 log 2 - 2 + 1/2 log(4 pi) = 0.651806.
    # The documented difference, 0.041341, is exactly the gap between the two.
    inputs, target = np.array([0.0]), np.array([2.0])
    got = poisson_nll_loss(inputs, target, full=True, reduction="sum")
    torch_value = float(F.poisson_nll_loss(as_torch(inputs), as_torch(target), full=True, reduction="sum"))
    stirling = 2 * math.log(2) - 2 + 0.5 * math.log(4 * math.pi)
    assert got - torch_value == pytest.approx(math.log(2) - stirling, rel=1e-12)
