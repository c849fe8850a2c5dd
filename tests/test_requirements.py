"""The lock files install what requirements/*.in pins: a pin chosen for a measured reason (jsonschema 3.2.0 in the
rasa env, see bench/action_validation.py) must survive regenerating a lock."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

REQUIREMENTS = Path(__file__).resolve().parent.parent / "requirements"
PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;#]+)")


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    return pins


@pytest.mark.parametrize("env", ["app", "rasa"])
def test_every_exact_pin_of_the_input_is_what_the_lock_installs(env: str) -> None:
    wanted = _pins(REQUIREMENTS / f"{env}.in")
    locked = _pins(REQUIREMENTS / f"{env}.lock")
    assert wanted, f"{env}.in pins nothing exactly"
    assert {name: locked.get(name) for name in wanted} == wanted


def test_the_rasa_env_checks_action_responses_with_jsonschema_3() -> None:
    # jsonschema 4.x re-checks Rasa's response schema against the 2020-12 meta-schema on every action call:
    # ~20 ms instead of ~2.6 ms, half of Rasa's CPU under load (bench/results/action_validation.md).
    assert _pins(REQUIREMENTS / "rasa.lock")["jsonschema"].startswith("3.")


def test_the_app_env_runs_on_a_maintained_python() -> None:
    # The gateway and the action server parse untrusted input: they run on Debian's security-maintained python3.11
    # (scripts/python-for.sh), never on the rasa env's 3.10, which is past its end of life (issue 24).
    assert sys.version_info >= (3, 11)
    assert _pins(REQUIREMENTS / "app.lock")["rasa-sdk"].split(".")[:2] != ["3", "6"]
