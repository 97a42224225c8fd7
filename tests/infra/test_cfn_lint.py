"""cfn-lint on the synthesized templates."""

from __future__ import annotations

import json

import pytest
from cfnlint.api import lint_all  # type: ignore[import-untyped]

from tests.infra.synth import Synthesized

pytestmark = pytest.mark.infra


@pytest.mark.parametrize("fixture", ["synthesized", "variant"])
def test_cfn_lint_finds_no_errors_or_warnings(fixture: str, request: pytest.FixtureRequest) -> None:
    synth: Synthesized = request.getfixturevalue(fixture)
    matches = lint_all(json.dumps(synth.template.to_json()))
    # Informational matches (I*) are style advice about CDK's own output, e.g. Fn::Join vs Fn::Sub.
    problems = [f"{match.rule.id} {match.path}: {match.message}" for match in matches if match.rule.id[0] in "EW"]
    assert problems == []
