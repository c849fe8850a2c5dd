# 知识产权维权助手 — every target is one step; `make run` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
PY := .venv/bin/python
RASA := .venv-rasa/bin/rasa
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: help env env-app env-rasa kb dict run test unit lint bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s $$'\t'

env: env-app env-rasa  ## create both Python 3.10 environments (cached outside the clone, keyed by lock hash)

# Always run: the script takes milliseconds when the environment for this lock file already exists.
env-app:
	@scripts/ensure-env.sh app requirements/app.lock .venv

env-rasa:
	@scripts/ensure-env.sh rasa requirements/rasa.lock .venv-rasa

kb: env-app  ## build the knowledge base from seeds/ (idempotent, < 2 s)
	$(PY) -m bot.kb build

dict: env-app  ## regenerate data/dict/ (jieba user dictionary) from the gazetteer and the plans
	$(PY) -m bot.kb dict

run: env kb  ## set up everything and start the assistant (this issue: stops after building the knowledge base)
	@echo "知识库已就绪。试试：$(PY) -m bot search 海外维权 --region 云南"

unit: env-app  ## unit tests (app env)
	$(PY) -m pytest -q tests

test: env kb lint unit  ## the whole test suite

lint: env-app  ## ruff + mypy
	$(PY) -m ruff check bot tests bench
	$(PY) -m ruff format --check bot tests bench
	$(PY) -m mypy bot

bench: env-app kb  ## retrieval benchmark (Recall@1/@3), report in bench/results/
	$(PY) -m bench.retrieval

clean:  ## remove build outputs in the clone (cached environments stay)
	rm -rf var models results .pytest_cache .venv .venv-rasa
