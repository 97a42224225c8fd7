"""Lambda's SQS event source mapping and EventBridge schedule, as the stack deploys them.

An event source receives a batch (up to its batch size, with the queue's visibility timeout) only
while fewer than its maximum concurrency of invocations run, and starts an invocation with it. When
the handler returns, the messages not reported in `batchItemFailures` are deleted; when it crashes
or times out, none is, and all come back once their visibility timeout has passed.

The poller is AWS's part, not the pipeline's: it receives and deletes straight on moto's queue
rather than through botocore, which cost about a third of each waiting upload's visit. Its delete
still comes after a switch point, so other invocations can run between a handler's return and it.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from moto.sqs import models as sqs_models
from video_pipeline.dal.queues import WAITS_ATTRIBUTE

from in_process.environment import ACCOUNT_ID
from in_process.functions import LocalFunction
from in_process.lambda_runtime import to_sqs_event
from simulation.calls import CallLog
from simulation.clock import VirtualTime
from simulation.scheduler import Invocation, Scheduler

Handler = Callable[[dict[str, Any], Any], Any]


class Environments:
    """A function's execution environments. Concurrent invocations run in separate environments, each
    with its own handler and collaborators built by the composition root (Powertools' batch processor
    included); an environment is reused warm, and replaced by a cold one after a crash or timeout, as
    Lambda does."""

    def __init__(self, load: Callable[[], LocalFunction[Any]]) -> None:
        self._load = load
        self._idle: list[LocalFunction[Any]] = []
        self.cold_starts = 0
        # Environments loaded since the last deployment (`redeploy`): only they are reused.
        self._current: set[int] = set()

    def take(self) -> LocalFunction[Any]:
        if self._idle:
            return self._idle.pop()
        self.cold_starts += 1
        function = self._load()
        self._current.add(id(function))
        return function

    def give_back(self, function: LocalFunction[Any], *, crashed: bool) -> None:
        if not crashed and id(function) in self._current:
            self._idle.append(function)

    def redeploy(self) -> None:
        """A deployment: warm environments are dropped, running ones finish on the old code and settings."""
        self._current.clear()
        self._idle.clear()


@dataclass(frozen=True, slots=True)
class VirtualContext:
    """The Lambda context, its remaining time read from the virtual clock and the invocation's deadline."""

    invocation: Invocation
    clock: VirtualTime
    function_name: str = "simulated"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = f"arn:aws:lambda:us-east-1:{ACCOUNT_ID}:function:simulated"
    aws_request_id: str = "simulated"

    def get_remaining_time_in_millis(self) -> int:
        return int(self.invocation.remaining_seconds(self.clock.now) * 1000)


def context_for(invocation: Invocation, clock: VirtualTime) -> VirtualContext:
    return VirtualContext(
        invocation,
        clock,
        function_name=invocation.function,
        invoked_function_arn=f"arn:aws:lambda:us-east-1:{ACCOUNT_ID}:function:{invocation.function}",
        aws_request_id=str(uuid.UUID(int=invocation.number)),
    )


