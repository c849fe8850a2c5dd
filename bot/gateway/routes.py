"""Every route of the gateway, in one place. Areas with a guard of their own are sub-applications: the guard is
their middleware, run before any of their handlers."""

from __future__ import annotations

from aiohttp import web

from bot.gateway import chat, pages, staff
from bot.gateway.wechat import handler as wechat


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/", pages.index)
    app.router.add_get("/widget.js", pages.widget_script)
    app.router.add_get("/widget-demo", pages.widget_demo)
    app.router.add_get("/healthz", pages.health)
    app.router.add_get("/static/{name:[a-z-]+\\.(?:css|js)}", pages.asset)  # pages are served by their routes only

    app.router.add_post("/api/chat", chat.chat)
    app.router.add_route("OPTIONS", "/api/chat", chat.preflight)
    app.router.add_get("/api/clauses/{ref:[a-z0-9_-]+/[a-z0-9-]+}", chat.clause)
    app.router.add_get("/api/info", chat.info)

    app.router.add_get("/staff", staff.console)
    app.router.add_post("/staff/login", staff.login)
    app.router.add_post("/staff/logout", staff.logout)
    app.router.add_get("/staff/api/search", staff.search)
    app.router.add_get("/staff/api/records", staff.records)
    app.router.add_post("/staff/api/records/{kind}/{id:\\d{1,18}}/handled", staff.mark_handled)

    app.add_subapp("/wechat", wechat_app())


def wechat_app() -> web.Application:
    """/wechat: WeChat's server verification (GET) and messages (POST), behind signature and freshness checks."""
    sub = web.Application(middlewares=[wechat.guard], client_max_size=wechat.MAX_BODY)
    sub.router.add_get("", wechat.verify)
    sub.router.add_post("", wechat.receive)
    return sub
