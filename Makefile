# zwxx — two commands: `make demo` and `make test`.
#   make test       ruff check + ruff format --check + every test (tests/unit and tests/integration)
#   make test-fast  ruff check + tests/unit only (no servers, no subprocesses; under a minute)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast lint format clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "需要 Python 3.11 或更高版本（当前：$$($(PYTHON) --version)）"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/zwxx demo

# Everything: the unit layer and the integration layer (real Dovecot, LibreOffice, SMTP,
# PostgreSQL when ZWXX_TEST_POSTGRES_URL is set, the CLI in subprocesses).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python scripts/typecheck.py
	$(BIN)/pytest tests

# The unit layer only: no servers, no subprocesses; under a minute.
test-fast: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -q tests/unit

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
