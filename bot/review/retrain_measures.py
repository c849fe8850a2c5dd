"""The figures of one model on the project's validation material, as its own tools measure them.

- held-out NLU (``bench.nlu_eval``, in the rasa env, through ``bot.review.retrain_nlu``): intent macro-F1,
  served/unserved accuracy, side macro-F1, region F1, each need's F1, and the tool's floors;
- the real development questions and the robustness rewordings (``bench.real_questions``'s ``run_item`` and
  ``summarize`` on one stack of our own serving the model, both sets through it: one Rasa start instead of two);
- the conversation stories (``make stories``' command, without ``--fail-on-prediction-errors`` so that it counts
  instead of stopping at the first wrong prediction; that flag is the floor: every story passes).

Nothing is written to bench/results/: each model's reports go to a scratch directory. The figures are cached per
model file *and* per fingerprint of what they depend on besides the model (the material, the answer engine, the
plans, the tools), so a second retrain does not measure the served model again — and a changed answer engine or
question set does measure it again, since the old figures would no longer be comparable.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import subprocess
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bot.launcher import QUIET_RASA, Stack
from bot.settings import PROJECT_ROOT

log = logging.getLogger(__name__)

Progress = Callable[[str], None]

STORIES = PROJECT_ROOT / "tests" / "test_stories.yml"  # what `make stories` tests
ROBUSTNESS = PROJECT_ROOT / "bench" / "robustness.yaml"
NLU_DIR = PROJECT_ROOT / "tests" / "nlu"  # bench.nlu_eval's default --data
# What the figures depend on besides the model file (globs under the project; the development questions too).
DEPENDS_ON = (
    "tests/nlu/**/*.yml",
    "tests/test_stories.yml",
    "bench/robustness.yaml",
    "bench/nlu_eval.py",
    "bench/real_questions.py",
    "bot/review/retrain_nlu.py",
    "bot/review/retrain_measures.py",
    "actions/**/*.py",
    "bot/answers/**/*.py",
    "bot/kb/**/*.py",
    "bot/*.py",
    "rasa_plugins/**/*.py",
    "domain.yml",
    "endpoints.yml",
    "data/*.yml",
    "data/dict/*",
    "seeds/**/*",
)


class MeasureError(RuntimeError):
    """An evaluation could not be run (its tool failed or wrote nothing)."""


def _bench(name: str) -> Any:
    # Run, not type-checked: bench/ and tests/support/ are outside mypy's scope (make lint).
    return importlib.import_module(name)


def question_files() -> dict[str, Path]:
    """The two question sets, by the name their group has in the figures."""
    return {"questions": _bench("bench.real_questions").DEFAULT_FILE, "robustness": ROBUSTNESS}


def fingerprint(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    files = sorted({path for pattern in DEPENDS_ON for path in root.glob(pattern) if path.is_file()})
    for path in [*files, *question_files().values()]:
        if path.is_file():
            digest.update(str(path.relative_to(root) if path.is_relative_to(root) else path.name).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def nlu_figures(model: Path, scratch: Path) -> dict[str, Any]:
    """bench.nlu_eval on ``model`` in the rasa env; its report in ``scratch``."""
    out = scratch / "nlu"
    env = {**os.environ, **QUIET_RASA}
    command = [str(PROJECT_ROOT / ".venv-rasa/bin/python"), "-m", "bot.review.retrain_nlu", str(model), str(out)]
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False)
    result = out / "retrain_nlu.json"
    if done.returncode != 0 or not result.is_file():
        raise MeasureError(f"留出集评测失败（退出码 {done.returncode}）：{done.stderr.strip()[-600:]}")
    figures: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    return figures


def _question_group(module: Any, items: list[dict[str, Any]], url: str) -> dict[str, Any]:
    summary = module.summarize([module.run_item(url, item) for item in items])
    return {
        **{k: v for k, v in summary.items() if k != "misses"},
        "answers": sum(item["kind"] == "answer" for item in items),
        "limits": sum(item["kind"] == "limit" for item in items),
        "missed_items": [miss["n"] for miss in summary["misses"]],
        "floors": {**module.FLOORS, "limits_answered_as_answers": module.MAX_LIMITS_ANSWERED},
    }


def question_figures(model: Path, scratch: Path) -> dict[str, dict[str, Any]]:
    """Both question sets through one stack of our own (action server + Rasa with ``model``, loopback)."""
    module = _bench("bench.real_questions")
    files = question_files()
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise MeasureError(f"没有找到评测问题文件：{'、'.join(missing)}")
    config = _bench("tests.support.stack").local_stack(scratch / "questions", model=model)
    with Stack(config):
        return {
            name: _question_group(module, yaml.safe_load(path.read_text(encoding="utf-8")), config.webhook_url)
            for name, path in files.items()
        }


def story_figures(model: Path, scratch: Path) -> dict[str, Any]:
    """``make stories``' test of ``model``, counted: stories and actions predicted right, of all."""
    out = scratch / "stories"
    command = [
        str(PROJECT_ROOT / ".venv-rasa/bin/rasa"),
        *("test", "core", "--e2e", "--model", str(model), "--stories", str(STORIES)),
        *("--out", str(out), "--no-plot"),
    ]
    env = {**os.environ, **QUIET_RASA}
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False)
    report_file = out / "story_report.json"
    if done.returncode != 0 or not report_file.is_file():
        raise MeasureError(f"对话测试失败（退出码 {done.returncode}）：{done.stderr.strip()[-600:]}")
    report = json.loads(report_file.read_text(encoding="utf-8"))
    stories = report.get("conversation_accuracy") or {"correct": 0, "total": 0}
    actions = int(report.get("weighted avg", {}).get("support", 0))
    action_accuracy = float(report.get("accuracy", 0.0))
    return {
        "conversation_accuracy": round(stories["correct"] / stories["total"], 4) if stories["total"] else 0.0,
        "conversations_correct": stories["correct"],
        "conversations_total": stories["total"],
        "action_accuracy": round(action_accuracy, 4),
        "actions_correct": round(action_accuracy * actions),
        "actions_total": actions,
        # `make stories` runs with --fail-on-prediction-errors: a single wrong prediction fails it.
        "floors": {"conversation_accuracy": 1.0},
    }


