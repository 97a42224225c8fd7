"""Shared test setup: no test may reach AWS, so credentials are fake and every client is a double."""

from __future__ import annotations

import os

from video_pipeline.contract import Env

# Before any handler module is imported: handlers parse their settings at import, as in Lambda.
_TEST_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "POWERTOOLS_TRACE_DISABLED": "1",
    "POWERTOOLS_SERVICE_NAME": "rekognition-video-pipeline",
    "POWERTOOLS_METRICS_NAMESPACE": "RekognitionVideoPipeline",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    Env.JOBS_TABLE: "local-jobs",
    Env.INPUT_BUCKETS: "local-videos",
    Env.DETECTIONS_TABLE: "local-detections",
    Env.TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:AmazonRekognition-local",
    Env.ROLE_ARN: "arn:aws:iam::123456789012:role/local-rekognition-publish",
    Env.UPLOADS_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/local-uploads",
    Env.RESULTS_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/local-results",
    Env.ARCHIVE_BUCKET: "local-results-archive",
    Env.JOB_QUOTA: "20",
    Env.RESULT_RETENTION_DAYS: "0",
    Env.RECONCILE_AFTER_MINUTES: "20",
}
for _name, _value in _TEST_ENVIRONMENT.items():
    os.environ[_name] = _value
os.environ.pop("AWS_PROFILE", None)


import pytest  # noqa: E402

_TIER_BY_DIRECTORY = {
    "unit": "unit",
    "integration": "integration",
    "e2e": "e2e",
    "infra": "infra",
    "emulator": "integration",
    "reliability": "integration",
}


_TIERS = frozenset(_TIER_BY_DIRECTORY.values())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each tier is a directory (or a module's marker); its marker lets `make test-unit` and friends pick
    it. `make test` runs the tiers, so a test in none of them would never run: it is refused here."""
    for item in items:
        parts = item.path.parts
        tier = next((_TIER_BY_DIRECTORY[part] for part in parts if part in _TIER_BY_DIRECTORY), None)
        if tier and not item.get_closest_marker(tier):
            item.add_marker(getattr(pytest.mark, tier))
        if not any(item.get_closest_marker(name) for name in _TIERS):
            raise pytest.UsageError(
                f"{item.nodeid} is in no test tier: put it under one of {sorted(_TIER_BY_DIRECTORY)}"
            )
