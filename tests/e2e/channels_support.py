"""The enterprise channels as the platforms call them, for tests and the latency benchmark on a real stack: the
gateway settings of each channel, signed/encrypted requests built as the platforms build them, and a local server
standing in for Feishu's open API (loopback; its port is chosen once, before the gateway starts)."""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bot.gateway.channels.crypto import FeishuCipher, dingtalk_sign, feishu_signature
from bot.gateway.wechat.crypto import WeChatCrypto
from bot.gateway.wechat.messages import parse_xml
from bot.gateway.wechat.signature import sign
from tests.support.http import fetch
from tests.support.ports import free_port

WECOM_CORP_ID = "wwe2e0123456789abc"
WECOM_TOKEN = "e2e-wecom-token"
WECOM_AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
WECOM_AGENT_ID = "1000002"
DINGTALK_SECRET = "e2e-dingtalk-app-secret"
DINGTALK_APP_KEY = "dinge2erobot"
FEISHU_APP_ID = "cli_e2e00000000001"
FEISHU_APP_SECRET = "e2e-feishu-app-secret"
FEISHU_TOKEN = "e2e-feishu-verification-token"
FEISHU_KEY = "e2e-feishu-encrypt-key"
_feishu_port: list[int] = []


def feishu_api_port() -> int:
    if not _feishu_port:
        _feishu_port.append(free_port())
    return _feishu_port[0]


def channel_env() -> dict[str, str]:
    """What an administrator sets for the three channels (README), with Feishu's API on a loopback stand-in."""
    return {
        "WECOM_CORP_ID": WECOM_CORP_ID,
        "WECOM_TOKEN": WECOM_TOKEN,
        "WECOM_ENCODING_AES_KEY": WECOM_AES_KEY,
        "WECOM_AGENT_ID": WECOM_AGENT_ID,
        "DINGTALK_APP_SECRET": DINGTALK_SECRET,
        "DINGTALK_APP_KEY": DINGTALK_APP_KEY,
        "FEISHU_APP_ID": FEISHU_APP_ID,
        "FEISHU_APP_SECRET": FEISHU_APP_SECRET,
        "FEISHU_VERIFICATION_TOKEN": FEISHU_TOKEN,
        "FEISHU_ENCRYPT_KEY": FEISHU_KEY,
        "FEISHU_API_BASE": f"http://127.0.0.1:{feishu_api_port()}",
    }


# -- 企业微信 ---------------------------------------------------------------------------------------------------
WECOM_CRYPTO = WeChatCrypto(WECOM_AES_KEY, WECOM_CORP_ID)


def wecom_request(content: str, user: str, msg_id: str, msg_type: str = "text") -> tuple[str, bytes]:
    """The query string and body WeCom posts for a user's message."""
    inner = (
        f"<xml><ToUserName><![CDATA[{WECOM_CORP_ID}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId><AgentID>{WECOM_AGENT_ID}</AgentID></xml>"
    )
    timestamp, nonce = str(int(time.time())), secrets.token_hex(5)
    encrypted = WECOM_CRYPTO.encrypt(inner)
    query = {"msg_signature": sign(WECOM_TOKEN, timestamp, nonce, encrypted), "timestamp": timestamp, "nonce": nonce}
    body = f"<xml><ToUserName><![CDATA[{WECOM_CORP_ID}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    return urllib.parse.urlencode(query), body.encode()


def wecom(gateway: str, content: str, user: str) -> str:
    """Send one message as WeCom does; the decrypted reply's Content."""
    query, body = wecom_request(content, user, str(secrets.randbelow(10**15)))
    reply = fetch(f"{gateway}/wecom?{query}", body, {"Content-Type": "text/xml"}, timeout=30)
    assert reply.status == 200, reply
    envelope = parse_xml(reply.body)
    assert envelope["MsgSignature"] == sign(WECOM_TOKEN, envelope["TimeStamp"], envelope["Nonce"], envelope["Encrypt"])
    return parse_xml(WECOM_CRYPTO.decrypt(envelope["Encrypt"]))["Content"]


def wecom_all(gateway: str, content: str, user: str) -> str:
    """The whole answer: the first part and every "继续"."""
    parts = [wecom(gateway, content, user)]
    while "回复“继续”" in parts[-1] and len(parts) < 10:
        parts.append(wecom(gateway, "继续", user))
    return "\n".join(parts)


# -- 钉钉 -------------------------------------------------------------------------------------------------------
_last_ms = [0]


def dingtalk_request(content: str, staff: str, group: str = "") -> tuple[bytes, dict[str, str]]:
    timestamp = _last_ms[0] = max(int(time.time() * 1000), _last_ms[0] + 1)
    body = {
        "conversationId": group or f"cid{staff}",
        "msgId": f"msg{secrets.token_hex(8)}",
        "senderNick": "测试用户",
        "senderStaffId": staff,
        "senderId": f"$:LWCP_v1:${staff}",
        "conversationType": "2" if group else "1",
        "isInAtList": True,
        "robotCode": DINGTALK_APP_KEY,
        "createAt": timestamp,
        "text": {"content": f" {content}"},
        "msgtype": "text",
    }
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "timestamp": str(timestamp),
        "sign": dingtalk_sign(DINGTALK_SECRET, str(timestamp)),
    }
    return json.dumps(body, ensure_ascii=False).encode(), headers


