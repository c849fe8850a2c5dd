#!/usr/bin/env bash
# Known-vulnerability check of both lock files with pip-audit (PyPI's advisory data), from a tool venv of its own
# so the project environments stay as locked. Writes bench/results/audit-{app,rasa}.json.
set -euo pipefail
cd "$(dirname "$0")/.."
tool=${IPR_ENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ipr-assistant/envs}/pip-audit-2.10.1
if [ ! -x "$tool/bin/pip-audit" ]; then
  python3 -m venv "$tool" && "$tool/bin/pip" install --quiet "pip-audit==2.10.1"
fi
mkdir -p bench/results
for lock in app rasa; do
  echo "==> requirements/$lock.lock"
  "$tool/bin/pip-audit" -r "requirements/$lock.lock" --no-deps --disable-pip --progress-spinner off \
    -f json -o "bench/results/audit-$lock.json"
done
