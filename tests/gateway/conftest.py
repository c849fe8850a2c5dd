"""The gateway in-process (aiohttp test client) on the real knowledge base. Rasa is a closed port here: requests
that reach it get the "unavailable" answer; conversations with a real Rasa are in tests/e2e."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.gateway.app import create_app
from bot.gateway.conversations import issue
from bot.settings import Settings
from tests.support.ports import free_port

STAFF_TOKEN = "staff-bootstrap-token-for-tests-0123456789"  # >= 32 characters
WECHAT_TOKEN = "wechat-token-for-tests"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeChat issues them
APP_ID = "wx1234567890abcdef"
WIDGET_ORIGIN = "https://partner.example.cn"
CONVERSATION_SECRET = "conversation-secret-for-tests"
SENDER = issue(CONVERSATION_SECRET.encode())  # a conversation id as the gateway issues them


@pytest.fixture()
def gateway_settings(kb_settings: Settings, tmp_path: Path) -> Settings:
    """Plain-mode WeChat (no AES key); a copy of the knowledge-base database per test, so that records, staff
    accounts and sessions of one test never meet another's."""
    database = tmp_path / "gateway.sqlite3"
    shutil.copyfile(kb_settings.database_url.removeprefix("sqlite:///"), database)
    return dataclasses.replace(
        kb_settings,
        database_url=f"sqlite:///{database}",
        rasa_url=f"http://127.0.0.1:{free_port()}",
        rasa_timeout=2.0,
        staff_token=STAFF_TOKEN,
        wechat_token=WECHAT_TOKEN,
        widget_origins=(WIDGET_ORIGIN,),
        conversation_secret=CONVERSATION_SECRET,
    )


@pytest.fixture()
def safe_settings(gateway_settings: Settings) -> Settings:
    """WeChat in safe mode (安全模式): an EncodingAESKey and AppID configured."""
    return dataclasses.replace(gateway_settings, wechat_aes_key=AES_KEY, wechat_app_id=APP_ID)


@pytest.fixture()
async def client(aiohttp_client: Any, gateway_settings: Settings) -> TestClient:
    return await aiohttp_client(create_app(gateway_settings))


@pytest.fixture()
async def safe_client(aiohttp_client: Any, safe_settings: Settings) -> TestClient:
    return await aiohttp_client(create_app(safe_settings))
