"""Every statement the assistant makes about what the plans contain, computed at word level over every plan.

"收录的5个地区的方案都写到了调解", "只有西藏、贵州的方案写到了知识产权质押融资", "云南省的方案没有写到知识产权质押融资"
are only ever made here, from ``SentenceIndex.plans_writing`` — the same word-level test the ranking uses.
``tests/answers/test_claims.py`` makes each statement for every subject and checks it against a plain scan of
every sentence of every plan.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.answers.wording import Wording
from bot.kb.query import KnowledgeBase
from bot.kb.subjects import Subject
from bot.kb.views import DocumentView


@dataclass(frozen=True)
class Claim:
    kind: str  # all: every plan writes it; some: these plans (and no other) write it; missing: this plan does not
    subject: Subject
    plans: tuple[DocumentView, ...]  # the plans that write it (all, some); the plan that does not (missing)

    def text(self, wording: Wording) -> str:
        regions = "、".join(d.region for d in self.plans)
        if self.kind == "all":
            return wording.text("utter_claim_all", count=len(self.plans), subject=self.subject.name)
        if self.kind == "some":
            return wording.text("utter_claim_some", regions=regions, subject=self.subject.name)
        return wording.text("utter_claim_missing", region=regions, subject=self.subject.name)

    def brief(self, wording: Wording) -> str:
        """The same statement inside a list: "调解（5个地区的方案都写到）"."""
        if self.kind == "all":
            return wording.text("utter_claim_all_brief", count=len(self.plans), subject=self.subject.name)
        if self.kind == "some":
            regions = "、".join(d.region for d in self.plans)
            return wording.text("utter_claim_some_brief", regions=regions, subject=self.subject.name)
        return self.text(wording)


def writing(kb: KnowledgeBase, subject: Subject) -> tuple[DocumentView, ...]:
    """The plans with a sentence holding one of the subject's plan words, in the knowledge base's order."""
    slugs = kb.sentences.plans_writing(subject.plan_words)
    return tuple(d for d in kb.documents if d.slug in slugs)


def coverage(kb: KnowledgeBase, subject: Subject) -> Claim | None:
    """Which plans write about the subject: all of them, or only some (None when none does)."""
    plans = writing(kb, subject)
    if not plans:
        return None
    return Claim("all" if len(plans) == len(kb.documents) else "some", subject, plans)


def missing(kb: KnowledgeBase, subject: Subject, document: DocumentView) -> Claim | None:
    """That a plan does not write about the subject — None when it does."""
    if document in writing(kb, subject):
        return None
    return Claim("missing", subject, (document,))
