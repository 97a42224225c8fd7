"""The backfill's choice of objects, its manifests, its cursor and its dry run, against in-memory ports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from video_pipeline.analyses import CELEBRITIES, FACES, PERSONS
from video_pipeline.logic.backfill import Backfill, ListedObject, Selection
from video_pipeline.logic.manifests import ManifestError, manifest_rows

from tests.unit.test_budget import movie

TEN_MINUTES = movie(600)


def listed(key: str, modified: str = "2026-06-15T10:00:00.000Z", size: int = len(TEN_MINUTES)) -> ListedObject:
    return ListedObject("videos", key, size, f"etag-{key}", None, modified)


@pytest.mark.parametrize(
    ("key", "modified", "wanted"),
    [
        ("library/a.mp4", "2026-06-15T10:00:00.000Z", True),
        ("library/b.MOV", "2026-06-15T10:00:00.000Z", True),
        ("other/a.mp4", "2026-06-15T10:00:00.000Z", False),  # prefix
        ("library/a.txt", "2026-06-15T10:00:00.000Z", False),  # suffix
        ("library/", "2026-06-15T10:00:00.000Z", False),  # a folder marker
        ("library/a.mp4", "2026-05-31T23:59:59.999Z", False),  # before `since`
        ("library/a.mp4", "2026-06-01T00:00:00.000Z", True),  # `since` is inclusive
        ("library/a.mp4", "2026-07-01T00:00:00.000Z", False),  # `until` is exclusive
    ],
)
def test_a_selection_takes_a_prefix_a_date_range_and_video_suffixes(key: str, modified: str, wanted: bool) -> None:
    selection = Selection(
        prefix="library/", since=datetime(2026, 6, 1, tzinfo=UTC), until=datetime(2026, 7, 1, tzinfo=UTC)
    )
    assert selection.wants(listed(key, modified)) is wanted


@dataclass(frozen=True)
class Stored:
    version_id: str | None
    etag: str | None


class Known:
    def __init__(self, *keys: str) -> None:
        self.keys = keys

    def videos_of_object(self, bucket: str, key: str) -> list[Stored]:
        # One named only by its ETag (its event carried no version), one by another version.
        return [Stored(None, listed(key).etag), Stored("v-old", "other")] if key in self.keys else []


class Queue:
    def __init__(self) -> None:
        self.bodies: list[str] = []

    def send_later(self, body: str, *, delay_seconds: int, waits: int | None = None) -> None:
        self.bodies.append(body)


class Objects:
    def __init__(self) -> None:
        self.reads = 0

    def read_range(self, bucket: str, key: str, version_id: str | None, offset: int, length: int) -> bytes:
        self.reads += 1
        return TEN_MINUTES[offset : offset + length]


def backfill(known: Known | None = None) -> tuple[Backfill, Queue, Objects]:
    queue, objects = Queue(), Objects()
    tool = Backfill(videos=known or Known(), uploads=queue, objects=objects, analyses=(FACES, CELEBRITIES, PERSONS))
    return tool, queue, objects


def listing(*keys: str) -> list[tuple[ListedObject, str]]:
    return [(listed(key), key) for key in keys]


def test_known_videos_are_not_sent_again_and_the_rest_go_to_the_uploads_queue() -> None:
    tool, queue, _objects = backfill(Known("a.mp4"))
    report = tool.run(listing("a.mp4", "b.mp4", "c.txt", "d.mov"), Selection())
    assert (report.listed, report.chosen, report.known, report.sent) == (4, 3, 1, 2)
    assert len(queue.bodies) == 2 and '"key":"b.mp4"' in queue.bodies[0]
    assert report.cursor is None  # everything listed


def test_a_limited_run_stops_with_a_cursor_and_resuming_from_it_covers_the_rest_once() -> None:
    keys = ("a.mp4", "b.mp4", "c.mp4")
    tool, queue, _objects = backfill()
    first = tool.run(listing(*keys), Selection(), limit=2)
    assert first.cursor == "b.mp4" and first.sent == 2
    rest = [(item, cursor) for item, cursor in listing(*keys) if cursor > first.cursor]
    second = tool.run(rest, Selection())
    assert second.sent == 1 and second.cursor is None
    assert len(queue.bodies) == 3


def test_a_dry_run_sends_nothing_and_prices_the_minutes_of_each_new_video() -> None:
    tool, queue, objects = backfill(Known("a.mp4"))
    report = tool.run(listing("a.mp4", "b.mp4", "c.mp4"), Selection(), dry_run=True)
    assert queue.bodies == []
    assert report.sent == 2 and report.minutes == 20.0
    assert report.estimated_cost_usd == pytest.approx(20 * 3 * 0.10)
    assert [item.key for item, _minutes in report.would_start] == ["b.mp4", "c.mp4"]
    assert objects.reads > 0


def test_a_batch_operations_manifest_names_bucket_key_and_version_url_encoded() -> None:
    rows = list(manifest_rows(["videos,library/my+clip%C3%A9.mp4,v1\n", "videos,b.mp4\n"]))
    assert [(row.bucket, row.key, row.version_id, row.number) for row in rows] == [
        ("videos", "library/my clipé.mp4", "v1", 1),
        ("videos", "b.mp4", None, 2),
    ]


def test_an_inventory_manifest_skips_old_versions_and_delete_markers_and_resumes_after_a_row() -> None:
    schema = "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag"
    lines = [
        "videos,a.mp4,v2,true,false,100,2026-06-01T00:00:00.000Z,e2\n",
        "videos,a.mp4,v1,false,false,90,2026-05-01T00:00:00.000Z,e1\n",
        "videos,b.mp4,v3,true,true,,,\n",
        "videos,c.mp4,v4,true,false,200,2026-06-02T00:00:00.000Z,e4\n",
    ]
    rows = list(manifest_rows(lines, schema))
    assert [(row.key, row.version_id, row.size, row.etag) for row in rows] == [
        ("a.mp4", "v2", 100, "e2"),
        ("c.mp4", "v4", 200, "e4"),
    ]
    assert [row.key for row in manifest_rows(lines, schema, after=1)] == ["c.mp4"]


@pytest.mark.parametrize(
    ("lines", "schema", "says"),
    [
        (["videos\n"], "Bucket, Key", "manifest row 1: 1 columns"),
        (["videos,a.mp4,big\n"], "Bucket, Key, Size", "manifest row 1: size 'big' is not a number"),
        (["videos,a.mp4\n"], "Key, Size", "lacks Bucket"),
    ],
)
def test_a_manifest_that_cannot_be_read_says_where_in_one_line(lines: list[str], schema: str, says: str) -> None:
    with pytest.raises(ManifestError) as error:
        list(manifest_rows(lines, schema))
    assert says in str(error.value) and "\n" not in str(error.value)
