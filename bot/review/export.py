"""Confirmed examples → Rasa's training data: ``data/nlu/reviewed/reviewed.yml``, one block per (need, side).

``make train`` runs this first, so the model is trained on exactly the examples reviewers confirmed (and the
model's hash changes with them). With no confirmed example the file is removed: a fresh clone trains on what the
repository holds. A region the reviewer confirmed is annotated where the text names it, as the hand-written data
does. Examples that repeat a validation question (a near copy of a question of the held-out NLU set, the real
development set or the robustness rewordings) are held back: evaluation would no longer measure anything.

    python -m bot.review export      (prints how many were written and how many held back)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import Engine

from bot.kb.db import make_engine
from bot.kb.regions import Gazetteer
from bot.kb.service import open_knowledge_base
from bot.review.inbox import examples
from bot.review.similarity import NEAR, grams, jaccard
from bot.settings import PROJECT_ROOT, Settings
from bot.store.models import ReviewedExample
from bot.store.records import ensure_tables

REVIEWED_FILE = PROJECT_ROOT / "data" / "nlu" / "reviewed" / "reviewed.yml"
VALIDATION_FILES = (
    PROJECT_ROOT / "tests" / "nlu" / "test_nlu.yml",
    PROJECT_ROOT / "bench" / "robustness.yaml",
    PROJECT_ROOT.parent / "shared" / "eval" / "real_dev.yaml",
)
HEADER = (
    "# Written by `python -m bot.review export` (make train) from the examples reviewers confirmed in the console's\n"
    "# 待标注 inbox: masked real messages with their provenance in the store (day, channel). Do not edit by hand:\n"
    "# undo an example in the console and export again.\n"
)
# Rasa reads [text](entity) and {…} as annotations, and an example is one line
_MARKUP = str.maketrans({"[": "［", "]": "］", "{": "｛", "}": "｝", "\n": " ", "\r": " "})
_ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)")


@dataclass(frozen=True)
class Export:
    written: int
    held_back: int  # near copies of validation questions


def export_reviewed(settings: Settings) -> Export:
    """Write the confirmed examples of the records database ``settings`` name (``make train``, a retrain)."""
    records = make_engine(settings.database_url)
    try:
        ensure_tables(records)
        return write_reviewed(records, gazetteer=open_knowledge_base(settings).gazetteer)
    finally:
        records.dispose()


def write_reviewed(engine: Engine, path: Path = REVIEWED_FILE, gazetteer: Gazetteer | None = None) -> Export:
    """Write the confirmed examples (or remove the file when there are none)."""
    validation = [grams(q) for q in validation_questions()]
    kept, held_back = [], 0
    for example in examples(engine):
        if any(jaccard(grams(example.text), question) >= NEAR for question in validation):
            held_back += 1
        else:
            kept.append(example)
    if not kept:
        path.unlink(missing_ok=True)
        return Export(0, held_back)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(training_yaml(kept, gazetteer), encoding="utf-8")
    return Export(len(kept), held_back)


def training_yaml(found: Iterable[ReviewedExample], gazetteer: Gazetteer | None = None) -> str:
    blocks: dict[tuple[str, str | None], list[str]] = {}
    for example in found:
        line = " ".join(example.text.translate(_MARKUP).split())
        if line:
            blocks.setdefault((example.intent, example.side), []).append(_annotated(line, example.region, gazetteer))
    nlu = []
    for (intent, side), lines in blocks.items():
        block: dict[str, object] = {"intent": intent}
        if side:
            block["metadata"] = {"side": side}
        block["examples"] = "".join(f"- {line}\n" for line in dict.fromkeys(lines))
        nlu.append(block)
    return HEADER + yaml.dump({"version": "3.1", "nlu": nlu}, Dumper=_Literal, allow_unicode=True, sort_keys=False)


def _annotated(line: str, region: str | None, gazetteer: Gazetteer | None) -> str:
    """The example with the first mention of its confirmed region marked as Rasa's ``region`` entity."""
    if not region or gazetteer is None:
        return line
    for mention in gazetteer.find_all(line):
        if mention.division.name == region:
            return f"{line[: mention.start]}[{mention.surface}](region){line[mention.end :]}"
    return line


def validation_questions() -> list[str]:
    questions: list[str] = []
    for path in VALIDATION_FILES:
        if not path.is_file():
            continue
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(loaded, list):  # real_dev.yaml, robustness.yaml: [{question: …}, …]
            questions += [str(item["question"]) for item in loaded if isinstance(item, dict) and "question" in item]
        elif isinstance(loaded, dict):  # a Rasa NLU file
            for block in loaded.get("nlu") or []:
                for line in str(block.get("examples") or "").splitlines():
                    if line.strip().startswith("- "):
                        questions.append(_ANNOTATION.sub(r"\1", line.strip()[2:]))
    return questions


class _Literal(yaml.SafeDumper):
    """Examples as a literal block (``examples: |``), the way Rasa's own files write them."""


def _literal(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Literal.add_representer(str, _literal)
