"""Command line for hotline staff and developers: readable Chinese with the citation.

python -m bot search 海外维权 --region 云南
python -m bot agency 省商务厅
python -m bot clause 贵州 17
python -m bot task 云南 57
python -m bot region 山西
python -m bot topic overseas_assistance --region 贵州
python -m bot regions
python -m bot changes 贵州                 # versions of a plan and what changed, clause by clause
python -m bot report --since 2026-06-01 --format md
python -m bot retrain                      # confirmed examples → candidate model; switched only if not worse
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import date
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bot.answers.blocks import agency_block, document_line, item_block, region_block
from bot.answers.wording import Wording
from bot.kb.changelog import plan_changes_text
from bot.kb.errors import QueryError
from bot.kb.query import KnowledgeBase
from bot.kb.service import open_knowledge_base
from bot.launcher import RASA_TOKEN_FILE
from bot.report.render import csv_text, markdown
from bot.report.service import demand_report
from bot.report.svg import charts
from bot.review.export import export_reviewed
from bot.review.retrain import Busy, Workspace, retrain
from bot.review.retrain_report import STATES
from bot.review.retrain_switch import RasaApi
from bot.settings import PROJECT_ROOT, Settings
from bot.text import ChineseTokenizer


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text[:20]}”无效，请写成 YYYY-MM-DD，如 2026-06-01") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="知识产权维权助手：查询收录的实施方案")
    commands = parser.add_subparsers(dest="command", required=True)
    search = commands.add_parser("search", help="按问题检索条款")
    search.add_argument("question")
    search.add_argument("--region", default=None, help="地区，如 贵州、黔、遵义")
    search.add_argument("--limit", type=int, default=3)
    agency = commands.add_parser("agency", help="某单位承担的任务（含各地同类单位）")
    agency.add_argument("name")
    clause = commands.add_parser("clause", help="查看某地方案的第N条全文")
    clause.add_argument("region")
    clause.add_argument("number")
    task = commands.add_parser("task", help="查看推进计划的第N项任务")
    task.add_argument("region")
    task.add_argument("number")
    region = commands.add_parser("region", help="某地区收录的方案与条款目录")
    region.add_argument("region")
    topic = commands.add_parser("topic", help="按主题查看某地区的条款")
    topic.add_argument("topic")
    topic.add_argument("--region", default=None)
    commands.add_parser("regions", help="收录的地区与方案")
    changes = commands.add_parser("changes", help="某方案各版本之间逐条的改动")
    changes.add_argument("plan", help="方案编号或地区，如 guizhou、贵州")
    report = commands.add_parser("report", help="企业诉求报告（只读：记录库与 Rasa 对话库）")
    report.add_argument("--since", type=_day, default=None, help="起始日期 YYYY-MM-DD（北京时间）")
    report.add_argument("--format", choices=["md", "csv"], default="md")
    report.add_argument("--svg", type=Path, default=None, help="把图表写成 SVG 文件的目录")
    report.add_argument(
        "--tracker-url", default=None, help="Rasa 对话库（默认 TRACKER_STORE_URL 或 var/tracker.sqlite3）"
    )
    commands.add_parser(
        "retrain",
        help="重训练（管理员）：导出已确认的标注例子，训练候选模型，与在用模型在同一批评测材料上比较，不低于下限且不比在用模型差才切换",
    )
    return parser


def report_command(args: argparse.Namespace, settings: Settings, kb: KnowledgeBase) -> str:
    tracker_url = (
        args.tracker_url
        or os.environ.get("TRACKER_STORE_URL")
        or f"sqlite:///{PROJECT_ROOT / 'var' / 'tracker.sqlite3'}"
    )
    found = demand_report(settings.database_url, tracker_url, kb, ChineseTokenizer(settings.dict_dir), args.since)
    if args.svg is not None:
        args.svg.mkdir(parents=True, exist_ok=True)
        for name, svg in charts(found).items():
            (args.svg / f"{name}.svg").write_text(svg, encoding="utf-8")
    return csv_text(found) if args.format == "csv" else markdown(found)


def retrain_command(settings: Settings) -> int:
    """Rasa's replicas from RASA_URL, its API token from RASA_AUTH_TOKEN or the file `make run` keeps it in."""

    def progress(line: str) -> None:
        print(line, flush=True)

    def export() -> int:
        done = export_reviewed(settings)
        progress(f"    写出 {done.written} 条，{done.held_back} 条与评测问题相近而未用")
        return done.written

    token_file = PROJECT_ROOT / RASA_TOKEN_FILE
    token = os.environ.get("RASA_AUTH_TOKEN") or (token_file.read_text().strip() if token_file.is_file() else "")
    try:
        outcome = retrain(Workspace(), RasaApi(tuple(settings.rasa_urls), token), export, progress)
    except Busy as busy:
        print(f"已有重训练在进行（进程 {busy.args[0]}），请等它结束。", file=sys.stderr)
        return 2
    print(
        f"==> {STATES[outcome.state]}（候选：{outcome.candidate or '—'}，原在用：{outcome.served or '—'}）", flush=True
    )
    for text in outcome.reasons:
        print(f"    {text}")
    print(f"    报告：{outcome.report}")
    return outcome.exit_code


def run(kb: KnowledgeBase, args: argparse.Namespace) -> str:
    wording = Wording.load(PROJECT_ROOT / "domain.yml")
    notice = wording.text("utter_notice_line")  # the chat's disclaimer
    if args.command == "regions":
        return "\n".join(document_line(d, wording) for d in kb.documents)
    if args.command == "search":
        hits = kb.search(args.question, region=args.region, limit=max(1, min(args.limit, 10)))
        if not hits:
            return "没有找到相关条款。可以换个说法，或指定地区（--region）。"
        blocks = [f"{rank}. {item_block(h.item, wording, h.quote)}" for rank, h in enumerate(hits, start=1)]
        return "\n\n".join([*blocks, notice])
    if args.command == "topic":
        hits = kb.by_topic(args.topic, region=args.region)
        if not hits:
            return "收录的方案中没有这一主题的条款。"
        return "\n\n".join([*(item_block(h.item, wording, h.quote) for h in hits), notice])
    if args.command == "agency":
        return agency_block(kb.by_agency(args.name), wording)
    if args.command == "clause":
        return "\n".join([item_block(kb.clause(args.region, args.number), wording, full_text=True), notice])
    if args.command == "task":
        return "\n".join([item_block(kb.task(args.region, args.number), wording, full_text=True), notice])
    if args.command == "region":
        return region_block(*kb.by_region(args.region), wording)
    if args.command == "changes":
        return plan_changes_text(kb, args.plan)
    raise AssertionError(args.command)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    settings = Settings.from_env()
    if args.command == "retrain":
        return retrain_command(settings)
    try:
        kb = open_knowledge_base(settings)
        print(
            report_command(args, settings, kb) if args.command == "report" else run(kb, args),
            end="" if args.command == "report" else "\n",
        )
    except QueryError as error:
        print(error.message, file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        print(
            f"无法读取记录库或对话库（{type(error).__name__}）：请检查 DATABASE_URL 和 --tracker-url。", file=sys.stderr
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
