"""The fault-injection scenarios of docs/reliability.md, at two sizes: the figures and CI's."""

from __future__ import annotations

from simulation import Kill, Scenario


def scenarios(uploads: int, quota: int) -> list[Scenario]:
    """Every scenario for `uploads` videos (burst-sized) against a job quota of `quota`."""
    small = max(quota + quota // 2, uploads // 10)
    few = max(1, small // 4)
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
        Scenario("partial batch writes", uploads=small, quota=quota, detections=100, partial_writes=0.3),
        # Two pages per job, each in its own invocation: every job checkpoints and resumes once.
        Scenario(
            "collector out of time", uploads=max(1, small // 4), quota=quota, detections=1200, collector_seconds=30
        ),
        Scenario(
            "crashes",
            uploads=small,
            quota=quota,
            detections=300,
            kills=(
                Kill("starter", "after", "Start", every=3, times=small),  # between Start* and recording it
                Kill("starter", "before", "Start", every=5, times=small),  # mid-batch
                Kill("collector", "after", "BatchWriteItem", every=7, times=small),  # mid-page
            ),
        ),
        Scenario(
            "deletions during runs",
            uploads=small,
            quota=quota,
            detections=300,
            delete_while_running=few,
            delete_while_collecting=few,
        ),
        Scenario("late and forged removals", uploads=small, quota=quota, reuploads=few, forged_removals=few),
        Scenario("forged FAILED notices", uploads=small, quota=quota, forged_failures=small),
        # Another workload holds every slot of the account for three hours: uploads wait, none is dead-lettered.
        Scenario("quota held elsewhere", uploads=small, quota=quota, other_workload=(quota + 10, 3.0)),
        Scenario("poison input", uploads=small, quota=quota, poison=True),
        # A burst worth three times the day's budget (each upload: 3 jobs of the 10-minute sample), then a
        # redeploy that raises it: the rest waits, never failed nor dead-lettered, and starts after the raise.
        Scenario(
            "budget exceeded, then raised",
            uploads=small,
            quota=quota,
            daily_budget=str(30 * max(1, small // 3)),
            budget_raised=(str(30 * small * 2), 1.0),
        ),
    ]


FIGURES = {"uploads": 1000, "quota": 20}
CI = {"uploads": 12, "quota": 4}
