"""Routing real boto3 Rekognition requests to the active fake, in-process, the way moto does.

Importing this module changes nothing. Only `activated(fake)` (what `fake.activate()` uses) hooks
botocore, and only until its block ends: while it runs, every botocore Endpoint answers Rekognition
requests from the fake instead of sending them, whichever session or client made them and whenever
(so clients created before activation, such as a Lambda module's, are routed too), and moto's
stubber is told to leave those requests alone (it would fail the Rekognition operations moto lacks
as not implemented). Requests to every other service pass through untouched (to moto, when
`mock_aws` is active). On exit both patches are undone.
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

import botocore.client
import botocore.endpoint
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.compat import HTTPHeaders

from emulator.errors import ServiceError
from emulator.model import target_prefix

_EVENT = "before-send"
_UNIQUE_ID = "emulator.rekognition-video-fake"
_CONTENT_TYPE = "application/x-amz-json-1.1"
_ANSWERED = "_rekognition_video_fake_answered"
_SEND = "_send"


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
        payload = error.payload()
        headers["x-amzn-ErrorType"] = error.error_type_header()
    # Compact UTF-8, as the service writes it: the collector stores each element's text as it came.
    encoded = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    headers["Content-Length"] = str(len(encoded))
    return status, headers, encoded


def respond(dispatcher: Dispatcher, operation: str, request: AWSPreparedRequest) -> AWSResponse:
    """Answer `request` in-process, as botocore would have received it from the service."""
    status, fields, encoded = answer(dispatcher, operation, _body_of(request))
    # The HTTP server adds its own Date; in-process there is none, so one is added here.
    fields["Date"] = formatdate(usegmt=True)
    headers = HTTPHeaders()
    for name, value in fields.items():
        headers[name] = value
    return AWSResponse(request.url, status, headers, _RawBody(encoded))


class _Router:
    """The active fake, and the botocore patches that reach it while one is active."""

    def __init__(self) -> None:
        self.active: Dispatcher | None = None
        self.lock = threading.Lock()

    def answers(self, request: AWSPreparedRequest) -> str | None:
        """The operation to answer `request` with, or None to leave it alone."""
        if self.active is None or getattr(request, _ANSWERED, False):
            return None
        return operation_of(request)

    def __call__(self, request: AWSPreparedRequest, **_kwargs: Any) -> AWSResponse | None:
        """A before-send handler, for clients given one explicitly with `patch_client`."""
        dispatcher = self.active
        operation = self.answers(request)
        if dispatcher is None or operation is None:
            return None
        # One request must reach the fake once, or a Start would start two jobs.
        setattr(request, _ANSWERED, True)
        return respond(dispatcher, operation, request)


ROUTER = _Router()


class _Patches:
    """What activation changes in botocore and moto, kept so that deactivation can undo it exactly."""

    def __init__(self) -> None:
        self.send: Any = None
        self.moto: tuple[Any, Any] | None = None

    def apply(self) -> None:
        # botocore's stubs do not declare the private method every request goes through.
        original_send = getattr(botocore.endpoint.Endpoint, _SEND)
        self.send = original_send

        def _send(endpoint: botocore.endpoint.Endpoint, request: AWSPreparedRequest) -> Any:
            dispatcher = ROUTER.active
            operation = ROUTER.answers(request)
            if dispatcher is None or operation is None:
                return original_send(endpoint, request)
            setattr(request, _ANSWERED, True)
            return respond(dispatcher, operation, request)

        setattr(botocore.endpoint.Endpoint, _SEND, _send)
        self.quiet_moto()

    def quiet_moto(self) -> None:
        """Keep moto's stubber (a process-wide singleton) from answering the requests the fake answers."""
        models = sys.modules.get("moto.core.models")
        stubber = getattr(models, "botocore_stubber", None)
        if stubber is None or self.moto is not None:
            return
        original = stubber.process_request

        def process_request(request: AWSPreparedRequest) -> Any:
            # Before-send handlers run before Endpoint._send; a Rekognition request the stubber
            # answered would never reach the fake.
            if getattr(request, _ANSWERED, False) or ROUTER.answers(request) is not None:
                return None
            return original(request)

        stubber.process_request = process_request
        self.moto = (stubber, original)

    def undo(self) -> None:
        if self.send is not None:
            setattr(botocore.endpoint.Endpoint, _SEND, self.send)
            self.send = None
        if self.moto is not None:
            stubber, original = self.moto
            stubber.process_request = original
            self.moto = None


_PATCHES = _Patches()


def patch_client(client: botocore.client.BaseClient) -> None:
    """Give one client the router as a before-send handler (not needed: activation reaches every client)."""
    # botocore's stubs type handlers as returning None; before-send handlers may return a response.
    client.meta.events.register_first(_EVENT, ROUTER, unique_id=_UNIQUE_ID)  # type: ignore[arg-type]


def is_active() -> bool:
    return ROUTER.active is not None


@contextmanager
def activated(dispatcher: Dispatcher) -> Iterator[None]:
    """Answer Rekognition requests from `dispatcher` while the block runs; botocore is untouched after."""
    with ROUTER.lock:
        if ROUTER.active is not None:
            raise RuntimeError("another Rekognition fake is already active")
        ROUTER.active = dispatcher
        _PATCHES.apply()
    try:
        yield
    finally:
        with ROUTER.lock:
            ROUTER.active = None
            _PATCHES.undo()
