"""/staff/api/answer without a running Rasa: operators only, bad questions refused before Rasa is asked, and a
Rasa that does not answer is a clear 503 (the real answers are tested on the stack: tests/e2e/test_console_answer)."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from tests.gateway.test_staff import login


async def test_only_operators_may_ask(client: TestClient) -> None:
    assert (await client.get("/staff/api/answer", params={"q": "商标被抢注"})).status == 401


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"q": " \u0000 "}, "请输入问题"),
        ({"q": "假" * 501}, "500字以内"),
        ({"q": "商标被抢注", "region": "浙江省"}, "没有这个地区的方案"),
        ({"q": "商标被抢注", "region": "<b>贵州省</b>"}, "没有这个地区的方案"),
    ],
)
async def test_bad_questions_get_a_clear_chinese_error(client: TestClient, params: dict[str, str], error: str) -> None:
    await login(client)
    response = await client.get("/staff/api/answer", params=params)
    assert response.status == 400 and error in (await response.json())["error"]


async def test_rasa_down_is_a_503_with_a_way_on(client: TestClient) -> None:
    await login(client)
    response = await client.get("/staff/api/answer", params={"q": "贵州企业海外维权找谁", "region": "贵州省"})
    assert response.status == 503 and "直接检索条款" in (await response.json())["error"]
