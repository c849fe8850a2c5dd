"""Static pages: the chat page, the widget script (assembled from static/widget/) and its example host page."""

from __future__ import annotations

import functools
import hashlib
import html
from pathlib import Path

from aiohttp import web

from bot.answers.wording import Wording
from bot.gateway import keys
from bot.gateway.middleware import json_response

STATIC = Path(__file__).resolve().parent / "static"


ASSET_TYPES = {".css": "text/css", ".js": "application/javascript"}


async def asset(request: web.Request) -> web.FileResponse:
    """A style sheet or script from static/. HTML pages are not assets: each is served by its own route, with its
    own headers (the staff console's no-store and anti-framing), never as /static/….html."""
    path = STATIC / request.match_info["name"]
    if path.suffix not in ASSET_TYPES or not path.is_file():
        raise web.HTTPNotFound()
    response = web.FileResponse(path)
    response.content_type = ASSET_TYPES[path.suffix]
    return response


NOTE_MARK = "{{page_note}}"


def chat_page(wording: Wording) -> str:
    """The chat page, its footer note the assistant's own disclaimer (``utter_page_note``), escaped: built once, at
    start, beside the wording it is filled from."""
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    return page.replace(NOTE_MARK, html.escape(wording.text("utter_page_note")))


async def index(request: web.Request) -> web.Response:
    return web.Response(text=request.config_dict[keys.CHAT_PAGE], content_type="text/html")


WIDGET = STATIC / "widget"
# The widget's parts, in the order they run: core first (the script tag's settings, helpers), boot last (starts it).
WIDGET_PARTS = (
    "core.js",
    "transport.js",
    "answer.js",
    "render.js",
    "viewer.js",
    "welcome.js",
    "dialog.js",
    "launcher.js",
    "boot.js",
)
WIDGET_OPEN = (
    "/* 知识产权维权助手 — /widget.js, assembled by the gateway from static/widget/ (bot/gateway/pages.py): edit those. */\n"
    "(function () {\n"
    '  "use strict";\n'
    "  var IPR = {};  // the parts' namespace: local to this function, so nothing new reaches the host page\n"
)
WIDGET_CLOSE = "})();\n"


def widget_part_marker(name: str) -> str:
    return f"/* ---- widget/{name} ---- */\n"


def widget_source() -> str:
    """/widget.js: the parts in static/widget/, each a classic-script IIFE taking ``IPR``, joined in WIDGET_PARTS's
    order inside one function. Host pages still load one classic script (no modules, no build step); built once,
    at start, and served from memory."""
    parts = [widget_part_marker(name) + (WIDGET / name).read_text(encoding="utf-8") for name in WIDGET_PARTS]
    return WIDGET_OPEN + "\n".join(parts) + WIDGET_CLOSE


@functools.lru_cache(maxsize=4)
def _etag(script: str) -> str:
    return hashlib.sha256(script.encode("utf-8")).hexdigest()[:32]


async def widget_script(request: web.Request) -> web.Response:
    # Host pages on other origins load this script; the chat API answers them only if their origin is allowed.
    script = request.config_dict[keys.WIDGET_SCRIPT]
    etag = _etag(script)
    headers = {"Cache-Control": "public, max-age=300"}
    if any(tag.value == etag for tag in request.if_none_match or ()):
        raise web.HTTPNotModified(headers={**headers, "ETag": f'"{etag}"'})
    response = web.Response(text=script, content_type="application/javascript", headers=headers)
    response.etag = etag
    return response


async def widget_demo(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "widget-demo.html")


async def health(request: web.Request) -> web.Response:
    return json_response({"status": "ok"})
