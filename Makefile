# hrhub: the two commands are `make demo` and `make test`; both install what they need first.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV_BIN := .venv/bin
SIZE ?= 5000
WEEKS ?= 1

.PHONY: install manifest demo test test-resilience dev bench lint validate clean trust-report

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

install: $(UV)  ## create .venv from uv.lock and compile its bytecode (about 35 s fresh, under 1 s after)
	$(UV) sync --frozen --quiet --compile-bytecode

manifest: install  ## parse the dbt project so Dagster can load its assets
	cd dbt_project && ../$(VENV_BIN)/dbt parse --quiet --profiles-dir . --target-path target \
		--vars "$$(../$(VENV_BIN)/hrhub dbt-vars)"

demo: manifest  ## sample company -> sandbox -> the whole asset graph for the latest 4 weeks -> summary
	$(VENV_BIN)/hrhub demo

test: manifest  ## the suite, minus the multi-run resilience tests (make test-resilience)
	$(VENV_BIN)/pytest -n 2 --dist loadfile --durations=10 -m "not resilience"

test-resilience: manifest  ## weekly runs under 20% vendor faults, killed and re-run, with planted secrets (about 17 min)
	$(VENV_BIN)/pytest -n 2 --dist loadfile --durations=10 -m resilience

dev: manifest  ## the Dagster UI on the demo's instance (var/dagster_home), with the sandbox serving the sources
	$(VENV_BIN)/hrhub dev

bench: manifest  ## time each stage of the weekly run: make bench SIZE=5000 WEEKS=1
	$(VENV_BIN)/hrhub bench --employees $(SIZE) --weeks $(WEEKS)

trust-report: manifest  ## run every bad-input, fault, security, gate and freshness test: var/trust/report.md (FAST=1 skips slow)
	$(VENV_BIN)/hrhub trust-report $(if $(FAST),--fast,)

lint: install
	$(VENV_BIN)/ruff check . && $(VENV_BIN)/ruff format --check .

validate: manifest  ## dagster definitions validate
	$(VENV_BIN)/dagster definitions validate -w workspace.yaml

clean:
	rm -rf var dbt_project/target
