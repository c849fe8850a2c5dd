"""Operators' replies pushed to the chat pages that wait for them: ``GET /api/chat/events`` (server-sent events).

A page (or a closed widget) keeps one stream per conversation, fed by ``push_feed.ReplyFeed``. A stream carries
the time of each reply as its event id: a page that reconnects (``Last-Event-ID``, or ``since`` kept by the page)
gets what it missed and nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import datetime

from aiohttp import web

from bot.gateway import keys
from bot.gateway.chat import known_conversation
from bot.gateway.middleware import cors_headers, error_json, foreign_origin, open_event_stream
from bot.gateway.push_feed import ReplyFeed, from_millis, millis
from bot.gateway.ratelimit import client_key
from bot.store.records import SentReply

KEEPALIVE_SECONDS = 20.0  # proxies close a silent connection; a comment line keeps it open
CHECK_SECONDS = 2.0  # how soon a stream whose page went away gives its place back
STREAM_SECONDS = 30 * 60  # then the page reconnects (EventSource does by itself), which re-checks its id


async def feed_context(app: web.Application) -> AsyncIterator[None]:
    """The feed's loop runs as long as the gateway (``cleanup_ctx``, after the records engine exists)."""
    feed = ReplyFeed(app[keys.RECORDS])
    app[keys.REPLY_FEED] = feed
    task = asyncio.create_task(feed.run())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def close_streams(app: web.Application) -> None:
    """``on_shutdown``: open streams would otherwise hold the server for its whole shutdown timeout."""
    if keys.REPLY_FEED in app:
        app[keys.REPLY_FEED].close()


def event_id(moment: datetime) -> str:
    return str(millis(moment))


def _since(request: web.Request) -> datetime | None:
    """The later of the page's ``since`` and the browser's ``Last-Event-ID`` (milliseconds); None when malformed."""
    values = [request.headers.get("Last-Event-ID", ""), request.query.get("since", "")]
    stamps = []
    for value in values:
        if not value:
            continue
        if not value.isascii() or not value.isdigit() or len(value) > 15:
            return None
        stamps.append(int(value))
    return from_millis(max(stamps, default=0))


def _gone(request: web.Request) -> bool:
    """The page closed the connection (aiohttp does not cancel the handler: it has to look)."""
    transport = request.transport
    return transport is None or transport.is_closing()


def _message(reply: SentReply) -> bytes:
    data = json.dumps(
        {"case": reply.case_number, "reply": reply.reply, "at": event_id(reply.replied_at)}, ensure_ascii=False
    )
    return f"id: {event_id(reply.replied_at)}\nevent: reply\ndata: {data}\n\n".encode()


async def events(request: web.Request) -> web.StreamResponse:
    """The stream of operators' replies to one web conversation (the signed id the page was issued)."""
    settings = request.config_dict[keys.SETTINGS]
    cors = cors_headers(request, settings.widget_origins)
    if foreign_origin(request, cors):
        return error_json(403, "这个网站未被允许使用聊天接口。")
    sender = request.query.get("conversation", "")
    since = _since(request)
    if not known_conversation(request, sender) or since is None:
        response = error_json(400, "会话编号无效，请刷新页面后重试。")
        response.headers.update(cors)
        return response
    client = client_key(request.remote)
    wait = await request.config_dict[keys.LIMITER].check(client)
    feed = request.config_dict[keys.REPLY_FEED]
    if wait or not feed.admit(client):
        response = error_json(429, "连接过多，请稍后再试。")
        response.headers.update({**cors, "Retry-After": str(max(1, round(wait or 30)))})
        return response
    try:
        return await _stream(request, feed, f"web-{sender}", since, cors)
    finally:
        feed.release(client)


async def _stream(
    request: web.Request, feed: ReplyFeed, conversation_id: str, since: datetime, cors: dict[str, str]
) -> web.StreamResponse:
    response = await open_event_stream(request, cors)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STREAM_SECONDS
    async with feed.waiting(conversation_id, since) as entry:
        with contextlib.suppress(ConnectionResetError):  # the page went away: nothing to tell it
            await response.write(b"retry: 5000\n\n")
            quiet_since = loop.time()
            while loop.time() < deadline and not _gone(request):
                try:
                    reply = await asyncio.wait_for(entry.queue.get(), timeout=CHECK_SECONDS)
                except TimeoutError:
                    if loop.time() - quiet_since >= KEEPALIVE_SECONDS:
                        await response.write(b": keepalive\n\n")
                        quiet_since = loop.time()
                    continue
                if reply is None:  # the gateway is shutting down
                    break
                await response.write(_message(reply))
                quiet_since = loop.time()
    return response
