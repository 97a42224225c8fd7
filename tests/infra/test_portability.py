"""The reusable construct in someone else's app: no cdk.json, or feature flags set otherwise.

`RekognitionVideoPipeline` must not need this project's feature flags. Each host below builds it in
a plain stack, with cdk-nag AwsSolutions applied as app.py does, and synthesizes; the templates must
grant and protect exactly the same (policies compared statement by statement, since a flag only
regroups them).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack, Validations
from cdk_nag import AwsSolutionsChecks

from infra.pipeline import RekognitionVideoPipeline
from tests.infra.synth import as_list, cdk_context

pytestmark = pytest.mark.infra

_FLAG_PREFIX = "@aws-cdk"


def _contrary_flags() -> dict[str, Any]:
    """Every on/off feature flag of cdk.json the other way round: a host that chose differently."""
    return {
        key: not value
        for key, value in cdk_context().items()
        if key.startswith(_FLAG_PREFIX) and value in (True, False)
    }


HOSTS = {
    "bare": dict,  # App(): no context at all, as in a fresh `cdk init` app without cdk.json
    "project": cdk_context,
    "contrary": _contrary_flags,
}


def host_template(outdir: Path, context: dict[str, Any]) -> dict[str, Any]:
    app = App(context=context, outdir=str(outdir))
    stack = Stack(app, "Host")
    RekognitionVideoPipeline(stack, "Videos")
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, write_suppressions_to_cloud_formation=True))
    assembly = app.synth()  # raises on any unacknowledged cdk-nag finding
    report = json.loads((outdir / "validation-report.json").read_text())
    assert report["pluginReports"] == []
    template: dict[str, Any] = assembly.get_stack_by_name("Host").template
    return template


@pytest.fixture(scope="module")
def hosted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return {name: host_template(tmp_path_factory.mktemp(name), context()) for name, context in HOSTS.items()}


def test_cdk_json_has_flags_to_invert() -> None:
    # Otherwise "contrary" would quietly be the bare host again.
    assert len(_contrary_flags()) > 50


def test_every_bucket_disables_acls_without_the_flags(hosted: dict[str, dict[str, Any]]) -> None:
    resources = hosted["bare"]["Resources"]
    buckets = {name: body for name, body in resources.items() if body["Type"] == "AWS::S3::Bucket"}
    assert len(buckets) == 3  # uploads, their access logs, the results archive
    for bucket in buckets.values():
        properties = bucket["Properties"]
        assert properties["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
        assert "AccessControl" not in properties
        assert all(properties["PublicAccessBlockConfiguration"].values())
        assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
            "ServerSideEncryptionByDefault"
        ] == {"SSEAlgorithm": "AES256"}


def test_access_logs_are_delivered_by_bucket_policy(hosted: dict[str, dict[str, Any]]) -> None:
    resources = hosted["bare"]["Resources"]
    logged = {
        name: body["Properties"]["LoggingConfiguration"]
        for name, body in resources.items()
        if body["Type"] == "AWS::S3::Bucket" and "LoggingConfiguration" in body["Properties"]
    }
    assert len(logged) == 2  # the uploads and the archive
    grants = [
        statement
        for body in resources.values()
        if body["Type"] == "AWS::S3::BucketPolicy"
        for statement in body["Properties"]["PolicyDocument"]["Statement"]
        if statement.get("Principal") == {"Service": "logging.s3.amazonaws.com"}
    ]
    # One grant per source bucket: only it, from this account, only under its own prefix.
    assert len(grants) == len(logged)
    for name, logging in logged.items():
        target = logging["DestinationBucketName"]["Ref"]
        assert {
            "Action": "s3:PutObject",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": [target, "Arn"]}, f"/{logging['LogFilePrefix']}*"]]},
            "Condition": {
                "ArnLike": {"aws:SourceArn": {"Fn::GetAtt": [name, "Arn"]}},
                "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
            },
        } in grants


@pytest.mark.parametrize("host", [name for name in HOSTS if name != "project"])
def test_the_flags_change_nothing_that_matters(hosted: dict[str, dict[str, Any]], host: str) -> None:
    project, other = normalized(hosted["project"]), normalized(hosted[host])
    assert sorted(other["Resources"]) == sorted(project["Resources"])
    for name, body in project["Resources"].items():
        assert other["Resources"][name] == body, name
    assert other == project


def normalized(template: dict[str, Any]) -> dict[str, Any]:
    """The template with each policy document as the set of its single grants.

    `@aws-cdk/aws-iam:minimizePolicies` merges and reorders statements; what they allow is unchanged.
    """
    copy: dict[str, Any] = json.loads(json.dumps(template))
    for body in copy["Resources"].values():
        for key in ("PolicyDocument", "AssumeRolePolicyDocument"):
            document = body.get("Properties", {}).get(key)
            if document:
                document["Statement"] = _single_grants(document["Statement"])
    return copy


def _single_grants(statements: list[dict[str, Any]]) -> list[str]:
    grants = set()
    for statement in statements:
        rest = {key: value for key, value in statement.items() if key not in ("Action", "Resource", "Principal")}
        principal = statement.get("Principal")
        principals: list[Any] = [None]
        if isinstance(principal, dict):
            principals = [{kind: one} for kind, value in principal.items() for one in as_list(value)]
        elif principal is not None:
            principals = [principal]
        for action, resource, one in itertools.product(
            as_list(statement.get("Action")), as_list(statement.get("Resource")), principals
        ):
            grants.add(json.dumps({**rest, "Action": action, "Resource": resource, "Principal": one}, sort_keys=True))
    return sorted(grants)
