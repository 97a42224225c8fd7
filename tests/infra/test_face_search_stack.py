"""Face search in the stack: its collection only where it is enabled, the collection's id to the starter
and the reference-face tools, and IAM scoped to the collection and the reference pictures, cdk-nag clean."""

from __future__ import annotations

from typing import Any

import pytest
from video_pipeline.contract import Env

from infra.config import PipelineConfig
from tests.infra.synth import Synthesized, as_list, synthesize
from tests.infra.test_cfn_lint import lint_problems
from tests.infra.test_nag import EXPECTED_ACKNOWLEDGEMENTS, acknowledgements, reference_pictures_acknowledgements
from tests.infra.test_stack import arn_of, function_policy_statements, rekognition_actions

pytestmark = pytest.mark.infra

COLLECTION_TYPE = "AWS::Rekognition::Collection"
MANAGE = {"rekognition:IndexFaces", "rekognition:ListFaces", "rekognition:DeleteFaces"}
# Face search alone: the starter's only Start* is the collection-scoped one.
FACE_SEARCH_ONLY = PipelineConfig(
    enabled_analyses=("face_search",),
    reference_faces_prefix="people/",
    input_prefix="videos/",
    analysis_options='{"face_search": {"FaceMatchThreshold": 95}}',
)


@pytest.fixture(scope="module")
def face_search(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return synthesize(tmp_path_factory.mktemp("face-search"), config=FACE_SEARCH_ONLY, nag=True)


def collection(synth: Synthesized) -> tuple[str, dict[str, Any]]:
    ((logical_id, body),) = synth.of_type(COLLECTION_TYPE).items()
    return logical_id, body["Properties"]


def variables(synth: Synthesized, function: Any) -> dict[str, Any]:
    properties = synth.resources[synth.logical_id(function)]["Properties"]
    return dict(properties["Environment"]["Variables"])


def role_statements(synth: Synthesized, role: Any) -> list[dict[str, Any]]:
    return function_policy_statements(synth, type("Holder", (), {"role": role})())


def test_the_collection_exists_only_where_face_search_is_enabled(
    face_search: Synthesized, synthesized: Synthesized
) -> None:
    assert synthesized.of_type(COLLECTION_TYPE) == {}
    assert synthesized.stack.pipeline.faces is None
    _logical_id, properties = collection(face_search)
    assert properties["CollectionId"] == face_search.stack.pipeline.faces.collection_id
    outputs = face_search.template.to_json()["Outputs"]
    assert outputs["FaceCollectionId"]["Value"] == properties["CollectionId"]


def test_the_starter_searches_the_collection_by_its_id_and_may_start_face_search_on_it_alone(
    face_search: Synthesized,
) -> None:
    logical_id, properties = collection(face_search)
    starter = face_search.stack.pipeline.starter
    environment = variables(face_search, starter.function)
    assert environment[Env.FACE_COLLECTION_ID] == properties["CollectionId"]
    assert environment[Env.ENABLED_ANALYSES] == "face_search"
    assert rekognition_actions(face_search, starter) == {"rekognition:StartFaceSearch"}
    (search,) = [
        statement
        for statement in function_policy_statements(face_search, starter)
        if "rekognition:StartFaceSearch" in as_list(statement["Action"])
    ]
    assert as_list(search["Resource"]) == [arn_of(logical_id)]
    collector = face_search.stack.pipeline.collector
    assert rekognition_actions(face_search, collector) == {"rekognition:GetFaceSearch"}


@pytest.mark.parametrize("who", ["operator", "read API"])
def test_the_reference_face_tools_manage_the_collection_and_read_only_the_reference_pictures(
    face_search: Synthesized, who: str
) -> None:
    logical_id, _properties = collection(face_search)
    pipeline = face_search.stack.pipeline
    reader = face_search.stack.results_dashboard.api.reader
    role = pipeline.operator.role if who == "operator" else reader.role
    found = role_statements(face_search, role)
    managing = [statement for statement in found if MANAGE & set(as_list(statement["Action"]))]
    assert [set(as_list(statement["Action"])) for statement in managing] == [MANAGE]
    assert as_list(managing[0]["Resource"]) == [arn_of(logical_id)]
    bucket = face_search.logical_id(pipeline.input.bucket)
    pictures = {"Fn::Join": ["", [arn_of(bucket), "/people/*"]]}
    assert any(
        as_list(statement["Action"]) == ["s3:GetObject"] and as_list(statement["Resource"]) == [pictures]
        for statement in found
    )
    if who == "read API":
        environment = variables(face_search, reader.function)
        assert environment[Env.FACE_COLLECTION_ID] == pipeline.faces.collection_id
        assert environment[Env.REFERENCE_FACES_PREFIX] == "people/"


def test_cdk_nag_is_clean_and_only_the_reference_pictures_wildcard_is_newly_acknowledged(
    face_search: Synthesized,
) -> None:
    assert face_search.validation_report()["pluginReports"] == []
    pipeline = face_search.stack.pipeline
    names = {
        "bucket": face_search.logical_id(pipeline.input.bucket),
        "prefix": pipeline.config.input_prefix,
        "site_bucket": face_search.logical_id(face_search.stack.results_dashboard.site.bucket),
        "archive": face_search.logical_id(pipeline.archive.bucket),
    }
    expected = {(path, rule.format(**names)) for path, rule in EXPECTED_ACKNOWLEDGEMENTS}
    # Face search alone: no Start* without resource-level permissions, so no wildcard policy for them.
    expected.discard(("Pipeline/Starter/StartJobs/Resource", "AwsSolutions-IAM5[Resource::*]"))
    expected |= reference_pictures_acknowledgements(names["bucket"], "people/")
    assert acknowledgements(face_search) == expected


def test_cfn_lint_finds_nothing_but_the_regions_without_rekognition_collections(face_search: Synthesized) -> None:
    """Rekognition is in fewer regions than the rest of the stack: face search deploys where CloudFormation
    has its collections (docs/deploy.md); everything else lints clean in every commercial region."""
    unavailable = f"E3006 ['Resources', '{collection(face_search)[0]}', 'Type']: Resource type '{COLLECTION_TYPE}'"
    problems = lint_problems(face_search)
    assert [problem for problem in problems if not problem.startswith(unavailable)] == []
    regions_without = {problem.rsplit(" ", 1)[-1].strip("'") for problem in problems}
    assert regions_without.isdisjoint({"us-east-1", "us-west-2", "eu-west-1", "ap-northeast-1"})


@pytest.mark.parametrize("prefix", ["people", "/people/"])
def test_a_reference_prefix_that_is_not_a_folder_is_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="reference_faces_prefix"):
        PipelineConfig(enabled_analyses=("face_search",), reference_faces_prefix=prefix)
