"""cfn-lint on the synthesized templates."""

from __future__ import annotations

import json

import pytest
from cfnlint.api import ManualArgs, lint  # type: ignore[import-untyped]
from cfnlint.helpers import REGIONS  # type: ignore[import-untyped]

from tests.infra.synth import Synthesized

pytestmark = pytest.mark.infra

# Every region of the commercial partition. The China and GovCloud partitions lack services the stack
# needs (Rekognition Video's stored-video APIs; Cognito hosted UI and CloudFront for the dashboard).
COMMERCIAL_REGIONS = [region for region in REGIONS if not region.startswith(("cn-", "us-gov-"))]


def lint_problems(synth: Synthesized) -> list[str]:
    """cfn-lint's errors and warnings about the template, in every commercial region."""
    args = ManualArgs(include_checks=["I"], include_experimental=True, regions=COMMERCIAL_REGIONS)
    matches = lint(json.dumps(synth.template.to_json()), config=args)
    # Informational matches (I*) are style advice about CDK's own output, e.g. Fn::Join vs Fn::Sub.
    return [f"{match.rule.id} {match.path}: {match.message}" for match in matches if match.rule.id[0] in "EW"]


# Face search's collection is in fewer regions than the rest; test_face_search_stack.py pins where.
_COLLECTION_MISSING_IN_REGION = "Resource type 'AWS::Rekognition::Collection' does not exist in"


@pytest.mark.parametrize("fixture", ["synthesized", "variant", "every_analysis"])
def test_cfn_lint_finds_no_errors_or_warnings(fixture: str, request: pytest.FixtureRequest) -> None:
    synth: Synthesized = request.getfixturevalue(fixture)
    assert [problem for problem in lint_problems(synth) if _COLLECTION_MISSING_IN_REGION not in problem] == []
