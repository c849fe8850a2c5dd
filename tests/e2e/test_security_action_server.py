"""The action server refuses calls without the shared secret Rasa sends (issue 11): a forged action call — any
tracker, any action — gets 401; /health stays open for probes; and the real Rasa, configured through endpoints.yml,
still gets its actions run (every conversation test through the stack shows that)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from bot.launcher import Stack, StackConfig
from bot.settings import PROJECT_ROOT
from tests.support.http import fetch
from tests.support.stack import moved

FORGED_CALL = {
    "next_action": "action_human_handoff",
    "sender_id": "web-victim",
    "version": "3.6.21",
    "tracker": {
        "sender_id": "web-victim",
        "slots": {},
        "latest_message": {"text": "转人工", "intent": {"name": "human_handoff"}, "entities": []},
        "events": [],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    },
    "domain": {},
}


@pytest.fixture(scope="module")
def actions(stack_config: StackConfig, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = Stack(moved(stack_config, tmp_path_factory.mktemp("actions-auth")))
    stack.start_actions()
    try:
        stack.wait_ready(timeout=120)
        yield stack
    finally:
        stack.stop()


def call(stack: Stack, query: str = "") -> tuple[int, str]:
    reply = fetch(
        f"{stack.config.action_url}/webhook{query}",
        json.dumps(FORGED_CALL).encode(),
        {"Content-Type": "application/json"},
        timeout=30,
    )
    return reply.status, reply.body


def test_a_forged_action_call_is_401(actions: Stack) -> None:
    assert call(actions) == (401, '{"error":"unauthorized"}')
    assert call(actions, "?token=" + "x" * 43)[0] == 401
    assert call(actions, "?token=" + actions.config.action_token[:-1])[0] == 401
    assert fetch(f"{actions.config.action_url}/actions").status == 401


def test_health_is_open_and_the_secret_opens_the_webhook(actions: Stack) -> None:
    assert fetch(f"{actions.config.action_url}/health").status == 200
    listed = fetch(f"{actions.config.action_url}/actions?token={actions.config.action_token}")
    assert listed.status == 200 and {"name": "action_human_handoff"} in json.loads(listed.body)


def test_the_action_server_refuses_to_start_without_a_long_secret() -> None:
    started = subprocess.run(
        [sys.executable, "-m", "bot.action_server", "--actions", "actions", "--port", "1"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "ACTION_SERVER_TOKEN": "short"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode == 1 and "ACTION_SERVER_TOKEN 至少需要32个字符" in started.stderr
