# Two commands for a fresh Debian machine, as root: `make demo` and `make test`.
# Both install what they need first and can be run again safely.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PINS_VENV ?= .venv-odoo-pins
# Odoo 19 is found in ODOO_SRC/ODOO_PYTHON, an installed `odoo` package, or
# ODOO_HOME (src/ and venv/); `make demo` installs it into ODOO_HOME from
# ODOO_GIT at ODOO_REF when there is none (scripts/odoo-env.sh).
ODOO_SRC ?=
ODOO_PYTHON ?=
ODOO_HOME ?= /opt/odoo-19.0
ODOO_GIT ?= https://github.com/odoo/odoo.git
ODOO_REF ?= 19.0
ODOO_PORT ?= 8069
DEMO_SERVE ?= 1
export ODOO_SRC ODOO_PYTHON ODOO_HOME ODOO_GIT ODOO_REF ODOO_PORT DEMO_SERVE

VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PINS_STAMP := $(PINS_VENV)/.installed
# Each test tier writes its result line here; `make test` ends with them.
SUMMARY := $(VENV)/test-summary
# The versions Odoo 19 pins for Python 3.11 (its requirements.txt).
ODOO_PINS := lxml==4.9.3 python-stdnum==1.19 openpyxl==3.0.9 requests==2.31.0 urllib3==1.26.5

.PHONY: demo test system-deps lint test-engine test-pins test-odoo addon-readme bench clean

system-deps:
	@bash scripts/system-deps.sh

$(STAMP): pyproject.toml | system-deps
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -e '.[dev]'
	touch $@

# Odoo 19 pins these versions for Python 3.10/3.11 (lxml 4.9.3 has no wheel later).
PINS_PYTHON ?= $(shell for p in python3.11 python3.10 $(PYTHON); do \
	$$p -c 'import sys; sys.exit(sys.version_info[:2] not in ((3, 10), (3, 11)))' 2>/dev/null \
	&& { command -v $$p; break; }; done)

$(PINS_STAMP): pyproject.toml | system-deps
	$(PINS_PYTHON) -m venv $(PINS_VENV)
	$(PINS_VENV)/bin/python -m pip install --quiet $(ODOO_PINS) pytest trustme
	$(PINS_VENV)/bin/python -m pip install --quiet --no-deps -e .
	touch $@

demo: $(STAMP)
	@bash scripts/demo.sh "$(VPY)"

# Every tier wherever it can run; the last lines say what ran and what was skipped.
test: $(STAMP)
	@rm -rf $(SUMMARY) && mkdir -p $(SUMMARY)
	@$(MAKE) -k --no-print-directory lint test-engine test-pins test-odoo; rc=$$?; \
	echo; echo "== make test : résumé =="; \
	for tier in lint engine pins odoo; do \
		cat $(SUMMARY)/$$tier 2>/dev/null || echo "NOT RUN: $$tier"; done; exit $$rc

lint: $(STAMP)
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" bash scripts/tier.sh $(SUMMARY) lint \
		pre-commit run --all-files --show-diff-on-failure

test-engine: $(STAMP)
	@bash scripts/tier.sh $(SUMMARY) engine \
		$(VPY) -m pytest --cov=accrochage --cov-branch --cov-fail-under=90 -q

# The same engine tests on the library versions Odoo 19 runs with.
ifeq ($(PINS_PYTHON),)
test-pins:
	@mkdir -p $(SUMMARY)
	@echo "SKIPPED: tests aux versions d'Odoo 19 — il faut Python 3.10 ou 3.11." | tee $(SUMMARY)/pins
else
test-pins: $(PINS_STAMP)
	@bash scripts/tier.sh $(SUMMARY) pins $(PINS_VENV)/bin/python -m pytest -q -p no:cacheprovider
endif

# Runs wherever Odoo 19 is found; says plainly that it is skipped otherwise.
test-odoo: $(STAMP)
	@mkdir -p $(SUMMARY)
	@ODOO_TIER_SUMMARY=$(SUMMARY)/odoo bash scripts/odoo-tier.sh

# README.rst and static/description/index.html come from the readme/ fragments.
addon-readme: $(STAMP)
	$(VPY) scripts/gen_addon_readme.py accrochage_certificateur accrochage_certificateur_survey

bench: $(STAMP)
	$(VPY) bench/bench_build.py

clean:
	rm -rf $(VENV) $(PINS_VENV) .pytest_cache .coverage demo-output
