"""Charts of the demand report as SVG text, drawn on the server: no script, no external font or stylesheet, so
a page can embed them inline under a strict CSP (``<img src="data:…">`` or inline ``<svg>``) and they print.

Every label is escaped; sizes come from a ``viewBox`` so the charts scale to a phone's width.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from bot.report.demand import DemandReport, Week

FONT = "font-family=\"'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei',sans-serif\""
INK = "#1f2933"
ACCENT = "#1a5fb4"


def _text(x: float, y: float, value: object, size: int = 12, anchor: str = "start", fill: str = INK) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}">'
        f"{escape(str(value))}</text>"
    )


def _svg(width: float, height: float, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" role="img" aria-label="{escape(title, {chr(34): "&quot;"})}" {FONT}>'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _blue(share: float) -> str:
    """White (0) to the accent blue (1), for heat-map cells."""
    low, high = (255, 255, 255), (26, 95, 180)
    r, g, b = (round(lo + (hi - lo) * share) for lo, hi in zip(low, high, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


NO_DATA = "暂无数据"
SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市")


def region_label(name: str) -> str:
    """A region as a column heading: whole, and short (广西, 保德县), never cut mid-name (广西壮族自)."""
    if name.endswith(("县", "区")) and "市" in name:  # 山西省忻州市保德县 → 保德县
        return name.rsplit("市", 1)[1]
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _empty(width: float, height: float) -> str:
    return _text(width / 2, height / 2 + 6, NO_DATA, 14, "middle", "#57606a")


def heatmap(report: DemandReport, max_topics: int = 15) -> str:
    """Questions by topic (rows) × region (columns), darker = more; the count is written in each cell."""
    topics = report.topics[:max_topics]
    regions = report.regions
    cell_w, cell_h, left, top = 64, 22, 150, 40
    width, height = left + cell_w * max(1, len(regions)) + 10, top + cell_h * max(1, len(topics)) + 10
    peak = max(report.topic_region.values(), default=0) or 1
    body = [_text(4, 16, "问题数：诉求 × 地区", 13)]
    for column, region in enumerate(regions):
        body.append(_text(left + cell_w * column + cell_w / 2, top - 8, region_label(region), 11, "middle"))
    for row, topic in enumerate(topics):
        y = top + cell_h * row
        body.append(_text(left - 6, y + 15, report.topic_name(topic)[:11], 11, "end"))
        for column, region in enumerate(regions):
            count = report.topic_region.get((topic, region), 0)
            share = count / peak
            x = left + cell_w * column
            body.append(
                f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{_blue(share)}">'
                f"<title>{escape(report.topic_name(topic))} · {escape(region)}：{count}</title></rect>"
            )
            body.append(_text(x + cell_w / 2 - 1, y + 15, count, 10, "middle", "#ffffff" if share > 0.55 else INK))
    if not topics or not regions:
        body.append(_empty(width, height + 20))
    return _svg(width, height + (20 if not topics or not regions else 0), "问题数：诉求 × 地区", body)


def bars(title: str, rows: list[tuple[str, int]], color: str = ACCENT) -> str:
    """Horizontal bars, one per (label, value), longest first as given."""
    bar_h, left, width = 20, 220, 560
    height = 30 + bar_h * max(1, len(rows)) + 6
    peak = max((v for _, v in rows), default=0) or 1
    body = [_text(4, 18, title, 13)]
    for index, (label, value) in enumerate(rows):
        y = 28 + bar_h * index
        length = (width - left - 50) * value / peak
        body.append(_text(left - 6, y + 14, label[:18], 11, "end"))
        body.append(f'<rect x="{left}" y="{y + 3}" width="{length:.1f}" height="{bar_h - 6}" fill="{color}"/>')
        body.append(_text(left + length + 4, y + 14, value, 11))
    if not rows:
        body.append(_empty(width, height))
    return _svg(width, height, title, body)


def trend(weeks: tuple[Week, ...]) -> str:
    """Questions, unanswered questions and handoffs per week (Monday, Beijing time)."""
    width, height, left, right, top, bottom = 640, 240, 46, 12, 30, 36
    series = [
        ("问题", ACCENT, [w.questions for w in weeks]),
        ("未能回答", "#c01c28", [w.unanswered for w in weeks]),
        ("转人工", "#e66100", [w.handoffs for w in weeks]),
    ]
    peak = max((v for _, _, values in series for v in values), default=0) or 1
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(1, len(weeks) - 1)
    body = [_text(4, 16, "每周趋势", 13)]
    for fraction in (0.0, 0.5, 1.0):
        y = top + plot_h * (1 - fraction)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#d0d7de"/>')
        body.append(_text(left - 4, y + 4, round(peak * fraction), 10, "end"))
    for index, week in enumerate(weeks):
        if index % max(1, len(weeks) // 6) == 0:
            body.append(_text(left + step * index, height - bottom + 16, week.start.strftime("%m-%d"), 10, "middle"))
    for position, (label, color, values) in enumerate(series):
        points = " ".join(f"{left + step * i:.1f},{top + plot_h * (1 - v / peak):.1f}" for i, v in enumerate(values))
        if points:
            body.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>')
        body.append(f'<rect x="{left + 110 * position}" y="{height - 12}" width="10" height="10" fill="{color}"/>')
        body.append(_text(left + 110 * position + 14, height - 3, label, 11))
    if not any(v for _, _, values in series for v in values):
        body.append(_empty(width, height - 20))
    return _svg(width, height, "每周趋势", body)


def charts(report: DemandReport) -> dict[str, str]:
    """Every chart of the report by name: what a console page embeds and ``--svg DIR`` writes."""
    return {
        "topic_region": heatmap(report),
        "cited_clauses": bars("被引用最多的条款", [(report.ref_label(r), n) for r, n in report.cited[:12]]),
        "agencies": bars("被问到最多的单位", list(report.agencies[:12]), "#26a269"),
        "trend": trend(report.weeks),
    }
