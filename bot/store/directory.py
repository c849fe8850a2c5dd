"""The service directory (服务目录): the public phone, hours, address and website of agencies the plans name, as
the office publishes them. Staff keep it in the console; a YAML file (``SERVICE_DIRECTORY``) seeds it at start
without overwriting what staff changed. Answers show a contact only from here: nothing is ever made up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from bot.store.models import ServiceContact, utcnow

PHONE = re.compile(r"[0-9][0-9\- ]{2,24}[0-9](?:转[0-9]{1,6})?")  # 12315, 0851-12345678, 400 123 4567, …转123
WEBSITE = re.compile(r"https?://[A-Za-z0-9.\-]{3,100}(?:/[A-Za-z0-9._~/%\-?=&#]*)?")
FIELDS = ("phone", "hours", "address", "website")
MAX = {"agency": 80, "phone": 40, "hours": 80, "address": 120, "website": 200}


class DirectoryError(ValueError):
    """An entry the directory does not take; the message is Chinese, for the operator."""


@dataclass(frozen=True)
class Contact:
    plan: str
    agency: str
    phone: str | None = None
    hours: str | None = None
    address: str | None = None
    website: str | None = None
    id: int | None = None

    def as_json(self) -> dict[str, str | int | None]:
        return {"id": self.id, "plan": self.plan, "agency": self.agency, **{f: getattr(self, f) for f in FIELDS}}


def checked(plan: str, agency: str, fields: dict[str, object], plans: set[str]) -> Contact:
    """A contact as entered, trimmed and checked: a known plan, an agency name, a phone that is a phone number and
    a website that is an http(s) address; at least one way to reach the agency."""
    if plan not in plans:
        raise DirectoryError("请选择收录的地区方案。")
    name = str(agency or "").strip()
    if not name or len(name) > MAX["agency"]:
        raise DirectoryError("请填写单位名称（80字以内）。")
    values: dict[str, str | None] = {}
    for field in FIELDS:
        value = str(fields.get(field) or "").strip()
        if len(value) > MAX[field] or any(ord(ch) < 32 for ch in value):
            raise DirectoryError(f"“{field}”太长或含有控制字符。")
        values[field] = value or None
    if values["phone"] and not PHONE.fullmatch(values["phone"]):
        raise DirectoryError("电话只能包含数字、短横线和空格（如 0851-12345678、12315）。")
    if values["website"] and not WEBSITE.fullmatch(values["website"]):
        raise DirectoryError("网址须以 http:// 或 https:// 开头。")
    if not any(values[f] for f in ("phone", "address", "website")):
        raise DirectoryError("请至少填写电话、地址或网址之一。")
    return Contact(plan, name, values["phone"], values["hours"], values["address"], values["website"])


def read_file(path: Path, plans: set[str]) -> list[Contact]:
    """The entries of a directory file (a YAML list of {plan, agency, phone, hours, address, website})."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if isinstance(data, dict) and data.get("example") is True:  # its numbers are placeholders, not an office's
        raise DirectoryError(f"{path} 是示例文件：请复制一份，填入贵单位公开的联系方式，并删除 example: true。")
    entries = data.get("contacts") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise DirectoryError(f"{path}: 缺少 contacts 列表。")
    return [checked(str(e.get("plan", "")), str(e.get("agency", "")), e, plans) for e in entries if isinstance(e, dict)]


def seed(engine: Engine, contacts: list[Contact]) -> int:
    """Add the file's contacts that the directory does not hold yet (staff edits win); how many were added."""
    added = 0
    with Session(engine) as session, session.begin():
        held = {(r.plan, r.agency) for r in session.scalars(select(ServiceContact))}
        for c in contacts:
            if (c.plan, c.agency) not in held:
                session.add(ServiceContact(**_columns(c), updated_by="目录文件"))
                held.add((c.plan, c.agency))
                added += 1
    return added


def save(engine: Engine, contact: Contact, operator: str) -> Contact:
    """Add or change the contact of (plan, agency)."""
    with Session(engine) as session, session.begin():
        row = session.scalars(
            select(ServiceContact).where(ServiceContact.plan == contact.plan, ServiceContact.agency == contact.agency)
        ).first()
        if row is None:
            row = ServiceContact(**_columns(contact), updated_by=operator)
            session.add(row)
        else:
            for field, value in _columns(contact).items():
                setattr(row, field, value)
            row.updated_by, row.updated_at = operator, utcnow()
        session.flush()
        return _contact(row)


def remove(engine: Engine, contact_id: int) -> bool:
    with Session(engine) as session, session.begin():
        return bool(session.execute(delete(ServiceContact).where(ServiceContact.id == contact_id)).rowcount)  # type: ignore[attr-defined]


def listing(engine: Engine) -> list[Contact]:
    with Session(engine) as session:
        rows = session.scalars(select(ServiceContact).order_by(ServiceContact.plan, ServiceContact.agency))
        return [_contact(r) for r in rows]


def contacts_for(engine: Engine, plan: str, agencies: list[str]) -> tuple[dict[str, Contact], bool]:
    """The directory's contacts of these agencies of this plan, by agency name, and whether the service keeps a
    directory at all (any contact)."""
    with Session(engine) as session:
        kept = session.scalar(select(ServiceContact.id).limit(1)) is not None
        if not kept or not agencies:
            return {}, kept
        rows = session.scalars(
            select(ServiceContact).where(ServiceContact.plan == plan, ServiceContact.agency.in_(agencies))
        )
        return {r.agency: _contact(r) for r in rows}, kept


def _columns(contact: Contact) -> dict[str, str | None]:
    return {"plan": contact.plan, "agency": contact.agency, **{f: getattr(contact, f) for f in FIELDS}}


def _contact(row: ServiceContact) -> Contact:
    return Contact(row.plan, row.agency, row.phone, row.hours, row.address, row.website, row.id)
