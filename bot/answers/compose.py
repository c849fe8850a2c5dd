"""Turn a message into a structured answer: message → reading → evidence → decision (here) → rendering.

Order of decisions (each one a reason the previous did not apply):
1. a region alone ("云南", "那西藏呢？") answers the question waiting for it, or the last one, for that region;
   a need chosen with a button (两步确认) answers the question waiting for it with that need;
2. a message that is no need at all (off topic) is answered plainly: the plans do not speak to it;
3. a need the model is unsure of asks which one is meant, with buttons — never a guess;
4. a need the plans cannot serve (a judgment, a sentence, an amount, a procedure …) gets one honest line, the
   measures the need table points to for the asker's side, and 转人工 — never a region question;
5. a served need is answered only from evidence: clauses that hold its channel or the user's subject as words,
   scoring above one threshold. No evidence is an honest limit. A dispute with no side and no subject asks which
   side the user is on.
6. with evidence: the region's plan when the region is known (saying so, computed, when that plan lacks the
   subject); otherwise one plan's answer when only one has it, a region question when where to go depends on the
   region (``region: ask``), else what the plans have, across plans.
"""

from __future__ import annotations

import dataclasses
import json

from bot.answers import claims
from bot.answers.evidence import Evidence, gather, serving_need
from bot.answers.limits import (
    clarify_side,
    confirm_need,
    limit_answer,
    nothing_found,
    unclear_subject,
    written_subject,
)
from bot.answers.model import Answer, Button, Cited, Conversation, Parse
from bot.answers.needs import Need
from bot.answers.reading import Reading, read
from bot.answers.versions import change_notes, in_draft, wants_draft
from bot.answers.wording import Wording
from bot.kb.changelog import version_label
from bot.kb.errors import QueryError, RegionNotCovered
from bot.kb.passages import Group, Passage
from bot.kb.query import KnowledgeBase, RegionScope
from bot.kb.regions import RegionMention
from bot.kb.subjects import Subject
from bot.kb.views import DocumentView

# Below this confidence in the need read, the assistant asks which need is meant (两步确认): chosen once on the
# held-out NLU set (bench/results/nlu_eval.md), never per question.
NEED_CONFIDENCE = 0.30
COVERS = 0.6  # a second clause of the region is quoted when it scores this share of the first
MAX_CITED = 2
SIDE_NEEDED = ("resolve_dispute",)  # "侵权了怎么办": which side the user is on decides everything
# Asked which side they are on only when the model also weighs the accused's need this much: resolve_dispute is a
# holder's need, and "被人抄袭了怎么处理" says so without a side word the side classifier knows.
SIDE_DOUBT = 0.15
# A served question that also asks how to go about it ("能贷款吗，要什么材料"): the model's weight on the procedure
# need beside the one it read, from which the reply says that the plans do not write the procedure.
ASIDE = 0.15


def answer(
    kb: KnowledgeBase, needs: dict[str, Need], wording: Wording, text: str, parse: Parse, state: Conversation
) -> Answer:
    reading = read(kb, needs, text, parse)
    if wants_draft(reading.text) and state.last_question and reading.need is None and not reading.subjects:
        again = read(kb, needs, state.last_question, _stored(state))
        return _drafted(kb, wording, _answer(kb, needs, wording, again, state, again.region))
    if reading.region_only:
        question = state.pending or state.last_question
        if question is None:
            return _ask_topic(kb, wording, reading.regions[0])
        again = read(kb, needs, question, _stored(state))
        return _answer(kb, needs, wording, again, state, reading.regions[0])
    if reading.need is not None and _chosen(text, parse) and state.pending:
        again = read(kb, needs, state.pending, Parse.of(reading.need.id, state.side))
        return _answer(kb, needs, wording, again, state, again.region)
    return _answer(kb, needs, wording, reading, state, reading.region)


def _stored(state: Conversation) -> Parse:
    """The reading the model made of the stored question when it was asked (its need and side)."""
    return Parse.of(state.need, state.side) if state.need else Parse()


def _chosen(text: str, parse: Parse) -> bool:
    """A need sent by a button ("/report_infringement"): Rasa reads an intent payload with certainty."""
    return text.strip().startswith("/") and parse.confidence >= 1.0


