"""Scale-out: two Rasa replicas on a PostgreSQL tracker store and a Redis lock store, the action server and the
gateway routing each conversation to a fixed replica with failover."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import text

from bot.kb.db import make_engine
from bot.launcher import Stack, StackConfig
from tests.support.http import post_json
from tests.support.postgres import temporary_postgres
from tests.support.redis import temporary_redis
from tests.support.stack import moved


@dataclass
class Cluster:
    stack: Stack
    tracker_url: str


@pytest.fixture(scope="module")
def cluster(stack_config: StackConfig, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("cluster")
    with temporary_postgres("rasa_cluster") as pg_url, temporary_redis() as redis_port:
        tracker_url = pg_url.replace("postgresql+psycopg://", "postgresql://")
        config = moved(
            stack_config,
            root,
            replicas=2,
            tracker_url=tracker_url,
            gateway_env={"RATE_LIMIT_PER_MINUTE": "0"},
            extra_env={"LOCK_STORE_TYPE": "redis", "LOCK_STORE_HOST": "127.0.0.1", "LOCK_STORE_PORT": str(redis_port)},
        )
        with Stack(config, with_gateway=True) as stack:
            yield Cluster(stack, tracker_url)


def ask(cluster: Cluster, sender: str, message: str) -> tuple[int, str, str]:
    reply = post_json(f"{cluster.stack.config.gateway_url}/api/chat", {"sender": sender, "message": message})
    texts = "\n".join(m.get("text", "") for m in reply.json().get("messages", []))
    return reply.status, reply.headers.get("X-Rasa-Replica", ""), texts


def events(cluster: Cluster, sender: str) -> list[tuple[str, str]]:
    engine = make_engine(cluster.tracker_url)  # psycopg 3 in the app env
    with engine.connect() as connection:
        rows = connection.execute(
            text("select type_name, action_name from events where sender_id = :s order by id"), {"s": sender}
        ).all()
    engine.dispose()
    return [(kind, name or "") for kind, name in rows]


def test_conversations_spread_over_both_replicas(cluster: Cluster) -> None:
    replicas = {ask(cluster, uuid.uuid4().hex, "你好")[1] for _ in range(16)}
    assert replicas == {"0", "1"}


def test_concurrent_messages_of_one_conversation_are_processed_one_at_a_time(cluster: Cluster) -> None:
    # Through the gateway, as users send them: one conversation goes to one replica, whose lock serialises it.
    # (Sent to both replicas at once, open-source Rasa's Redis lock can lose messages: its ticket issue is not
    # atomic — see ../shared/RASA_NOTES.md — which is why the gateway pins conversations.)
    sender = uuid.uuid4().hex
    messages = ["贵州企业海外维权找谁", "那西藏呢？", "广西呢", "什么时候完成？", "谢谢", "云南呢"]
    results: list[tuple[int, str, str]] = []
    threads = [threading.Thread(target=lambda m=m: results.append(ask(cluster, sender, m))) for m in messages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _, _ in results) == [200] * len(messages)
    assert len({replica for _, replica, _ in results}) == 1
    log = [e for e in events(cluster, f"web-{sender}") if e[0] in ("user", "action")]
    users = [i for i, e in enumerate(log) if e[0] == "user"]
    assert len(users) == len(messages)
    # Each message is fully handled (its actions, then action_listen) before the next one starts.
    for start, end in zip(users, [*users[1:], len(log)], strict=True):
        turn = log[start + 1 : end]
        assert turn and turn[-1] == ("action", "action_listen"), log
        assert ("action", "action_listen") not in turn[:-1], log


def test_replica_stopped_mid_conversation_the_other_takes_over_with_the_slots(cluster: Cluster) -> None:
    sender = uuid.uuid4().hex
    status, replica, answer = ask(cluster, sender, "贵州企业海外维权找谁")
    assert status == 200 and "省商务厅" in answer
    cluster.stack.stop(cluster.stack.config.rasa_name(int(replica)))
    status, other, answer = ask(cluster, sender, "那西藏呢？")
    assert status == 200 and other != replica
    assert "西藏自治区" in answer and "第12条" in answer  # the topic slot came from the shared tracker store
