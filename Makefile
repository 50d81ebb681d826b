# Shiji — one-command run and test. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
LOAD_ARGS ?=
# Test processes (pytest-xdist, whole files per process); 0 runs everything in one process.
TEST_WORKERS ?= 2

.DEFAULT_GOAL := help
.PHONY: help setup run test lint types security audit check fuzz crash messages translations lock clean load

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements/constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Shiji needs Python 3.11, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv and install Shiji with its dev tools
	@$(BIN)/shiji compiletranslations >/dev/null

run: setup ## Migrate, load the demo, start the worker and serve http://127.0.0.1:8000 (HOST, PORT)
	SHIJI_DEBUG=1 $(BIN)/shiji migrate --noinput
	SHIJI_DEBUG=1 $(BIN)/shiji demo
	@SHIJI_DEBUG=1 $(BIN)/shiji worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  SHIJI_DEBUG=1 $(BIN)/shiji serve --host $(HOST) --port $(PORT)

test: setup ## Run the whole test suite (SQLite, or DATABASE_URL / REDIS_URL when set)
	$(BIN)/pytest -q -p no:logging -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: setup ## ruff (lint + format check)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: setup ## mypy with django-stubs
	$(BIN)/mypy shiji config

security: setup ## bandit over shiji and config (tests and migrations excluded)
	$(BIN)/bandit -c pyproject.toml -r shiji config -q

audit: setup ## pip-audit of the pins; needs PyPI's JSON API or OSV (fails if anything could not be audited)
	$(BIN)/pip-audit --strict --no-deps --disable-pip -r requirements/constraints.txt

check: lint types security test ## Lint, types, bandit and tests

messages: setup ## Extract translatable strings into shiji/locale (needs GNU gettext)
	cd shiji && ../$(BIN)/python -m django makemessages -l zh_Hans -l ja -l en --ignore '*/tests/*' --settings=config.settings.test

translations: setup ## Compile the translation catalogues (.po → .mo) with Babel
	$(BIN)/shiji compiletranslations --force

lock: ## Re-pin requirements/constraints.txt from a fresh install of pyproject.toml
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock && .venv-lock/bin/pip install --quiet -e '.[dev,load]'
	{ head -2 requirements/constraints.txt; .venv-lock/bin/pip freeze --exclude-editable; } > requirements/constraints.new
	mv requirements/constraints.new requirements/constraints.txt && rm -rf .venv-lock

fuzz: setup ## Fuzz every API operation with schemathesis, 100 examples each (SHIJI_FUZZ_SEED=n: other inputs)
	SHIJI_FUZZ_EXAMPLES=$${SHIJI_FUZZ_EXAMPLES:-100} $(BIN)/pytest -q -p no:logging shiji/api/tests/test_fuzz.py $(PYTEST_ARGS)

CRASH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/shiji_crash
CRASH_REDIS_URL ?= redis://127.0.0.1:6379/7
crash: setup ## Crash safety: SIGKILL the server/worker at every named point × 10 seeds on PostgreSQL, recover, check
	DATABASE_URL=$(CRASH_DATABASE_URL) REDIS_URL=$(CRASH_REDIS_URL) SHIJI_CACHE_PREFIX=crash \
	  SHIJI_CRASH_POINTS=all SHIJI_CRASH_SEEDS=$${SHIJI_CRASH_SEEDS:-10} SHIJI_CRASH_RECOVERY=cli \
	  $(BIN)/pytest -q -p no:logging -s shiji/reliability $(PYTEST_ARGS)

load: setup ## Load figures: Locust against shiji serve on PostgreSQL + Redis db 8 (LOAD_ARGS="--users 50 --duration 120"), ~12 min
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e '.[load]'
	$(BIN)/python bench/load/run.py $(LOAD_ARGS)

clean: ## Remove the virtualenv and local data (./var)
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
