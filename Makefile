# The pack's commands. `make report` and `make test` are the two a new user needs.
PERIOD  ?= 2020-Q4
PYTHON  ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.perfpack-installed
DEMO    := data/.demo-made
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)

LAB_PORT ?= 8888
LAB_BROWSER ?= yes

.PHONY: env demo report test test-fast lint lab bench validate check-notebooks clean help

help:  ## this list
	@awk 'BEGIN {FS = ":.*?## "} /^[a-z-]+:.*?## / {printf "  make %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo "  variables: PERIOD=$(PERIOD) WORKERS=$(WORKERS) LAB_PORT=$(LAB_PORT) LAB_BROWSER=$(LAB_BROWSER) PYTHON=$(PYTHON)"

# The virtual environment, from pinned requirements, with pip alone; registers the kernel.
env: $(STAMP)  ## build .venv from the pinned requirements (pip only) and register the kernel
$(STAMP): requirements.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "perfpack needs Python 3.11; set PYTHON=/path/to/python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name perfpack --display-name "Python (perfpack)" >/dev/null
	@# notebooks are committed without outputs whatever saved them: nbstripout as a git filter (ids kept)
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
	  git config filter.nbstripout.clean '"$(abspath $(BIN))/python" -m nbstripout --keep-id' && \
	  git config filter.nbstripout.smudge cat && \
	  git config diff.ipynb.textconv '"$(abspath $(BIN))/python" -m nbstripout --keep-id -t'; fi
	touch $(STAMP)

# Demo data: made when missing or when the generator changes (never committed).
demo: $(DEMO)  ## make the demo data (data/demo) if missing or out of date
$(DEMO): $(STAMP) $(wildcard lib/perfpack/sources/demo/*.py)
	$(BIN)/perfpack demo-data --out data/demo
	touch $(DEMO)

report: $(STAMP) $(DEMO)  ## build the environment if needed, make the demo data if missing, run the pack for PERIOD
	$(BIN)/perfpack run --period $(PERIOD) --workers $(WORKERS)

validate: $(STAMP) $(DEMO)  ## the data-quality report of the demo data
	$(BIN)/perfpack validate --data data/demo

test: $(STAMP)  ## the whole test suite (unit, integration, end to end)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

test-fast: $(STAMP)  ## the tests that do not run the whole pack or a browser
	$(BIN)/python -m pytest -q -m "not e2e and not browser"

lab: $(STAMP) $(DEMO)  ## JupyterLab on notebooks/ (LAB_PORT=8888, LAB_BROWSER=no for a server only)
	$(BIN)/jupyter lab --notebook-dir=notebooks --port=$(LAB_PORT) $(if $(filter no,$(LAB_BROWSER)),--no-browser,)

bench: $(STAMP)  ## the benchmarks (prints a table; several minutes)
	$(BIN)/python benchmarks/bench.py

check-notebooks: $(STAMP)  ## fail if a committed notebook carries outputs or execution counts
	$(BIN)/nbstripout --verify --keep-id notebooks/*.ipynb

lint: $(STAMP)  ## ruff and the import layers
	$(BIN)/ruff check lib tests benchmarks
	$(BIN)/ruff format --check lib tests benchmarks
	$(BIN)/lint-imports

clean:  ## remove outputs and the demo data (not .venv)
	rm -rf outputs/*/ outputs/.build-* outputs/.old-* outputs/.*.lock data/demo data/.demo-made
