"""The Powertools layer: the pinned release's, looked up at deploy time; a named version on request."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import pytest

from infra.constructs.pipeline_function import POWERTOOLS_LAYER_PARAMETER, POWERTOOLS_VERSION
from tests.infra.conftest import VARIANT
from tests.infra.synth import ROOT, Synthesized

pytestmark = pytest.mark.infra

_PIN = re.compile(r"^aws-lambda-powertools(\[[^\]]*\])?==(?P<version>\S+)$")
_SSM_STRING = "AWS::SSM::Parameter::Value<String>"


def pinned_in_pyproject() -> str:
    """The Powertools release the project's runtime dependencies (pyproject.toml) pin."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = [match["version"] for requirement in project["dependencies"] if (match := _PIN.match(requirement))]
    assert len(pins) == 1, pins
    return pins[0]


def layers(synth: Synthesized) -> list[Any]:
    """The layers of this project's functions (CDK's own deployment helpers bring theirs)."""
    return [
        body["Properties"].get("Layers")
        for body in synth.of_type("AWS::Lambda::Function").values()
        if body["Properties"]["Handler"].startswith("video_pipeline.")
    ]


def powertools_parameters(synth: Synthesized) -> dict[str, Any]:
    parameters: dict[str, Any] = synth.template.to_json().get("Parameters", {})
    return {name: body for name, body in parameters.items() if "/powertools/" in str(body.get("Default"))}


def test_the_layer_is_the_release_pyproject_pins() -> None:
    # Local runs and tests use pyproject.toml's pin; Lambda runs the layer. One version for both.
    assert pinned_in_pyproject() == POWERTOOLS_VERSION


def test_the_parameter_is_the_documented_one() -> None:
    # /aws/service/powertools/python/{architecture}/{runtime}/{release}, for x86_64 and python3.12.
    assert f"/aws/service/powertools/python/x86_64/python3.12/{pinned_in_pyproject()}" == POWERTOOLS_LAYER_PARAMETER


def test_every_function_gets_the_layer_from_the_ssm_parameter(synthesized: Synthesized) -> None:
    parameters = powertools_parameters(synthesized)
    assert list(parameters.values()) == [
        {"Type": _SSM_STRING, "Default": f"/aws/service/powertools/python/x86_64/python3.12/{pinned_in_pyproject()}"}
    ]
    (name,) = parameters
    # On update the CDK CLI passes a known stack parameter's previous value, not its new default:
    # only a parameter named after the release picks up a bump of POWERTOOLS_VERSION.
    assert pinned_in_pyproject().replace(".", "") in name
    found = layers(synthesized)
    assert len(found) == 4  # starter, collector, reconciler, the dashboard's reader
    assert all(layer == [{"Ref": name}] for layer in found)


def test_a_named_layer_version_overrides_the_parameter(variant: Synthesized) -> None:
    assert powertools_parameters(variant) == {}
    expected = [
        {
            "Fn::Join": [
                "",
                [
                    "arn:aws:lambda:",
                    {"Ref": "AWS::Region"},
                    f":017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:{VARIANT.powertools_layer_version}",
                ],
            ]
        }
    ]
    found = layers(variant)
    assert len(found) == 4
    assert all(layer == expected for layer in found)
