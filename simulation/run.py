"""The driver: event sources, Rekognition's job completions, the reconciler's schedule and the
scenario's timed faults, all on one virtual clock, with the handlers' invocations interleaved."""

from __future__ import annotations

import contextlib
import heapq
import io
import itertools
import json
import math
import os
import random
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import boto3
from video_pipeline.composition import Clients
from video_pipeline.contract import TOTAL, Env, parse_budget
from video_pipeline.logic.budget import video_minutes
from video_pipeline.logic.media_duration import duration_ms

from emulator import Clock, RekognitionVideoFake
from in_process.environment import LocalPipeline, provision
from in_process.functions import LocalFunction, collector_function, reconciler_function, starter_function
from in_process.harness import PipelineHarness, sample_video_bytes
from simulation import deployed
from simulation.calls import CallLog, switching
from simulation.clock import VirtualTime
from simulation.faults import DynamoDBFaults, inject_poison, poison_writes
from simulation.measure import Expectations, measure
from simulation.s3_events import S3Events
from simulation.scenario import Figures, Scenario
from simulation.scheduler import Invocation, Scheduler
from simulation.sources import Environments, QueueSource, context_for

OTHER_WORKLOAD_BUCKET = "another-workload"


class Simulation:
    def __init__(self, scenario: Scenario, progress: Callable[[str], None] | None = None) -> None:
        self.scenario = scenario
        self.progress = progress
        self.time = VirtualTime()
        self.rng = random.Random(scenario.seed)
        self.scheduler = Scheduler(self.time, random.Random(scenario.seed + 1))
        self.calls = CallLog(
            kills=scenario.kills,
            partial_writes=scenario.partial_writes,
            rng=random.Random(scenario.seed + 2),
            clock=lambda: self.time.now,
        )
        self._completions: list[tuple[float, int, str, bool]] = []  # (when, order, job id, the pipeline's)
        self._actions: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self._known_jobs: set[str] = set()
        self._start_times: list[float] = []
        self.budget_raised_at = math.inf
        self.in_flight = 0
        self.max_in_flight = 0
        self.hogged_until = 0.0
        self.expect = Expectations()

    # -- set-up -------------------------------------------------------------------------------

    def run(self) -> Figures:
        scenario = self.scenario
        random.seed(scenario.seed)  # the handlers' jitter (pacing) draws from the module RNG
        with contextlib.ExitStack() as stack:
            stack.enter_context(self.time.patched())
            stack.enter_context(_quiet())
            stack.enter_context(mock.patch.dict(os.environ, _standalone_environment()))
            resources = provision(prefix="sim")
            _deployed_queues(resources)
            environment = resources.environment(job_quota=scenario.quota)
            environment[Env.RECONCILE_AFTER_MINUTES] = str(scenario.reconcile_after_minutes)
            environment[Env.DAILY_BUDGET_MINUTES] = scenario.daily_budget
            stack.enter_context(self.time.everywhere(self.scheduler.sleep))
            # One set of clients, as every execution environment of one account and region would reach;
            # each environment builds its own collaborators on them (see `_sources`).
            self.environment, self.clients = environment, Clients.new()
            handlers: dict[str, LocalFunction[Any]] = {
                "starter": starter_function(environment, self.clients),
                "collector": collector_function(environment, self.clients),
                "reconciler": reconciler_function(environment, self.clients),
            }
            limit = scenario.quota + scenario.observer_headroom
            fake = RekognitionVideoFake(concurrent_job_limit=limit, clock=Clock(lambda: self.time.now))
            stack.enter_context(fake.activate())
            self.s3_events = stack.enter_context(
                S3Events(resources.starter_queue_url.rsplit("/", 1)[1], resources.region, lambda: self.time.now).active(
                    resources.bucket
                )
            )
            stack.enter_context(switching(self.scheduler, self.calls))
            try:
                return self._drive(resources, fake, handlers)
            finally:
                self._stop_invocations()

    def _drive(
        self, resources: LocalPipeline, fake: RekognitionVideoFake, handlers: dict[str, LocalFunction[Any]]
    ) -> Figures:
        scenario = self.scenario
        self.resources, self.fake = resources, fake
        harness = PipelineHarness(
            resources=resources, fake=fake, starter=handlers["starter"], collector=handlers["collector"]
        )
        throttling = DynamoDBFaults(scenario.dynamodb_throttling, self.rng)
        if scenario.dynamodb_throttling:
            throttling.install(self.clients.dynamodb)
            throttling.install(self.clients.dynamodb_resource.meta.client)
        for operation, code, times in scenario.faults:
            fake.inject_fault(operation, code, times=times)
        if scenario.lost_notifications:
            fake.drop_notifications(fraction=scenario.lost_notifications)
        self.calls.on_call.append(self._observe)
        self._hold_slots_for_another_workload()
        s3 = boto3.client("s3", region_name=resources.region)
        keys = [f"burst/{index:05d} odd name ü+%&#.mp4" for index in range(scenario.uploads)]
        self.expect.keys = list(keys)
        victims = self.rng.sample(
            keys, min(len(keys), scenario.delete_while_running + scenario.delete_while_collecting)
        )
        self.expect.delete_running = set(victims[: scenario.delete_while_running])
        self.expect.delete_collecting = set(victims[scenario.delete_while_running :])
        survivors = [key for key in keys if key not in victims]
        self.expect.forged = set(self.rng.sample(survivors, min(len(survivors), scenario.forged_removals)))
        for key in keys:
            fake.script(resources.bucket, key, detections=scenario.detections)
            harness.upload(key)
        for index in range(scenario.reuploads):
            self._reupload(s3, f"again/{index:03d}.mp4")
        poison = inject_poison(resources) if scenario.poison else 0
        sources = self._sources(resources, handlers)
        self._schedule_budget_raise(sources[0])
        self._loop(sources, handlers["reconciler"], harness)
        figures = measure(scenario, harness, fake, self.expect, self.time.started)
        figures.reconciled = self.reconciled
        figures.max_in_flight = self.max_in_flight
        figures.pipeline_limit_exceeded = self._pipeline_limit_exceeded()
        figures.invocations = len(self.scheduler.finished)
        figures.killed = sum(1 for invocation in self.scheduler.finished if invocation.killed)
        figures.interleaved = self.scheduler.interleaved
        self._measure_budget(figures)
        figures.max_concurrent = {source.function: source.max_running for source in sources}
        if scenario.dynamodb_throttling:
            figures.notes.append(f"{throttling.injected} DynamoDB writes throttled")
        if scenario.partial_writes:
            figures.notes.append(f"{self.calls.partial_answers} BatchWriteItem answers partial")
        if poison:
            figures.poison_writes = poison_writes(harness, keys)
        return figures

    def _sources(self, resources: LocalPipeline, handlers: dict[str, LocalFunction[Any]]) -> list[QueueSource]:
        scenario = self.scenario
        starter, collector = deployed.STARTER, deployed.COLLECTOR

        def source(function: deployed.Function, queue_url: str, timeout: float) -> QueueSource:
            return QueueSource(
                function.name,
                Environments(lambda: _BUILDERS[function.name](self.environment, self.clients)),
                queue_url=queue_url,
                region=resources.region,
                batch_size=function.batch_size,
                max_concurrency=function.max_concurrency,
                timeout=timeout,
                scheduler=self.scheduler,
                calls=self.calls,
                copies=scenario.copies,
            )

        return [
            source(starter, resources.starter_queue_url, starter.timeout),
            source(collector, resources.results_queue_url, scenario.collector_seconds or collector.timeout),
        ]

    # -- the loop ----------------------------------------------------------------------------

    def _loop(self, sources: list[QueueSource], reconciler: LocalFunction[Any], harness: PipelineHarness) -> None:
        """Run whatever is runnable, chosen by the seeded RNG; when nothing is, jump to the next event."""
        scenario = self.scenario
        self.reconciled = 0
        next_reconcile = self.time.now + deployed.RECONCILE_EVERY_SECONDS
        reconcilers = Environments(lambda: reconciler_function(self.environment, self.clients))
        deadline = self.time.now + scenario.max_virtual_hours * 3600
        quiet_since: float | None = None
        rng = self.scheduler.rng
        next_report = self.time.now + 1800
        while self.time.now < deadline:
            now = self.time.now
            if self.progress is not None and now >= next_report:
                next_report += 1800
                done = len(self._known_jobs) - self.in_flight
                self.progress(
                    f"{self.time.elapsed / 3600:.1f} h simulated: {done} jobs done, {self.in_flight} in flight"
                )
            self._complete_due_jobs()
            self._run_due_actions()
            if now >= next_reconcile:
                next_reconcile += deployed.RECONCILE_EVERY_SECONDS
                self._invoke_reconciler(reconcilers)
            choices: list[Invocation | QueueSource] = [*self.scheduler.runnable()]
            choices.extend(source for source in sources if source.can_poll(now))
            if choices:
                pick = rng.choice(choices)
                if isinstance(pick, QueueSource):
                    pick.poll()
                else:
                    self.scheduler.resume(pick)
                continue
            pending = min(
                self.scheduler.next_wake(),
                min((source.next_visible() for source in sources if source.can_poll(math.inf)), default=math.inf),
                self._completions[0][0] if self._completions else math.inf,
                self._actions[0][0] if self._actions else math.inf,
            )
            if pending == math.inf and not self.scheduler.live:
                quiet_since = now if quiet_since is None else quiet_since
                if self._settled(sources, harness, now - quiet_since):
                    break
            else:
                quiet_since = None
            self.time.advance(max(min(pending, next_reconcile) - now, 0.001))

    def _settled(self, sources: list[QueueSource], harness: PipelineHarness, quiet_for: float) -> bool:
        if self.fake.in_progress_count or not all(source.empty() for source in sources):
            return False
        # Jobs left STARTING or IN_PROGRESS: give the reconciler its chance (age limit plus two runs) first.
        patience = self.scenario.reconcile_after_minutes * 60 + 2 * deployed.RECONCILE_EVERY_SECONDS
        return quiet_for > patience or harness.unfinished_jobs() == 0

    def _invoke_reconciler(self, environments: Environments) -> None:
        def body(invocation: Invocation) -> None:
            environment = environments.take()
            crashed = True
            try:
                summary = environment.handler({}, context_for(invocation, self.time))
                crashed = False
            finally:
                invocation.returned = True
                environments.give_back(environment, crashed=crashed)
            self.reconciled += len(summary["requeued"])

        self.scheduler.spawn(deployed.RECONCILER.name, deployed.RECONCILER.timeout, body)

    def _complete_due_jobs(self) -> None:
        while self._completions and self._completions[0][0] <= self.time.now:
            _when, _order, job_id, pipeline = heapq.heappop(self._completions)
            finished = self.fake.complete_jobs([job_id])
            if pipeline and finished:
                self.in_flight -= 1

    def _run_due_actions(self) -> None:
        while self._actions and self._actions[0][0] <= self.time.now:
            _when, _order, action = heapq.heappop(self._actions)
            action()

    def at(self, when: float, action: Callable[[], None]) -> None:
        heapq.heappush(self._actions, (when, next(self._order), action))

    def _stop_invocations(self) -> None:
        """Threads still alive at the deadline: kill them so none outlives the run."""
        for invocation in list(self.scheduler.live):
            self.scheduler.kill(invocation, "simulation over")
            invocation.deadline = -math.inf
            invocation.returned = False
            while not invocation.done:
                self.scheduler.resume(invocation)

    # -- observing the pipeline's calls (an observer independent of the pipeline) -----------------

    def _observe(self, invocation: Invocation, operation: str, params: dict[str, Any], response: Any) -> None:
        if operation.startswith("Start") and isinstance(response, dict) and "JobId" in response:
            self._job_started(str(response["JobId"]), params)
        elif operation == "BatchWriteItem" and invocation.function == deployed.COLLECTOR.name:
            for message in invocation.messages:
                key = _notice_key(message.get("Body", ""))
                if key in self.expect.delete_collecting and key not in self.expect.deleted:
                    self._delete_at(self.time.now, key)

    def _job_started(self, job_id: str, params: dict[str, Any]) -> None:
        if job_id in self._known_jobs:
            return
        self._known_jobs.add(job_id)
        self._start_times.append(self.time.now)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        now = self.time.now
        heapq.heappush(self._completions, (now + self.scenario.job_seconds, next(self._order), job_id, True))
        key = str(params.get("Video", {}).get("S3Object", {}).get("Name", ""))
        if key in self.expect.delete_running and key not in self.expect.deleted:
            self._delete_at(now + self.scenario.job_seconds / 2, key)
        if key in self.expect.forged and key not in self.expect.forged_sent:
            self.expect.forged_sent.add(key)
            self.at(now + self.scenario.job_seconds * 1.5, lambda: self._forge_removal(key))
        if self.expect.forged_failures < self.scenario.forged_failures and len(self._known_jobs) % 2 == 1:
            self.expect.forged_failures += 1
            self.at(now + self.scenario.job_seconds / 2, lambda: self._forge_failure(job_id, params))

    def _delete_at(self, when: float, key: str) -> None:
        self.expect.deleted.add(key)
        s3 = boto3.client("s3", region_name=self.resources.region)

        def delete() -> None:
            s3.delete_object(Bucket=self.resources.bucket, Key=key)

        self.at(when, delete)

    def _forge_removal(self, key: str) -> None:
        """An ObjectRemoved event for an object that still exists: alternately a version deleted for
        good (the current version's id) and a delete marker."""
        s3 = boto3.client("s3", region_name=self.resources.region)
        version = s3.head_object(Bucket=self.resources.bucket, Key=key)["VersionId"]
        kind = len(self.expect.forged_sent_kinds) % 2
        self.expect.forged_sent_kinds.append(kind)
        if kind == 0:
            record = self.s3_events.record("ObjectRemoved:Delete", self.resources.bucket, key, version_id=version)
        else:
            record = self.s3_events.record(
                "ObjectRemoved:DeleteMarkerCreated", self.resources.bucket, key, version_id="forged-marker"
            )
        self.s3_events.send(record)

    def _forge_failure(self, job_id: str, params: dict[str, Any]) -> None:
        job = self.fake.jobs.get(job_id)
        if job is None or job.status.value != "IN_PROGRESS":
            return
        message = {
            "JobId": job_id,
            "Status": "FAILED",
            "API": job.api,
            **({"JobTag": job.tag} if job.tag is not None else {}),
            "Timestamp": int(self.time.now * 1000),
            "Video": {"S3ObjectName": job.key, "S3Bucket": job.bucket},
        }
        boto3.client("sns", region_name=self.resources.region).publish(
            TopicArn=self.resources.topic_arn, Message=json.dumps(message)
        )
        self.expect.forged_failures_sent += 1

    def _reupload(self, s3: Any, key: str) -> None:
        """Upload, delete (a delete marker), upload again; the marker's event arrives after the re-upload's."""
        bucket = self.resources.bucket
        self.fake.script(bucket, key, detections=self.scenario.detections)
        first = s3.put_object(Bucket=bucket, Key=key, Body=sample_video_bytes())["VersionId"]
        self.s3_events.late[("ObjectRemoved:DeleteMarkerCreated", key)] = 900  # SQS's longest delay
        s3.delete_object(Bucket=bucket, Key=key)
        s3.put_object(Bucket=bucket, Key=key, Body=sample_video_bytes())
        self.expect.reuploaded[key] = first

    def _hold_slots_for_another_workload(self) -> None:
        slots, hours = self.scenario.other_workload
        if not slots:
            return
        s3 = boto3.client("s3", region_name=self.resources.region)
        s3.create_bucket(Bucket=OTHER_WORKLOAD_BUCKET)
        s3.put_object(Bucket=OTHER_WORKLOAD_BUCKET, Key="archive.mp4", Body=sample_video_bytes())
        rekognition: Any = boto3.client("rekognition", region_name=self.resources.region)
        self.hogged_until = self.time.now + hours * 3600
        for _ in range(slots):
            video = {"S3Object": {"Bucket": OTHER_WORKLOAD_BUCKET, "Name": "archive.mp4"}}
            job_id = rekognition.start_label_detection(Video=video)["JobId"]
            heapq.heappush(self._completions, (self.hogged_until, next(self._order), job_id, False))

    def _schedule_budget_raise(self, starter: QueueSource) -> None:
        """A redeploy with the raised budget: new environments read it, running ones finish on the old one."""
        raised, hours = self.scenario.budget_raised
        if not raised:
            return
        self.budget_raised_at = self.time.now + hours * 3600

        def redeploy() -> None:
            self.environment = {**self.environment, Env.DAILY_BUDGET_MINUTES: raised}
            starter.environments.redeploy()

        self.at(self.budget_raised_at, redeploy)

    def _measure_budget(self, figures: Figures) -> None:
        """Minutes started per UTC day while the first budget held, against that budget (every job is the
        sample video, whose movie header the starter reads)."""
        if not self.scenario.daily_budget:
            return
        limit = parse_budget(self.scenario.daily_budget).limits[TOTAL]
        content = sample_video_bytes()
        header_ms = duration_ms(lambda offset, length: content[offset : offset + length], len(content))
        minutes = video_minutes(header_ms or 0)
        days = Counter(
            datetime.fromtimestamp(when, UTC).date() for when in self._start_times if when < self.budget_raised_at
        )
        figures.started_before_raise = sum(days.values())
        figures.over_budget_minutes = sum(max(0.0, jobs * minutes - limit) for jobs in days.values())
        figures.notes.append(f"{figures.started_before_raise} jobs ({minutes:g} min each) started before the raise")

    def _pipeline_limit_exceeded(self) -> int:
        """LimitExceededException answers to the pipeline that neither the scenario injected nor another
        workload caused: the pipeline itself went over the account's limit."""
        injected = sum(times for _op, code, times in self.scenario.faults if code == "LimitExceededException")
        seen = sum(
            1
            for invocation, _operation, code, when in self.calls.errors
            if invocation is not None and code == "LimitExceededException" and when >= self.hogged_until
        )
        return max(0, seen - injected)


