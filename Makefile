# Two commands for a fresh Debian machine, as root: `make demo` and `make test`.
# Both install what they need first and can be run again safely.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PINS_VENV ?= .venv-odoo-pins
# Odoo 19 (optional): a source tree, and the Python that has its requirements.
ODOO_SRC ?=
ODOO_PYTHON ?=
export ODOO_SRC ODOO_PYTHON

VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PINS_STAMP := $(PINS_VENV)/.installed
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

test: lint test-engine test-pins test-odoo

lint: $(STAMP)
	$(VENV)/bin/ruff check accrochage tests bench scripts accrochage_certificateur
	$(VENV)/bin/ruff format --check accrochage tests bench

test-engine: $(STAMP)
	$(VPY) -m pytest --cov=accrochage --cov-branch --cov-fail-under=90 -q

# The same engine tests on the library versions Odoo 19 runs with.
ifeq ($(PINS_PYTHON),)
test-pins:
	@echo "SKIPPED: tests avec les versions d'Odoo 19 — il faut Python 3.10 ou 3.11."
else
test-pins: $(PINS_STAMP)
	$(PINS_VENV)/bin/python -m pytest -q -p no:cacheprovider
endif

# Runs when Odoo 19 is importable; says plainly that it is skipped otherwise.
test-odoo: $(STAMP)
	@bash scripts/odoo-tier.sh test

# static/description/index.html is generated from the readme/ fragments
addon-readme: $(STAMP)
	$(VPY) -m pip install --quiet markdown
	$(VPY) scripts/gen_addon_index.py accrochage_certificateur

bench: $(STAMP)
	$(VPY) bench/bench_build.py

clean:
	rm -rf $(VENV) $(PINS_VENV) .pytest_cache .coverage demo-output
