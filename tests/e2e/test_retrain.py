"""Retraining through the real pieces: examples confirmed in a records database, exported by ``bot.review.export``
into a copy of the project's training data, a real training (``scripts/model.sh train``), the real evaluations and a
running stack (action server, Rasa with its API behind a token, gateway) serving the current model.

(a) 150 questions about reporting counterfeits confirmed as 税务 questions make a worse model: the retrain refuses
    it and the running Rasa still serves the model it served.
(b) three questions confirmed with their right need make a model as good: the retrain switches the running Rasa to
    it while a client sends messages through the gateway, and no message fails.

The project's own data/ is never touched: training happens in a temporary copy of what the model's hash covers
(config, domain, data, the rasa lock file, rasa_plugins, scripts/model.sh). Both tests share one copy, one stack and
one state folder, so the served model is measured once (its figures are cached). Each candidate trains once per
machine: scripts/model.sh keeps trained models in its cache, keyed by the data's hash.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from bot.kb.db import make_engine
from bot.launcher import Stack, StackConfig, default_config
from bot.review.export import write_reviewed
from bot.review.retrain import Outcome, Workspace, retrain
from bot.review.retrain_decision import SPECS
from bot.review.retrain_switch import RasaApi
from bot.settings import PROJECT_ROOT
from bot.store.models import ReviewedExample
from bot.store.records import ensure_tables
from tests.support.http import post_json
from tests.support.stack import local_stack

# What scripts/model.sh hashes, besides data/ (copied whole).
MODEL_INPUTS = ("config.yml", "domain.yml", "requirements/rasa.lock", "scripts/model.sh")

ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def report_questions(count: int) -> list[tuple[str, str]]:
    """The first ``count`` training examples of report_infringement, confirmed as tax questions: a reviewer who
    took every 去哪举报 question for a 税务 one. (Measured: 40 or 80 new report questions about "our brand's" goods
    labelled ask_tax, or 60 of these, moved no measure by more than one example — the classifier holds, and the gate
    sees only what the material measures; 150 of these lower served/unserved accuracy from 0.918 to 0.879, under
    its 0.90 floor, and intent macro-F1 by about nine examples.)"""
    lines = []
    for path in sorted((PROJECT_ROOT / "data" / "nlu" / "served").glob("report_infringement*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            lines += [
                ANNOTATION.sub(r"\1", line.strip()[2:]) for line in block["examples"].splitlines() if line.strip()
            ]
    return [(text, "ask_tax") for text in lines[:count]]


RIGHT = [
    ("小区门口的店在卖假冒我们商标的矿泉水，能去哪举报", "report_infringement"),
    ("有人在直播间卖仿冒我们品牌的护肤品，怎么投诉", "report_infringement"),
    ("庙会上有摊贩卖山寨我们的玩具，找谁举报", "report_infringement"),
]


@dataclass
class Setting:
    workspace: Workspace
    records: Engine
    stack: Stack
    served: Path
    reviewed_file: Path

    @property
    def api(self) -> RasaApi:
        config = self.stack.config
        return RasaApi(tuple(config.rasa_urls), config.rasa_token)

    def serving(self) -> str | None:
        return self.api.status(self.stack.config.rasa_url)

    def confirm(self, examples: list[tuple[str, str]]) -> None:
        """The confirmed examples are exactly these (as if reviewers had confirmed them in the console)."""
        with Session(self.records) as session, session.begin():
            session.execute(delete(ReviewedExample))
            session.add_all(
                ReviewedExample(
                    text=text,
                    intent=intent,
                    side="holder",
                    corrected=True,
                    channel="web",
                    asked_on=date.today(),
                    added_by="e2e",
                )
                for text, intent in examples
            )

    def retrain(self, progress: list[tuple[float, str]]) -> Outcome:
        def export() -> int:
            return write_reviewed(self.records, path=self.reviewed_file).written

        def note(line: str) -> None:
            progress.append((time.monotonic(), line))
            print(line, flush=True)

        return retrain(self.workspace, self.api, export, note)


def copy_project(target: Path) -> Path:
    for name in MODEL_INPUTS:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT_ROOT / name, target / name)
    shutil.copytree(PROJECT_ROOT / "data", target / "data")
    shutil.copytree(
        PROJECT_ROOT / "rasa_plugins", target / "rasa_plugins", ignore=shutil.ignore_patterns("__pycache__")
    )
    (target / ".venv-rasa").symlink_to((PROJECT_ROOT / ".venv-rasa").resolve())
    return target


def reviewed_in_project() -> bytes | None:
    """The project's own reviewed-examples file (the tests write only the copy's)."""
    path = PROJECT_ROOT / "data" / "nlu" / "reviewed" / "reviewed.yml"
    return path.read_bytes() if path.is_file() else None


@pytest.fixture(scope="module")
def setting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setting]:
    served = default_config().model
    if not served.is_file():
        pytest.fail(f"no trained model at {served}: run `make train` (make e2e does)")
    root = tmp_path_factory.mktemp("retrain")
    project = copy_project(root / "project")
    reviewed_file = project / "data" / "nlu" / "reviewed" / "reviewed.yml"
    reviewed_file.unlink(missing_ok=True)  # a copy of the examples the developer's own records confirmed
    records = make_engine(f"sqlite:///{root / 'records.sqlite3'}")
    ensure_tables(records)
    config: StackConfig = local_stack(root / "stack", model=served, gateway_env={"RATE_LIMIT_PER_MINUTE": "0"})
    workspace = Workspace(project=project, state=root / "var", reports=root / "reports")
    before = reviewed_in_project()
    with Stack(config, with_gateway=True) as stack:
        yield Setting(workspace, records, stack, served, reviewed_file)
    records.dispose()
    assert reviewed_in_project() == before, "the project's data/nlu/reviewed/ was changed"


def test_a_candidate_trained_on_wrong_labels_is_refused_and_the_served_model_stays(setting: Setting) -> None:
    setting.confirm(report_questions(150))
    assert setting.serving() == setting.served.name
    outcome = setting.retrain([])
    reviewed = yaml.safe_load(setting.reviewed_file.read_text(encoding="utf-8"))
    ((intent, examples),) = [(b["intent"], len(b["examples"].splitlines())) for b in reviewed["nlu"]]
    assert intent == "ask_tax" and examples >= 140  # the export holds back near copies of validation questions
    assert outcome.state == "refused", outcome
    assert outcome.exit_code == 1
    assert outcome.served == setting.served.name and outcome.candidate != setting.served.name
    titles = [spec.title for spec in SPECS]
    assert outcome.reasons and all(any(t in text for t in titles) for text in outcome.reasons), outcome.reasons
    assert setting.serving() == setting.served.name
    assert setting.workspace.pointer.read_text().strip() == str(setting.served.resolve())
    assert outcome.report is not None and "refused" in outcome.report.read_text()


@dataclass
class Client:
    """Sends chat messages through the gateway until stopped, counting each reply (a failure: not 200, or no text)."""

    gateway: str
    sent: list[tuple[float, float, bool]] = field(default_factory=list)  # (start, end, answered)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        turn = 0
        while not self.stop.is_set():
            sender = f"retrain-{threading.get_ident() % 10**6}-{turn // 4:05d}"
            message = ("贵州企业海外维权找谁", "那云南呢？", "有人卖假冒我们商标的酒，去哪举报", "谢谢")[turn % 4]
            started = time.monotonic()
            reply = post_json(f"{self.gateway}/api/chat", {"sender": sender, "message": message}, timeout=30)
            answered = reply.status == 200 and any(m.get("text") for m in reply.json().get("messages", []))
            self.sent.append((started, time.monotonic(), answered))
            turn += 1
            time.sleep(0.05)


def test_an_accepted_candidate_is_switched_while_a_client_chats_without_a_failed_request(setting: Setting) -> None:
    assert setting.serving() == setting.served.name, "the stack serves the model it started with"
    setting.confirm(RIGHT)
    client = Client(setting.stack.config.gateway_url)
    clients = [threading.Thread(target=client.run) for _ in range(2)]
    for thread in clients:
        thread.start()
    progress: list[tuple[float, str]] = []
    try:
        outcome = setting.retrain(progress)
        time.sleep(2)  # and a little after
    finally:
        client.stop.set()
        for thread in clients:
            thread.join()
    assert outcome.state == "accepted", outcome
    assert setting.serving() == outcome.candidate != setting.served.name
    assert setting.workspace.pointer.read_text().strip() == f"models/{outcome.candidate}"
    failed = [s for s in client.sent if not s[2]]
    switch_start = next(t for t, line in progress if "加载" in line)
    switch_end = next(t for t, line in progress if "已切换" in line)
    during = [s for s in client.sent if s[0] <= switch_end and s[1] >= switch_start]
    print(f"messages {len(client.sent)}, failed {len(failed)}, during the switch {len(during)}")
    assert failed == []
    assert during, "no message was in flight while the replica switched"
