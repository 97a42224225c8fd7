"""Fault-injection runs of the whole pipeline in virtual time.

The real handlers, moto's S3/SQS/SNS/DynamoDB and the Rekognition fake, with one virtual clock for
SQS delays and visibility timeouts and for Rekognition's jobs, so hours of queueing (a thousand
uploads against a quota of 20) take seconds. On top of the pipeline's own behaviour a scenario can
inject duplicates at both queues, lost notifications, throttling and internal errors on Start*, Get*
and DynamoDB, collectors that run out of time mid-pagination, and poison input.

Use inside `moto.mock_aws()`; `Simulation.run()` returns the figures `benchmarks/reliability.py`
prints and `tests/reliability/` asserts.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import math
import os
import random
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Literal
from unittest import mock

import boto3
from botocore.awsrequest import AWSResponse
from moto.core.botocore_stubber import MockRawResponse
from moto.sqs import models as sqs_models
from video_pipeline.analyses import DEFAULT_ANALYSES
from video_pipeline.dal import clients
from video_pipeline.dal.queues import WAITS_ATTRIBUTE

from emulator import Clock, RekognitionVideoFake
from local.environment import ACCOUNT_ID, LocalPipeline, provision
from local.harness import PipelineHarness
from local.lambda_runtime import FakeLambdaContext, QueuePoller, forget_warm_state

THROTTLING = "ProvisionedThroughputExceededException"


class VirtualTime:
    """Seconds since the epoch, moved only by `advance`; patched into moto's SQS while active."""

    def __init__(self, start: float | None = None) -> None:
        self.now = time.time() if start is None else start
        self.started = self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    @property
    def elapsed(self) -> float:
        return self.now - self.started

    @contextlib.contextmanager
    def patched(self) -> Iterator[VirtualTime]:
        with (
            mock.patch.object(sqs_models, "unix_time", lambda *_: self.now),
            mock.patch.object(sqs_models, "unix_time_millis", lambda *_: self.now * 1000.0),
        ):
            yield self


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    uploads: int
    quota: int = 20
    job_seconds: float = 120.0
    detections: int = 30
    copies: int = 1  # deliveries of every S3 event and every notification
    lost_notifications: float = 0.0
    faults: tuple[tuple[str, str, int], ...] = ()  # (Rekognition operation, error code, times)
    dynamodb_throttling: float = 0.0  # share of DynamoDB writes answered with throttling
    collector_seconds: float | None = None  # time each collector invocation has (None: Lambda's 900)
    poison: bool = False
    reconcile_every: float = 600.0
    step: float = 1.0
    seed: int = 7
    max_virtual_hours: float = 48.0


@dataclass(slots=True)
class Figures:
    scenario: str
    uploads: int
    injected: str
    jobs: int = 0
    succeeded: int = 0
    lost: int = 0
    duplicated_jobs: int = 0
    duplicated_detections: int = 0
    max_in_flight: int = 0
    limit_exceeded: int = 0
    dead_letters: int = 0
    drain_seconds: float = 0.0
    ideal_seconds: float = 0.0
    poison_writes: int = 0
    reconciled: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def drain_ratio(self) -> float:
        return self.drain_seconds / self.ideal_seconds if self.ideal_seconds else 0.0


class DynamoDBFaults:
    """Throttles a share of the DynamoDB write attempts the handlers make, as an overloaded table would.

    Injected per HTTP attempt (botocore's `before-send`), so the SDK's own retries see the throttling
    exactly as they would see the service's answer, then the pipeline's retries.
    """

    WRITES = ("BatchWriteItem", "PutItem", "UpdateItem", "DeleteItem")

    def __init__(self, share: float, rng: random.Random) -> None:
        self._share = share
        self._rng = rng
        self.injected = 0

    def install(self, client: Any) -> None:
        for operation in self.WRITES:
            client.meta.events.register_first(f"before-send.dynamodb.{operation}", self._maybe_throttle)

    def _maybe_throttle(self, request: Any, **_: Any) -> AWSResponse | None:
        if self._rng.random() >= self._share:
            return None
        self.injected += 1
        body = json.dumps(
            {
                "__type": f"com.amazonaws.dynamodb.v20120810#{THROTTLING}",
                "message": "The level of configured provisioned throughput for the table was exceeded.",
            }
        ).encode()
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "throttled"}
        return AWSResponse(request.url, 400, headers, MockRawResponse(body))  # type: ignore[arg-type]


