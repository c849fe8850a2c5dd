"""Clause-level alignment of two versions of a plan, on content rather than on numbers.

Revisions renumber clauses, split one into two, merge two into one, add and drop clauses, and rewrite sentences
and the 牵头/责任单位 of others. Matching by number would call a renumbered clause "changed" and miss a moved one,
so clauses are matched by what they say:

1. similarity of every (old, new) pair: ``difflib.SequenceMatcher`` over the jieba index terms of the clause body
   (the assignment parenthetical is compared separately, as agencies and a deadline);
2. one-to-one matching, greedily from the most similar pair down (ties: the pair closest in position), above
   ``MATCH``;
3. an unmatched old clause most of whose terms reappear in a matched new clause, and which accounts for what that
   clause's match lacks, was merged into it; likewise an unmatched new clause was split off a matched old one;
   what is left was removed or added.

Each matched pair is then diffed sentence by sentence, and its agencies and deadline compared. Pure: no I/O; the
term function is passed in (``ChineseTokenizer.terms``).
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.kb.parse import split_sentences
from bot.text import normalize

MATCH = 0.5  # below this a pair is not the same clause (same-topic clauses of one plan score 0.1–0.35)
CONTAINED = 0.6  # share of a clause's terms found in another for a split or a merge
GAIN = 0.2  # … and the share of that other clause it accounts for beyond what the other's match covers
SENTENCE_EDIT = 0.5  # a replaced sentence at least this similar (characters) is "modified", else removed + added

KINDS = ("unchanged", "changed", "added", "removed", "split", "merged")


@dataclass(frozen=True)
class ClauseText:
    """What the alignment needs of one clause (or task) of one version."""

    ref: str
    ordinal: int
    number: str
    body: str
    agencies: tuple[tuple[str, str], ...] = ()  # (name, role) in the plan's order
    deadline: str | None = None


@dataclass(frozen=True)
class ClauseChange:
    """How one clause fared from one version to the next.

    ``old_refs``/``new_refs``: one each for unchanged and changed; one old and several new for a split, several
    old and one new for a merge; none on one side for added or removed. The lists of agencies are complete
    (name, role) lists of both sides, so a reader can say "牵头单位由甲改为乙" without another look-up.
    """

    kind: str
    old_refs: tuple[str, ...]
    new_refs: tuple[str, ...]
    old_ordinals: tuple[int, ...] = ()
    new_ordinals: tuple[int, ...] = ()
    similarity: float = 0.0
    renumbered: bool = False
    sentences_removed: tuple[str, ...] = ()
    sentences_added: tuple[str, ...] = ()
    sentences_modified: tuple[tuple[str, str], ...] = ()
    agencies_before: tuple[tuple[str, str], ...] = ()
    agencies_after: tuple[tuple[str, str], ...] = ()
    deadline_before: str | None = None
    deadline_after: str | None = None
    position: float = field(default=0.0, compare=False)

    @property
    def agencies_changed(self) -> bool:
        return self.agencies_before != self.agencies_after

    @property
    def agencies_added(self) -> tuple[tuple[str, str], ...]:
        return tuple(a for a in self.agencies_after if a not in self.agencies_before)

    @property
    def agencies_removed(self) -> tuple[tuple[str, str], ...]:
        return tuple(a for a in self.agencies_before if a not in self.agencies_after)

    @property
    def deadline_changed(self) -> bool:
        return self.deadline_before != self.deadline_after

    @property
    def text_changed(self) -> bool:
        return bool(self.sentences_removed or self.sentences_added or self.sentences_modified)

    def details(self) -> dict[str, Any]:
        """A JSON-ready dict of everything but kind, refs, similarity and position (stored in ``kb_changes``)."""
        data = asdict(self)
        for key in ("kind", "old_refs", "new_refs", "similarity", "position"):
            data.pop(key)
        return data

    @classmethod
    def from_row(
        cls, kind: str, old_refs: list[str], new_refs: list[str], similarity: float, details: dict[str, Any]
    ) -> ClauseChange:
        def pairs(key: str) -> tuple[tuple[str, str], ...]:
            return tuple((str(a), str(b)) for a, b in details.get(key, ()))

        return cls(
            kind=kind,
            old_refs=tuple(old_refs),
            new_refs=tuple(new_refs),
            old_ordinals=tuple(details.get("old_ordinals", ())),
            new_ordinals=tuple(details.get("new_ordinals", ())),
            similarity=similarity,
            renumbered=bool(details.get("renumbered")),
            sentences_removed=tuple(details.get("sentences_removed", ())),
            sentences_added=tuple(details.get("sentences_added", ())),
            sentences_modified=pairs("sentences_modified"),
            agencies_before=pairs("agencies_before"),
            agencies_after=pairs("agencies_after"),
            deadline_before=details.get("deadline_before"),
            deadline_after=details.get("deadline_after"),
        )


Terms = Callable[[str], list[str]]


def align(old: Sequence[ClauseText], new: Sequence[ClauseText], terms: Terms) -> list[ClauseChange]:
    """Every clause of both versions accounted for once, in the new version's order (removed ones where they were)."""
    old_terms = [terms(c.body) for c in old]
    new_terms = [terms(c.body) for c in new]
    scores = {
        (i, j): _similarity(old[i], new[j], old_terms[i], new_terms[j])
        for i in range(len(old))
        for j in range(len(new))
    }
    pairs: dict[int, int] = {}  # old index → new index
    taken: set[int] = set()
    for (i, j), score in sorted(scores.items(), key=lambda kv: (-kv[1], abs(kv[0][0] - kv[0][1]), kv[0])):
        if score < MATCH:
            break
        if i not in pairs and j not in taken:
            pairs[i] = j
            taken.add(j)

    # A leftover clause joins a matched pair when most of its terms are found on the other side *and* it accounts
    # for content the pair's own match lacks (else a short new clause on a nearby subject would count as split off).
    new_to_old = {j: i for i, j in pairs.items()}
    merged: dict[int, list[int]] = {}  # new index → extra old indexes merged into it
    for k in range(len(old)):
        if k not in pairs:
            into = _best_partner(old_terms[k], new_terms, old_terms, new_to_old)
            if into is not None:
                merged.setdefault(into, []).append(k)
    split: dict[int, list[int]] = {}  # old index → extra new indexes split off it
    for m in range(len(new)):
        if m not in taken:
            source = _best_partner(new_terms[m], old_terms, new_terms, pairs)
            if source is not None:
                split.setdefault(source, []).append(m)
    absorbed_old = {i for extra in merged.values() for i in extra}
    absorbed_new = {j for extra in split.values() for j in extra}

    changes: list[ClauseChange] = []
    for i, j in pairs.items():
        olds = [old[i], *(old[k] for k in merged.get(j, []))]
        news = [new[j], *(new[k] for k in split.get(i, []))]
        olds.sort(key=lambda c: c.ordinal)
        news.sort(key=lambda c: c.ordinal)
        kind = "merged" if len(olds) > 1 else "split" if len(news) > 1 else ""
        changes.append(_compare(olds, news, scores[(i, j)], kind, position=float(new[j].ordinal)))
    new_position = {i: float(new[j].ordinal) for i, j in pairs.items()}
    for i, clause in enumerate(old):
        if i not in pairs and i not in absorbed_old:
            before = [new_position[k] for k in new_position if k < i]
            changes.append(
                ClauseChange(
                    "removed",
                    (clause.ref,),
                    (),
                    old_ordinals=(clause.ordinal,),
                    agencies_before=clause.agencies,
                    deadline_before=clause.deadline,
                    sentences_removed=tuple(split_sentences(clause.body)),
                    position=(max(before) if before else 0.0) + 0.5,
                )
            )
    for j, clause in enumerate(new):
        if j not in taken and j not in absorbed_new:
            changes.append(
                ClauseChange(
                    "added",
                    (),
                    (clause.ref,),
                    new_ordinals=(clause.ordinal,),
                    agencies_after=clause.agencies,
                    deadline_after=clause.deadline,
                    sentences_added=tuple(split_sentences(clause.body)),
                    position=float(clause.ordinal),
                )
            )
    changes.sort(key=lambda c: (c.position, c.old_ordinals, c.new_ordinals))
    return changes


