"""Replies that answer no question from a clause: what the plans cannot decide (with the measures worth pointing
to), which need was meant, which side the user is on, which subject, and "the plans do not say".

The measures come from the need table (``data/needs.yml``: need × side → subjects), never from the question's words:
an accused party is pointed to 调解 and 维权援助, never to the other side's 投诉举报. With a region known, the measure's
clause in that region's plan is quoted; without one, no province's clause is picked for the user: the reply says
how many plans offer each measure (computed) and offers the regions.
"""

from __future__ import annotations

from bot.answers import claims
from bot.answers.model import Answer, Button, Cited
from bot.answers.needs import Need
from bot.answers.reading import Reading
from bot.answers.wording import Wording
from bot.kb.passages import Group
from bot.kb.query import KnowledgeBase, RegionScope
from bot.kb.subjects import Subject

HANDOFF = Button("转人工", "/human_handoff")
# What the other side uses against an accused party: a sentence holding these is not quoted to them when the
# region's plan has the measure in a sentence without them.
OTHER_SIDES_REMEDIES = ("complaint", "criminal", "enforcement", "damages", "credit")


def limit_answer(
    kb: KnowledgeBase, wording: Wording, need: Need, side: str | None, scope: RegionScope | None
) -> Answer:
    category = "accused" if side == "accused" and need.limit == "judgment" else need.limit
    verdict = wording.text(f"utter_limit_{category}")
    measures = [kb.subjects[m] for m in need.nearest_for(side)]
    if not measures:
        return Answer(
            "limit", verdict, next_step=wording.text("utter_limit_next_step"), buttons=(HANDOFF,), advice=True
        )
    if scope is None:
        return _measures_in_general(kb, wording, verdict, measures)
    cited: list[Cited] = []
    for measure in measures:
        found = _measure_in(kb, measure, scope, side)
        if found is not None and all(c.item.ref != found.item.ref for c in cited):
            cited.append(found)
    document = scope.documents[0]
    notes = (
        (wording.text("utter_limit_nearest", cite="、".join(c.short_title for c in cited)),)
        if cited
        else (wording.text("utter_limit_no_measure", region=document.region),)
    )
    return Answer(
        "limit",
        verdict,
        tuple(cited),
        region=document.slug,
        province=document.province,
        notes=notes,
        next_step=wording.text("utter_limit_next_step"),
        buttons=(HANDOFF,),
        advice=True,
    )


def _measure_in(kb: KnowledgeBase, measure: Subject, scope: RegionScope, side: str | None) -> Cited | None:
    """The region's clause for a measure, quoting only the sentences that hold it; for an accused party, a
    sentence that also names the other side's remedies (投诉举报, 打击) only when no other sentence holds it."""
    sentences = [
        row for row in kb.sentences.rows if row.item.document.slug in scope.slugs and row.words & measure.plan_words
    ]
    if side == "accused":
        remedies = frozenset(w for r in OTHER_SIDES_REMEDIES for w in kb.subjects[r].plan_words)
        sentences = [row for row in sentences if not row.words & remedies] or sentences
    found = kb.passages([Group(measure.id, measure.plan_words)], scope.slugs, limit=50)
    allowed = {row.text for row in sentences}
    for passage in found:
        quoted = tuple(s for s in passage.sentences if s in allowed)
        if quoted:
            return Cited(passage.item, quoted)
    return None


def _measures_in_general(kb: KnowledgeBase, wording: Wording, verdict: str, measures: list[Subject]) -> Answer:
    """No region known: what the plans offer, counted over every plan, and the regions to choose from."""
    stated = [c.brief(wording) for m in measures if (c := claims.coverage(kb, m)) is not None]
    offering = {d.slug for m in measures for d in claims.writing(kb, m)}
    return Answer(
        "limit",
        verdict,
        notes=(wording.text("utter_limit_measures_general", claims="、".join(stated)),) if stated else (),
        next_step=wording.text("utter_limit_pick_region"),
        buttons=(*(Button(d.region, d.region) for d in kb.documents if d.slug in offering), HANDOFF),
        pending="",  # a region then quotes that plan's measures
        advice=True,
    )


def confirm_need(wording: Wording, reading: Reading) -> Answer:
    """The model is unsure what is wanted: ask, with the two needs it weighed and 转人工 (两步确认)."""
    options = [n for n in (reading.need, reading.runner_up) if n is not None]
    return Answer(
        "clarify",
        wording.text("utter_confirm_need"),
        buttons=(*(Button(n.label, f"/{n.id}") for n in options), HANDOFF),
        pending="",
    )


def clarify_side(wording: Wording) -> Answer:
    return Answer(
        "clarify",
        wording.text("utter_clarify_infringement"),
        buttons=(
            Button("我的权利被侵犯了", "我的商标被别人侵权了怎么办"),
            Button("我被投诉侵权", "我们被投诉外观专利侵权，该怎么申诉"),
            Button("网上有人卖假货", "有人在网上卖我们品牌的假货怎么办"),
            Button("作品被盗用", "我的作品被别人盗用了怎么维权"),
            HANDOFF,
        ),
    )


def unclear_subject(kb: KnowledgeBase, wording: Wording) -> Answer:
    """A measure or a policy asked for without saying which: the plans' measures to choose from."""
    offered = ("insurance", "financing", "reward", "assistance", "fast_track", "mediation")
    return Answer(
        "clarify",
        wording.text("utter_clarify_subject"),
        buttons=(*(Button(kb.subjects[s].name, f"有没有{kb.subjects[s].name}") for s in offered), HANDOFF),
    )


# What a user who names only a subject ("海外维权", "展会") most often wants of it, in the order offered.
SUBJECT_NEEDS = ("resolve_dispute", "find_agency", "report_infringement", "seek_support")


def written_subject(
    kb: KnowledgeBase, wording: Wording, subject: Subject, needs: dict[str, Need], read_need: Need | None
) -> Answer:
    """The plans write about what was named, but what is wanted of it is not clear: say which plans write it (a
    claim computed over every plan, never "the plans are silent") and ask which need is meant (两步确认)."""
    claim = claims.coverage(kb, subject)
    assert claim is not None  # only asked for a subject the plans write
    options = [*([read_need] if read_need else []), *(needs[n] for n in SUBJECT_NEEDS if needs[n] is not read_need)]
    return Answer(
        "clarify",
        wording.text("utter_subject_which_need", claim=claim.text(wording)),
        buttons=(*(Button(n.label, f"/{n.id}") for n in options[:4]), HANDOFF),
        pending="",
    )


def nothing_found(wording: Wording, record: bool = False) -> Answer:
    """Nothing in the plans speaks to it; ``record`` puts the question before staff (a need the plans should serve)."""
    return Answer(
        "limit",
        wording.text("utter_plans_silent"),
        next_step=wording.text("utter_limit_next_step"),
        buttons=(Button("能问什么", "/what_can_you_do"), HANDOFF),
        record_unanswered=record,
    )
