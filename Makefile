# Xiangban — two commands do everything on a fresh machine:
#   make run    set up, migrate, load the demo data (first time only) and serve http://127.0.0.1:5000
#   make test   set up and run the whole test suite (SQLite and PostgreSQL)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
SYSTEM_PACKAGES := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
	libjpeg62-turbo poppler-utils chromium
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint setup system-deps venv translations db-upgrade seed-demo bench-matching clean

run: setup db-upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --host $(HOST) --port $(PORT)

test: setup lint
	$(PY) -m pytest $(PYTEST_ARGS)

# Lint: ruff (settings in pyproject.toml); part of `make test`, so CI fails on it.
lint: venv
	$(VENV)/bin/ruff check app tests bench migrations

setup: system-deps venv translations

# System packages WeasyPrint, the Chinese font and the browser tests need (Debian).
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

translations: venv
	@$(VENV)/bin/pybabel compile -d translations

db-upgrade: venv
	$(FLASK) db upgrade

seed-demo: db-upgrade
	$(FLASK) seed-demo --if-empty

bench-matching: setup
	$(PY) bench/matching/bench.py

clean:
	rm -rf $(VENV) .pytest_cache

# Refresh the message catalogue after changing UI text (then translate new entries in translations/en).
i18n-update: venv
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ -o translations/messages.pot --no-location --sort-output .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations -l en --no-fuzzy-matching

# Supply chain: known vulnerabilities in the pinned packages (needs a vulnerability database
# reachable: PyPI's JSON API or OSV) and bandit over the code (also run by `make test`).
audit: venv
	$(VENV)/bin/pip-audit -r requirements.txt
	$(VENV)/bin/bandit -q -r app -ll
