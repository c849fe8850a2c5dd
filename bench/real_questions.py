"""Real questions through the real assistant: kind accuracy, Hit@3, key phrase quoted, limits answered as answers.

    .venv/bin/python -m bench.real_questions [--file ../shared/eval/real_dev.yaml]     (make eval-questions)

    .venv/bin/python -m bench.real_questions --file bench/robustness.yaml     (the rewordings: same kind ≥ 90 %)

    .venv/bin/python -m bench.real_questions --model models/ipr-….tar.gz [--out DIR]     (another model)

Starts its own action server and Rasa server with the trained model (loopback, scratch databases) and sends each
question over Rasa's REST channel as a new conversation; where the assistant asks for the region, the user names
it in the next turn (the item's region, else 云南) whatever the kind of item. The reply contract (``custom.kind``,
``citations``) is what is scored:
- kind accuracy: the first reply's kind for a limit or a clarify, the final reply's for an answer;
- misleading: limit items whose final reply is an answer (the plans cannot decide it, and it was answered);
- Hit@3: for answer items, a gold clause among the first three cited (any plan's, when no region was asked).
Writes bench/results/<name>.{json,md} with figures and item numbers only (the questions stay outside the
repository). Exit code 1 when a floor is missed. With ``--model`` another model file is served, and the report goes
to ``--out`` (default: a new scratch directory) — bench/results/ holds the figures of the current data's model only.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bench.report import markdown_table, write_report
from bot.answers.steps import StepBook, load_steps
from bot.launcher import Stack
from bot.settings import PROJECT_ROOT, Settings
from tests.support.http import post_json
from tests.support.stack import local_stack

DEFAULT_FILE = PROJECT_ROOT.parent / "shared" / "eval" / "real_dev.yaml"
REGION_NAMES = {"guizhou": "贵州", "yunnan": "云南", "baode": "山西保德县", "xizang": "西藏", "guangxi": "广西"}
FLOORS = {"kind_accuracy": 0.90, "answer_hit_at_3": 0.85, "key_phrase_quoted": 0.70}
MAX_LIMITS_ANSWERED = 0.03  # misleading: a question the plans cannot answer, answered as if they could
DEFAULT_REGION = "yunnan"


@functools.cache
def step_book() -> StepBook:
    return load_steps(Settings().steps_dir)


@dataclass
class Outcome:
    n: int
    expected: str
    first_kind: str
    kind: str
    region_asked: bool
    refs: list[str]
    hit_at_3: bool | None = None
    key_phrase: bool | None = None
    acts: bool | None = None  # the verdict names what the user can do (a verb of the step data)
    reply_chars: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def correct(self) -> bool:
        return (self.kind if self.expected == "answer" else self.first_kind) == self.expected


def contract(replies: list[dict[str, Any]]) -> dict[str, Any]:
    custom = replies[-1].get("custom") if replies else None
    return custom if isinstance(custom, dict) else {"kind": "none", "citations": []}


def text_of(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(r.get("text")) for r in replies if r.get("text"))


def ask(url: str, sender: str, message: str) -> list[dict[str, Any]]:
    reply = post_json(url, {"sender": sender, "message": message})
    return list(reply.json()) if reply.status == 200 else []


def run_item(url: str, item: dict[str, Any]) -> Outcome:
    sender = f"eval-{item['n']}-{time.monotonic_ns()}"
    started = time.perf_counter()
    replies = ask(url, sender, item["question"])
    first = contract(replies)["kind"]
    asked = first == "ask_region"
    if asked:
        replies = ask(url, sender, REGION_NAMES[item.get("region") or DEFAULT_REGION])
    final = contract(replies)
    refs = [str(c.get("ref")) for c in final.get("citations", [])]
    outcome = Outcome(item["n"], item["kind"], first, final["kind"], asked, refs, seconds=time.perf_counter() - started)
    reply = text_of(replies)
    outcome.reply_chars = len(reply)
    if item["kind"] == "answer":
        gold = set(item.get("gold") or [])
        if not asked:  # answered across plans: a helpful clause of any plan counts
            gold |= {ref for refs_ in (item.get("gold_any_region") or {}).values() for ref in refs_}
        outcome.hit_at_3 = any(ref in gold for ref in refs[:3])
        outcome.key_phrase = bool(item.get("key_phrase")) and str(item["key_phrase"]) in reply
        answer = final.get("answer")
        verdict = str(answer.get("verdict") or "") if isinstance(answer, dict) else ""
        outcome.acts = final["kind"] == "answer" and step_book().names_an_action(verdict)
    return outcome


def summarize(outcomes: list[Outcome]) -> dict[str, Any]:
    answers = [o for o in outcomes if o.expected == "answer"]
    limits = [o for o in outcomes if o.expected == "limit"]
    unneeded = [o for o in outcomes if o.region_asked and o.expected != "answer"]
    summary = {
        "questions": len(outcomes),
        "kind_accuracy": round(sum(o.correct for o in outcomes) / len(outcomes), 3),
        "answer_hit_at_3": round(sum(bool(o.hit_at_3) for o in answers) / max(1, len(answers)), 3),
        "key_phrase_quoted": round(sum(bool(o.key_phrase) for o in answers) / max(1, len(answers)), 3),
        "verdicts_naming_an_action": sum(bool(o.acts) for o in answers),
        "verdicts_without_an_action": [o.n for o in answers if not o.acts],
        "answers_expected": len(answers),
        "limits_answered_as_answers": round(sum(o.kind == "answer" for o in limits) / max(1, len(limits)), 3),
        "region_questions_not_needed": len(unneeded),
        "region_questions_asked": sum(o.region_asked for o in outcomes),
        "misses": [asdict(o) for o in outcomes if not o.correct or o.hit_at_3 is False or o.key_phrase is False],
    }
    failed = [name for name, floor in FLOORS.items() if summary[name] < floor]
    if summary["limits_answered_as_answers"] > MAX_LIMITS_ANSWERED:
        failed.append("limits_answered_as_answers")
    summary["floors_missed"] = failed
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--model", type=Path, default=None, help="model file to serve (default: the current data's)")
    parser.add_argument("--out", type=Path, default=None, help="report folder with --model (default: a scratch one)")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(f"没有找到评测问题文件：{args.file}（应在 clone 旁边的 shared/eval/ 中）", file=sys.stderr)
        return 2
    items = yaml.safe_load(args.file.read_text(encoding="utf-8"))
    root = Path(tempfile.mkdtemp(prefix="ipr-eval-"))
    config = local_stack(root) if args.model is None else local_stack(root, model=args.model.resolve())
    with Stack(config):
        outcomes = [run_item(config.webhook_url, item) for item in items]
    summary = summarize(outcomes)
    table = markdown_table(
        {
            "questions": summary["questions"],
            "kind accuracy": f"{summary['kind_accuracy']:.3f} (≥ {FLOORS['kind_accuracy']})",
            "answer Hit@3": f"{summary['answer_hit_at_3']:.3f} (≥ {FLOORS['answer_hit_at_3']})",
            "key phrase quoted": f"{summary['key_phrase_quoted']:.3f} (≥ {FLOORS['key_phrase_quoted']})",
            "verdict names an action": f"{summary['verdicts_naming_an_action']} of {summary['answers_expected']}"
            + (
                f" (not: {', '.join(str(n) for n in summary['verdicts_without_an_action'])})"
                if summary["verdicts_without_an_action"]
                else ""
            ),
            "limits answered as answers": f"{summary['limits_answered_as_answers']:.3f} (≤ {MAX_LIMITS_ANSWERED})",
            "region questions not needed": summary["region_questions_not_needed"],
            "floors missed": ", ".join(summary["floors_missed"]) or "none",
        }
    )
    rows = "\n".join(
        f"| {o['n']} | {o['expected']} | {o['first_kind']} → {o['kind']} | {', '.join(o['refs'][:3])} |"
        for o in summary["misses"]
    )
    details = f"{table}\n\nItems missed (by row number of {args.file.name}):\n\n| n | expected | got | first refs |\n|---|---|---|---|\n{rows}\n"
    name = "real_questions" if args.file == DEFAULT_FILE else args.file.stem
    title = f"Real questions ({args.file.name}) through Rasa's REST channel"
    if args.model is None:
        write_report(name, title, summary, details)
    else:  # another model's figures never overwrite the current model's in bench/results/
        out = args.out or root / "report"
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{name}.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        (out / f"{name}.md").write_text(f"# {title} — {args.model.name}\n\n{details}", encoding="utf-8")
        print(f"report: {out / name}.md")
    print(details)
    return 1 if summary["floors_missed"] else 0


if __name__ == "__main__":
    sys.exit(main())
