# The two commands of the README:
#   make run   — install, migrate the embedded SQLite database, load the plan and demo data,
#                print the demo accounts and serve http://127.0.0.1:8000 (DEBUG=1)
#   make test  — install the test requirements, make sure PostgreSQL and Redis are up, run the
#                whole suite against them (this is what .ci/run calls)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# The test suite runs on PostgreSQL and Redis, whatever the shell has set. With pytest-xdist
# each of the TEST_WORKERS processes has a test database of its own (test_zjai_gw0, …) and a
# Redis database of its own, counted down from this one (15, 14, …: tests/settings.py).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/zjai
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
TEST_WORKERS ?= 2
# The development settings (DEBUG is off unless set) on the embedded SQLite database, eager Celery.
DEV := env -u DATABASE_URL -u CELERY_BROKER_URL DEBUG=1

.PHONY: run test install install-dev requirements services lint typecheck check clean messages chromium pdf-libs poppler

# requirements*.txt pin every package, direct or not, with its hashes: pip installs exactly
# those files or nothing. They are compiled from requirements*.in (`make requirements`).
$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet --require-hashes -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet --require-hashes -r requirements-dev.txt
	touch $@

# Recompile the pinned files after editing a .in file (pip-tools keeps the existing pins unless
# a .in file asks otherwise; `make requirements UPGRADE=--upgrade` takes the newest of all).
# Only PyPI's own files are hashed: pip's local configuration is left out.
PIP_COMPILE = env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null $(VENV)/bin/pip-compile --quiet \
	--generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links $(UPGRADE)
requirements: $(VENV)/.installed
	$(PIP) install --quiet pip-tools
	$(PIP_COMPILE) --output-file=requirements.txt requirements.in
	$(PIP_COMPILE) --output-file=requirements-dev.txt requirements-dev.in

install: $(VENV)/.installed messages pdf-libs
install-dev: $(VENV)/.installed-dev messages pdf-libs

# The Chinese catalogue, compiled from locale/zh_Hans/LC_MESSAGES/django.po (the .mo is not
# committed). compilemessages needs msgfmt, from Debian's gettext package.
messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq gettext)
	$(DEV) $(PY) manage.py compilemessages --ignore=.venv --verbosity 0

# The PDF report (WeasyPrint) needs Debian's Pango, and a CJK font for its Chinese text.
PDF_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk
pdf-libs:
	@dpkg -s $(PDF_DEBS) >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq $(PDF_DEBS))

# The PDF tests turn pages into images and text with poppler (pdftoppm, pdftotext, pdffonts).
poppler:
	@command -v pdftoppm >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq poppler-utils)

# The browser tests drive Debian's Chromium (tests/browser); CJK fonts for Chinese pages.
chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk)

# The setup's own output is kept short (warnings only); the demo accounts and the address to
# open are printed last, just before the server starts (var/demo-accounts.json keeps the
# passwords of this machine's demo accounts, readable by its owner only).
DEMO_ACCOUNTS := var/demo-accounts.json
run: install
	@echo "Preparing the database, the plans and the demo data…"
	$(DEV) LOG_LEVEL=WARNING $(PY) manage.py migrate --no-input --verbosity 0
	$(DEV) LOG_LEVEL=WARNING $(PY) manage.py load_action_plan --all
	# --recompute: progress at every quarter end since each plan's start too, for charts and trends
	$(DEV) LOG_LEVEL=WARNING $(PY) manage.py seed_demo --recompute --accounts-file $(DEMO_ACCOUNTS)
	# The public portal (/public/) shows the 2019–2022 plan's final edition from the start.
	$(DEV) LOG_LEVEL=WARNING $(PY) manage.py publish_edition --plan zj-ai-2019-2022 \
		--as-of 2022-12-31 --by admin --unless-published
	@$(DEV) $(PY) manage.py demo_accounts --accounts-file $(DEMO_ACCOUNTS) --url http://$(HOST):$(PORT)/
	$(DEV) $(PY) manage.py runserver $(HOST):$(PORT)

services:
	@scripts/ensure-services

# mypy first (the types), then the suite on TEST_WORKERS processes (pytest-xdist), with the 30
# slowest tests and the coverage of the apps (pyproject.toml, [tool.coverage]) printed after
# the results. The import contracts run inside the suite (tests/architecture).
test: install-dev services chromium poppler
	$(DEV) $(VENV)/bin/mypy
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_REDIS_URL) \
		$(PY) -m pytest -n $(TEST_WORKERS) --durations=30 \
		--cov --cov-report=term:skip-covered $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# mypy with the django-stubs and DRF plugins (pyproject.toml, [tool.mypy]), which import the
# settings: the development ones.
typecheck: install-dev
	$(DEV) $(VENV)/bin/mypy

check: install-dev
	$(DEV) $(PY) manage.py check
	$(DEV) $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 $(DEMO_ACCOUNTS) staticfiles .pytest_cache .coverage .mypy_cache
