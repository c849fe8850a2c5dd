"""``python -m bot.store``: retention and deletion on request (see bot/store/privacy.py).

    python -m bot.store purge [--days N]                 # default RETENTION_DAYS (180)
    python -m bot.store delete --conversation web-…      # one user's data, by conversation id
    python -m bot.store delete --case IPR20261130-00012  # … or by the case number the user was given

Prints what was deleted, table by table. Databases: DATABASE_URL (records) and TRACKER_STORE_URL (Rasa's
conversations). An unknown case number prints a Chinese message and exits with code 2.
"""

from __future__ import annotations

import argparse
import sys

from bot.kb.db import make_engine
from bot.settings import Settings
from bot.store import privacy
from bot.store.records import ensure_tables


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m bot.store", description="记录的保存期限与删除")
    commands = parser.add_subparsers(dest="command", required=True)
    purge = commands.add_parser("purge", help="删除超过保存期限的数据")
    purge.add_argument("--days", type=int, default=settings.retention_days)
    delete = commands.add_parser("delete", help="删除一位用户的数据")
    which = delete.add_mutually_exclusive_group(required=True)
    which.add_argument("--conversation")
    which.add_argument("--case")
    args = parser.parse_args(argv)
    records, tracker = make_engine(settings.database_url), make_engine(settings.tracker_store_url)
    ensure_tables(records)
    try:
        if args.command == "purge":
            if args.days < 1:
                print("保存期限至少为1天。", file=sys.stderr)
                return 2
            counts = privacy.purge(records, tracker, args.days)
        else:
            conversation = args.conversation or privacy.conversation_of_case(records, args.case)
            if not conversation:
                print(f"没有找到案件号 {args.case}。", file=sys.stderr)
                return 2
            counts = privacy.delete_conversation(records, tracker, conversation)
            if settings.redis_url:  # the gateways' "继续" parts and options for this user (issue 20 N7)
                import redis  # only deployments with REDIS_URL need it

                client = redis.Redis.from_url(settings.redis_url)
                try:
                    counts["redis_user_state"] = privacy.forget_channel_state(client, conversation)
                finally:
                    client.close()
    finally:
        records.dispose()
        tracker.dispose()
    for name, count in counts.items():
        print(f"{name}\t{count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
