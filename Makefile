# Every target runs inside .venv, created on demand from the pinned requirements.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: install test lint typecheck test-unit test-integration test-e2e test-infra synth local dashboard openapi rebuild clean

$(BIN)/activate: requirements.txt requirements-dev.txt requirements-local.txt requirements-mot.txt requirements-dashboard.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(BIN)/activate

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

install: $(BIN)/activate node_modules/.package-lock.json

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy lambdas local emulator infra app.py

test-unit: install
	$(BIN)/pytest -m unit -q

test-integration: install
	$(BIN)/pytest -m integration -q

test-e2e: install
	$(BIN)/pytest -m e2e -q

test-infra: install
	$(BIN)/pytest -m infra -q

synth: install
	PATH="$(CURDIR)/$(BIN):$$PATH" npx cdk synth --quiet
	$(BIN)/cfn-lint cdk.out/*.template.json

## The one command that installs everything and runs every check and test tier.
test: lint typecheck
	$(BIN)/pytest -q
	$(MAKE) synth

## The pipeline end to end on this machine: moto + the Rekognition fake, no AWS account.
## ARGS goes through the environment, single-quoted for the shell, so `ARGS="my video.mp4"` stays one name.
local: install
	LOCAL_RUN_ARGS='$(subst ','\'',$(ARGS))' $(BIN)/python -m local.run

## The results dashboard and its read API on http://127.0.0.1:8000/, over tables the local pipeline fills.
dashboard: install
	$(BIN)/python -m local.dashboard $(ARGS)

## Regenerate docs/openapi.json from the read API's routes (a unit test checks it is current).
openapi: install
	$(BIN)/python -m local.openapi

## Rebuild detections from the results archive: make rebuild ARGS="--jobs-table T --detections-table D --archive-bucket B VIDEO_ID"
rebuild: install
	PYTHONPATH=lambdas $(BIN)/python -m video_pipeline.cli.rebuild $(ARGS)

clean:
	rm -rf $(VENV) node_modules cdk.out .mypy_cache .ruff_cache .pytest_cache test-artifacts
