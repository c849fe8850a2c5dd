#!/usr/bin/env bash
# Known-vulnerability check of both lock files with pip-audit, from a tool venv of its own (on the app env's
# maintained interpreter) so the project environments stay as locked. Writes bench/results/audit-{app,rasa}.json.
#
# Advisory data: PyPI's per-release JSON API (pip-audit's default service), else OSV. Each is probed first; when
# neither answers, nothing is looked up and the check says so. Never a silent pass — exit status:
#   0  every package of both locks checked, none with a known vulnerability
#   1  a known vulnerability (listed)
#   2  NOT CHECKED: advisory data unreachable, or some packages could not be looked up
set -euo pipefail
cd "$(dirname "$0")/.."
python=$(scripts/python-for.sh app)
version=$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
tool=${IPR_ENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ipr-assistant/envs}/pip-audit-2.10.1-py$version
if [ ! -x "$tool/bin/pip-audit" ]; then
  rm -rf "$tool"
  "$python" -m venv "$tool" && "$tool/bin/pip" install --quiet --disable-pip-version-check "pip-audit==2.10.1" \
    2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
fi

# What each service answers for a release that certainly exists (pip 24.0): 200 means the data is reachable.
probe_pypi() { curl -s -m 15 -o /dev/null -w '%{http_code}' https://pypi.org/pypi/pip/24.0/json || true; }
probe_osv() {
  curl -s -m 15 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"package": {"name": "pip", "ecosystem": "PyPI"}, "version": "24.0"}' https://api.osv.dev/v1/query || true
}
pypi=$(probe_pypi) osv=$(probe_osv)
if [ "$pypi" = 200 ]; then service=pypi; elif [ "$osv" = 200 ]; then service=osv; else service=; fi

mkdir -p bench/results
if [ -z "$service" ]; then
  reason="no advisory data reachable from this machine (PyPI per-release JSON API: HTTP ${pypi:-000}; OSV api.osv.dev: HTTP ${osv:-000})"
  for lock in app rasa; do
    echo "==> requirements/$lock.lock: $(grep -c '==' "requirements/$lock.lock") packages NOT CHECKED"
    printf '{"dependencies": [], "fixes": [], "not_checked": "%s"}\n' "$reason" > "bench/results/audit-$lock.json"
  done
  echo "make audit: COULD NOT CHECK — $reason. This is not a pass: run make audit where either is reachable." >&2
  exit 2
fi

vulnerable=0 unchecked=0
for lock in app rasa; do
  echo "==> requirements/$lock.lock (pip-audit, $service)"
  report=bench/results/audit-$lock.json
  rm -f "$report"
  "$tool/bin/pip-audit" -r "requirements/$lock.lock" --no-deps --disable-pip --progress-spinner off \
    --vulnerability-service "$service" -f json -o "$report" 2>/dev/null || true
  result=0
  if [ -s "$report" ]; then "$tool/bin/python" scripts/audit_report.py "$report" || result=$?; else result=2; fi
  [ "$result" = 1 ] && vulnerable=1
  [ "$result" = 2 ] && { unchecked=1; [ -s "$report" ] || echo "    NOT CHECKED: pip-audit wrote no report"; }
done
if [ "$vulnerable" = 1 ]; then
  echo "make audit: KNOWN VULNERABILITIES (above)." >&2; exit 1
elif [ "$unchecked" = 1 ]; then
  echo "make audit: NOT FULLY CHECKED — some packages had no advisory data (above). This is not a pass." >&2; exit 2
fi
echo "make audit: every package of both locks checked; no known vulnerabilities."
