"""Accessibility of the chat page and the widget in headless Chromium: axe-core (npm, injected by the test, never
served to users) finds no serious or critical violation; the clause viewer is a modal dialog (focus in, Esc closes,
focus back on its button); the widget's launcher says whether it is open; the widget fills a phone's screen with
close and minimise in its header, and counts unread replies while closed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement

from bot.settings import PROJECT_ROOT
from tests.e2e.conftest import Chat
from tests.e2e.test_browser import wait_for
from tests.e2e.test_browser_answers import SIZES, answer_start_in_view, answers, ask, fresh_page, viewport
from tests.support.axe import axe_source as load_axe
from tests.support.axe import blocking_violations
from tests.support.browser import SHOTS

SLOW = {"offline": False, "latency": 1500, "downloadThroughput": -1, "uploadThroughput": -1}


@pytest.fixture(scope="module")
def axe_source() -> str:
    return load_axe()


def axe_violations(chrome: webdriver.Chrome, source: str) -> list[dict[str, object]]:
    """The serious and critical violations on the current document (``source`` is loaded once per module)."""
    return blocking_violations(chrome)


@pytest.fixture(params=list(SIZES))
def size(request: pytest.FixtureRequest, browser: webdriver.Chrome) -> Iterator[str]:
    browser.set_script_timeout(60)
    viewport(browser, request.param)
    yield request.param
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def contrast_with_white(rgb: list[int]) -> float:
    """WCAG contrast ratio of an sRGB colour against white."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def active_class(chrome: webdriver.Chrome, in_shadow: bool = False) -> str:
    script = (
        "const h = document.querySelector('[data-ipr-widget]'); return h.shadowRoot.activeElement?.className || ''"
        if in_shadow
        else "return document.activeElement.className"
    )
    return str(chrome.execute_script(script))


def test_chat_page_axe_and_viewer_dialog(browser: webdriver.Chrome, chat: Chat, axe_source: str, size: str) -> None:
    page = fresh_page(browser, chat)
    assert axe_violations(browser, axe_source) == []  # the welcome
    ask(browser, page, "贵州企业海外维权找谁")
    wait_for(browser, lambda: answers(page))
    answers(page)[0].find_element(By.CSS_SELECTOR, "summary").click()
    assert axe_violations(browser, axe_source) == []  # an answer with its basis open

    # Touch targets at least 44 px tall; the input's border at least 3:1 against white.
    heights = browser.execute_script(
        "return [...document.querySelectorAll('#chat button, #chat summary, #chat textarea')]"
        ".filter(n => n.offsetParent !== null).map(n => [n.className || n.tagName, n.getBoundingClientRect().height]);"
    )
    assert heights and all(height >= 44 for _, height in heights), [h for h in heights if h[1] < 44]
    border = browser.execute_script(
        "return getComputedStyle(document.querySelector('.ipr-input')).borderTopColor.match(/\\d+/g).map(Number);"
    )
    assert contrast_with_white(border[:3]) >= 3, border

    opener = answers(page)[0].find_element(By.CSS_SELECTOR, ".ipr-citation")
    opener.click()
    viewer = page.find_element(By.CSS_SELECTOR, ".ipr-viewer")
    wait_for(browser, lambda: "牵头单位" in viewer.text)
    assert viewer.get_attribute("role") == "dialog" and viewer.get_attribute("aria-modal") == "true"
    assert "ipr-close" in active_class(browser)  # focus moved into the dialog
    assert "贵州省关于强化知识产权保护的实施意见" in viewer.text  # the full title is in the viewer
    assert axe_violations(browser, axe_source) == []  # the dialog open
    browser.save_screenshot(str(SHOTS / f"page-{size}-viewer.png"))
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait_for(browser, lambda: not viewer.is_displayed())
    assert "ipr-citation" in active_class(browser)  # focus back on 查看原文


def open_launcher(chrome: webdriver.Chrome, url: str) -> tuple[WebElement, object]:
    chrome.get(url)
    chrome.execute_script("sessionStorage.clear()")
    chrome.refresh()
    wait_for(chrome, lambda: chrome.find_elements(By.CSS_SELECTOR, "[data-ipr-widget]"))
    root = chrome.find_element(By.CSS_SELECTOR, "[data-ipr-widget]").shadow_root
    return root.find_element(By.CSS_SELECTOR, ".ipr-launcher"), root


