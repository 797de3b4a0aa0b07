# Two entry points a fresh clone needs: `make demo` and `make test`. Each builds the
# virtualenv on first use (and again when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WORKSPACE ?= demo-workspace

.PHONY: demo test lint fmt docs clean browser screenshots

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The main job: the demo workspace (a fictional retailer's year, with planted effects), what
# it holds, then its dashboard at http://127.0.0.1:8000/ with a login made for it (Ctrl-C
# stops the server; the workspace stays).
demo: $(BIN)/.installed
	$(BIN)/touchpoints demo $(WORKSPACE) --force --no-serve
	$(BIN)/touchpoints quarantine list --workspace $(WORKSPACE)
	$(BIN)/touchpoints status --workspace $(WORKSPACE)
	$(BIN)/touchpoints index --workspace $(WORKSPACE)
	$(BIN)/touchpoints user add demo --role admin --generate-password --workspace $(WORKSPACE)
	$(BIN)/touchpoints serve --workspace $(WORKSPACE)

# Debian's chromium and Noto CJK for the browser tests (tests/web/test_browser.py): installed
# when missing and run as root, as in CI; elsewhere those tests are skipped without chromium.
browser:
	scripts/browser.sh

test: lint browser
	$(BIN)/pytest -q

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests docs $(wildcard benchmarks)
	$(BIN)/ruff format --check src tests docs $(wildcard benchmarks)
	$(BIN)/mypy src
	$(BIN)/lint-imports --no-cache
	$(BIN)/cog --check docs/reference.md

fmt: $(BIN)/.installed
	$(BIN)/ruff check --fix src tests docs $(wildcard benchmarks)
	$(BIN)/ruff format src tests docs $(wildcard benchmarks)

# The pages generated from the code (docs/reference.md); `make lint` checks they are current.
docs: $(BIN)/.installed
	$(BIN)/cog -r docs/reference.md

# The screenshots of docs/web.md, taken by the browser tests from their demo.
screenshots: $(BIN)/.installed browser
	TOUCHPOINTS_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/web/test_browser.py -k loads

clean:
	rm -rf $(VENV) $(WORKSPACE) .pytest_cache .mypy_cache .ruff_cache
