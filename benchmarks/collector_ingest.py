"""Collector ingest: throughput of the collector's own processing, write requests, bytes and memory.

    .venv/bin/python -m benchmarks.collector_ingest [--quick] [--analyses labels,text] [--sizes 20000]
                                                    [--service-spelling]

For each analysis of the registry and result size (1k, 10k, 100k, 500k detections; --quick: 1k
and 2k) a fresh
process starts one job through the real starter, lets the in-process Rekognition fake finish it and
runs the real collector handler on its completion notification: Get* pages of 1,000 through boto3
(the fake answers in-process), the archive, the mapping, BatchWriteItem. DynamoDB BatchWriteItem and
S3 PutObject are answered by `DiscardingBackend` (the SDK still builds and serialises every request)
so that memory shows the collector alone; everything else runs on moto. Time is split into:

* mapping: `DetectionPacker` (elements -> packed window and appearance items, compression included);
  tracker: the `labels` engine's result stream;
* building writes: `DetectionsStore.write` less its requests; archive encoding: `put_page` less its
  PutObject; own processing = mapping + building writes (the issue's target, >= 50,000/s per core);
* reading: the gateway's reading of each Get* body (`result_pages.parse_page`, run from a botocore
  hook in place of botocore's own parser); `+read/s` = own processing with reading added;
* SDK: time in boto3 calls less the backends', the fake's and the reading's own time;
  fake: the Rekognition fake producing pages;
* backend: the discarding backend (the deployed latency of DynamoDB and S3 is an assumption of
  benchmarks/cost_model.py: nothing on this machine measures it).

Side by side, in the same run and on the same Get* pages (the fake still holds the job): the same job
collected as a user would otherwise write it, with boto3's `Table.batch_writer()` and with
`Table.put_item` per detection (one item per element: key, timestamp, video, the element as JSON),
each timed as a whole (its Get* calls, botocore's parsing, its mapping and its writes) less the fake's
and the backend's time. The project's figure to compare is its whole handler: own time + reading +
SDK (archive included).

Memory: tracemalloc's peak of Python allocations made during the collector run, less what the fake
still holds at the end (its caches grow with the video: that is the service's memory), in a second
run (tracemalloc slows the code it watches, so the timed run has it off). Figures: docs/performance.md.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import json
import math
import os
import subprocess
import sys
import time
import tracemalloc
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from video_pipeline.analyses import FACE_SEARCH, REGISTRY

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1_000, 10_000, 100_000, 500_000)
# For persons a size counts GetLabelDetection instants, ~2.6 stored detections each, and the fake's
# crowd takes time growing faster than the clip: 200k instants (~515k detections) stand for 500k.
PERSON_INSTANTS = {500_000: 200_000}
QUICK_SIZES = (1_000, 2_000)
# The fake places at most one sampled instant on each frame of the uploaded file, so a job holds no
# more results than the clip's frames allow: the default 10-minute clip (18,000 frames at 30 fps) holds
# 36,000 faces. Larger sizes upload a clip long enough for one result per frame (100k: 56 min, 500k:
# 4.6 h, within Rekognition's 6-hour limit); it is a header without media data (emulator/media.py).
DEFAULT_CLIP_SECONDS = 600.0
CLIP_FPS = 30.0
MAX_CLIP_SECONDS = 6 * 3600.0
# Every analysis of the registry, in its order (faces, celebrities, persons, then the others).
ANALYSES = tuple(REGISTRY)
BATCH_WRITE_LIMIT = 25


@dataclass(frozen=True)
class IngestFigures:
    analysis: str
    detections: int
    stored_items: int  # stored detections
    pages: int
    wall_seconds: float
    mapping_seconds: float
    reading_seconds: float
    tracker_seconds: float
    building_seconds: float
    archive_seconds: float
    handler_own_seconds: float
    sdk_seconds: float
    fake_seconds: float
    backend_seconds: float
    batch_write_requests: int
    dynamodb_requests: int
    other_requests: dict[str, int]
    item_bytes: float
    index_item_share: float
    write_units: float
    archive_bytes: float
    peak_bytes: int | None
    # What a user would otherwise write, on the same pages: name -> seconds, items, write units, requests.
    alternatives: dict[str, dict[str, float]]
    # DynamoDB items written (packed windows and appearances), which the BatchWriteItem floor counts.
    written_items: int = 0

    @property
    def own_rate(self) -> float:
        """Detections per second of the collector's own processing: mapping and building writes."""
        return self.stored_items / max(self.mapping_seconds + self.building_seconds, 1e-9)

    @property
    def rate_with_reading(self) -> float:
        """The same, with the reading of the service's JSON (what botocore's parser did before) added."""
        seconds = self.mapping_seconds + self.building_seconds + self.reading_seconds
        return self.stored_items / max(seconds, 1e-9)

    @property
    def cpu_seconds(self) -> float:
        """The whole handler's CPU: its own time, the reading of the Get* bodies and the SDK's work."""
        return self.handler_own_seconds + self.reading_seconds + self.sdk_seconds

    @property
    def floor_per_1k(self) -> float:
        """BatchWriteItem requests per 1,000 stored detections if every request carried 25 items."""
        return math.ceil(self.written_items / BATCH_WRITE_LIMIT) * 1000 / self.stored_items


