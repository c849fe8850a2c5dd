"""Issue 21: real messages reach the console's 待标注 inbox masked, from the web chat and from 企业微信, through the
whole stack (gateway → Rasa → actions → records); a reviewer in a real Chromium corrects one, confirms another and
discards a third, at phone and at desktop size (axe-core: 0 serious or critical violations); the training data
written for `make train` (``python -m bot.review export``) then holds exactly the two confirmed examples."""

from __future__ import annotations

import random
from pathlib import Path

import yaml
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select

from bot.review.export import write_reviewed
from tests.e2e.channels_support import wecom
from tests.e2e.conftest import Chat
from tests.e2e.test_browser import wait_for
from tests.e2e.test_gateway_stack import new_conversation
from tests.e2e.test_handoff_console import DESKTOP, PHONE, log_in, say
from tests.support.axe import blocking_violations
from tests.support.browser import SHOTS


def cards(browser: webdriver.Chrome) -> list[WebElement]:
    return browser.find_elements(By.CSS_SELECTOR, "#review-list > li[data-id]")


def card_with(browser: webdriver.Chrome, words: str) -> WebElement:
    return next(c for c in cards(browser) if words in c.find_element(By.CLASS_NAME, "review-text").text)


def show_only(browser: webdriver.Chrome, tag: str) -> None:
    box = browser.find_element(By.CSS_SELECTOR, "#review-filters input[name=q]")
    box.clear()
    box.send_keys(tag)
    browser.find_element(By.CSS_SELECTOR, "#review-filters button[type=submit]").click()


def assert_accessible(browser: webdriver.Chrome) -> None:
    serious = blocking_violations(browser)
    assert serious == [], [(v["id"], v.get("help"), [n.get("target") for n in v.get("nodes", [])][:3]) for v in serious]


def test_reviewed_messages_become_exactly_the_confirmed_training_examples(
    browser: webdriver.Chrome, chat: Chat, tmp_path: Path
) -> None:
    tag = "".join(random.choice("甲乙丙丁戊己庚辛壬癸") for _ in range(6))  # this test's messages, among all others
    web = new_conversation(chat)
    _, contract = say(chat, web, f"{tag}淘宝上有人卖我们品牌的假货，我电话13912345678，怎么举报")
    assert contract["kind"] in ("ask_region", "answer")
    say(chat, new_conversation(chat), f"{tag}今天天气不错，随便聊聊")
    wecom(chat.gateway, f"{tag}我们被投诉外观专利侵权，平台让申诉，邮箱 li.si@example.com", "reviewer-test-user")

    browser.set_window_size(*PHONE)
    log_in(browser, chat)
    browser.execute_script("document.getElementById('review-title').scrollIntoView()")
    show_only(browser, tag)
    wait_for(browser, lambda: len(cards(browser)) == 3)
    shown = browser.find_element(By.ID, "review-list").text
    assert "【手机号】" in shown and "【邮箱】" in shown
    assert "13912345678" not in shown and "li.si@example.com" not in shown
    metas = [c.find_element(By.CLASS_NAME, "meta").text for c in cards(browser)]
    assert sum("企业微信" in m for m in metas) == 1 and sum("网页" in m for m in metas) == 2

    accused = card_with(browser, "外观专利")  # corrected: the model may read a report; the asker is accused
    Select(accused.find_element(By.NAME, "intent")).select_by_value("respond_accusation")
    Select(accused.find_element(By.NAME, "side")).select_by_value("accused")
    button = accused.find_element(By.CSS_SELECTOR, ".review-actions button.primary")
    wait_for(browser, lambda: button.text in ("保存更正", "确认"))
    button.click()
    wait_for(browser, lambda: len(cards(browser)) == 2)
    assert_accessible(browser)
    browser.save_screenshot(str(SHOTS / "review-inbox-phone.png"))

    report = card_with(browser, "淘宝")
    Select(report.find_element(By.NAME, "intent")).select_by_value("report_infringement")
    Select(report.find_element(By.NAME, "side")).select_by_value("holder")
    report.find_element(By.CSS_SELECTOR, ".review-actions button.primary").click()
    wait_for(browser, lambda: len(cards(browser)) == 1)

    browser.set_window_size(*DESKTOP)
    browser.execute_script("document.getElementById('review-title').scrollIntoView()")
    assert_accessible(browser)
    browser.save_screenshot(str(SHOTS / "review-inbox-desktop.png"))
    noise = card_with(browser, "天气")
    noise.find_element(By.XPATH, ".//button[text()='丢弃']").click()
    wait_for(browser, lambda: not cards(browser))
    browser.find_element(By.CSS_SELECTOR, "details.reviewed summary").click()
    wait_for(browser, lambda: tag in browser.find_element(By.ID, "reviewed-list").text)
    listed = browser.find_element(By.ID, "reviewed-list").text
    assert "被投诉或被起诉后怎么应对 · 被指控方" in listed and "去哪里投诉举报 · 权利人" in listed
    browser.save_screenshot(str(SHOTS / "review-examples-desktop.png"))

    path = tmp_path / "reviewed.yml"
    write_reviewed(chat.engine, path)
    blocks = yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]
    mine = sorted(
        (block["intent"], (block.get("metadata") or {}).get("side"), line)
        for block in blocks
        for line in block["examples"].splitlines()
        if tag in line
    )
    assert [(intent, side) for intent, side, _ in mine] == [
        ("report_infringement", "holder"),
        ("respond_accusation", "accused"),
    ]
    assert "【手机号】" in mine[0][2] and "【邮箱】" in mine[1][2]
    assert "天气" not in path.read_text(encoding="utf-8").split(tag, 1)[-1] or all(
        "天气" not in line for *_, line in mine
    )