class DuplicatingPoller(QueuePoller):
    """Delivers every S3 event and notification `copies` times, as at-least-once delivery may: the
    first time such a message is received, its extra copies are put on the queue to arrive separately."""

    def __init__(self, queue_url: str, handler: Any, *, copies: int, **options: Any) -> None:
        super().__init__(queue_url, handler, **options)
        self._copies = copies
        self._copy_ids: set[str] = set()

    def _receive(self) -> list[dict[str, Any]]:
        messages = super()._receive()
        for message in messages:
            if self._copies > 1 and message["MessageId"] not in self._copy_ids and _first_receive(message):
                for _ in range(self._copies - 1):
                    copy = self._sqs.send_message(QueueUrl=self._queue_url, MessageBody=message["Body"])
                    self._copy_ids.add(copy["MessageId"])
        return messages


def _first_receive(message: dict[str, Any]) -> bool:
    """A message from S3 or SNS seen for the first time (the starter's own re-queued waits are not copied)."""
    fresh = str(message.get("Attributes", {}).get("ApproximateReceiveCount", "1")) == "1"
    return fresh and WAITS_ATTRIBUTE not in message.get("MessageAttributes", {})


class Simulation:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.time = VirtualTime()
        self.rng = random.Random(scenario.seed)

    def run(self) -> Figures:
        scenario = self.scenario
        with self.time.patched(), _quiet(), mock.patch.dict(os.environ, _standalone_environment()):
            resources = provision(prefix="sim")
            environment = resources.environment(job_quota=scenario.quota)
            environment["RECONCILE_AFTER_MINUTES"] = "0"
            loaded_before = {name for name in _HANDLERS if f"{_HANDLER_PACKAGE}.{name}" in sys.modules}
            try:
                with mock.patch.dict(os.environ, environment), mock.patch.object(time, "sleep", lambda _s: None):
                    handlers = _fresh_handlers()
                    fake = RekognitionVideoFake(concurrent_job_limit=scenario.quota, clock=Clock(lambda: self.time.now))
                    with fake.activate():
                        return self._drive(resources, fake, handlers)
            finally:
                _restore_handlers(loaded_before)

    def _drive(self, resources: LocalPipeline, fake: RekognitionVideoFake, handlers: dict[str, ModuleType]) -> Figures:
        scenario = self.scenario
        starter, collector, reconciler = handlers["starter"], handlers["collector"], handlers["reconciler"]
        harness = PipelineHarness(resources=resources, fake=fake, starter=starter, collector=collector)
        faults = DynamoDBFaults(scenario.dynamodb_throttling, self.rng)
        if scenario.dynamodb_throttling:
            faults.install(clients.dynamodb())
            faults.install(clients.dynamodb_resource().meta.client)
        for operation, code, times in scenario.faults:
            fake.inject_fault(operation, code, times=times)
        if scenario.lost_notifications:
            fake.drop_notifications(fraction=scenario.lost_notifications)
        pollers = self._pollers(resources, starter, collector)
        keys = [f"burst/{index:05d} odd name ü+%&#.mp4" for index in range(scenario.uploads)]
        for key in keys:
            fake.script(resources.bucket, key, detections=scenario.detections)
            harness.upload(key)
        poison = _inject_poison(resources) if scenario.poison else 0
        reconciled = self._loop(harness, fake, pollers, reconciler)
        figures = self._measure(harness, fake, keys, resources)
        figures.reconciled = reconciled
        if scenario.dynamodb_throttling:
            figures.notes.append(f"{faults.injected} DynamoDB writes throttled")
        if poison:
            figures.poison_writes = _poison_writes(harness, keys)
        return figures

    def _pollers(self, resources: LocalPipeline, starter: ModuleType, collector: ModuleType) -> list[QueuePoller]:
        copies = self.scenario.copies
        seconds = self.scenario.collector_seconds
        return [
            DuplicatingPoller(resources.starter_queue_url, starter.handler, copies=copies, region=resources.region),
            DuplicatingPoller(
                resources.results_queue_url,
                collector.handler,
                copies=copies,
                region=resources.region,
                batch_size=1,
                remaining_ms=int((seconds or 900.0) * 1000),
            ),
        ]

    def _loop(
        self,
        harness: PipelineHarness,
        fake: RekognitionVideoFake,
        pollers: list[QueuePoller],
        reconciler: ModuleType,
    ) -> int:
        """Deliver everything deliverable now; when nothing is, jump to the next event in virtual time."""
        scenario = self.scenario
        next_reconcile = self.time.now + scenario.reconcile_every
        reconciled = 0
        deadline = self.time.now + scenario.max_virtual_hours * 3600
        while self.time.now < deadline:
            visible = self._next_visible(harness)
            busy = sum(
                poller.poll_once(retry_failed_now=False)
                for poller, moment in zip(pollers, visible, strict=True)
                if moment <= self.time.now
            )
            due = [job.job_id for job in fake.jobs.values() if self._finishes_at(job) <= self.time.now]
            if due:
                fake.complete_jobs(due)
            if self.time.now >= next_reconcile:
                next_reconcile += scenario.reconcile_every
                reconciled += len(reconciler.handler({}, FakeLambdaContext())["requeued"])
            if busy or due:
                continue
            pending = min(*self._next_visible(harness), self._next_finish(fake))
            if pending == math.inf and self._settled(harness, fake):
                break
            self.time.advance(max(min(pending, next_reconcile) - self.time.now, scenario.step))
        return reconciled

    def _finishes_at(self, job: Any) -> float:
        return float(job.created_at) + self.scenario.job_seconds if job.status.value == "IN_PROGRESS" else math.inf

    def _next_finish(self, fake: RekognitionVideoFake) -> float:
        return min((self._finishes_at(job) for job in fake.jobs.values()), default=math.inf)

    def _next_visible(self, harness: PipelineHarness) -> list[float]:
        """Per queue (uploads, results), when its next message becomes receivable (moto's own state)."""
        backend = sqs_models.sqs_backends[ACCOUNT_ID][harness.resources.region]
        return [
            min(
                (
                    max(message.delayed_until, message.visible_at or 0.0) / 1000.0
                    for message in backend.queues[url.rsplit("/", 1)[1]]._messages
                ),
                default=math.inf,
            )
            for url in (harness.resources.starter_queue_url, harness.resources.results_queue_url)
        ]

    def _settled(self, harness: PipelineHarness, fake: RekognitionVideoFake) -> bool:
        if fake.in_progress_count:
            return False
        sqs = boto3.client("sqs", region_name=harness.resources.region)
        for url in (harness.resources.starter_queue_url, harness.resources.results_queue_url):
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(_QUEUE_COUNTS))["Attributes"]
            if any(int(value) for value in attributes.values()):
                return False
        return harness.unfinished_jobs() == 0

    def _measure(
        self, harness: PipelineHarness, fake: RekognitionVideoFake, keys: list[str], resources: LocalPipeline
    ) -> Figures:
        scenario = self.scenario
        figures = Figures(scenario.name, scenario.uploads, _injected(scenario))
        videos = {video.key: video for video in harness.all_videos()}
        starts = [call for call in fake.calls if call.operation.startswith("Start")]
        job_ids = {job.job_id for job in fake.jobs.values()}
        figures.jobs = len(job_ids)
        for key in keys:
            video = videos.get(key)
            if video is None:
                figures.lost += len(DEFAULT_ANALYSES)
                continue
            for name in DEFAULT_ANALYSES:
                job = video.jobs.get(name)
                if job is None or job.status.value != "SUCCEEDED" or job.job_id is None:
                    figures.lost += 1
                    continue
                figures.succeeded += 1
                stored = harness.stored_detections(job.job_id)
                figures.duplicated_detections += max(0, stored - job.detection_count)
                if job.detection_count != len(fake.results(job.job_id)) and name != "persons":
                    figures.lost += 1
        per_video_analysis = len(keys) * len(DEFAULT_ANALYSES)
        figures.duplicated_jobs = max(0, len(job_ids) - per_video_analysis)
        figures.max_in_flight = fake.max_in_progress
        figures.limit_exceeded = sum(1 for _op, code in fake.errors if code == "LimitExceededException")
        figures.dead_letters = harness.dead_letters()
        figures.drain_seconds = max((job.completed_at or 0) for job in fake.jobs.values()) - self.time.started
        figures.ideal_seconds = per_video_analysis * scenario.job_seconds / scenario.quota
        figures.notes.append(f"{len(starts)} Start* calls")
        return figures


