"""`rasa data validate`, made strict: any warning fails except the one Rasa raises for responses that only custom
actions send ("The utterance 'utter_x' is not used in any story or rule", RasaHQ/rasa#4200) — and that one only
for responses an action of ours really uses. Run with the app env: python scripts/validate_data.py
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot.answers.wording import names_in_code

PROJECT = Path(__file__).resolve().parent.parent
UNUSED = re.compile(r"The utterance '(utter_\w+)' is not used in any story or rule\.")
NOISE = re.compile(r"DeprecationWarning|declare_namespace|pkg_resources|xla_computation|^\s")


def main() -> int:
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    result = subprocess.run(
        [str(PROJECT / ".venv-rasa/bin/rasa"), "data", "validate", "--domain", "domain.yml", "--data", "data"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
    )
    output = result.stdout + result.stderr
    rendered = names_in_code(PROJECT)
    problems = []
    for line in output.splitlines():
        if "UserWarning" not in line and "WARNING" not in line and "ERROR" not in line:
            continue
        if NOISE.search(line):
            continue
        unused = UNUSED.search(line)
        if unused and unused.group(1) in rendered:
            continue
        problems.append(line.strip())
    allowed = len(UNUSED.findall(output))
    if result.returncode != 0 or problems:
        print(output if result.returncode else "\n".join(problems))
        print(f"rasa data validate: {len(problems)} unexpected warning(s)/error(s), exit code {result.returncode}")
        return 1
    print(f"rasa data validate: clean ({allowed} responses are sent by custom actions, as expected)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
