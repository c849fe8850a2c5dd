"""Turn a question into a structured answer: what the plans say to *this* question, or plainly that they cannot.

Order of decisions (each one a reason the previous did not apply):
1. a region alone ("云南", "那西藏呢？") answers the question waiting for it, or the last one, for that region;
2. a question the plans cannot decide (``questions.read_question``) gets one honest line, the nearest measure the
   plans do offer, and 转人工 — never a region question first;
3. a request for help that does not say who infringed whom gets one short question with buttons;
4. otherwise the sentences of the plans are ranked against the user's own words: the region's plan when a region is
   known (saying so when that plan lacks the subject, and naming the plans that have it); the plans that have the
   subject when only some do; a region question only when most plans have it, so the answer differs by region.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping

from bot.answers.limits import accused_asks_a_measure, clarify_answer, limit_answer, not_punitive, nothing_found
from bot.answers.model import Answer, Button, Cited, Conversation, Hints
from bot.answers.needs import needs, specific_topics
from bot.answers.questions import about_ip, read_question
from bot.answers.versions import DRAFT, change_notes, in_draft, wants_draft
from bot.answers.wording import Wording
from bot.kb.changelog import version_label
from bot.kb.errors import QueryError, RegionNotCovered
from bot.kb.passages import Passage
from bot.kb.query import KnowledgeBase, RegionScope
from bot.kb.regions import RegionMention
from bot.kb.views import DocumentView

# A plan has the subject when a sentence holds its core term, or scores this share of the best sentence of all plans.
COVERS = 0.6
# Below this sum of idf over the user's own words that the best sentence holds, the plans do not speak to it.
MIN_EVIDENCE = 3.0
REGION_FILLERS = re.compile(
    r"^(那么|那|换成|换到|改成|我们|我司|本公司|我|公司|企业|在|是|位于|来自|看一下|看看|选)*"
    r"|(的|企业|公司|厂|呢|吗|啊|呀|怎么样|如何|规定|方案|这边|那边)*$"
)
MAX_CITED = 2
CORE_SHARE = 0.8  # a plan word added for the asker's need counts this much of a word they typed, as the subject
LEADERSHIP = re.compile(r"领导组|领导小组|组长|副组长|办公室设在|领导机构")


def answer(kb: KnowledgeBase, wording: Wording, text: str, hints: Hints, state: Conversation) -> Answer:
    if wants_draft(text) and state.last_question and _only_draft_words(text):
        named = user_regions(kb, state.last_question)
        return _drafted(
            kb, wording, _answer_question(kb, wording, state.last_question, hints, state, named[0] if named else None)
        )
    mentions = user_regions(kb, text)
    if mentions and _only_a_region(text, mentions):
        question = state.pending or state.last_question
        if question is None:
            return _ask_topic(kb, wording, mentions[0])
        return _answer_question(kb, wording, question, hints, state, mentions[0])
    return _answer_question(kb, wording, text, hints, state, mentions[0] if mentions else None)


def user_regions(kb: KnowledgeBase, text: str) -> list[RegionMention]:
    """Regions the asker means as theirs: not another party's place ("被宁波一家公司剽窃")."""
    mentions = kb.gazetteer.find_all(text)
    return [m for m in mentions if text[max(0, m.start - 1) : m.start] != "被"]


def _only_a_region(text: str, mentions: list[RegionMention]) -> bool:
    rest = text
    for mention in mentions:
        rest = rest.replace(mention.surface, "")
    rest = re.sub(r"[\s?？!！。.,，、和跟与]", "", rest)
    return not REGION_FILLERS.sub("", rest)


def _answer_question(
    kb: KnowledgeBase,
    wording: Wording,
    question: str,
    hints: Hints,
    state: Conversation,
    mention: RegionMention | None,
) -> Answer:
    decided = _decide(kb, wording, question, hints, state, mention)
    if decided.kind == "answer":
        decided = dataclasses.replace(decided, notes=(*decided.notes, *change_notes(kb, wording, decided.cited)))
        if wants_draft(question):
            decided = _drafted(kb, wording, decided)
    return dataclasses.replace(decided, question=question)


def _only_draft_words(text: str) -> bool:
    rest = re.sub(
        r"[\s?？!！。.,，]|里|中|的|是|怎么|如何|写|说|规定|呢|吗|那|原来|当时|看看|看一下", "", DRAFT.sub("", text)
    )
    return not rest


