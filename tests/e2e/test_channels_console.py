"""The hotline console in a real headless Chromium shows each enterprise channel's 转人工 case with its channel
("来自企业微信", "来自钉钉", "来自飞书"), after conversations through the real stack."""

from __future__ import annotations

import re
import uuid

from selenium import webdriver
from selenium.webdriver.common.by import By

from tests.e2e.channels_support import FeishuApi, card_text, dingtalk, feishu, feishu_text, wecom
from tests.e2e.conftest import STAFF_TOKEN, Chat
from tests.e2e.test_browser import SHOTS, browser, wait_for

__all__ = ["browser"]  # the module-scoped Chromium of test_browser.py
CASE = re.compile(r"IPR\d{8}-\d+")


def test_console_shows_each_cases_channel(browser: webdriver.Chrome, chat: Chat, feishu_api: FeishuApi) -> None:
    tag = uuid.uuid4().hex[:8]
    cases = {
        "企业微信": CASE.search(wecom(chat.gateway, "转人工", f"console{tag}")),
        "钉钉": CASE.search(str(dingtalk(chat.gateway, "转人工", f"console{tag}"))),
        "飞书": CASE.search(
            card_text(feishu(chat.gateway, feishu_api, feishu_text("转人工", f"ou_{tag}", f"oc_{tag}")))
        ),
    }
    numbers = {name: found.group(0) for name, found in cases.items() if found}
    assert len(numbers) == 3, cases
    browser.get(f"{chat.gateway}/staff")
    browser.find_element(By.ID, "password").send_keys(STAFF_TOKEN)
    browser.find_element(By.CSS_SELECTOR, "form.card button, form.card [type=submit]").click()

    def listed() -> str:
        return "\n".join(item.text for item in browser.find_elements(By.CSS_SELECTOR, "#cases li"))

    wait_for(browser, lambda: all(number in listed() for number in numbers.values()))
    text = listed()
    for name, number in numbers.items():
        line = next(line for line in text.split("\n") if number in line)
        assert f"来自{name}" in line, line
    browser.save_screenshot(str(SHOTS / "staff-channels.png"))
