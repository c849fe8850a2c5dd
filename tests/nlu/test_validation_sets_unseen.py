"""The validation sets stay validation sets: no question of the real development set (../shared/eval/real_dev.yaml)
or of the robustness rewordings (bench/robustness.yaml), nor a near copy of one, is in the training data.

Near copy: character-3-gram Jaccard similarity of at least 0.6 (punctuation, spaces and annotations removed).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.review.similarity import NEAR, grams, jaccard
from bot.settings import PROJECT_ROOT
from tests.nlu.test_nlu_data import examples, plain

DEV_SET = PROJECT_ROOT.parent / "shared" / "eval" / "real_dev.yaml"
ROBUSTNESS = PROJECT_ROOT / "bench" / "robustness.yaml"


def near_copies(questions: list[str]) -> list[tuple[str, str, float]]:
    training = [(plain(e), grams(plain(e))) for values in examples("data/nlu").values() for e in values]
    found = []
    for question in questions:
        wanted = grams(question)
        for text, had in training:
            similarity = jaccard(wanted, had)
            if similarity >= NEAR:
                found.append((question, text, round(similarity, 2)))
    return found


def questions_of(path: Path) -> list[str]:
    return [str(item["question"]) for item in yaml.safe_load(path.read_text(encoding="utf-8"))]


def test_jaccard_finds_a_near_copy() -> None:
    """The measure itself: a copy with one character changed is near, a different question is not."""
    assert jaccard(grams("举报卖高仿包有奖励吗"), grams("举报卖高仿包有奖励吗？")) == 1.0
    assert (
        jaccard(
            grams("有人在淘宝上卖盗版书，希望大家都不要上当受骗"), grams("有人在淘宝上卖盗版书，希望各位都不要上当受骗")
        )
        >= NEAR
    )
    assert jaccard(grams("有没有知识产权保险"), grams("商标被驳回了怎么复审")) < 0.1


@pytest.mark.skipif(not DEV_SET.is_file(), reason="the development set lives beside the clone (../shared/eval)")
def test_no_development_question_is_in_the_training_data() -> None:
    assert near_copies(questions_of(DEV_SET)) == []


def test_no_robustness_rewording_is_in_the_training_data() -> None:
    assert near_copies(questions_of(ROBUSTNESS)) == []
