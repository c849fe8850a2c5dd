"""A signature that is not even ASCII is a bad signature (403), not a server error: ``hmac.compare_digest`` raises
TypeError on non-ASCII str (found by the channel fuzz test, tests/e2e/test_fuzz_channels.py)."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from bot.gateway.wechat.signature import check
from tests.gateway.conftest import WECHAT_TOKEN
from tests.gateway.wechat_support import signed_query, text_xml


def test_non_ascii_signatures_do_not_match() -> None:
    assert check("token", "签名", "1700000000", "nonce") is False
    assert check("token", "ａ" * 40, "1700000000", "nonce", "encrypted") is False


async def test_wechat_answers_a_non_ascii_signature_with_403(client: TestClient) -> None:
    query = {**signed_query(WECHAT_TOKEN, echostr="x"), "signature": "签名"}
    assert (await client.get("/wechat", params=query)).status == 403
    response = await client.post(
        "/wechat", params=query, data=text_xml("你好", "1"), headers={"Content-Type": "text/xml"}
    )
    assert response.status == 403
