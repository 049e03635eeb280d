# Commands for working on the template itself. `make test` is what CI runs.
PYTHON ?= python3
# jsii (behind aws-cdk-lib) prints an end-of-life banner on Node 20 otherwise.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION = 20
VENV ?= .venv
BIN := $(VENV)/bin
PROJECT := {{cookiecutter.project_slug}}
LINTED := hooks tests bench local_extensions.py new_project.py

OUTPUT ?= ..
# The same pins as the template tests use.
COOKIECUTTER := $(shell grep '^cookiecutter==' tests/requirements.txt)
UV := $(shell grep '^uv==' tests/requirements.txt)
# A default bake, for the generated project's locked dependencies.
LOCKED := build/locked/serverless-flask-site
# The generated projects' machinery, installed from its source here (editable), so
# its tests and the baked projects' suites run the template's copy. With pip: uv
# would read the Jinja-templated pyproject.toml above the kit as a workspace's.
KIT := $(PROJECT)/kit
KIT_DISTRIBUTION := serverless-flask-kit

.DEFAULT_GOAL := help
.PHONY: help project test lint bake bench lock clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

# pip only bootstraps uv; uv installs the rest (seconds instead of minutes for aws-cdk-lib).
$(VENV)/.cookiecutter:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "$(UV)"
	$(BIN)/uv pip install --quiet --python $(BIN)/python "$(COOKIECUTTER)"
	touch $@

$(VENV)/.installed: $(VENV)/.cookiecutter tests/requirements.txt tests/overrides.txt bench/requirements.txt $(PROJECT)/pyproject.toml $(PROJECT)/uv.lock $(KIT)/pyproject.toml
	rm -rf build/locked
	SERVERLESS_FLASK_SKIP_INSTALL=1 $(BIN)/cookiecutter --no-input --output-dir build/locked .
	$(BIN)/uv export --quiet --frozen --all-groups --no-emit-project --no-emit-package $(KIT_DISTRIBUTION) --no-hashes --project $(LOCKED) --output-file $(VENV)/project-lock.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode -r $(VENV)/project-lock.txt -r tests/requirements.txt --override tests/overrides.txt
	$(BIN)/python -m pip install --quiet --no-deps --editable $(KIT)
	touch $@

# Each answer is checked as it is given; answers are kept in build/answers.json
# (or ANSWERS=file, which also resumes from it) when generation fails.
project: $(VENV)/.cookiecutter ## Ask the questions and generate a project next to this clone (OUTPUT=dir for another folder)
	@$(BIN)/python new_project.py --output-dir "$(OUTPUT)" $(if $(ANSWERS),--answers "$(ANSWERS)")

test: lint ## Install the test environment, then bake projects and run their tests
	$(BIN)/python -m pytest

lint: $(VENV)/.installed ## Lint the template's own Python (hooks, tests, bench)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

bake: $(VENV)/.cookiecutter ## Bake a default project into ./build (no install)
	SERVERLESS_FLASK_SKIP_INSTALL=1 $(BIN)/cookiecutter --no-input --overwrite-if-exists --output-dir build .

bench: $(VENV)/.installed ## Benchmark the generated handler against the alternatives (BENCH_FLAGS=--quick)
	$(BIN)/python -m bench.run --json build/bench/results.json $(BENCH_FLAGS)

# The project's uv.lock holds its name: re-resolved in a default bake, then
# copied back with the name as a template variable.
lock: $(VENV)/.cookiecutter ## Re-resolve the generated project's uv.lock (UV_LOCK_FLAGS=--upgrade for the newest versions)
	rm -rf build/locked
	SERVERLESS_FLASK_SKIP_INSTALL=1 $(BIN)/cookiecutter --no-input --output-dir build/locked .
	$(BIN)/uv lock $(UV_LOCK_FLAGS) --project $(LOCKED)
	sed 's/^name = "serverless-flask-site"$$/name = "{{ cookiecutter.project_slug }}"/' $(LOCKED)/uv.lock > $(PROJECT)/uv.lock

clean: ## Remove .venv, build output and caches
	rm -rf $(VENV) build .pytest_cache .ruff_cache
