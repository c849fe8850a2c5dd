"""The retrain's steps around the decision, on a project of its own (a ``scripts/model.sh`` that names the model
after ``data/version``), measured figures given, and a stand-in for Rasa's HTTP API: what is pinned, switched,
reported and logged when the candidate is refused or accepted, and that one retrain runs at a time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

import pytest

from bot.launcher import pinned_model
from bot.review.retrain import Busy, Workspace, locked, retrain
from bot.review.retrain_switch import RasaApi
from tests.review.test_retrain_decision import SERVED, candidate

MODEL_SH = """#!/usr/bin/env bash
cd "$(dirname "$0")/.."
model="models/ipr-$(cat data/version).tar.gz"
case "$1" in
  path) echo "$model" ;;
  train) mkdir -p models; echo "==> training $model"; touch "$model" ;;
esac
"""
TOKEN = "test-rasa-token-0123456789abcdef0123"


@pytest.fixture()
def workspace(tmp_path: Path) -> Workspace:
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    (project / "scripts" / "model.sh").write_text(MODEL_SH)
    (project / "scripts" / "model.sh").chmod(0o755)
    (project / "data").mkdir()
    (project / "data" / "version").write_text("aaaa")
    (project / "models").mkdir()
    (project / "models" / "ipr-aaaa.tar.gz").touch()
    return Workspace(project=project, state=project / "var", reports=tmp_path / "reports")


def export_version(workspace: Workspace, version: str) -> Any:
    def export() -> int:
        (workspace.project / "data" / "version").write_text(version)
        return 2

    return export


def measured(figures: dict[str, dict[str, Any]]) -> Any:
    def measure(model: Path, cache: Path, progress: Any) -> dict[str, Any]:
        return figures[model.name]

    return measure


class FakeRasa(BaseHTTPRequestHandler):
    """GET /status and PUT /model of Rasa's API, with its token check."""

    model: ClassVar[str] = "ipr-aaaa.tar.gz"
    loads: ClassVar[list[str]] = []

    def _authorised(self) -> bool:
        if parse_qs(urlparse(self.path).query).get("token") == [TOKEN]:
            return True
        self.send_response(401)
        self.end_headers()
        return False

    def do_GET(self) -> None:
        if not self._authorised():
            return
        body = json.dumps({"model_file": type(self).model}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self) -> None:
        if not self._authorised():
            return
        path = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["model_file"]
        assert os.path.isabs(path)
        type(self).model = Path(path).name
        type(self).loads.append(type(self).model)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def rasa() -> Iterator[str]:
    FakeRasa.model, FakeRasa.loads = "ipr-aaaa.tar.gz", []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeRasa)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_refused_candidate_leaves_the_served_model_and_pins_it(workspace: Workspace, rasa: str) -> None:
    figures = {"ipr-aaaa.tar.gz": SERVED, "ipr-bbbb.tar.gz": candidate(questions__answer_hit_at_3=0.846)}
    lines: list[str] = []
    outcome = retrain(
        workspace, RasaApi((rasa,), TOKEN), export_version(workspace, "bbbb"), lines.append, measured(figures)
    )
    assert (outcome.state, outcome.exit_code) == ("refused", 1)
    assert outcome.reasons == ("真实问题 Hit@3 从 0.923 降到 0.846，低于下限 0.85",)
    assert FakeRasa.loads == [] and FakeRasa.model == "ipr-aaaa.tar.gz"
    assert pinned_model(workspace.project, workspace.pointer) == workspace.project / "models" / "ipr-aaaa.tar.gz"
    assert workspace.pointer.read_text() == "models/ipr-aaaa.tar.gz\n"
    status = json.loads((workspace.folder / "status.json").read_text())
    assert status["state"] == "refused" and status["finished_at"] and status["report"] == str(outcome.report)
    (history,) = (workspace.folder / "history.jsonl").read_text().splitlines()
    line = json.loads(history)
    assert (line["served"], line["candidate"], line["decision"], line["exported"]) == (
        "ipr-aaaa.tar.gz",
        "ipr-bbbb.tar.gz",
        "refused",
        2,
    )
    assert line["before"]["questions.answer_hit_at_3"] == 0.923 and line["after"]["questions.answer_hit_at_3"] == 0.846
    report = json.loads((workspace.reports / "retrain.json").read_text())
    assert report["decision"] == "refused" and report["per_need_f1"]["find_agency"]["difference"] == 0.0
    assert "| 真实问题 Hit@3 | 0.923 | 0.846 | -0.077 | ≥ 0.85 | 13 |" in (workspace.reports / "retrain.md").read_text()
    assert "==> 训练候选模型" in lines and "    ==> training models/ipr-bbbb.tar.gz" in lines


def test_an_accepted_candidate_is_loaded_by_each_replica_and_pinned(workspace: Workspace, rasa: str) -> None:
    figures = {"ipr-aaaa.tar.gz": SERVED, "ipr-bbbb.tar.gz": candidate(questions__kind_accuracy=0.986)}
    outcome = retrain(workspace, RasaApi((rasa,), TOKEN), export_version(workspace, "bbbb"), print, measured(figures))
    assert (outcome.state, outcome.exit_code) == ("accepted", 0)
    assert FakeRasa.loads == ["ipr-bbbb.tar.gz"]
    assert workspace.pointer.read_text() == "models/ipr-bbbb.tar.gz\n"
    assert json.loads((workspace.folder / "status.json").read_text())["state"] == "accepted"


def test_without_the_api_token_the_pin_or_the_old_data_says_what_is_served(workspace: Workspace, rasa: str) -> None:
    # Rasa answers 401 to a wrong token: the served model is then the data's model before the export.
    figures = {"ipr-aaaa.tar.gz": SERVED, "ipr-bbbb.tar.gz": candidate(stories__conversation_accuracy=0.98)}
    outcome = retrain(workspace, RasaApi((rasa,), "wrong"), export_version(workspace, "bbbb"), print, measured(figures))
    assert (outcome.served, outcome.state) == ("ipr-aaaa.tar.gz", "refused")
    assert workspace.pointer.read_text() == "models/ipr-aaaa.tar.gz\n"


def test_unchanged_data_needs_no_evaluation(workspace: Workspace) -> None:
    def never(*args: Any) -> dict[str, Any]:
        raise AssertionError("nothing to measure")

    outcome = retrain(workspace, None, lambda: 0, print, never)
    assert (outcome.state, outcome.candidate, outcome.served) == ("accepted", "ipr-aaaa.tar.gz", "ipr-aaaa.tar.gz")


def test_a_failed_evaluation_keeps_the_served_model(workspace: Workspace) -> None:
    from bot.review.retrain_measures import MeasureError

    def broken(*args: Any) -> dict[str, Any]:
        raise MeasureError("留出集评测失败（退出码 1）")

    outcome = retrain(workspace, None, export_version(workspace, "bbbb"), print, broken)
    assert (outcome.state, outcome.exit_code) == ("failed", 2)
    assert workspace.pointer.read_text() == "models/ipr-aaaa.tar.gz\n"
    assert json.loads((workspace.folder / "status.json").read_text())["state"] == "failed"


def test_one_retrain_at_a_time_and_a_dead_holder_does_not_block(tmp_path: Path) -> None:
    lock = tmp_path / "retrain" / "lock"
    with locked(lock):
        assert lock.read_text() == str(os.getpid())
        with pytest.raises(Busy), locked(lock):
            pass
    assert not lock.exists()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    lock.write_text(dead.stdout.strip())  # that process has exited: a stale lock
    with locked(lock):
        assert lock.read_text() == str(os.getpid())
