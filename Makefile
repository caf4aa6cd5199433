# Two entry points, both doing their own set-up on a fresh machine:
#   make report   creates .venv, installs provenance (runtime dependencies, pure Python: quick),
#                 writes the seeds' report into reports/
#   make test     creates .venv, installs provenance with the dev tools and its compiled modules
#                 (plus LibreOffice where it can be installed), then ruff, mypy and the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUNTIME := $(VENV)/.runtime

.PHONY: report test lint tools bench clean

# The modules setup.py compiles (mypyc): editing one rebuilds them (until then their
# source runs, with a warning: provenance/_compiled.py).
COMPILED_SOURCES := $(shell sed -n 's/^    "\(provenance\/.*\.py\)",$$/\1/p' setup.py)

$(STAMP): pyproject.toml setup.py $(COMPILED_SOURCES)
	$(PYTHON) -c 'import sys; sys.exit("provenance needs Python 3.11+") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP) $(RUNTIME)

# The main job needs the runtime dependencies only: no dev tools, no C compiler run (the
# compiled modules are faster on large corpora, not on the seeds; `make test` builds them).
# A venv that `make test` made already has them.
$(RUNTIME): pyproject.toml setup.py
	$(PYTHON) -c 'import sys; sys.exit("provenance needs Python 3.11+") if sys.version_info < (3, 11) else None'
	@if [ $(STAMP) -nt pyproject.toml ] && [ $(STAMP) -nt setup.py ]; then touch $(RUNTIME); else \
		$(PYTHON) -m venv $(VENV) && \
		$(BIN)/python -m pip install --quiet --upgrade pip && \
		PROVENANCE_PURE=1 $(BIN)/python -m pip install --quiet -e . && \
		touch $(RUNTIME); fi

report: $(RUNTIME)
	$(BIN)/provenance analyze seeds/ --out reports/ --format md,json,xlsx

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# Programs the tests use that PyPI does not ship: LibreOffice, to open the workbook for real, and
# mermaid (npm), to parse the report's lineage graph as GitHub and GitLab do.
tools: $(STAMP)
	@./.ci/install-libreoffice
	@./.ci/install-mermaid

test: $(STAMP) lint tools
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .mypy_cache
	find provenance -name '*.so' -delete; rm -f provenance_native__mypyc*.so  # compiled modules (setup.py)
