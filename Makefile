# ModelSnapper: `make run` serves the app with demo data; `make test` runs the whole suite
# (as CI does); `make test-fast` skips the browser journeys and the slow tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Test processes (pytest-xdist); each starts its own database server. The CI machine has 2 cores.
TEST_WORKERS ?= 2

.PHONY: run test test-fast lint format bench system-deps check clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

run: $(BIN)/.installed
	PORT=$(PORT) $(BIN)/python -m modelsnapper.devrun

# Chromium (browser journeys) and Redis (worker integration tests) come from Debian.
system-deps:
	@bash scripts/system-deps.sh

test: $(BIN)/.installed system-deps
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

# The quick loop while developing: no Chromium, no real workers or subprocess-started servers.
test-fast: $(BIN)/.installed
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile -m "not browser and not slow"

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: $(BIN)/.installed
	DEBUG=true $(BIN)/python manage.py check
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

bench: $(BIN)/.installed
	@for script in benchmarks/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
