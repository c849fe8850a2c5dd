"""make audit never reads a lookup that did not happen as a pass (scripts/audit_report.py, issue 24)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "audit_report.py"


@pytest.fixture(scope="module")
def audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_report", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _dep(name: str, vulns: tuple[str, ...] = ()) -> dict[str, object]:
    return {"name": name, "version": "1.0", "vulns": [{"id": v} for v in vulns]}


def _skipped(name: str) -> dict[str, object]:
    return {"name": name, "skip_reason": f"Dependency not found on PyPI and could not be audited: {name} (1.0)"}


def test_every_package_checked_and_clean_passes(audit: ModuleType) -> None:
    assert audit.summarise({"dependencies": [_dep("a"), _dep("b")]})[0] == audit.CLEAN


def test_a_package_not_looked_up_is_not_a_pass(audit: ModuleType) -> None:
    status, lines = audit.summarise({"dependencies": [_dep("a"), _skipped("b")]})
    assert status == audit.UNCHECKED and "NOT CHECKED: 1 packages" in lines[-1]


def test_no_lookup_at_all_is_not_a_pass(audit: ModuleType) -> None:
    assert audit.summarise({"dependencies": [_skipped("a"), _skipped("b")]})[0] == audit.UNCHECKED
    assert audit.summarise({"dependencies": [], "not_checked": "unreachable"})[0] == audit.UNCHECKED


def test_a_known_vulnerability_fails_and_is_named(audit: ModuleType) -> None:
    status, lines = audit.summarise({"dependencies": [_dep("a", ("GHSA-xxxx",)), _skipped("b")]})
    assert status == audit.VULNERABLE and "a 1.0: GHSA-xxxx" in lines
