# `make demo` builds the sample workspace; `make test` runs the tests.
# Each creates and uses a local virtual environment (.venv) by itself.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
NTMGIS := $(VENV)/bin/ntmgis
STAMP := $(VENV)/.installed

.PHONY: demo test lint system-deps bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

system-deps:
	bash scripts/install-system-deps.sh

demo: $(STAMP)
	$(NTMGIS) validate --overwrite
	$(NTMGIS) build --overwrite
	$(NTMGIS) report --overwrite
	@if $(NTMGIS) map --help >/dev/null 2>&1; then $(NTMGIS) map --overwrite; fi
	@if $(NTMGIS) appendix --help >/dev/null 2>&1; then $(NTMGIS) appendix --overwrite; fi

test: $(STAMP) system-deps
	$(PY) -m ruff check ntmgis tests
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) layers/monitoring.gpkg maps reports validation.csv
