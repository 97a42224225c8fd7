"""The export routes' refusals, on a stand-in reader: a shot list that is not ready, a rate not known,
and a video over 999 shots exported in parts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from video_pipeline.handlers import read_api
from video_pipeline.models import JobStatus
from video_pipeline.read_models import DetectionPage, DetectionView, JobView, ProgressView, VideoMetadataView, VideoView

from in_process.lambda_runtime import FakeLambdaContext
from local.http_api import http_api_event

VIDEO_ID = "a" * 32


class StubReader:
    """Just what the export routes ask of a `ResultsReader`: the video, and its segments a page at a time."""

    def __init__(self, status: JobStatus, frame_rate: float | None, shots: int = 3) -> None:
        self.status, self.frame_rate, self.shots = status, frame_rate, shots

    def video(self, video_id: str) -> VideoView:
        job = JobView(analysis="segments", status=self.status, started_at="2026-12-01T00:00:00Z")
        return VideoView(
            video_id=video_id,
            bucket="videos",
            key="archive/long take.mov",
            uploaded_at="2026-12-01T00:00:00Z",
            size=1,
            analyses=[job],
            progress=ProgressView(finished=1, total=1),
            metadata=VideoMetadataView(frame_rate=self.frame_rate),
        )

    def detections(self, video_id: str, analysis: str, *, cursor: str | None, limit: int, **_: Any) -> DetectionPage:
        first = int(cursor or 0)
        last = min(first + limit, self.shots)
        items = [self._shot(video_id, index) for index in range(first, last)]
        return DetectionPage(items=items, cursor=str(last) if last < self.shots else None)

    @staticmethod
    def _shot(video_id: str, index: int) -> DetectionView:
        element = {
            "Type": "SHOT",
            "StartTimestampMillis": index * 100,
            "EndTimestampMillis": index * 100 + 80,
            "StartFrameNumber": index * 3,
            "EndFrameNumber": index * 3 + 2,
            "ShotSegment": {"Index": index, "Confidence": 90.0},
        }
        return DetectionView(timestamp_ms=index * 100, video_id=video_id, job_id="j", data=element)


def call(reader: StubReader, route: str, query: str = "") -> dict[str, Any]:
    handler = read_api.bind(reader)  # type: ignore[arg-type]
    return handler(http_api_event("GET", f"/videos/{VIDEO_ID}/{route}", query, {}, b""), FakeLambdaContext())


@pytest.mark.parametrize(
    ("reader", "message"),
    [
        (StubReader(JobStatus.IN_PROGRESS, 25.0), "segments analysis of video aaaa"),
        (StubReader(JobStatus.SUCCEEDED, None), "frame rate of video"),
        (StubReader(JobStatus.SUCCEEDED, 5000.0), "between 0 and 1000 frames per second"),
    ],
)
@pytest.mark.parametrize("route", ["segments.csv", "segments.edl"])
def test_what_is_not_ready_or_not_known_is_a_400_that_says_so(reader: StubReader, message: str, route: str) -> None:
    response = call(reader, route)
    assert response["statusCode"] == 400
    assert message in json.loads(response["body"])["message"]


def test_a_video_over_999_shots_is_exported_in_parts_read_page_by_page() -> None:
    reader = StubReader(JobStatus.SUCCEEDED, 25.0, shots=2500)
    parts = [call(reader, "segments.edl", f"part={part}") for part in (1, 2, 3)]
    assert [part["headers"]["Content-Disposition"] for part in parts] == [
        f'attachment; filename="long_take-shots-part{number}.edl"' for number in (1, 2, 3)
    ]
    events = [sum(line[:3].isdigit() for line in part["body"].split("\r\n")) for part in parts]
    assert events == [999, 999, 502]
    assert parts[2]["body"].startswith("TITLE: archive/long take.mov shots (part 3 of 3)")
    assert call(reader, "segments.edl", "part=4")["statusCode"] == 400
    rows = call(reader, "segments.csv")["body"].split("\r\n")
    assert len([row for row in rows if row]) == 2500 + 1
