"""The query layer used by the actions, the staff console and the CLI.

``KnowledgeBase`` answers four kinds of question — by (topic, region), by agency across regions, by region, and by
free text — from an in-memory snapshot of the tables. Bad questions raise a ``QueryError`` whose message is the
Chinese sentence to show; nothing here formats replies.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.kb.agencies import KINDS_BY_ID, AgencyKind, kinds_mentioned
from bot.kb.align import ClauseChange
from bot.kb.errors import (
    EmptyQuery,
    KnowledgeBaseUnavailable,
    NotFound,
    QueryTooLong,
    RegionNotCovered,
    UnknownRegion,
)
from bot.kb.history import CitedClause, ClauseVersion, History
from bot.kb.numbering import chinese_to_int
from bot.kb.passages import Group, Passage, SentenceIndex
from bot.kb.regions import Gazetteer, RegionMention
from bot.kb.subjects import Subject
from bot.kb.topics import Topic
from bot.kb.views import AgencyView, ClauseView, DocumentView, Item, Snapshot, TaskView, load_snapshot
from bot.text import ChineseTokenizer, normalize

MAX_QUESTION_LENGTH = 500
# A task of 云南's work plan follows up a clause; by topic, the clause comes first and its tasks after.
TASK_PENALTY = 1.5
# A free-text search ranks like an answer without a need: the most specific subject named, then the others and the
# plain words the question shares with the plans.
SEARCH_CORE_WEIGHT = 1.0
SEARCH_SUBJECT_WEIGHT = 0.5
SEARCH_WORD_WEIGHT = 0.5
SEARCH_AGENCY_WEIGHT = 3.0  # about one subject word in a sentence of ordinary length


@dataclass(frozen=True)
class RegionScope:
    """Where a question points: the mention (None for "all regions") and the plans that cover it."""

    mention: RegionMention | None
    documents: tuple[DocumentView, ...]

    @property
    def slugs(self) -> set[str]:
        return {d.slug for d in self.documents}


@dataclass(frozen=True)
class SearchScope:
    text: str  # the question, cleaned
    slugs: frozenset[str]  # the plans searched


@dataclass(frozen=True)
class Scored:
    """An item found for a question, its score, and the sentences of it quoted."""

    item: Item
    score: float
    quote: tuple[str, ...]


@dataclass(frozen=True)
class AgencyDuty:
    agency: AgencyView
    clause: ClauseView


@dataclass(frozen=True)
class AgencyReport:
    query: str
    exact: tuple[AgencyDuty, ...]  # the agency as asked (省商务厅)
    related: tuple[AgencyDuty, ...]  # agencies of the same kind elsewhere (自治区商务厅)
    kinds: tuple[AgencyKind, ...]


class KnowledgeBase:
    def __init__(
        self,
        snapshot: Snapshot,
        gazetteer: Gazetteer,
        tokenizer: ChineseTokenizer,
        topics: tuple[Topic, ...],
        history: History | None = None,
        subjects: tuple[Subject, ...] = (),
    ) -> None:
        if not snapshot.documents:
            raise KnowledgeBaseUnavailable("知识库为空：请先运行 `make kb`（python -m bot.kb build）生成知识库。")
        self.snapshot = snapshot  # the versions in force only; superseded versions live in ``history``
        self.plan_history = history or History(snapshot, Snapshot((), (), ()), ())
        self.gazetteer = gazetteer
        self.topics = {topic.id: topic for topic in topics}
        self.subjects = {subject.id: subject for subject in subjects}
        self._keyword_idf = _keyword_idf(snapshot.items, topics)
        self._tokenizer = tokenizer

    @classmethod
    def from_engine(
        cls,
        engine: Engine,
        gazetteer: Gazetteer,
        tokenizer: ChineseTokenizer,
        topics: tuple[Topic, ...],
        subjects: tuple[Subject, ...] = (),
    ) -> KnowledgeBase:
        try:
            snapshot = load_snapshot(engine)
            history = History.load(engine, snapshot, load_snapshot(engine, in_force=False))
        except SQLAlchemyError as error:
            raise KnowledgeBaseUnavailable(
                f"无法读取知识库数据库（{type(error).__name__}）：请运行 `make kb` 重新生成，"
                "或检查 DATABASE_URL 是否正确。"
            ) from error
        return cls(snapshot, gazetteer, tokenizer, topics, history, subjects)

    # -- regions ------------------------------------------------------------------------------------------
    @property
    def documents(self) -> tuple[DocumentView, ...]:
        return self.snapshot.documents

    def covered_regions_text(self) -> str:
        return "、".join(f"{d.region}（{d.level_label}，{d.status}）" for d in self.documents)

    def scope(self, region: str | None) -> RegionScope:
        """Resolve a region mention to the plans that cover it; ``None`` or blank means every plan."""
        if region is None or not region.strip():
            return RegionScope(None, self.documents)
        text = _clean(region)
        mention = self.gazetteer.resolve(text)
        if mention is None:
            raise UnknownRegion(f"没有识别出地区“{_echo(text, 20)}”。目前收录的地区：{self.covered_regions_text()}。")
        return self.scope_for(mention)

    def scope_for(self, mention: RegionMention) -> RegionScope:
        """The plans covering a gazetteer mention; raises RegionNotCovered for a region without one."""
        documents = tuple(d for d in self.documents if d.province == mention.division.name)
        if not documents:
            raise RegionNotCovered(
                f"知识库暂未收录{mention.division.name}的知识产权保护实施方案。目前收录的地区："
                f"{self.covered_regions_text()}。",
                mention.division.name,
            )
        return RegionScope(mention, documents)

    def scopes_in(self, text: str) -> list[RegionScope]:
        """Every covered region a question names (for comparisons); uncovered ones raise RegionNotCovered."""
        scopes: list[RegionScope] = []
        for mention in self.gazetteer.find_all(_clean(text)):
            scope = self.scope_for(mention)
            if scope.slugs not in [s.slugs for s in scopes]:
                scopes.append(scope)
        return scopes

    # -- topic ----------------------------------------------------------------------------------------------
    def by_topic(self, topic_id: str, region: str | None = None, limit: int = 3) -> list[Scored]:
        """The clauses (and tasks) of a region's plans tagged with a topic, strongest tag first."""
        topic = self.topics.get(topic_id)
        if topic is None:
            raise NotFound(
                f"未知主题“{_echo(topic_id, 40)}”。可选主题：{'、'.join(t.name for t in self.topics.values())}。"
            )
        scope = self.scope(region)
        # Tag strength says "this clause touches the topic"; the sentence ranking of the topic's own name and
        # description says which clause is *about* it (贵州 17 海外维权援助 rather than 16 涉外法律服务).
        relevance = self._relevance(f"{topic.name} {topic.description}", scope.slugs)
        hits = []
        for item in self._items(scope.slugs):
            sentences = item.topics.get(topic_id)
            if sentences:
                matched = {k for k in topic.keywords if any(k in s for s in sentences)}
                specificity = sum(self._keyword_idf[k] for k in matched)  # 保护指南 says more than 培训
                in_title = any(k in item.title for k in topic.keywords)
                score = (
                    specificity
                    + (2.0 if in_title else 0.0)
                    + 3.0 * relevance.get(item.ref, 0.0)
                    - (TASK_PENALTY if item.kind == "task" else 0.0)
                )
                hits.append(Scored(item, score, sentences[:2]))
        hits.sort(key=lambda h: (-h.score, h.item.document.slug, h.item.kind, _ordinal(h.item)))
        # Per document, so "the best clause of each plan" comes first when a scope spans several plans.
        return _interleave_by_document(hits)[: limit * max(1, len(scope.documents))]

    # -- free text ------------------------------------------------------------------------------------------
    def _relevance(self, text: str, slugs: set[str]) -> dict[str, float]:
        """How much each item of the plans in ``slugs`` says the words of a text, the best being 1.0."""
        groups = [Group(w, frozenset([w])) for w in dict.fromkeys(self.sentences.words(text))]
        ranked = self.sentences.rank(groups, slugs, limit=len(self.snapshot.items))
        best = ranked[0].score if ranked else 1.0
        return {p.item.ref: p.score / best for p in ranked}

    def search(self, question: str, region: str | None = None, limit: int = 5) -> list[Scored]:
        """Clauses and tasks for a free-text question, ranked by the answers' own sentence ranking: the registry's
        subjects it names (the most specific counts most) and the other words it says that the plans write."""
        scope = self.search_scope(question, region)
        words, tokens = self.terms(self.without_regions(scope.text))
        subjects = self.subjects_in(words, tokens)
        groups = [
            Group(s.id, s.plan_words, SEARCH_CORE_WEIGHT if rank == 0 else SEARCH_SUBJECT_WEIGHT)
            for rank, s in enumerate(subjects)
        ]
        groups += [
            Group(f"said:{w}", frozenset([w]), SEARCH_WORD_WEIGHT)
            for w in dict.fromkeys(words)
            if self.sentences.idf(w) > 0
        ]
        ranked = self.sentences.rank(groups, scope.slugs, limit=len(self.snapshot.items))
        hits = {p.item.ref: Scored(p.item, p.score, p.sentences) for p in ranked}
        for item, share in self._assigning(words, scope.slugs):
            held = hits.get(item.ref, Scored(item, 0.0, ()))
            hits[item.ref] = Scored(item, held.score + SEARCH_AGENCY_WEIGHT * share * share, held.quote)
        return sorted(hits.values(), key=lambda h: (-h.score, h.item.ref))[:limit]

    def _assigning(self, words: tuple[str, ...], slugs: frozenset[str]) -> list[tuple[Item, float]]:
        """Items whose units' names hold words of the question (人行…支行 → 中国人民银行拉萨中心支行), with the share of
        those words each holds: the units assigned at the end of a clause are not among the sentences ranked."""
        items = self._items(slugs)
        named = {w for w in words if len(w) > 1 and any(w in a.name for i in items for a in i.agencies)}  # not 省, 县
        if not named:
            return []
        found = []
        for item in items:
            held = {w for w in named if any(w in a.name for a in item.agencies)}
            if held:
                found.append((item, len(held) / len(named)))
        return found

    def without_regions(self, text: str) -> str:
        """The text with the regions it names blanked out: what it asks about, not where."""
        for mention in self.gazetteer.find_all(text):
            text = text.replace(mention.surface, " ")
        return text

    def terms(self, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """A text's words as the plans' sentences are indexed (the dictionary words inside its tokens included), and
        its whole tokens."""
        return self.sentences.words(text), self._tokenizer.words(text, inner=False)

    def subjects_in(self, words: tuple[str, ...], tokens: tuple[str, ...]) -> tuple[Subject, ...]:
        """The registry's subjects the words point at, most specific first (the fewer sentences of the plans hold a
        subject, the more it says: 展会 before 专利). A word inside a token that names a subject of its own does not
        count (悬赏 inside 公证悬赏取证 is 取证, not a reward)."""
        whole = set(tokens)
        claimed = {t for t in whole if any(t in s.words for s in self.subjects.values())}
        inner = {w for w in words if w not in whole and not any(w in t for t in claimed)}
        present = whole | inner
        found = [s for s in self.subjects.values() if s.words & present]
        return tuple(sorted(found, key=lambda s: (-self.sentences.group_idf(s.plan_words), s.id)))

    def search_scope(self, question: str, region: str | None = None) -> SearchScope:
        """A question as searched (cleaned and checked) and the plans it is searched in: ``region``'s, else those
        of the regions it names, else all."""
        text = _question_text(question)
        if region is not None and region.strip():
            return SearchScope(text, frozenset(self.scope(region).slugs))
        scopes = self.scopes_in(text)
        documents = tuple(d for s in scopes for d in s.documents) if scopes else self.documents
        return SearchScope(text, frozenset(d.slug for d in documents))

    # -- sentences that answer ------------------------------------------------------------------------------
    @functools.cached_property
    def sentences(self) -> SentenceIndex:
        """Word-level sentence index, built on first use (answers need it; the CLI's clause look-ups do not)."""
        return SentenceIndex(self.snapshot.items, self._tokenizer)

    def passages(
        self,
        groups: Sequence[Group],
        slugs: set[str] | frozenset[str] | None = None,
        require: Callable[[frozenset[str]], bool] | None = None,
        limit: int = 8,
    ) -> list[Passage]:
        """The clauses and tasks of the plans in ``slugs`` (all when None) holding the groups' words, best first."""
        return self.sentences.rank(groups, slugs, require, limit)

    # -- agencies -------------------------------------------------------------------------------------------
    def by_agency(self, name: str) -> AgencyReport:
        text = _clean(name)
        if not text:
            raise EmptyQuery("请输入单位名称，例如：“省商务厅”或“市场监管局”。")
        if len(text) > 100:
            raise QueryTooLong("单位名称太长了，请只输入单位名称，例如：“省商务厅”。")
        duties = [AgencyDuty(a, c) for c in self.snapshot.clauses for a in c.agencies]
        exact = tuple(d for d in duties if d.agency.name == text)
        kinds = tuple({KINDS_BY_ID[d.agency.kind] for d in exact}) if exact else tuple(kinds_mentioned(text))
        if not exact and not kinds:
            raise NotFound(
                f"知识库中没有找到单位“{_echo(text, 30)}”。可以输入完整名称（如“省商务厅”）或类别（如“市场监管”“法院”）。"
            )
        regions = {slug for scope in self.scopes_in(text) for slug in scope.slugs}  # "贵州的市场监管局"
        kind_ids = {k.id for k in kinds}
        related = tuple(
            d
            for d in duties
            if d.agency.kind in kind_ids
            and d.agency.name != text
            and (not regions or d.clause.document.slug in regions)
        )
        if not exact and not related:
            raise NotFound(f"收录的方案中没有“{_echo(text, 30)}”承担的任务。")
        return AgencyReport(text, exact, related, kinds)

    def agency_named_in(self, text: str) -> str | None:
        """The longest agency name (as the plans write it) that occurs in a question, if any."""
        names = {a.name for c in self.snapshot.clauses for a in c.agencies}
        found = [name for name in names if name in text]
        return max(found, key=len) if found else None

    # -- direct look-ups ------------------------------------------------------------------------------------
    def clause(self, region: str, number: str) -> ClauseView:
        scope = self.scope(region)
        ordinal = _parse_number(number)
        for clause in self.snapshot.clauses:
            if clause.document.slug in scope.slugs and clause.ordinal == ordinal:
                return clause
        counts = "、".join(f"{d.region}共{d.clause_count}条" for d in scope.documents)
        raise NotFound(f"没有找到第{_echo(number.strip(), 10)}条（{counts}）。")

    def task(self, region: str, number: str) -> TaskView:
        scope = self.scope(region)
        wanted = _parse_number(number)
        for task in self.snapshot.tasks:
            if task.document.slug in scope.slugs and task.number == wanted:
                return task
        with_tasks = [d for d in scope.documents if d.task_count]
        if not with_tasks:
            raise NotFound(f"{'、'.join(d.region for d in scope.documents)}的方案没有附带任务清单。")
        raise NotFound(
            f"没有找到第{_echo(number.strip(), 10)}项任务（{with_tasks[0].region}推进计划共{with_tasks[0].task_count}项）。"
        )

    def by_ref(self, ref: str) -> Item:
        """A clause or task in force (``guizhou/17``), or of a superseded version (``guizhou@1/17``)."""
        for item in self.snapshot.items:
            if item.ref == ref:
                return item
        found = self.plan_history.item(ref)
        if found is not None:
            return found
        raise NotFound(f"没有找到条款“{_echo(ref, 60)}”。")

    # -- versions -------------------------------------------------------------------------------------------
    def plan_slug(self, plan: str) -> str:
        """A plan named by its id (``guizhou``) or by a region (贵州, 黔, 遵义); raises QueryError otherwise."""
        text = _clean(plan)
        if self.plan_history.versions(text):
            return text
        documents = self.scope(text).documents
        if len(documents) > 1:
            raise NotFound(f"“{_echo(text, 20)}”对应多份方案：{'、'.join(d.slug for d in documents)}，请写方案编号。")
        return documents[0].slug

    def versions(self, plan: str) -> tuple[DocumentView, ...]:
        """Every version of a plan, oldest first; the last is the version in force."""
        return self.plan_history.versions(self.plan_slug(plan))

    def changes(self, plan: str, from_version: int | None = None, to_version: int | None = None) -> list[ClauseChange]:
        """Clause-level changes between two consecutive versions (default: previous → in force), in plan order."""
        return self.plan_history.plan_changes(self.plan_slug(plan), from_version, to_version)

    def history(self, ref: str) -> list[ClauseVersion]:
        """One clause through every version of its plan, oldest first (see ``History.lineage``)."""
        found = self.plan_history.lineage(ref)
        if not found:
            raise NotFound(f"没有找到条款“{_echo(ref, 60)}”。")
        return found

    def in_version(self, ref: str, status: str | None = None, version: int | None = None) -> ClauseVersion | None:
        """The same clause in another version of its plan — the latest one with that ``status`` (“征求意见稿里怎么
        写的”) or that ``version`` number. None when the plan has no such version or the clause was not in it yet;
        ``item`` is None when that version removed it."""
        found = [
            v
            for v in self.history(ref)
            if (status is None or v.document.status == status) and (version is None or v.document.version == version)
        ]
        return found[-1] if found else None

    def latest_change(self, ref: str) -> ClauseChange | None:
        """How a clause in force differs from the previous version; None if unchanged-plan or first version."""
        return self.plan_history.latest_change(ref)

    def cited(self, ref: str, at: str | datetime | None) -> CitedClause:
        """What a record citing ``ref`` at ``at`` meant, what it is now, and every change between."""
        return self.plan_history.cited(ref, at)

    def changed_citations(self, refs: list[str], at: str | datetime | None) -> list[CitedClause]:
        """Of the refs a record cited at ``at`` (feedback, a case, an unanswered question's suggestions), those whose
        clause has changed, split, merged or gone since: what staff should review, old and new text side by side."""
        return [found for ref in dict.fromkeys(refs) if (found := self.cited(ref, at)).changed]

    def by_region(self, region: str) -> tuple[RegionScope, list[ClauseView]]:
        scope = self.scope(region)
        return scope, [c for c in self.snapshot.clauses if c.document.slug in scope.slugs]

    def all_items(self, region: str | None) -> list[Scored]:
        """Every clause and task of a region's plans, in plan order (the staff console's "browse")."""
        return [Scored(item, 0.0, ()) for item in self._items(self.scope(region).slugs)]

    def _items(self, slugs: set[str] | frozenset[str]) -> list[Item]:
        return [i for i in self.snapshot.items if i.document.slug in slugs]


def filter_hits(hits: list[Scored], topic: str | None = None, agency: str | None = None) -> list[Scored]:
    """Keep hits tagged with a topic and/or naming an agency (by name as written, or by kind: 市场监管)."""
    if topic:
        hits = [h for h in hits if topic in h.item.topics]
    if agency and agency.strip():
        wanted = agency.strip()
        kinds = {k.id for k in kinds_mentioned(wanted)}
        hits = [h for h in hits if any(wanted in a.name or a.kind in kinds for a in h.item.agencies)]
    return hits


def _keyword_idf(items: tuple[Item, ...], topics: tuple[Topic, ...]) -> dict[str, float]:
    texts = [item.text for item in items]
    keywords = {k for topic in topics for k in topic.keywords}
    return {k: math.log(1 + len(texts) / (1 + sum(1 for t in texts if k in t))) for k in keywords}


def _question_text(question: str) -> str:
    """A question as searched: cleaned, neither empty nor longer than MAX_QUESTION_LENGTH (else a Chinese error)."""
    text = _clean(question)
    if not text:
        raise EmptyQuery("请输入要查询的问题，例如：“海外维权找谁”。")
    if len(text) > MAX_QUESTION_LENGTH:
        raise QueryTooLong(f"问题太长了（{len(text)}字），请控制在{MAX_QUESTION_LENGTH}字以内，简要说明遇到的情况。")
    return text


def _clean(text: str) -> str:
    return normalize(text or "")


def _echo(text: str, limit: int) -> str:
    """User text quoted back in a message: shortened and without markup characters, whatever the channel."""
    return re.sub(r"[<>&\"'`]", "", text)[:limit]


def _ordinal(item: Item) -> int:
    return item.ordinal if isinstance(item, ClauseView) else item.number


def _parse_number(number: str) -> int:
    text = _clean(number).strip("第条项（）() ")
    if re.fullmatch(r"\d{1,3}", text):
        return int(text)
    if re.fullmatch(r"[一二三四五六七八九十]{1,3}", text):
        return chinese_to_int(text)
    raise NotFound(f"条款编号“{_echo(text, 10)}”无效，请输入数字，例如 17 或 十七。")


def _interleave_by_document(hits: list[Scored]) -> list[Scored]:
    by_document: dict[str, list[Scored]] = {}
    for hit in hits:
        by_document.setdefault(hit.item.document.slug, []).append(hit)
    ordered: list[Scored] = []
    for rank in range(max((len(v) for v in by_document.values()), default=0)):
        ordered.extend(group[rank] for group in by_document.values() if rank < len(group))
    return ordered
