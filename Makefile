# The two commands of the README: `make demo` (run the product on the bundled data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install demo test lint engines-up engines-down bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -e ".[test]"
	touch $@

demo: install
	$(BIN)/ror demo

test: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

engines-up: install
	$(BIN)/ror engines up

engines-down: install
	$(BIN)/ror engines down --all

clean: engines-down
	rm -rf .engines/instances
