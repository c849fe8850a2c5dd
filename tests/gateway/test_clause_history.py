"""/api/clauses shows a clause's history once its plan has been revised (python -m bot.kb add-version)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from bot.gateway.app import create_app
from bot.kb.__main__ import main as kb_main
from bot.settings import Settings
from tests.gateway.conftest import CONVERSATION_SECRET, STAFF_TOKEN
from tests.kb.test_versions import GUIZHOU, make_scratch, revised_guizhou
from tests.support.ports import free_port


@pytest.fixture()
def revised_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    made = make_scratch(tmp_path)
    new_file = tmp_path / "guizhou-2021.txt"
    new_file.write_text(revised_guizhou((Settings().seeds_dir / GUIZHOU).read_text(encoding="utf-8")), "utf-8")
    monkeypatch.setenv("SEEDS_DIR", str(made.settings.seeds_dir))
    monkeypatch.setenv("DATABASE_URL", made.settings.database_url)
    assert kb_main(["add-version", "贵州", str(new_file), "--status", "已印发", "--issued", "2021-03-01"]) == 0
    return dataclasses.replace(
        made.settings,
        rasa_url=f"http://127.0.0.1:{free_port()}",
        staff_token=STAFF_TOKEN,
        conversation_secret=CONVERSATION_SECRET,
    )


async def test_a_revised_clause_shows_its_versions_and_what_changed(
    aiohttp_client: Any, revised_settings: Settings
) -> None:
    client = await aiohttp_client(create_app(revised_settings))
    now = await (await client.get("/api/clauses/guizhou/17")).json()
    assert now["document"]["version"] == 2 and now["document"]["in_force"] is True
    assert [a["name"] for a in now["agencies"] if a["role"] == "牵头单位"] == ["省市场监管局"]
    history = now["history"]
    assert [(h["ref"], h["in_force"]) for h in history] == [("guizhou@1/17", False), ("guizhou/17", True)]
    assert history[0]["version"].startswith("第1版（征求意见稿") and history[1]["version"].startswith("第2版（已印发")
    assert "牵头单位由省商务厅改为省市场监管局" in history[1]["changes"]
    draft = await (await client.get("/api/clauses/guizhou@1/17")).json()
    assert draft["document"]["status"] == "征求意见稿" and draft["document"]["in_force"] is False
    assert [a["name"] for a in draft["agencies"] if a["role"] == "牵头单位"] == ["省商务厅"]


async def test_a_plan_with_one_version_has_no_history(aiohttp_client: Any, revised_settings: Settings) -> None:
    client = await aiohttp_client(create_app(revised_settings))
    assert (await (await client.get("/api/clauses/xizang/17")).json())["history"] == []
    assert (await client.get("/api/clauses/xizang@9/17")).status == 404
