"""The chat page and the widget in a real headless Chromium (Debian's chromium + chromedriver, driven by selenium),
against the whole stack. Screenshots are written to results/screenshots/ as test artifacts."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.conftest import HOTLINE, HOURS, Chat
from tests.support.browser import SHOTS

XSS = "<img src=x onerror=alert(1)>"
QUESTION = "贵州企业海外维权找谁？"


def wait_for(browser: webdriver.Chrome, condition: Callable[[], object], seconds: float = 30) -> None:
    WebDriverWait(browser, seconds, poll_frequency=0.2).until(lambda _: condition())


def bubbles(scope: WebElement | webdriver.Chrome, who: str) -> list[str]:
    """The texts of the bubbles now; the page re-renders them while an answer arrives, so a bubble found a moment
    ago may be gone: read again rather than fail on a stale element."""
    for _ in range(5):
        try:
            return [b.text for b in scope.find_elements(By.CSS_SELECTOR, f".ipr-{who} .ipr-text")]
        except StaleElementReferenceException:
            time.sleep(0.1)
    return [b.text for b in scope.find_elements(By.CSS_SELECTOR, f".ipr-{who} .ipr-text")]


def no_alert(browser: webdriver.Chrome) -> bool:
    try:
        browser.switch_to.alert.dismiss()  # an alert here would mean the markup ran as HTML
    except NoAlertPresentException:
        return True
    return False


def converse(browser: webdriver.Chrome, scope: WebElement, shot: str) -> None:
    """Ask, see the agency, click a quick reply, open the cited clause, and type markup that must stay text."""
    wait_for(browser, lambda: scope.find_elements(By.CSS_SELECTOR, ".ipr-welcome .ipr-region"))  # welcome, regions
    box = scope.find_element(By.CSS_SELECTOR, ".ipr-input")
    box.send_keys(QUESTION, Keys.ENTER)
    wait_for(browser, lambda: any("省商务厅" in t for t in bubbles(scope, "bot")))
    assert QUESTION in bubbles(scope, "user")
    browser.save_screenshot(str(SHOTS / f"{shot}-answer.png"))

    before = len(bubbles(scope, "bot"))
    quick = next(b for b in scope.find_elements(By.CSS_SELECTOR, ".ipr-quick-reply") if b.text.startswith("看看"))
    region = quick.text.removeprefix("看看")
    quick.click()
    wait_for(browser, lambda: any(region in text for text in bubbles(scope, "bot")[before:]))

    scope.find_elements(By.CSS_SELECTOR, ".ipr-citation")[0].click()
    wait_for(
        browser,
        lambda: (
            "原文" in scope.find_element(By.CSS_SELECTOR, ".ipr-viewer").text
            and "牵头单位" in scope.find_element(By.CSS_SELECTOR, ".ipr-viewer").text
        ),
    )
    viewer = scope.find_element(By.CSS_SELECTOR, ".ipr-viewer")
    title = viewer.find_element(By.CSS_SELECTOR, ".ipr-viewer-title").text
    assert title == "贵州省 第17条 加强海外知识产权维权援助服务"  # the first cited clause, its title once
    assert "牵头单位：省商务厅；责任单位：贵州银保监局、省市场监管局" in viewer.text
    browser.save_screenshot(str(SHOTS / f"{shot}-clause.png"))
    scope.find_element(By.CSS_SELECTOR, ".ipr-close").click()

    box.send_keys(XSS, Keys.ENTER)
    wait_for(browser, lambda: XSS in bubbles(scope, "user"))
    wait_for(browser, lambda: not any(t.is_displayed() for t in scope.find_elements(By.CSS_SELECTOR, ".ipr-typing")))
    assert scope.find_elements(By.CSS_SELECTOR, ".ipr-log img") == []
    assert no_alert(browser)
    browser.save_screenshot(str(SHOTS / f"{shot}-markup-as-text.png"))


def test_chat_page(browser: webdriver.Chrome, chat: Chat) -> None:
    browser.get(f"{chat.gateway}/")
    page = browser.find_element(By.ID, "chat")
    wait_for(browser, lambda: page.find_elements(By.CSS_SELECTOR, ".ipr-welcome"))
    assert f"人工热线 {HOTLINE} · 服务时间 {HOURS}" in page.find_element(By.CSS_SELECTOR, ".ipr-service").text
    tel = page.find_element(By.CSS_SELECTOR, ".ipr-service a.ipr-tel").get_attribute("href")
    assert tel == "tel:" + HOTLINE.replace("-", "")  # tappable on a phone
    assert (
        f"需要人工服务：热线 {HOTLINE}，服务时间 {HOURS}。" in page.find_element(By.CSS_SELECTOR, ".ipr-welcome").text
    )
    converse(browser, page, "page")
    asked = bubbles(page, "user")
    browser.refresh()  # the conversation is kept per tab
    page = browser.find_element(By.ID, "chat")
    wait_for(browser, lambda: bubbles(page, "user") == asked)


def open_widget(browser: webdriver.Chrome, url: str) -> WebElement:
    """Load a host page, click the floating button (inside the widget's shadow root), return the chat panel."""
    browser.get(url)
    wait_for(browser, lambda: browser.find_elements(By.CSS_SELECTOR, "[data-ipr-widget]"))
    root = browser.find_element(By.CSS_SELECTOR, "[data-ipr-widget]").shadow_root
    root.find_element(By.CSS_SELECTOR, ".ipr-launcher").click()
    return root.find_element(By.CSS_SELECTOR, ".ipr-panel")


def test_widget_on_another_website(browser: webdriver.Chrome, host_page: str) -> None:
    converse(browser, open_widget(browser, f"{host_page}/index.html"), "widget")


def test_network_error_is_shown_with_a_retry(browser: webdriver.Chrome, host_page: str) -> None:
    panel = open_widget(browser, f"{host_page}/offline.html")
    panel.find_element(By.CSS_SELECTOR, ".ipr-input").send_keys("你好", Keys.ENTER)
    wait_for(browser, lambda: any("网络异常" in t and "自动重试" in t for t in bubbles(panel, "system")))
    assert panel.find_elements(By.CSS_SELECTOR, ".ipr-retry")
    browser.save_screenshot(str(SHOTS / "widget-network-error.png"))
    # The automatic retry happens once; it fails again here (the gateway is unreachable) and says so.
    wait_for(browser, lambda: any(t == "网络异常，消息未能送达。" for t in bubbles(panel, "system")), seconds=15)


def test_a_site_not_in_widget_origins_tells_visitors_plainly_and_the_owner_which_setting(
    browser: webdriver.Chrome, host_page: str
) -> None:
    unlisted = host_page.replace("127.0.0.1", "localhost")  # the same page from an origin the gateway does not list
    browser.get_log("browser")  # what earlier pages logged
    panel = open_widget(browser, f"{unlisted}/index.html")
    wait_for(browser, lambda: "本网站暂未开通在线咨询" in panel.text)
    assert "检查网络" not in panel.text and not panel.find_element(By.CSS_SELECTOR, ".ipr-input").is_enabled()
    logged = " ".join(entry["message"] for entry in browser.get_log("browser"))
    assert "WIDGET_ORIGINS" in logged and "http://localhost:" in logged
    time.sleep(6)  # no retry loop: nothing is added and nothing is fetched again
    assert panel.text.count("本网站暂未开通在线咨询") == 1
    browser.save_screenshot(str(SHOTS / "widget-unlisted-origin.png"))


def test_the_demo_page_fits_a_phone_and_the_widget_opens_at_its_greeting(browser: webdriver.Chrome, chat: Chat) -> None:
    browser.set_window_size(390, 844)
    browser.get(f"{chat.gateway}/widget-demo")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    browser.set_window_size(1280, 800)
    browser.execute_script("sessionStorage.clear()")
    panel = open_widget(browser, f"{chat.gateway}/widget-demo")
    wait_for(browser, lambda: panel.find_elements(By.CSS_SELECTOR, ".ipr-welcome"))
    time.sleep(0.5)
    assert browser.execute_script("return arguments[0].scrollTop", panel.find_element(By.CSS_SELECTOR, ".ipr-log")) == 0


def test_screenshots_were_written() -> None:
    assert {p.name for p in Path(SHOTS).glob("*.png")} >= {"page-answer.png", "widget-answer.png"}
