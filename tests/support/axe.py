"""axe-core (npm, pinned in package-lock.json) for the browser tests: installed with `npm ci` on first use (a fresh
clone has no node_modules/), injected into the page under test, never served to users."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess

import pytest
from selenium import webdriver

from bot.settings import PROJECT_ROOT

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


@functools.cache
def axe_source() -> str:
    if not AXE.is_file():
        npm = shutil.which("npm")
        if not npm:
            pytest.fail("npm is needed for axe-core (scripts/system-deps.sh installs it)")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=PROJECT_ROOT, check=True, capture_output=True)
    return AXE.read_text(encoding="utf-8")


def violations(chrome: webdriver.Chrome, include: str | None = None) -> list[dict[str, object]]:
    """Run axe-core on the current document (open shadow roots included), or only inside the elements ``include``
    selects: every violation, with its impact."""
    chrome.execute_script(axe_source())
    chrome.set_script_timeout(60)
    context = json.dumps({"include": [[include]]}) if include else "document"
    result = chrome.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"axe.run({context}, {{resultTypes: ['violations']}})"
        ".then(r => done(JSON.stringify(r.violations))).catch(e => done(JSON.stringify([{id: 'axe-error', "
        "impact: 'critical', help: String(e), nodes: []}])));"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in json.loads(result)
    ]


def blocking_violations(chrome: webdriver.Chrome) -> list[dict[str, object]]:
    """Run axe-core on the current document (open shadow roots included): its serious and critical violations."""
    return [v for v in violations(chrome) if v["impact"] in BLOCKING]
