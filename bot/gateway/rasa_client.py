"""The only code that knows Rasa's REST channel contract.

``POST /webhooks/rest/webhook {"sender", "message", "metadata"}`` → a JSON list of messages with ``text``,
``buttons`` and ``custom``. Rasa answers 200 even when something failed inside, possibly with ``[]``: an empty
list, a timeout, a connection error or a 5xx are all "the assistant could not answer" (``RasaUnavailable``).

Long conversations: Rasa reloads and re-featurises every event since the session start on each turn, and sends
them all to the action server, so turn 500 cost 10× turn 1. After every ``session_turns`` messages of a
conversation the pool starts a new Rasa session for it (``/session_start``, Rasa's own session start, which
carries every slot over: region, pending and last question, last clauses), in the background once the answer is
out; the conversation's next message waits for it. Earlier sessions stay in the tracker store (reports, privacy
commands); the action server sees the current one.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from bot.text import sender_tag

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


SESSION_START = "/session_start"  # Rasa's built-in intent: runs action_session_start (slots carried over)


_INTENT = re.compile(r"/(?P<intent>[A-Za-z_][A-Za-z0-9_]{0,63})(?:@[0-9.]{1,8})?(?P<entities>\{.*\})?", re.S)


RASA_DEFAULT_INTENTS = frozenset({"session_start", "restart", "back", "nlu_fallback", "out_of_scope"})


@dataclass(frozen=True)
class Vocabulary:
    """The intents and entities of the domain: an intent payload naming anything else makes Rasa log a warning with
    the message's text, so such a payload is sent as text instead."""

    intents: frozenset[str]
    entities: frozenset[str]

    @classmethod
    def from_domain(cls, path: Path) -> Vocabulary:
        domain = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        intents = {next(iter(i)) if isinstance(i, dict) else str(i) for i in domain.get("intents") or ()}
        entities = {next(iter(e)) if isinstance(e, dict) else str(e) for e in domain.get("entities") or ()}
        return cls(frozenset(intents) | RASA_DEFAULT_INTENTS, frozenset(entities))


def well_formed(message: str, vocabulary: Vocabulary | None = None) -> str:
    """``message`` as Rasa may see it. A message that starts with "/" is an intent payload to Rasa; one that is not
    well formed (``/intent{"a": 1``, ``/x{bad json}``, ``/x y``) or, when the domain's ``vocabulary`` is given,
    names an intent or entity the domain does not have makes Rasa log a warning with the whole text — a user's
    words in a log (issue 20 N7). Such a message goes as text, its slash made full-width."""
    if not message.startswith("/"):
        return message
    match = _INTENT.fullmatch(message)
    if match is not None and (vocabulary is None or match.group("intent") in vocabulary.intents):
        entities = match.group("entities")
        if entities is None:
            return message
        try:
            parsed = json.loads(entities)
        except (ValueError, RecursionError):
            parsed = None
        if isinstance(parsed, dict) and (vocabulary is None or set(parsed) <= vocabulary.entities):
            return message
    return "／" + message.lstrip("/")  # a full-width slash: the user's text as typed, not a command to Rasa


class RasaClient:
    def __init__(
        self, session: aiohttp.ClientSession, base_url: str, timeout: float, vocabulary: Vocabulary | None = None
    ) -> None:
        self._vocabulary = vocabulary
        self._session = session
        self._webhook = f"{base_url.rstrip('/')}/webhooks/rest/webhook"
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def start_session(self, sender: str) -> None:
        """A new Rasa session for the conversation; Rasa answers it with no messages."""
        body = {"sender": sender, "message": SESSION_START, "metadata": {}}
        async with self._session.post(self._webhook, json=body, timeout=self._timeout) as response:
            if response.status != 200:
                raise RasaUnavailable(f"HTTP {response.status}")
            await response.read()

    async def send(
        self, sender: str, message: str, metadata: dict[str, Any] | None = None, timeout: float | None = None
    ) -> list[BotMessage]:
        body = {"sender": sender, "message": well_formed(message, self._vocabulary), "metadata": metadata or {}}
        if metadata and isinstance(metadata.get("channel"), str):
            body["input_channel"] = metadata["channel"]  # the tracker's input channel: a handoff case records it
        limit = aiohttp.ClientTimeout(total=timeout) if timeout else self._timeout
        try:
            async with self._session.post(self._webhook, json=body, timeout=limit) as response:
                if response.status in (502, 503, 504):
                    raise ReplicaDown(f"HTTP {response.status}")
                if response.status != 200:
                    raise RasaUnavailable(f"HTTP {response.status}")
                return parse_messages(await response.json(content_type=None))
        except aiohttp.ClientConnectorError as error:
            raise ReplicaDown(str(error)) from error
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            # The id is a credential (it continues the conversation) and an OpenID is personal: log a tag of it.
            log.warning("Rasa did not answer for conversation %s: %s", sender_tag(sender), type(error).__name__)
            raise RasaUnavailable(str(error) or type(error).__name__) from error


