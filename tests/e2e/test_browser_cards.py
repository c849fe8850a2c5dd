"""A step card as people see it, in headless Chromium against the whole stack: the widget on another website answers
「淘宝上有人卖我们品牌的假货，怎么办」 in 贵州 with the card's steps in order — each written step with its clause chip
(which opens that clause in the viewer) and lead unit, the step the plan is silent on in its place — three steps
before a fold on a phone and all of them on a desktop, no "第N步原文" buttons beside the chips, and no axe-core
violation in the widget; the hotline console shows the same steps for the same question, in the lookup and in a
转人工 case. Screenshots go to results/screenshots/ (widget-<size>-card*.png, console-desktop-card*.png)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select

from tests.e2e.conftest import Chat
from tests.e2e.test_browser import wait_for
from tests.e2e.test_browser_answers import SIZES, answers, ask, fresh_page, viewport
from tests.e2e.test_fuzz import staff_login
from tests.e2e.test_gateway_stack import new_conversation, web_chat
from tests.e2e.test_handoff_console import log_in
from tests.support.axe import blocking_violations, violations
from tests.support.browser import SHOTS
from tests.support.http import fetch

QUESTION = "淘宝上有人卖我们品牌的假货，怎么办"
REGION = "贵州"
TITLES = ["贵州省 第1条", "贵州省 第15条", "贵州省 第13条", None, "贵州省 第13条"]  # None: the plan is silent
SILENT = "贵州的方案没有写到"
PHONE_STEPS = 3


@pytest.fixture(scope="module")
def answer(chat: Chat) -> dict[str, Any]:
    """The answer the gateway sends for the question in 贵州, with its card: what the widget and the console show."""
    sender = new_conversation(chat)
    assert web_chat(chat, sender, QUESTION)[0] == 200
    status, body = web_chat(chat, sender, REGION)
    assert status == 200, body
    custom = body["messages"][-1]["custom"]
    assert custom["kind"] == "answer" and custom["situation"] == "online_fakes", custom
    assert custom["answer"]["card"]["steps"], custom
    return dict(custom["answer"])


def widget_violations(chrome: webdriver.Chrome) -> list[dict[str, object]]:
    """axe-core's violations of any impact inside the widget (the host page's own markup is not ours to judge)."""
    return violations(chrome, "[data-ipr-widget]")


def ask_in_widget(
    chrome: webdriver.Chrome, url: str, question: str = QUESTION, region: str = REGION
) -> tuple[WebElement, WebElement]:
    """A new visitor opens the widget, asks the question, answers the region question: the panel and the card."""
    chrome.get(url)
    chrome.execute_script("sessionStorage.clear()")
    chrome.refresh()
    wait_for(chrome, lambda: chrome.find_elements(By.CSS_SELECTOR, "[data-ipr-widget]"))
    root = chrome.find_element(By.CSS_SELECTOR, "[data-ipr-widget]").shadow_root
    root.find_element(By.CSS_SELECTOR, ".ipr-launcher").click()
    panel = root.find_element(By.CSS_SELECTOR, ".ipr-panel")
    wait_for(chrome, lambda: panel.find_elements(By.CSS_SELECTOR, ".ipr-region"))
    panel.find_element(By.CSS_SELECTOR, ".ipr-input").send_keys(question, Keys.ENTER)
    # the assistant asks for the region first
    wait_for(
        chrome,
        lambda: any("哪个地区" in b.text for b in panel.find_elements(By.CSS_SELECTOR, ".ipr-bot:not(.ipr-welcome)")),
    )
    assert not panel.find_elements(By.CSS_SELECTOR, ".ipr-card-answer")
    panel.find_element(By.CSS_SELECTOR, ".ipr-input").send_keys(region, Keys.ENTER)
    wait_for(chrome, lambda: panel.find_elements(By.CSS_SELECTOR, ".ipr-card-answer"))
    # the region question's choices are spent once the region is given: only the card's own buttons remain
    assert not panel.find_elements(By.CSS_SELECTOR, ".ipr-msg:not(.ipr-answer) .ipr-quick-reply")
    return panel, panel.find_elements(By.CSS_SELECTOR, ".ipr-card-answer")[-1]


def shown_steps(card: WebElement) -> list[WebElement]:
    return [s for s in card.find_elements(By.CSS_SELECTOR, "ol.ipr-steps > li") if s.is_displayed()]


def chip_title(step: WebElement) -> str | None:
    chips = step.find_elements(By.CSS_SELECTOR, ".ipr-step-cite")
    return chips[0].text if chips else None


@pytest.mark.parametrize("size", list(SIZES))
def test_the_widget_shows_the_card_step_by_step(
    browser: webdriver.Chrome, chat: Chat, host_page: str, answer: dict[str, Any], size: str
) -> None:
    card = answer["card"]
    viewport(browser, size)
    try:
        panel, shown = ask_in_widget(browser, f"{host_page}/index.html")
        steps = shown.find_elements(By.CSS_SELECTOR, "ol.ipr-steps > li")
        assert len(steps) == len(card["steps"]) == len(TITLES)
        # The verdict (the step to take first), the summary naming every step's label in order, then the steps.
        assert shown.find_element(By.CSS_SELECTOR, ".ipr-verdict").text == answer["verdict"]
        labels = [s["label"] for s in card["steps"]]
        quote, summary = [n.text for n in shown.find_elements(By.CSS_SELECTOR, ".ipr-note-line")][:2]
        assert quote == answer["notes"][0] and quote.endswith("——贵州省 第15条")  # the verdict's sentence, quoted
        assert summary.startswith("按贵州省") and [summary.index(label) for label in labels] == sorted(
            summary.index(label) for label in labels
        ), summary
        fold = shown.find_element(By.CSS_SELECTOR, ".ipr-steps-more")
        if size == "phone":  # three steps before the fold, then all five
            assert len(shown_steps(shown)) == PHONE_STEPS
            assert fold.text == f"展开全部{len(TITLES)}步" and fold.get_attribute("aria-expanded") == "false"
            assert fold.get_attribute("aria-controls") == shown.find_element(By.CSS_SELECTOR, "ol").get_attribute("id")
            browser.save_screenshot(str(SHOTS / "widget-phone-card.png"))
            fold.click()
            assert fold.get_attribute("aria-expanded") == "true"
        else:
            assert not fold.is_displayed()
        assert len(shown_steps(shown)) == len(TITLES)
        for item, step, title in zip(shown_steps(shown), card["steps"], TITLES, strict=True):
            assert chip_title(item) == title == step.get("title")
            if title is None:  # the plan's silence, in the step's place and muted
                assert item.text.startswith(step["label"]) and SILENT in item.text
                assert "ipr-step-silent" in (item.get_attribute("class") or "")
            else:
                assert item.find_element(By.CSS_SELECTOR, ".ipr-step-do").text == step["do"]
                assert item.find_element(By.CSS_SELECTOR, ".ipr-unit").text == "、".join(step["lead"])
        assert [s.get_attribute("value") for s in steps] == [str(s["number"]) for s in card["steps"]]

        # The chips stand for "第N步原文": no such button, 转人工 and 有用/没用 stay.
        buttons = [b.text for b in shown.find_elements(By.TAG_NAME, "button")]
        assert not [b for b in buttons if re.fullmatch(r"第[\d、]+步原文", b)], buttons
        assert "查看原文" not in buttons and "转人工" in buttons
        assert shown.find_elements(By.CSS_SELECTOR, ".ipr-feedback .ipr-rate")
        targets = browser.execute_script(
            "return [...arguments[0].querySelectorAll('button')].filter(n => n.offsetParent !== null)"
            ".map(n => [n.textContent, n.getBoundingClientRect().height, n.getBoundingClientRect().width]);",
            shown,
        )
        assert all(h >= 44 and w >= 44 for _, h, w in targets), targets
        assert widget_violations(browser) == []
        browser.execute_script(  # the answer from its start, as a reader scrolls back to it
            "arguments[0].scrollTop = arguments[1].offsetTop - 8;",
            panel.find_element(By.CSS_SELECTOR, ".ipr-log"),
            shown,
        )
        browser.save_screenshot(str(SHOTS / f"widget-{size}-card{'-open' if size == 'phone' else ''}.png"))

        # A step's chip opens that clause's text in the viewer (the step's own clause selected).
        second = shown_steps(shown)[1]
        chip = second.find_element(By.CSS_SELECTOR, ".ipr-step-cite")
        chip.click()
        clause = fetch(f"{chat.gateway}/api/clauses/{card['steps'][1]['ref']}").json()
        viewer = panel.find_element(By.CSS_SELECTOR, ".ipr-viewer")
        wait_for(browser, lambda: viewer.find_elements(By.CSS_SELECTOR, ".ipr-viewer-text"))
        text = viewer.find_element(By.CSS_SELECTOR, ".ipr-viewer-text").text
        flat = re.sub(r"\s", "", text)
        assert flat == re.sub(r"\s", "", clause["text"]) and re.sub(r"\s", "", card["steps"][1]["quote"]) in flat
        assert viewer.find_element(By.CSS_SELECTOR, "[aria-current='true']").text == "贵州省 第15条"
        assert widget_violations(browser) == []  # the dialog open
        browser.save_screenshot(str(SHOTS / f"widget-{size}-card-clause.png"))
        browser.switch_to.active_element.send_keys(Keys.ESCAPE)
        wait_for(browser, lambda: not viewer.is_displayed())
        assert browser.execute_script(
            "return document.querySelector('[data-ipr-widget]').shadowRoot.activeElement === arguments[0]", chip
        )  # focus back on the chip
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.mark.parametrize(
    ("question", "region", "situation", "shot"),
    [
        ("我们的外观设计被人抄袭了怎么办", "云南", "copied", "copied-yunnan"),
        ("我们被人起诉侵犯专利了怎么办", "广西", "accused", "accused-guangxi"),
    ],
)
def test_other_situations_show_their_cards_on_a_phone(
    browser: webdriver.Chrome, chat: Chat, host_page: str, question: str, region: str, situation: str, shot: str
) -> None:
    sender = new_conversation(chat)
    web_chat(chat, sender, question)
    status, body = web_chat(chat, sender, region)
    assert status == 200 and body["messages"][-1]["custom"].get("situation") == situation, body
    steps = body["messages"][-1]["custom"]["answer"]["card"]["steps"]
    viewport(browser, "phone")
    try:
        _, shown = ask_in_widget(browser, f"{host_page}/index.html", question, region)
        assert len(shown_steps(shown)) == min(len(steps), PHONE_STEPS)
        assert [chip_title(s) for s in shown_steps(shown)] == [s.get("title") for s in steps[:PHONE_STEPS]]
        assert widget_violations(browser) == []
        browser.save_screenshot(str(SHOTS / f"widget-phone-card-{shot}.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_the_page_shows_the_contacts_of_the_cards_lead_units(browser: webdriver.Chrome, chat: Chat) -> None:
    """With the office's directory holding 省商务厅 (the lead unit of step 2), the chat page's card says how to reach
    it after the steps; the card's own next step, which points to text channels' "第N步原文" buttons, is not shown."""
    cookie = staff_login(chat.gateway)
    staff = {"Cookie": cookie, "X-Requested-With": "ipr-staff", "Content-Type": "application/json"}
    entry = {"plan": "guizhou", "agency": "省商务厅", "phone": "0851-12345678", "hours": "工作日 9:00-17:00"}
    saved = fetch(f"{chat.gateway}/staff/api/directory", json.dumps(entry).encode(), staff)
    assert saved.status == 200, saved.body
    viewport(browser, "desktop")
    try:
        page = fresh_page(browser, chat)
        ask(browser, page, QUESTION)
        wait_for(
            browser,
            lambda: any(
                "哪个地区" in b.text for b in page.find_elements(By.CSS_SELECTOR, ".ipr-bot:not(.ipr-welcome)")
            ),
        )
        ask(browser, page, REGION)
        wait_for(browser, lambda: page.find_elements(By.CSS_SELECTOR, ".ipr-card-answer"))
        card = answers(page)[-1]
        contacts = [p.text for p in card.find_elements(By.CSS_SELECTOR, ".ipr-contact")]
        assert "省商务厅：电话 0851-12345678；办公时间 工作日 9:00-17:00（本服务登记的联系方式）" in contacts, contacts
        assert any("省法院" in line for line in contacts)  # step 1's lead unit: the service has no contact for it
        assert "第N步原文" not in card.text and "步原文" not in card.text
        assert card.find_elements(By.CSS_SELECTOR, ".ipr-contact .ipr-unit")  # the unit's name in bold
        browser.save_screenshot(str(SHOTS / "page-desktop-card-contacts.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        removed = fetch(f"{chat.gateway}/staff/api/directory/{saved.json()['contact']['id']}/delete", b"{}", staff)
        assert removed.status == 200, removed.body


def console_steps(box: WebElement) -> list[tuple[str, str | None, bool]]:
    """(text, clause title or None, muted) of each step a console card shows."""
    steps = []
    for li in box.find_elements(By.CSS_SELECTOR, "ol.steps > li"):
        titles = li.find_elements(By.CSS_SELECTOR, ".step-title")
        steps.append(
            (li.text, titles[0].text if titles else None, "silent" in (li.get_attribute("class") or "").split())
        )
    return steps


def assert_console_card(box: WebElement, card: dict[str, Any]) -> None:
    steps = console_steps(box)
    assert [title for _, title, _ in steps] == TITLES
    for (text, title, muted), step in zip(steps, card["steps"], strict=True):
        assert muted == (title is None)
        if title is None:
            assert text == f"{step['label']}：{step['silent']}" and SILENT in text
        else:
            assert text.startswith(step["do"]) and all(f"牵头 {name}" in text for name in step["lead"])


def test_the_console_lookup_shows_the_steps(browser: webdriver.Chrome, chat: Chat, answer: dict[str, Any]) -> None:
    viewport(browser, "desktop")
    try:
        log_in(browser, chat)
        wait_for(browser, lambda: len(browser.find_elements(By.CSS_SELECTOR, "#region option")) > 1)
        Select(browser.find_element(By.ID, "region")).select_by_value("贵州省")
        browser.find_element(By.ID, "q").send_keys(QUESTION, Keys.ENTER)
        copy = browser.find_element(By.ID, "assistant-copy")
        wait_for(browser, lambda: copy.is_enabled())
        more = browser.find_element(By.ID, "assistant-more")
        assert not browser.find_element(By.ID, "assistant-card").is_displayed()  # one line until 展开
        more.click()
        assert more.get_attribute("aria-expanded") == "true"
        box = browser.find_element(By.ID, "assistant-card")
        assert box.is_displayed() and box.text.startswith(answer["card"]["name"])
        assert_console_card(box, answer["card"])
        # 复制 copies the whole answer as the chat says it: every step's line with its clause.
        browser.execute_script(
            "navigator.clipboard.writeText = function (t) { window.copied = t; return Promise.resolve(); };"
        )
        copy.click()
        copied = str(browser.execute_script("return window.copied"))
        assert copied.startswith(answer["verdict"]) and "4. " in copied and SILENT in copied
        assert all(t in copied for t in TITLES if t)
        assert blocking_violations(browser) == []
        browser.execute_script("window.scrollTo(0, 0)")
        browser.save_screenshot(str(SHOTS / "console-desktop-card.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_a_case_shows_the_card_of_its_question(browser: webdriver.Chrome, chat: Chat, answer: dict[str, Any]) -> None:
    sender = new_conversation(chat)
    for message in (QUESTION, REGION, "转人工"):
        status, body = web_chat(chat, sender, message)
        assert status == 200, body
    number = body["messages"][-1]["custom"]["case"]["number"]
    viewport(browser, "desktop")
    try:
        log_in(browser, chat)
        browser.find_element(By.ID, "refresh").click()
        wait_for(browser, lambda: number in browser.find_element(By.ID, "cases").text)
        row = next(li for li in browser.find_elements(By.CSS_SELECTOR, "#cases li") if number in li.text)
        row.find_element(By.XPATH, ".//button[text()='打开']").click()
        wait_for(browser, lambda: number in browser.find_element(By.ID, "case-title").text)
        section = browser.find_element(By.ID, "case-card")
        wait_for(browser, lambda: section.find_elements(By.CSS_SELECTOR, "ol.steps > li"))
        assert section.find_element(By.TAG_NAME, "h3").text == "步骤卡"
        status_line = section.find_element(By.ID, "case-card-status").text
        assert "淘宝上有人卖我们品牌的假货" in status_line and "贵州省" in status_line  # what was looked up
        assert_console_card(section, answer["card"])
        assert blocking_violations(browser) == []
        browser.execute_script("window.scrollTo(0, 0)")  # the open case is at the top
        browser.save_screenshot(str(SHOTS / "console-desktop-case-card.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
