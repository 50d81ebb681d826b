# Shiji — one-command run and test. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help setup run test lint types check messages translations lock clean

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
	$(BIN)/pytest -q -p no:logging $(PYTEST_ARGS)

lint: setup ## ruff (lint + format check)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: setup ## mypy with django-stubs
	$(BIN)/mypy shiji config

check: lint types test ## Lint, types and tests

messages: setup ## Extract translatable strings into shiji/locale (needs GNU gettext)
	cd shiji && ../$(BIN)/python -m django makemessages -l zh_Hans -l ja -l en --ignore '*/tests/*' --settings=config.settings.test

translations: setup ## Compile the translation catalogues (.po → .mo) with Babel
	$(BIN)/shiji compiletranslations --force

lock: ## Re-pin requirements/constraints.txt from a fresh install of pyproject.toml
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock && .venv-lock/bin/pip install --quiet -e '.[dev]'
	{ head -2 requirements/constraints.txt; .venv-lock/bin/pip freeze --exclude-editable; } > requirements/constraints.new
	mv requirements/constraints.new requirements/constraints.txt && rm -rf .venv-lock

clean: ## Remove the virtualenv and local data (./var)
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
