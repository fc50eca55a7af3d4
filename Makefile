# Signaal: set-up, demo and tests. `make demo` and `make test` are the two README commands.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed

.PHONY: demo setup install messages lrs test test-fast docs-screenshots lint format serve serve-check clean

# Everything a fresh machine needs, then the demo on http://127.0.0.1:8000 (SQLite).
demo: setup
	DJANGO_DEBUG=1 $(MANAGE) migrate --noinput
	DJANGO_DEBUG=1 $(MANAGE) load_demo
	DJANGO_DEBUG=1 $(MANAGE) runserver 127.0.0.1:8000

setup: install messages

# A local production-like run (not a deployment): production settings (DEBUG off, JSON
# logs, hashed and compressed static files through whitenoise) under gunicorn on
# http://127.0.0.1:8000, against PostgreSQL on 127.0.0.1 (database `signaal`, created when
# missing). SECRET_KEY and the signing key are generated once under var/ unless set;
# background tasks run inline. `make serve DEMO=1` loads the demo data first.
SERVE_DB ?= signaal
SERVE_PGHOST ?= 127.0.0.1
SERVE_PGUSER ?= postgres
SERVE_ENV = DJANGO_SETTINGS_MODULE=cms.settings.production \
	DATABASE_URL=postgres://$(SERVE_PGUSER)@$(SERVE_PGHOST):5432/$(SERVE_DB) \
	SECRET_KEY="$${SECRET_KEY:-$$(cat var/serve-secret-key)}" \
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" \
	SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-0}" \
	TASKS_BACKEND="$${TASKS_BACKEND:-immediate}"

serve: setup
	@mkdir -p var
	@test -s var/serve-secret-key || $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > var/serve-secret-key
	@test -n "$$SIGNAAL_SIGNING_KEY" || test -s var/signing-key.pem || DJANGO_DEBUG=1 $(MANAGE) shell --no-imports -c "from certificates.keys import signing_key; signing_key()"
	@psql -h $(SERVE_PGHOST) -U $(SERVE_PGUSER) -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$(SERVE_DB)'" | grep -q 1 \
		|| createdb -h $(SERVE_PGHOST) -U $(SERVE_PGUSER) $(SERVE_DB)
	$(SERVE_ENV) $(MANAGE) migrate --noinput
	$(if $(DEMO),$(SERVE_ENV) DJANGO_DEBUG=1 DJANGO_SETTINGS_MODULE=cms.settings.dev $(MANAGE) load_demo,$(SERVE_ENV) $(MANAGE) shell --no-imports -c "from cms.services import ensure_site; ensure_site()")
	$(SERVE_ENV) $(MANAGE) collectstatic --noinput -v 0
	$(SERVE_ENV) GUNICORN_BIND="$${GUNICORN_BIND:-127.0.0.1:8000}" $(BIN)/gunicorn cms.wsgi

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

# Ralph (ralph-malph), the open-source learning record store the xAPI tests send to
# (tests/xapi/ralph.py), in a virtualenv of its own: its pinned dependencies (FastAPI,
# pydantic, ...) are not ours. Its OIDC module imports requests, which no extra brings.
LRS_VENV := .lrs-venv
LRS_STAMP := $(LRS_VENV)/.installed

lrs: $(LRS_STAMP)

$(LRS_STAMP): Makefile
	test -x $(LRS_VENV)/bin/python || $(PYTHON) -m venv $(LRS_VENV)
	$(LRS_VENV)/bin/python -m pip install --quiet "ralph-malph[cli,lrs]==5.1.0" "requests>=2,<3"
	touch $(LRS_STAMP)

# Compiled translations (.mo) are built, not committed.
messages: $(STAMP)
	DJANGO_DEBUG=1 $(MANAGE) compilemessages --ignore=.venv --ignore=node_modules --ignore=.lrs-venv -v 0

# Style, then the apps' dependency order (import-linter, pyproject.toml) and the same order
# for templates' {% load %} tags.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python tools/check_template_layers.py

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The whole test suite: lint, format check, unit, integration and browser tests, in
# TEST_WORKERS processes (pytest-xdist; each its own test database), printing the 20
# slowest tests and the branch coverage. The database: DATABASE_URL when set (CI), else
# PostgreSQL on 127.0.0.1:5432 when it answers, else SQLite, which skips the tests marked
# `postgresql` (tests/database_url.py says which it chose). PYTEST_ARGS adds options,
# e.g. PYTEST_ARGS="-n 0" for one process or PYTEST_ARGS=tests/courses for one folder.
TEST_WORKERS ?= 2
TEST_DATABASE = DATABASE_URL="$$($(BIN)/python -m tests.database_url)"

test: setup lrs lint
	@$(TEST_DATABASE) && export DATABASE_URL && \
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --durations=20 --cov --cov-report=term $(PYTEST_ARGS)

# The inner loop, a few minutes: no browser, no subprocesses, no fuzzing (markers e2e,
# subprocess, slow), keeping the test databases between runs (--reuse-db).
FAST_MARKERS = not e2e and not subprocess and not slow

test-fast: setup
	@$(TEST_DATABASE) && export DATABASE_URL && \
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --reuse-db -m "$(FAST_MARKERS)" --durations=10 $(PYTEST_ARGS)

# The screenshots in docs/lms-integration.md, made again: the browser test that makes (and
# checks) them, tests/e2e/test_lms_docs_screenshots.py, then its pictures copied into
# docs/images/lms/ (tools/docs_screenshots.py). `make test` leaves docs/ alone.
docs-screenshots: setup
	@$(TEST_DATABASE) && export DATABASE_URL && \
	$(BIN)/python tools/docs_screenshots.py $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) $(LRS_VENV) node_modules staticfiles db.sqlite3
