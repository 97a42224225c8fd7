"""The read side's answers on fixed data, to hold them unchanged across storage layouts.

Two videos with faces, celebrities and persons results, built from the Rekognition fake's element
generators with fixed ids and timestamps (bursts, gaps, shared instants, celebrities seen in both
videos, person indexes that leave and come back), stored the way `make rebuild` stores archived
pages, then read through `PipelineRepository` with several page sizes and time windows.

`answers()` returns every answer in a compact, comparable form (per page: its size, time span and
a digest over its detections' timestamps, ids, labels and canonical JSON data);
`tests/data/read_answers.json` holds the answers the per-detection layout gave (captured with
`python -m tests.read_answers` before the packed layout was written).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from video_pipeline.analyses import CELEBRITIES, FACES, PERSONS, Analysis, EntityScope
from video_pipeline.dal.repository import Detection, Page, PipelineRepository
from video_pipeline.schema import META_SK, job_sk, legacy_detection_sk, video_pk

from emulator.draw import Draw
from emulator.features import face_detail, tracked_box
from emulator.gallery import CELEBRITIES as CAST

GOLDEN = Path(__file__).resolve().parent / "data" / "read_answers.json"
VIDEOS = {
    "a" * 32: ("2026-01-01T00:00:00.000Z", 11),
    "b" * 32: ("2026-01-02T00:00:00.000Z", 22),
}
# Archived page size: small and odd, so windows and runs cross page boundaries.
PAGE = 97
WINDOWS = ((0, 9_999), (10_000, 10_000), (5_123, 27_777), (41_000, 47_000), (0, 10**12 - 1))


def job_id(video_id: str, analysis: str) -> str:
    return f"job-{analysis}-{video_id[:4]}"


def _instants(seed: int) -> Iterator[int]:
    """Sampled instants every 200 ms with a gap (40-50 s) and a long burst at one instant (12 s)."""
    for sample in range(300):
        timestamp = sample * 200
        if 40_000 <= timestamp < 50_000:
            continue
        yield timestamp
        if timestamp == 12_000:
            yield from (timestamp for _ in range(3))


def elements(analysis: Analysis, seed: int, *, five_landmarks: bool = True) -> list[dict[str, Any]]:
    """One video's results. Faces have every attribute; `five_landmarks`: with the five landmarks the
    golden answers were captured with (False: the thirty the service returns with ALL)."""
    result: list[dict[str, Any]] = []
    for sample, timestamp in enumerate(_instants(seed)):
        draw = Draw(seed, analysis.name.__len__(), sample)
        for slot in range(draw.integer(1, 3)):
            box = tracked_box(seed, slot, sample, (1.1, 1.5))
            if analysis is FACES:
                face = face_detail(Draw(seed, 2, sample, slot), box, all_attributes=True, five_landmarks=five_landmarks)
                result.append({"Timestamp": timestamp, "Face": face})
            elif analysis is CELEBRITIES:
                celebrity = CAST[(slot + sample // 50) % len(CAST)]
                detail = {
                    "Urls": list(celebrity.urls),
                    "Name": celebrity.name,
                    "Id": celebrity.id,
                    "Confidence": round(draw.uniform(90.0, 100.0), 4),
                    "Face": face_detail(Draw(seed, 4, sample, slot), box, all_attributes=False),
                    "KnownGender": {"Type": celebrity.gender},
                }
                result.append({"Timestamp": timestamp, "Celebrity": detail})
            else:
                # Index 1 leaves between 20 and 30 s and comes back; one element has no index.
                if slot == 1 and 20_000 <= timestamp < 30_000:
                    continue
                person: dict[str, Any] = {"Index": slot, "BoundingBox": box}
                if sample == 7 and slot == 0:
                    del person["Index"]
                result.append({"Timestamp": timestamp, "Person": person})
    return result


class ArchivedPages:
    """The results archive's reading side, over the generated elements (`respell`: each element
    through it, e.g. with numbers as the service spells them)."""

    def __init__(self, respell: Callable[[Any], Any] | None = None) -> None:
        self._respell = respell

    def pages(self, video_id: str, analysis: str, job: str, result_key: str) -> Iterator[dict[str, Any]]:
        registered = {FACES.name: FACES, CELEBRITIES.name: CELEBRITIES, PERSONS.name: PERSONS}[analysis]
        stream = elements(registered, VIDEOS[video_id][1])
        if self._respell is not None:
            stream = [self._respell(element) for element in stream]
        for start in range(0, len(stream), PAGE):
            yield {result_key: stream[start : start + PAGE]}


def legacy_items(analysis: Analysis, video_id: str, elements: list[dict]) -> list[dict]:
    """The per-detection layout as the collector wrote it before packing: one item per element, and
    the by-entity attributes on every detection of a celebrity or a person."""
    uploaded_at = VIDEOS[video_id][0]
    job = job_id(video_id, analysis.name)
    items = []
    for ordinal, element in enumerate(elements):
        sort_key = legacy_detection_sk(int(element["Timestamp"]), ordinal)
        item = {"pk": job, "sk": sort_key, "ts": element["Timestamp"], "video_id": video_id}
        item["data"] = json.dumps(element, separators=(",", ":"))
        rule = analysis.entity
        identity = rule.identity(element) if rule else None
        if rule and identity is not None:
            account = rule.scope is EntityScope.ACCOUNT
            item["entity"] = f"{rule.prefix}#{identity}" if account else f"{rule.prefix}#{job}#{identity}"
            item["entity_sort"] = f"{uploaded_at}#{video_id}#{sort_key}" if account else sort_key
            if rule.label(element):
                item["label"] = rule.label(element)
        items.append(item)
    return items


def job_items(video_id: str) -> list[dict[str, Any]]:
    """The jobs table's items of one finished video (what the repository and the rebuild read)."""
    uploaded_at, _seed = VIDEOS[video_id]
    base = {"pk": video_pk(video_id), "video_id": video_id, "bucket": "in", "key": f"{video_id[:4]}.mp4"}
    items: list[dict[str, Any]] = [
        {**base, "sk": META_SK, "uploaded_at": uploaded_at, "size": 1000, "analyses": ["faces"]},
    ]
    for analysis in (FACES, CELEBRITIES, PERSONS):
        count = len(elements(analysis, VIDEOS[video_id][1]))
        items.append(
            {
                **base,
                "sk": job_sk(analysis.name),
                "analysis": analysis.name,
                "status": "SUCCEEDED",
                "token": "t",
                "tag": "g",
                "uploaded_at": uploaded_at,
                "started_at": uploaded_at,
                "job_id": job_id(video_id, analysis.name),
                "detection_count": count,
                "engine": "native",
            }
        )
    return items