def _answer(
    kb: KnowledgeBase,
    needs: dict[str, Need],
    wording: Wording,
    reading: Reading,
    state: Conversation,
    mention: RegionMention | None,
) -> Answer:
    decided = _decide(kb, needs, wording, reading, state, mention)
    if decided.kind == "answer":
        decided = dataclasses.replace(decided, notes=(*decided.notes, *change_notes(kb, wording, decided.cited)))
        if wants_draft(reading.text):
            decided = _drafted(kb, wording, decided)
    need = serving_need(reading, needs)
    waiting = reading.text if decided.pending is not None else None  # the question waits for a region or a choice
    return dataclasses.replace(
        decided,
        question=reading.text,
        need=need.id if need else None,
        side=reading.side,
        pending=waiting,
        subject=reading.subjects[0].id if reading.subjects else None,
        subjects=tuple(s.id for s in reading.subjects),
        confidence=reading.confidence,
    )


def _decide(
    kb: KnowledgeBase,
    needs: dict[str, Need],
    wording: Wording,
    reading: Reading,
    state: Conversation,
    mention: RegionMention | None,
) -> Answer:
    need = serving_need(reading, needs)
    try:
        scope = _scope(kb, mention, state)
    except RegionNotCovered as error:
        if need is not None and not need.served and reading.confidence >= NEED_CONFIDENCE:
            # no plan decides it, wherever the user is: that is the answer, not which regions are covered
            return limit_answer(kb, wording, need, reading.side, None)
        return _not_covered(kb, wording, error.region, waits=need is not None)
    if any(s.id == "leadership" for s in reading.subjects):  # a plan's own leading group, whatever was asked of it
        led = _leadership(kb, wording, scope)
        if led is not None:
            return led
    if need is None:
        named = _written_subject(kb, reading)
        return nothing_found(wording) if named is None else written_subject(kb, wording, named, needs, None)
    if not need.served and reading.confidence < NEED_CONFIDENCE and _named_alone(reading):
        # "商标抢注", "地理标志": a subject the plans write, named with nothing else, and an unsure guess at a need
        # they cannot serve. Ask what is wanted of it rather than answer the guess with "无法回答".
        named = _written_subject(kb, reading)
        if named is not None:
            return written_subject(kb, wording, named, needs, need)
    if reading.confidence < NEED_CONFIDENCE and reading.runner_up is not None and _choice_matters(reading, need):
        return confirm_need(wording, reading)
    other_side = _other_sides_need(reading, needs, need)
    if other_side is not None:
        return confirm_need(wording, dataclasses.replace(reading, runner_up=other_side))
    if not need.served:
        measure = _measure_asked(reading, needs, need)
        if measure is None:
            return limit_answer(kb, wording, need, reading.side, scope)
        return _unwritten_procedure(wording, _served(kb, wording, reading, measure, scope))
    served = _served(kb, wording, reading, need, scope)
    procedure = reading.runner_up
    if procedure is not None and reading.runner_up_confidence >= ASIDE and _measure_asked(reading, needs, procedure):
        return _unwritten_procedure(wording, served)
    return served


KEYWORD_CHARS = 6  # a message this short names a subject and asks nothing of it ("商标抢注", "植物新品种")


def _named_alone(reading: Reading) -> bool:
    return len(reading.text) <= KEYWORD_CHARS


def _written_subject(kb: KnowledgeBase, reading: Reading) -> Subject | None:
    """The most specific subject the message names that some plan writes (not a mere kind of right: 商标, 专利)."""
    return next((s for s in reading.subjects if not s.broad and claims.writing(kb, s)), None)


def _other_sides_need(reading: Reading, needs: dict[str, Need], need: Need) -> Need | None:
    """An accused party's need (the one other needs become for an accused asker) read while the side model does not
    read the asker as accused ("遇到侵权了，投诉应该怎么做"): which side they are on decides everything, so the holder's
    counterpart is offered beside it — the one the model weighed, else the first the table names. None when the side
    agrees or the user chose the need."""
    counterparts = [n for n in needs.values() if n.accused_as == need.id]
    if not counterparts or reading.side == "accused" or reading.confidence >= 1.0:
        return None
    return reading.runner_up if reading.runner_up in counterparts else counterparts[0]


