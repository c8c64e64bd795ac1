# Branch Desk: `make run` serves the app with demo data, `make test` runs the whole suite.
# Both install what is missing (Debian packages, the venv, compiled catalogues)
# and are quick when nothing is.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
APT_PACKAGES := python3 python3-venv python3-dev build-essential chromium fonts-noto-cjk \
	libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils postgresql-client
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard webapp/translations/*/LC_MESSAGES/messages.po))
# The static files under content-hashed names with .br/.gz copies (webapp/core/static_files.py).
STATIC_BUILD := build/static.json
STATIC_SOURCES := $(shell find static -type f)
PORT ?= 8000
# The suite runs in this many processes, a test file in one (`make test TEST_PROCESSES=1`
# for one process).
TEST_PROCESSES ?= 2

export FLASK_APP := wsgi

.PHONY: run test system lint translations-update bench

run: system $(VENV)/.installed $(CATALOGUES) $(STATIC_BUILD)
	$(VENV)/bin/flask serve --port $(PORT)

test: system $(VENV)/.installed $(CATALOGUES) $(STATIC_BUILD)
	$(VENV)/bin/pytest -n $(TEST_PROCESSES) --dist loadfile $(PYTEST_ARGS)

# Style, then the import layers of docs/architecture.md ([tool.importlinter] in pyproject.toml).
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# Installs only the Debian packages that are missing.
system:
	@missing=$$(for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

# The app builds it too when it starts and finds it out of date.
$(STATIC_BUILD): $(STATIC_SOURCES) webapp/core/static_files.py $(VENV)/.installed
	$(VENV)/bin/flask static build
	touch $@

%.mo: %.po $(VENV)/.installed
	$(VENV)/bin/pybabel compile -i $< -o $@

# After changing UI strings: refresh the template and the catalogues, then translate.
translations-update: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location \
		--ignore-dirs '.* __pycache__' --sort-output -o webapp/translations/messages.pot .
	$(VENV)/bin/pybabel update -i webapp/translations/messages.pot -d webapp/translations \
		--no-fuzzy-matching
