"""Cold start: import time of each handler module, its first invocation, and the deployed sizes.

    .venv/bin/python -m benchmarks.cold_start [--quick]

Both figures run in a fresh interpreter with the environment a deployed function sees: the stack's
variables and the ones the Lambda service itself sets (LAMBDA_TASK_ROOT among them, which turns
Powertools' Tracer on and makes the X-Ray SDK use its Lambda context instead of building a
centralised sampler it never uses there), importing the code asset as deployed (a copy of lambdas/
without bytecode, none written: Lambda compiles the project's own modules at every cold start).
Median of several runs.

Import: each handler module imported under `python -X importtime`; the figure is the sum of the
top-level imports' cumulative times, so interpreter start-up itself is not counted.

Cold invocation: benchmarks/cold_invocation.py imports the handler and handles one representative
event (starter: one upload's S3 notification; collector: the completion notification of one face
detection job; read API: GET /videos), with AWS answered over HTTP by moto's server and the
Rekognition emulator (in_process/cloud.py) and an X-Ray daemon stand-in counting what the Tracer sends.
Reported: the import and the first invocation, in wall time, and the invocation less the time spent
waiting for those endpoints (whose latency a deployment has too, but which is not the handler's
work). A cost moved from the import to the first invocation shows up in the latter.

The CPU time of each cold process (user + system: interpreter start-up, import, first invocation) is
reported beside the wall times: a loaded machine stretches wall time by however long the process
waits for a core, CPU time much less.

    .venv/bin/python -m benchmarks.cold_start --against REV

compares this checkout's code asset with commit REV's (`git archive`), sample by sample in turn, so
a shared machine's changing load falls on both alike; REV's handlers must run on this checkout's
resources (in_process.environment), as they do when the table layout is unchanged.

Sizes: the code asset (lambdas/, zipped with the stack's excludes; the same for every function) and,
for reference, the Powertools layer's packages as installed here (the layer is AWS's, not deployed by
the stack).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from video_pipeline.contract import Env

ROOT = Path(__file__).resolve().parent.parent
LAMBDAS = ROOT / "lambdas"
HANDLERS = ("starter", "collector", "read_api")
# What the Powertools layer bundles (Powertools, its parser and tracer extras), boto3 aside.
LAYER_PACKAGES = (
    "aws_lambda_powertools",
    "pydantic",
    "pydantic_core",
    "aws_xray_sdk",
    "wrapt",
    "jmespath",
    "typing_extensions.py",
    "annotated_types",
    "typing_inspection",
)
# The stack's variables (infra/constructs/pipeline_function.py and each function's own).
_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_SERVICE_NAME": "rekognition-video-pipeline",
    "POWERTOOLS_METRICS_NAMESPACE": "RekognitionVideoPipeline",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
    Env.JOBS_TABLE: "jobs",
    Env.INPUT_BUCKETS: "videos",
    Env.DETECTIONS_TABLE: "detections",
    Env.TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:AmazonRekognition-x",
    Env.ROLE_ARN: "arn:aws:iam::123456789012:role/x",
    Env.UPLOADS_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/uploads",
    Env.RESULTS_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/results",
    Env.ARCHIVE_BUCKET: "archive",
    Env.JOB_QUOTA: "20",
}
# What the Lambda service sets in every function. Powertools' Tracer is off without LAMBDA_TASK_ROOT,
# and the X-Ray SDK then builds a centralised sampler (two botocore clients, ~130 ms here) that it
# never builds in Lambda: without these the figures measure a process no deployment runs.
_LAMBDA_RUNTIME = {
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
    "AWS_LAMBDA_FUNCTION_NAME": "cold-start",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
    "AWS_LAMBDA_LOG_FORMAT": "JSON",
    "AWS_LAMBDA_LOG_LEVEL": "INFO",
    "AWS_REGION": "us-east-1",
    "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
    "_HANDLER": "handler",
    # A sampled trace, as an invocation under active tracing may be: the Tracer records everything.
    "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
}
EXCLUDED_PARTS = ("__pycache__", "tests", ".pytest_cache", ".mypy_cache")
INVOCATION_SCRIPT = Path(__file__).resolve().parent / "cold_invocation.py"
INVOCATION_MARKER = "COLD-INVOCATION "
EVENTS = {
    "starter": "one upload's S3 notification, 3 jobs started",
    "collector": "one face detection job's notification",
    "read_api": "GET /videos",
}


@dataclass(frozen=True)
class ImportFigures:
    handler: str
    milliseconds: float
    heaviest: list[tuple[str, float]]


@dataclass(frozen=True)
class InvocationFigures:
    handler: str
    import_ms: float
    invoke_ms: float
    # The invocation less the time botocore spent waiting for the endpoints (None: not measurable).
    own_ms: float | None
    aws_requests: int | None
    # X-Ray subsegments the Tracer sent during one invocation: "## handler" and one per AWS call.
    traced: dict[str, int]
    # CPU time (user + system) of the whole cold process: start-up, import, the invocation.
    cpu_ms: float


# Variables of the calling shell (or of another benchmark in the same process: collector_ingest turns
# the Tracer off) that would change what a handler does; the deployed function has none of them.
_NOT_INHERITED = ("AWS_", "POWERTOOLS_", "LAMBDA_", "_X_AMZN_", "_HANDLER", "PYDANTIC_")


def _base_environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if not name.startswith(_NOT_INHERITED)}


_ASSETS: list[tempfile.TemporaryDirectory[str]] = []


@cache
def task_root(lambdas: Path = LAMBDAS) -> Path:
    """The code asset as deployed: `lambdas` without the stack's excludes, so without any .pyc.

    Lambda's /var/task is read-only, so the asset's own modules are compiled at every cold start;
    the measured interpreters may not write bytecode either. (Installed packages keep theirs.)
    """
    _ASSETS.append(tempfile.TemporaryDirectory(prefix="cold-start-task-"))
    root = Path(_ASSETS[-1].name)
    for file in _asset_files([lambdas]):
        target = root / file.relative_to(lambdas)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, target)
    return root


def revision_task_root(revision: str) -> Path:
    """The code asset of commit `revision` of this repository, as `task_root` makes this checkout's."""
    _ASSETS.append(tempfile.TemporaryDirectory(prefix="cold-start-revision-"))
    source = Path(_ASSETS[-1].name)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", revision, "lambdas"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(source, filter="data")
    return task_root(source / "lambdas")


