"""The fake behind a socket: Rekognition's JSON 1.1 protocol over HTTP, for any SDK's `endpoint_url`.

    POST /  X-Amz-Target: RekognitionService.<Operation>  body: the request as JSON

Answers come from `RekognitionVideoFake.handle`, exactly as in-process; errors are HTTP 4xx/5xx with
`{"__type": code, "Message": text}`. Requests are not signature-checked: this is a local stand-in.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from emulator.errors import ServiceError
from emulator.intercept import Dispatcher, answer
from emulator.model import target_prefix

_MAX_BODY_BYTES = 16 * 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY_BYTES:
            self._send(*answer(_Refuse("SerializationException", "The request body is too large"), "", None))
            return
        body = self.rfile.read(length) if length else b""
        target = self.headers.get("X-Amz-Target") or ""
        prefix = f"{target_prefix()}."
        if not target.startswith(prefix):
            refusal = _Refuse("UnknownOperationException", f"X-Amz-Target must name {prefix}<Operation>")
            self._send(*answer(refusal, "", body))
            return
        self._send(*answer(self.server.dispatcher, target[len(prefix) :], body))

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None  # one line per request would bury the local run's own output


class _Refuse:
    """A dispatcher that answers every request with one error (for requests that name no operation)."""

    def __init__(self, code: str, message: str) -> None:
        self.code, self.message = code, message

    def handle(self, operation: str, params: Any) -> dict[str, Any]:
        raise ServiceError(self.code, self.message, 400)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], dispatcher: Dispatcher) -> None:
        super().__init__(address, _Handler)
        self.dispatcher = dispatcher


class RekognitionEndpoint:
    """Serve `dispatcher` on host:port (port 0 picks a free one) in a background thread."""

    def __init__(self, dispatcher: Dispatcher, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _Server((host, port), dispatcher)
        self._thread = threading.Thread(target=self._server.serve_forever, name="rekognition-endpoint", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> RekognitionEndpoint:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> RekognitionEndpoint:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
