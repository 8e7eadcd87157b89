# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
# Development settings for every target here (the site itself defaults to production
# settings, DEBUG off: see README, "Settings").
export DEBUG ?= 1
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

# Test processes in parallel (pytest-xdist): one per core by default.
PYTEST_WORKERS ?= auto

.PHONY: run test test-fast lint format migrations-check install lock migrate seed bench bench-deps browser-deps clean

# Re-install only when the dependencies change. The exact versions come from the lock
# file (`make lock` writes it from pyproject.toml), so a fresh clone gets what CI got.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# After changing a dependency in pyproject.toml: pin its exact version (and its own
# dependencies') in requirements.lock, then commit both.
lock: install
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file requirements.lock pyproject.toml

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

# PORT reaches the settings too: SITE_URL (links in emails, .ics, feed) follows it.
run: seed
	PORT=$(PORT) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo --no-cache

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

# The whole suite: lint, missing migrations, then pytest (browser tests included
# when Chromium is installed: see `make browser-deps`).
test: lint migrations-check
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The inner loop: everything but the browser and the production-server tests.
test-fast: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --ignore=tests/browser \
		--ignore=tests/test_production.py $(PYTEST_ARGS)

# Debian's Chromium for the end-to-end tests (needs root or sudo).
browser-deps:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

# Benchmarks: in-process (benchmarks/run.py), then through gunicorn with production
# settings (benchmarks/http.py: wrk for the pages, httpx for the rush). SQLite by
# default, PostgreSQL with DATABASE_URL. `make bench-deps` installs wrk. Both parts always
# run; the exit status is non-zero when either missed a target.
bench: install
	$(BIN)/python -m benchmarks.run; in_process=$$?; \
	$(BIN)/python -m benchmarks.http; served=$$?; \
	exit $$((in_process || served))

bench-deps:
	command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .test-db.sqlite3*
