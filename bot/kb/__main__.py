"""``python -m bot.kb build`` — (re)build the knowledge base; ``python -m bot.kb dict`` — regenerate data/dict/;
``python -m bot.kb add-version PLAN FILE --status 已印发|征求意见稿 [--issued YYYY-MM-DD] [--number 文号]`` — add a new
text of a plan as the version in force (exit code 2, nothing changed, when the text is refused)."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from datetime import date
from pathlib import Path

from bot.kb.db import make_engine
from bot.kb.dictionary import write_dictionary
from bot.kb.load import build
from bot.kb.manifest import STATUSES, ManifestError
from bot.kb.versions import VersionRefused, add_version
from bot.settings import Settings


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text[:20]}”无效，请写成 YYYY-MM-DD，如 2021-03-01") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.kb", description="知识库构建")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("build", help="由 seeds/ 重建知识库")
    commands.add_parser("dict", help="重新生成 data/dict/ 词典")
    version = commands.add_parser("add-version", help="收录某方案的新文本，作为现行版本")
    version.add_argument("plan", help="方案编号或地区，如 guizhou、贵州")
    version.add_argument("file", type=Path, help="新文本（UTF-8 纯文本）")
    version.add_argument("--status", required=True, choices=STATUSES)
    version.add_argument("--issued", type=_day, default=None, help="印发日期 YYYY-MM-DD")
    version.add_argument("--number", default=None, help="文号，如 黔府办发〔2021〕5号")
    version.add_argument("--title", default=None, help="标题（默认沿用上一版，印发稿去掉“征求意见稿”）")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    started = time.perf_counter()
    try:
        if args.command == "dict":
            for path in write_dictionary(settings):
                print(f"写入 {path}")
            return 0
        if args.command == "add-version":
            added = add_version(settings, args.plan, args.file, args.status, args.issued, args.number, args.title)
            print(added.message)
            if added.report is not None:
                print(
                    f"知识库已重建（{time.perf_counter() - started:.1f} 秒）。查看改动：python -m bot changes {args.plan}"
                )
            return 0
        engine = make_engine(settings.database_url)
        report = build(engine, settings)
        engine.dispose()
    except VersionRefused as error:
        print(error.message, file=sys.stderr)
        return error.exit_code
    except (ManifestError, OSError, UnicodeDecodeError) as error:
        print(f"知识库构建失败：{error}", file=sys.stderr)
        return 1
    print(
        f"知识库已构建（{engine.url.render_as_string(hide_password=True)}，{time.perf_counter() - started:.1f} 秒）："
    )
    for line in report.lines():
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
