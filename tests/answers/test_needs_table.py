"""The need table (data/needs.yml) agrees with the domain, the subject registry and the plans.

The measures it points to (need × side → subjects) are checked against the plans: for every need, side and plan,
the clause a limit would quote holds the measure's words, and an accused party is never pointed to 投诉举报.
"""

from __future__ import annotations

import pytest
import yaml

from bot.answers.limits import limit_answer
from bot.answers.needs import SIDES, Need
from bot.answers.wording import Wording
from bot.kb.query import KnowledgeBase
from bot.settings import PROJECT_ROOT


def test_every_need_is_an_intent_of_the_domain_and_nothing_else_is_one(needs: dict[str, Need]) -> None:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    conversational = {
        "greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "what_can_you_do", "inform", "list_regions",
        "compare_regions", "agency_duties", "ask_deadline", "show_clause", "human_handoff", "feedback_good",
        "feedback_bad", "out_of_scope", "ask_hotline", "ask_service_hours", "ask_response_time",
    }  # fmt: skip
    assert set(domain["intents"]) == set(needs) | conversational


def test_served_and_unserved_needs(needs: dict[str, Need]) -> None:
    served = {n.id for n in needs.values() if n.served}
    assert served == {
        "report_infringement", "find_agency", "seek_support", "resolve_dispute", "respond_accusation", "ask_policy"
    }  # fmt: skip
    assert all(n.limit for n in needs.values() if not n.served)
    assert needs["respond_accusation"].limit == "accused"  # without a specific clause, the honest line


def test_every_subject_the_table_names_is_in_the_registry(kb: KnowledgeBase, needs: dict[str, Need]) -> None:
    named = {
        s
        for n in needs.values()
        for s in (*n.channels, *n.prefer, *n.avoid, *(m for ms in (*n.nearest.values(), *n.pairs.values()) for m in ms))
    }
    assert named <= set(kb.subjects)
    assert all(set(n.pairs) <= set(n.channels) for n in needs.values())
    assert all(needs[n.accused_as].served for n in needs.values() if n.accused_as)
    # a procedure served as a measure needs a served need that names the measures it serves
    assert all(needs[n.measure_as].served and needs[n.measure_as].prefer for n in needs.values() if n.measure_as)


@pytest.mark.parametrize("side", SIDES)
def test_each_measure_pointed_to_is_quoted_from_a_clause_that_holds_it(
    kb: KnowledgeBase, needs: dict[str, Need], side: str
) -> None:
    wording = Wording.load(PROJECT_ROOT / "domain.yml")
    for need in (n for n in needs.values() if n.nearest_for(side)):
        measures = [kb.subjects[m] for m in need.nearest_for(side)]
        for document in kb.documents:
            reply = limit_answer(kb, wording, need, side, kb.scope(document.region))
            assert reply.kind == "limit" and all(c.item.document.slug == document.slug for c in reply.cited)
            for cited in reply.cited:
                words = set(kb.sentences.words("".join(cited.sentences)))
                assert any(m.plan_words & words for m in measures), (need.id, side, cited.item.ref)
            if side == "accused":
                quoted = "".join(s for c in reply.cited for s in c.sentences)
                assert "举报" not in quoted and "打击" not in quoted, (need.id, cited.item.ref)