def _notice_key(body: str) -> str:
    try:
        envelope = json.loads(body)
        notice = json.loads(envelope["Message"]) if "Message" in envelope else envelope
        return str(notice["Video"]["S3ObjectName"])
    except (ValueError, KeyError, TypeError):
        return ""


def _deployed_queues(resources: LocalPipeline) -> None:
    """Visibility timeouts as deployed: six times the consumer's timeout."""
    sqs = boto3.client("sqs", region_name=resources.region)
    for url, function in (
        (resources.starter_queue_url, deployed.STARTER),
        (resources.results_queue_url, deployed.COLLECTOR),
    ):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": str(function.visibility_timeout)})


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


# What a cold start builds, per function: its handler on collaborators of its own.
_BUILDERS: dict[str, Callable[[Mapping[str, str], Clients], LocalFunction[Any]]] = {
    "starter": starter_function,
    "collector": collector_function,
}


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    # The handlers print CloudWatch EMF metrics and logs to stdout, as Lambda expects; keep figures readable.
    # Their logger was built (with the stream it writes to) when the handlers were imported: quiet it too.
    from video_pipeline.handlers.observability import logger  # noqa: PLC0415 - the handlers' own logger

    level = logger.log_level
    logger.setLevel("ERROR")
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="No application metrics to publish")
            yield
    finally:
        logger.setLevel(level)
