"""Static pages: the chat page, the widget script and its example host page."""

from __future__ import annotations

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


async def widget_script(request: web.Request) -> web.FileResponse:
    # Host pages on other origins load this script; the chat API answers them only if their origin is allowed.
    response = web.FileResponse(STATIC / "widget.js", headers={"Cache-Control": "public, max-age=300"})
    response.content_type = "application/javascript"
    return response


async def widget_demo(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "widget-demo.html")


async def health(request: web.Request) -> web.Response:
    return json_response({"status": "ok"})
