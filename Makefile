# 知识产权维权助手 — every target is one step; `make run` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
ENV ?= app
PY := .venv/bin/python
RASA := .venv-rasa/bin/rasa
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export SE_OFFLINE := true  # selenium must use Debian's chromedriver, never download one

.PHONY: help env lock env-app env-rasa env-tools deploy-check kb dict train validate eval eval-questions stories e2e run test unit lint bench bench-load bench-cards bench-validation bench-rest bench-long bench-channels audit clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s $$'\t'

env: env-app env-rasa  ## create both environments: app on Debian's python3.11, rasa on 3.10 (cached outside the clone, keyed by lock hash and interpreter)

# Always run: the script takes milliseconds when the environment for this lock file already exists.
env-app:
	@scripts/ensure-env.sh app requirements/app.lock .venv

env-rasa:
	@scripts/ensure-env.sh rasa requirements/rasa.lock .venv-rasa

lock:  ## regenerate requirements/$(ENV).lock from requirements/$(ENV).in on that env's interpreter (ENV=app|rasa|tools)
	scripts/lock.sh $(ENV)

env-tools:  # deploy-check's validators; linked under var/ (ignored by git)
	@mkdir -p var && scripts/ensure-env.sh tools requirements/tools.lock var/venv-tools

kb: env-app  ## build the knowledge base from seeds/ (idempotent, < 2 s)
	$(PY) -m bot.kb build

dict: env-app  ## regenerate data/dict/ (jieba user dictionary) from the gazetteer and the plans
	$(PY) -m bot.kb dict

train: env kb  ## export the examples reviewers confirmed, then train the Rasa model if config/domain/data changed (cached by their hash)
	@$(PY) -m bot.review export
	@scripts/model.sh train

validate: env  ## rasa data validate, failing on any unexpected warning
	$(PY) scripts/validate_data.py

eval: train  ## held-out NLU evaluation (intent macro-F1, region F1) → bench/results/nlu_eval.md
	.venv-rasa/bin/python -m bench.nlu_eval "$$(scripts/model.sh path)"

eval-questions: train  ## real user questions (../shared/eval/real_dev.yaml) through the assistant over REST → bench/results/real_questions.md; fails below the floors
	$(PY) -m bench.real_questions

stories: train  ## conversation tests: rasa test core on tests/test_stories.yml, failing on any wrong prediction
	.venv-rasa/bin/rasa test core --e2e --model "$$(scripts/model.sh path)" --stories tests/test_stories.yml \
	  --fail-on-prediction-errors --out results/stories

retrain: env kb  ## export confirmed examples, train a candidate, measure it against the served model on the same material; switch (replicas one at a time) only if no floor is missed and nothing is worse → bench/results/retrain.md
	$(PY) -m bot retrain

e2e: train  ## end-to-end: conversations, gateway, WeChat and real-browser tests on the real servers
	$(PY) -m pytest -q tests/e2e

run: env kb train  ## set up everything and start action server + Rasa + gateway; prints the chat URL
	$(PY) -m bot.launcher

operator: env-app  ## create a hotline operator account: make operator NAME=wang (asks for the password)
	@test -n "$(NAME)" || { echo "用法：make operator NAME=用户名"; exit 2; }
	$(PY) -m bot.gateway.staff_accounts create "$(NAME)"

unit: env-app  ## unit tests (app env, no servers)
	$(PY) -m pytest -q tests --ignore=tests/e2e

test: env kb lint deploy-check validate unit eval stories e2e  ## the whole test suite

lint: env-app  ## ruff + mypy
	$(PY) -m ruff check bot actions rasa_plugins tests bench scripts
	$(PY) -m ruff format --check bot actions rasa_plugins tests bench scripts
	$(PY) -m mypy bot actions

bench: env-app kb  ## retrieval benchmark (Recall@1/@3), report in bench/results/
	$(PY) -m bench.retrieval

bench-load: train  ## load: 20 users × 5 min via the gateway, 1 replica back to back and 2 replicas paced at 40 msg/s, each then the same against a bare `rasa init` bot (~25 min) → bench/results/load*.md
	$(PY) -m bench.load --users 20 --seconds 300 --replicas 1
	$(PY) -m bench.load --users 20 --seconds 300 --replicas 2 --rate 40

bench-cards: train  ## step cards on rewordings of the six situations through the real stack → bench/results/step_cards.md
	$(PY) -m bench.step_cards

bench-validation: env  ## Rasa's check of one action response with the locked jsonschema → bench/results/action_validation.md
	.venv-rasa/bin/python -m bench.action_validation

bench-long: train  ## one 500-turn conversation through the gateway: p50 of the last 50 turns ÷ the first 50 → bench/results/long_conversation.md
	$(PY) -m bench.long_conversation --turns 500

bench-rest: train  ## latency of one message through Rasa's REST webhook (p50/p95 over 500 messages)
	$(PY) -m bench.rest_latency

bench-channels: train  ## latency of one message per channel (企业微信, 钉钉, 飞书, web) through the real stack → bench/results/channels.md
	$(PY) -m bench.channels_latency

bench-answer-length: env-app kb  ## visible characters of an answer before the fold (chat page) over the development questions → bench/results/answer_length.md
	$(PY) -m bench.answer_length

bench-push: env-app kb  ## operator's reply → open page (/api/chat/events), 1 and 30 pages waiting → bench/results/push_latency.md
	$(PY) -m bench.push_latency --rounds 40

bench-report: env-app  ## demand report on 50,000 synthetic conversations: figures vs SQL, build time → bench/results/report.md
	$(PY) -m bench.report_bench --conversations 50000

deploy-check: env-tools  ## deploy/: manifests vs Kubernetes schemas, checkov, hadolint on the Dockerfiles
	var/venv-tools/bin/kubernetes-validate --strict --quiet deploy/k8s/*.yaml
	var/venv-tools/bin/checkov -d deploy --quiet --compact --skip-download
	var/venv-tools/bin/hadolint deploy/Dockerfile.app deploy/Dockerfile.rasa

audit:  ## known-vulnerability check of both lock files (pip-audit) → bench/results/audit-*.json
	scripts/audit.sh

clean:  ## remove build outputs in the clone (cached environments stay)
	rm -rf var models results .pytest_cache .venv .venv-rasa
