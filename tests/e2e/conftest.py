"""The real stack for conversation tests: action server + Rasa server with the trained model, on free ports,
with a knowledge base and a tracker store of their own."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from selenium import webdriver
from sqlalchemy import Engine

from bot.kb.db import make_engine
from bot.launcher import Stack, StackConfig, default_config
from tests.e2e.channels_support import FeishuApi, channel_env
from tests.support.browser import chromium_session, serve_host_page
from tests.support.http import post_json
from tests.support.ports import free_port
from tests.support.stack import local_stack

HOTLINE = "0851-00000000"
HOURS = "工作日 9:00-17:00"
STAFF_TOKEN = "e2e-staff-bootstrap-token-0123456789abcdef"  # >= 32 characters
WECHAT_TOKEN = "e2e-wechat-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wx_e2e_app"
WECHAT_REPLY_CHARS = 300  # short, so that continuation ("继续") is exercised


@dataclass
class Chat:
    """Talks to Rasa's REST webhook as a channel would; ``gateway`` is the public entry point of the same stack."""

    webhook: str
    engine: Engine
    gateway: str = ""
    tracker_url: str = ""
    host_page_port: int = 0

    def send(self, sender: str, message: str) -> list[dict[str, object]]:
        reply = post_json(self.webhook, {"sender": sender, "message": message})
        assert reply.status == 200, reply
        replies = reply.json()
        assert isinstance(replies, list)
        return replies

    def text(self, sender: str, message: str) -> str:
        """All reply texts of one turn joined; asserts the bot answered (Rasa returns [] on internal errors)."""
        replies = self.send(sender, message)
        assert replies, f"no reply to {message!r}"
        return "\n".join(str(r.get("text", "")) for r in replies)


@pytest.fixture(scope="session")
def stack_config(tmp_path_factory: pytest.TempPathFactory) -> StackConfig:
    model = default_config().model
    if not model.is_file():
        pytest.fail(f"no trained model at {model}: run `make train` (make test does)")
    root = tmp_path_factory.mktemp("stack")
    host_page_port = free_port()  # a second origin for the widget's host page (tests/e2e/test_browser.py)
    return local_stack(
        root,
        gateway_env={
            "STAFF_TOKEN": STAFF_TOKEN,
            "WECHAT_TOKEN": WECHAT_TOKEN,
            "WECHAT_ENCODING_AES_KEY": AES_KEY,
            "WECHAT_APP_ID": APP_ID,
            "WECHAT_REPLY_CHARS": str(WECHAT_REPLY_CHARS),
            "RATE_LIMIT_PER_MINUTE": "0",  # every test client is 127.0.0.1; the limit has its own test
            # Every browser test logs in from 127.0.0.1 too; throttling has its own tests (tests/gateway).
            "LOGIN_BURST_PER_ADDRESS": "1000",
            "LOGIN_BURST_PER_ACCOUNT": "1000",
            "ACCEPT_CLIENT_CONVERSATION_IDS": "0",  # as deployed: the page and the tests ask for conversation ids
            "WIDGET_ORIGINS": f"http://127.0.0.1:{host_page_port}",
            # The office's own line and hours as an office sets them (the page shows them; the assistant never
            # makes one up): a test value.
            "HOTLINE_NUMBER": HOTLINE,
            "SERVICE_HOURS": HOURS,
            **channel_env(),  # 企业微信, 钉钉, 飞书 (tests/e2e/test_channels.py)
        },
    )


@pytest.fixture(scope="session")
def chat(stack_config: StackConfig) -> Iterator[Chat]:
    with Stack(stack_config, with_gateway=True):
        engine = make_engine(stack_config.database_url)
        origin = stack_config.gateway_env["WIDGET_ORIGINS"]
        yield Chat(
            stack_config.webhook_url,
            engine,
            stack_config.gateway_url,
            stack_config.tracker_url,
            int(origin.rsplit(":", 1)[1]),
        )
        engine.dispose()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    """Headless Chromium, one per test module that drives a page."""
    yield from chromium_session(tmp_path_factory)


@pytest.fixture(scope="module")
def host_page(chat: Chat, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Another website embedding the widget, one per test module that needs it."""
    yield from serve_host_page(chat, tmp_path_factory)


@pytest.fixture(scope="module")
def feishu_api() -> Iterator[FeishuApi]:
    """A local server for 飞书's open API (the channel sends its replies there), one per test module."""
    api = FeishuApi().start()
    yield api
    api.stop()