def run_one(analysis: str, detections: int, *, trace_memory: bool, service_spelling: bool = False) -> IngestFigures:
    """One job of `detections` results through the real handlers; see the module docstring."""
    from moto import mock_aws

    with mock_aws():
        from in_process.environment import provision

        resources = provision()
        environment = resources.environment(analyses=(analysis,)) | _collection_setting(analysis)
        os.environ.update(environment)
        from emulator import RekognitionVideoFake
        from in_process.functions import pipeline_functions
        from in_process.harness import PipelineHarness

        functions = pipeline_functions(environment)
        starter, collector = functions.starter, functions.collector
        fake = RekognitionVideoFake()
        with fake.activate(), contextlib.redirect_stdout(io.StringIO()):
            if service_spelling:
                fake.handle = _service_spelled(fake.handle)  # type: ignore[method-assign]
            probe = _Probe(collector, fake, resources)
            harness = PipelineHarness(resources=resources, fake=fake, starter=starter, collector=collector)
            if analysis == FACE_SEARCH.name:
                _reference_faces(fake)
            fake.script(resources.bucket, f"{analysis}.mp4", detections=detections)
            harness.upload(f"{analysis}.mp4", clip(detections))
            harness.run_starter()
            harness.complete_jobs()
            return probe.collect(resources, analysis, detections, trace_memory=trace_memory)


# Face search searches the stack's collection: the benchmark's holds three reference faces.
BENCHMARK_COLLECTION = "benchmark-reference-faces"


def _collection_setting(analysis: str) -> dict[str, str]:
    from video_pipeline.contract import Env

    return {Env.FACE_COLLECTION_ID: BENCHMARK_COLLECTION} if analysis == FACE_SEARCH.name else {}


def _reference_faces(fake: Any) -> None:
    fake.handle("CreateCollection", {"CollectionId": BENCHMARK_COLLECTION})
    for name in ("ada", "grace", "alan"):
        # The fake's synthetic finder sees one face in any PNG: its bytes make the person.
        picture = base64.b64encode(b"\x89PNG\r\n\x1a\n" + name.encode()).decode()
        fake.handle(
            "IndexFaces",
            {"CollectionId": BENCHMARK_COLLECTION, "Image": {"Bytes": picture}, "ExternalImageId": name},
        )


def _service_spelled(handle: Any) -> Any:
    """The fake's answers with every number as the service spells it: float32, printed in full
    (the fake prints 6-digit decimals; docs/performance.md, "Packed results", has the evidence)."""
    from benchmarks.packing import service_spelling

    def respelled(operation: str, params: Any) -> Any:
        return service_spelling(handle(operation, params))

    return respelled


def clip_seconds(detections: int) -> float:
    """The default clip, or one with a frame per result when that one is too short to hold them."""
    return min(MAX_CLIP_SECONDS, max(DEFAULT_CLIP_SECONDS, math.ceil(detections / CLIP_FPS)))


def clip(detections: int) -> bytes:
    from emulator.media import sample_video_bytes

    return sample_video_bytes(fps=CLIP_FPS, seconds=clip_seconds(detections))


def _collector_peak() -> int:
    """The traced peak, less what the Rekognition fake still holds: its caches are the service's memory."""
    emulator = str(ROOT / "emulator")
    held = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(True, f"{emulator}/*")])
    return tracemalloc.get_traced_memory()[1] - sum(stat.size for stat in held.statistics("filename"))


