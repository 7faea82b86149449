"""The public surface of mathlib: every contract function exists, is documented, annotated, quiet, and its
docstring Examples run as doctests (standard doctest semantics, no option flags)."""

from __future__ import annotations

import doctest
import importlib
import inspect
import io
import pkgutil
import re

import numpy as np
import pytest

import mathlib

pytestmark = pytest.mark.filterwarnings("error")

# The contract (shared/mathlib-api.md), module by module.
CONTRACT = {
    "special": ["logsumexp", "softmax", "log_softmax", "sigmoid", "log_sigmoid", "softplus"],
    "information": [
        "self_information", "entropy", "cross_entropy", "kl_divergence", "js_divergence",
        "joint_entropy", "conditional_entropy", "mutual_information", "information_gain",
    ],
    "divergences": ["f_divergence", "total_variation", "hellinger_distance", "chi2_divergence", "renyi_divergence"],
    "losses": [
        "nll_loss", "cross_entropy_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
        "mse_loss", "l1_loss", "gaussian_nll_loss", "poisson_nll_loss",
    ],
    "estimators": ["mle_bernoulli", "mle_categorical", "mle_gaussian", "mle_poisson", "mle_exponential", "empirical_distribution"],
}
FUNCTIONS = [(module, name) for module, names in CONTRACT.items() for name in names]
FUNCTION_IDS = [f"{module}.{name}" for module, name in FUNCTIONS]
SECTIONS = ["Parameters", "Returns", "Raises", "Notes", "Examples"]


def contract_function(module: str, name: str):
    return getattr(importlib.import_module(f"mathlib.{module}"), name)


def all_mathlib_modules() -> list[str]:
    return sorted(f"mathlib.{info.name}" for info in pkgutil.iter_modules(mathlib.__path__))


# --- doctests ---------------------------------------------------------------------------------------------


def run_doctests(target, name: str, module, recurse: bool):
    """Run the docstring examples of ``target`` as ``doctest.testmod`` would; return (attempted, failed, log)."""
    tests = doctest.DocTestFinder(recurse=recurse).find(target, name, module=module, globs=vars(module).copy())
    log = io.StringIO()
    runner = doctest.DocTestRunner(verbose=False, optionflags=0)
    for test in tests:
        runner.run(test, out=log.write)
    result = runner.summarize(verbose=False)
    return result.attempted, result.failed, log.getvalue()


@pytest.mark.parametrize("module, name", FUNCTIONS, ids=FUNCTION_IDS)
def test_docstring_examples_of_each_public_function_run_as_doctests(module, name):
    module_object = importlib.import_module(f"mathlib.{module}")
    attempted, failed, log = run_doctests(getattr(module_object, name), f"mathlib.{module}.{name}", module_object, recurse=False)
    assert attempted > 0, f"mathlib.{module}.{name} has no docstring examples"
    assert failed == 0, log


@pytest.mark.parametrize("module_name", all_mathlib_modules())
def test_every_mathlib_module_passes_its_doctests(module_name):
    module = importlib.import_module(module_name)
    attempted, failed, log = run_doctests(module, module_name, module, recurse=True)
    assert failed == 0, log
    if module_name.rsplit(".", 1)[-1] in CONTRACT:
        assert attempted > 0, f"{module_name} has no doctest examples"


# --- documentation and annotations ------------------------------------------------------------------------


@pytest.mark.parametrize("module, name", FUNCTIONS, ids=FUNCTION_IDS)
@pytest.mark.parametrize("section", SECTIONS)
def test_public_functions_have_numpy_style_docstring_sections(module, name, section):
    docstring = inspect.getdoc(contract_function(module, name)) or ""
    assert re.search(rf"^{section}\n-{{{len(section)}}}", docstring, flags=re.MULTILINE), f"no {section} section"


@pytest.mark.parametrize("module, name", FUNCTIONS, ids=FUNCTION_IDS)
def test_public_functions_have_type_hints(module, name):
    signature = inspect.signature(contract_function(module, name))
    unannotated = [p.name for p in signature.parameters.values() if p.annotation is inspect.Parameter.empty]
    assert not unannotated, f"parameters without type hints: {unannotated}"
    assert signature.return_annotation is not inspect.Signature.empty


