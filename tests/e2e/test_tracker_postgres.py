"""The conversation store on PostgreSQL: the same stack with TRACKER_STORE_URL pointing at a real server keeps a
multi-turn conversation (the region switch needs the topic slot from the turn before) and its events there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.launcher import Stack, StackConfig
from tests.support.http import post_json
from tests.support.postgres import temporary_postgres
from tests.support.stack import moved


def say(webhook: str, sender: str, message: str) -> str:
    reply = post_json(webhook, {"sender": sender, "message": message})
    assert reply.status == 200, reply
    return "\n".join(str(r.get("text", "")) for r in reply.json())


@pytest.mark.postgres
def test_conversation_state_lives_in_postgresql(stack_config: StackConfig, tmp_path: Path) -> None:
    with temporary_postgres("rasa_tracker") as url:
        tracker_url = url.replace("postgresql+psycopg://", "postgresql://")  # Rasa's env ships psycopg2
        config = moved(stack_config, tmp_path, tracker_url=tracker_url)
        with Stack(config):
            assert "省商务厅" in say(config.webhook_url, "pg-user", "贵州企业海外维权找谁")
            follow_up = say(config.webhook_url, "pg-user", "那西藏呢？")
            assert "西藏自治区" in follow_up and "第12条" in follow_up
        engine = create_engine(url)
        with engine.connect() as connection:
            events = connection.execute(
                text("select type_name, data from events where sender_id = 'pg-user' order by id")
            ).all()
        engine.dispose()
    slots = [json.loads(data) for kind, data in events if kind == "slot"]
    assert any(s.get("name") == "topic" and s.get("value") == "overseas_assistance" for s in slots)
    assert any(s.get("name") == "region" and s.get("value") == "西藏自治区" for s in slots)
    assert sum(1 for kind, _ in events if kind == "user") == 2
