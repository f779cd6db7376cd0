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
	$(NTMGIS) validate --brief --overwrite
	$(NTMGIS) build --overwrite
	$(NTMGIS) report --overwrite
	$(NTMGIS) map --overwrite
	$(NTMGIS) appendix --overwrite
	@echo
	@echo "Lớp giám sát / monitoring layers: $(CURDIR)/layers/monitoring.gpkg"
	@echo "Bản đồ web / web maps:           $(CURDIR)/maps/index.html"
	@echo "Phụ lục bản đồ / map appendix:   $(CURDIR)/maps/appendix/"
	@echo "Báo cáo / report:                $(CURDIR)/reports/plan_vs_actual.md"

test: $(STAMP) system-deps
	$(PY) -m ruff check ntmgis tests
	$(PY) -m pytest -n auto --dist loadfile

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) layers/monitoring.gpkg maps reports validation.csv
