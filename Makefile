# The two commands: `make demo` and `make test`. Both bootstrap .venv themselves
# and are idempotent; the only prerequisite is python3 (3.10+) and a package index.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.skylift-installed
PYTEST_ARGS ?=

.PHONY: demo test lint typecheck coverage-runtime unit venv bench-deps clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install -q --disable-pip-version-check uv
	$(BIN)/uv pip install -q --python $(BIN)/python -e '.[dev,local]'
	@touch $@

venv: $(STAMP)

demo: $(STAMP)
	@$(BIN)/python scripts/demo.py

lint: $(STAMP)
	$(BIN)/ruff check src tests bench examples scripts
	$(BIN)/ruff format --check src tests bench examples scripts

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -m 'not slow' $(PYTEST_ARGS)

# The code packaged into every Lambda is held to full branch coverage by its own tests.
coverage-runtime: $(STAMP)
	$(BIN)/pytest -q -n 2 -p no:cacheprovider tests/unit/runtime --cov=skylift.runtime \
		--cov-branch --cov-report=term-missing:skip-covered --cov-fail-under=100

test: lint typecheck coverage-runtime
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

# The peers bench/ measures against (Zappa, apig-wsgi, Mangum, ...): `make bench-deps`,
# then run a script, e.g. `.venv/bin/python bench/adapters.py`.
bench-deps: $(STAMP)
	$(BIN)/uv pip install -q --python $(BIN)/python -e '.[dev,local,bench]'

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis dist build