class _Probe:
    """Puts timers around the collector's parts and routes its writes to the discarding backend."""

    def __init__(self, collector: Any, fake: Any, resources: Any) -> None:
        import boto3
        from video_pipeline.dal import clients, rekognition
        from video_pipeline.dal.archive import ResultsArchive
        from video_pipeline.dal.detections_store import DetectionsStore
        from video_pipeline.logic import collecting

        from benchmarks.aws_calls import DiscardingBackend, OwnTime

        self.backend = DiscardingBackend()
        self.timers = {
            name: OwnTime() for name in ("mapping", "reading", "tracker", "building", "archive", "handler", "fake")
        }
        self._collector, self._fake, self._collecting, self._gateway = collector, fake, collecting, rekognition
        session = boto3.session.Session()
        dynamodb = session.client("dynamodb", config=clients._DYNAMODB_CONFIG)
        s3 = session.client("s3", config=clients._S3_CONFIG)
        self.backend.attach(dynamodb)
        self.backend.attach(s3)
        self._store = DetectionsStore(dynamodb, resources.detections_table)
        self._archive = ResultsArchive(s3, resources.archive_bucket)

    def collect(self, resources: Any, analysis: str, detections: int, *, trace_memory: bool) -> IngestFigures:
        from benchmarks.aws_calls import api_calls
        from in_process.lambda_runtime import QueuePoller

        collector, collecting, timers = self._collector, self._collecting, self.timers
        with api_calls() as api:
            api.recording = False
            built = collector.app.collector
            built._detections, built._archive = self._store, self._archive
            self._store.write = timers["building"].wrap(self._store.write, api)  # type: ignore[method-assign]
            self._archive.put_page = timers["archive"].wrap(self._archive.put_page, api)  # type: ignore[method-assign]
            mapping, streams = collecting.DetectionPacker, collecting.result_stream
            reading = self._gateway.parse_page
            collecting.DetectionPacker = self._timed_packer(mapping, api)  # type: ignore[misc]
            self._gateway.parse_page = timers["reading"].wrap(reading, api)
            collecting.result_stream = self._timed_streams(streams, api)
            self._fake.handle = timers["fake"].wrap(self._fake.handle, api)
            handler = timers["handler"].wrap(self._recording(collector.handler, api), api)
            poller = QueuePoller(resources.results_queue_url, handler, region=resources.region, batch_size=1)
            if trace_memory:
                tracemalloc.start()
            began = time.perf_counter()
            try:
                poller.drain()
            finally:
                wall = time.perf_counter() - began
                peak = _collector_peak() if trace_memory else None
                tracemalloc.stop()
                collecting.DetectionPacker, collecting.result_stream = mapping, streams  # type: ignore[misc]
                self._gateway.parse_page = reading
            figures = self._figures(api, analysis, detections, wall, peak)
            if not trace_memory:
                alternatives = {name: self._user_written(resources, name, api) for name in ("batch_writer", "put_item")}
                figures = IngestFigures(**{**asdict(figures), "alternatives": alternatives})
        return figures

    def _timed_packer(self, packer: Any, api: Any) -> Any:
        timer = self.timers["mapping"]

        class TimedPacker(packer):  # type: ignore[misc,valid-type]
            pack = timer.wrap(packer.pack, api)
            finish = timer.wrap(packer.finish, api)

        return TimedPacker

    def _user_written(self, resources: Any, style: str, api: Any) -> dict[str, float]:
        """The finished job collected again as a user would write it: every element one item."""
        import boto3
        from video_pipeline.analyses import EVERY_ENGINE

        from benchmarks.aws_calls import cpu_clock

        (job,) = [job for job in self._fake.jobs.values() if job.bucket == resources.bucket]
        analysis = next(entry for entry in EVERY_ENGINE if entry.start_operation == job.api)
        rekognition = boto3.client("rekognition", region_name=resources.region)
        get = getattr(rekognition, _snake(analysis.get_operation))
        dynamodb = boto3.resource("dynamodb", region_name=resources.region)
        self.backend.attach(dynamodb.meta.client)
        table = dynamodb.Table(resources.detections_table)
        backend, fake = self.backend, self.timers["fake"]
        before = (backend.items, backend.write_units, backend.seconds, fake.seconds, api.of("dynamodb"))
        api.recording = True
        began = cpu_clock()
        token, ordinal = None, 0
        while True:
            page = get(
                JobId=job.job_id, MaxResults=1000, **analysis.get_parameters, **({"NextToken": token} if token else {})
            )
            items = []
            for element in page.get(analysis.result_key, []):
                timestamp = int(element.get("Timestamp", 0))
                items.append(
                    {
                        "pk": job.job_id,
                        "sk": f"{timestamp:012d}#{ordinal:08d}",
                        "ts": timestamp,
                        "video_id": job.key,
                        "data": json.dumps(element, default=str),
                    }
                )
                ordinal += 1
            if style == "batch_writer":
                with table.batch_writer() as batch:
                    for item in items:
                        batch.put_item(Item=item)
            else:
                for item in items:
                    table.put_item(Item=item)
            token = page.get("NextToken")
            if not token:
                break
        elapsed = cpu_clock() - began
        api.recording = False
        return {
            "seconds": elapsed - (backend.seconds - before[2]) - (fake.seconds - before[3]),
            "items": float(backend.items - before[0]),
            "write_units": float(backend.write_units - before[1]),
            "requests": float(api.of("dynamodb") - before[4]),
        }

    @staticmethod
    def _recording(handler: Any, api: Any) -> Any:
        """Only the handler's own requests count, not the event source driver's receives and deletes."""

        def recorded(*args: Any) -> Any:
            api.recording = True
            try:
                return handler(*args)
            finally:
                api.recording = False

        return recorded

    def _timed_streams(self, build: Any, api: Any) -> Any:
        timer = self.timers["tracker"]

        def timed_stream(*args: Any, **kwargs: Any) -> Any:
            stream = build(*args, **kwargs)
            stream.feed = timer.wrap(stream.feed, api)
            stream.finish = timer.wrap(stream.finish, api)
            return stream

        return timed_stream

    def _figures(self, api: Any, analysis: str, detections: int, wall: float, peak: int | None) -> IngestFigures:
        timers, backend = self.timers, self.backend
        stored = backend.detections or detections
        # On-demand writes cost one unit per started KB, again for the copy in the by-entity index.
        write_units = backend.write_units
        fake_seconds = timers["fake"].seconds
        backend_seconds = backend.seconds
        # The page reader runs inside the Get* call (a botocore hook): it is the collector's, not the SDK's.
        sdk = api.seconds - fake_seconds - backend_seconds - timers["reading"].seconds
        other = {f"{service}.{operation}": n for (service, operation), n in sorted(api.counts.items())}
        return IngestFigures(
            analysis=analysis,
            detections=detections,
            stored_items=stored,
            pages=api.of("rekognition"),
            wall_seconds=wall,
            mapping_seconds=timers["mapping"].seconds,
            reading_seconds=timers["reading"].seconds,
            tracker_seconds=timers["tracker"].seconds,
            building_seconds=timers["building"].seconds,
            archive_seconds=timers["archive"].seconds,
            handler_own_seconds=timers["handler"].seconds,
            sdk_seconds=sdk,
            fake_seconds=fake_seconds,
            backend_seconds=backend_seconds,
            batch_write_requests=api.of("dynamodb", "BatchWriteItem"),
            dynamodb_requests=api.of("dynamodb"),
            other_requests=other,
            item_bytes=backend.item_bytes / stored,
            index_item_share=backend.indexed_items / stored,
            write_units=float(write_units),
            archive_bytes=backend.object_bytes / stored,
            peak_bytes=peak,
            alternatives={},
            written_items=backend.items,
        )


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")