def _drafted(kb: KnowledgeBase, wording: Wording, decided: Answer) -> Answer:
    """The same answer quoting the plan's 征求意见稿, or a plain line that there is no other draft."""
    if decided.kind != "answer":
        return decided
    drafts = in_draft(kb, decided.cited)
    if drafts is None:
        return dataclasses.replace(decided, notes=(*decided.notes, wording.text("utter_version_no_draft")))
    label = "、".join(dict.fromkeys(version_label(c.item.document) for c in drafts))
    return dataclasses.replace(
        decided,
        verdict=wording.text("utter_version_draft", version=label),
        cited=drafts,
        notes=(),
        next_step=wording.text("utter_version_draft_next"),
    )


def _decide(
    kb: KnowledgeBase,
    wording: Wording,
    question: str,
    hints: Hints,
    state: Conversation,
    mention: RegionMention | None,
) -> Answer:
    reading = read_question(question)
    topic = hints.intent if hints.intent in kb.topics else None
    if reading.limit or (reading.accused and not accused_asks_a_measure(reading)):
        return limit_answer(kb, wording, reading, mention, state)
    if reading.vague and not specific_topics(reading, kb.topics.values()):
        return clarify_answer(wording)
    if LEADERSHIP.search(question):
        led = _leadership(kb, wording, mention, state)
        if led is not None:
            return led

    scope: RegionScope | None = None
    if mention is not None:
        try:
            scope = kb.scope_for(mention)
        except RegionNotCovered as error:
            return Answer(
                "not_covered",
                wording.text("utter_region_not_covered", region=error.region, covered=kb.covered_regions_text()),
                buttons=tuple(Button(d.region, d.region) for d in kb.documents),
                pending=question,
            )
    elif state.province:
        try:
            scope = kb.scope(state.province)
        except QueryError:
            scope = None

    keep = not_punitive if reading.accused else None
    extra = needs(reading, kb.topics.values())
    content = _without_regions(kb, question)  # the region filters; its name is not what is asked about
    try:
        ranked = kb.passages(content, None, [topic] if topic else (), keep, limit=60, extra_terms=extra)
    except QueryError as error:
        return Answer("limit", error.message)
    if not ranked or _evidence(kb, ranked[0]) < MIN_EVIDENCE or not about_ip(question, kb.topics.values()):
        return nothing_found(kb, wording, question, topic)

    query = kb.sentences.query(content, [topic] if topic else (), extra)
    core = _core_term(kb, ranked[0], query.terms, set(query.user_terms))
    subject = _subject(ranked[0], core, {k for t in kb.topics.values() for k in t.keywords})
    # The passages that speak of the subject, best first; a plan without one lacks the subject.
    # A region's own plan may say it in other words as strongly (西藏 writes 涉外 where the asker says 海外).
    best = ranked[0].score
    on_subject = [p for p in ranked if core in p.matched] or ranked[:1]
    covering = _best_per_document(on_subject)
    if scope is not None:
        in_scope = [
            p for p in ranked if p.item.document.slug in scope.slugs and (p in on_subject or p.score >= COVERS * best)
        ]
        if in_scope:
            return _answer_for_region(kb, wording, in_scope, scope, topic, subject)
        return _missing_in_region(kb, wording, scope, covering, topic, subject)
    documents = [p.item.document for p in covering]
    if len(documents) <= 2 and len(documents) < len(kb.documents):
        return _answer_some_plans(kb, wording, covering, topic, subject)
    # The question states how many plans write the subject: as joined (举报奖励) where most plans write it so,
    # else the core term every counted plan holds (投诉, where plans write 投诉举报 and 举报投诉).
    writing = {p.item.document.slug for p in ranked if subject in "".join(p.sentences)}
    shown, count = (subject, len(writing)) if len(writing) > 2 else (core, len(documents))
    return Answer(
        "ask_region",
        wording.text("utter_ask_region_for", subject=shown, count=count),
        topic=topic,
        buttons=(*(Button(d.region, d.region) for d in kb.documents), Button("转人工", "/human_handoff")),
        pending=question,
    )


def _evidence(kb: KnowledgeBase, passage: Passage) -> float:
    return sum(kb.sentences.idf(t) for t in passage.matched)


def _best_per_document(passages: Iterable[Passage]) -> list[Passage]:
    seen: dict[str, Passage] = {}
    for passage in passages:
        seen.setdefault(passage.item.document.slug, passage)
    return list(seen.values())


