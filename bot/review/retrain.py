"""Retraining that cannot make answers worse (``python -m bot retrain``, ``make retrain``).

Order of steps:
1. Know the served model *before* anything changes: what the running Rasa replicas report (``GET /status``), else
   the model ``var/served-model`` names, else the model of the data as it is before the export.
2. Export the examples reviewers confirmed into data/nlu/reviewed/ (``bot.review.export``).
3. Train the candidate: the model of the data as it now is (``scripts/model.sh train``, cached by the data's hash).
4. Measure both on the same material (``bot.review.retrain_measures``; the served model's figures are cached).
5. Decide (``bot.review.retrain_decision``): every floor met and nowhere worse than the served model by more than
   one example's worth.
6. Accepted: switch each running replica to the candidate, one at a time (``bot.review.retrain_switch``), then
   record it in ``var/served-model``. Refused: leave the replicas alone and record the served model there, so that
   the next ``make run`` does not serve the refused data's model. Exit code 0 accepted, 1 refused, 2 failed.

``var/retrain/status.json`` says what a running retrain is doing (for the console), ``var/retrain/lock`` holds its
pid (a second retrain is refused while that process lives), ``var/retrain/history.jsonl`` gets one line per
retrain, and bench/results/retrain.{md,json} the figures of the last one.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.launcher import SERVED_MODEL, pinned_model, responds_with
from bot.review import retrain_report
from bot.review.retrain_decision import decide
from bot.review.retrain_measures import MeasureError, Progress, cached_figures
from bot.review.retrain_switch import RasaApi, SwitchError, pin, served_by, switch
from bot.settings import PROJECT_ROOT

STATUS_FILE = "status.json"  # in the retrain folder: the state and step of the running (or last) retrain
Exporter = Callable[[], int]  # writes data/nlu/reviewed/ and returns how many examples it wrote
Measurer = Callable[[Path, Path, Progress], dict[str, Any]]  # (model, cache dir, progress) → figures


@dataclass(frozen=True)
class Workspace:
    """Where a retrain trains (``project``: its scripts/model.sh and data/), keeps its state (``state``: the
    project's var/) and writes its report (``reports``). Tests point all three at temporary directories."""

    project: Path = PROJECT_ROOT
    state: Path = PROJECT_ROOT / "var"
    reports: Path = PROJECT_ROOT / "bench" / "results"

    @property
    def folder(self) -> Path:
        return self.state / "retrain"

    @property
    def history(self) -> Path:
        return self.folder / retrain_report.HISTORY_FILE

    @property
    def pointer(self) -> Path:
        return self.state / SERVED_MODEL.name


@dataclass(frozen=True)
class Outcome:
    state: str  # accepted | refused | failed
    served: str | None
    candidate: str | None
    reasons: tuple[str, ...]
    report: Path | None

    @property
    def exit_code(self) -> int:
        return {"accepted": 0, "refused": 1}.get(self.state, 2)


class Busy(RuntimeError):
    """Another retrain is running (its pid holds the lock)."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def alive(pid: int) -> bool:
    """Whether a process with this pid lives (a retrain's lock or status names its pid)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


@contextmanager
def locked(lock: Path) -> Iterator[None]:
    """One retrain at a time: the lock file holds the pid; a lock whose process is gone is stale and taken over."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(2):
        try:
            descriptor = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            text = lock.read_text(encoding="utf-8").strip() if lock.is_file() else ""
            if text.isdigit() and alive(int(text)):
                raise Busy(int(text)) from None
            lock.unlink(missing_ok=True)  # stale: its process is gone
            continue
        with os.fdopen(descriptor, "w") as file:
            file.write(str(os.getpid()))
        try:
            yield
        finally:
            lock.unlink(missing_ok=True)
        return
    raise Busy(0)


class Status:
    """``var/retrain/status.json``: the state and step of the running (or last) retrain."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fields: dict[str, Any] = {"state": "running", "step": "", "started_at": _now(), "finished_at": None}
        self.fields.update(report=None, pid=os.getpid())

    def update(self, **fields: Any) -> None:
        self.fields.update(fields)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps(self.fields, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        partial.replace(self.path)


def model_path(project: Path) -> Path:
    """The model file of the project's data as it is now (``scripts/model.sh path``)."""
    done = subprocess.run([str(project / "scripts/model.sh"), "path"], capture_output=True, text=True, check=True)
    return project / done.stdout.strip()


def train(project: Path, progress: Progress) -> Path:
    """``scripts/model.sh train``, its lines passed on as progress; the trained (or cached) model file."""
    with subprocess.Popen(
        [str(project / "scripts/model.sh"), "train"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            progress(f"    {line.rstrip()}")
    if process.returncode != 0:
        raise MeasureError(f"训练失败（scripts/model.sh train 退出码 {process.returncode}）")
    return model_path(project)


def locate(name: str, places: list[Path]) -> Path | None:
    """A model file by name (``/status`` gives only the name) in the folders models live in."""
    return next((place / name for place in places if (place / name).is_file()), None)


def served_model(workspace: Workspace, api: RasaApi | None, before_export: Path) -> tuple[Path | None, str, list[str]]:
    """The model in service, how that is known, and the replicas that can be switched (asked with the token)."""
    pinned = pinned_model(workspace.project, workspace.pointer)
    if api is not None:
        name, askable = served_by(api)
        if name is not None:
            places = [p for p in (pinned.parent if pinned else None, workspace.project / "models") if p is not None]
            found = locate(name, [*places, PROJECT_ROOT / "models"])
            if found is None:
                raise MeasureError(f"Rasa 在用的模型 {name} 不在 models/ 中，无法评测它")
            return found, "正在运行的 Rasa 报告", askable
    if pinned is not None:
        return pinned, f"{SERVED_MODEL} 记录", []
    before = locate(before_export.name, [before_export.parent, PROJECT_ROOT / "models"])
    if before is not None:
        return before, "导出前训练数据的模型", []
    return None, "没有在用模型", []


def _unreachable_api(api: RasaApi | None, askable: list[str]) -> list[str]:
    """Replicas that answer chats but not the API (started without it, or another token): not switchable."""
    return [url for url in (api.urls if api else ()) if url not in askable and responds_with(f"{url}/", "Hello")]


def retrain(
    workspace: Workspace,
    api: RasaApi | None,
    export: Exporter,
    progress: Progress,
    measure: Measurer = cached_figures,
) -> Outcome:
    """The whole retrain (see the module's docstring). Raises ``Busy`` when another retrain runs."""
    with locked(workspace.folder / "lock"):
        status = Status(workspace.folder / STATUS_FILE)
        record = retrain_report.Record(date=_now(), decision="failed", served=None, candidate=None)
        figures: dict[str, dict[str, Any]] = {"served": {}, "candidate": {}}
        served: list[Path] = []  # the served model once known: a failed retrain keeps it in service too
        try:
            outcome = _run(workspace, api, export, progress, measure, status, record, figures, served)
        except (MeasureError, SwitchError, subprocess.SubprocessError, OSError) as error:
            record.reasons.append(str(error))
            outcome = Outcome("failed", record.served, record.candidate, (str(error),), None)
            progress(f"==> 重训练失败：{error}")
            if served:
                pin(workspace.project, workspace.state, served[0])
        except BaseException:  # interrupted: the console must not show a retrain running forever
            status.update(state="failed", finished_at=_now(), reasons=["重训练被中断"])
            raise
        report = retrain_report.write(workspace.reports, record)
        retrain_report.append_history(workspace.history, record, figures["served"], figures["candidate"])
        status.update(state=outcome.state, finished_at=_now(), report=str(report), reasons=list(outcome.reasons))
        return Outcome(outcome.state, outcome.served, outcome.candidate, outcome.reasons, report)


def _run(
    workspace: Workspace,
    api: RasaApi | None,
    export: Exporter,
    progress: Progress,
    measure: Measurer,
    status: Status,
    record: retrain_report.Record,
    figures: dict[str, dict[str, Any]],
    known: list[Path],
) -> Outcome:
    def step(name: str) -> None:
        status.update(step=name)
        progress(f"==> {name}")

    step("确定在用模型")
    served, how, askable = served_model(workspace, api, model_path(workspace.project))
    record.served = served.name if served else None
    known += [served] if served else []
    progress(f"    在用模型：{record.served or '无'}（{how}）")
    step("导出已确认的标注例子")
    record.exported = export()
    step("训练候选模型")
    candidate = train(workspace.project, progress)
    record.candidate = candidate.name
    if served is not None and candidate.name == served.name:
        record.decision = "accepted"
        record.notes.append("候选模型与在用模型相同（训练数据没有变化），无需切换")
        pin(workspace.project, workspace.state, served)
        progress("    候选模型与在用模型相同，无需评测和切换")
        return Outcome("accepted", record.served, record.candidate, (), None)
    cache = workspace.folder / "measures"
    if served is not None:
        step(f"评测在用模型 {served.name}")
        figures["served"] = measure(served, cache, progress)
    step(f"评测候选模型 {candidate.name}")
    figures["candidate"] = measure(candidate, cache, progress)
    decision = decide(figures["candidate"], figures["served"])
    record.measures = retrain_report.measure_rows(decision)
    record.per_need_f1 = retrain_report.need_rows(figures["served"], figures["candidate"])
    if not decision.accepted:
        record.decision, record.reasons = "refused", list(decision.reasons)
        if served is not None:
            pin(workspace.project, workspace.state, served)
        for text in decision.reasons:
            progress(f"    未通过：{text}")
        return Outcome("refused", record.served, record.candidate, decision.reasons, None)
    step("切换到候选模型")
    if askable and served is not None:
        switch(api or RasaApi((), ""), askable, candidate, served, progress)
        record.notes.append(f"已逐个切换 {len(askable)} 个 Rasa 副本：{', '.join(askable)}")
    for url in _unreachable_api(api, askable):
        record.notes.append(f"{url} 的模型接口不可用（未开启或令牌不对）：它在重启后才使用新模型")
    if not askable:
        record.notes.append("没有正在运行的 Rasa 可切换：下次启动（make run）时使用新模型")
    pin(workspace.project, workspace.state, candidate)
    record.decision = "accepted"
    return Outcome("accepted", record.served, record.candidate, (), None)
