#!/usr/bin/env bash
# Train the Rasa model only when what it is trained on changed.
#
#   scripts/model.sh path    print the model file for the current data (models/ipr-<hash>.tar.gz)
#   scripts/model.sh train   make sure that file exists: reuse the cache or train (progress is Rasa's own output)
#
# The key is the hash of config.yml, domain.yml, data/ (NLU, rules, dictionary), the rasa lock file and
# rasa_plugins/ (the intent classifier the model names lives there); not the files Rasa never reads (topics,
# regions, steps). Models
# are cached outside the clone (~/.cache/ipr-assistant/models or $IPR_MODEL_CACHE) so a new clone, or CI on the
# same machine, reuses a model trained on identical inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=${IPR_MODEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ipr-assistant/models}

key=$( { find config.yml domain.yml data requirements/rasa.lock rasa_plugins -type f \
           \( -name '*.yml' -o -name '*.txt' -o -name '*.lock' -o -name '*.py' \) ! -name 'topics.yml' ! -name 'regions.yml' ! -path 'data/steps/*' \
           -print0 | sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-16)
name="ipr-$key"
model="models/$name.tar.gz"

case "${1:-path}" in
  path) echo "$model" ;;
  train)
    mkdir -p models "$cache"
    if [ -f "$model" ]; then
      echo "==> model up to date: $model"
    elif [ -f "$cache/$name.tar.gz" ]; then
      cp "$cache/$name.tar.gz" "$model"
      echo "==> model reused from cache: $model"
    else
      echo "==> training $model (data or config changed; a few minutes on 2 cores)"
      started=$(date +%s)
      # Rasa's own cache of trained components does not fingerprint the jieba dictionary (JiebaTokenizer has no
      # fingerprint addon): components tokenised with another dictionary would be reused. One cache per dictionary.
      dict_key=$(cat data/dict/*.txt | sha256sum | cut -c1-12)
      RASA_CACHE_DIRECTORY=".rasa/cache-$dict_key" \
      RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2 \
        .venv-rasa/bin/rasa train --config config.yml --domain domain.yml --data data \
        --out models --fixed-model-name "$name" 2>&1 | stdbuf -o0 tr '\r' '\n' \
        | grep --line-buffered -vE 'DeprecationWarning|declare_namespace|pkg_resources|xla_computation|^\s*$' \
        | awk '/Epochs:/ { if (match($0, /[0-9]+\/[0-9]+/)) { split(substr($0, RSTART, RLENGTH), e, "/");
                 if (e[1] % 10 == 0 && e[1] != last) { print "  DIET epoch " e[1] "/" e[2]; last = e[1] } } next }
               { print; fflush() }'
      test -f "$model"
      cp "$model" "$cache/$name.tar.gz.tmp" && mv "$cache/$name.tar.gz.tmp" "$cache/$name.tar.gz"
      echo "==> trained in $(( $(date +%s) - started )) s: $model"
    fi
    ;;
  *) echo "usage: $0 path|train" >&2; exit 2 ;;
esac
