"""The staff/developer CLI: readable Chinese with citations; bad input gives a message and exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.__main__ import main
from bot.settings import PROJECT_ROOT, Settings


@pytest.fixture()
def cli_env(kb_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("DATABASE_URL", kb_settings.database_url)
    return kb_settings


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_search_overseas_in_yunnan_cites_clause_14_and_says_no_agency(cli_env, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "search", "海外维权", "--region", "云南")
    assert code == 0
    first = out.split("\n\n")[0]
    assert "【云南省】第14条 加强海外维权援助服务" in first
    assert "原文未列明牵头或责任单位" in first
    assert "出处：《关于强化知识产权保护的实施意见》第14条" in first
    assert out.rstrip().endswith("仅供参考，不构成法律意见。")


def test_agency_commerce_lists_guizhou_clauses_and_the_xizang_counterpart(cli_env, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "agency", "省商务厅")
    assert code == 0
    assert "【贵州省】第17条 加强海外知识产权维权援助服务（牵头单位）" in out
    assert "【西藏自治区】第15条 加强行政执法保护：自治区商务厅（责任单位）" in out


def test_clause_guizhou_17_full_text_and_agencies(cli_env, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "clause", "贵州", "17")
    assert code == 0
    assert "牵头单位：省商务厅" in out and "责任单位：贵州银保监局、省市场监管局" in out
    assert "原文编号（十七）" in out and "征求意见稿" in out


def test_task_and_region(cli_env, capsys) -> None:  # type: ignore[no-untyped-def]
    assert "时限：2021年12月底前完成" in run(capsys, "task", "云南", "57")[1]
    code, out, _ = run(capsys, "region", "山西")
    assert code == 0 and "县级" in out and "保政办发〔2020〕143号" in out and "组长 白侯平" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["search", ""], "请输入要查询的问题"),
        (["search", "假" * 10_000], "问题太长"),
        (["search", "假货", "--region", "浙江"], "暂未收录浙江省"),
        (["clause", "贵州", "99"], "共23条"),
        (["clause", "火星", "1"], "没有识别出地区"),
        (["agency", "宇宙管理局"], "没有找到单位"),
        (["search", "'; DROP TABLE kb_clauses; --"], ""),
    ],
)
def test_bad_input_is_a_message_not_a_traceback(cli_env, capsys, argv, message) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, *argv)
    assert "Traceback" not in out + err
    if message:
        assert code == 2 and message in err


def test_missing_knowledge_base_names_the_fix(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'none.sqlite3'}")
    code, _, err = run(capsys, "search", "海外维权")
    assert code == 2 and "make kb" in err


def test_corrupt_database_names_the_fix(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{broken}")
    code, _, err = run(capsys, "regions")
    assert code == 2 and "make kb" in err


def test_real_process_with_malformed_utf8_argument(kb_settings: Settings) -> None:
    env = {**os.environ, "DATABASE_URL": kb_settings.database_url}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "search", b"\xff\xfe\xe5\xbc".decode("utf-8", "surrogateescape")],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert b"Traceback" not in result.stderr + result.stdout
    assert result.returncode in (0, 2)


def test_changes_of_a_plan_with_one_version_says_so(cli_env, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "changes", "云南")
    assert code == 0
    assert "  第1版（已印发，2020年10月19日（云南日报）发布）——现行" in out
    assert "只收录了一个版本，没有可比较的改动。" in out


@pytest.mark.parametrize(
    ("argv", "message"), [(["changes", "火星"], "没有识别出地区"), (["changes", "浙江"], "暂未收录浙江省")]
)
def test_changes_of_an_unknown_plan_is_a_message(cli_env, capsys, argv, message) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err
