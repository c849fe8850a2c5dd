"""The console's 统计 page in headless Chromium after real conversations: an operator logs in, opens it, and sees the
report's tables and charts at phone and desktop sizes (screenshots in results/screenshots/)."""

from __future__ import annotations

import uuid

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.conftest import STAFF_TOKEN, Chat
from tests.support.axe import blocking_violations
from tests.support.browser import SHOTS


def test_stats_page_after_real_conversations(browser: webdriver.Chrome, chat: Chat) -> None:
    # asked by three users each: the stack is shared with every e2e test, whose step cards cite four or five clauses
    # an answer, so a clause cited once would tie with dozens and might not make the top 20
    for question in ("贵州企业海外维权找谁", "西藏驰名商标有奖励吗", "保德县纠纷调解找谁") * 3:
        chat.text(f"stats-{uuid.uuid4().hex[:10]}", question)
    browser.set_window_size(1280, 900)
    browser.get(f"{chat.gateway}/staff")
    browser.delete_all_cookies()  # another test of the module may have logged in already
    browser.get(f"{chat.gateway}/staff/stats")  # a stranger is sent to the login form first
    WebDriverWait(browser, 10).until(ec.presence_of_element_located((By.ID, "password")))
    browser.find_element(By.ID, "password").send_keys(STAFF_TOKEN)
    browser.find_element(By.CSS_SELECTOR, "form button, form [type=submit]").click()
    WebDriverWait(browser, 10).until(ec.url_contains("/staff"))
    browser.get(f"{chat.gateway}/staff/stats")
    WebDriverWait(browser, 30).until(ec.presence_of_element_located((By.CSS_SELECTOR, "main h2")))
    assert browser.find_element(By.TAG_NAME, "h1").text == "企业诉求统计"
    headings = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "main h2")]
    assert "问题数：诉求 × 地区" in headings and "被引用最多的条款" in headings
    assert len(browser.find_elements(By.CSS_SELECTOR, "figure.chart svg")) == 4
    cited = browser.find_element(By.XPATH, "//h2[text()='被引用最多的条款']/following::table[1]").text
    assert "guizhou/17" in cited and "xizang/17" in cited
    serious = blocking_violations(browser)
    assert serious == [], [(v["id"], v.get("help")) for v in serious]
    browser.save_screenshot(str(SHOTS / "stats-desktop.png"))
    browser.set_window_size(390, 844)
    browser.refresh()
    WebDriverWait(browser, 30).until(ec.presence_of_element_located((By.CSS_SELECTOR, "main h2")))
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 400, width  # wide tables scroll inside their box; the page itself fits the phone
    serious = blocking_violations(browser)
    assert serious == [], [(v["id"], v.get("help")) for v in serious]
    browser.save_screenshot(str(SHOTS / "stats-phone.png"))