def measure(
    analysis: str, detections: int, *, trace_memory: bool = False, service_spelling: bool = False
) -> IngestFigures:
    """`run_one` in a fresh interpreter, so that no run inherits another's memory or warm caches."""
    command = [sys.executable, "-m", "benchmarks.collector_ingest", "--one", analysis, str(detections)]
    command += ["--memory"] if trace_memory else []
    command += ["--service-spelling"] if service_spelling else []
    completed = subprocess.run(command, check=True, capture_output=True, text=True)
    return IngestFigures(**json.loads(completed.stdout.strip().splitlines()[-1]))


def ingest_figures(
    sizes: tuple[int, ...], analyses: tuple[str, ...] = ANALYSES, *, service_spelling: bool = False
) -> list[IngestFigures]:
    """Per analysis and size: the timed run, with the peak memory of a traced run; rows print as they come."""
    print("Collector ingest (per job; own = mapping + building writes; times in seconds)")
    print(
        f"{'analysis':<12}{'detections':>11}{'stored':>10}{'own det/s':>11}{'+read/s':>9}{'mapping':>9}{'read':>7}"
        f"{'tracker':>9}{'build':>8}"
        f"{'archive':>9}{'SDK':>8}{'fake':>8}{'backend':>9}{'wall':>8}{'BWI/1k':>8}{'floor/1k':>9}"
        f"{'DDB req':>8}{'B/det':>8}{'WRU/det':>8}{'arch B/det':>11}{'peak MB':>9}"
    )
    results = []
    for analysis in analyses:
        for requested in sizes:
            size = PERSON_INSTANTS.get(requested, requested) if analysis == "persons" else requested
            timed = measure(analysis, size, service_spelling=service_spelling)
            traced = measure(analysis, size, trace_memory=True, service_spelling=service_spelling)
            row = IngestFigures(**{**asdict(timed), "peak_bytes": traced.peak_bytes})
            _print_row(row)
            results.append(row)
    print_side_by_side(results)
    return results