def _core_term(kb: KnowledgeBase, passage: Passage, weights: Mapping[str, float], user_terms: set[str]) -> str:
    """What was asked, in one term of the best sentence: the rarest matched word the user typed (驰名商标, 藏医药),
    unless a plan word for what they want weighs more (贷款 → 质押)."""
    terms = [t for t in passage.matched if len(t) > 1] or list(passage.matched)

    def weight(term: str) -> float:
        share = 1.0 if term in user_terms else CORE_SHARE * min(weights.get(term, 0.0), 1.0)
        return share * kb.sentences.idf(term)

    return max(terms, key=lambda t: (weight(t), len(t), t)) if terms else ""


def _subject(passage: Passage, core: str, plan_words: set[str]) -> str:
    """The core term as the plan writes it, joined with a matched neighbour (质押 + 融资 → 质押融资) — a join that is
    itself one of the registry's plan words first (恶意 + 注册 → 恶意注册, not 商标 + 恶意)."""
    text = "".join(passage.sentences)
    terms = [t for t in passage.matched if len(t) > 1 and t in text]
    joins = [
        joined
        for other in sorted(terms, key=len, reverse=True)
        for joined in (core + other, other + core)
        if other != core and joined in text and len(joined) <= 8
    ]
    return next((j for j in joins if j in plan_words), joins[0] if joins else core)


def _without_regions(kb: KnowledgeBase, text: str) -> str:
    for mention in kb.gazetteer.find_all(text):
        text = text.replace(mention.surface, " ")
    return text


def _cited(passages: list[Passage], limit: int = MAX_CITED) -> tuple[Cited, ...]:
    chosen = []
    for passage in passages[:limit]:
        chosen.append(Cited(passage.item, passage.sentences))
    return tuple(chosen)


def plan_label(document: DocumentView) -> str:
    """贵州省（征求意见稿）, 山西省忻州市保德县（县级方案）: how a plan is introduced, honest about what it is."""
    notes = (["县级方案"] if document.level == "county" else []) + (
        [document.status] if document.status != "已印发" else []
    )
    return f"{document.region}（{'，'.join(notes)}）" if notes else document.region


def _agency_verdict(wording: Wording, cited: Cited, region: str) -> str:
    item = cited.item
    leads = [a.name for a in item.agencies if a.role == "lead"]
    responsible = [a.name for a in item.agencies if a.role == "responsible"]
    if leads:
        return wording.text("utter_verdict_lead", region=region, cite=cited.short_title, lead="、".join(leads[:2]))
    if responsible:
        return wording.text(
            "utter_verdict_responsible", region=region, cite=cited.short_title, names="、".join(responsible[:3])
        )
    return wording.text("utter_verdict_no_agency", region=region, cite=cited.short_title)


def _answer_for_region(
    kb: KnowledgeBase,
    wording: Wording,
    passages: list[Passage],
    scope: RegionScope,
    topic: str | None,
    subject: str,
) -> Answer:
    lead = passages[0]
    strong = [p for p in passages if p.score >= COVERS * lead.score]
    cited = _cited(strong)
    document = lead.item.document
    return Answer(
        "answer",
        _agency_verdict(wording, cited[0], plan_label(document)),
        cited,
        region=document.slug,
        province=document.province,
        topic=topic or _topic_of(lead),
        next_step=_next_step(wording, cited[0]),
        buttons=_answer_buttons(kb, cited, scope.slugs),
        advice=True,
    )


def _missing_in_region(
    kb: KnowledgeBase,
    wording: Wording,
    scope: RegionScope,
    covering: list[Passage],
    topic: str | None,
    subject: str,
) -> Answer:
    region = "、".join(plan_label(d) for d in scope.documents)
    others = [p for p in covering if p.item.document.slug not in scope.slugs][:MAX_CITED]
    cited = _cited(others)
    where = "、".join(c.short_title for c in cited)
    return Answer(
        "answer",
        wording.text("utter_verdict_missing", region=region, subject=subject, others=where),
        cited,
        region=scope.documents[0].slug,
        province=scope.documents[0].province,
        topic=topic or (_topic_of(others[0]) if others else None),
        next_step=wording.text("utter_next_step_missing"),
        buttons=(
            *(Button(f"看{c.item.document.region}", f"那{c.item.document.region}呢") for c in cited),
            Button("转人工", "/human_handoff"),
        ),
        advice=True,
    )


