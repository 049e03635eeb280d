# Commands for working on the template itself. `make test` is what CI runs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PROJECT := {{cookiecutter.project_slug}}
LINTED := hooks tests local_extensions.py

.DEFAULT_GOAL := test
.PHONY: test lint bake clean

$(VENV)/.installed: tests/requirements.txt $(PROJECT)/requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r tests/requirements.txt
	touch $@

test: lint ## Install the test environment, then bake projects and run their tests
	$(BIN)/python -m pytest

lint: $(VENV)/.installed ## Lint the template's own Python (hooks, tests)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

bake: $(VENV)/.installed ## Bake a default project into ./build (no install)
	SERVERLESS_FLASK_SKIP_INSTALL=1 $(BIN)/cookiecutter --no-input --overwrite-if-exists --output-dir build .

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache
