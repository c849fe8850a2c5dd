"""Errors as clean JSON/text (never a traceback), security headers on every response — errors included — and
CORS for the widget on every /api/ response, so that the widget can show a 400 or a 429 as well as an answer."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from aiohttp import web

from bot.gateway import keys

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# The chat page and widget: scripts and styles from this origin only, API calls to this origin.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)
# The staff console may never be framed (clickjacking) by anyone.
STAFF_CSP = PAGE_CSP.replace("frame-ancestors 'self'", "frame-ancestors 'none'")

MESSAGES = {
    400: "请求格式不正确。",
    401: "需要登录。",
    403: "没有权限。",
    404: "没有找到这个页面。",
    405: "不支持这种请求方式。",
    413: "内容太长了。",
    415: "请求类型不正确。",
    429: "请求过于频繁，请稍后再试。",
    500: "服务器内部错误，请稍后重试。",
}


def safe_dumps(data: object) -> str:
    """JSON with <, > and & escaped (\\u003c …): no response body ever contains markup, whatever it carries."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def json_response(data: object, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(data, status=status, headers=headers, dumps=safe_dumps)


def error_json(status: int, message: str | None = None) -> web.Response:
    return json_response({"error": message or MESSAGES.get(status, "请求失败。")}, status=status)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status < 400 or error.content_type == "application/json":
            raise
        message = MESSAGES.get(error.status, error.reason)
        if request.path.startswith(("/api/", "/staff/api/")):
            return error_json(error.status, message)
        return web.Response(status=error.status, text=message, content_type="text/plain", charset="utf-8")
    except ConnectionResetError:
        # The client went away in the middle of its upload: nothing to answer, nothing wrong here. One line.
        log.info("client disconnected during %s %s", request.method, request.path)
        return web.Response(status=400, text=MESSAGES[400], content_type="text/plain", charset="utf-8")
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_json(500)


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The outermost middleware: every response gets the headers, also errors and redirects raised as exceptions."""
    try:
        response = await handler(request)
    except web.HTTPException as error:
        _secure(request, error.headers)
        raise
    _secure(request, response.headers)
    return response


def _secure(request: web.Request, headers: MutableMapping[str, str]) -> None:
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers["Server"] = ""  # aiohttp would name itself and its version; the header stays, empty
    if request.path.startswith("/staff"):
        headers["Content-Security-Policy"] = STAFF_CSP
        headers["X-Frame-Options"] = "DENY"
        headers["Cache-Control"] = "no-store"
    else:
        headers.setdefault("Content-Security-Policy", PAGE_CSP)
    if request.path.startswith("/api/"):
        for name, value in cors_headers(request, request.config_dict[keys.SETTINGS].widget_origins).items():
            headers.setdefault(name, value)


async def open_event_stream(request: web.Request, headers: dict[str, str] | None = None) -> web.StreamResponse:
    """A server-sent-events response, its headers sent at once — with the security headers, which this middleware
    would otherwise add only after they had gone out."""
    response = web.StreamResponse(
        headers={
            **(headers or {}),
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",  # nginx would hold the events back
        }
    )
    _secure(request, response.headers)
    await response.prepare(request)
    return response


def foreign_origin(request: web.Request, cors: dict[str, str]) -> bool:
    """A browser on a site that is neither this gateway nor one of ``WIDGET_ORIGINS`` (``cors``: its CORS headers)."""
    origin = request.headers.get("Origin", "").rstrip("/")
    return bool(origin) and "Access-Control-Allow-Origin" not in cors and origin != f"{request.scheme}://{request.host}"


def cors_headers(request: web.Request, allowed: tuple[str, ...]) -> dict[str, str]:
    """CORS for the widget: echo the Origin only when it is exactly one of the configured origins."""
    origin = request.headers.get("Origin", "").rstrip("/")
    if origin and origin in allowed:
        return {
            "Access-Control-Allow-Origin": origin,
            "Vary": "Origin",
            "Access-Control-Allow-Methods": "POST, GET, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type",
            "Access-Control-Expose-Headers": "Retry-After, X-Conversation-Invalid",
            "Access-Control-Max-Age": "600",
        }
    return {"Vary": "Origin"}


async def read_json(request: web.Request) -> dict[str, Any] | web.Response:
    """A JSON object body, or the 4xx to answer: every API that reads JSON reads it here (a bogus charset, JSON
    nested thousands deep or a non-object are the client's errors, never a 500)."""
    if request.content_type != "application/json":
        return error_json(415, "请求类型不正确：请以 JSON（application/json）发送。")
    try:
        body = json.loads(await request.text())
    except LookupError:  # charset=bogus-xyz: Python knows no such codec
        return error_json(415, "请求的字符编码无法识别：请使用 UTF-8。")
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: JSON nested thousands deep
        return error_json(400, "请求格式不正确：不是有效的 JSON。")
    if not isinstance(body, dict):
        return error_json(400, "请求格式不正确：需要一个 JSON 对象。")
    return body
