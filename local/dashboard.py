"""`make dashboard`: the results dashboard and its read API on this machine, no AWS account needed.

moto holds the tables, filled by running the real pipeline (the Rekognition fake included) on
sample uploads; the read API is the deployed Lambda handler, called through an HTTP API stand-in.

    python -m local.dashboard                 # http://127.0.0.1:8000/
    python -m local.dashboard --port 9000

It shows the results of the last `make local` run (its tables.json); only when there are none does it
run the pipeline on sample uploads, and says so.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import threading
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from botocore.exceptions import ClientError
from moto import mock_aws
from video_pipeline.composition import Clients
from video_pipeline.handlers import read_api

from emulator import RekognitionVideoFake
from in_process.environment import provision
from in_process.functions import pipeline_functions
from in_process.harness import PipelineHarness
from local import media as local_media
from local.dashboard_data import DataSource, from_snapshot, run_samples
from local.http_api import DashboardApp, StartResponse, WsgiEnviron

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# Where `make local` leaves its tables (local.run's default --out).
DEFAULT_TABLES = Path("build/local-run/tables.json")


@dataclass
class LocalDashboard:
    app: DashboardApp
    harness: PipelineHarness


def _from_bucket(s3: Any) -> local_media.VideoBytes:
    """The videos in moto's bucket (the sample data's uploads)."""

    def read(bucket: str, key: str) -> bytes | None:
        try:
            return bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        except ClientError:
            return None

    return read


@contextmanager
def local_dashboard(
    source: DataSource = run_samples, videos: local_media.VideoBytes | None = None
) -> Iterator[LocalDashboard]:
    """moto tables filled by `source`, and the dashboard app reading them; only inside the block. The
    videos' bytes for the thumbnails come from `videos`, else from moto's bucket."""
    with mock_aws():
        resources = provision(prefix="local")
        os.environ.update({"AWS_DEFAULT_REGION": resources.region, "POWERTOOLS_TRACE_DISABLED": "1"})
        os.environ.update(resources.environment())
        os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")

        # Built for this moto session: nothing cached by an earlier run can point outside it.
        functions = pipeline_functions(resources.environment())
        fake = RekognitionVideoFake()
        with fake.activate():
            harness = PipelineHarness(
                resources=resources, fake=fake, starter=functions.starter, collector=functions.collector
            )
            # The handlers print CloudWatch EMF metrics to stdout, as Lambda expects; keep them off the console.
            with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
                # Powertools warns about invocations without metrics (a message dropped, a duplicate).
                warnings.filterwarnings("ignore", message="No application metrics to publish")
                source(harness)
            handler = read_api.bind(functions.read_api.app, media=local_media.LocalMediaLinks())
            media = videos or _from_bucket(Clients.new().s3)
            yield LocalDashboard(app=DashboardApp(handler, media=media), harness=harness)


class _Server(ThreadingMixIn, WSGIServer):
    # Threads, so that a browser's idle pre-opened connection cannot block the next request.
    daemon_threads = True


class _RequestHandler(WSGIRequestHandler):
    def get_environ(self) -> dict[str, Any]:
        environ = super().get_environ()
        environ["RAW_URI"] = self.path  # the request target exactly as sent, for `rawPath`
        return environ

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a quiet console: the dashboard prints its URL and nothing per request


def _serialized(app: DashboardApp) -> Any:
    """moto is not built for concurrent requests: one request at a time reaches the handler."""
    lock = threading.Lock()

    def serve(environ: WsgiEnviron, start_response: StartResponse) -> Iterable[bytes]:
        with lock:
            return list(app(environ, start_response))

    return serve


@contextmanager
def serving(app: DashboardApp, host: str = DEFAULT_HOST, port: int = 0) -> Iterator[str]:
    """Serve `app` on a background thread (port 0: any free port); yields the base URL."""
    server = make_server(host, port, _serialized(app), server_class=_Server, handler_class=_RequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="dashboard", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m local.dashboard", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument(
        "--tables",
        type=Path,
        default=DEFAULT_TABLES,
        help=f"a `make local` run's tables.json to show (default {DEFAULT_TABLES}); sample data when it is absent",
    )
    return parser.parse_args(argv)


def choose_source(tables: Path) -> tuple[DataSource, str]:
    """The results of the last local run if there are any; otherwise sample data, said to be samples."""
    if tables.is_file():
        return from_snapshot(tables), f"showing your results from {tables} (the last `make local` run)"
    return run_samples, (
        f"SAMPLE DATA: no results in {tables} yet (run `make local` first); running the pipeline on sample uploads"
    )


def videos_of_run(tables: Path) -> local_media.VideoBytes | None:
    """The files a `make local` run uploaded (its videos.json beside `tables`); None without a run,
    when the sample data's videos are in moto's bucket."""
    return local_media.from_manifest(tables.parent / local_media.VIDEOS_MANIFEST) if tables.is_file() else None


def main(argv: list[str] | None = None) -> int:
    options = _arguments(argv)
    source, origin = choose_source(options.tables)
    print(origin, "...", flush=True)
    with local_dashboard(source, videos_of_run(options.tables)) as dashboard:
        videos = dashboard.harness.repository.recent_videos(limit=100).items
        try:
            with serving(dashboard.app, options.host, options.port) as url:
                kind = ("sample " if source is run_samples else "") + ("video" if len(videos) == 1 else "videos")
                print(f"{len(videos)} {kind} in the local tables.\nDashboard: {url}/   API: {url}/api/videos")
                print("Ctrl+C stops it.", flush=True)
                threading.Event().wait()
        except OSError as error:
            print(f"error: cannot listen on {options.host}:{options.port}: {error.strerror}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
