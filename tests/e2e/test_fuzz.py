"""Fuzzing the public endpoints through the real stack: 1,050 generated inputs (random Unicode, control characters,
emoji, very long text, JSON and XML edge cases, SQL-like and HTML-like strings). No 5xx, no traceback, no markup
in any response body, and normal answers afterwards."""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.parse
import urllib.request

from tests.e2e.conftest import STAFF_TOKEN, WECHAT_TOKEN, Chat
from tests.gateway.wechat_support import signed_query, text_xml
from tests.support.http import fetch

SEED = 20261121
HOSTILE = [
    "'; DROP TABLE kb_clauses; --",
    "1 OR 1=1",
    '" OR ""="',
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "]]><xml>",
    "<![CDATA[x]]>",
    "{{7*7}}",
    "${jndi:ldap://x}",
    "%00%0a%0d",
    "../../etc/passwd",
    "\\u0000",
    "null",
    "true",
    "[]",
    "{}",
    "𠀀𪚥𡃁",
    "👍👎🔥💯" * 20,
    "\u202e反向文本",
    "贵州" * 300,
    "海外维权找谁\x00\x01\x02",
    "\ufeff商标",
    "　　　",
    "\n\n\n",
    "A" * 3000,
]


def random_text(rng: random.Random) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return rng.choice(HOSTILE)
    if kind == 1:  # any code point, surrogates excluded (not encodable)
        return "".join(
            chr(rng.choice([rng.randrange(0x20, 0xD800), rng.randrange(0xE000, 0x110000)]))
            for _ in range(rng.randrange(1, 40))
        )
    if kind == 2:
        return "".join(chr(rng.randrange(0, 32)) for _ in range(rng.randrange(1, 10))) + "知识产权"
    if kind == 3:
        return "".join(
            rng.choice("贵州云南西藏广西保德商标专利假货海外维权找谁？！，。") for _ in range(rng.randrange(1, 600))
        )
    if kind == 4:
        return rng.choice(HOSTILE) + rng.choice(["贵州企业海外维权找谁", "商标被抢注了", ""])
    return "".join(rng.choice("😀🧧🇨🇳\u200d\u0301") for _ in range(rng.randrange(1, 30)))


def request(url: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, str]:
    reply = fetch(url, body, headers)
    return reply.status, reply.body


def assert_clean(status: int, body: str, what: str) -> None:
    assert status < 500, (status, what, body[:200])
    assert "Traceback" not in body and 'File "' not in body, what
    assert "<script" not in body.lower() and "<img" not in body.lower(), (what, body[:200])


def chat_bodies(rng: random.Random) -> list[tuple[bytes, str]]:
    sender = "fuzz" + "".join(rng.choice("abcdef0123456789") for _ in range(12))
    cases: list[tuple[bytes, str]] = []
    for _ in range(450):
        cases.append((json.dumps({"sender": sender, "message": random_text(rng)}).encode("utf-8"), "application/json"))
    raw = [
        b"",
        b"{",
        b"[]",
        b"null",
        b'{"sender": 1, "message": []}',
        b'{"message": "\xff\xfe"}',
        b"\xef\xbb\xbf{}",
        b'{"sender": "' + b"a" * 70 + b'", "message": "hi"}',
        b'{"sender": "abcdefgh", "message": "' + b"x" * 70000 + b'"}',
    ]
    cases.extend((body, "application/json") for body in raw)
    cases.extend((b'{"sender": "abcdefgh", "message": "hi"}', kind) for kind in ("text/plain", "application/xml", ""))
    return cases


def wechat_bodies(rng: random.Random) -> list[str]:
    bodies = []
    for index in range(300):
        choice = index % 4
        if choice == 0:
            bodies.append(text_xml(random_text(rng).replace("]]>", ""), str(900_000 + index), user=f"ofuzz{index % 7}"))
        elif choice == 1:
            bodies.append(text_xml("x", str(900_000 + index)).replace("text", rng.choice(["image", "event", "??", ""])))
        elif choice == 2:
            bodies.append(
                rng.choice(
                    [
                        "<xml>",
                        "",
                        "<?xml version='1.0'?>",
                        "<xml><MsgType>text</MsgType></xml>",
                        "<!DOCTYPE x [<!ENTITY a 'b'>]><xml>&a;</xml>",
                        "<xml>" * 500,
                    ]
                )
            )
        else:
            bodies.append(random_text(rng))
    return bodies


def test_fuzz_public_endpoints(chat: Chat) -> None:
    rng = random.Random(SEED)
    sent = 0
    started = time.monotonic()
    for body, content_type in chat_bodies(rng):
        status, text = request(f"{chat.gateway}/api/chat", body, {"Content-Type": content_type} if content_type else {})
        assert_clean(status, text, "api/chat")
        sent += 1
    for xml in wechat_bodies(rng):
        params = urllib.parse.urlencode(signed_query(WECHAT_TOKEN))
        status, text = request(
            f"{chat.gateway}/wechat?{params}", xml.encode("utf-8", "replace"), {"Content-Type": "text/xml"}
        )
        assert_clean(status, text, "wechat")
        sent += 1
    for _ in range(290):
        query = urllib.parse.urlencode(
            {
                "q": random_text(rng)[:700],
                "region": rng.choice(["", "贵州", "火星", "<b>"]),
                "topic": rng.choice(["", "ip_insurance", "'; --"]),
                "agency": rng.choice(["", "省商务厅", "<script>"]),
            }
        )
        status, text = request(
            f"{chat.gateway}/staff/api/search?{query}", None, {"Authorization": f"Bearer {STAFF_TOKEN}"}
        )
        assert_clean(status, text, "staff search")
        sent += 1
    assert sent >= 1000, sent

    # Normal answers afterwards: nothing was broken or lost.
    status, text = request(
        f"{chat.gateway}/api/chat",
        json.dumps({"sender": "after-fuzz-0001", "message": "贵州企业海外维权找谁"}).encode(),
        {"Content-Type": "application/json"},
    )
    assert status == 200 and "省商务厅" in json.loads(text)["messages"][0]["text"]
    print(f"fuzz: {sent} inputs in {time.monotonic() - started:.0f} s")
