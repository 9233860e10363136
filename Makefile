# Two entry points (README): `make run` starts the assistant, `make test` runs every test.
# `make run-cluster` starts two servers of each kind behind HAProxy instead, under supervisord, which
# starts a process again when it dies (deploy/cluster.conf, docs/deployment.md).
# Everything else here is what they need: environments, generated NLU inputs, the trained model.
SHELL := /bin/bash
.DEFAULT_GOAL := run

PYTHON ?= python3
PIP_VERSION := 24.3.1
RASA_VERSION := 3.6.21
RASA_SDK_VERSION := 3.6.2
VENV := .venv
RASA_VENV := .venv-rasa
APP_STAMP := $(VENV)/.installed
RASA_STAMP := $(RASA_VENV)/.installed
MODEL := models/assistant.tar.gz
USERDICT := build/jieba/userdict.txt
MISSPELLINGS := build/normalisation/misspellings.json
ENTITIES := nlu_data/entities.yml
NLU_FILES := $(filter-out $(ENTITIES),$(wildcard nlu_data/*.yml))
DIALOGUE_FILES := $(wildcard domain/*.yml) $(wildcard dialogue/*.yml)
KNOWLEDGE := $(wildcard knowledge/*.yml) knowledge/regulation.txt
E2E_NODE := tests/e2e/node_modules/.package-lock.json
# The console's browser tests drive Debian's Chromium (Playwright cannot download a browser here).
CHROMIUM := /usr/bin/chromium
# Without a CJK font the browser tests' screenshots show empty boxes where the console's Chinese is.
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
# The load balancer of `make run-cluster` (and of its test): Debian's HAProxy.
HAPROXY := /usr/sbin/haproxy
CLUSTER_CONFIG := build/cluster/haproxy.cfg
# Servers behind it other than deploy/cluster.conf's, e.g. CLUSTER_SERVERS="--rasa 127.0.0.1:5105 --rasa 10.0.0.7:5005".
CLUSTER_SERVERS ?=
# Instants at which the date-sensitive tests run again: a year end whose next year's calendar is not
# configured yet (Asia/Shanghai), and the first working day after it.
MACHINE_TIMES := 2026-12-31T23:30:00+08:00 2027-01-04T10:00:00+08:00
# Test processes: most of a test's time is spent waiting (PostgreSQL, servers starting, a browser), so two
# workers per machine finish the suite in about a third of the time of one (BENCHMARKS.md, "test suite").
TEST_WORKERS ?= 2
RASA_ENV := PYTHONPATH=$(CURDIR) TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1

.PHONY: run run-cluster test test-fast install model validate evaluate compare bench lock clean

run: install model ## main job: install what is missing, train if inputs changed, start every service
	$(VENV)/bin/sbk db upgrade
	exec $(VENV)/bin/honcho start -f Procfile

# Several servers sharing the conversations: trackers in PostgreSQL (DATABASE_URL), conversation locks
# in Redis (REDIS_URL, redis://127.0.0.1:6379/1 unless set), HAProxy on the ports `make run` uses.
run-cluster: install model $(HAPROXY) ## two Rasa, action, back-office and dispatcher processes behind HAProxy
	@case "$$DATABASE_URL" in postgresql*) ;; *) echo "run-cluster: set DATABASE_URL to the PostgreSQL database every server shares (e.g. postgresql://sbk@127.0.0.1/sbk); SQLite is for make run" >&2; exit 2;; esac
	$(VENV)/bin/sbk db upgrade
	$(VENV)/bin/sbk cluster haproxy-config $(CLUSTER_SERVERS) --output $(CLUSTER_CONFIG)
	$(HAPROXY) -c -q -f $(CLUSTER_CONFIG)
	mkdir -p build/cluster/log
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/1} \
	CONSOLE_TRUSTED_PROXIES="127.0.0.1$${CONSOLE_TRUSTED_PROXIES:+,$$CONSOLE_TRUSTED_PROXIES}" \
	exec $(VENV)/bin/supervisord -c deploy/cluster.conf

test: install model $(E2E_NODE) $(CHROMIUM) $(CJK_FONT) $(HAPROXY) ## the whole test suite, then the date-sensitive tests at fixed machine dates
	$(VENV)/bin/python -m pytest -q -n $(TEST_WORKERS)
	for at in $(MACHINE_TIMES); do $(VENV)/bin/python -m pytest -q -n $(TEST_WORKERS) -m dates --machine-time=$$at || exit 1; done

test-fast: install ## the unit tier only (no database server, no services, no browser)
	$(VENV)/bin/python -m pytest -q -n $(TEST_WORKERS) -m unit

install: $(APP_STAMP) $(RASA_STAMP)

# The local Telegram Bot API server the end-to-end tests talk to (npm package telegram-test-api).
$(E2E_NODE): tests/e2e/package.json tests/e2e/package-lock.json
	cd tests/e2e && npm ci --no-audit --no-fund

$(CHROMIUM):
	apt-get install -y --no-install-recommends chromium || \
		(apt-get update && apt-get install -y --no-install-recommends chromium)

$(HAPROXY):
	apt-get install -y --no-install-recommends haproxy || \
		(apt-get update && apt-get install -y --no-install-recommends haproxy)

$(CJK_FONT):
	apt-get install -y --no-install-recommends fonts-wqy-microhei || \
		(apt-get update && apt-get install -y --no-install-recommends fonts-wqy-microhei)

# The application environment: Python 3.11, modern libraries, pinned by requirements/app.lock.
$(APP_STAMP): pyproject.toml requirements/app.lock
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q pip==$(PIP_VERSION)
	$(VENV)/bin/python -m pip install -q -c requirements/app.lock -e '.[dev]'
	touch $@

# The Rasa environment: Rasa 3.6 declares Python <3.11 but runs on 3.11 with the dependency set
# it asks for under 3.10 (see docs/environments.md); the lock pins every package of it.
$(RASA_STAMP): requirements/rasa.lock
	test -x $(RASA_VENV)/bin/python || $(PYTHON) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/python -m pip install -q pip==$(PIP_VERSION)
	$(RASA_VENV)/bin/python -m pip install -q --no-deps -r requirements/rasa.lock
	$(RASA_VENV)/bin/python -m pip install -q --no-deps --ignore-requires-python \
		rasa==$(RASA_VERSION) rasa-sdk==$(RASA_SDK_VERSION)
	touch $@

$(USERDICT) $(MISSPELLINGS) $(ENTITIES) &: $(KNOWLEDGE) $(APP_STAMP)
	$(VENV)/bin/sbk nlu build

model: $(MODEL)

# One model for everything: the Rasa server, the bot and `sbk classify` load the same file.
$(MODEL): $(RASA_STAMP) config.yml $(NLU_FILES) $(ENTITIES) $(USERDICT) $(MISSPELLINGS) $(DIALOGUE_FILES) $(wildcard nlu_runtime/*.py)
	$(RASA_ENV) $(RASA_VENV)/bin/rasa train --config config.yml --domain domain --data nlu_data dialogue \
		--out models --fixed-model-name assistant

validate: install $(ENTITIES) ## Rasa's own check of domain and training data
	$(RASA_ENV) $(RASA_VENV)/bin/rasa data validate --domain domain --data nlu_data dialogue --config config.yml

evaluate: install model ## NLU report on the held-out test set, beside the baseline
	$(VENV)/bin/sbk nlu evaluate

compare: install $(ENTITIES) $(USERDICT) $(MISSPELLINGS) ## candidate pipelines on a split of the training data → BENCHMARKS.md
	$(VENV)/bin/sbk nlu compare

bench: install model ## NLU benchmark into BENCHMARKS.md
	$(VENV)/bin/sbk nlu bench

lock: ## re-pin the application environment after changing pyproject.toml
	$(VENV)/bin/python -m pip freeze --exclude-editable > requirements/app.lock

clean:
	rm -rf build models