def _answer_some_plans(
    kb: KnowledgeBase, wording: Wording, covering: list[Passage], topic: str | None, subject: str
) -> Answer:
    cited = _cited(covering)
    regions = "、".join(c.item.document.region for c in cited)
    verdict = wording.text("utter_verdict_some_plans", regions=regions, subject=subject)
    if len(cited) == 1:
        verdict = f"{verdict}{_agency_verdict(wording, cited[0], plan_label(cited[0].item.document))}"
    return Answer(
        "answer",
        verdict,
        cited,
        region=cited[0].item.document.slug if len(cited) == 1 else None,
        province=cited[0].item.document.province if len(cited) == 1 else None,
        topic=topic or _topic_of(covering[0]),
        next_step=_next_step(wording, cited[0]),
        buttons=_answer_buttons(kb, cited, {c.item.document.slug for c in cited}),
        advice=True,
    )


def _leadership(
    kb: KnowledgeBase, wording: Wording, mention: RegionMention | None, state: Conversation
) -> Answer | None:
    """A plan's own leading group (保德's 知识产权发展和保护领导组): who chairs it, deputies, members, its office."""
    documents = [d for d in kb.documents if d.leadership]
    if mention is not None:
        documents = [d for d in documents if d.province == mention.division.name]
    elif state.province:
        documents = [d for d in documents if d.province == state.province] or documents
    if not documents:
        return None
    document = documents[0]
    heads = [m for m in document.leadership if m.role == "组长"]
    deputies = [m for m in document.leadership if m.role == "副组长"]
    members = [m for m in document.leadership if m.role not in ("组长", "副组长")]
    verdict = wording.text(
        "utter_leadership",
        group=document.leadership_group or "",
        head="、".join(f"{m.name}（{m.post}）" for m in heads) or "原文未列明",
        deputies="、".join(f"{m.name}（{m.post}）" for m in deputies) or "原文未列明",
        count=len(members),
        office=document.leadership_office or "",
    )
    found = kb.passages("成立知识产权发展和保护领导组", {document.slug}, limit=1)
    cited = _cited(found[:1])
    return Answer(
        "answer",
        verdict,
        cited,
        region=document.slug,
        province=document.province,
        buttons=(Button("查看原文", show_payload(cited[0])), Button("转人工", "/human_handoff")) if cited else (),
        advice=False,
    )


def _ask_topic(kb: KnowledgeBase, wording: Wording, mention: RegionMention) -> Answer:
    try:
        scope = kb.scope_for(mention)
    except RegionNotCovered as error:
        return Answer(
            "not_covered",
            wording.text("utter_region_not_covered", region=error.region, covered=kb.covered_regions_text()),
            buttons=tuple(Button(d.region, d.region) for d in kb.documents),
        )
    region = scope.documents[0].region
    common = ["report_counterfeit", "rights_assistance", "overseas_assistance", "trademark_squatting", "ecommerce"]
    return Answer(
        "clarify",
        wording.text("utter_ask_topic", region=region),
        region=scope.documents[0].slug,
        province=scope.documents[0].province,
        buttons=tuple(Button(kb.topics[t].name, f"{region}{kb.topics[t].question}") for t in common if t in kb.topics),
    )


def _next_step(wording: Wording, cited: Cited) -> str:
    leads = [a.name for a in cited.item.agencies if a.role == "lead"]
    if leads:
        return wording.text("utter_part_next_step_lead", label=cited.short_title, lead="、".join(leads[:2]))
    return wording.text("utter_part_next_step_no_agency")


def _answer_buttons(kb: KnowledgeBase, cited: tuple[Cited, ...], shown: set[str]) -> tuple[Button, ...]:
    buttons = [Button("查看原文", show_payload(cited[0]))]
    other = next((d for d in kb.documents if d.slug not in shown), None)
    if other is not None:
        buttons.append(Button(f"看看{other.region}", f"那{other.region}呢"))
    buttons.append(Button("转人工", "/human_handoff"))
    return tuple(buttons)


def show_payload(cited: Cited) -> str:
    """A button payload asking for the full text, read back by the show-clause action."""
    item = cited.item
    if item.kind == "task":
        return f"查看{item.document.region}推进计划第{item.number}项原文"
    return f"查看{item.document.region}第{item.ordinal}条原文"  # type: ignore[union-attr]


def _topic_of(passage: Passage) -> str | None:
    tagged = [t for t, sentences in passage.item.topics.items() if passage.sentence in sentences]
    return tagged[0] if tagged else next(iter(passage.item.topics), None)
