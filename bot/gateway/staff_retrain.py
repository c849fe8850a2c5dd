"""The console's 重新训练 panel: any operator sees whether a retrain runs, how the last ones ended and why; only an
admin starts one (``python -m bot retrain`` in a process of its own, recorded in the audit trail). The retrain
itself decides whether the candidate is served (``bot.review.retrain``): the console never switches a model."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.gateway import keys
from bot.gateway.middleware import error_json, json_response
from bot.gateway.staff import ADMIN, OPERATOR
from bot.review.retrain import STATUS_FILE, Workspace, alive
from bot.review.retrain_report import HISTORY_FILE, read_history
from bot.settings import PROJECT_ROOT
from bot.store import staff as accounts

HISTORY_SHOWN = 20


def _folder() -> Path:
    return Workspace().folder


def _read(folder: Path) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    status_file = folder / STATUS_FILE
    try:
        status = json.loads(status_file.read_text(encoding="utf-8")) if status_file.is_file() else None
    except (OSError, ValueError):
        status = None  # being replaced at this moment: the next poll reads it
    history = read_history(folder / HISTORY_FILE)[-HISTORY_SHOWN:]
    if status and status.get("state") == "running" and not alive(int(status.get("pid") or 0)):
        status = {**status, "state": "failed", "reasons": ["重新训练的进程已意外退出"]}
    return status, list(reversed(history))


async def state(request: web.Request) -> web.Response:
    status, history = await asyncio.to_thread(_read, _folder())
    return json_response({"admin": request[ADMIN], "status": status, "history": history})


async def start(request: web.Request) -> web.Response:
    if not request[ADMIN]:
        return error_json(403, "只有管理员可以重新训练模型。")
    folder = _folder()
    status, _ = await asyncio.to_thread(_read, folder)
    if status and status.get("state") == "running":
        return error_json(409, "已有一次重新训练正在进行，请等它结束。")
    await asyncio.to_thread(_spawn, folder)
    operator = request[OPERATOR]
    await asyncio.to_thread(accounts.audit, request.config_dict[keys.RECORDS], operator, "retrain_start")
    return json_response({"ok": True}, status=202)


def _spawn(folder: Path) -> None:
    """``python -m bot retrain`` in a session of its own (it outlives this request; its lock refuses a second)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "console.log").open("ab") as log:
        subprocess.Popen(  # a fixed command: nothing of the request reaches it
            [sys.executable, "-m", "bot", "retrain"],
            cwd=PROJECT_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
