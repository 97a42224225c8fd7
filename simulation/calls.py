"""The switch point: every AWS call an invocation makes, wrapped around `BaseClient._make_api_call`.

Before the call the invocation hands the baton back (another invocation may run first); injected
crashes fire before or after a matching call; a share of `BatchWriteItem` requests come back with
part of their items in `UnprocessedItems`, as DynamoDB answers under load.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from botocore.client import BaseClient
from botocore.exceptions import ClientError

from simulation.scheduler import Invocation, Scheduler


@dataclass(frozen=True, slots=True)
class Kill:
    """Crash an invocation of `function` at the switch point `when` ("before"/"after") a call whose
    operation starts with `operation`: every `every`-th such call, at most `times` times."""

    function: str
    when: str
    operation: str
    every: int
    times: int

    def describe(self) -> str:
        return f"{self.function} killed {self.when} {self.operation} x{self.times}"


@dataclass(slots=True)
class CallLog:
    """What the invocations called, as the driver needs it; observers independent of the pipeline."""

    kills: tuple[Kill, ...] = ()
    partial_writes: float = 0.0
    rng: random.Random = field(default_factory=random.Random)
    on_call: list[Callable[[Invocation, str, dict[str, Any], dict[str, Any]], None]] = field(default_factory=list)
    sqs_changes: int = 0  # bumped by any call that may change a queue (cache key for the driver)
    matched: dict[Kill, int] = field(default_factory=dict)
    killed: dict[Kill, int] = field(default_factory=dict)
    partial_answers: int = 0
    errors: list[tuple[Invocation | None, str, str, float]] = field(default_factory=list)  # ..., code, when
    clock: Callable[[], float] = field(default=lambda: 0.0)

    def due_kill(self, invocation: Invocation, when: str, operation: str) -> Kill | None:
        for kill in self.kills:
            if kill.function != invocation.function or kill.when != when or not operation.startswith(kill.operation):
                continue
            if self.killed.get(kill, 0) >= kill.times:
                continue
            self.matched[kill] = self.matched.get(kill, 0) + 1
            if self.matched[kill] % kill.every == 0:
                self.killed[kill] = self.killed.get(kill, 0) + 1
                return kill
        return None


_READ_ONLY_SQS = frozenset({"GetQueueAttributes", "GetQueueUrl", "ListQueues"})
_S3_WRITES = frozenset({"PutObject", "DeleteObject", "DeleteObjects", "CopyObject", "CompleteMultipartUpload"})


def may_change_a_queue(service: str, operation: str) -> bool:
    """SQS writes, SNS publishes (to the results queue), S3 writes (event notifications)."""
    if service == "sqs":
        return operation not in _READ_ONLY_SQS
    return service == "sns" or (service == "s3" and operation in _S3_WRITES)


@contextlib.contextmanager
def switching(scheduler: Scheduler, log: CallLog) -> Iterator[CallLog]:
    original = getattr(BaseClient, "_make_api_call")  # noqa: B009 - private to botocore's stubs

    def make_api_call(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        invocation = scheduler.current()
        changes = may_change_a_queue(client.meta.service_model.service_name, operation)
        if changes:
            log.sqs_changes += 1
        if invocation is None or invocation.returned:
            if invocation is not None:
                scheduler.switch()
            try:
                return _call(original, client, operation, params, invocation=None, log=log)
            finally:
                if changes:
                    log.sqs_changes += 1  # the driver may have read the queue during the switch
        invocation.calls.append(operation)
        scheduler.switch()
        kill = log.due_kill(invocation, "before", operation)
        if kill is not None:
            scheduler.kill(invocation, kill.describe())
            scheduler.check()
        response = _call(original, client, operation, params, invocation=invocation, log=log)
        if changes:
            log.sqs_changes += 1
        for observer in log.on_call:
            observer(invocation, operation, params, response)
        kill = log.due_kill(invocation, "after", operation)
        if kill is not None:
            scheduler.kill(invocation, kill.describe())
            scheduler.switch()
        return response

    with mock.patch.object(BaseClient, "_make_api_call", make_api_call):
        yield log


def _call(
    original: Any,
    client: BaseClient,
    operation: str,
    params: dict[str, Any],
    *,
    invocation: Invocation | None,
    log: CallLog,
) -> Any:
    try:
        if operation == "BatchWriteItem" and invocation is not None and log.partial_writes:
            return _partial_batch_write(original, client, params, log)
        return original(client, operation, params)
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        log.errors.append((invocation, operation, code, log.clock()))
        raise


def _partial_batch_write(original: Any, client: BaseClient, params: dict[str, Any], log: CallLog) -> Any:
    """Write only the first part of each table's requests; answer the rest as UnprocessedItems."""
    if log.rng.random() >= log.partial_writes:
        return original(client, "BatchWriteItem", params)
    written: dict[str, list[Any]] = {}
    unprocessed: dict[str, list[Any]] = {}
    for table, requests in params["RequestItems"].items():
        cut = len(requests) // 2
        written[table], rest = requests[:cut], requests[cut:]
        if rest:
            unprocessed[table] = rest
    written = {table: requests for table, requests in written.items() if requests}
    response = original(client, "BatchWriteItem", {**params, "RequestItems": written}) if written else {}
    if unprocessed:
        log.partial_answers += 1
    return {**response, "UnprocessedItems": {**response.get("UnprocessedItems", {}), **unprocessed}}
