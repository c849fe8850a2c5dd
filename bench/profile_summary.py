"""Where a Rasa process spends its CPU, from a py-spy profile (``py-spy record --format raw``):

    .venv/bin/python -m bench.profile_summary PROFILE.txt[.gz][=MSG_PER_S] [...]

Prints, per profile, the share of samples under each part of Rasa's message handling that issue 12 looked at
(inclusive: a sample counts for every part on its stack), and, given the run's messages per second, those shares
as milliseconds of CPU per message (a saturated Rasa process spends one core: 1000 / msg/s ms per message).
Samples whose stack py-spy cut short inside jsonschema's recursion (no Rasa frame left) are counted as the
response check, the only jsonschema caller per message. Dask's own share is its samples outside any component.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

PARTS = {
    "tracker store: retrieve": ("retrieve (rasa/core/tracker_store.py",),
    "tracker store: save": ("save (rasa/core/tracker_store.py", "save (rasa_plugins/tracker_store.py"),
    "intent classifier": ("process (rasa/nlu/classifiers/",),
    "featurizers + tokenizer": ("process (rasa/nlu/featurizers/", "process (rasa/nlu/tokenizers/"),
    "policies (prediction)": ("_predict_next_with_tracker (rasa/core/processor.py",),
    "action server call": ("run (rasa/core/actions/action.py",),
    "action-response check": ("_validate_action_result (", "(jsonschema/"),
    "dask graph scheduling (outside components)": ("(dask/",),
    "deepcopy (Rasa's debug logging)": ("deepcopy (copy.py",),
}


_COMPONENTS = ("(rasa/nlu/", "(rasa/core/policies/", "(rasa_plugins/", "(sklearn/", "(scipy/", "(tensorflow/")


def _lines(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:  # type: ignore[operator]
        return handle.read().splitlines()


def shares(path: Path) -> dict[str, float]:
    total = 0
    counts = dict.fromkeys(PARTS, 0)
    for line in _lines(path):
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        total += samples
        for part, frames in PARTS.items():
            if any(frame in stack for frame in frames):
                if part.startswith("dask") and any(inner in stack for inner in _COMPONENTS):
                    continue
                counts[part] += samples
    return {part: 100 * count / total for part, count in counts.items()} if total else {}


def main(argv: list[str]) -> int:
    runs = [(Path(arg.split("=")[0]), float(arg.split("=")[1]) if "=" in arg else 0.0) for arg in argv]
    names = [path.name.split(".")[0] for path, _ in runs]
    table = [shares(path) for path, _ in runs]
    print("| part of Rasa's CPU: % of samples (ms per message) | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(runs))
    for part in PARTS:
        cells = []
        for values, (_, rate) in zip(table, runs, strict=True):
            share = values.get(part, 0.0)
            cells.append(f"{share:.1f} ({share * 10 / rate:.1f})" if rate else f"{share:.1f}")
        print(f"| {part} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
