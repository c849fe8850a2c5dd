"""The structured answer every channel renders, and what a turn knows of the conversation so far.

``Answer`` is the reply contract in Python: its ``kind`` is what the page, the widget, WeChat, the staff console
and the evaluations read (``custom.kind``), its ``cited`` passages are the clauses shown, in order.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from bot.kb.views import ClauseView, Item

KINDS = ("answer", "limit", "clarify", "ask_region", "not_covered", "handoff", "smalltalk", "feedback", "service")


@dataclass(frozen=True)
class Cited:
    """A clause or task an answer quotes, with the sentence(s) that answer."""

    item: Item
    sentences: tuple[str, ...]

    @property
    def short_title(self) -> str:
        """How a citation reads in a chat line or a button: 云南省 第10条, 云南省 推进计划第57项, and 贵州省 第17条（第2版）
        once a plan has been revised."""
        document = self.item.document
        version = f"（第{document.version}版）" if document.version > 1 else ""
        return f"{document.region} {self.item.label.split(' ')[0]}{version}"


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class AgencyContact:
    """An agency's public contact from the service directory (never from anywhere else)."""

    agency: str
    phone: str | None = None
    hours: str | None = None
    address: str | None = None
    website: str | None = None


@dataclass(frozen=True)
class CardStep:
    """One step of a step card: what the user can do and the clause it rests on, or what the plan does not say."""

    number: int
    kind: str
    label: str  # how the card's summary names the step (保全证据)
    do: str | None = None
    cited: Cited | None = None  # the clause, with the sentence the step rests on
    silent: str | None = None


@dataclass(frozen=True)
class Card:
    """The steps of a situation people bring (网上有人卖我们品牌的假货), for one region's plan, in order."""

    situation: str
    name: str
    steps: tuple[CardStep, ...]


@dataclass(frozen=True)
class Answer:
    kind: str
    verdict: str
    cited: tuple[Cited, ...] = ()
    region: str | None = None  # plan slug of the region the answer is for (yunnan), None when not one region
    province: str | None = None  # the province to remember for follow-ups (云南省)
    topic: str | None = None  # topic id (data/topics.yml) the answer is about, when one fits
    notes: tuple[str, ...] = ()  # lines after the quotes (a plan that lacks the subject, the nearest measure …)
    next_step: str | None = None
    buttons: tuple[Button, ...] = ()
    pending: str | None = None  # the question to answer once the region arrives
    advice: bool = False  # carries the disclaimer (utter_disclaimer)
    record_unanswered: bool = False  # the plans had nothing: staff should see the question
    question: str | None = None  # the question this answers (the waiting one when a region alone arrived)
    need: str | None = None  # the need it answers (data/needs.yml), kept with a question waiting for its region
    side: str | None = None  # the side of the asker as read with that question (holder, accused)
    subject: str | None = None  # the most specific subject (data/subjects.yml) read in that question
    confidence: float = 0.0  # the model's confidence in the need (the review inbox shows the least sure first)
    contacts: tuple[AgencyContact, ...] = ()  # of the agencies the next step names, from the service directory
    subjects: tuple[str, ...] = ()  # every subject read in that question, most specific first
    card: Card | None = None  # the step card, when the question is a situation the step data has one for

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown answer kind {self.kind!r}")

    @property
    def refs(self) -> list[str]:
        return [c.item.ref for c in self.cited]

    def contract(self) -> dict[str, object]:
        """The ``custom`` payload of the reply's last message."""
        return {
            "kind": self.kind,
            "region": self.region,
            "topic": self.topic,
            "citations": [{"ref": c.item.ref, "title": c.short_title} for c in self.cited],
            **({"contacts": [asdict(c) for c in self.contacts]} if self.contacts else {}),
            **({"situation": self.card.situation} if self.card else {}),
        }


@dataclass(frozen=True)
class Parse:
    """What the NLU model read in the message (Rasa's parse data): the intent — for a question, the need — with its
    confidence and the ranking of the others, and the side of the asker (holder, accused, or None when not read)."""

    intent: str | None = None
    confidence: float = 0.0
    ranking: tuple[tuple[str, float], ...] = ()
    side: str | None = None
    side_confidence: float = 0.0

    @classmethod
    def of(cls, need: str, side: str | None = None) -> Parse:
        """A certain reading: a button that names the need (两步确认), the CLI, a test."""
        return cls(need, 1.0, ((need, 1.0),), side, 1.0 if side else 0.0)


@dataclass(frozen=True)
class Conversation:
    """What earlier turns left behind (Rasa slots)."""

    province: str | None = None
    pending: str | None = None  # a question waiting for its region (or for the user to say which need they meant)
    last_question: str | None = None  # the last question answered (for "那西藏呢？")
    need: str | None = None  # the need of the pending or last question, as the model read it then
    side: str | None = None  # …and the side of its asker
    topic: str | None = None
    history: tuple[str, ...] = field(default=())


def is_clause(item: Item) -> bool:
    return isinstance(item, ClauseView)