_QUEUE_COUNTS: tuple[
    Literal[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"
    ],
    ...,
] = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
)


def _standalone_environment() -> dict[str, str]:
    """What Lambda and the test suite provide, for runs from a plain shell; set values win."""
    defaults = {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "simulation",
        "AWS_SECRET_ACCESS_KEY": "simulation",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_SERVICE_NAME": "rekognition-video-pipeline",
        "POWERTOOLS_METRICS_NAMESPACE": "RekognitionVideoPipeline",
        "POWERTOOLS_LOG_LEVEL": "ERROR",
    }
    return {name: os.environ.get(name, value) for name, value in defaults.items()}


_HANDLER_PACKAGE = "video_pipeline.handlers"
_HANDLERS = ("starter", "collector", "reconciler")


def _restore_handlers(loaded_before: set[str]) -> None:
    """Handler modules read their settings at import: give them back the caller's environment."""
    for name in _HANDLERS:
        module = f"{_HANDLER_PACKAGE}.{name}"
        if name in loaded_before:
            forget_warm_state(importlib.reload(sys.modules[module]))
        else:
            # Forget it entirely, or `from video_pipeline.handlers import x` would still find it on the package.
            sys.modules.pop(module, None)
            package = sys.modules.get(_HANDLER_PACKAGE)
            if package is not None and hasattr(package, name):
                delattr(package, name)


