"""Operator accounts for the hotline console, on the command line (the database of ``DATABASE_URL``):

    python -m bot.gateway.staff_accounts create NAME          # asks for the password twice
    python -m bot.gateway.staff_accounts create NAME --admin  # may also retrain and switch the served model
    python -m bot.gateway.staff_accounts create NAME --password-stdin   # e.g. from a secret store
    python -m bot.gateway.staff_accounts passwd NAME          # new password; ends the account's sessions
    python -m bot.gateway.staff_accounts disable NAME         # no more logins; ends its sessions
    python -m bot.gateway.staff_accounts enable NAME
    python -m bot.gateway.staff_accounts grant NAME           # the admin role; ends the account's sessions
    python -m bot.gateway.staff_accounts revoke NAME          # back to staff (review, cases)
    python -m bot.gateway.staff_accounts list

Passwords (at least 12 characters) are stored as Argon2id hashes. Errors are printed in Chinese, exit code 2.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.kb.db import make_engine
from bot.settings import Settings
from bot.store import staff
from bot.store.records import ensure_tables


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码：")
    if getpass.getpass("再输入一次：") != first:
        raise staff.AccountError("两次输入的密码不一致。")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.gateway.staff_accounts", description="工作台账号管理")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("create", "passwd"):
        command = commands.add_parser(name)
        command.add_argument("name")
        command.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（一行）")
        if name == "create":
            command.add_argument("--admin", action="store_true", help="管理员：可重新训练并切换模型")
    for name in ("disable", "enable", "grant", "revoke"):
        commands.add_parser(name).add_argument("name")
    commands.add_parser("list")
    args = parser.parse_args(argv)
    engine = make_engine(Settings.from_env().database_url)
    ensure_tables(engine)
    try:
        if args.command == "create":
            staff.create_account(engine, args.name, _password(args.password_stdin), admin=args.admin)
            print(f"已创建{'管理员' if args.admin else '工作人员'}账号 {args.name}。")
        elif args.command == "passwd":
            staff.set_password(engine, args.name, _password(args.password_stdin))
            print(f"已更新 {args.name} 的密码，其登录会话已结束。")
        elif args.command in ("disable", "enable"):
            staff.set_disabled(engine, args.name, args.command == "disable")
            print(f"已{'停用' if args.command == 'disable' else '启用'} {args.name}。")
        elif args.command in ("grant", "revoke"):
            staff.set_admin(engine, args.name, args.command == "grant")
            print(f"{args.name} 现在是{'管理员' if args.command == 'grant' else '工作人员'}，其登录会话已结束。")
        else:
            for name, disabled, created, admin in staff.list_accounts(engine):
                role = "管理员" if admin else "工作人员"
                print(f"{name}\t{'停用' if disabled else '启用'}\t{created:%Y-%m-%d %H:%M}\t{role}")
    except staff.AccountError as error:
        print(str(error), file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
