"""Faults, each on a stack of its own: the action server or Rasa stopped and restarted, and a missing or corrupt
knowledge base at start. Users get a polite Chinese answer, never silence, a 500 or a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.launcher import Stack, StackConfig
from bot.settings import PROJECT_ROOT
from tests.support.http import post_json
from tests.support.ports import free_port
from tests.support.stack import moved


@pytest.fixture(scope="module")
def stack(stack_config: StackConfig, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("faults")
    config = moved(stack_config, root, gateway_env={"RATE_LIMIT_PER_MINUTE": "0", "RASA_TIMEOUT": "20"})
    with Stack(config, with_gateway=True) as running:
        yield running


def ask(stack: Stack, sender: str, message: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    reply = post_json(f"{stack.config.gateway_url}/api/chat", {"sender": sender, "message": message})
    return reply.status, reply.json()


def text_of(body: dict) -> str:  # type: ignore[type-arg]
    return "\n".join(m.get("text", "") for m in body.get("messages", []))


def test_action_server_down_gives_an_apology_then_recovers(stack: Stack) -> None:
    sender = uuid.uuid4().hex
    stack.stop("actions")
    status, body = ask(stack, sender, "贵州企业海外维权找谁")
    assert status == 503 and "暂时无法回答" in body["error"] and "转人工" in body["error"]
    stack.start_actions()
    stack.wait_ready(60)
    status, body = ask(stack, sender, "贵州企业海外维权找谁")
    assert status == 200 and "省商务厅" in text_of(body)


def test_rasa_restart_mid_conversation_keeps_slots_and_history(stack: Stack) -> None:
    sender = uuid.uuid4().hex
    status, body = ask(stack, sender, "贵州企业海外维权找谁")
    assert status == 200 and "省商务厅" in text_of(body)
    stack.stop("rasa")
    status, body = ask(stack, sender, "那西藏呢？")
    assert status == 503 and "暂时无法回答" in body["error"]
    stack.start_rasa()
    stack.wait_ready(300)
    status, body = ask(stack, sender, "那西藏呢？")  # the topic slot came back from the SQL tracker store
    answer = text_of(body)
    assert (
        status == 200 and "西藏自治区" in answer and "涉外" in answer and "第12条" in answer
    )  # the question came back with the slots


@pytest.mark.parametrize("content", [None, b"this is not a database" * 50], ids=["missing", "corrupt"])
def test_gateway_without_a_usable_knowledge_base_names_the_fix(tmp_path: Path, content: bytes | None) -> None:
    database = tmp_path / "kb.sqlite3"
    if content is not None:
        database.write_bytes(content)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "GATEWAY_PORT": str(free_port())}
    result = subprocess.run(
        [sys.executable, "-m", "bot.gateway"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "make kb" in result.stderr and "Traceback" not in result.stderr
