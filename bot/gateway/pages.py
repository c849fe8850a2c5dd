"""Static pages: the chat page, the widget script and its example host page."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.gateway.middleware import json_response

STATIC = Path(__file__).resolve().parent / "static"


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


async def widget_script(request: web.Request) -> web.FileResponse:
    # Host pages on other origins load this script; the chat API answers them only if their origin is allowed.
    response = web.FileResponse(STATIC / "widget.js", headers={"Cache-Control": "public, max-age=300"})
    response.content_type = "application/javascript"
    return response


async def widget_demo(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "widget-demo.html")


async def health(request: web.Request) -> web.Response:
    return json_response({"status": "ok"})
