"""``python -m bot.review export``: write the confirmed examples to data/nlu/reviewed/reviewed.yml (``make train``
runs it first). Databases: DATABASE_URL (records)."""

from __future__ import annotations

import argparse
import sys

from bot.review.export import REVIEWED_FILE, export_reviewed
from bot.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.review", description="审核过的真实问题 → 训练数据")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("export", help=f"写出已确认的例句到 {REVIEWED_FILE.relative_to(REVIEWED_FILE.parents[3])}")
    parser.parse_args(argv)
    done = export_reviewed(Settings.from_env())
    print(
        f"==> reviewed examples: {done.written} written, {done.held_back} held back (near copies of validation questions)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
