#!/usr/bin/env bash
# Create (or reuse) a Python 3.10 virtual environment from a lock file and link it into the clone.
#
#   scripts/ensure-env.sh NAME LOCKFILE LINK      e.g. scripts/ensure-env.sh app requirements/app.lock .venv
#
# Environments live outside the clone, keyed by the hash of the lock file and the interpreter version, so a
# second clone or a second `make` reuses them; a fresh machine builds them once (the rasa env takes a few
# minutes: pip's per-package lines are the progress shown). A marker file is written only after a complete
# install, so an interrupted install is redone rather than half-used.
set -euo pipefail
name=$1 lock=$2 link=$3
cache_root=${IPR_ENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ipr-assistant/envs}

find_python() {
  if [ -n "${PYTHON310:-}" ]; then echo "$PYTHON310"; return; fi
  for candidate in "$(pyenv root 2>/dev/null)"/versions/3.10.*/bin/python3.10 \
                   "$HOME"/.pyenv/versions/3.10.*/bin/python3.10 "$(command -v python3.10 || true)"; do
    if [ -x "$candidate" ]; then echo "$candidate"; return; fi
  done
  echo "ensure-env: Python 3.10 not found (Rasa 3.6 needs Python <= 3.10). Set PYTHON310=/path/to/python3.10." >&2
  exit 1
}

python=$(find_python)
version=$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
key=$( (cat "$lock"; echo "$version") | sha256sum | cut -c1-16)
target="$cache_root/$name-py$version-$key"
mkdir -p "$cache_root"

(
  flock 9   # two makes at once must not build the same environment twice
  if [ ! -f "$target/.complete" ]; then
    echo "==> building the $name env in $target (from $lock)"
    rm -rf "$target"
    "$python" -m venv "$target"
    "$target/bin/python" -m pip install --quiet --disable-pip-version-check "pip==24.0"
    "$target/bin/python" -m pip install --disable-pip-version-check --progress-bar off --no-deps -r "$lock" \
      2>&1 | grep --line-buffered -E '^(Collecting|Successfully|ERROR|error)' | sed -u "s/^/[$name env] /"
    "$target/bin/python" -m pip check >/dev/null || { "$target/bin/python" -m pip check; exit 1; }
    touch "$target/.complete"
  fi
) 9>"$cache_root/.$name.lock"

ln -sfn "$target" "$link"
echo "==> $name env ready: $link -> $target"
