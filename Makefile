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

.PHONY: run test install install-dev services lint check clean messages chromium pdf-libs poppler

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed messages pdf-libs
install-dev: $(VENV)/.installed-dev messages pdf-libs

# The Chinese catalogue, compiled from locale/zh_Hans/LC_MESSAGES/django.po (the .mo is not
# committed). compilemessages needs msgfmt, from Debian's gettext package.
messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq gettext)
	env -u DATABASE_URL $(PY) manage.py compilemessages --ignore=.venv --verbosity 0

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

run: install
	env -u DATABASE_URL -u CELERY_BROKER_URL $(PY) manage.py migrate --no-input
	env -u DATABASE_URL -u CELERY_BROKER_URL $(PY) manage.py load_action_plan
	env -u DATABASE_URL -u CELERY_BROKER_URL $(PY) manage.py seed_demo
	# --history: every quarter end since the plan's start too, so charts and trends have a past
	env -u DATABASE_URL -u CELERY_BROKER_URL $(PY) manage.py recompute_progress --sync --history >/dev/null
	env -u DATABASE_URL -u CELERY_BROKER_URL $(PY) manage.py runserver $(HOST):$(PORT)

services:
	@scripts/ensure-services

test: install-dev services chromium poppler
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
