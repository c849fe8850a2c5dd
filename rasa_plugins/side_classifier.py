"""Which side the asker is on — the rights holder, the accused, or not said — read by a model like the intent.

The training data labels it per block or per example with Rasa's own metadata (``metadata: {side: accused}``, see
data/nlu/served and data/nlu/unserved); an example without a label is "none". The classifier is Rasa's logistic
regression on the same sparse features the intent classifier reads, with its weights laid out for one message at
a time as in ``intent_classifier``. It adds ``side: {"name", "confidence"}`` to the parse data, which Rasa keeps in
the tracker's latest message: the action server reads it there (``actions.context.parse_of``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import METADATA, METADATA_EXAMPLE, METADATA_INTENT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix

from rasa_plugins.intent_classifier import LogisticRegressionClassifier

SIDE = "side"
NOT_SAID = "none"


def side_label(message: Message) -> str:
    """The side a training example is labelled with: its own metadata first, then its block's; "none" without."""
    metadata = message.get(METADATA) or {}
    for level in (METADATA_EXAMPLE, METADATA_INTENT):
        found = (metadata.get(level) or {}).get(SIDE) if isinstance(metadata.get(level), dict) else None
        if found:
            return str(found)
    return NOT_SAID


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SideClassifier(LogisticRegressionClassifier):
    """``name: rasa_plugins.side_classifier.SideClassifier`` in config.yml, after the intent classifier."""

    def _create_training_matrix(self, training_data: TrainingData) -> tuple[csr_matrix, list[str]]:
        examples = [e for e in training_data.intent_examples if e.get("intent") and e.get("text")]
        return self._create_X(examples), [side_label(e) for e in examples]

    def process(self, messages: list[Message]) -> list[Message]:
        coef = getattr(self.clf, "coef_", None)
        if coef is None:  # not trained (no examples): say nothing rather than guess
            return messages
        if not coef.flags.f_contiguous:
            self.clf.coef_ = np.asfortranarray(coef)
        probabilities = self.clf.predict_proba(self._create_X(messages))
        for index, message in enumerate(messages):
            best = int(np.argmax(probabilities[index]))
            side: dict[str, Any] = {
                "name": str(self.clf.classes_[best]),
                "confidence": float(probabilities[index][best]),
            }
            message.set(SIDE, side, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # the side is not an input to anything trained after it

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        pass
