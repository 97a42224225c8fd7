"""The infrastructure against the runtime: environment variables, handler paths and settings."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from typing import Any

import pytest
from pydantic import BaseModel
from video_pipeline.logic.admission import Verdict, by_name_and_size
from video_pipeline.settings import CollectorSettings, ReadApiSettings, ReconcilerSettings, StarterSettings

from infra import LAMBDAS_DIR
from tests.infra.synth import Synthesized

pytestmark = pytest.mark.infra

SETTINGS_BY_HANDLER: dict[str, type[BaseModel]] = {
    "video_pipeline.handlers.starter.handler": StarterSettings,
    "video_pipeline.handlers.collector.handler": CollectorSettings,
    "video_pipeline.handlers.read_api.handler": ReadApiSettings,
    "video_pipeline.handlers.reconciler.handler": ReconcilerSettings,
}
# Read by Powertools itself (and observability.py) rather than by a settings model.
POWERTOOLS_VARIABLES = {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_LOG_LEVEL"}


def pipeline_functions(synth: Synthesized) -> dict[str, dict[str, Any]]:
    """Handler path -> function properties, for the functions running the runtime package."""
    return {
        body["Properties"]["Handler"]: body["Properties"]
        for body in synth.of_type("AWS::Lambda::Function").values()
        if body["Properties"].get("Handler", "").startswith("video_pipeline.")
    }


def aliases(model: type[BaseModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


def deployed_environment(properties: dict[str, Any]) -> dict[str, str]:
    """The function's environment with CloudFormation references replaced by plausible values."""
    environment = {}
    for name, value in properties["Environment"]["Variables"].items():
        if isinstance(value, str):
            environment[name] = value
        elif name.endswith("_ARN"):
            environment[name] = f"arn:aws:example:us-east-1:123456789012:{name.lower()}"
        else:
            environment[name] = f"deployed-{name.lower().replace('_', '-')}"
    return environment


def test_every_handler_in_the_template_is_known(synthesized: Synthesized) -> None:
    assert set(pipeline_functions(synthesized)) == set(SETTINGS_BY_HANDLER)


@pytest.mark.parametrize("handler", sorted(SETTINGS_BY_HANDLER))
def test_every_variable_the_handler_reads_is_set_on_its_function(synthesized: Synthesized, handler: str) -> None:
    variables = set(pipeline_functions(synthesized)[handler]["Environment"]["Variables"])
    # Fields with defaults too: the deployment states its choices instead of inheriting the code's.
    missing = (aliases(SETTINGS_BY_HANDLER[handler]) | POWERTOOLS_VARIABLES) - variables
    assert missing == set()


@pytest.mark.parametrize("fixture", ["synthesized", "variant"])
@pytest.mark.parametrize("handler", sorted(SETTINGS_BY_HANDLER))
def test_deployed_environment_satisfies_the_settings_model(
    fixture: str, handler: str, request: pytest.FixtureRequest
) -> None:
    synth: Synthesized = request.getfixturevalue(fixture)
    environment = deployed_environment(pipeline_functions(synth)[handler])
    settings = SETTINGS_BY_HANDLER[handler].model_validate(environment)
    # Every field the handler reads came from the deployed variables, none from a silent default.
    parsed = settings.model_dump(by_alias=True)
    assert set(parsed) <= set(environment), set(parsed) - set(environment)


def test_variables_point_at_the_right_resources(synthesized: Synthesized) -> None:
    pipeline = synthesized.stack.pipeline
    functions = pipeline_functions(synthesized)
    jobs = {"Ref": synthesized.logical_id(pipeline.tables.jobs)}
    starter = functions["video_pipeline.handlers.starter.handler"]["Environment"]["Variables"]
    collector = functions["video_pipeline.handlers.collector.handler"]["Environment"]["Variables"]
    assert starter["JOBS_TABLE_NAME"] == jobs
    assert starter["REKOGNITION_TOPIC_ARN"] == {"Ref": synthesized.logical_id(pipeline.notifications.topic)}
    assert starter["REKOGNITION_ROLE_ARN"] == {
        "Fn::GetAtt": [synthesized.logical_id(pipeline.notifications.role), "Arn"]
    }
    assert starter["ENABLED_ANALYSES"] == ",".join(pipeline.config.enabled_analyses)
    assert starter["FACE_ATTRIBUTES"] == pipeline.config.face_attributes
    assert collector["JOBS_TABLE_NAME"] == jobs
    assert collector["DETECTIONS_TABLE_NAME"] == {"Ref": synthesized.logical_id(pipeline.tables.detections)}


def test_every_handler_path_in_the_template_imports_to_a_callable(synthesized: Synthesized) -> None:
    functions = pipeline_functions(synthesized)
    missing = [handler for handler in functions if importlib.util.find_spec(_module_of(handler)) is None]
    # `video_pipeline` is installed from lambdas/, so find_spec looks where Lambda will: a function whose module is
    # missing would fail every invocation in AWS, so it fails here too.
    assert missing == [], f"the template names handler modules that do not exist: {missing}"
    failures = {
        handler: error for handler, properties in functions.items() if (error := _import_error(handler, properties))
    }
    assert failures == {}


def _module_of(handler: str) -> str:
    return handler.rpartition(".")[0]


def _import_error(handler: str, properties: dict[str, Any]) -> str | None:
    """Import the handler in a fresh interpreter with only the deployed environment.

    Handler modules read their settings at import, and this check must neither see nor leave behind
    another test's imports or environment.
    """
    module_name, _, attribute = handler.rpartition(".")
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith(("POWERTOOLS_", "AWS_"))},
        **deployed_environment(properties),
        "PYTHONPATH": str(LAMBDAS_DIR),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    check = (
        "import importlib, sys; "
        f"handler = getattr(importlib.import_module({module_name!r}), {attribute!r}); "
        "sys.exit(0 if callable(handler) else 3)"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], env=environment, capture_output=True, text=True, timeout=120, check=False
    )
    return None if result.returncode == 0 else result.stderr[-2000:] or f"exit code {result.returncode}"


def test_the_stacks_video_suffixes_reach_the_starter(variant: Synthesized) -> None:
    """The S3 filter and the starter's admission serve the same names: an added suffix is not notified
    and then ignored."""
    config = variant.stack.pipeline.config
    starter = pipeline_functions(variant)["video_pipeline.handlers.starter.handler"]
    settings = StarterSettings.from_environment(deployed_environment(starter))
    assert settings.video_suffixes == config.video_suffixes
    assert by_name_and_size(f"clip{config.video_suffixes[0]}", 1000, settings.video_suffixes).verdict is Verdict.ACCEPT