def _choice_matters(reading: Reading, need: Need) -> bool:
    """Which need was meant is asked only when the answer turns on it: two needs the plans cannot serve both end
    in an honest limit, and the likelier one's wording says it."""
    return need.served or (reading.runner_up is not None and reading.runner_up.served)


def _measure_asked(reading: Reading, needs: dict[str, Need], need: Need) -> Need | None:
    """How to get a measure the plans write ("维权援助怎么申请", "质押融资要什么材料"): the measure is served by the
    need the table names, and the reply says the procedure is not written; any other procedure is a limit."""
    if not need.measure_as:
        return None
    measure = needs[need.measure_as]
    return measure if any(s.id in measure.prefer for s in reading.subjects) else None


def _unwritten_procedure(wording: Wording, decided: Answer) -> Answer:
    if decided.kind != "answer":
        return decided
    return dataclasses.replace(decided, notes=(*decided.notes, wording.text("utter_procedure_not_written")))


def _served(kb: KnowledgeBase, wording: Wording, reading: Reading, need: Need, scope: RegionScope | None) -> Answer:
    """A need the plans serve, answered from evidence only."""
    if need.id in SIDE_NEEDED and reading.side is None and _side_in_doubt(reading, need):
        return clarify_side(wording)
    evidence = gather(kb, reading, need)
    in_reach = evidence.passages if scope is None else evidence.in_plans(scope.slugs)
    if not in_reach and need.limit:
        # nothing answers it — or only other plans do: what they say about 恶意诉讼 does not help someone sued where
        # their own plan is silent. The honest limit, with the measures of their region.
        return limit_answer(kb, wording, need, reading.side, scope)
    if not evidence.passages:
        if need.evidence == "subject" and evidence.core is None and not _names_the_unwritten(kb, reading):
            return unclear_subject(kb, wording)
        return nothing_found(wording, record=True)
    if scope is not None:
        return _for_region(kb, wording, evidence, scope)
    if len(evidence.plans) == 1:
        return _only_plan(kb, wording, evidence)
    if need.ask_region:
        return _ask_region(kb, wording, evidence)
    return _across_plans(kb, wording, evidence)


UNWRITTEN_MIN_CHARS = 3  # 集成电路, 布图设计: a compound the plans never write; two characters are often colloquial


def _names_the_unwritten(kb: KnowledgeBase, reading: Reading) -> bool:
    """The question names something no plan writes ("集成电路布图设计有保护吗"): the plans are silent on it, and
    asking which measure is meant would not help."""
    return any(len(w) >= UNWRITTEN_MIN_CHARS and kb.sentences.idf(w) == 0 for w in reading.words)


def _side_in_doubt(reading: Reading, need: Need) -> bool:
    """Nothing but the act is said ("侵权了怎么办"), or the model weighs the accused's need too — unless the user
    chose the need with a button ("权利被侵犯后怎么维权" says the side)."""
    if reading.confidence >= 1.0 or not all(s.broad for s in reading.subjects):
        return False
    weighed = reading.runner_up is not None and reading.runner_up.id == need.accused_as
    return not reading.subjects or (weighed and reading.runner_up_confidence >= SIDE_DOUBT)


def _scope(kb: KnowledgeBase, mention: RegionMention | None, state: Conversation) -> RegionScope | None:
    if mention is not None:
        return kb.scope_for(mention)
    if state.province:
        try:
            return kb.scope(state.province)
        except QueryError:
            return None
    return None


def _subject_of(kb: KnowledgeBase, evidence: Evidence) -> claims.Claim | None:
    """What the clauses answer, as a claim about the plans: the user's subject, else the channel the best clause
    holds (投诉举报, 调解 …)."""
    if evidence.core is not None:
        return claims.coverage(kb, evidence.core)
    words = kb.sentences.words("".join(evidence.passages[0].sentences))
    channel = next((c for c in evidence.need.channels if kb.subjects[c].plan_words & set(words)), None)
    return claims.coverage(kb, kb.subjects[channel]) if channel else None


