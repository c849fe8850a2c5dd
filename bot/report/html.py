"""The demand report as an HTML page for the console (统计): the same sections and tables as the Markdown report
(one layout, ``render.markdown``), with the server-drawn SVG charts placed under their sections. No script: the page
works without JavaScript; every text is escaped."""

from __future__ import annotations

from html import escape

from bot.report.demand import DemandReport
from bot.report.render import markdown

# Which chart goes under which section heading of the Markdown report.
CHART_UNDER = {
    "问题数：诉求 × 地区": "topic_region",
    "被引用最多的条款": "cited_clauses",
    "被问到最多的单位": "agencies",
    "每周趋势（周一起，北京时间）": "trend",
}


def report_html(report: DemandReport, charts: dict[str, str]) -> str:
    """The report's body: headings, paragraphs, tables (scrollable on a phone) and the charts."""
    out: list[str] = []
    table: list[list[str]] = []
    heading = "表格"
    for line in [*markdown(report).splitlines(), ""]:
        if line.startswith("|"):
            if not set(line) <= set("|-"):  # the Markdown rule line under the header
                table.append([cell.strip() for cell in line.strip("|").split("|")])
            continue
        if table:
            out.append(_table(table, heading))
            table = []
        if line.startswith("## "):
            heading = line[3:]
            out.append(f"<h2>{escape(heading)}</h2>")
            if heading in CHART_UNDER and charts.get(CHART_UNDER[heading]):
                out.append(f'<figure class="chart">{charts[CHART_UNDER[heading]]}</figure>')
        elif line.startswith("# "):
            continue  # the page has its own h1
        elif line.strip():
            out.append(f"<p>{escape(line.strip())}</p>")
    return "\n".join(out)


def _table(rows: list[list[str]], label: str) -> str:
    """A table in a box that scrolls on a phone: focusable and named, so a keyboard can scroll it too."""
    header, *body = rows
    head = "".join(f'<th scope="col">{escape(cell)}</th>' for cell in header)
    lines = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in body)
    return (
        f'<div class="table-wrap" tabindex="0" role="region" aria-label="{escape(label)}">'
        f"<table><thead><tr>{head}</tr></thead><tbody>{lines}</tbody></table></div>"
    )
