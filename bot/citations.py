"""Plain-text rendering of knowledge-base items with their citation: used by the CLI and the staff console.

Everything printed comes from the item itself; where the plan names no agency or deadline, the text says so. The
disclaimer is the chat's (``utter_notice_line`` of domain.yml).
"""

from __future__ import annotations

from bot.kb.query import AgencyReport, RegionScope
from bot.kb.views import ClauseView, DocumentView, Item

NO_AGENCY = "原文未列明牵头或责任单位"


def document_line(document: DocumentView) -> str:
    parts = [document.region, document.level_label, document.status, document.dated]
    if document.doc_number:
        parts.append(document.doc_number)
    return f"{document.citation}（{'，'.join(parts)}）"


def agency_lines(item: Item) -> list[str]:
    if not item.agencies:
        return [f"单位：{NO_AGENCY}。"] if isinstance(item, ClauseView) else []
    lines = []
    leads = [a.name for a in item.leads]
    others = [a.name for a in item.responsible]
    if leads:
        lines.append(f"牵头单位：{'、'.join(leads)}")
    if others:
        lines.append(f"责任单位：{'、'.join(others)}")
    return lines


def item_block(item: Item, quote: tuple[str, ...] = (), full_text: bool = False) -> str:
    heading = f"【{item.document.region}】{item.label}"
    if isinstance(item, ClauseView) and item.title not in item.label:
        heading += f" {item.title}"
    lines = [heading]
    if full_text:
        lines.append(f"原文：{item.text}")
    elif quote:
        lines.append(f"原文摘录：“{''.join(quote)}”")
    lines.extend(agency_lines(item))
    if item.deadline:
        lines.append(f"{'完成时限' if isinstance(item, ClauseView) else '时限'}：{item.deadline}")
    lines.append(f"出处：{item.citation}")
    return "\n".join(lines)


def region_block(scope: RegionScope, clauses: list[ClauseView]) -> str:
    lines = []
    if scope.mention and scope.mention.division.name != scope.documents[0].region:
        lines.append(f"“{scope.mention.surface}”属于{scope.mention.division.name}，收录的是以下方案：")
    for document in scope.documents:
        lines.append(document_line(document))
        count = f"共{document.clause_count}条" + (
            f"，附件推进计划{document.task_count}项任务" if document.task_count else ""
        )
        lines.append(f"  {count}")
        if document.leadership_group:
            leader = next((m for m in document.leadership if m.role == "组长"), None)
            if leader:
                lines.append(f"  {document.leadership_group}：组长 {leader.name}（{leader.post}）")
            if document.leadership_office:
                lines.append(f"  {document.leadership_office}")
    lines.extend(f"  {c.label}" for c in clauses)
    return "\n".join(lines)


def agency_block(report: AgencyReport) -> str:
    lines = []
    if report.exact:
        lines.append(f"“{report.query}”在以下条款中承担任务：")
        lines.extend(f"- 【{d.clause.document.region}】{d.clause.label}（{d.agency.role_label}）" for d in report.exact)
    if report.related:
        kinds = "、".join(k.label for k in report.kinds)
        lines.append(f"同类单位（{kinds}）：")
        lines.extend(
            f"- 【{d.clause.document.region}】{d.clause.label}：{d.agency.name}（{d.agency.role_label}）"
            for d in report.related
        )
    return "\n".join(lines)