def _for_region(kb: KnowledgeBase, wording: Wording, evidence: Evidence, scope: RegionScope) -> Answer:
    in_scope = evidence.in_plans(scope.slugs)
    if not in_scope:
        return _missing_in_region(kb, wording, evidence, scope)
    lead = in_scope[0]
    strong = [p for p in in_scope if p.score >= COVERS * lead.score][:MAX_CITED]
    return _clause_answer(kb, wording, strong, verdict_prefix="", shown=scope.slugs)


def _missing_in_region(kb: KnowledgeBase, wording: Wording, evidence: Evidence, scope: RegionScope) -> Answer:
    """The region's plan does not write the subject (computed) — and which plans do, with their clauses."""
    # what the region's plan lacks: the user's subject, else the need's channel (西藏 writes 仿冒 but not 投诉举报),
    # else only that no clause of it answers this
    subjects = [evidence.core] if evidence.core is not None else []
    subjects += [kb.subjects[c] for c in evidence.need.channels]
    stated = next(
        (
            found
            for subject in subjects
            if (found := [c.text(wording) for d in scope.documents if (c := claims.missing(kb, subject, d))])
        ),
        [wording.text("utter_claim_missing_answer", region=d.region) for d in scope.documents],
    )
    others = [p for p in evidence.best_per_plan() if p.item.document.slug not in scope.slugs][:MAX_CITED]
    cited = tuple(Cited(p.item, p.sentences) for p in others)
    where = "、".join(c.short_title for c in cited)
    document = scope.documents[0]
    return Answer(
        "answer",
        wording.text("utter_verdict_missing", missing="；".join(stated), others=where),
        cited,
        region=document.slug,
        province=document.province,
        topic=_topic_of(others[0]) if others else None,
        next_step=wording.text("utter_next_step_missing"),
        buttons=(
            *(Button(f"看{c.item.document.region}", f"那{c.item.document.region}呢") for c in cited),
            Button("转人工", "/human_handoff"),
        ),
        advice=True,
    )


def _only_plan(kb: KnowledgeBase, wording: Wording, evidence: Evidence) -> Answer:
    claim = _subject_of(kb, evidence)
    prefix = claim.text(wording) + "。" if claim is not None and claim.kind == "some" else ""
    slug = evidence.plans[0]
    lead = evidence.in_plans({slug})
    strong = [p for p in lead if p.score >= COVERS * lead[0].score][:MAX_CITED]
    return _clause_answer(kb, wording, strong, verdict_prefix=prefix, shown={slug})


def _clause_answer(
    kb: KnowledgeBase, wording: Wording, passages: list[Passage], verdict_prefix: str, shown: set[str]
) -> Answer:
    """One region's answer: the verdict, its units and its next step all from the first clause cited."""
    cited = tuple(Cited(p.item, p.sentences) for p in passages)
    document = cited[0].item.document
    return Answer(
        "answer",
        verdict_prefix + _agency_verdict(wording, cited[0], plan_label(document)),
        cited,
        region=document.slug,
        province=document.province,
        topic=_topic_of(passages[0]),
        next_step=_next_step(wording, cited[0]),
        buttons=_answer_buttons(kb, cited, shown),
        advice=True,
    )


def _ask_region(kb: KnowledgeBase, wording: Wording, evidence: Evidence) -> Answer:
    claim = _subject_of(kb, evidence)
    stated = claim.text(wording) if claim is not None else ""
    plans = [d for d in kb.documents if d.slug in evidence.plans]
    return Answer(
        "ask_region",
        wording.text("utter_ask_region_for", claim=stated),
        topic=_topic_of(evidence.passages[0]),
        buttons=(*(Button(d.region, d.region) for d in plans), Button("转人工", "/human_handoff")),
        pending="",  # the question waits for its region (``_answer`` puts it here)
    )


