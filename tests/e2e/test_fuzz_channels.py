"""Fuzzing the three enterprise channel endpoints through the real stack, ≥ 300 inputs each: well-signed and
well-encrypted requests with hostile content (random Unicode, control characters, XML/JSON edge cases, wrong
types in every field), tampered signatures and ciphertexts, malformed envelopes, stale and missing headers.
No 5xx, no traceback, no markup in any response body, and normal answers afterwards."""

from __future__ import annotations

import base64
import json
import random
import secrets
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest

from bot.gateway.channels.crypto import FeishuCipher, dingtalk_sign, feishu_signature
from bot.gateway.wechat.signature import sign
from tests.e2e.channels_support import (
    DINGTALK_SECRET,
    FEISHU_KEY,
    WECOM_AES_KEY,
    WECOM_CRYPTO,
    WECOM_TOKEN,
    FeishuApi,
    dingtalk,
    dingtalk_request,
    feishu_text,
    wecom,
    wecom_request,
)
from tests.e2e.conftest import Chat
from tests.e2e.test_fuzz import HOSTILE, assert_clean, random_text
from tests.support.http import fetch

SEED = 20261130
PER_ENDPOINT = 320


@pytest.fixture(scope="module")
def feishu_api() -> Iterator[FeishuApi]:
    api = FeishuApi().start()
    yield api
    api.stop()


def odd_value(rng: random.Random) -> Any:
    return rng.choice(
        [
            None,
            0,
            -1,
            10**30,
            1.5,
            True,
            [],
            {},
            [random_text(rng)],
            {"a": random_text(rng)},
            random_text(rng),
            "",
            "1",
            "2",
            "text",
            "\x00",
        ]
    )


def wecom_inputs(rng: random.Random) -> Iterator[tuple[str, str, bytes]]:
    """(method, query, body) as WeCom would send them to /wecom, most of them hostile."""
    for index in range(PER_ENDPOINT):
        kind = index % 8
        content = random_text(rng).replace("]]>", "")
        if kind <= 2:  # well signed and encrypted, hostile content or type
            msg_type = rng.choice(["text", "text", "image", "event", "voice", "??", ""])
            query, body = wecom_request(content, f"fuzz{index % 9}", str(800_000 + index), msg_type)
        elif kind == 3:  # well signed, hostile inner XML
            inner = rng.choice(
                [
                    "<xml>",
                    "not xml",
                    "<xml><MsgType>text</MsgType></xml>",
                    "<xml>" * 300,
                    "<!DOCTYPE x [<!ENTITY a 'b'>]><xml>&a;</xml>",
                    content,
                ]
            )
            ts, nonce = str(int(time.time())), secrets.token_hex(5)
            cipher = WECOM_CRYPTO.encrypt(inner)
            query = urllib.parse.urlencode(
                {"msg_signature": sign(WECOM_TOKEN, ts, nonce, cipher), "timestamp": ts, "nonce": nonce}
            )
            body = f"<xml><Encrypt><![CDATA[{cipher}]]></Encrypt></xml>".encode()
        elif kind == 4:  # tampered ciphertext, signed as it is
            cipher = base64.b64encode(rng.randbytes(rng.choice([0, 15, 16, 32, 48, 4096]))).decode()
            ts, nonce = str(int(time.time())), secrets.token_hex(5)
            query = urllib.parse.urlencode(
                {"msg_signature": sign(WECOM_TOKEN, ts, nonce, cipher), "timestamp": ts, "nonce": nonce}
            )
            body = f"<xml><Encrypt><![CDATA[{cipher}]]></Encrypt></xml>".encode()
        elif kind == 5:  # forged or stale signature
            query, body = wecom_request(content, "fuzz", str(800_000 + index))
            params = dict(urllib.parse.parse_qsl(query))
            params[rng.choice(["msg_signature", "timestamp", "nonce"])] = rng.choice(["", "0", "1" * 40, content[:30]])
            query = urllib.parse.urlencode(params)
        elif kind == 6:  # GET verification with a hostile echostr, signed
            ts, nonce = str(int(time.time())), secrets.token_hex(5)
            echostr = rng.choice([content, base64.b64encode(rng.randbytes(48)).decode(), ""])
            query = urllib.parse.urlencode(
                {
                    "msg_signature": sign(WECOM_TOKEN, ts, nonce, echostr),
                    "timestamp": ts,
                    "nonce": nonce,
                    "echostr": echostr,
                }
            )
            yield "GET", query, b""
            continue
        else:  # raw bodies with a valid query for another body
            query, _ = wecom_request("x", "fuzz", str(800_000 + index))
            body = rng.choice([b"", b"\xff\xfe", content.encode(), b"<xml>" + b"A" * 20000, WECOM_AES_KEY.encode()])
        yield "POST", query, body