def _digest(detection: Detection) -> list[Any]:
    data = json.dumps(detection.data, sort_keys=True, separators=(",", ":"))
    return [
        detection.timestamp_ms,
        detection.video_id,
        detection.job_id,
        detection.label,
        hashlib.sha256(data.encode()).hexdigest()[:16],
    ]


def page_answer(digests: list[list[Any]], *, more: bool) -> dict[str, Any]:
    """A page in short: its size, first and last timestamps, and one digest over its detections in order."""
    whole = hashlib.sha256(json.dumps(digests).encode()).hexdigest()[:16]
    span = [digests[0][0], digests[-1][0]] if digests else []
    return {"count": len(digests), "span": span, "digest": whole, "more": more}


def _walk(read: Callable[[str | None], Page[Detection]]) -> list[Any]:
    """Every page of a list, until its cursor runs out: each page's detections and whether it had a cursor."""
    pages: list[Any] = []
    cursor: str | None = None
    while True:
        page = read(cursor)
        pages.append(page_answer([_digest(item) for item in page.items], more=page.cursor is not None))
        cursor = page.cursor
        if cursor is None or len(pages) > 10_000:
            return pages


def answers(repository: PipelineRepository, *, quick: bool = False) -> dict[str, Any]:
    """Every answer; `quick`: only whole lists in pages of 1,000 (no small pages, no time windows)."""
    limits = (1000,) if quick else None
    found: dict[str, Any] = {}
    celebrities: set[str] = set()
    for video_id in VIDEOS:
        found |= _video_answers(repository, video_id, limits or (1000, 61), () if quick else WINDOWS)
        for detection in repository.detections(video_id, CELEBRITIES.name, limit=10_000).items:
            celebrities.add(detection.data["Celebrity"]["Id"])
        indexes = {
            detection.data["Person"]["Index"]
            for detection in repository.detections(video_id, PERSONS.name, limit=10_000).items
            if "Index" in detection.data["Person"]
        }
        for index in sorted(indexes):
            for limit in limits or (1000, 29):
                found[f"{video_id[:4]} track {index} limit={limit}"] = _walk(
                    lambda cursor, index=index, limit=limit, video_id=video_id: repository.person_track(
                        video_id, index, limit=limit, cursor=cursor
                    )
                )
    for celebrity in sorted(celebrities):
        for newest_first in (True, False):
            for limit in limits or (1000, 23):
                found[f"celebrity {celebrity} newest_first={newest_first} limit={limit}"] = _walk(
                    lambda cursor, celebrity=celebrity, newest_first=newest_first, limit=limit: (
                        repository.celebrity_appearances(
                            celebrity, newest_first=newest_first, limit=limit, cursor=cursor
                        )
                    )
                )
    return found


