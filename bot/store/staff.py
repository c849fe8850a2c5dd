"""Hotline-staff accounts, their login sessions and the audit trail of what each operator did.

- Accounts are individual (one per operator), created on the command line (``python -m bot.gateway.staff_accounts
  create NAME``); passwords are stored as Argon2id hashes (argon2-cffi, its recommended parameters), never as text.
- A session is a random token in the browser's cookie; the database keeps only its SHA-256, with an expiry.
  Logout deletes it, so a copied cookie stops working at once.
- The audit trail says who logged in, out, and marked which record as handled, and when.

Functions are synchronous (SQLAlchemy sessions, short transactions); the gateway calls them off the event loop.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, DateTime, Engine, Integer, String, Text, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.store.models import StoreBase, utcnow
from bot.store.passwords import problem

BOOTSTRAP = "bootstrap"  # the operator name of a STAFF_TOKEN login, while no account exists; no account may take it
ADMIN = "admin"  # the role that may retrain and switch the served model
NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
_HASHER = PasswordHasher()  # Argon2id, RFC 9106 low-memory profile (argon2-cffi's default)


@functools.cache
def _dummy_hash() -> str:
    """Verified when the name is unknown, so that a wrong name costs as long as a wrong password."""
    return _HASHER.hash(secrets.token_hex(16))


class StaffAccount(StoreBase):
    __tablename__ = "staff_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # "admin": may retrain and switch the served model (issue 21); None: reviews, answers cases. Nullable, so
    # that ``ensure_tables`` adds it to an older table: every existing account stays staff.
    role: Mapped[str | None] = mapped_column(String(10))


class StaffSession(StoreBase):
    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_name: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StaffAudit(StoreBase):
    """One line per thing an operator did: login, logout, handled (with the record's kind and id)."""

    __tablename__ = "staff_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    account_name: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(30))
    record_kind: Mapped[str | None] = mapped_column(String(30))
    record_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)  # what was written: a case's reply or note, as sent


class AccountError(ValueError):
    """A Chinese message for the command line."""


@dataclass(frozen=True)
class Operator:
    name: str
    expires_at: datetime
    admin: bool = False


def valid_name(name: str) -> bool:
    return 1 <= len(name) <= 64 and set(name) <= NAME_CHARS


def create_account(engine: Engine, name: str, password: str, admin: bool = False) -> None:
    if not valid_name(name):
        raise AccountError("用户名只能包含小写字母、数字、点、下划线和连字符，最长64个字符。")
    if name == BOOTSTRAP:
        raise AccountError(f"用户名 {BOOTSTRAP} 留给首次登录（STAFF_TOKEN）使用，请换一个。")
    if (why := problem(password, name)) is not None:
        raise AccountError(why)
    with Session(engine) as session, session.begin():
        if session.scalars(select(StaffAccount).where(StaffAccount.name == name)).first():
            raise AccountError(f"用户 {name} 已存在。")
        session.add(StaffAccount(name=name, password_hash=_HASHER.hash(password), role=ADMIN if admin else None))
        # The token only served to create this account: the sessions it opened end with it.
        session.execute(delete(StaffSession).where(StaffSession.account_name == BOOTSTRAP))


def set_password(engine: Engine, name: str, password: str) -> None:
    if (why := problem(password, name)) is not None:
        raise AccountError(why)
    with Session(engine) as session, session.begin():
        account = session.scalars(select(StaffAccount).where(StaffAccount.name == name)).first()
        if account is None:
            raise AccountError(f"没有用户 {name}。")
        account.password_hash = _HASHER.hash(password)
        session.execute(delete(StaffSession).where(StaffSession.account_name == name))


def set_disabled(engine: Engine, name: str, disabled: bool) -> None:
    with Session(engine) as session, session.begin():
        account = session.scalars(select(StaffAccount).where(StaffAccount.name == name)).first()
        if account is None:
            raise AccountError(f"没有用户 {name}。")
        account.disabled = disabled
        if disabled:
            session.execute(delete(StaffSession).where(StaffSession.account_name == name))


