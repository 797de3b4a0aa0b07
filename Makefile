# Two entry points a fresh clone needs: `make demo` and `make test`. Each builds the
# virtualenv on first use (and again when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WORKSPACE ?= demo-workspace

.PHONY: demo test lint fmt bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/touchpoints init $(WORKSPACE) --force
	$(BIN)/touchpoints ingest examples/responses.csv --kind responses --workspace $(WORKSPACE)
	$(BIN)/touchpoints status --workspace $(WORKSPACE)

test: $(BIN)/.installed
	$(BIN)/pytest -q

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src

fmt: $(BIN)/.installed
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

clean:
	rm -rf $(VENV) $(WORKSPACE) .pytest_cache .mypy_cache .ruff_cache
