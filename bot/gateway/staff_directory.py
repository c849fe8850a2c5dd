"""The console's service directory (服务目录): list, add or change, and delete the public contacts of agencies the
plans name. Every change is in the audit trail with the operator; answers read the directory at once."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.gateway import keys
from bot.gateway.middleware import error_json, json_response, read_json
from bot.gateway.staff import OPERATOR
from bot.store import directory
from bot.store.staff import StaffAudit


async def listing(request: web.Request) -> web.Response:
    contacts = await asyncio.to_thread(directory.listing, request.config_dict[keys.RECORDS])
    plans = [{"plan": d.slug, "region": d.region} for d in request.config_dict[keys.KB].documents]
    return json_response({"contacts": [c.as_json() for c in contacts], "plans": plans})


async def save(request: web.Request) -> web.Response:
    body = await read_json(request)
    if isinstance(body, web.Response):
        return body
    plans = {d.slug for d in request.config_dict[keys.KB].documents}
    try:
        contact = directory.checked(str(body.get("plan", "")), str(body.get("agency", "")), body, plans)
    except directory.DirectoryError as error:
        return error_json(400, str(error))
    engine, operator = request.config_dict[keys.RECORDS], request[OPERATOR]
    saved = await asyncio.to_thread(directory.save, engine, contact, operator)
    await asyncio.to_thread(_audit, engine, operator, "directory_save", saved.id)
    return json_response({"ok": True, "contact": saved.as_json()})


async def delete(request: web.Request) -> web.Response:
    engine, contact_id = request.config_dict[keys.RECORDS], int(request.match_info["id"])
    if not await asyncio.to_thread(directory.remove, engine, contact_id):
        return error_json(404, "没有找到这条联系方式。")
    await asyncio.to_thread(_audit, engine, request[OPERATOR], "directory_delete", contact_id)
    return json_response({"ok": True})


def _audit(engine: Engine, operator: str, action: str, record_id: Any) -> None:
    with Session(engine) as session, session.begin():
        session.add(
            StaffAudit(account_name=operator, action=action, record_kind="service_contacts", record_id=record_id)
        )
