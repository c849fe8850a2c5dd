#!/usr/bin/env bash
# Debian packages the project runs on and the tests use: Debian's security-maintained Python 3.11 with venv and headers
# (the app env's interpreter, scripts/python-for.sh), PostgreSQL (knowledge base and tracker store on a real server), Chromium and
# ChromeDriver (browser tests), npm (axe-core for the browser tests), a CJK font (so screenshots show Chinese),
# Redis (scale-out test). Installs only what is missing.
set -euo pipefail
missing=()
[ -x /usr/bin/python3.11 ] || missing+=(python3.11)
/usr/bin/python3.11 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3.11-venv)
[ -f /usr/include/python3.11/Python.h ] || missing+=(python3.11-dev)  # any sdist with a C extension builds against it
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v npm >/dev/null 2>&1 || missing+=(npm)  # axe-core for the browser tests (package.json; the test runs npm ci)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing system packages: ${missing[*]} (install them with apt-get as root)" >&2
    exit 1
  fi
  echo "==> installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