def _video_answers(
    repository: PipelineRepository, video_id: str, limits: tuple[int, ...], windows: tuple[tuple[int, int], ...]
) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for analysis in (FACES, CELEBRITIES, PERSONS):
        name = analysis.name
        for limit in limits:
            found[f"{video_id[:4]} {name} all limit={limit}"] = _walk(
                lambda cursor, name=name, limit=limit: repository.detections(video_id, name, limit=limit, cursor=cursor)
            )
        for low, high in windows:
            found[f"{video_id[:4]} {name} {low}-{high}"] = _walk(
                lambda cursor, name=name, low=low, high=high: repository.detections(
                    video_id, name, start_ms=low, end_ms=high, limit=50, cursor=cursor
                )
            )
    return found


def dump(found: dict[str, Any]) -> str:
    """One answer a line, so a difference shows which answer changed."""
    return "{\n" + ",\n".join(f"{json.dumps(key)}: {json.dumps(found[key])}" for key in sorted(found)) + "\n}\n"


def stored_repository(respell: Callable[[Any], Any] | None = None) -> PipelineRepository:
    """Inside mock_aws: the two videos stored through the rebuild path, and a repository over them."""
    import boto3
    from video_pipeline.dal.detections_store import DetectionsStore
    from video_pipeline.dal.jobs_store import JobsStore
    from video_pipeline.logic.rebuilding import rebuild_video

    from in_process.environment import provision

    resources = provision(prefix="golden")
    dynamodb = boto3.resource("dynamodb", region_name=resources.region)
    jobs_table = dynamodb.Table(resources.jobs_table)
    for video_id in VIDEOS:
        for item in job_items(video_id):
            jobs_table.put_item(Item=item)
    store = DetectionsStore(boto3.client("dynamodb", region_name=resources.region), resources.detections_table)
    for video_id in VIDEOS:
        rebuild_video(video_id, jobs=JobsStore(jobs_table), archive=ArchivedPages(respell), detections=store)
    return PipelineRepository(jobs_table, dynamodb.Table(resources.detections_table))


if __name__ == "__main__":
    from moto import mock_aws

    with mock_aws():
        captured = answers(stored_repository())
    GOLDEN.write_text(dump(captured))
    print(f"{GOLDEN}: {len(captured)} answers")
