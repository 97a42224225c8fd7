"""cdk-nag AwsSolutions: no unacknowledged finding, and every acknowledgement narrow and reasoned."""

from __future__ import annotations

from typing import Any

import pytest

from tests.infra.synth import Synthesized

pytestmark = pytest.mark.infra

_DEPLOYMENT = "Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C"
_BASIC_EXECUTION = "arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"

# The complete list of acknowledged findings, by construct path below the stack. A new one must be
# added here on purpose, next to the reason in the code.
EXPECTED_ACKNOWLEDGEMENTS = {
    ("Pipeline/Starter/Function/Resource", "AwsSolutions-L1"),
    ("Pipeline/Collector/Function/Resource", "AwsSolutions-L1"),
    ("Pipeline/Starter/Role/DefaultPolicy/Resource", "AwsSolutions-IAM5[Resource::*]"),
    ("Pipeline/Collector/Role/DefaultPolicy/Resource", "AwsSolutions-IAM5[Resource::*]"),
    ("Pipeline/Starter/StartJobs/Resource", "AwsSolutions-IAM5[Resource::*]"),
    ("Pipeline/Collector/GetResults/Resource", "AwsSolutions-IAM5[Resource::*]"),
    ("Pipeline/Reconciler/Function/Resource", "AwsSolutions-L1"),
    ("Pipeline/Reconciler/Role/DefaultPolicy/Resource", "AwsSolutions-IAM5[Resource::*]"),
    ("Pipeline/Reconciler/PeekResults/Resource", "AwsSolutions-IAM5[Resource::*]"),
    # The results archive: pages of jobs whose ids are not known in advance, under one prefix.
    ("Pipeline/Starter/Role/DefaultPolicy/Resource", "AwsSolutions-IAM5[Resource::<{archive}.Arn>/results/*]"),
    ("Pipeline/Collector/Role/DefaultPolicy/Resource", "AwsSolutions-IAM5[Resource::<{archive}.Arn>/results/*]"),
    ("Pipeline/Starter/Role/DefaultPolicy/Resource", "AwsSolutions-IAM5[Resource::<{bucket}.Arn>/{prefix}*]"),
    # The backfill reads videos not known in advance, under the input prefix only.
    ("Pipeline/LibraryOperator/Role/DefaultPolicy/Resource", "AwsSolutions-IAM5[Resource::<{bucket}.Arn>/{prefix}*]"),
    ("Results/Api/Reader/Role/DefaultPolicy/Resource", "AwsSolutions-IAM5[Resource::<{bucket}.Arn>/{prefix}*]"),
    (
        "BucketNotificationsHandler050a0587b7544547bf325f094a3db834/Role/Resource",
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
    ),
    # The results dashboard: its read API function (like the pipeline's), the site and the user pool.
    ("Results/Api/Reader/Function/Resource", "AwsSolutions-L1"),
    ("Results/Api/Reader/Role/DefaultPolicy/Resource", "AwsSolutions-IAM5[Resource::*]"),
    *(("Results/Site/Distribution/Resource", f"AwsSolutions-CFR{n}") for n in (1, 2, 3, 4)),
    ("Results/Users/Pool/Resource", "AwsSolutions-COG8"),
    (_DEPLOYMENT + "/ServiceRole/Resource", "AwsSolutions-IAM4[Policy::" + _BASIC_EXECUTION + "]"),
    *(
        (_DEPLOYMENT + "/ServiceRole/DefaultPolicy/Resource", f"AwsSolutions-IAM5[{finding}]")
        for finding in (
            "Action::s3:GetBucket*",
            "Action::s3:GetObject*",
            "Action::s3:List*",
            "Action::s3:Abort*",
            "Action::s3:DeleteObject*",
            "Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*",
            "Resource::<{site_bucket}.Arn>/*",
            "Resource::*",
        )
    ),
    (_DEPLOYMENT + "/Resource", "AwsSolutions-L1"),
}


def acknowledgements(synth: Synthesized) -> set[tuple[str, str]]:
    found = set()
    for resource in synth.stack.node.find_all():
        metadata: dict[str, Any] = synth.resources.get(_logical_id(synth, resource), {}).get("Metadata", {})
        for rule in metadata.get("cdk_nag", {}).get("rules_to_suppress", []):
            assert len(rule["reason"]) > 40, rule  # a reason, not a placeholder
            found.add((resource.node.path.removeprefix(f"{synth.stack.node.id}/"), rule["id"]))
    return found


def _logical_id(synth: Synthesized, construct: Any) -> str:
    if not hasattr(construct, "cfn_resource_type"):
        return ""
    return str(synth.stack.resolve(synth.stack.get_logical_id(construct)))


@pytest.mark.parametrize("fixture", ["synthesized", "variant", "every_analysis"])
def test_cdk_nag_reports_no_unacknowledged_finding(fixture: str, request: pytest.FixtureRequest) -> None:
    synth: Synthesized = request.getfixturevalue(fixture)
    # Synthesis itself fails on a finding; the report says so too.
    assert synth.validation_report()["pluginReports"] == []


@pytest.mark.parametrize("fixture", ["synthesized", "variant", "every_analysis"])
def test_acknowledgements_are_exactly_the_reviewed_ones(fixture: str, request: pytest.FixtureRequest) -> None:
    synth: Synthesized = request.getfixturevalue(fixture)
    bucket = synth.logical_id(synth.stack.pipeline.input.bucket)
    prefix = synth.stack.pipeline.config.input_prefix
    site_bucket = synth.logical_id(synth.stack.results_dashboard.site.bucket)
    archive = synth.logical_id(synth.stack.pipeline.archive.bucket)
    expected = {
        (path, rule.format(bucket=bucket, prefix=prefix, site_bucket=site_bucket, archive=archive))
        for path, rule in EXPECTED_ACKNOWLEDGEMENTS
    }
    config = synth.stack.pipeline.config
    if "face_search" in config.enabled_analyses:
        expected |= reference_pictures_acknowledgements(bucket, config.reference_faces_prefix)
    assert acknowledgements(synth) == expected


def reference_pictures_acknowledgements(bucket: str, prefix: str) -> set[tuple[str, str]]:
    """With face search: IndexFaces reads the reference pictures with the caller's rights, so the read API
    and the operator role may read every object under their prefix (reviewed in face_collection.py)."""
    pictures = f"AwsSolutions-IAM5[Resource::<{bucket}.Arn>/{prefix}*]"
    return {
        ("Pipeline/LibraryOperator/Role/DefaultPolicy/Resource", pictures),
        ("Results/Api/Reader/Role/DefaultPolicy/Resource", pictures),
    }