def print_side_by_side(rows: list[IngestFigures]) -> None:
    """The headline: the whole collector's CPU per 1,000 detections, next to what a user would write."""
    print()
    print("Collector, whole handler per 1,000 stored detections, same pages (CPU ms; write units; DynamoDB requests)")
    print(
        f"{'analysis':<12}{'detections':>11}{'pipeline':>10}{'batch_writer':>13}{'put_item':>10}"
        f"{'WRU':>8}{'WRU bw':>8}{'WRU put':>8}{'req':>7}{'req bw':>8}{'req put':>8}{'peak MB':>9}"
    )
    for row in rows:
        users = row.alternatives
        if not users:
            continue
        writer, single = users["batch_writer"], users["put_item"]
        peak = f"{row.peak_bytes / 2**20:.1f}" if row.peak_bytes is not None else "-"
        per_1k = 1000 / row.stored_items
        print(
            f"{row.analysis:<12}{row.detections:>11,}{row.cpu_seconds * 1000 * per_1k:>10.1f}"
            f"{writer['seconds'] * 1e6 / writer['items']:>13.1f}{single['seconds'] * 1e6 / single['items']:>10.1f}"
            f"{row.write_units * per_1k:>8.1f}{writer['write_units'] * 1000 / writer['items']:>8.0f}"
            f"{single['write_units'] * 1000 / single['items']:>8.0f}{row.dynamodb_requests * per_1k:>7.1f}"
            f"{writer['requests'] * 1000 / writer['items']:>8.0f}{single['requests'] * 1000 / single['items']:>8.0f}"
            f"{peak:>9}",
            flush=True,
        )


def _print_row(row: IngestFigures) -> None:
    peak = f"{row.peak_bytes / 2**20:.1f}" if row.peak_bytes is not None else "-"
    print(
        f"{row.analysis:<12}{row.detections:>11,}{row.stored_items:>10,}{row.own_rate:>11,.0f}{row.rate_with_reading:>9,.0f}"
        f"{row.mapping_seconds:>9.2f}{row.reading_seconds:>7.2f}{row.tracker_seconds:>9.2f}{row.building_seconds:>8.2f}"
        f"{row.archive_seconds:>9.2f}{row.sdk_seconds:>8.2f}{row.fake_seconds:>8.2f}{row.backend_seconds:>9.2f}"
        f"{row.wall_seconds:>8.2f}{row.batch_write_requests * 1000 / row.stored_items:>8.1f}{row.floor_per_1k:>9.1f}"
        f"{row.dynamodb_requests:>8}{row.item_bytes:>8.0f}{row.write_units / row.stored_items:>8.2f}"
        f"{row.archive_bytes:>11.0f}{peak:>9}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes, to keep the script working in CI")
    parser.add_argument("--one", nargs=2, metavar=("ANALYSIS", "DETECTIONS"), help=argparse.SUPPRESS)
    parser.add_argument("--memory", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--service-spelling",
        action="store_true",
        help="numbers as the service spells them (float32 in full), not the fake's 6 digits",
    )
    parser.add_argument("--analyses", type=_names, help=f"comma-separated, of {', '.join(ANALYSES)} (default: all)")
    parser.add_argument("--sizes", type=_sizes, help="comma-separated result counts (default: 1k, 10k, 100k, 500k)")
    parser.add_argument("--json", type=Path, help="also write each row as a JSON line here (cost_model.py --rows)")
    arguments = parser.parse_args()
    _quiet_environment()
    if arguments.one:
        analysis, detections = arguments.one[0], int(arguments.one[1])
        figures = run_one(
            analysis, detections, trace_memory=arguments.memory, service_spelling=arguments.service_spelling
        )
        print(json.dumps(asdict(figures)))
        return
    sizes = arguments.sizes or (QUICK_SIZES if arguments.quick else SIZES)
    rows = ingest_figures(sizes, arguments.analyses or ANALYSES, service_spelling=arguments.service_spelling)
    if arguments.json is not None:
        arguments.json.write_text("".join(json.dumps(asdict(row)) + "\n" for row in rows))


def _names(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in ANALYSES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown analyses {unknown}; known: {', '.join(ANALYSES)}")
    return names


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(size) for size in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: write whole numbers, e.g. 1000,20000") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: sizes must be positive")
    return sizes


def _quiet_environment() -> None:
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_LOG_LEVEL": "ERROR",
        "POWERTOOLS_METRICS_DISABLED": "1",
    }.items():
        os.environ.setdefault(name, value)


if __name__ == "__main__":
    main()
