"""Read API routes that export a video's shots and technical cues as files: CSV and CMX 3600 EDL.

A Powertools `Router` included by `read_api.app`; the formats are `logic/exports.py`'s.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from video_pipeline.analyses import SEGMENTS
from video_pipeline.handlers.read_api_shared import NOT_FOUND, VideoId, error_responses, reader_in
from video_pipeline.logic.exports import (
    SEGMENT_TYPES,
    ExportError,
    Segment,
    SegmentType,
    Timebase,
    edl_part_count,
    segments_csv,
    segments_edl,
    segments_of,
)
from video_pipeline.logic.reading import InvalidRequestError
from video_pipeline.models import JobStatus
from video_pipeline.read_models import VideoView
from video_pipeline.schema import MAX_TIMESTAMP_MS

# Powertools leaves Router.__init__ unannotated.
router = Router()  # type: ignore[no-untyped-call]

CSV_TYPE = "text/csv; charset=utf-8"
EDL_TYPE = "text/plain; charset=us-ascii"
_NOT_EXPORTABLE = (400, "The video's shot detection has not succeeded, or its frame rate is unknown, or no such part")
_PAGE = 1000
# What each EDL holds, and the word its file name carries.
_EDL_NAMES: dict[SegmentType, str] = {"SHOT": "shots", "TECHNICAL_CUE": "cues"}

SegmentTypeQuery = Annotated[SegmentType | None, Query(description="SHOT or TECHNICAL_CUE; both when absent")]


def _file_responses(media_type: str, description: str) -> dict[int, OpenAPIResponse]:
    bare_type = media_type.split(";", maxsplit=1)[0]
    answer: OpenAPIResponse = {"description": description, "content": {bare_type: {"schema": {"type": "string"}}}}
    return {200: answer} | error_responses(NOT_FOUND, _NOT_EXPORTABLE)


@router.get(
    "/videos/<video_id>/segments.csv",
    summary="The video's shots and technical cues as CSV: timecodes, frame numbers, milliseconds, confidence",
    responses=_file_responses(CSV_TYPE, "CSV, one row per segment, with a header row"),
)
def segments_as_csv(video_id: VideoId, segment_type: SegmentTypeQuery = None) -> Response[str]:
    video, timebase, segments = _segments(video_id, (segment_type,) if segment_type else SEGMENT_TYPES)
    return _attachment(segments_csv(segments, timebase), CSV_TYPE, f"{_stem(video)}-segments.csv")


@router.get(
    "/videos/<video_id>/segments.edl",
    summary="The video's shots (or technical cues) as a CMX 3600 edit decision list, 999 events per part",
    responses=_file_responses(EDL_TYPE, "A CMX 3600 EDL: one cut event per segment"),
)
def segments_as_edl(
    video_id: VideoId,
    segment_type: Annotated[SegmentType, Query(description="SHOT (default) or TECHNICAL_CUE")] = "SHOT",
    part: Annotated[int, Query(ge=1, le=1000, description="Which 999 events: part 2 holds events 1000-1998")] = 1,
) -> Response[str]:
    video, timebase, segments = _segments(video_id, (segment_type,))
    name = _EDL_NAMES[segment_type]
    clip = video.key.rsplit("/", 1)[-1]
    try:
        edl = segments_edl(segments, timebase, title=f"{video.key} {name}", clip=clip, part=part)
    except ExportError as error:
        raise InvalidRequestError(str(error)) from None
    suffix = f"-part{part}" if edl_part_count(segments) > 1 else ""
    return _attachment(edl, EDL_TYPE, f"{_stem(video)}-{name}{suffix}.edl")


def _segments(video_id: str, types: tuple[SegmentType, ...]) -> tuple[VideoView, Timebase, list[Segment]]:
    """The video, its timebase and its segments of `types`; a clear 400 when they cannot be exported."""
    reader = reader_in(router.context)
    video = reader.video(video_id)
    job = next((job for job in video.analyses if job.analysis == SEGMENTS.name), None)
    if job is not None and job.status is not JobStatus.SUCCEEDED:
        raise InvalidRequestError(
            f"the {SEGMENTS.name} analysis of video {video_id} is {job.status.value}, not SUCCEEDED"
        )
    rate = video.metadata.frame_rate if video.metadata else None
    if not rate:
        raise InvalidRequestError(f"the frame rate of video {video_id} is unknown: Rekognition did not report it")
    try:
        timebase = Timebase(rate)
    except ExportError as error:
        raise InvalidRequestError(str(error)) from None
    elements: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:  # a job with no segments analysis is the reader's 404
        page = reader.detections(
            video_id, SEGMENTS.name, start_ms=0, end_ms=MAX_TIMESTAMP_MS, limit=_PAGE, cursor=cursor
        )
        elements += [item.data for item in page.items]
        if not (cursor := page.cursor):
            return video, timebase, segments_of(elements, timebase, types)


def _stem(video: VideoView) -> str:
    """A file name from the video's key: its last part without the extension, in safe characters."""
    name = video.key.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or video.video_id


def _attachment(body: str, content_type: str, filename: str) -> Response[str]:
    return Response(
        status_code=HTTPStatus.OK.value,
        content_type=content_type,
        body=body,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
