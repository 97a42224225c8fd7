"""The fault-injection scenarios of docs/reliability.md, at two sizes: the figures and CI's."""

from __future__ import annotations

from local.simulation import Scenario


def scenarios(uploads: int, quota: int) -> list[Scenario]:
    """Every scenario for `uploads` videos (burst-sized) against a job quota of `quota`."""
    small = max(quota * 2, uploads // 10)
    return [
        Scenario("burst", uploads=uploads, quota=quota),
        Scenario("duplicates", uploads=small, quota=quota, copies=3),
        Scenario("lost notifications", uploads=small, quota=quota, lost_notifications=0.25),
        Scenario(
            "Rekognition errors",
            uploads=small,
            quota=quota,
            faults=(
                ("StartFaceDetection", "ThrottlingException", 12),
                ("StartCelebrityRecognition", "LimitExceededException", 8),
                ("StartLabelDetection", "InternalServerError", 6),
                ("GetFaceDetection", "ThrottlingException", 6),
                ("GetCelebrityRecognition", "InternalServerError", 6),
                ("GetLabelDetection", "ProvisionedThroughputExceededException", 6),
            ),
        ),
        Scenario("DynamoDB throttling", uploads=small, quota=quota, dynamodb_throttling=0.1),
        # Two pages per job, each in its own invocation: every job checkpoints and resumes once.
        Scenario(
            "collector out of time", uploads=max(quota, small // 2), quota=quota, detections=1200, collector_seconds=30
        ),
        Scenario("poison input", uploads=small, quota=quota, poison=True),
    ]


FIGURES = {"uploads": 1000, "quota": 20}
CI = {"uploads": 12, "quota": 4}
