"""Counting and timing the AWS requests a piece of pipeline code really sends.

Every boto3 client call goes through `BaseClient._make_api_call`; `ApiCalls` wraps it to count calls
per (service, operation) and to add up the time spent in them (the SDK's serialising and parsing plus
the backend's answer), so the pipeline's own time is a wall time minus `ApiCalls.seconds`.
`DiscardingBackend` answers chosen operations at the HTTP layer without storing anything: the SDK
still serialises every request, but a 500k-detection run keeps no table or bucket in memory.
"""

from __future__ import annotations

import base64
import json
import math
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import botocore.client
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.compat import HTTPHeaders

from emulator.intercept import operation_of  # noqa: F401  (imported for its side effect: the router is installed)

# The emulator's router marks requests it answered so that moto's stubber leaves them alone
# (emulator/intercept.py); requests the discarding backend answers need the same treatment.
_ANSWERED_MARK = "_rekognition_video_fake_answered"

# Every time here is CPU time of the calling thread, not wall time: on a machine shared with other
# work, wall time counts the waits for a core, and the figures would say more about the load than
# about the code. Everything measured runs on the calling thread (moto, the fake and the backends
# answer in-process).
cpu_clock = time.thread_time


@dataclass
class ApiCalls:
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    seconds: float = 0.0
    seconds_by_service: Counter[str] = field(default_factory=Counter)
    recording: bool = True

    def of(self, service: str, operation: str | None = None) -> int:
        return sum(n for (name, op), n in self.counts.items() if name == service and operation in (None, op))

    def total(self) -> int:
        return sum(self.counts.values())


@contextmanager
def api_calls() -> Iterator[ApiCalls]:
    """Record every boto3 call made inside the block (set `recording` False to pause)."""
    calls = ApiCalls()
    original = botocore.client.BaseClient._make_api_call

    depth = 0

    def recorded(client: botocore.client.BaseClient, operation: str, params: dict[str, Any]) -> Any:
        # Calls the in-process fake makes while answering (S3 reads of the video) are its own time.
        nonlocal depth
        began = cpu_clock()
        depth += 1
        try:
            return original(client, operation, params)
        finally:
            depth -= 1
            if calls.recording and depth == 0:
                elapsed = cpu_clock() - began
                service = client.meta.service_model.service_name
                calls.counts[(service, operation)] += 1
                calls.seconds += elapsed
                calls.seconds_by_service[service] += elapsed

    botocore.client.BaseClient._make_api_call = recorded  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        botocore.client.BaseClient._make_api_call = original  # type: ignore[method-assign]


@dataclass
class OwnTime:
    """Time spent in one function, less the AWS calls made from inside it."""

    seconds: float = 0.0
    calls: int = 0

    def wrap(self, function: Callable[..., Any], api: ApiCalls) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            began, api_before = cpu_clock(), api.seconds
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += cpu_clock() - began - (api.seconds - api_before)
                self.calls += 1

        return timed


@dataclass
class DiscardingBackend:
    """Answers DynamoDB BatchWriteItem and PutItem and S3 PutObject with success; keeps only sizes and counts."""

    # Running totals only: a list per item would itself grow with the result size.
    items: int = 0
    # Detections those items hold: a packed window item's count (`n`), an appearance none, any other item one.
    detections: int = 0
    item_bytes: int = 0
    # Items that also land in a secondary index (they carry its partition key) are written twice.
    indexed_items: int = 0
    write_units: int = 0
    index_key: str = "entity"
    object_bytes: int = 0
    seconds: float = 0.0

    def __call__(self, request: AWSPreparedRequest, **_kwargs: Any) -> AWSResponse | None:
        began = cpu_clock()
        target = request.headers.get("X-Amz-Target")
        target = target.decode() if isinstance(target, bytes) else target
        if target == "DynamoDB_20120810.BatchWriteItem":
            body: dict[str, Any] = json.loads(request.body or b"{}")
            for writes in body["RequestItems"].values():
                for write in writes:
                    self._count(write["PutRequest"]["Item"])
            response = _response(request, b'{"UnprocessedItems":{}}', "application/x-amz-json-1.0")
        elif target == "DynamoDB_20120810.PutItem":
            self._count(json.loads(request.body or b"{}")["Item"])
            response = _response(request, b"{}", "application/x-amz-json-1.0")
        elif request.method == "PUT" and "s3" in request.url.split("/")[2]:
            self.object_bytes += _body_length(request)
            response = _response(request, b"", "application/xml")
        else:
            return None
        setattr(request, _ANSWERED_MARK, True)
        self.seconds += cpu_clock() - began
        return response

    def _count(self, item: dict[str, Any]) -> None:
        size = item_size(item)
        units = math.ceil(size / 1024)
        self.items += 1
        self.detections += int(item["n"]["N"]) if "z" in item else 0 if self.index_key in item and "n" in item else 1
        self.item_bytes += size
        self.write_units += units
        if self.index_key in item:
            self.indexed_items += 1
            self.write_units += units

    def attach(self, client: botocore.client.BaseClient) -> None:
        client.meta.events.register_first("before-send", self)  # type: ignore[arg-type]


def _body_length(request: AWSPreparedRequest) -> int:
    """The object's size; an aws-chunked body (the SDK's streaming checksum) declares it in a header."""
    declared = request.headers.get("X-Amz-Decoded-Content-Length") or request.headers.get("Content-Length")
    if declared is not None:
        return int(declared)
    return len(request.body) if isinstance(request.body, bytes | str) else 0


def _response(request: AWSPreparedRequest, body: bytes, content_type: str) -> AWSResponse:
    headers = HTTPHeaders()
    headers["Content-Type"] = content_type
    headers["Content-Length"] = str(len(body))
    headers["ETag"] = '"00000000000000000000000000000000"'
    headers["x-amzn-RequestId"] = "discarded"

    class _Raw:
        def __init__(self) -> None:
            self._body = body

        def stream(self, **_kwargs: Any) -> Iterator[bytes]:
            yield self._body

    return AWSResponse(request.url, 200, headers, _Raw())


def wire_item(item: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """A typed item with its binary values as the wire carries them (base64), which `item_size` expects."""
    return {
        name: {"B": base64.b64encode(value["B"]).decode()} if "B" in value else value for name, value in item.items()
    }


def item_size(item: dict[str, dict[str, Any]]) -> int:
    """A DynamoDB item's billed size: attribute names plus values (strings in UTF-8, numbers ~1 byte per 2 digits)."""
    size = 0
    for name, value in item.items():
        size += len(name.encode())
        (kind, content), *_ = value.items()
        if kind == "S":
            size += len(content.encode())
        elif kind == "N":
            size += (len(content.strip("-").replace(".", "").lstrip("0")) + 1) // 2 + 1
        elif kind == "BOOL":
            size += 1
        elif kind == "B":
            # The wire carries binary as base64; DynamoDB bills its decoded length.
            size += len(base64.b64decode(content))
        elif kind == "NS":
            size += sum((len(number.lstrip("-").replace(".", "").lstrip("0")) + 1) // 2 + 1 for number in content)
        else:
            size += len(json.dumps(content))
    return size
