"""The only code that knows Rasa's REST channel contract.

``POST /webhooks/rest/webhook {"sender", "message", "metadata"}`` → a JSON list of messages with ``text``,
``buttons`` and ``custom``. Rasa answers 200 even when something failed inside, possibly with ``[]``: an empty
list, a timeout, a connection error or a 5xx are all "the assistant could not answer" (``RasaUnavailable``).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import aiohttp

log = logging.getLogger(__name__)


class RasaUnavailable(RuntimeError):
    """Rasa did not give an answer (down, slow, failing or empty)."""


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class BotMessage:
    text: str = ""
    buttons: tuple[Button, ...] = ()
    custom: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "buttons": [{"title": b.title, "payload": b.payload} for b in self.buttons],
            "custom": self.custom,
        }


def parse_messages(raw: Any) -> list[BotMessage]:
    """Keep only what a channel may show: strings for text, titles and payloads; dicts for custom data."""
    if not isinstance(raw, list):
        raise RasaUnavailable(f"unexpected reply type {type(raw).__name__}")
    messages = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        buttons = tuple(
            Button(str(b.get("title", "")), str(b.get("payload", "")))
            for b in item.get("buttons") or []
            if isinstance(b, dict) and b.get("payload")
        )
        raw_custom, raw_text = item.get("custom"), item.get("text")
        custom: dict[str, Any] = raw_custom if isinstance(raw_custom, dict) else {}
        text: str = raw_text if isinstance(raw_text, str) else ""
        if text or buttons or custom:
            messages.append(BotMessage(text, buttons, custom))
    if not any(m.text for m in messages):
        raise RasaUnavailable("empty reply")
    return messages


class RasaClient:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, timeout: float) -> None:
        self._session = session
        self._webhook = f"{base_url.rstrip('/')}/webhooks/rest/webhook"
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def send(
        self, sender: str, message: str, metadata: dict[str, Any] | None = None, timeout: float | None = None
    ) -> list[BotMessage]:
        body = {"sender": sender, "message": message, "metadata": metadata or {}}
        limit = aiohttp.ClientTimeout(total=timeout) if timeout else self._timeout
        try:
            async with self._session.post(self._webhook, json=body, timeout=limit) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"HTTP {response.status}")
                return parse_messages(await response.json(content_type=None))
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            log.warning("Rasa did not answer for %s: %s", sender, error)
            raise RasaUnavailable(str(error) or type(error).__name__) from error