def test_widget_launcher_axe_and_phone_layout(
    browser: webdriver.Chrome,
    host_page: str,
    axe_source: str,
    size: str,
) -> None:
    launcher, root = open_launcher(browser, f"{host_page}/index.html")
    assert launcher.get_attribute("aria-expanded") == "false"
    assert launcher.get_attribute("aria-label").startswith("打开")
    assert axe_violations(browser, axe_source) == []  # closed
    launcher.click()
    panel = root.find_element(By.CSS_SELECTOR, ".ipr-panel")
    wait_for(browser, lambda: panel.find_elements(By.CSS_SELECTOR, ".ipr-region"))
    assert launcher.get_attribute("aria-expanded") == "true"
    assert launcher.get_attribute("aria-label").startswith("关闭")
    assert "ipr-input" in active_class(browser, in_shadow=True)  # focus in the chat
    box = root.find_element(By.CSS_SELECTOR, ".ipr-box").rect
    width, height, _ = SIZES[size]
    if size == "phone":  # full screen, the launcher under it hidden
        assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, width, height), box
        assert not launcher.is_displayed()
    else:
        assert box["width"] <= 400 and launcher.is_displayed()
    assert axe_violations(browser, axe_source) == []  # open with the welcome
    panel.find_element(By.CSS_SELECTOR, ".ipr-input").send_keys("贵州企业海外维权找谁", Keys.ENTER)
    wait_for(browser, lambda: panel.find_elements(By.CSS_SELECTOR, ".ipr-answer"))
    panel.find_element(By.CSS_SELECTOR, ".ipr-answer summary").click()
    assert axe_violations(browser, axe_source) == []  # open with an answer
    browser.save_screenshot(str(SHOTS / f"widget-{size}-open.png"))

    panel.find_element(By.CSS_SELECTOR, ".ipr-citation").click()
    viewer = panel.find_element(By.CSS_SELECTOR, ".ipr-viewer")
    wait_for(browser, lambda: "牵头单位" in viewer.text)
    assert "ipr-close" in active_class(browser, in_shadow=True)
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait_for(browser, lambda: not viewer.is_displayed())
    assert "ipr-citation" in active_class(browser, in_shadow=True)

    # Minimise: the header stays as a bar; close: back to the launcher, with focus on it.
    panel.find_element(By.CSS_SELECTOR, ".ipr-minimise").click()
    assert not panel.find_element(By.CSS_SELECTOR, ".ipr-log").is_displayed()
    assert panel.find_element(By.CSS_SELECTOR, ".ipr-restore").is_displayed()
    assert not launcher.is_displayed()  # the bar stands in for the launcher
    assert "ipr-restore" in active_class(browser, in_shadow=True)
    browser.save_screenshot(str(SHOTS / f"widget-{size}-minimised.png"))
    panel.find_element(By.CSS_SELECTOR, ".ipr-restore").click()
    assert panel.find_element(By.CSS_SELECTOR, ".ipr-log").is_displayed()
    panel.find_element(By.CSS_SELECTOR, ".ipr-close-widget").click()
    assert not panel.is_displayed()
    assert launcher.get_attribute("aria-expanded") == "false"
    assert "ipr-launcher" in active_class(browser, in_shadow=True)


def test_widget_header_and_unread_badge(browser: webdriver.Chrome, chat: Chat) -> None:
    """/widget-demo: the organisation's title, service hours and logo; a reply that arrives while the widget is
    closed shows as a badge on the launcher and in its label."""
    viewport(browser, "desktop")
    try:
        launcher, root = open_launcher(browser, f"{chat.gateway}/widget-demo")
        launcher.click()
        panel = root.find_element(By.CSS_SELECTOR, ".ipr-panel")
        assert panel.find_element(By.CSS_SELECTOR, ".ipr-title").text == "知识产权维权助手"
        assert "9:00" in panel.find_element(By.CSS_SELECTOR, ".ipr-subtitle").text
        assert panel.find_element(By.CSS_SELECTOR, ".ipr-logo").get_attribute("alt") == ""
        wait_for(browser, lambda: panel.find_elements(By.CSS_SELECTOR, ".ipr-region"))
        browser.execute_cdp_cmd("Network.enable", {})
        browser.execute_cdp_cmd("Network.emulateNetworkConditions", SLOW)  # the answer takes a while
        panel.find_element(By.CSS_SELECTOR, ".ipr-input").send_keys("卖假货会判几年", Keys.ENTER)
        launcher.click()  # closed while the answer loads
        badge = root.find_element(By.CSS_SELECTOR, ".ipr-launcher .ipr-badge")
        wait_for(browser, badge.is_displayed)
        assert badge.text == "1" and "1条新消息" in launcher.get_attribute("aria-label")
        browser.save_screenshot(str(SHOTS / "widget-desktop-unread.png"))
        launcher.click()
        assert not badge.is_displayed()
        card = panel.find_elements(By.CSS_SELECTOR, ".ipr-answer")[-1]
        assert answer_start_in_view(browser, panel, card)  # the reply that came while closed, from its start
        browser.save_screenshot(str(SHOTS / "widget-desktop-demo-open.png"))
    finally:
        browser.execute_cdp_cmd("Network.emulateNetworkConditions", {**SLOW, "latency": 0})
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_axe_is_from_the_lock_file() -> None:
    lock = json.loads(Path(PROJECT_ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert "node_modules/axe-core" in lock["packages"]
