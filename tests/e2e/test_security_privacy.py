"""Privacy through the real stack (issue 11): the retention purge and the deletion of one user's data remove
exactly what they should from Rasa's tracker store and the records (counted in the databases); the privacy notice
is on the page's welcome data and in WeChat's welcome; no message text reaches the logs at INFO."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.parse
from datetime import datetime, timezone

from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.orm import Session

from bot.gateway.wechat.crypto import WeChatCrypto
from bot.kb.db import make_engine
from bot.launcher import StackConfig
from bot.settings import PROJECT_ROOT
from bot.store.models import HandoffCase
from tests.e2e.conftest import AES_KEY, APP_ID, WECHAT_TOKEN, Chat
from tests.gateway.wechat_support import encrypted_request, event_xml, reply_fields
from tests.support.http import fetch, post_json

SECRET_TEXT = "我的手机号是13912345678，商标被抢注了"


def new_conversation(chat: Chat) -> str:
    return str(fetch(f"{chat.gateway}/api/conversations", b"").json()["conversation"])


def say(chat: Chat, conversation: str, message: str) -> None:
    reply = post_json(f"{chat.gateway}/api/chat", {"sender": conversation, "message": message})
    assert reply.status == 200, reply


def events(tracker: Engine, sender: str) -> int:
    with tracker.connect() as connection:
        query = text("select count(*) from events where sender_id = :s")
        return int(connection.execute(query, {"s": sender}).scalar_one())


def store(stack_config: StackConfig, chat: Chat, *args: str) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, "-m", "bot.store", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": stack_config.database_url, "TRACKER_STORE_URL": chat.tracker_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return {name: int(count) for name, count in (line.split("\t") for line in done.stdout.splitlines())}


def test_deleting_one_users_data_by_case_number(chat: Chat, stack_config: StackConfig) -> None:
    asker, other = new_conversation(chat), new_conversation(chat)
    for message in (SECRET_TEXT, "转人工"):
        say(chat, asker, message)
    say(chat, other, "贵州企业海外维权找谁")
    tracker = make_engine(chat.tracker_url)
    before_asker, before_other = events(tracker, f"web-{asker}"), events(tracker, f"web-{other}")
    with Session(chat.engine) as session:
        case_number = session.scalars(
            select(HandoffCase.case_number).where(HandoffCase.conversation_id == f"web-{asker}")
        ).one()
    assert before_asker > 0 and before_other > 0 and case_number
    deleted = store(stack_config, chat, "delete", "--case", str(case_number))
    assert deleted["tracker_events"] == before_asker and deleted["handoff_cases"] == 1
    assert events(tracker, f"web-{asker}") == 0 and events(tracker, f"web-{other}") == before_other
    with Session(chat.engine) as session:
        left = session.scalar(select(func.count()).where(HandoffCase.conversation_id == f"web-{asker}"))
    assert left == 0
    tracker.dispose()


def test_the_purge_deletes_exactly_what_is_older_than_the_retention(chat: Chat, stack_config: StackConfig) -> None:
    old, recent = new_conversation(chat), new_conversation(chat)
    for conversation in (old, recent):
        say(chat, conversation, "转人工")
    tracker = make_engine(chat.tracker_url)
    old_events, recent_events = events(tracker, f"web-{old}"), events(tracker, f"web-{recent}")
    two_hundred_days_ago = time.time() - 200 * 86400
    with tracker.begin() as connection:
        connection.execute(
            text("update events set timestamp = :t where sender_id = :s"),
            {"t": two_hundred_days_ago, "s": f"web-{old}"},
        )
        others_old = connection.execute(
            text("select count(*) from events where timestamp < :c and sender_id != :s"),
            {"c": time.time() - 180 * 86400, "s": f"web-{old}"},
        ).scalar_one()
    with Session(chat.engine) as session, session.begin():
        session.execute(
            update(HandoffCase)
            .where(HandoffCase.conversation_id == f"web-{old}")
            .values(created_at=datetime.fromtimestamp(two_hundred_days_ago, timezone.utc))
        )
    deleted = store(stack_config, chat, "purge")  # RETENTION_DAYS' default: 180
    assert deleted["tracker_events"] == old_events + others_old and deleted["handoff_cases"] == 1
    assert events(tracker, f"web-{old}") == 0 and events(tracker, f"web-{recent}") == recent_events
    tracker.dispose()


def test_the_privacy_notice_is_on_the_page_and_in_the_wechat_welcome(chat: Chat) -> None:
    info = fetch(f"{chat.gateway}/api/info").json()
    assert "隐私说明" in info["privacy"] and "180天" in info["privacy"]
    crypto = WeChatCrypto(AES_KEY, APP_ID)
    welcome = event_xml("subscribe", user="oPrivacyUser", create_time=str(int(time.time())))
    query, body = encrypted_request(WECHAT_TOKEN, crypto, welcome)
    reply = fetch(f"{chat.gateway}/wechat?{urllib.parse.urlencode(query)}", body.encode(), {"Content-Type": "text/xml"})
    assert reply.status == 200
    content = reply_fields(crypto.decrypt(reply_fields(reply.body)["Encrypt"]))["Content"]
    assert "知识产权维权助手" in content and content.endswith(info["privacy"])


def test_no_message_text_in_the_logs(chat: Chat, stack_config: StackConfig) -> None:
    say(chat, new_conversation(chat), SECRET_TEXT)
    time.sleep(1)
    for log in stack_config.log_dir.glob("*.log"):
        content = log.read_text(encoding="utf-8", errors="replace")
        assert "13912345678" not in content, log.name
