# The pack's commands. `make report` and `make test` are the two a new user needs.
PERIOD  ?= 2020-Q4
PYTHON  ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.perfpack-installed
DEMO    := data/.demo-made
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: env demo report test test-fast lab bench validate check-notebooks clean help

help:
	@echo "make report   build the environment if needed, make the demo data if missing, run the pack for $(PERIOD)"
	@echo "make test     run the test suite"
	@echo "make lab      open JupyterLab on notebooks/ with the project kernel"
	@echo "make bench    run the benchmarks (prints a table)"

# The virtual environment, from pinned requirements, with pip alone; registers the kernel.
env: $(STAMP)
$(STAMP): requirements.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "perfpack needs Python 3.11; set PYTHON=/path/to/python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name perfpack --display-name "Python (perfpack)" >/dev/null
	touch $(STAMP)

# Demo data: made when missing or when the generator changes (never committed).
demo: $(DEMO)
$(DEMO): $(STAMP) lib/perfpack/sources/demo.py
	$(BIN)/perfpack demo-data --out data/demo
	touch $(DEMO)

report: $(STAMP) $(DEMO)
	$(BIN)/perfpack run --period $(PERIOD) --workers $(WORKERS)

validate: $(STAMP) $(DEMO)
	$(BIN)/perfpack validate --data data/demo

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not e2e and not browser"

lab: $(STAMP) $(DEMO)
	$(BIN)/jupyter lab --notebook-dir=notebooks

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

check-notebooks: $(STAMP)
	$(BIN)/nbstripout --verify notebooks/*.ipynb

clean:
	rm -rf outputs/*/ outputs/.build-* outputs/.old-* outputs/.*.lock data/demo data/.demo-made
