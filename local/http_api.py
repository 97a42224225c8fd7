"""A WSGI stand-in for API Gateway HTTP API and CloudFront: the read API and the dashboard on one origin.

Requests under `/api/` become HTTP API payload v2 events for the very Lambda handler the stack
deploys; everything else is a file of `dashboard/`, plus the runtime `config.json` that the stack
writes next to the page in a deployment.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

from in_process.lambda_runtime import FakeLambdaContext
from local import media as local_media

DASHBOARD_DIR = Path(__file__).resolve().parent.parent / "dashboard"
API_PREFIX = "/api"

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]
StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WsgiEnviron = Mapping[str, Any]


def http_api_event(
    method: str, path: str, query_string: str, headers: Mapping[str, str], body: bytes
) -> dict[str, Any]:
    """The HTTP API (payload format 2.0) event a `$default` route passes to its Lambda integration."""
    now = time.time()
    query: dict[str, list[str]] = {}
    for name, value in parse_qsl(query_string, keep_blank_values=True):
        query.setdefault(name, []).append(value)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query_string,
        "headers": {name.lower(): value for name, value in headers.items()},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": "localhost",
            "domainPrefix": "localhost",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }
    if query:
        # HTTP API joins repeated parameters with commas.
        event["queryStringParameters"] = {name: ",".join(values) for name, values in query.items()}
    if body:
        event["body"] = body.decode("utf-8", errors="replace")
    return event


@dataclass
class DashboardApp:
    """The WSGI application: `handler` answers `/api/...`, `static_dir` the rest."""

    handler: LambdaHandler
    runtime_config: dict[str, Any] = field(default_factory=lambda: {"apiUrl": API_PREFIX, "auth": None})
    static_dir: Path = DASHBOARD_DIR
    # The videos' bytes, for the read API's media links (`local/media.py`); none: links lead nowhere.
    media: local_media.VideoBytes | None = None

    def __call__(self, environ: WsgiEnviron, start_response: StartResponse) -> Iterable[bytes]:
        path = raw_path(environ)
        if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
            status, headers, body = self._api(environ, path[len(API_PREFIX) :] or "/")
        elif self.media is not None and path.startswith(local_media.MEDIA_PREFIX + "/"):
            status, headers, body = local_media.answer(self.media, path, environ.get("HTTP_RANGE"))
        elif path == "/config.json":
            status, headers, body = _json(HTTPStatus.OK, self.runtime_config)
        else:
            status, headers, body = self._static(path)
        start_response(f"{status.value} {status.phrase}", [*headers, ("Content-Length", str(len(body)))])
        return [body]

    def _api(self, environ: WsgiEnviron, path: str) -> tuple[HTTPStatus, list[tuple[str, str]], bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {
            key[5:].replace("_", "-").lower(): str(value) for key, value in environ.items() if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = str(environ["CONTENT_TYPE"])
        event = http_api_event(
            environ.get("REQUEST_METHOD", "GET"), path, environ.get("QUERY_STRING", ""), headers, body
        )
        response = self.handler(event, FakeLambdaContext(function_name="read-api"))
        payload = response.get("body") or ""
        raw = base64.b64decode(payload) if response.get("isBase64Encoded") else payload.encode()
        return HTTPStatus(response["statusCode"]), list(response.get("headers", {}).items()), raw

    def _static(self, path: str) -> tuple[HTTPStatus, list[tuple[str, str]], bytes]:
        root = self.static_dir.resolve()
        target = (root / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        # Refuse anything outside the dashboard directory (`..` in the path).
        if not target.is_relative_to(root) or not target.is_file():
            return _json(HTTPStatus.NOT_FOUND, {"statusCode": 404, "message": f"no file {path}"})
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return HTTPStatus.OK, [("Content-Type", content_type), ("Cache-Control", "no-cache")], target.read_bytes()


def raw_path(environ: WsgiEnviron) -> str:
    """The path as the client sent it, still percent-encoded, as HTTP API puts it in `rawPath`.

    WSGI decodes PATH_INFO, which would turn an encoded `/` inside a path parameter into a separator;
    servers that keep the raw request target pass it as RAW_URI.
    """
    raw = environ.get("RAW_URI")
    if raw:
        return str(raw).split("?", 1)[0]
    return quote(str(environ.get("PATH_INFO") or "/").encode("latin-1"), safe="/:@!$&'()*+,;=-._~")


def _json(status: HTTPStatus, value: Any) -> tuple[HTTPStatus, list[tuple[str, str]], bytes]:
    return status, [("Content-Type", "application/json")], json.dumps(value).encode()
