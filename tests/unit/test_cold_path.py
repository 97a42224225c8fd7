"""What importing a handler loads and patches, in a fresh interpreter set up as Lambda runs it."""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

LAMBDAS = Path(__file__).resolve().parents[2] / "lambdas"
# Every module of the package but the observability the handlers share, the routers the read API
# includes and what they share (not entry points: importing `read_api` loads them): a new handler is covered too.
NOT_HANDLERS = {"observability", "face_routes", "export_routes", "media_routes", "read_api_shared"}
HANDLERS = tuple(
    sorted(
        module.name
        for module in pkgutil.iter_modules([str(LAMBDAS / "video_pipeline" / "handlers")])
        if module.name not in NOT_HANDLERS
    )
)
# Each is needed by a rare path only; importing it at module level puts it back on every cold start.
NOT_ON_THE_COLD_PATH = {
    "aws_lambda_powertools.event_handler.openapi.models": "the OpenAPI document (make openapi) only",
    "sqlite3": "no handler uses it; the Tracer's patch_all imported it to patch it",
    # Powertools' batch utility defines its parser models (~35 ms), for type hints only, when pydantic
    # is already loaded as it is imported: the handlers import it before anything imports pydantic.
    "aws_lambda_powertools.utilities.parser.models": "nothing: the handlers parse with their own models",
}


def cold_import(handler: str, *, in_lambda: bool = True) -> dict[str, Any]:
    """What one handler module's import loaded, patched and left of the garbage collector's state."""
    environment = {
        **{
            name: value
            for name, value in os.environ.items()
            if name not in ("POWERTOOLS_TRACE_DISABLED", "LAMBDA_TASK_ROOT")
        },
        "PYTHONPATH": str(LAMBDAS),
    }
    if in_lambda:
        # Set in every Lambda function: it turns Powertools' Tracer on.
        environment["LAMBDA_TASK_ROOT"] = str(LAMBDAS)
    code = (
        "import gc, json, sys\n"
        f"import video_pipeline.handlers.{handler}\n"
        "from aws_xray_sdk.core import patcher\n"
        "print(json.dumps({'modules': sorted(sys.modules), 'patched': sorted(patcher._PATCHED_MODULES),\n"
        "                  'gc_enabled': gc.isenabled(), 'frozen': gc.get_freeze_count()}))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True, timeout=60
    )
    loaded: dict[str, Any] = json.loads(completed.stdout.splitlines()[-1])
    return loaded


@pytest.mark.parametrize("handler", HANDLERS)
def test_the_tracer_patches_botocore_and_only_botocore(handler: str) -> None:
    # AWS SDK calls stay traced as subsegments; nothing else the handlers never call is imported to be patched.
    assert cold_import(handler)["patched"] == ["botocore"]


@pytest.mark.parametrize("handler", HANDLERS)
def test_modules_of_rare_paths_stay_off_the_cold_path(handler: str) -> None:
    loaded = set(cold_import(handler)["modules"])
    assert {module: why for module, why in NOT_ON_THE_COLD_PATH.items() if module in loaded} == {}


@pytest.mark.parametrize("handler", HANDLERS)
def test_in_lambda_what_loaded_is_frozen_and_the_collector_resumes(handler: str) -> None:
    after = cold_import(handler)
    assert after["gc_enabled"]
    assert after["frozen"] > 10_000


def test_outside_lambda_the_collector_is_left_alone() -> None:
    after = cold_import("reconciler", in_lambda=False)
    assert after["gc_enabled"]
    assert after["frozen"] == 0
