"""Copy-ready blocks of the plans: a clause or task with its citation, a region's plans, the duties of a unit.

The CLI prints them and the console's search list copies them. They are rendered like the chat's answers: every
sentence is a response of ``domain.yml`` (``utter_block_*``), and a clause's units and deadline are the chat's own
parts (``render.unit_parts``). Everything shown comes from the item; where the plan names no unit, the block says so.
"""

from __future__ import annotations

from bot.answers.render import unit_parts
from bot.answers.wording import Wording
from bot.kb.query import AgencyReport, RegionScope
from bot.kb.views import ClauseView, DocumentView, Item


def document_line(document: DocumentView, wording: Wording) -> str:
    facts = [document.region, document.level_label, document.status, document.dated]
    if document.doc_number:
        facts.append(document.doc_number)
    return wording.text("utter_block_document", citation=document.citation, facts="，".join(facts))


def item_block(item: Item, wording: Wording, quote: tuple[str, ...] = (), full_text: bool = False) -> str:
    label = item.label
    if isinstance(item, ClauseView) and item.title not in item.label:
        label += f" {item.title}"
    lines = [wording.text("utter_block_heading", region=item.document.region, label=label)]
    if full_text:
        lines.append(wording.text("utter_block_text", text=item.text))
    elif quote:
        lines.append(wording.text("utter_block_quote", quote="".join(quote)))
    if item.agencies:
        lines.extend(unit_parts(item, wording, most=None))  # a copy-ready block names every unit
    elif isinstance(item, ClauseView):
        lines.append(wording.text("utter_block_no_agency"))
    if item.deadline:
        name = "utter_part_deadline" if isinstance(item, ClauseView) else "utter_block_task_deadline"
        lines.append(wording.text(name, deadline=item.deadline))
    lines.append(wording.text("utter_block_source", citation=item.citation))
    return "\n".join(lines)


def region_block(scope: RegionScope, clauses: list[ClauseView], wording: Wording) -> str:
    lines = []
    if scope.mention and scope.mention.division.name != scope.documents[0].region:
        lines.append(
            wording.text("utter_block_region_of", surface=scope.mention.surface, region=scope.mention.division.name)
        )
    for document in scope.documents:
        lines.append(document_line(document, wording))
        if document.task_count:
            count = wording.text("utter_block_count_tasks", clauses=document.clause_count, tasks=document.task_count)
        else:
            count = wording.text("utter_block_count", clauses=document.clause_count)
        lines.append(f"  {count}")
        if document.leadership_group:
            leader = next((m for m in document.leadership if m.role == "组长"), None)
            if leader:
                text = wording.text(
                    "utter_block_leader", group=document.leadership_group, leader=leader.name, post=leader.post
                )
                lines.append(f"  {text}")
            if document.leadership_office:
                lines.append(f"  {document.leadership_office}")
    lines.extend(f"  {c.label}" for c in clauses)
    return "\n".join(lines)


def agency_block(report: AgencyReport, wording: Wording) -> str:
    lines = []
    if report.exact:
        lines.append(wording.text("utter_block_duties", query=report.query))
        lines.extend(
            wording.text(
                "utter_block_duty", region=d.clause.document.region, label=d.clause.label, role=d.agency.role_label
            )
            for d in report.exact
        )
    if report.related:
        lines.append(wording.text("utter_block_related", kinds="、".join(k.label for k in report.kinds)))
        lines.extend(
            wording.text(
                "utter_block_related_duty",
                region=d.clause.document.region,
                label=d.clause.label,
                unit=d.agency.name,
                role=d.agency.role_label,
            )
            for d in report.related
        )
    return "\n".join(lines)
