"""Read one pip-audit JSON report and say what it means: ``python scripts/audit_report.py REPORT.json``.

pip-audit prints "No known vulnerabilities found" even when it could look nothing up (it skips a package it cannot
find in the advisory service and still exits 0), so the skipped packages are counted here: a package not looked up
is a package not checked. Exit status: 0 every package checked and none vulnerable; 1 a known vulnerability;
2 some packages could not be checked (and none found vulnerable among the rest).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

CLEAN, VULNERABLE, UNCHECKED = 0, 1, 2


def summarise(report: dict[str, Any]) -> tuple[int, list[str]]:
    """(exit status, lines to print) for one pip-audit JSON report."""
    dependencies = report.get("dependencies", [])
    skipped = [d["name"] for d in dependencies if "skip_reason" in d]
    vulnerable = [
        f"{d['name']} {d['version']}: {', '.join(v['id'] for v in d['vulns'])}" for d in dependencies if d.get("vulns")
    ]
    lines = [
        f"{len(dependencies) - len(skipped)} of {len(dependencies)} packages checked; "
        f"{len(vulnerable)} with known vulnerabilities"
    ]
    lines += vulnerable
    if skipped:
        lines.append(
            f"NOT CHECKED: {len(skipped)} packages (no advisory data for them from here), e.g. {', '.join(skipped[:5])}"
        )
    if vulnerable:
        return VULNERABLE, lines
    return (UNCHECKED if skipped or not dependencies else CLEAN), lines


def main(argv: list[str]) -> int:
    status, lines = summarise(json.loads(Path(argv[1]).read_text(encoding="utf-8")))
    for line in lines:
        print("    " + line)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
