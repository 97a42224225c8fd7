"""What importing a handler loads and patches, in a fresh interpreter set up as Lambda runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

LAMBDAS = Path(__file__).resolve().parents[2] / "lambdas"
HANDLERS = ("starter", "collector", "read_api", "reconciler")
# Each is needed by a rare path only; importing it at module level puts it back on every cold start.
NOT_ON_THE_COLD_PATH = {
    "aws_lambda_powertools.event_handler.openapi.models": "the OpenAPI document (make openapi) only",
    "sqlite3": "no handler uses it; the Tracer's patch_all imported it to patch it",
    # Powertools' batch utility defines its parser models (~35 ms), for type hints only, when pydantic
    # is already loaded as it is imported: the handlers import it before anything imports pydantic.
    "aws_lambda_powertools.utilities.parser.models": "nothing: the handlers parse with their own models",
}


def cold_import(handler: str) -> dict[str, list[str]]:
    """Modules loaded and libraries the X-Ray SDK patched after importing one handler module."""
    environment = {
        **{name: value for name, value in os.environ.items() if name != "POWERTOOLS_TRACE_DISABLED"},
        # Set in every Lambda function: it turns Powertools' Tracer on.
        "LAMBDA_TASK_ROOT": str(LAMBDAS),
        "PYTHONPATH": str(LAMBDAS),
    }
    code = (
        "import json, sys\n"
        f"import video_pipeline.handlers.{handler}\n"
        "from aws_xray_sdk.core import patcher\n"
        "print(json.dumps({'modules': sorted(sys.modules), 'patched': sorted(patcher._PATCHED_MODULES)}))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True, timeout=60
    )
    loaded: dict[str, list[str]] = json.loads(completed.stdout.splitlines()[-1])
    return loaded


@pytest.mark.parametrize("handler", HANDLERS)
def test_the_tracer_patches_botocore_and_only_botocore(handler: str) -> None:
    # AWS SDK calls stay traced as subsegments; nothing else the handlers never call is imported to be patched.
    assert cold_import(handler)["patched"] == ["botocore"]


@pytest.mark.parametrize("handler", HANDLERS)
def test_modules_of_rare_paths_stay_off_the_cold_path(handler: str) -> None:
    loaded = set(cold_import(handler)["modules"])
    assert {module: why for module, why in NOT_ON_THE_COLD_PATH.items() if module in loaded} == {}
