"""Rasa's LogisticRegressionClassifier with its weights laid out for one message at a time.

scikit-learn scores a message as ``X @ coef_.T``. ``coef_`` is stored row-major (intents × features), so its
transpose is column-major, and scipy copies the whole matrix into row-major order before multiplying a sparse row
by it: for our vocabulary that copy was ~1 ms per message, about 10 % of Rasa's CPU under load
(bench/results/levers.md). Keeping ``coef_`` column-major makes the transpose row-major, and the product is a
few microseconds. The numbers, the model file and the training are Rasa's own.
"""

from __future__ import annotations

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import (
    LogisticRegressionClassifier as RasaLogisticRegressionClassifier,
)
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix

from rasa_plugins.features import feature_matrix


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LogisticRegressionClassifier(RasaLogisticRegressionClassifier):
    """``name: rasa_plugins.intent_classifier.LogisticRegressionClassifier`` in config.yml, same settings."""

    def process(self, messages: list[Message]) -> list[Message]:
        coef = getattr(self.clf, "coef_", None)
        if coef is not None and not coef.flags.f_contiguous:  # once after training or loading
            self.clf.coef_ = np.asfortranarray(coef)
        return super().process(messages)

    def _create_X(self, messages: list[Message]) -> csr_matrix:
        """Rasa's feature matrix, built once per message for this classifier and the side classifier."""
        return feature_matrix(messages)
