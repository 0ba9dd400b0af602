# The two commands of the README:
#   make run   — install, migrate the embedded SQLite database, load the plan and demo data,
#                print the demo accounts and serve http://127.0.0.1:8000
#   make test  — install the test requirements, make sure PostgreSQL and Redis are up, run the
#                whole suite against them (this is what .ci/run calls)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# The test suite runs on PostgreSQL and Redis, whatever the shell has set.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/zjai
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test install install-dev services lint check clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	env -u DATABASE_URL -u CELERY_BROKER_URL $(PY) manage.py migrate --no-input
	env -u DATABASE_URL -u CELERY_BROKER_URL $(PY) manage.py load_action_plan
	env -u DATABASE_URL -u CELERY_BROKER_URL $(PY) manage.py seed_demo
	env -u DATABASE_URL -u CELERY_BROKER_URL $(PY) manage.py recompute_progress --sync
	env -u DATABASE_URL -u CELERY_BROKER_URL $(PY) manage.py runserver $(HOST):$(PORT)

services:
	@scripts/ensure-services

test: install-dev services
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_REDIS_URL) \
		$(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: install-dev
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