def dingtalk_inputs(rng: random.Random) -> Iterator[tuple[bytes, dict[str, str]]]:
    for index in range(PER_ENDPOINT):
        kind = index % 6
        body, headers = dingtalk_request(random_text(rng), f"fuzz{index % 9}", rng.choice(["", "cidFuzz+/=="]))
        if kind == 1:  # every field a wrong type, still signed
            data = json.loads(body)
            for key in rng.sample(sorted(data), rng.randrange(1, 5)):
                data[key] = odd_value(rng)
            body = json.dumps(data, ensure_ascii=False).encode("utf-8", "replace")
        elif kind == 2:  # not JSON or not an object
            body = rng.choice(
                [
                    b"",
                    b"{",
                    b"[]",
                    b"null",
                    b"\xff",
                    b"[" * 3000,
                    random_text(rng).encode("utf-8", "replace"),
                    b'{"text": {"content": "' + b"x" * 40000 + b'"}}',
                ]
            )
        elif kind == 3:  # forged sign or a timestamp outside the hour
            headers["sign"] = rng.choice(["", "x", dingtalk_sign("other", headers["timestamp"]), random_text(rng)[:20]])
            headers["sign"] = "".join(ch for ch in headers["sign"] if ch.isprintable() and ch.isascii())
        elif kind == 4:
            stale = str(int(time.time() * 1000) + rng.choice([-1, 1]) * rng.randrange(3_601_000, 10**10))
            headers.update(timestamp=stale, sign=dingtalk_sign(DINGTALK_SECRET, stale))
        yield body, headers


def feishu_inputs(rng: random.Random) -> Iterator[tuple[bytes, dict[str, str]]]:
    for index in range(PER_ENDPOINT):
        kind = index % 6
        payload: Any = feishu_text(random_text(rng), f"ou_fuzz{index % 9}", "oc_fuzzchat", group=bool(index % 2))
        if kind == 1:  # wrong types anywhere
            section = rng.choice(["header", "event"])
            target = payload[section]
            for key in rng.sample(sorted(target), min(len(target), rng.randrange(1, 4))):
                target[key] = odd_value(rng)
        elif kind == 2:
            payload = rng.choice(
                [
                    [],
                    "x",
                    None,
                    {"type": "url_verification", "challenge": odd_value(rng), "token": rng.choice(["", "x", None])},
                    {"schema": "2.0", "header": odd_value(rng), "event": odd_value(rng)},
                ]
            )
        text = json.dumps(payload, ensure_ascii=False)
        raw = json.dumps({"encrypt": FeishuCipher(FEISHU_KEY).encrypt(text)}).encode()
        if kind == 3:  # a hostile envelope
            raw = rng.choice(
                [
                    b"",
                    b"{",
                    b'{"encrypt": null}',
                    b'{"encrypt": "' + base64.b64encode(rng.randbytes(48)) + b'"}',
                    text.encode("utf-8", "replace"),
                    b"A" * 70000,
                ]
            )
        ts, nonce = str(int(time.time())), secrets.token_hex(6)
        headers = {
            "Content-Type": "application/json",
            "X-Lark-Request-Timestamp": ts,
            "X-Lark-Request-Nonce": nonce,
            "X-Lark-Signature": feishu_signature(ts, nonce, FEISHU_KEY, raw),
        }
        if kind == 4:  # forged, stale or missing signature headers
            name = rng.choice(["X-Lark-Signature", "X-Lark-Request-Timestamp", "X-Lark-Request-Nonce"])
            headers[name] = rng.choice(["", "0", "1" * 64, str(int(time.time()) - 4000)])
        yield raw, headers


def test_fuzz_channel_endpoints(chat: Chat, feishu_api: FeishuApi) -> None:
    rng = random.Random(SEED)
    counts = {"wecom": 0, "dingtalk": 0, "feishu": 0}
    statuses: dict[int, int] = {}
    for method, query, body in wecom_inputs(rng):
        reply = fetch(f"{chat.gateway}/wecom?{query}", body if method == "POST" else None, {"Content-Type": "text/xml"})
        assert_clean(reply.status, reply.body, "wecom")
        statuses[reply.status] = statuses.get(reply.status, 0) + 1
        counts["wecom"] += 1
    for body, headers in dingtalk_inputs(rng):
        reply = fetch(f"{chat.gateway}/dingtalk", body, headers)
        assert_clean(reply.status, reply.body, "dingtalk")
        statuses[reply.status] = statuses.get(reply.status, 0) + 1
        counts["dingtalk"] += 1
    for body, headers in feishu_inputs(rng):
        reply = fetch(f"{chat.gateway}/feishu", body, headers)
        assert_clean(reply.status, reply.body, "feishu")
        statuses[reply.status] = statuses.get(reply.status, 0) + 1
        counts["feishu"] += 1
    assert min(counts.values()) >= 300, counts
    assert 200 in statuses and 400 in statuses and 403 in statuses and 413 in statuses, statuses
    print(f"channel fuzz: {counts}, statuses {dict(sorted(statuses.items()))}")

    # Normal answers afterwards.
    assert "省商务厅" in wecom(chat.gateway, "贵州企业海外维权找谁", "afterfuzz")
    reply = dingtalk(chat.gateway, "贵州企业海外维权找谁", "afterfuzz")
    assert "省商务厅" in json.dumps(reply, ensure_ascii=False)
    assert HOSTILE  # the same hostile strings as the other endpoints' fuzz test
    feishu_api.settle()  # the replies to the fuzz's valid Feishu events, before the next test's stand-in starts
