"""The chat page as a person reads it, in headless Chromium at phone (390×844) and desktop (1280×800) sizes:
an answer verdict first with its basis folded, a message typed while an answer loads kept and sent in order, the
welcome, the page fitting the viewport. Screenshots go to results/screenshots/ (page-<size>-*.png)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement

from tests.e2e.conftest import Chat
from tests.e2e.test_browser import wait_for
from tests.support.browser import SHOTS

SIZES = {"phone": (390, 844, True), "desktop": (1280, 800, False)}


def viewport(chrome: webdriver.Chrome, size: str) -> None:
    width, height, mobile = SIZES[size]
    chrome.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )


@pytest.fixture(params=list(SIZES))
def sized(request: pytest.FixtureRequest, browser: webdriver.Chrome) -> Iterator[tuple[webdriver.Chrome, str]]:
    viewport(browser, request.param)
    yield browser, request.param
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def fresh_page(chrome: webdriver.Chrome, chat: Chat) -> WebElement:
    """The chat page with a new conversation (the tab's stored conversation cleared)."""
    chrome.get(f"{chat.gateway}/")
    chrome.execute_script("sessionStorage.clear()")
    chrome.refresh()
    page = chrome.find_element(By.ID, "chat")
    wait_for(chrome, lambda: page.find_elements(By.CSS_SELECTOR, ".ipr-region"))
    return page


def ask(chrome: webdriver.Chrome, page: WebElement, question: str) -> None:
    page.find_element(By.CSS_SELECTOR, ".ipr-input").send_keys(question, Keys.ENTER)


def answers(page: WebElement) -> list[WebElement]:
    return page.find_elements(By.CSS_SELECTOR, ".ipr-answer")


def answer_start_in_view(chrome: webdriver.Chrome, page: WebElement, card: WebElement) -> bool:
    top, height, scrolled, most = chrome.execute_script(
        "const c = arguments[0].getBoundingClientRect(), log = arguments[1], l = log.getBoundingClientRect();"
        "return [c.top - l.top, l.height, log.scrollTop, log.scrollHeight - log.clientHeight];",
        card,
        page.find_element(By.CSS_SELECTOR, ".ipr-log"),
    )
    return 0 <= top < height and (top <= 16 or scrolled >= most - 1)


def test_welcome_fits_the_screen(sized: tuple[webdriver.Chrome, str], chat: Chat) -> None:
    chrome, size = sized
    page = fresh_page(chrome, chat)
    welcome = page.find_element(By.CSS_SELECTOR, ".ipr-welcome")
    assert welcome.find_element(By.CSS_SELECTOR, ".ipr-text").text.count("。") == 1  # one sentence
    regions = [b.text for b in welcome.find_elements(By.CSS_SELECTOR, ".ipr-region")]
    assert regions == ["贵州省", "云南省", "山西省忻州市保德县", "西藏自治区", "广西壮族自治区"]
    assert len(welcome.find_elements(By.CSS_SELECTOR, ".ipr-chips .ipr-chip")) == 3
    coverage = welcome.find_element(By.CSS_SELECTOR, "details.ipr-coverage")
    assert coverage.get_attribute("open") is None  # the plan list is behind the toggle
    assert "征求意见稿" not in welcome.text
    body = chrome.find_element(By.TAG_NAME, "body").text
    assert body.count("不构成法律意见") == 1  # the disclaimer once
    assert len(chrome.find_elements(By.TAG_NAME, "h1")) == 1
    # Everything fits: the input and the footer are inside the viewport, the document does not scroll.
    fit = chrome.execute_script(
        "const f = document.querySelector('.ipr-footer').getBoundingClientRect();"
        "const i = document.querySelector('.ipr-send').getBoundingClientRect();"
        "return [f.bottom, i.bottom, innerHeight, document.documentElement.scrollHeight];"
    )
    footer_bottom, send_bottom, height, scroll_height = fit
    assert footer_bottom <= height + 0.5 and send_bottom <= height and scroll_height <= height + 1, fit
    chrome.save_screenshot(str(SHOTS / f"page-{size}-welcome.png"))
    coverage.find_element(By.TAG_NAME, "summary").click()
    assert "征求意见稿" in coverage.text
    chrome.save_screenshot(str(SHOTS / f"page-{size}-coverage.png"))


def test_answer_verdict_first_basis_folded(sized: tuple[webdriver.Chrome, str], chat: Chat) -> None:
    chrome, size = sized
    page = fresh_page(chrome, chat)
    ask(chrome, page, "贵州企业海外维权找谁")
    wait_for(chrome, lambda: answers(page))
    card = answers(page)[0]
    verdict = card.find_element(By.CSS_SELECTOR, ".ipr-verdict")
    assert "省商务厅" in verdict.text
    assert verdict.find_element(By.CSS_SELECTOR, "strong").text == "省商务厅"  # the lead unit in bold
    fold = card.find_element(By.CSS_SELECTOR, "details.ipr-basis")
    assert fold.get_attribute("open") is None
    assert fold.find_element(By.TAG_NAME, "summary").text.startswith(
        "依据：贵州省 第17条"
    )  # the verdict's clause first
    quote = fold.find_element(By.CSS_SELECTOR, ".ipr-quote")
    assert not quote.is_displayed()
    # The verdict comes first, the fold after the next step; what shows before the fold is short.
    visible = card.find_element(By.CSS_SELECTOR, ".ipr-text").text
    assert visible.startswith("贵州省") and len(visible.replace("\n", "")) <= 250, visible
    # One 查看原文 per answer, the buttons inside the answer.
    assert [b.text for b in card.find_elements(By.CSS_SELECTOR, ".ipr-citation")] == ["查看原文"]
    assert "转人工" in [b.text for b in card.find_elements(By.CSS_SELECTOR, ".ipr-quick-reply")]
    # The start of the answer is in view: scrolled to its start (not to the bottom) as far as the log scrolls.
    assert answer_start_in_view(chrome, page, card)
    chrome.save_screenshot(str(SHOTS / f"page-{size}-answer.png"))
    fold.find_element(By.TAG_NAME, "summary").click()
    wait_for(chrome, quote.is_displayed)
    assert quote.text.startswith("「") and quote.text.endswith("」")
    assert "责任单位：贵州银保监局、省市场监管局" in fold.text
    chrome.save_screenshot(str(SHOTS / f"page-{size}-answer-basis.png"))

    # A chosen quick reply collapses to the choice; the next answer brings its own buttons.
    card.find_element(By.XPATH, ".//button[starts-with(., '看看')]").click()
    wait_for(chrome, lambda: len(answers(page)) == 2)
    assert card.find_elements(By.CSS_SELECTOR, ".ipr-quick-reply") == []
    assert card.find_element(By.CSS_SELECTOR, ".ipr-chosen").text.startswith("已选择：看看")


def test_more_than_three_units_expand(browser: webdriver.Chrome, chat: Chat) -> None:
    page = fresh_page(browser, chat)
    ask(browser, page, "商标可以拿去质押贷款吗")
    wait_for(browser, lambda: answers(page) or page.find_elements(By.CSS_SELECTOR, ".ipr-region"))
    wait_for(browser, lambda: answers(page))
    card = answers(page)[-1]
    card.find_element(By.CSS_SELECTOR, "summary").click()
    more = [b for b in card.find_elements(By.CSS_SELECTOR, ".ipr-more") if b.is_displayed()]
    assert more and more[0].text.startswith("等") and more[0].text.endswith("个单位")
    line = more[0].find_element(By.XPATH, "..")
    assert line.find_element(By.CSS_SELECTOR, ".ipr-units-names").text.count("、") == 2  # three shown
    more[0].click()
    assert line.find_element(By.CSS_SELECTOR, ".ipr-units-names").text.count("、") > 2


def test_limit_and_clarify(browser: webdriver.Chrome, chat: Chat) -> None:
    page = fresh_page(browser, chat)
    ask(browser, page, "卖假货会判几年")
    wait_for(browser, lambda: answers(page))
    assert "量刑" in answers(page)[0].find_element(By.CSS_SELECTOR, ".ipr-verdict").text
    assert answers(page)[0].find_elements(By.CSS_SELECTOR, "details") == []  # nothing to fold
    assert answers(page)[0].find_element(By.CSS_SELECTOR, ".ipr-notice").is_displayed()
    ask(browser, page, "侵权了怎么办")
    wait_for(
        browser, lambda: any("被指侵权" in t.text for t in page.find_elements(By.CSS_SELECTOR, ".ipr-bot .ipr-text"))
    )
    assert len(answers(page)) == 1  # a question back is text with buttons, not an answer card
    assert answers(page)[0].find_elements(By.CSS_SELECTOR, ".ipr-quick-reply") == []  # typed on: spent


def test_typing_during_a_slow_answer_keeps_both(sized: tuple[webdriver.Chrome, str], chat: Chat) -> None:
    chrome, size = sized
    page = fresh_page(chrome, chat)
    chrome.execute_cdp_cmd("Network.enable", {})
    chrome.execute_cdp_cmd(  # every request takes 1.5 s more: the first answer is still loading
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 1500, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    try:
        ask(chrome, page, "有人在网上卖我们品牌的假货怎么办")
        wait_for(chrome, lambda: page.find_element(By.CSS_SELECTOR, ".ipr-typing").is_displayed())
        ask(chrome, page, "云南")
        users = [b.text for b in page.find_elements(By.CSS_SELECTOR, ".ipr-user .ipr-text")]
        assert users == ["有人在网上卖我们品牌的假货怎么办", "云南"]  # shown as sent at once
        assert page.find_elements(By.CSS_SELECTOR, ".ipr-user.ipr-queued")
        assert page.find_element(By.CSS_SELECTOR, ".ipr-input").get_attribute("value") == ""
        chrome.save_screenshot(str(SHOTS / f"page-{size}-queued.png"))
        # Sent in order: the region question first, then 云南 answers it.
        wait_for(chrome, lambda: answers(page), seconds=40)
    finally:
        chrome.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
    shown = page.find_elements(By.CSS_SELECTOR, ".ipr-msg:not(.ipr-welcome)")
    asked = next(i for i, b in enumerate(shown) if "哪个地区" in b.text)
    answered = next(i for i, b in enumerate(shown) if "ipr-answer" in b.get_attribute("class") and "云南省" in b.text)
    assert asked < answered
    assert not page.find_elements(By.CSS_SELECTOR, ".ipr-queued")
    status = page.find_element(By.CSS_SELECTOR, ".ipr-typing")
    assert status.get_attribute("role") == "status"


def test_handoff_case_number_unbroken_with_copy(sized: tuple[webdriver.Chrome, str], chat: Chat) -> None:
    chrome, size = sized
    page = fresh_page(chrome, chat)
    ask(chrome, page, "卖假货会判几年")
    wait_for(chrome, lambda: answers(page))
    answers(page)[0].find_element(By.XPATH, ".//button[text()='转人工']").click()
    wait_for(chrome, lambda: page.find_elements(By.CSS_SELECTOR, ".ipr-case-number"))
    number = page.find_elements(By.CSS_SELECTOR, ".ipr-case-number")[-1]
    assert re.fullmatch(r"IPR\d{8}-\d+", number.text), number.text
    assert number.rect["height"] < 30  # one line, never broken across two
    copy = page.find_elements(By.CSS_SELECTOR, ".ipr-copy")[-1]
    copy.click()
    wait_for(chrome, lambda: copy.text in ("已复制", "已选中，请复制"))
    chrome.save_screenshot(str(SHOTS / f"page-{size}-handoff.png"))