def _lambda_environment(root: Path) -> dict[str, str]:
    return {
        **_LAMBDA_RUNTIME,
        "LAMBDA_TASK_ROOT": str(root),
        "LAMBDA_RUNTIME_DIR": str(root),
        "PYTHONPATH": str(root),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _import_environment(root: Path) -> dict[str, str]:
    return {**_base_environment(), **_ENVIRONMENT, **_lambda_environment(root)}


def _imports(code: str, root: Path) -> list[tuple[int, str, float]]:
    """(depth, module, cumulative ms) of every import made while running `code`, in -X importtime's order."""
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        env=_import_environment(root),
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    entries = []
    for line in completed.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2]
        # One space of indentation is a top-level import, two more per level of nesting.
        entries.append(((len(name) - len(name.lstrip()) + 1) // 2, name.strip(), int(parts[1]) / 1000))
    return entries


def import_time(handler: str, root: Path | None = None) -> tuple[float, list[tuple[str, float]]]:
    """Milliseconds to import one handler module, and the heaviest imports the handler module makes.

    The figure is the sum of the top-level imports' cumulative times (nested ones are inside them).
    """
    root = root or task_root()
    start_up = {name for depth, name, _ in _imports("pass", root) if depth == 1}
    module = f"video_pipeline.handlers.{handler}"
    entries = _imports(f"import {module}", root)
    total = sum(milliseconds for depth, name, milliseconds in entries if depth == 1 and name not in start_up)
    # -X importtime prints a module after its own imports: the handler's are the depth-2 lines before it.
    direct: list[tuple[str, float]] = []
    pending: list[tuple[str, float]] = []
    for depth, name, milliseconds in entries:
        if depth == 2:
            pending.append((name, milliseconds))
        elif depth == 1:
            direct, pending = (pending, []) if name == module else (direct, [])
    return total, sorted(direct, key=lambda entry: -entry[1])[:3]


def measure_imports(runs: int) -> list[ImportFigures]:
    figures = []
    for handler in HANDLERS:
        import_time(handler)  # warms the file cache, as a function's image is before its first start
        samples = [import_time(handler) for _ in range(runs)]
        median = statistics.median(total for total, _ in samples)
        figures.append(ImportFigures(handler, median, samples[0][1]))
    return figures


class _XRayDaemon:
    """A UDP socket standing in for the X-Ray daemon: what the Tracer sent, by subsegment name."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.setblocking(False)
        host, port = self._socket.getsockname()
        self.address = f"{host}:{port}"

    def received(self) -> dict[str, int]:
        """Subsegments sent since the last call: `## handler`, and `aws:<service>` per AWS call."""
        names: Counter[str] = Counter()
        while True:
            try:
                datagram = self._socket.recv(65536)
            except BlockingIOError:
                return dict(names)
            _header, _, body = datagram.decode().partition("\n")
            entity = json.loads(body)
            prefix = "aws:" if entity.get("namespace") == "aws" else ""
            names[prefix + entity["name"]] += 1

    def close(self) -> None:
        self._socket.close()


def _children_cpu_ms() -> float:
    """CPU time (user + system) of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


def _invoke(handler: str, event: Mapping[str, Any], environment: Mapping[str, str], root: Path) -> dict[str, Any]:
    cpu_before = _children_cpu_ms()
    completed = subprocess.run(
        [sys.executable, str(INVOCATION_SCRIPT), handler],
        input=json.dumps(event),
        env=dict(environment),
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith(INVOCATION_MARKER)]
    if not lines:
        raise RuntimeError(f"{handler}: no result\n{completed.stdout}\n{completed.stderr}")
    result: dict[str, Any] = json.loads(lines[-1].removeprefix(INVOCATION_MARKER))
    result["cpu_ms"] = _children_cpu_ms() - cpu_before
    return result


def _check_response(handler: str, response: Any) -> None:
    """A failed invocation is fast for the wrong reason: only successful ones are measured."""
    if handler == "read_api":
        ok = response.get("statusCode") == 200 and json.loads(response["body"]).get("items")
    else:
        ok = response == {"batchItemFailures": []}
    if not ok:
        raise RuntimeError(f"{handler}: unexpected response {response}")


def _one_message_event(
    sqs: Any, queue_url: str, region: str, wanted: Callable[[Mapping[str, Any]], bool]
) -> dict[str, Any]:
    """The SQS event a one-message batch of `queue_url` hands to its function: the next wanted message.

    Messages not wanted (S3's test event, notifications of other analyses) are deleted on the way.
    """
    from in_process.lambda_runtime import to_sqs_event

    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    while True:
        messages = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=1,
            WaitTimeSeconds=5,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            raise RuntimeError(f"no wanted message arrived on {queue_url}")
        event = to_sqs_event(messages, arn, region)
        if wanted(event["Records"][0]):
            return event
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=messages[0]["ReceiptHandle"])


def _is_upload(record: Mapping[str, Any]) -> bool:
    return "ObjectCreated:" in record["body"]


def _is_face_detection(record: Mapping[str, Any]) -> bool:
    envelope = json.loads(record["body"])
    notice = json.loads(envelope["Message"]) if envelope.get("Type") == "Notification" else envelope
    return notice.get("API") in ("FACE_DETECTION", "StartFaceDetection")


@contextlib.contextmanager
def _local_aws(prefix: str) -> Iterator[tuple[Any, Any]]:
    """moto's server and the Rekognition emulator (jobs finish when asked), and the pipeline's resources.

    moto's state outlives its server in this process: each use names its resources with its own `prefix`.
    """
    from in_process.cloud import local_cloud
    from in_process.environment import provision

    with local_cloud(workers=0) as cloud:
        # Every run starts three jobs and none finishes before the collector's turn: no quota waits.
        cloud.fake.concurrent_job_limit = 10_000
        yield cloud, provision(cloud.region, prefix=prefix)


def _upload_events(runs: int, resources: Any) -> list[dict[str, Any]]:
    """One S3 notification per fresh upload, as the starter's queue delivers it."""
    import boto3

    from in_process.harness import sample_video_bytes

    s3 = boto3.client("s3", region_name=resources.region)
    sqs = boto3.client("sqs", region_name=resources.region)
    events = []
    for number in range(runs):
        s3.put_object(Bucket=resources.bucket, Key=f"cold-start/{number}.mp4", Body=sample_video_bytes())
        events.append(_one_message_event(sqs, resources.starter_queue_url, resources.region, _is_upload))
    return events


def _face_notices(runs: int, cloud: Any, resources: Any) -> list[dict[str, Any]]:
    """Completion notifications of face detection jobs the starter's runs started, finished now."""
    import boto3

    sqs = boto3.client("sqs", region_name=resources.region)
    cloud.fake.complete_jobs()
    return [
        _one_message_event(sqs, resources.results_queue_url, resources.region, _is_face_detection) for _ in range(runs)
    ]


_PREFIXES = iter(f"cold{number}" for number in range(1_000_000))


def measure_invocations(runs: int, root: Path | None = None) -> list[InvocationFigures]:
    """Each handler, `runs` times in a fresh interpreter: import it, then handle one event."""
    from in_process.cloud import FAKE_CREDENTIALS
    from local.http_api import http_api_event

    root = root or task_root()
    daemon = _XRayDaemon()
    try:
        with _local_aws(next(_PREFIXES)) as (cloud, resources):
            environment = {
                **_base_environment(),
                **_ENVIRONMENT,
                **resources.environment(job_quota=10_000),
                **_lambda_environment(root),
                **FAKE_CREDENTIALS,
                "AWS_ENDPOINT_URL": cloud.aws_url,
                "AWS_ENDPOINT_URL_REKOGNITION": cloud.rekognition_url,
                "AWS_XRAY_DAEMON_ADDRESS": daemon.address,
            }
            events = {
                "starter": _upload_events(runs, resources),
                "read_api": [http_api_event("GET", "/videos", "limit=20", {}, b"") for _ in range(runs)],
            }
            figures = []
            for handler in HANDLERS:
                if handler == "collector":  # after the starter's runs, which started the jobs
                    events["collector"] = _face_notices(runs, cloud, resources)
                samples, traced = [], {}
                for event in events[handler]:
                    daemon.received()  # whatever an earlier run left
                    result = _invoke(handler, event, {**environment, "POWERTOOLS_SERVICE_NAME": handler}, root)
                    _check_response(handler, result["response"])
                    traced = daemon.received()
                    samples.append(result)
                figures.append(_summarise(handler, samples, traced))
            return figures
    finally:
        daemon.close()


def _summarise(handler: str, samples: list[dict[str, Any]], traced: dict[str, int]) -> InvocationFigures:
    waits = [sample["aws_wait_ms"] for sample in samples]
    own = None if None in waits else statistics.median(s["invoke_ms"] - s["aws_wait_ms"] for s in samples)
    return InvocationFigures(
        handler=handler,
        import_ms=statistics.median(sample["import_ms"] for sample in samples),
        invoke_ms=statistics.median(sample["invoke_ms"] for sample in samples),
        own_ms=own,
        aws_requests=samples[-1]["aws_requests"],
        traced=traced,
        cpu_ms=statistics.median(sample["cpu_ms"] for sample in samples),
    )


def _asset_files(paths: list[Path]) -> list[Path]:
    """The files of `paths` a deployment ships: the stack's asset excludes caches and tests."""
    files = []
    for path in paths:
        for file in [path] if path.is_file() else sorted(path.rglob("*")):
            if file.is_file() and not any(part in EXCLUDED_PARTS for part in file.parts) and file.suffix != ".pyc":
                files.append(file)
    return files


def zipped_size(paths: list[Path], root: Path) -> int:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in _asset_files(paths):
            archive.write(file, file.relative_to(root))
    return len(buffer.getvalue())


def package_sizes() -> dict[str, int]:
    site = Path(next(path for path in sys.path if path.endswith("site-packages")))
    layer = [site / name for name in LAYER_PACKAGES if (site / name).exists()]
    return {
        "code asset (lambdas/)": zipped_size([LAMBDAS], LAMBDAS),
        "Powertools layer (as installed)": zipped_size(layer, site),
    }


def print_cold_start(
    imports: list[ImportFigures], sizes: dict[str, int], invocations: list[InvocationFigures] | None = None
) -> None:
    print("Cold start: handler import time (python -X importtime, median), target < 300 ms")
    for figure in imports:
        heaviest = ", ".join(f"{name} {milliseconds:.0f}" for name, milliseconds in figure.heaviest)
        print(f"  {figure.handler:<10}{figure.milliseconds:>8.0f} ms   heaviest: {heaviest}")
    if invocations:
        print("Cold invocation: fresh interpreter, import then one event (wall time, median)")
        print(
            f"  {'':<10}{'import':>8}{'1st call':>10}{'less AWS':>10}{'CPU':>10}{'requests':>10}"
            "   X-Ray subsegments   event"
        )
        for row in invocations:
            own = "n/a" if row.own_ms is None else f"{row.own_ms:.0f}"
            calls = sum(count for name, count in row.traced.items() if name.startswith("aws:"))
            handler_segments = sum(count for name, count in row.traced.items() if name.startswith("## "))
            print(
                f"  {row.handler:<10}{row.import_ms:>5.0f} ms{row.invoke_ms:>7.0f} ms{own:>7} ms{row.cpu_ms:>7.0f} ms"
                f"{row.aws_requests if row.aws_requests is not None else 'n/a':>10}"
                f"   handler {handler_segments}, AWS {calls:<3}    {EVENTS[row.handler]}"
            )
    print("Deployment package sizes (zipped)")
    for name, size in sizes.items():
        print(f"  {name:<34}{size / 1024:>8.0f} KiB")


def compare(revision: str, runs: int) -> None:
    """This checkout's code asset and `revision`'s, measured in turn, sample by sample."""
    trees = {"this checkout": task_root(), revision: revision_task_root(revision)}
    imports: dict[tuple[str, str], list[float]] = {(tree, h): [] for tree in trees for h in HANDLERS}
    invocations: dict[tuple[str, str], list[InvocationFigures]] = {(tree, h): [] for tree in trees for h in HANDLERS}
    loads = []
    for turn in range(runs):
        order = list(trees) if turn % 2 == 0 else list(reversed(trees))
        for tree in order:
            for handler in HANDLERS:
                imports[tree, handler].append(import_time(handler, trees[tree])[0])
            for figures in measure_invocations(1, trees[tree]):
                invocations[tree, figures.handler].append(figures)
        loads.append(os.getloadavg()[0])
    print(f"Cold start, this checkout against {revision}, in turn, median of {runs}")
    print(f"(load average {min(loads):.1f}-{max(loads):.1f} while measuring)")
    print(f"  {'':<10}{'':<16}{'import':>8}{'import':>8}{'1st call':>10}{'CPU':>8}")
    print(f"  {'':<10}{'':<16}{'-X imp.':>8}{'wall':>8}{'wall':>10}{'process':>8}")
    for handler in HANDLERS:
        for tree in trees:
            rows = invocations[tree, handler]
            print(
                f"  {handler:<10}{tree[:15]:<16}{statistics.median(imports[tree, handler]):>5.0f} ms"
                f"{statistics.median(row.import_ms for row in rows):>5.0f} ms"
                f"{statistics.median(row.invoke_ms for row in rows):>7.0f} ms"
                f"{statistics.median(row.cpu_ms for row in rows):>5.0f} ms"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--against", metavar="REV", help="compare with this commit's code asset, in turn")
    options = parser.parse_args()
    runs = 1 if options.quick else 7
    if options.against:
        compare(options.against, runs)
        return
    print_cold_start(measure_imports(runs), package_sizes(), measure_invocations(runs))


if __name__ == "__main__":
    main()
