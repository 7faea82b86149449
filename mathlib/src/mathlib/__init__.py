"""mathlib: exact, validated NumPy ground truth for information theory, divergences and likelihood losses.

Every public function is importable from the top level and from its submodule:
``mathlib.special``, ``mathlib.information``, ``mathlib.divergences``,
``mathlib.losses`` and ``mathlib.estimators``.
"""

from . import divergences, estimators, information, losses, special
from .divergences import chi2_divergence, f_divergence, hellinger_distance, renyi_divergence, total_variation
from .estimators import (
    empirical_distribution,
    mle_bernoulli,
    mle_categorical,
    mle_exponential,
    mle_gaussian,
    mle_poisson,
)
from .information import (
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
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy_loss,
    gaussian_nll_loss,
    l1_loss,
    mse_loss,
    nll_loss,
    poisson_nll_loss,
)
from .special import log_sigmoid, log_softmax, logsumexp, sigmoid, softmax, softplus

__version__ = "0.1.0"

__all__ = [
    *special.__all__,
    *information.__all__,
    *divergences.__all__,
    *losses.__all__,
    *estimators.__all__,
]