def dingtalk(gateway: str, content: str, staff: str, group: str = "") -> dict[str, Any]:
    body, headers = dingtalk_request(content, staff, group)
    reply = fetch(f"{gateway}/dingtalk", body, headers, timeout=30)
    assert reply.status == 200, reply
    data = reply.json()
    assert isinstance(data, dict)
    return data


# -- 飞书 -------------------------------------------------------------------------------------------------------
@dataclass
class FeishuApi:
    """Records every request the gateway makes to the open API, and answers as the documented endpoints do."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)
    server: ThreadingHTTPServer | None = None

    def start(self) -> FeishuApi:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                entry = {"path": self.path, "authorization": self.headers.get("Authorization", ""), "body": body}
                if self.path.endswith("/tenant_access_token/internal"):
                    answer = {"code": 0, "msg": "ok", "tenant_access_token": "t-e2e-token", "expire": 7200}
                else:
                    answer = {"code": 0, "msg": "success", "data": {"message_id": f"om_{secrets.token_hex(6)}"}}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                with api.arrived:
                    api.requests.append(entry)
                    api.arrived.notify_all()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", feishu_api_port()), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def wait_message(self, seen: int, timeout: float = 30, to: str = "") -> dict[str, Any]:
        """The first message request (reply or send) after the first ``seen`` requests; with ``to``, the first one
        replying to that message id or sent into that chat (replies to earlier events may still be arriving)."""

        def wanted(request: dict[str, Any]) -> bool:
            if "/im/v1/messages" not in request["path"]:
                return False
            return not to or f"/{to}/reply" in request["path"] or request["body"].get("receive_id") == to

        deadline = time.monotonic() + timeout
        with self.arrived:
            while True:
                found = [r for r in self.requests[seen:] if wanted(r)]
                if found:
                    return found[0]
                left = deadline - time.monotonic()
                assert left > 0, f"no message sent to Feishu: {self.requests[seen:]}"
                self.arrived.wait(left)

    def settle(self, quiet: float = 2.0, timeout: float = 120) -> None:
        """Wait until no request has arrived for ``quiet`` seconds (the gateway has written every reply)."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while time.monotonic() < deadline:
                count = len(self.requests)
                self.arrived.wait(quiet)
                if len(self.requests) == count:
                    return


def feishu_event(event_type: str, event: dict[str, Any]) -> dict[str, Any]:
    return {
        "schema": "2.0",
        "header": {
            "event_id": secrets.token_hex(16),
            "token": FEISHU_TOKEN,
            "create_time": str(int(time.time() * 1000)),
            "event_type": event_type,
            "tenant_key": "e2e-tenant",
            "app_id": FEISHU_APP_ID,
        },
        "event": event,
    }


def feishu_text(text: str, user: str, chat_id: str, group: bool = False) -> dict[str, Any]:
    mentions = [{"key": "@_user_1", "id": {"open_id": "ou_bot"}, "name": "知识产权维权助手"}] if group else []
    return feishu_event(
        "im.message.receive_v1",
        {
            "sender": {"sender_id": {"open_id": user}, "sender_type": "user"},
            "message": {
                "message_id": f"om_{secrets.token_hex(8)}",
                "chat_id": chat_id,
                "chat_type": "group" if group else "p2p",
                "message_type": "text",
                "content": json.dumps({"text": ("@_user_1 " if group else "") + text}, ensure_ascii=False),
                "mentions": mentions,
            },
        },
    )


def feishu_click(value: dict[str, Any], user: str, chat_id: str) -> dict[str, Any]:
    return feishu_event(
        "card.action.trigger",
        {
            "operator": {"open_id": user},
            "action": {"value": value, "tag": "button"},
            "context": {"open_message_id": f"om_{secrets.token_hex(8)}", "open_chat_id": chat_id},
        },
    )


def feishu_post(gateway: str, payload: dict[str, Any]) -> tuple[int, str]:
    raw = json.dumps({"encrypt": FeishuCipher(FEISHU_KEY).encrypt(json.dumps(payload, ensure_ascii=False))}).encode()
    timestamp, nonce = str(int(time.time())), secrets.token_hex(6)
    headers = {
        "Content-Type": "application/json",
        "X-Lark-Request-Timestamp": timestamp,
        "X-Lark-Request-Nonce": nonce,
        "X-Lark-Signature": feishu_signature(timestamp, nonce, FEISHU_KEY, raw),
    }
    reply = fetch(f"{gateway}/feishu", raw, headers, timeout=30)
    return reply.status, reply.body


def feishu(gateway: str, api: FeishuApi, payload: dict[str, Any]) -> dict[str, Any]:
    """Post an event as Feishu does; the message the gateway then sent through the open API."""
    seen = len(api.requests)
    status, body = feishu_post(gateway, payload)
    assert status == 200, body
    event = payload["event"]
    to = event["message"]["message_id"] if "message" in event else event["context"]["open_chat_id"]
    return api.wait_message(seen, to=to)


def card_text(message: dict[str, Any]) -> str:
    content = json.loads(message["body"]["content"])
    if message["body"]["msg_type"] == "text":
        return str(content["text"])
    texts = [e["text"]["content"] for e in content["elements"] if e["tag"] == "div"]
    notes = [n["content"] for e in content["elements"] if e["tag"] == "note" for n in e["elements"]]
    return "\n".join(texts + notes)


def card_buttons(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    content = json.loads(message["body"]["content"])
    return {
        a["text"]["content"]: a["value"]
        for e in content.get("elements", [])
        if e["tag"] == "action"
        for a in e["actions"]
    }
