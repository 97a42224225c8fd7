"""Routing real boto3 Rekognition requests to the active fake, in-process, the way moto does.

A `before-send` handler sees each fully built request just before it would go on the wire and may
answer it instead. It is registered first on every botocore session created after this module is
imported (through BUILTIN_HANDLERS), so its response is the one botocore uses. botocore still calls
the remaining before-send handlers, though, and moto's stubber among them would fail the
Rekognition operations moto lacks as not implemented; so moto's stubber is also told to
leave alone the requests this router answers. With no fake active the router answers nothing, and
requests to every other service always pass through untouched (to moto, when `mock_aws` is active).
"""

from __future__ import annotations

import json
import sys
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from email.utils import formatdate
from io import BytesIO
from typing import Any, Protocol
from urllib.parse import urlsplit

import boto3
import botocore.client
import botocore.handlers
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.compat import HTTPHeaders

from emulator.errors import ServiceError
from emulator.model import target_prefix

_EVENT = "before-send"
_UNIQUE_ID = "emulator.rekognition-video-fake"
_CONTENT_TYPE = "application/x-amz-json-1.1"
_ANSWERED = "_rekognition_video_fake_answered"


class Dispatcher(Protocol):
    def handle(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]: ...


class _RawBody(BytesIO):
    """What AWSResponse expects of `raw`: a stream that can be read in chunks."""

    def stream(self, **_kwargs: Any) -> Iterator[bytes]:
        chunk = self.read()
        while chunk:
            yield chunk
            chunk = self.read()


def _header(request: AWSPreparedRequest, name: str) -> str | None:
    value = request.headers.get(name)
    if isinstance(value, bytes):
        return value.decode()
    return value


def operation_of(request: AWSPreparedRequest) -> str | None:
    """The Rekognition operation a request calls, "" for a Rekognition request naming none, else None."""
    target = _header(request, "X-Amz-Target")
    prefix = f"{target_prefix()}."
    if target is not None and target.startswith(prefix):
        return target[len(prefix) :]
    host = urlsplit(request.url).hostname or ""
    if host.split(".")[0] in ("rekognition", "rekognition-fips"):
        return ""
    return None


def _decode(body: bytes | str | None) -> dict[str, Any]:
    if not body:
        return {}
    try:
        params = json.loads(body)
    except ValueError:
        raise ServiceError("SerializationException", "The request body is not valid JSON", 400) from None
    if not isinstance(params, dict):
        raise ServiceError("SerializationException", "The request body must be a JSON object", 400)
    return params


def _body_of(request: AWSPreparedRequest) -> bytes | str | None:
    body = request.body
    if body is None or isinstance(body, bytes | str):
        return body
    if isinstance(body, bytearray):
        return bytes(body)
    return body.read()


def answer(dispatcher: Dispatcher, operation: str, body: bytes | str | None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of the JSON 1.1 protocol's answer to one request, errors included.

    Shared by the in-process router and the HTTP endpoint, so both speak exactly the same protocol.
    """
    headers = {"x-amzn-RequestId": str(uuid.uuid4()), "Content-Type": _CONTENT_TYPE}
    try:
        payload = dispatcher.handle(operation, _decode(body))
        status = 200
    except ServiceError as error:
        status = error.http_status
        payload = {"__type": error.code, "Message": error.message}
        headers["x-amzn-ErrorType"] = error.code
    # Compact UTF-8, as the service writes it: the collector stores each element's text as it came.
    encoded = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    headers["Content-Length"] = str(len(encoded))
    headers["Date"] = formatdate(usegmt=True)
    return status, headers, encoded


def respond(dispatcher: Dispatcher, operation: str, request: AWSPreparedRequest) -> AWSResponse:
    """Answer `request` in-process, as botocore would have received it from the service."""
    status, fields, encoded = answer(dispatcher, operation, _body_of(request))
    headers = HTTPHeaders()
    for name, value in fields.items():
        headers[name] = value
    return AWSResponse(request.url, status, headers, _RawBody(encoded))


class _Router:
    def __init__(self) -> None:
        self.active: Dispatcher | None = None
        self.lock = threading.Lock()

    def __call__(self, request: AWSPreparedRequest, **_kwargs: Any) -> AWSResponse | None:
        dispatcher = self.active
        # botocore calls every before-send handler, not just until one answers, and a client can
        # hold the router twice (from BUILTIN_HANDLERS and from the default session); one request
        # must still reach the fake once, or a Start would start two jobs.
        if dispatcher is None or getattr(request, _ANSWERED, False):
            return None
        operation = operation_of(request)
        if operation is None:
            return None
        setattr(request, _ANSWERED, True)
        _quiet_moto()  # moto may have been imported after activation
        return respond(dispatcher, operation, request)


ROUTER = _Router()


def _quiet_moto() -> None:
    """Keep moto's stubber (a process-wide singleton) from also serving requests the router answers."""
    models = sys.modules.get("moto.core.models")
    stubber = getattr(models, "botocore_stubber", None)
    if stubber is None or getattr(stubber, _UNIQUE_ID.replace(".", "_"), False):
        return
    original = stubber.process_request

    def process_request(request: AWSPreparedRequest) -> Any:
        # Only requests the router really answered: a client that lacks the router must still get
        # moto's answer, never fall through to the network.
        if getattr(request, _ANSWERED, False):
            return None
        return original(request)

    stubber.process_request = process_request
    setattr(stubber, _UNIQUE_ID.replace(".", "_"), True)


def install() -> None:
    """Register the router first for every botocore session created from now on (idempotent)."""
    if not any(spec[1] is ROUTER for spec in botocore.handlers.BUILTIN_HANDLERS):
        botocore.handlers.BUILTIN_HANDLERS.insert(0, (_EVENT, ROUTER, botocore.handlers.REGISTER_FIRST))
    _quiet_moto()


def patch_client(client: botocore.client.BaseClient) -> None:
    """Route an already-created client too: clients copy their session's handlers when created."""
    # botocore's stubs type handlers as returning None; before-send handlers may return a response.
    client.meta.events.register_first(_EVENT, ROUTER, unique_id=_UNIQUE_ID)  # type: ignore[arg-type]


@contextmanager
def activated(dispatcher: Dispatcher) -> Iterator[None]:
    with ROUTER.lock:
        if ROUTER.active is not None:
            raise RuntimeError("another Rekognition fake is already active")
        ROUTER.active = dispatcher
    install()
    session = boto3.DEFAULT_SESSION
    if session is not None:
        # The default session may predate this module; clients it creates from now on get routed.
        session.events.register_first(_EVENT, ROUTER, unique_id=_UNIQUE_ID)  # type: ignore[arg-type]
    try:
        yield
    finally:
        with ROUTER.lock:
            ROUTER.active = None


install()
