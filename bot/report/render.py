"""The demand report as Markdown (for people) or CSV (one tidy table for a spreadsheet: section, key, key, value)."""

from __future__ import annotations

import csv
import io

from bot.report.demand import MIN_CONVERSATIONS, DemandReport


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(str(cell).replace("|", "／") for cell in row) + " |" for row in rows)
    return lines


def _period(report: DemandReport) -> str:
    if report.first_day is None:
        return "没有记录"
    start = report.since.isoformat() if report.since else report.first_day.isoformat()
    return f"{start} 至 {report.last_day}（北京时间）"


def markdown(report: DemandReport) -> str:
    lines = [
        "# 企业诉求报告",
        "",
        f"统计期间：{_period(report)}。会话 {report.conversations} 个，问题 {report.questions} 个，"
        f"未能回答 {report.unanswered} 个，转人工 {report.handoffs.total} 件，评价 {report.useful + report.useless} 次"
        f"（有用 {report.useful}，没用 {report.useless}）。",
        "",
        "## 问题数：诉求 × 地区",
        "",
    ]
    regions = report.regions
    rows: list[list[object]] = []
    for topic in report.topics:
        counts = [report.topic_region.get((topic, region), 0) for region in regions]
        rows.append([report.topic_name(topic), *counts, sum(counts)])
    lines += _table(["诉求", *regions, "合计"], rows)
    lines += ["", "## 方案未能回答的问题（按用词）", ""]
    if report.unanswered_terms:
        lines += _table(
            ["用词", "问题数", "会话数", "常一起出现的词"],
            [[g.term, g.questions, g.conversations, "；".join(g.with_terms)] for g in report.unanswered_terms],
        )
    lines.append(f"\n只列出至少 {MIN_CONVERSATIONS} 个会话用过的词；问题原文不进入报告。")
    lines += ["", "## 被引用最多的条款", ""]
    lines += _table(["条款", "引用次数"], [[f"{report.ref_label(r)}（{r}）", n] for r, n in report.cited])
    lines += ["", "## 被问到最多的单位", ""]
    lines += _table(["单位", "次数"], [[name, n] for name, n in report.agencies])
    lines += ["", "## 各条款的评价（没用的多者在前）", ""]
    lines += _table(
        ["条款", "有用", "没用"],
        [[f"{report.ref_label(f.ref)}（{f.ref}）", f.useful, f.useless] for f in report.feedback[:30]],
    )
    h = report.handoffs
    lines += ["", "## 转人工", "", f"共 {h.total} 件：已处理 {h.handled}，待处理 {h.open}。"]
    if h.median_hours is not None:
        lines.append(f"从转人工到处理完毕：中位 {h.median_hours} 小时，90% 在 {h.p90_hours} 小时内。")
    elif not h.closing_time_recorded:
        lines.append("处理用时：记录中没有处理时间（无 handled_at，也无工作人员操作记录），暂无法统计。")
    else:
        lines.append("处理用时：已处理的案件没有工作人员操作记录（例如在启用工作人员账号之前处理的），暂无法统计。")
    lines += ["", *_table(["主题", "件数"], [list(pair) for pair in h.by_topic])]
    lines += ["", *_table(["地区", "件数"], [list(pair) for pair in h.by_region])]
    lines += ["", "## 审核与重新训练", "", *_review_lines(report)]
    lines += ["", "## 每周趋势（周一起，北京时间）", ""]
    lines += _table(
        ["周", "会话", "问题", "未能回答", "转人工", "有用", "没用"],
        [[w.start, w.conversations, w.questions, w.unanswered, w.handoffs, w.useful, w.useless] for w in report.weeks],
    )
    return "\n".join(lines) + "\n"


SCORES = (  # the headline figures of a retrain's candidate (bot.review.retrain_report.HEADLINE), as the report names them
    ("nlu.intent_macro_f1", "意图宏F1"),
    ("questions.kind_accuracy", "真实问题种类准确率"),
    ("questions.answer_hit_at_3", "真实问题Hit@3"),
    ("robustness.kind_accuracy", "改写问题种类准确率"),
)
DECISIONS = {"accepted": "采用", "refused": "未采用", "failed": "失败"}


def _review_lines(report: DemandReport) -> list[str]:
    r = report.review
    lines = [f"审核消息 {r.reviewed} 条：确认 {r.confirmed}，更正 {r.corrected}，丢弃 {r.discarded}。"]
    if r.corrections:
        lines += ["", *_table(["助手理解为", "更正为", "条数"], [list(row) for row in r.corrections])]
    if r.retrains:
        rows: list[list[object]] = [
            [m.day, DECISIONS.get(m.decision, m.decision), m.candidate, *(_score(m.figures.get(k)) for k, _ in SCORES)]
            for m in r.retrains
        ]
        lines += ["", *_table(["日期", "结果", "候选模型", *(name for _, name in SCORES)], rows)]
    else:
        lines.append("统计期间没有重新训练。")
    return lines


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def csv_text(report: DemandReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "key", "key2", "value"])
    writer.writerow(["totals", "conversations", "", report.conversations])
    writer.writerow(["totals", "questions", "", report.questions])
    writer.writerow(["totals", "unanswered", "", report.unanswered])
    writer.writerow(["totals", "handoffs", "", report.handoffs.total])
    writer.writerow(["totals", "handoffs_handled", "", report.handoffs.handled])
    writer.writerow(["totals", "useful", "", report.useful])
    writer.writerow(["totals", "useless", "", report.useless])
    for (topic, region), count in sorted(report.topic_region.items()):
        writer.writerow(["topic_region", topic, region, count])
    for group in report.unanswered_terms:
        writer.writerow(["unanswered_term", group.term, "；".join(group.with_terms), group.questions])
    for ref, count in report.cited:
        writer.writerow(["cited", ref, report.ref_label(ref), count])
    for name, count in report.agencies:
        writer.writerow(["agency", name, "", count])
    for row in report.feedback:
        writer.writerow(["feedback_useful", row.ref, report.ref_label(row.ref), row.useful])
        writer.writerow(["feedback_useless", row.ref, report.ref_label(row.ref), row.useless])
    for topic, count in report.handoffs.by_topic:
        writer.writerow(["handoff_topic", topic, "", count])
    if report.handoffs.median_hours is not None:
        writer.writerow(["handoff_hours", "median", "", report.handoffs.median_hours])
        writer.writerow(["handoff_hours", "p90", "", report.handoffs.p90_hours])
    for week in report.weeks:
        for key in ("conversations", "questions", "unanswered", "handoffs", "useful", "useless"):
            writer.writerow(["week", week.start.isoformat(), key, getattr(week, key)])
    return out.getvalue()
