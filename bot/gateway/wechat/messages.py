"""WeChat XML messages: parsed with defusedxml (no entities, no DTDs: an entity bomb is rejected), built with
CDATA that survives any text."""

from __future__ import annotations

import time
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring


class BadMessage(ValueError):
    pass


@dataclass(frozen=True)
class Incoming:
    to_user: str  # the account
    from_user: str  # the user's OpenID
    create_time: str
    msg_type: str  # text, image, voice, video, shortvideo, location, link, event
    content: str = ""
    msg_id: str = ""
    event: str = ""

    @property
    def dedupe_key(self) -> str:
        # MsgId is unique per account only together with the sender: keyed on the MsgId alone, a message sent
        # first by someone else with the same MsgId would make the real one get that answer. Events carry no
        # MsgId: WeChat's own advice is FromUserName + CreateTime.
        if self.msg_id:
            return f"{self.from_user}:{self.msg_id}"
        return f"{self.from_user}:{self.create_time}:{self.event or self.msg_type}"


def parse_xml(body: str) -> dict[str, str]:
    try:
        root = fromstring(body, forbid_dtd=True)
    except (ParseError, DefusedXmlException) as error:
        raise BadMessage(f"{type(error).__name__}: {error}") from error
    if root.tag != "xml":
        raise BadMessage("root element is not <xml>")
    return {child.tag: (child.text or "") for child in root}


def parse_incoming(body: str) -> Incoming:
    fields = parse_xml(body)
    try:
        return Incoming(
            to_user=fields["ToUserName"],
            from_user=fields["FromUserName"],
            create_time=fields.get("CreateTime", ""),
            msg_type=fields["MsgType"].strip().lower(),
            content=fields.get("Content", ""),
            msg_id=fields.get("MsgId", "").strip(),
            event=fields.get("Event", "").strip().lower(),
        )
    except KeyError as error:
        raise BadMessage(f"missing field {error}") from error


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(incoming: Incoming, content: str, now: int | None = None) -> str:
    return (
        f"<xml><ToUserName>{cdata(incoming.from_user)}</ToUserName>"
        f"<FromUserName>{cdata(incoming.to_user)}</FromUserName>"
        f"<CreateTime>{now or int(time.time())}</CreateTime><MsgType>{cdata('text')}</MsgType>"
        f"<Content>{cdata(content)}</Content></xml>"
    )


def encrypted_envelope(encrypted: str, signature: str, timestamp: str, nonce: str) -> str:
    return (
        f"<xml><Encrypt>{cdata(encrypted)}</Encrypt><MsgSignature>{cdata(signature)}</MsgSignature>"
        f"<TimeStamp>{timestamp}</TimeStamp><Nonce>{cdata(nonce)}</Nonce></xml>"
    )