def _across_plans(kb: KnowledgeBase, wording: Wording, evidence: Evidence) -> Answer:
    """Whether a measure exists, answered across the plans: which plans write it (computed), the best clauses of
    two of them, and the regions to narrow it to."""
    claim = _subject_of(kb, evidence)
    cited = tuple(Cited(p.item, p.sentences) for p in evidence.best_per_plan()[:MAX_CITED])
    plans = [d for d in kb.documents if d.slug in evidence.plans]
    verdict = claim.text(wording) + "。" if claim is not None else ""
    return Answer(
        "answer",
        verdict + wording.text("utter_verdict_across", cites="、".join(c.short_title for c in cited)),
        cited,
        topic=_topic_of(evidence.passages[0]),
        next_step=wording.text("utter_next_step_across"),
        buttons=(
            Button("查看原文", show_payload(cited[0])),
            *(Button(d.region, d.region) for d in plans),
            Button("转人工", "/human_handoff"),
        ),
        advice=True,
    )


EVERYWHERE = ("assistance", "complaint", "mediation")  # what a user from an uncovered region is told of in general


def _not_covered(kb: KnowledgeBase, wording: Wording, region: str, waits: bool) -> Answer:
    """No plan for the user's region: say so and which regions are covered, what the plans offer nearly everywhere
    (counted), and 转人工 first; the covered regions follow, for a user whose own region is one of them."""
    offered = [c.brief(wording) for s in EVERYWHERE if (c := claims.coverage(kb, kb.subjects[s])) is not None]
    return Answer(
        "not_covered",
        wording.text("utter_region_not_covered", region=region, covered=kb.covered_regions_text()),
        notes=(wording.text("utter_not_covered_offered", offered="、".join(offered)),) if offered else (),
        next_step=wording.text("utter_not_covered_next"),
        buttons=(Button("转人工", "/human_handoff"), *(Button(d.region, d.region) for d in kb.documents)),
        pending="" if waits else None,
    )


def plan_label(document: DocumentView) -> str:
    """贵州省（征求意见稿）, 山西省忻州市保德县（县级方案）: how a plan is introduced, honest about what it is."""
    notes = (["县级方案"] if document.level == "county" else []) + (
        [document.status] if document.status != "已印发" else []
    )
    return f"{document.region}（{'，'.join(notes)}）" if notes else document.region


def _agency_verdict(wording: Wording, cited: Cited, region: str) -> str:
    item = cited.item
    leads = [a.name for a in item.leads]
    responsible = [a.name for a in item.responsible]
    if leads:
        return wording.text("utter_verdict_lead", region=region, cite=cited.short_title, lead="、".join(leads[:2]))
    if responsible:
        return wording.text(
            "utter_verdict_responsible", region=region, cite=cited.short_title, names="、".join(responsible[:3])
        )
    return wording.text("utter_verdict_no_agency", region=region, cite=cited.short_title)


def _next_step(wording: Wording, cited: Cited) -> str:
    leads = [a.name for a in cited.item.leads]
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
    """A button's payload asking for the full text: the show-clause intent with the item's ref as its entity (never
    display text that the action would have to read back)."""
    return "/show_clause" + json.dumps({"ref": cited.item.ref}, ensure_ascii=False)


def _topic_of(passage: Passage) -> str | None:
    tagged = [t for t, sentences in passage.item.topics.items() if set(passage.sentences) & set(sentences)]
    return tagged[0] if tagged else next(iter(passage.item.topics), None)


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


def _leadership(kb: KnowledgeBase, wording: Wording, scope: RegionScope | None) -> Answer | None:
    """A plan's own leading group (保德's 知识产权发展和保护领导组): who chairs it, deputies, members, its office."""
    documents = [d for d in kb.documents if d.leadership]
    if scope is not None:
        documents = [d for d in documents if d.slug in scope.slugs]
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
    subject = kb.subjects["leadership"]
    found = kb.passages([Group(subject.id, subject.plan_words)], {document.slug}, limit=1)
    cited = tuple(Cited(p.item, p.sentences) for p in found[:1])
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
        return _not_covered(kb, wording, error.region, waits=False)
    region = scope.documents[0].region
    common = ["report_counterfeit", "rights_assistance", "overseas_assistance", "trademark_squatting", "ecommerce"]
    return Answer(
        "clarify",
        wording.text("utter_ask_topic", region=region),
        region=scope.documents[0].slug,
        province=scope.documents[0].province,
        buttons=tuple(Button(kb.topics[t].name, f"{region}{kb.topics[t].question}") for t in common if t in kb.topics),
    )
