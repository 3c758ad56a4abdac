# npp_db — the two commands: `make run` (set up and serve) and `make test` (set up and test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
UV ?= $(if $(wildcard $(BIN)/uv),$(BIN)/uv,uv)

# `make serve`: the production stack here (gunicorn, WhiteNoise, PostgreSQL, Redis); see scripts/serve.sh.
# `make loadtest`: 50 clients against it on 127.0.0.1, a fault run, results into BENCHMARKS.md.
.PHONY: serve loadtest run install install-prod install-test system-deps test test-sqlite test-postgres lint format migrations-check lock bench clean

# `make run` writes a local .env (DEBUG=1, a generated SECRET_KEY) that the settings read, so that every
# manage.py command works on this checkout as the README writes it. Production sets real environment
# variables (DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL) and has no .env.
run: .env install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_corpus --if-empty
	$(BIN)/python manage.py create_local_admin
	@echo "Serving http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

.env:
	@$(PYTHON) -c 'import secrets; print("# Written by make run for this development checkout (never for production).\nDEBUG=1\nSECRET_KEY=" + secrets.token_urlsafe(50))' > $@
	@echo "wrote .env: DEBUG=1 and a generated SECRET_KEY"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=24"

$(VENV)/.installed-base: requirements/base.lock | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements/base.lock
	touch $@

$(VENV)/.installed-test: requirements/test.lock | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements/test.lock
	touch $@ $(VENV)/.installed-base

$(VENV)/.installed-prod: requirements/prod.lock | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements/prod.lock
	touch $@ $(VENV)/.installed-base

install: $(VENV)/.installed-base
install-prod: $(VENV)/.installed-prod
install-test: $(VENV)/.installed-test

# Chromium and CJK fonts for the browser tests, PostgreSQL 15 server binaries for the second backend.
system-deps:
	scripts/system-deps.sh

test: install-test system-deps
	DEBUG=1 $(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/mypy
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	scripts/test-both-backends.sh

test-sqlite: install-test
	scripts/test-both-backends.sh sqlite

test-postgres: install-test system-deps
	scripts/test-both-backends.sh postgresql

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/mypy

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: install
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

# Regenerate the lock files after changing dependencies in pyproject.toml.
# Python 3.11 only, as pyproject.toml's requires-python says.
lock:
	$(UV) pip compile pyproject.toml --python-version 3.11 --generate-hashes -q -o requirements/base.lock
	$(UV) pip compile pyproject.toml --extra prod --python-version 3.11 --generate-hashes -q -o requirements/prod.lock
	$(UV) pip compile pyproject.toml --extra test --python-version 3.11 --generate-hashes -q -o requirements/test.lock

serve: install-prod system-deps
	scripts/serve.sh

loadtest: install-test system-deps
	scripts/loadtest.sh

# make bench [SIZES="10000 100000 1000000"]: writes BENCHMARKS.md (see README, Benchmarks).
SIZES ?= 10000 100000 1000000
bench: install-test
	scripts/bench.sh $(SIZES)

clean:
	rm -rf $(VENV) staticfiles test-artifacts var
