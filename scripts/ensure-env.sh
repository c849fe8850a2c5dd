#!/usr/bin/env bash
# Create (or reuse) a virtual environment from a lock file and link it into the clone.
#
#   scripts/ensure-env.sh NAME LOCKFILE LINK      e.g. scripts/ensure-env.sh app requirements/app.lock .venv
#
# Each environment has its interpreter (scripts/python-for.sh): the app env (gateway, action server, CLI, unit
# tests) runs on Debian's security-maintained /usr/bin/python3.11; the rasa env on Python 3.10, the newest Rasa 3.6
# accepts (the one unmaintained runtime left, fenced in: see the README's threat model).
# Environments live outside the clone, keyed by the hash of the lock file, the interpreter's path and its full
# version, so a second clone or a second `make` reuses them and a security update of the interpreter (3.11.2-6+deb12u6
# → u7 keeps "3.11.2" but changes the build) gets a fresh one; a fresh machine builds them once (the rasa env takes
# a few minutes: pip's per-package lines are the progress shown). A marker file is written only after a complete
# install, so an interrupted install is redone rather than half-used.
set -euo pipefail
name=$1 lock=$2 link=$3
cache_root=${IPR_ENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ipr-assistant/envs}

python=$("$(dirname "$0")/python-for.sh" "$name")
version=$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
build=$("$python" -c 'import sys; print(sys.version)')
key=$( (cat "$lock"; echo "$python"; echo "$build") | sha256sum | cut -c1-16)
target="$cache_root/$name-py$version-$key"
mkdir -p "$cache_root"

(
  flock 9   # two makes at once must not build the same environment twice
  if [ ! -f "$target/.complete" ]; then
    echo "==> building the $name env in $target (from $lock, $python $version)"
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
