# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_OUT := demo-out

.PHONY: install demo test lint bench-extract clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The demo needs zhclean's runtime dependencies only, not the dev extra (Ray, mypy, the
# test libraries); a .venv that `make install` made has them too.
RUNTIME_STAMP := $(VENV)/.installed-runtime
$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $(RUNTIME_STAMP)

demo: $(RUNTIME_STAMP)
	$(BIN)/python -m zhclean.demo $(DEMO_OUT)
	$(BIN)/zhclean report $(DEMO_OUT)/cleaned -o $(DEMO_OUT)/report.html

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

bench-extract: install
	$(BIN)/python benchmarks/throughput.py ../shared/data/crawl/dev-crawl.warc.gz

clean:
	rm -rf $(DEMO_OUT) .pytest_cache build dist