def set_admin(engine: Engine, name: str, admin: bool) -> None:
    """Grant or take away the admin role; the account's sessions end, so the change holds at once."""
    with Session(engine) as session, session.begin():
        account = session.scalars(select(StaffAccount).where(StaffAccount.name == name)).first()
        if account is None:
            raise AccountError(f"没有用户 {name}。")
        account.role = ADMIN if admin else None
        session.execute(delete(StaffSession).where(StaffSession.account_name == name))
        session.add(StaffAudit(account_name=name, action="role_admin" if admin else "role_staff"))


def list_accounts(engine: Engine) -> list[tuple[str, bool, datetime, bool]]:
    """(name, disabled, created, admin) of every account."""
    with Session(engine) as session:
        rows = session.scalars(select(StaffAccount).order_by(StaffAccount.name))
        return [(a.name, a.disabled, a.created_at, a.role == ADMIN) for a in rows]


def has_accounts(engine: Engine) -> bool:
    with Session(engine) as session:
        return session.scalars(select(StaffAccount.id).limit(1)).first() is not None


def verify_password(engine: Engine, name: str, password: str) -> bool:
    """True for an enabled account with this password; as slow for an unknown name as for a wrong password."""
    with Session(engine) as session:
        account = session.scalars(select(StaffAccount).where(StaffAccount.name == name)).first()
        stored = account.password_hash if account is not None and not account.disabled else _dummy_hash()
    try:
        ok = _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    if ok and account is not None and _HASHER.check_needs_rehash(stored):
        set_password(engine, name, password)
    return ok and account is not None and not account.disabled


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def start_session(engine: Engine, name: str, lifetime: timedelta) -> str:
    """A new random session token for ``name`` (the cookie value); the database keeps only its hash."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with Session(engine) as session, session.begin():
        session.execute(delete(StaffSession).where(StaffSession.expires_at < now))  # expired ones go on the way
        session.add(StaffSession(token_hash=_digest(token), account_name=name, expires_at=now + lifetime))
        session.add(StaffAudit(account_name=name, action="login"))
    return token


def session_operator(engine: Engine, token: str) -> Operator | None:
    """The operator a session cookie belongs to, while the session is neither expired nor ended."""
    if not token or len(token) > 100:
        return None
    with Session(engine) as session:
        row = session.scalars(select(StaffSession).where(StaffSession.token_hash == _digest(token))).first()
        if row is None:
            return None
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=timezone.utc)
        if expires <= utcnow():
            return None
        if row.account_name == BOOTSTRAP:
            if session.scalars(select(StaffAccount.id).limit(1)).first() is not None:
                return None  # a bootstrap session ends when the first account exists (made elsewhere, say)
            return Operator(row.account_name, expires, admin=True)  # whoever installs the service runs it
        role = session.scalars(select(StaffAccount.role).where(StaffAccount.name == row.account_name)).first()
        return Operator(row.account_name, expires, admin=role == ADMIN)


def end_session(engine: Engine, token: str) -> None:
    with Session(engine) as session, session.begin():
        row = session.scalars(select(StaffSession).where(StaffSession.token_hash == _digest(token))).first()
        if row is not None:
            session.add(StaffAudit(account_name=row.account_name, action="logout"))
            session.delete(row)


def audit(engine: Engine, name: str, action: str, record_kind: str | None = None, record_id: int | None = None) -> None:
    with Session(engine) as session, session.begin():
        session.add(StaffAudit(account_name=name, action=action, record_kind=record_kind, record_id=record_id))


def handled_by(engine: Engine, kind: str, ids: list[int]) -> dict[int, str]:
    """Who marked each of these records as handled (the latest operator, when several did)."""
    if not ids:
        return {}
    with Session(engine) as session:
        rows = session.execute(
            select(StaffAudit.record_id, StaffAudit.account_name)
            .where(StaffAudit.action == "handled", StaffAudit.record_kind == kind, StaffAudit.record_id.in_(ids))
            .order_by(StaffAudit.id)
        ).all()
    return {record_id: name for record_id, name in rows if record_id is not None}
