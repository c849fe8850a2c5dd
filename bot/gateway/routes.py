"""Every route of the gateway, in one place. Areas with a guard of their own are sub-applications: the guard is
their middleware, run before any of their handlers."""

from __future__ import annotations

from aiohttp import web

from bot.gateway import (
    chat,
    pages,
    push,
    staff,
    staff_answer,
    staff_api,
    staff_cases,
    staff_directory,
    staff_retrain,
    staff_review,
    staff_stats,
)


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/", pages.index)
    app.router.add_get("/widget.js", pages.widget_script)
    app.router.add_get("/widget-demo", pages.widget_demo)
    app.router.add_get("/healthz", pages.health)
    app.router.add_get("/static/{name:[a-z-]+\\.(?:css|js)}", pages.asset)  # pages are served by their routes only

    app.router.add_post("/api/conversations", chat.new_conversation)
    app.router.add_post("/api/chat", chat.chat)
    app.router.add_get("/api/chat/events", push.events)
    app.router.add_post("/api/feedback-reason", chat.feedback_reason)
    app.router.add_route("OPTIONS", "/api/feedback-reason", chat.preflight)
    app.router.add_route("OPTIONS", "/api/chat", chat.preflight)
    app.router.add_get("/api/clauses/{ref:[a-z0-9_-]+(?:@[0-9]{1,3})?/[a-z0-9-]+}", chat.clause)
    app.router.add_get("/api/info", chat.info)

    app.add_subapp("/staff", staff_app())


def staff_app() -> web.Application:
    """/staff: the hotline console, behind the operator-session guard (login page and forms excepted)."""
    sub = web.Application(middlewares=[staff.guard])
    sub.router.add_get("", staff.console)
    sub.router.add_post("/login", staff.login)
    sub.router.add_post("/logout", staff.logout)
    sub.router.add_get("/stats", staff_stats.stats)
    sub.router.add_get("/api/search", staff_api.search)
    sub.router.add_get("/api/answer", staff_answer.answer)
    sub.router.add_get("/api/records", staff_api.records)
    sub.router.add_post("/api/records/{kind}/{id:\\d{1,18}}/handled", staff_api.mark_handled)
    sub.router.add_get("/api/cases/latest", staff_cases.latest)
    sub.router.add_get("/api/cases/events", staff_cases.case_events)
    sub.router.add_get("/api/cases/{id:\\d{1,18}}", staff_cases.case_detail)
    sub.router.add_post("/api/cases/{id:\\d{1,18}}/{action:[a-z]+}", staff_cases.change_case)
    sub.router.add_get("/api/flagged", staff_cases.flagged)
    sub.router.add_get("/api/directory", staff_directory.listing)
    sub.router.add_post("/api/directory", staff_directory.save)
    sub.router.add_post("/api/directory/{id:\\d{1,18}}/delete", staff_directory.delete)
    sub.router.add_get("/api/review", staff_review.listing)
    sub.router.add_post("/api/review/{id:\\d{1,18}}/{action:[a-z]+}", staff_review.change)
    sub.router.add_get("/api/reviewed", staff_review.examples)
    sub.router.add_post("/api/reviewed/{id:\\d{1,18}}/undo", staff_review.undo)
    sub.router.add_get("/api/retrain", staff_retrain.state)
    sub.router.add_post("/api/retrain", staff_retrain.start)
    return sub
