"""The hotline-staff console, a sub-application at /staff with one guard.

Operators log in with their own account (``python -m bot.gateway.staff_accounts create NAME``); the session cookie
is a random token the database knows only by its hash, expires (``STAFF_SESSION_HOURS``) and ends at logout.
Failed logins are throttled per (account, address), per address and, more slowly, per account (``login_throttle``,
shared through Redis when set); a correct password uses up nothing.
``STAFF_TOKEN`` (at least 32 characters) only opens the console while no account exists, to create the first one
with; after that it no longer logs anyone in. With neither, the console is closed (503).

The guard (``guard``) runs before every handler of the sub-application: a valid session passes (the operator's
name and role go on the request; a change under ``/staff/api/`` only with the console's ``X-Requested-With``
header, against cross-site requests), the login page and the login and logout forms are open to everyone,
everything else is 401. The search and the records are in ``staff_api``.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from html import escape

from aiohttp import web

from bot.gateway import keys
from bot.gateway.middleware import error_json
from bot.gateway.pages import STATIC
from bot.settings import MIN_STAFF_TOKEN
from bot.store import staff as accounts

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

COOKIE = "ipr_staff"
OPERATOR = web.RequestKey("staff_operator", str)  # the logged-in operator's name
ADMIN = web.RequestKey("staff_admin", bool)  # … and whether they may retrain and switch the served model
BOOTSTRAP = accounts.BOOTSTRAP  # the operator name of a STAFF_TOKEN login
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC = frozenset({"/staff", "/staff/login", "/staff/logout", "/staff/stats"})  # pages that send a stranger to login
ERRORS = {
    "failed": "用户名或密码不正确。",
    "throttled": "登录尝试过于频繁，请稍后再试。",
}


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    engine = request.config_dict[keys.RECORDS]
    token = request.cookies.get(COOKIE, "")
    operator = await asyncio.to_thread(accounts.session_operator, engine, token) if token else None
    if operator is not None:
        if request.method not in SAFE_METHODS and request.path.startswith("/staff/api/") and not _from_console(request):
            return error_json(403, "请求来源无效。")
        request[OPERATOR] = operator.name
        request[ADMIN] = operator.admin
        return await handler(request)
    if not await _open(request):
        if request.path == "/staff":  # a person at the door: what to run, on a page of its own
            return web.Response(status=503, text=_page("staff-closed.html", ""), content_type="text/html")
        return error_json(503, "工作台未启用：请先创建工作人员账号（make operator NAME=用户名）。")
    if request.path in PUBLIC:
        return await handler(request)
    return error_json(401, "请先登录工作台。")


def _from_console(request: web.Request) -> bool:
    """A change sent by the console's own script: no cross-site form can set this header, and a cross-site script
    that sets it is stopped by the browser's CORS preflight (the gateway allows no origin for /staff)."""
    return request.headers.get("X-Requested-With") == "ipr-staff"


async def _open(request: web.Request) -> bool:
    return bool(_bootstrap_token(request)) or await asyncio.to_thread(
        accounts.has_accounts, request.config_dict[keys.RECORDS]
    )


def _bootstrap_token(request: web.Request) -> str:
    token = request.config_dict[keys.SETTINGS].staff_token
    return token if len(token) >= MIN_STAFF_TOKEN else ""


async def console(request: web.Request) -> web.StreamResponse:
    if OPERATOR in request:
        return web.FileResponse(STATIC / "staff.html")
    return login_page(request, request.query.get("error", ""), status=401)


def login_page(request: web.Request, error: str, status: int) -> web.Response:
    """The login form; an error code from the query becomes one of our fixed messages (never the query's text)."""
    message = ERRORS.get(error) or (ERRORS["failed"] if request.query.get("failed") else "")
    notice = f'<p class="error" role="alert">{escape(message)}</p>' if message else ""
    return web.Response(status=status, text=_page("staff-login.html", notice), content_type="text/html")


def _page(name: str, notice: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8").replace("<!--error-->", notice)


async def login(request: web.Request) -> web.StreamResponse:
    try:
        form = await request.post()
    except (LookupError, ValueError):  # an unknown charset or a malformed form
        raise web.HTTPSeeOther("/staff?error=failed") from None
    name = str(form.get("name", "")).strip().lower()[:64]
    password = str(form.get("password", "") or form.get("token", ""))[:1024]
    wait, attempt = await request.config_dict[keys.LOGIN_THROTTLE].take(name or BOOTSTRAP, request.remote)
    if wait:
        log.warning("staff login throttled (too many failures for this account or from this address)")
        response = login_page(request, "throttled", status=429)
        response.headers["Retry-After"] = str(max(1, round(wait)))
        return response
    operator = await _authenticate(request, name, password)
    if operator is None:
        log.warning("staff login failed")
        raise web.HTTPSeeOther("/staff?error=failed")
    await attempt.succeeded()  # only failures count against the account and the address
    settings = request.config_dict[keys.SETTINGS]
    lifetime = timedelta(hours=settings.staff_session_hours)
    token = await asyncio.to_thread(accounts.start_session, request.config_dict[keys.RECORDS], operator, lifetime)
    response = web.HTTPSeeOther("/staff")
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        path="/staff",
        secure=settings.staff_cookie_secure or request.secure,
        max_age=int(lifetime.total_seconds()),
    )
    raise response


async def _authenticate(request: web.Request, name: str, password: str) -> str | None:
    engine = request.config_dict[keys.RECORDS]
    if await asyncio.to_thread(accounts.has_accounts, engine):
        ok = bool(name) and await asyncio.to_thread(accounts.verify_password, engine, name, password)
        return name if ok else None
    # No account yet: the bootstrap token, once, to create the first one with.
    token = _bootstrap_token(request)
    if token and hmac.compare_digest(password.encode("utf-8", "replace"), token.encode("utf-8")):
        return BOOTSTRAP
    return None


async def logout(request: web.Request) -> web.Response:
    token = request.cookies.get(COOKIE, "")
    if token:
        await asyncio.to_thread(accounts.end_session, request.config_dict[keys.RECORDS], token)
    response = web.HTTPSeeOther("/staff")
    response.del_cookie(COOKIE, path="/staff")
    raise response
