"""Training data and held-out set: sizes, coverage of the domain, and that the held-out set is really held out."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import yaml

from bot.answers.needs import load_needs
from bot.settings import PROJECT_ROOT, Settings

ANNOTATION = re.compile(r"\[([^\]]+)\]\(([a-z_]+)\)")


def plain(example: str) -> str:
    return ANNOTATION.sub(r"\1", example)


@cache
def examples(folder: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(Path(PROJECT_ROOT, folder).rglob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in block:
                lines = [line.strip()[2:] for line in block["examples"].splitlines() if line.strip().startswith("- ")]
                found.setdefault(block["intent"], []).extend(lines)
    return found


def side_labels(folder: str) -> Counter[str]:
    """How many examples carry each side label (block metadata; "none" without)."""
    counts: Counter[str] = Counter()
    for path in sorted(Path(PROJECT_ROOT, folder).rglob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in block:
                side = str((block.get("metadata") or {}).get("side") or "none")
                counts[side] += sum(1 for line in block["examples"].splitlines() if line.strip().startswith("- "))
    return counts


def domain_intents() -> list[str]:
    return list(yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"])


def test_every_need_is_an_intent_with_many_varied_training_examples() -> None:
    """Needs are learned from examples: at least 100 each, of every length, both sides where a side applies."""
    training = examples("data/nlu")
    for need in load_needs(Settings().needs_file):
        assert need in domain_intents()
        found = [plain(e) for e in training[need]]
        assert len(found) >= 100, need
        lengths = sorted(len(e) for e in found)
        assert lengths[len(lengths) // 10] < 15 and lengths[-len(lengths) // 10] > 40, need  # short and long ones
    sides = side_labels("data/nlu")
    assert sides["accused"] >= 300 and sides["holder"] >= 300


def test_the_side_is_labelled_only_with_known_values() -> None:
    assert set(side_labels("data/nlu")) <= {"holder", "accused", "none"}
    assert set(side_labels("tests/nlu")) <= {"holder", "accused", "none"}


def test_every_domain_intent_has_training_and_held_out_examples() -> None:
    training, held_out = examples("data/nlu"), examples("tests/nlu")
    for intent in domain_intents():
        assert len(training.get(intent, [])) >= 20, intent
        assert len(held_out.get(intent, [])) >= 8, intent


def test_held_out_set_shares_no_example_with_training() -> None:
    training = {plain(e) for values in examples("data/nlu").values() for e in values}
    held_out = [plain(e) for values in examples("tests/nlu").values() for e in values]
    assert [e for e in held_out if e in training] == []


def test_no_example_is_labelled_with_two_intents() -> None:
    owners: dict[str, set[str]] = {}
    for intent, values in examples("data/nlu").items():
        for example in values:
            owners.setdefault(plain(example), set()).add(intent)
    assert {e: i for e, i in owners.items() if len(i) > 1} == {}


def test_annotations_use_known_entities() -> None:
    entities = set(yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))["entities"])
    used = Counter(
        m.group(2)
        for folder in ("data/nlu", "tests/nlu")
        for values in examples(folder).values()
        for e in values
        for m in ANNOTATION.finditer(e)
    )
    assert set(used) <= entities
    assert used["region"] > 100