@pytest.mark.parametrize("module, name", FUNCTIONS, ids=FUNCTION_IDS)
def test_public_functions_are_importable_from_the_top_level(module, name):
    assert getattr(mathlib, name) is contract_function(module, name)


# --- quiet: no output ---------------------------------------------------------------------------------------

P, Q = np.array([0.125, 0.25, 0.5, 0.125]), np.array([0.25, 0.25, 0.25, 0.25])
TABLE = np.array([[0.5, 0.25], [0.0, 0.25]])
LOGITS = np.array([[0.5, -1.0, 2.0], [0.0, 1.5, -0.5]])
VALID_CALLS = {
    "logsumexp": lambda m: m.logsumexp(LOGITS),
    "softmax": lambda m: m.softmax(LOGITS),
    "log_softmax": lambda m: m.log_softmax(LOGITS),
    "sigmoid": lambda m: m.sigmoid(LOGITS),
    "log_sigmoid": lambda m: m.log_sigmoid(LOGITS),
    "softplus": lambda m: m.softplus(LOGITS),
    "self_information": lambda m: m.self_information(P),
    "entropy": lambda m: m.entropy(P),
    "cross_entropy": lambda m: m.cross_entropy(P, Q),
    "kl_divergence": lambda m: m.kl_divergence(P, Q),
    "js_divergence": lambda m: m.js_divergence(P, Q),
    "joint_entropy": lambda m: m.joint_entropy(TABLE),
    "conditional_entropy": lambda m: m.conditional_entropy(TABLE),
    "mutual_information": lambda m: m.mutual_information(TABLE),
    "information_gain": lambda m: m.information_gain([0, 1, 1, 0], [0, 0, 1, 1]),
    "f_divergence": lambda m: m.f_divergence(P, Q, lambda t: (t - 1) ** 2),
    "total_variation": lambda m: m.total_variation(P, Q),
    "hellinger_distance": lambda m: m.hellinger_distance(P, Q),
    "chi2_divergence": lambda m: m.chi2_divergence(P, Q),
    "renyi_divergence": lambda m: m.renyi_divergence(P, Q, 2.0),
    "nll_loss": lambda m: m.nll_loss(np.log(np.full((2, 3), 1 / 3)), [0, 2]),
    "cross_entropy_loss": lambda m: m.cross_entropy_loss(LOGITS, [0, 2], label_smoothing=0.1),
    "binary_cross_entropy": lambda m: m.binary_cross_entropy(np.full((2, 3), 0.25), np.ones((2, 3))),
    "binary_cross_entropy_with_logits": lambda m: m.binary_cross_entropy_with_logits(LOGITS, np.ones((2, 3))),
    "mse_loss": lambda m: m.mse_loss(LOGITS, np.ones((2, 3))),
    "l1_loss": lambda m: m.l1_loss(LOGITS, np.ones((2, 3))),
    "gaussian_nll_loss": lambda m: m.gaussian_nll_loss(LOGITS, np.ones((2, 3)), np.ones((2, 3)), full=True),
    "poisson_nll_loss": lambda m: m.poisson_nll_loss(LOGITS, np.full((2, 3), 3.0), full=True),
    "mle_bernoulli": lambda m: m.mle_bernoulli([0, 1, 1]),
    "mle_categorical": lambda m: m.mle_categorical([0, 1, 1], num_classes=3),
    "mle_gaussian": lambda m: m.mle_gaussian([0.5, 1.5, 2.0]),
    "mle_poisson": lambda m: m.mle_poisson([0, 1, 4]),
    "mle_exponential": lambda m: m.mle_exponential([0.5, 1.5, 2.0]),
    "empirical_distribution": lambda m: m.empirical_distribution([2, 1, 2]),
}


def test_valid_calls_cover_every_contract_function():
    assert set(VALID_CALLS) == {name for _, name in FUNCTIONS}


@pytest.mark.parametrize("name", list(VALID_CALLS))
def test_public_functions_print_nothing_on_valid_input(name, capsys):
    VALID_CALLS[name](mathlib)  # a warning here is an error (module pytestmark)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