def _similarity(a: ClauseText, b: ClauseText, a_terms: list[str], b_terms: list[str]) -> float:
    if normalize(a.body) == normalize(b.body):
        return 1.0
    matcher = difflib.SequenceMatcher(None, a_terms, b_terms, autojunk=False)
    if matcher.real_quick_ratio() < MATCH or matcher.quick_ratio() < MATCH:
        return matcher.quick_ratio() * 0.5  # surely below MATCH; cheap, and still orders the pair
    return matcher.ratio()


def _contained(part: list[str], whole: list[str]) -> float:
    """Share of ``part``'s terms (as a multiset, in any order) found in ``whole``."""
    if not part:
        return 0.0
    return sum((Counter(part) & Counter(whole)).values()) / len(part)


def _best_partner(
    part: list[str], others: list[list[str]], own_side: list[list[str]], matched: dict[int, int]
) -> int | None:
    """The matched clause on the other side that ``part`` was split from or merged into, if any.

    ``matched`` maps a clause on the other side to its match on ``part``'s side. The leftover must be mostly
    contained in the candidate, and the candidate must be covered clearly better by its match plus the leftover
    than by its match alone.
    """
    best: tuple[float, int] | None = None
    for k in sorted(matched):
        if _contained(part, others[k]) < CONTAINED:
            continue
        partner = own_side[matched[k]]
        gain = _contained(others[k], partner + part) - _contained(others[k], partner)
        if gain >= GAIN and (best is None or gain > best[0]):
            best = (gain, k)
    return best[1] if best else None


