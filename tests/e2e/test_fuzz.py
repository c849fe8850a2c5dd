"""Fuzzing the public endpoints through the real stack: about 1,650 generated inputs (random Unicode, control
characters, emoji, very long text, JSON and XML edge cases, SQL-like and HTML-like strings) to the chat API, WeChat
in safe mode (well-encrypted hostile messages, tampered envelopes and signatures, plaintext the account refuses)
and the staff console's API and login form. No 5xx, no traceback, no markup in any response body, and normal
answers afterwards."""

from __future__ import annotations

import base64
import http.client
import json
import random
import time
import urllib.error
import urllib.parse
import urllib.request

from bot.gateway.wechat.crypto import WeChatCrypto
from bot.gateway.wechat.signature import sign
from tests.e2e.conftest import AES_KEY, APP_ID, STAFF_TOKEN, WECHAT_TOKEN, Chat
from tests.gateway.wechat_support import encrypted_request, signed_query, text_xml
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


def conversation(gateway: str) -> str:
    reply = fetch(f"{gateway}/api/conversations", b"")
    assert reply.status == 201, reply
    return str(reply.json()["conversation"])


def chat_bodies(rng: random.Random, sender: str) -> list[tuple[bytes, str]]:
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


def safe_mode_requests(rng: random.Random) -> list[tuple[dict[str, str], str]]:
    """(query, body) pairs as WeChat would post them to a safe-mode account, most of them hostile."""
    crypto = WeChatCrypto(AES_KEY, APP_ID)
    requests: list[tuple[dict[str, str], str]] = []
    for index, xml in enumerate(wechat_bodies(rng)):
        query, body = encrypted_request(WECHAT_TOKEN, crypto, xml)  # well encrypted, well signed, hostile inside
        kind = index % 6
        if kind == 1:  # tampered ciphertext, signed as it is
            encrypted = base64.b64encode(rng.randbytes(rng.choice([0, 15, 16, 32, 48, 4096]))).decode()
            body = f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
            query["msg_signature"] = sign(WECHAT_TOKEN, query["timestamp"], query["nonce"], encrypted)
        elif kind == 2:  # a valid envelope with a forged msg_signature
            query["msg_signature"] = "".join(rng.choice("0123456789abcdef") for _ in range(40))
        elif kind == 3:  # envelope itself malformed
            body = rng.choice(["<xml>", "", "<xml><Encrypt>%%%</Encrypt></xml>", random_text(rng)])
        elif kind == 4:  # plaintext to an account with an AES key: refused
            query = signed_query(WECHAT_TOKEN)
            body = xml
        requests.append((query, body))
    return requests


def staff_login(gateway: str) -> str:
    """The bootstrap login (no account exists in the e2e stack); the session cookie, read from the 303."""
    host, port = urllib.parse.urlsplit(gateway).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    form = urllib.parse.urlencode({"name": "", "password": STAFF_TOKEN})
    connection.request("POST", "/staff/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    connection.close()
    assert response.status == 303 and cookie.startswith("ipr_staff="), (response.status, cookie)
    return cookie


def staff_requests(rng: random.Random) -> list[tuple[str, str, bytes | None, dict[str, str]]]:
    """(method, path, body, headers) for the console's API and login form, hostile values everywhere."""
    requests: list[tuple[str, str, bytes | None, dict[str, str]]] = []
    for index in range(250):
        kind = index % 5
        if kind == 0:
            page = rng.choice(["", "0", "-1", "1", "2", "9" * 30, "１", "²", random_text(rng)[:50]])
            requests.append(("GET", "/staff/api/records?" + urllib.parse.urlencode({"page": page}), None, {}))
        elif kind == 1:
            record_kind = rng.choice(["cases", "unanswered", "feedback", "secrets", "..", "%00"])
            record_id = rng.choice(["1", "0", "9" * 30, "99999999999999999", "abc"])
            path = f"/staff/api/records/{urllib.parse.quote(record_kind)}/{record_id}/handled"
            requests.append(("POST", path, b"", {"X-Requested-With": rng.choice(["ipr-staff", "x", ""])}))
        elif kind == 2:
            form = {"name": random_text(rng)[:100], "password": random_text(rng)[:200]}
            body = urllib.parse.urlencode(form).encode()
            charset = rng.choice(["", "; charset=utf-8", "; charset=bogus-xyz", "; charset=utf-16"])
            requests.append(
                ("POST", "/staff/login", body, {"Content-Type": "application/x-www-form-urlencoded" + charset})
            )
        elif kind == 3:
            requests.append(("GET", "/staff?" + urllib.parse.urlencode({"error": random_text(rng)[:100]}), None, {}))
        else:
            printable = "".join(ch for ch in random_text(rng)[:80] if ch.isprintable())  # what a header can carry
            cookie = rng.choice(["ipr_staff=" + printable, "ipr_staff=" + "A" * 5000, "ipr_staff="])
            requests.append(("GET", "/staff/api/search?q=%E6%B5%B7%E5%A4%96", None, {"Cookie": cookie}))
    return requests


def raw_request(gateway: str, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, str]:
    """http.client: headers (cookies with any characters) go out as given, and redirects are not followed."""
    host, port = urllib.parse.urlsplit(gateway).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.putrequest(method, path)
        for name, value in {**headers, "Content-Length": str(len(body or b""))}.items():
            connection.putheader(name, value.encode("utf-8"))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def test_fuzz_public_endpoints(chat: Chat) -> None:
    rng = random.Random(SEED)
    sent = 0
    started = time.monotonic()
    for body, content_type in chat_bodies(rng, conversation(chat.gateway)):
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
    cookie = staff_login(chat.gateway)
    for _ in range(290):
        query = urllib.parse.urlencode(
            {
                "q": random_text(rng)[:700],
                "region": rng.choice(["", "贵州", "火星", "<b>"]),
                "topic": rng.choice(["", "ip_insurance", "'; --"]),
                "agency": rng.choice(["", "省商务厅", "<script>"]),
            }
        )
        status, text = request(f"{chat.gateway}/staff/api/search?{query}", None, {"Cookie": cookie})
        assert_clean(status, text, "staff search")
        assert status != 401, text  # the session held for the whole run
        sent += 1
    for query, body in safe_mode_requests(rng):
        params = urllib.parse.urlencode(query)
        status, text = request(
            f"{chat.gateway}/wechat?{params}", body.encode("utf-8", "replace"), {"Content-Type": "text/xml"}
        )
        assert_clean(status, text, "wechat safe mode")
        sent += 1
    for method, path, body, headers in staff_requests(rng):
        # The console page itself loads a script: the login page (no session) is the one that could reflect markup.
        use_session = path.startswith("/staff/api/") and "Cookie" not in headers
        status, text = raw_request(
            chat.gateway, method, path, body, {**headers, **({"Cookie": cookie} if use_session else {})}
        )
        assert_clean(status, text, f"staff {method} {path[:60]}")
        sent += 1
    assert sent >= 1550, sent

    # Normal answers afterwards: nothing was broken or lost.
    status, text = request(
        f"{chat.gateway}/api/chat",
        json.dumps({"sender": conversation(chat.gateway), "message": "贵州企业海外维权找谁"}).encode(),
        {"Content-Type": "application/json"},
    )
    assert status == 200 and "省商务厅" in json.loads(text)["messages"][0]["text"]
    print(f"fuzz: {sent} inputs in {time.monotonic() - started:.0f} s")
