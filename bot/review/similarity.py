"""Near copies: two texts that differ by a few characters are the same question for training and evaluation.

Character-3-gram Jaccard similarity with punctuation, spaces and case removed; ``NEAR`` and above is a near copy.
Used to keep the validation sets out of the training data (tests/nlu/test_validation_sets_unseen.py) and to keep
reviewed messages that repeat a validation question out of it too (``bot.review.export``).
"""

from __future__ import annotations

import re

NEAR = 0.6
NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def grams(text: str) -> frozenset[str]:
    bare = NOISE.sub("", text.lower())
    return frozenset(bare[i : i + 3] for i in range(max(1, len(bare) - 2)))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0