class QueueSource:
    """One SQS event source mapping: `batch_size`, `max_concurrency`, the function's `timeout`."""

    def __init__(
        self,
        function: str,
        environments: Environments,
        *,
        queue_url: str,
        region: str,
        batch_size: int,
        max_concurrency: int,
        timeout: float,
        scheduler: Scheduler,
        calls: CallLog,
        copies: int = 1,
    ) -> None:
        self.function = function
        self.environments = environments
        self._queue_url = queue_url
        self._queue_name = queue_url.rsplit("/", 1)[1]
        self._region = region
        self._batch_size = batch_size
        self._max_concurrency = max_concurrency
        self._timeout = timeout
        self._scheduler = scheduler
        self._calls = calls
        self._copies = copies
        self._copy_ids: set[str] = set()
        self._sqs = boto3.client("sqs", region_name=region)
        self._queue_arn = self._sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self._cached: tuple[int, float] = (-1, math.inf)
        self.running: list[Invocation] = []
        self.max_running = 0
        self.invocations = 0
        self.crashed = 0

    def _messages(self) -> list[Any]:
        return list(sqs_models.sqs_backends[ACCOUNT_ID][self._region].queues[self._queue_name]._messages)

    def next_visible(self) -> float:
        """When the queue's next message becomes receivable (moto's state; cached until a queue may change)."""
        version = self._calls.sqs_changes
        if self._cached[0] != version:
            moment = min(
                # moto shows a received message again only strictly after its `visible_at`.
                (
                    max(message.delayed_until, (message.visible_at or -1.0) + 1.0) / 1000.0
                    for message in self._messages()
                ),
                default=math.inf,
            )
            self._cached = (version, moment)
        return self._cached[1]

    def empty(self) -> bool:
        return not self._messages()

    def can_poll(self, now: float) -> bool:
        self.running = [invocation for invocation in self.running if not invocation.done]
        return len(self.running) < self._max_concurrency and self.next_visible() <= now

    def _queue_backend(self) -> Any:
        return sqs_models.sqs_backends[ACCOUNT_ID][self._region]

    def _receive(self) -> list[dict[str, Any]]:
        """ReceiveMessage with the queue's visibility timeout, shaped as the API answers it."""
        backend = self._queue_backend()
        visibility = int(backend.get_queue(self._queue_name).visibility_timeout)
        return [
            {
                "MessageId": message.id,
                "ReceiptHandle": message.receipt_handle,
                "Body": message.body,
                "MD5OfBody": message.body_md5,
                "Attributes": {
                    "ApproximateReceiveCount": str(message.approximate_receive_count),
                    "SentTimestamp": str(message.sent_timestamp),
                },
                "MessageAttributes": dict(message.message_attributes),
            }
            for message in backend.receive_message(self._queue_name, self._batch_size, 0, visibility, ["All"])
        ]

    def poll(self) -> bool:
        """Receive one batch and start an invocation with it (on the driver); False if none came."""
        messages = self._receive()
        self._calls.sqs_changes += 1
        if not messages:
            return False
        self._duplicate(messages)
        invocation = self._scheduler.spawn(self.function, self._timeout, lambda inv: self._invoke(inv, messages))
        invocation.messages = messages
        self.running.append(invocation)
        self.invocations += 1
        self.max_running = max(self.max_running, len(self.running))
        return True

    def _invoke(self, invocation: Invocation, messages: list[dict[str, Any]]) -> Any:
        event = to_sqs_event(messages, self._queue_arn, self._region)
        environment = self.environments.take()
        crashed = True
        try:
            response = environment.handler(event, context_for(invocation, self._scheduler.clock)) or {}
            crashed = False
        finally:
            invocation.returned = True
            self.crashed += crashed
            self.environments.give_back(environment, crashed=crashed)
        failed = {failure["itemIdentifier"] for failure in response.get("batchItemFailures", [])}
        self._scheduler.switch()
        backend = self._queue_backend()
        for message in messages:
            if message["MessageId"] not in failed:
                backend.delete_message(self._queue_name, message["ReceiptHandle"])
        self._calls.sqs_changes += 1
        return response

    def _duplicate(self, messages: list[dict[str, Any]]) -> None:
        """At-least-once delivery: an S3 event or notification received for the first time gets its copies queued."""
        if self._copies < 2:
            return
        for message in messages:
            if message["MessageId"] not in self._copy_ids and _first_receive(message):
                for _ in range(self._copies - 1):
                    copy = self._sqs.send_message(QueueUrl=self._queue_url, MessageBody=message["Body"])
                    self._copy_ids.add(copy["MessageId"])


def _first_receive(message: dict[str, Any]) -> bool:
    """A message from S3 or SNS seen for the first time (the starter's own re-queued waits are not copied)."""
    fresh = str(message.get("Attributes", {}).get("ApproximateReceiveCount", "1")) == "1"
    return fresh and WAITS_ATTRIBUTE not in message.get("MessageAttributes", {})