def _compare(
    olds: list[ClauseText], news: list[ClauseText], similarity: float, kind: str, position: float
) -> ClauseChange:
    old_sentences = [s for c in olds for s in split_sentences(c.body)]
    new_sentences = [s for c in news for s in split_sentences(c.body)]
    removed, added, modified = _sentence_diff(old_sentences, new_sentences)
    agencies_before = tuple(dict.fromkeys(a for c in olds for a in c.agencies))
    agencies_after = tuple(dict.fromkeys(a for c in news for a in c.agencies))
    deadline_before = next((c.deadline for c in olds if c.deadline), None)
    deadline_after = next((c.deadline for c in news if c.deadline), None)
    old_ordinals = tuple(c.ordinal for c in olds)
    new_ordinals = tuple(c.ordinal for c in news)
    if not kind:
        same = not (removed or added or modified) and agencies_before == agencies_after
        kind = "unchanged" if same and deadline_before == deadline_after else "changed"
    return ClauseChange(
        kind=kind,
        old_refs=tuple(c.ref for c in olds),
        new_refs=tuple(c.ref for c in news),
        old_ordinals=old_ordinals,
        new_ordinals=new_ordinals,
        similarity=round(similarity, 3),
        renumbered=len(olds) == len(news) == 1
        and (olds[0].ordinal, olds[0].number) != (news[0].ordinal, news[0].number),
        sentences_removed=tuple(removed),
        sentences_added=tuple(added),
        sentences_modified=tuple(modified),
        agencies_before=agencies_before,
        agencies_after=agencies_after,
        deadline_before=deadline_before,
        deadline_after=deadline_after,
        position=position,
    )


def _sentence_diff(old: list[str], new: list[str]) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    keys_old = [normalize(s) for s in old]
    keys_new = [normalize(s) for s in new]
    removed: list[str] = []
    added: list[str] = []
    modified: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, keys_old, keys_new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "delete":
            removed.extend(old[i1:i2])
        elif tag == "insert":
            added.extend(new[j1:j2])
        elif tag == "replace":
            _pair_replaced(old[i1:i2], new[j1:j2], removed, added, modified)
    return removed, added, modified


def _pair_replaced(
    old: list[str], new: list[str], removed: list[str], added: list[str], modified: list[tuple[str, str]]
) -> None:
    """Within a replaced block, pair each old sentence with its most similar new one (in order) if close enough."""
    used: set[int] = set()
    start = 0
    for sentence in old:
        scored = [
            (difflib.SequenceMatcher(None, sentence, candidate, autojunk=False).ratio(), k)
            for k, candidate in enumerate(new)
            if k >= start and k not in used
        ]
        ratio, k = max(scored, default=(0.0, -1), key=lambda pair: (pair[0], -pair[1]))
        if ratio >= SENTENCE_EDIT:
            added.extend(new[m] for m in range(start, k) if m not in used)
            modified.append((sentence, new[k]))
            used.update(range(start, k + 1))
            start = k + 1
        else:
            removed.append(sentence)
    added.extend(new[m] for m in range(start, len(new)) if m not in used)
