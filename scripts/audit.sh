#!/usr/bin/env bash
# Known-vulnerability check of both lock files with pip-audit (PyPI's advisory data), from a tool venv of its own
# so the project environments stay as locked. Writes bench/results/audit-{app,rasa}.json.
# Fails when a package has a known vulnerability or could not be looked up at all (so an unreachable advisory
# service never reads as a clean result).
set -euo pipefail
cd "$(dirname "$0")/.."
tool=${IPR_ENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ipr-assistant/envs}/pip-audit-2.10.1
if [ ! -x "$tool/bin/pip-audit" ]; then
  python3 -m venv "$tool" && "$tool/bin/pip" install --quiet "pip-audit==2.10.1"
fi
mkdir -p bench/results
status=0
for lock in app rasa; do
  echo "==> requirements/$lock.lock"
  "$tool/bin/pip-audit" -r "requirements/$lock.lock" --no-deps --disable-pip --progress-spinner off \
    -f json -o "bench/results/audit-$lock.json" || status=1
  # pip-audit says "No known vulnerabilities found" even when it could look none up (no access to PyPI's JSON API
  # or the advisory data): a package it skipped is a package not checked, so that is a failure, not a pass.
  python3 - "bench/results/audit-$lock.json" <<'PY' || status=1
import json, sys
report = json.load(open(sys.argv[1]))["dependencies"]
skipped = [d["name"] for d in report if "skip_reason" in d]
vulnerable = [f"{d['name']} {d['version']}: {', '.join(v['id'] for v in d['vulns'])}" for d in report if d.get("vulns")]
print(f"    {len(report) - len(skipped)} of {len(report)} packages checked; {len(vulnerable)} with known vulnerabilities")
for line in vulnerable:
    print("    " + line)
if skipped:
    print(f"    NOT CHECKED: {len(skipped)} packages (advisory data unreachable from this machine), e.g. {', '.join(skipped[:5])}")
sys.exit(1 if skipped or vulnerable else 0)
PY
done
exit $status
