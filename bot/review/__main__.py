"""``python -m bot.review export``: write the confirmed examples to data/nlu/reviewed/reviewed.yml (``make train``
runs it first). Databases: DATABASE_URL (records)."""

from __future__ import annotations

import argparse
import sys

from bot.kb.db import make_engine
from bot.kb.service import open_knowledge_base
from bot.review.export import REVIEWED_FILE, write_reviewed
from bot.settings import Settings
from bot.store.records import ensure_tables


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.review", description="审核过的真实问题 → 训练数据")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("export", help=f"写出已确认的例句到 {REVIEWED_FILE.relative_to(REVIEWED_FILE.parents[3])}")
    parser.parse_args(argv)
    settings = Settings.from_env()
    records = make_engine(settings.database_url)
    try:
        ensure_tables(records)
        done = write_reviewed(records, gazetteer=open_knowledge_base(settings).gazetteer)
    finally:
        records.dispose()
    print(
        f"==> reviewed examples: {done.written} written, {done.held_back} held back (near copies of validation questions)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
