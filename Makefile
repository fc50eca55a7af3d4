# Signaal: set-up, demo and tests. `make demo` and `make test` are the two README commands.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed

.PHONY: demo setup install messages test lint format serve-check clean

# Everything a fresh machine needs, then the demo on http://127.0.0.1:8000 (SQLite).
demo: setup
	DJANGO_DEBUG=1 $(MANAGE) migrate --noinput
	DJANGO_DEBUG=1 $(MANAGE) load_demo
	DJANGO_DEBUG=1 $(MANAGE) runserver 127.0.0.1:8000

setup: install messages

# Python packages in a virtualenv and front-end packages from npm; redone when the
# declarations change.
install: $(STAMP) node_modules/.package-lock.json

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

# Compiled translations (.mo) are built, not committed.
messages: $(STAMP)
	DJANGO_DEBUG=1 $(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The whole test suite: lint, format check, unit, integration and browser tests.
# DATABASE_URL selects the database (CI: PostgreSQL); the default is SQLite.
test: setup lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3
