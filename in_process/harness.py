"""The whole pipeline in one process: moto resources, the Rekognition fake, and the two handlers
fed by their queues exactly as Lambda's SQS event source mappings feed them.

Use inside `moto.mock_aws()`, with functions built from `LocalPipeline.environment()` by
`in_process.functions.pipeline_functions`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
from boto3.dynamodb.conditions import Key
from video_pipeline.composition.collector import CollectorApp
from video_pipeline.composition.starter import StarterApp
from video_pipeline.dal.repository import PipelineRepository, VideoSummary
from video_pipeline.models import JobStatus
from video_pipeline.schema import STATUS_INDEX, WINDOW_SK_PREFIX

from emulator import RekognitionVideoFake
from emulator.jobs import JobProgress
from emulator.media import sample_video_bytes as emulator_sample_video_bytes
from in_process.environment import LocalPipeline
from in_process.functions import LocalFunction
from in_process.lambda_runtime import DeliveryStats, QueuePoller

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

# The smallest header Rekognition's container check (and ours) accepts as MP4.
MP4_SIGNATURE = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


ProgressCallback = Callable[[list[JobProgress]], None]


def sample_video_bytes(size: int = 4096) -> bytes:
    # A readable H.264 header (ftyp and moov, no media data), padded to `size`: the emulator, like the
    # service, fails the job of a file without one.
    header = emulator_sample_video_bytes()
    return emulator_sample_video_bytes(b"\x00" * max(0, size - len(header)))


@dataclass
class PipelineHarness:
    resources: LocalPipeline
    fake: RekognitionVideoFake
    starter: LocalFunction[StarterApp]
    collector: LocalFunction[CollectorApp]

    def __post_init__(self) -> None:
        region = self.resources.region
        self._s3 = boto3.client("s3", region_name=region)
        self._starter_poller = QueuePoller(self.resources.starter_queue_url, self.starter.handler, region=region)
        self._collector_poller = QueuePoller(
            self.resources.results_queue_url, self.collector.handler, region=region, batch_size=5
        )
        self.repository = PipelineRepository(*self.tables())

    def redeploy_starter(self, starter: LocalFunction[StarterApp]) -> None:
        """Run another starter from now on (a redeploy with other settings), fed by the same queue."""
        self.starter = starter
        region = self.resources.region
        self._starter_poller = QueuePoller(self.resources.starter_queue_url, starter.handler, region=region)

    def tables(self) -> tuple[Table, Table]:
        """The jobs and detections tables."""
        dynamodb = boto3.resource("dynamodb", region_name=self.resources.region)
        return dynamodb.Table(self.resources.jobs_table), dynamodb.Table(self.resources.detections_table)

    @property
    def starter_stats(self) -> DeliveryStats:
        return self._starter_poller.stats

    @property
    def collector_stats(self) -> DeliveryStats:
        return self._collector_poller.stats

    def all_videos(self) -> list[VideoSummary]:
        """Every video in the jobs table, newest first (all pages of access pattern 1)."""
        videos, cursor = [], None
        while True:
            page = self.repository.recent_videos(limit=100, cursor=cursor)
            videos.extend(page.items)
            if not (cursor := page.cursor):
                return videos

    def unfinished_jobs(self) -> int:
        jobs, _ = self.tables()
        return sum(
            int(
                jobs.query(
                    IndexName=STATUS_INDEX.name, KeyConditionExpression=Key("status").eq(status), Select="COUNT"
                )["Count"]
            )
            for status in (JobStatus.STARTING.value, JobStatus.IN_PROGRESS.value)
        )

    def stored_detections(self, job_id: str) -> int:
        """How many detections the job's packed window items hold (duplicates would show as more)."""
        client = boto3.client("dynamodb", region_name=self.resources.region)
        paginator = client.get_paginator("query")
        pages = paginator.paginate(
            TableName=self.resources.detections_table,
            KeyConditionExpression="pk = :job AND begins_with(sk, :window)",
            ExpressionAttributeValues={":job": {"S": job_id}, ":window": {"S": WINDOW_SK_PREFIX}},
            ProjectionExpression="n",
        )
        return sum(int(item["n"]["N"]) for page in pages for item in page["Items"])

    def dead_letters(self) -> int:
        """Messages parked in either dead-letter queue."""
        sqs = boto3.client("sqs", region_name=self.resources.region)
        return sum(
            int(
                sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
                    "ApproximateNumberOfMessages"
                ]
            )
            for url in (self.resources.starter_dead_letter_url, self.resources.results_dead_letter_url)
        )

    def upload(self, key: str, body: bytes | None = None) -> dict[str, Any]:
        """Put an object into the input bucket; S3 notifies the starter queue."""
        response = self._s3.put_object(
            Bucket=self.resources.bucket, Key=key, Body=sample_video_bytes() if body is None else body
        )
        return dict(response)

    def run_starter(self) -> DeliveryStats:
        return self._starter_poller.drain()

    def complete_jobs(self, on_progress: ProgressCallback | None = None) -> list[str]:
        """Finish the started jobs: at once in-process, or by waiting for the fake's worker pool."""
        if self.fake.pooled:
            return self.fake.wait_until_idle(on_progress=on_progress)
        return list(self.fake.complete_jobs())

    def run_collector(self) -> DeliveryStats:
        return self._collector_poller.drain()

    def run_until_idle(self, rounds: int = 10, on_progress: ProgressCallback | None = None) -> None:
        """Start jobs, let the fake finish them, collect results, until nothing is left to do."""
        for _ in range(rounds):
            self.run_starter()
            finished = self.complete_jobs(on_progress)
            self.run_collector()
            if not finished and self.fake.in_progress_count == 0:
                return
