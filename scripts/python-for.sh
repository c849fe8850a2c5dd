#!/usr/bin/env bash
# Print the interpreter an environment is built with:  scripts/python-for.sh app|rasa|tools
#
#   app    Debian's /usr/bin/python3.11 (security updates from Debian's security archive; `apt-get install
#          python3.11-venv` for `-m venv`). Override with PYTHON_APP. A pyenv shim named python3.11 is not
#          accepted: a pyenv build gets no security updates, which is the point of this environment.
#   rasa   Python 3.10 (Rasa 3.6 accepts nothing newer), from pyenv or PATH. Override with PYTHON310.
#   tools  the same 3.10 (deploy-check's validators; tools.lock was resolved on it).
set -euo pipefail

python310() {
  if [ -n "${PYTHON310:-}" ]; then echo "$PYTHON310"; return; fi
  for candidate in "$(pyenv root 2>/dev/null)"/versions/3.10.*/bin/python3.10 \
                   "$HOME"/.pyenv/versions/3.10.*/bin/python3.10 "$(command -v python3.10 || true)"; do
    if [ -x "$candidate" ]; then echo "$candidate"; return; fi
  done
  echo "python-for: Python 3.10 not found (Rasa 3.6 needs Python <= 3.10). Set PYTHON310=/path/to/python3.10." >&2
  exit 1
}

python_app() {
  local python=${PYTHON_APP:-/usr/bin/python3.11}
  if ! [ -x "$python" ]; then
    echo "python-for: $python not found: install Debian's python3.11 and python3.11-venv (scripts/system-deps.sh)," \
         "or set PYTHON_APP to a security-maintained Python >= 3.11." >&2
    exit 1
  fi
  if ! "$python" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "python-for: $python is not a Python >= 3.11 with venv and ensurepip (apt-get install python3.11-venv)." >&2
    exit 1
  fi
  echo "$python"
}

case ${1:?usage: python-for.sh app|rasa|tools} in
  app) python_app ;;
  rasa | tools) python310 ;;
  *) echo "python-for: unknown environment $1" >&2; exit 2 ;;
esac
