"""One disclaimer: its wording lives in domain.yml only (``utter_notice``), and the chat's answers, the console's
copy-ready answers, the CLI, the chat page's footer and the widget's note all show that wording."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from bot.answers.wording import Wording
from bot.settings import PROJECT_ROOT

WORDING = Wording.load(PROJECT_ROOT / "domain.yml")
NOTICE = WORDING.text("utter_notice")


def test_every_presentation_of_the_disclaimer_holds_its_one_wording() -> None:
    assert NOTICE == "仅供参考，不构成法律意见"
    assert WORDING.text("utter_disclaimer") == f"（{NOTICE}）"  # after a chat answer
    assert WORDING.text("utter_notice_line") == f"{NOTICE}。"  # the last line of a copy-ready answer
    assert WORDING.text("utter_page_note").endswith(f"{NOTICE}。")


def test_no_code_or_page_writes_the_disclaimer_again() -> None:
    written = [
        path.relative_to(PROJECT_ROOT)
        for folder in ("bot", "actions")
        for path in sorted((PROJECT_ROOT / folder).rglob("*"))
        if path.suffix in (".py", ".js", ".html", ".css") and "不构成法律意见" in path.read_text(encoding="utf-8")
    ]
    assert written == [], written


async def test_the_page_footer_and_the_widget_note_are_the_domains(client: TestClient) -> None:
    note = WORDING.text("utter_page_note")
    page = await (await client.get("/")).text()
    assert f'<p class="ipr-footer">{note}</p>' in page and "{{" not in page
    info = await (await client.get("/api/info")).json()
    assert info["note"] == note