class ReplicaDown(RasaUnavailable):
    """The replica could not be reached at all: the message never got there, so another replica may take it."""


class TurnCounter:
    """Messages per conversation since its last session start, for the most recent ``capacity`` conversations.

    Per gateway process: with several gateways a conversation restarts after up to ``limit`` messages through each,
    which still bounds it. A conversation pushed out (or a gateway restart) simply counts again from zero.
    """

    def __init__(self, limit: int, capacity: int = 100_000) -> None:
        self.limit = limit
        self._capacity = capacity
        self._counts: OrderedDict[str, int] = OrderedDict()

    def count(self, sender: str) -> bool:
        """Count one message; True when the conversation has reached the limit (its count starts again)."""
        turns = self._counts.pop(sender, 0) + 1
        if self.limit and turns >= self.limit:
            return True
        self._counts[sender] = turns
        if len(self._counts) > self._capacity:
            self._counts.popitem(last=False)
        return False


class RasaPool:
    """Several Rasa replicas behind one gateway.

    Each conversation goes to a fixed replica (stable hash of the sender id), so its messages are handled in order
    by one process; the shared tracker store (PostgreSQL) and lock store (Redis) make any replica able to continue
    it. When the chosen replica cannot be reached, the next one takes the conversation, and the unreachable one is
    skipped for ``cooldown`` seconds. A replica that answered badly (timeout, 5xx, empty) is not retried elsewhere:
    it may have processed the message already.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        urls: list[str],
        timeout: float,
        cooldown: float = 10.0,
        session_turns: int = 0,
        vocabulary: Vocabulary | None = None,
    ) -> None:
        if not urls:
            raise ValueError("at least one Rasa URL is needed")
        self.clients = [RasaClient(session, url, timeout, vocabulary) for url in urls]
        self._down_until = [0.0] * len(urls)
        self._cooldown = cooldown
        self._turns = TurnCounter(session_turns)  # 0: never restart a session
        # Session starts in flight, by conversation: its next message waits for it, so Rasa never handles two
        # requests of one conversation at once (the Redis lock store does not make that safe; RASA_NOTES.md).
        self._restarts: dict[str, asyncio.Task[None]] = {}

    def replica_for(self, sender: str) -> int:
        digest = hashlib.sha1(sender.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") % len(self.clients)

    async def send(
        self, sender: str, message: str, metadata: dict[str, Any] | None = None, timeout: float | None = None
    ) -> list[BotMessage]:
        messages, _ = await self.send_routed(sender, message, metadata, timeout)
        return messages

    async def send_routed(
        self, sender: str, message: str, metadata: dict[str, Any] | None = None, timeout: float | None = None
    ) -> tuple[list[BotMessage], int]:
        pending = self._restarts.get(sender)
        if pending is not None:
            await asyncio.shield(pending)  # never raises: _start_session handles its own failures
        first = self.replica_for(sender)
        order = [(first + step) % len(self.clients) for step in range(len(self.clients))]
        now = time.monotonic()
        order.sort(key=lambda index: self._down_until[index] > now)  # stable: preferred replica first if up
        last_error: RasaUnavailable = RasaUnavailable("no replica")
        for index in order:
            try:
                messages = await self.clients[index].send(sender, message, metadata, timeout)
            except ReplicaDown as error:
                log.warning("Rasa replica %d unreachable, failing over: %s", index, error)
                self._down_until[index] = time.monotonic() + self._cooldown
                last_error = error
                continue
            if self._turns.count(sender):
                task = asyncio.create_task(self._start_session(index, sender))
                self._restarts[sender] = task  # held until done: the event loop keeps only weak references
                task.add_done_callback(lambda done: self._forget(sender, done))
            return messages, index
        raise last_error

    async def _start_session(self, index: int, sender: str) -> None:
        try:
            await self.clients[index].start_session(sender)
        except (RasaUnavailable, aiohttp.ClientError, asyncio.TimeoutError) as error:
            # Nothing is lost: the conversation goes on in its long session and is counted again.
            log.warning("new session for conversation %s failed: %s", sender_tag(sender), type(error).__name__)

    def _forget(self, sender: str, task: asyncio.Task[None]) -> None:
        if self._restarts.get(sender) is task:
            del self._restarts[sender]

    async def close(self) -> None:
        """Let session starts in flight finish (each is bounded by the Rasa timeout)."""
        if self._restarts:
            await asyncio.gather(*self._restarts.values(), return_exceptions=True)