def evaluate(model: Path, scratch: Path, progress: Progress) -> dict[str, Any]:
    """Every figure of ``model``; ``progress`` hears of each evaluation as it starts and ends."""
    figures: dict[str, Any] = {"model": model.name}
    steps: list[tuple[str, str, Callable[[Path, Path], Any]]] = [
        ("nlu", "留出集 NLU 评测", nlu_figures),
        ("questions", "真实问题与改写问题评测（启动一套 Rasa）", question_figures),
        ("stories", "对话测试", story_figures),
    ]
    for group, title, measure in steps:
        progress(f"    {title}：{model.name} …")
        started = datetime.now(UTC)
        found = measure(model, scratch)
        figures.update(found if group == "questions" else {group: found})
        progress(f"    {title}完成（{(datetime.now(UTC) - started).total_seconds():.0f} 秒）")
    return figures


def cached_figures(
    model: Path,
    cache: Path,
    progress: Progress,
    measure: Callable[[Path, Path, Progress], dict[str, Any]] = evaluate,
) -> dict[str, Any]:
    """The figures of ``model``: from ``cache`` when this model was measured on the same material, else measured
    now (in a scratch directory) and kept."""
    key = fingerprint()
    path = cache / f"{model.name}.{key}.json"
    if path.is_file():
        progress(f"    沿用已有评测结果：{model.name}")
        cached: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return cached
    with tempfile.TemporaryDirectory(prefix="ipr-retrain-") as scratch:
        figures = measure(model, Path(scratch), progress)
    figures.update(material=key, measured_at=datetime.now(UTC).isoformat(timespec="seconds"))
    cache.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    partial.replace(path)
    return figures
