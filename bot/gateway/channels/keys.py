"""Typed state of the channel sub-applications (``web.AppKey``), in a module of their own like ``gateway/keys.py``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web

from bot.gateway.channels.base import Dialogue

DIALOGUE = web.AppKey("channel_dialogue", Dialogue)
# On the gateway: the mounted channels' dialogues by platform ("wechat", "wecom", …), given Redis at start.
DIALOGUES: web.AppKey[dict[str, Dialogue]] = web.AppKey("channel_dialogues")
CLOCK: web.AppKey[Callable[[], float]] = web.AppKey("channel_clock")  # time.time; tests set a sample's time
TASKS: web.AppKey[set[asyncio.Task[None]]] = web.AppKey("channel_tasks")  # replies written after the answer (飞书)
