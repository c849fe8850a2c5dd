"""Debian's headless Chromium and a host website for the browser tests (tests/e2e/test_browser*.py and the consoles'):
the e2e conftest turns them into the module-scoped ``browser`` and ``host_page`` fixtures."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from bot.settings import PROJECT_ROOT

if TYPE_CHECKING:
    from tests.e2e.conftest import Chat

SHOTS = PROJECT_ROOT / "results" / "screenshots"


def chromium_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    """Debian's headless Chromium driven by its chromedriver."""
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        pytest.fail("Debian's chromium and chromium-driver are needed (.ci/run installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=420,860",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # the page's console, for messages to site owners
    chrome = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield chrome
    chrome.quit()


def serve_host_page(chat: Chat, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Another website (another origin) that embeds the widget with its one script tag."""
    folder = tmp_path_factory.mktemp("host")
    (folder / "index.html").write_text(
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'><title>合作网站</title></head><body>"
        "<h1>某市中小企业服务平台</h1>"
        f"<script src='{chat.gateway}/widget.js' data-title='知识产权维权助手' data-color='#b4321a' async></script>"
        "</body></html>",
        encoding="utf-8",
    )
    (folder / "offline.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'></head><body>"
        f"<script src='{chat.gateway}/widget.js' data-gateway='http://127.0.0.1:9' async></script></body></html>",
        encoding="utf-8",
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", chat.host_page_port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{chat.host_page_port}"
    server.shutdown()
