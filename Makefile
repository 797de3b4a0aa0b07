# Two entry points a fresh clone needs: `make demo` and `make test`. Each builds the
# virtualenv on first use (and again when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WORKSPACE ?= demo-workspace

.PHONY: demo test lint fmt docs clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The main job: the demo workspace (a fictional retailer's year, with planted effects), then
# what it holds. The dashboard joins it when the web app exists.
demo: $(BIN)/.installed
	$(BIN)/touchpoints demo $(WORKSPACE) --force
	$(BIN)/touchpoints quarantine list --workspace $(WORKSPACE)
	$(BIN)/touchpoints status --workspace $(WORKSPACE)
	$(BIN)/touchpoints index --workspace $(WORKSPACE)

test: lint
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

clean:
	rm -rf $(VENV) $(WORKSPACE) .pytest_cache .mypy_cache .ruff_cache
