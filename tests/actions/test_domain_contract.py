"""The domain and the actions agree: every response an action renders exists, with the variables it fills."""

from __future__ import annotations

import re
from typing import Any

from bot.answers.wording import names_in_code
from bot.settings import PROJECT_ROOT

ACTIONS = PROJECT_ROOT / "actions"


def test_every_response_an_action_renders_is_in_the_domain(domain: dict[str, Any]) -> None:
    used = names_in_code(PROJECT_ROOT)
    assert used and used <= set(domain["responses"])


def test_every_domain_response_is_used_by_a_rule_or_an_action(domain: dict[str, Any]) -> None:
    used = names_in_code(PROJECT_ROOT)
    rules = (PROJECT_ROOT / "data" / "rules.yml").read_text(encoding="utf-8")
    unused = [name for name in domain["responses"] if name not in used and name not in rules]
    assert unused == []


def test_every_custom_action_is_declared(domain: dict[str, Any]) -> None:
    code = "\n".join(p.read_text(encoding="utf-8") for p in ACTIONS.glob("*.py"))
    declared = set(re.findall(r'return "(action_\w+)"', code))
    assert declared == set(domain["actions"])


def test_replies_are_plain_text(domain: dict[str, Any]) -> None:
    for name, variants in domain["responses"].items():
        for variant in variants:
            assert not re.search(r"<[a-zA-Z/]|\*\*|\]\(", variant["text"]), name