def _fresh_handlers() -> dict[str, ModuleType]:
    modules = {name: importlib.import_module(f"{_HANDLER_PACKAGE}.{name}") for name in _HANDLERS}
    for module in modules.values():
        # Settings are read at import: re-read them for this scenario's environment.
        importlib.reload(module)
    forget_warm_state(*modules.values())
    return modules


def _inject_poison(resources: LocalPipeline) -> int:
    """Malformed and forged messages at both queues, and a non-video upload."""
    sqs = boto3.client("sqs", region_name=resources.region)
    bodies_for_starter = ["not json", json.dumps({"Records": [{"eventName": "ObjectCreated:Put"}]}), "{}"]
    forged = {
        "JobId": "f" * 64,
        "Status": "SUCCEEDED",
        "API": "StartFaceDetection",
        "JobTag": "rvp:faces:" + "0" * 32,
        "Timestamp": 1,
        "Video": {"S3ObjectName": "forged.mp4", "S3Bucket": resources.bucket},
    }
    bodies_for_collector = ["<xml/>", json.dumps({"JobId": "x", "Status": "BOGUS"}), json.dumps(forged)]
    for body in bodies_for_starter:
        sqs.send_message(QueueUrl=resources.starter_queue_url, MessageBody=body)
    for body in bodies_for_collector:
        sqs.send_message(QueueUrl=resources.results_queue_url, MessageBody=body)
    boto3.client("s3", region_name=resources.region).put_object(
        Bucket=resources.bucket, Key="poison/readme.txt.mp4", Body=b"this is not a video"
    )
    return len(bodies_for_starter) + len(bodies_for_collector) + 1


def _poison_writes(harness: PipelineHarness, keys: list[str]) -> int:
    """Items written for anything but the scenario's uploads: the rejected non-video's record is expected."""
    known = set(keys) | {"poison/readme.txt.mp4"}
    return sum(1 for video in harness.all_videos() if video.key not in known) + harness.stored_detections("f" * 64)


def _injected(scenario: Scenario) -> str:
    parts = []
    if scenario.copies > 1:
        parts.append(f"every message x{scenario.copies}")
    if scenario.lost_notifications:
        parts.append(f"{scenario.lost_notifications:.0%} notifications lost")
    parts.extend(f"{code} x{times} on {operation}" for operation, code, times in scenario.faults)
    if scenario.dynamodb_throttling:
        parts.append(f"{scenario.dynamodb_throttling:.0%} DynamoDB writes throttled")
    if scenario.collector_seconds:
        parts.append(f"collector time limit {scenario.collector_seconds:.0f} s")
    if scenario.poison:
        parts.append("malformed, forged and non-video input")
    return "; ".join(parts) or "none"


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    # The handlers print CloudWatch EMF metrics and logs to stdout, as Lambda expects; keep figures readable.
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        yield
