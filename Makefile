# Red Lines: two commands on a fresh machine with Python >= 3.12 (on PATH or under pyenv).
#
#   make run    create .venv, install the project, run the baseline scenario (seed 1)
#   make test   create .venv, install the project with its test and dashboard extras, run pytest
#               (tests, and the doctests of sim/) with the coverage of sim/, and print the 15
#               slowest tests
#   make test-fast  everything not marked slow or browser, on two workers (about 90 s)
#   make lint   ruff check, ruff format --check, mypy sim, lint-imports (the layers contract in
#               pyproject.toml)
#   make dashboard  install the dashboard extra, serve the dashboard on 127.0.0.1:8501
#   make bench  every benchmark, one table against the targets (BENCH_ARGS=--quick: a smoke run)
#   make docs   regenerate scenarios/schema.json and scenarios/REFERENCE.md from
#               sim/scenario/schema.py
#
# Versions are pinned by constraints.txt (regenerate it with `make constraints` after changing
# dependencies). Installs are remembered by stamp files in .venv: they rerun only when
# pyproject.toml or constraints.txt change. PYTEST_ARGS adds pytest options, e.g.
# `make test PYTEST_ARGS='-x -k loader'`.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := test

VENV := .venv
PYTHON := $(VENV)/bin/python
PIP := $(PYTHON) -m pip --disable-pip-version-check
INSTALL_DEPS := pyproject.toml constraints.txt
PYTEST_ARGS ?=
BENCH_ARGS ?=
DASHBOARD_ARGS ?=

.PHONY: run test test-fast lint dashboard bench docs constraints clean

run: $(VENV)/.installed-run
	$(VENV)/bin/redlines run scenarios/baseline.yaml --seed 1

test: $(VENV)/.installed-test
	$(PYTHON) -m pytest --cov=sim --cov-report=term --durations=15 $(PYTEST_ARGS)

test-fast: $(VENV)/.installed-test
	$(PYTHON) -m pytest -m "not slow and not browser" -n 2 $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy sim
	$(VENV)/bin/lint-imports

dashboard: $(VENV)/.installed-dashboard
	$(VENV)/bin/redlines dashboard $(DASHBOARD_ARGS)

bench: $(VENV)/.installed-test
	$(PYTHON) -m benchmarks $(BENCH_ARGS)

docs: $(VENV)/.installed-run
	$(VENV)/bin/redlines schema > scenarios/schema.json
	$(PYTHON) scripts/scenario_reference.py

$(PYTHON):
	python=$$(scripts/find-python); \
	echo "creating $(VENV) with $$python"; \
	"$$python" -m venv $(VENV)

$(VENV)/.installed-run: $(INSTALL_DEPS) | $(PYTHON)
	$(PIP) install --progress-bar off -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dashboard: $(INSTALL_DEPS) | $(PYTHON)
	$(PIP) install --progress-bar off -c constraints.txt -e '.[dashboard]'
	touch $@ $(VENV)/.installed-run

$(VENV)/.installed-test: $(INSTALL_DEPS) | $(PYTHON)
	$(PIP) install --progress-bar off -c constraints.txt -e '.[test,dashboard]'
	touch $@ $(VENV)/.installed-run $(VENV)/.installed-dashboard

# Pin what the current .venv has (the project itself excluded).
constraints: | $(PYTHON)
	$(PIP) freeze --exclude-editable | grep -v -e '^#' -e '^redlines==' > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .import_linter_cache test-artefacts
