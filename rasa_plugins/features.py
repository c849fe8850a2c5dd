"""The feature row of a message, built once for both classifiers that read it (intent and side).

Rasa's ``LogisticRegressionClassifier._create_X`` asks the message for its combined sparse features, which combines
the *sequence* features as well (one row per token, thrown away) by deep-copying the first featurizer's matrix and
stacking the others onto it one by one, and then stacks the result with the (empty) dense features. Both of our
classifiers did that for every message: 19 % of Rasa's CPU under load (bench/results/levers.md, v6). Here the
sentence features are stacked once, in the same order (the message's feature list, as Rasa filters it), and the row
is kept for the next classifier reading the same message object. The matrix is the same, value for value
(``tests/rasa_env/plugins_check.py`` compares it with Rasa's on messages with three featurizers' sentence and
sequence features, another attribute's features, and none at all).
"""

from __future__ import annotations

import weakref
from collections import OrderedDict

from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix, hstack, vstack

_KEPT = 64  # rows kept: the messages of the parses in flight (one at a time per process, Rasa's graph is synchronous)
_ROWS: OrderedDict[int, tuple[weakref.ref[Message], csr_matrix]] = OrderedDict()


def feature_matrix(messages: list[Message]) -> csr_matrix:
    """One row per message: its sentence-level sparse features, then its sentence-level dense ones, as Rasa's
    ``_create_X`` lays them out."""
    if not messages:
        return csr_matrix((0, 0))
    return vstack([_row(message) for message in messages], format="csr")


def _row(message: Message) -> csr_matrix:
    kept = _ROWS.get(id(message))
    if kept is not None and kept[0]() is message:
        return kept[1]
    sparse = [
        f.features
        for f in message.features
        if f.attribute == TEXT and f.is_sparse() and f.type == FEATURE_TYPE_SENTENCE
    ]
    dense = message.get_dense_features(attribute=TEXT)[1]
    parts = [csr_matrix(m) for m in sparse] or [csr_matrix([])]
    parts.append(csr_matrix(dense.features if dense else []))
    row = hstack(parts, format="csr")
    _ROWS[id(message)] = (weakref.ref(message), row)
    while len(_ROWS) > _KEPT:
        _ROWS.popitem(last=False)
    return row
