"""Read API Lambda (API Gateway HTTP API): the dashboards' view of the jobs and detections tables.

Powertools validates every parameter against the route signatures below and generates the OpenAPI
document (`docs/openapi.json`, rebuilt with `make openapi`) from the same signatures.
"""

from __future__ import annotations

from datetime import UTC, datetime
from http import HTTPStatus
from typing import Annotated, Any, cast

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from video_pipeline.analyses import REGISTRY, EntityScope
from video_pipeline.composition import Clients
from video_pipeline.composition.reader import (
    build_library_desk,
    build_media_links,
    build_reader,
    build_reference_faces,
)
from video_pipeline.contract import DEFAULT_VIDEO_SUFFIXES
from video_pipeline.dal.repository import InvalidCursorError
from video_pipeline.handlers import Handler, LazyFunction, export_routes, face_routes, finish_loading, media_routes
from video_pipeline.handlers.observability import logger, tracer
from video_pipeline.handlers.read_api_shared import (
    BAD_REQUEST,
    NOT_FOUND,
    READER_KEY,
    VideoId,
    json_body_responses,
    json_responses,
    reader_in,
)
from video_pipeline.logic import operators
from video_pipeline.logic.backfill import Selection
from video_pipeline.logic.identity import video_id
from video_pipeline.logic.library_desk import LibraryDesk
from video_pipeline.logic.ports import MediaLinksPort
from video_pipeline.logic.reading import InvalidRequestError, ResultsReader, UnknownResourceError
from video_pipeline.logic.reanalysis import ReanalysisError, run_name
from video_pipeline.logic.reference_faces import ReferenceFaces
from video_pipeline.models import JobStatus
from video_pipeline.read_models import (
    BackfillRequest,
    BackfillView,
    ContentTypeErrorView,
    DetectionPage,
    ErrorView,
    JobPage,
    ReanalysisRequest,
    ReanalysisView,
    VideoPage,
    VideoView,
)
from video_pipeline.schema import MAX_TIMESTAMP_MS
from video_pipeline.settings import ReadApiSettings

API_TITLE = "Rekognition Video pipeline read API"
API_VERSION = "1.0.0"

AnalysisName = Annotated[str, Path(pattern=f"^({'|'.join(REGISTRY)})$", description=", ".join(REGISTRY))]
# Analyses whose identities hold across videos: a celebrity, a label name, a moderation category, a
# reference face's name (face search).
_ACROSS_VIDEOS = [
    name for name, entry in REGISTRY.items() if entry.entity and entry.entity.scope is EntityScope.ACCOUNT
]
AcrossVideos = Annotated[str, Path(pattern=f"^({'|'.join(_ACROSS_VIDEOS)})$", description=", ".join(_ACROSS_VIDEOS))]
Identity = Annotated[
    str,
    Path(
        min_length=1,
        max_length=256,
        description="A label name, a moderation category, a celebrity Id or a reference face's name (face search)",
    ),
]
CelebrityId = Annotated[str, Path(pattern=r"^[A-Za-z0-9]{1,64}$", description="Rekognition celebrity Id")]
PersonIndex = Annotated[int, Path(ge=0, le=1_000_000, description="Person index within the video")]
Cursor = Annotated[str | None, Query(max_length=4096, description="The `cursor` of the previous page")]
Milliseconds = Annotated[int, Query(ge=0, le=MAX_TIMESTAMP_MS)]

# The short names the routes below use (shared with the other route modules through read_api_shared).
_NOT_FOUND, _BAD_REQUEST, _responses = NOT_FOUND, BAD_REQUEST, json_responses

app = APIGatewayHttpResolver(enable_validation=True)
# The shot list exports (CSV, CMX 3600 EDL) and the reference faces: their own modules, one router each.
app.include_router(export_routes.router)
app.include_router(face_routes.router)
app.include_router(media_routes.router)


_DESK = "library desk"


def results_reader() -> ResultsReader:
    """The reader of the handler serving this request (see `bind`)."""
    return reader_in(app.context)


def library_desk() -> LibraryDesk:
    """The backfill and re-analysis of the handler serving this request, where it has them (see `bind`)."""
    desk = app.context.get(_DESK)
    if desk is None:
        raise InvalidRequestError("backfill and re-analysis are not configured where this API runs")
    return cast(LibraryDesk, desk)


@app.get(
    "/videos",
    summary="Recent videos, newest first, with each analysis' status",
    responses=_responses(VideoPage, _BAD_REQUEST),
)
def list_videos(limit: Annotated[int, Query(ge=1, le=100)] = 20, cursor: Cursor = None) -> VideoPage:
    return results_reader().videos(limit=limit, cursor=cursor)


@app.get(
    "/videos/<video_id>",
    summary="One video: metadata, jobs, counts, errors",
    responses=_responses(VideoView, _NOT_FOUND),
)
def get_video(video_id: VideoId) -> VideoView:
    return results_reader().video(video_id)


@app.get(
    "/videos/<video_id>/analyses/<analysis>/detections",
    summary="One analysis' detections of a video in a time window, in time order",
    responses=_responses(DetectionPage, _NOT_FOUND, _BAD_REQUEST),
)
def list_detections(
    video_id: VideoId,
    analysis: AnalysisName,
    *,
    start_ms: Milliseconds = 0,
    end_ms: Milliseconds = MAX_TIMESTAMP_MS,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    cursor: Cursor = None,
) -> DetectionPage:
    return results_reader().detections(video_id, analysis, start_ms=start_ms, end_ms=end_ms, limit=limit, cursor=cursor)


@app.get(
    "/videos/<video_id>/persons/<person_index>",
    summary="The track of one person within a video",
    responses=_responses(DetectionPage, _NOT_FOUND, _BAD_REQUEST),
)
def person_track(
    video_id: VideoId,
    person_index: PersonIndex,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    cursor: Cursor = None,
) -> DetectionPage:
    return results_reader().person_track(video_id, person_index, limit=limit, cursor=cursor)


@app.get(
    "/celebrities/<celebrity_id>/appearances",
    summary="Every appearance of a celebrity across videos, newest video first",
    responses=_responses(DetectionPage, _BAD_REQUEST),
)
def celebrity_appearances(
    celebrity_id: CelebrityId,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    cursor: Cursor = None,
) -> DetectionPage:
    return results_reader().celebrity_appearances(celebrity_id, limit=limit, cursor=cursor)


@app.get(
    "/analyses/<analysis>/appearances/<identity>",
    summary="Every appearance of a label, a moderation category, a celebrity or a reference face across videos, "
    "newest video first",
    responses=_responses(DetectionPage, _BAD_REQUEST),
)
def appearances(
    analysis: AcrossVideos,
    identity: Identity,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    cursor: Cursor = None,
) -> DetectionPage:
    return results_reader().appearances(analysis, identity, limit=limit, cursor=cursor)


@app.get(
    "/jobs",
    summary="Jobs still in a status after a given age, oldest first",
    responses=_responses(JobPage, _BAD_REQUEST),
)
def stuck_jobs(
    status: Annotated[JobStatus, Query()],
    older_than_minutes: Annotated[int, Query(ge=0, le=525_600)] = 60,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Cursor = None,
) -> JobPage:
    return results_reader().stuck_jobs(status, older_than_minutes=older_than_minutes, limit=limit, cursor=cursor)


@app.post(
    "/reanalyses",
    summary="Re-run chosen analyses of chosen videos; readers see the old results until the new are complete",
    responses=json_body_responses(ReanalysisView),
)
def reanalyse(request: ReanalysisRequest) -> ReanalysisView:
    run = request.run or run_name(datetime.now(UTC))
    try:
        queued = library_desk().reanalyse(request.video_ids, request.analyses, run)
    except ReanalysisError as error:
        raise InvalidRequestError(str(error)) from None
    return ReanalysisView(run=run, queued=[video_id(upload) for upload in queued])


@app.post(
    "/backfills",
    summary="One step of a backfill of videos already in the input bucket (call again with the cursor)",
    responses=json_body_responses(BackfillView),
)
def backfill(request: BackfillRequest) -> BackfillView:
    selection = Selection(
        prefix=request.prefix,
        since=_instant("since", request.since),
        until=_instant("until", request.until),
        suffixes=tuple(request.suffixes) if request.suffixes else DEFAULT_VIDEO_SUFFIXES,
    )
    report = library_desk().backfill_step(
        selection, cursor=request.cursor, limit=request.limit, dry_run=request.dry_run
    )
    return BackfillView(
        listed=report.listed,
        chosen=report.chosen,
        known=report.known,
        sent=report.sent,
        minutes=round(report.minutes, 2),
        estimated_cost_usd=round(report.estimated_cost_usd, 2),
        cursor=report.cursor,
    )


def _instant(name: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidRequestError(f"{name}: {value!r} is not an ISO 8601 date or time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _error(status: HTTPStatus, message: str) -> Response[Any]:
    body = ErrorView(statusCode=status.value, message=message).model_dump()
    return Response(status_code=status.value, content_type=content_types.APPLICATION_JSON, body=body)


def _answer_problem(error: Exception) -> Response[Any]:
    """A clear 4xx for bad input: which parameter is wrong and why, without echoing the input back."""
    if isinstance(error, RequestValidationError):
        detail = [{"loc": list(item["loc"]), "msg": item["msg"], "type": item["type"]} for item in error.errors()]
        body = {"statusCode": HTTPStatus.UNPROCESSABLE_ENTITY.value, "detail": detail}
        return Response(
            status_code=HTTPStatus.UNPROCESSABLE_ENTITY.value, content_type=content_types.APPLICATION_JSON, body=body
        )
    status = HTTPStatus.NOT_FOUND if isinstance(error, UnknownResourceError) else HTTPStatus.BAD_REQUEST
    return _error(status, str(error))


# Registered by call rather than as a decorator: Powertools' decorator is untyped and would erase the types.
app.exception_handler([RequestValidationError, UnknownResourceError, InvalidRequestError, InvalidCursorError])(
    _answer_problem
)


@app.not_found
def _no_route(_missing: Exception) -> Response[Any]:
    return _error(HTTPStatus.NOT_FOUND, f"no route {app.current_event.http_method} {app.current_event.path}")


def _refuse_non_operator(event: dict[str, Any], operators_group: str) -> dict[str, Any] | None:
    """The 403 for a changing route called by a user outside the operators group."""
    reason = operators.refusal(event, operators_group)
    if reason is None:
        return None
    return _answered_early(HTTPStatus.FORBIDDEN, ErrorView(statusCode=HTTPStatus.FORBIDDEN.value, message=reason))


def _answered_early(status: HTTPStatus, body: BaseModel) -> dict[str, Any]:
    """An HTTP API answer given before the resolver runs."""
    return {
        "statusCode": status.value,
        "headers": {"Content-Type": content_types.APPLICATION_JSON},
        "body": body.model_dump_json(),
        "isBase64Encoded": False,
    }


def _refuse_body_not_json(event: dict[str, Any]) -> dict[str, Any] | None:
    """The 415 for a body declared as anything but JSON, answered before Powertools parses it: it fails
    with a server error on some (`multipart/form-data` without a boundary), and the routes take JSON only."""
    headers = {str(name).lower(): str(value) for name, value in (event.get("headers") or {}).items()}
    declared = headers.get("content-type", "").split(";")[0].strip().lower()
    if not event.get("body") or declared in ("", "application/json") or declared.endswith("+json"):
        return None
    detail = [{"loc": ["body"], "type": "unsupported_content_type"}]
    body = ContentTypeErrorView(statusCode=HTTPStatus.UNSUPPORTED_MEDIA_TYPE.value, detail=detail)
    return _answered_early(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, body)


def openapi_document() -> str:
    """The OpenAPI document of this API, as committed in docs/openapi.json."""
    # Only `make openapi` and its test build the document: Powertools imports its OpenAPI models (a
    # hundred pydantic classes, ~70 ms to define) for this alone, so requests never pay for them.
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer  # noqa: PLC0415

    return app.get_openapi_json_schema(
        title=API_TITLE,
        version=API_VERSION,
        description=(
            "Read-only access to the pipeline's results (access patterns 1-6 of docs/data-model.md). "
            "Deployed behind an HTTP API JWT authorizer: send a Cognito access token as a bearer token."
        ),
        security_schemes={"cognito": HTTPBearer(bearerFormat="JWT")},
        security=[{"cognito": []}],
    )


def bind(
    reader: ResultsReader,
    desk: LibraryDesk | None = None,
    faces: ReferenceFaces | None = None,
    operators_group: str = "",
    media: MediaLinksPort | None = None,
) -> Handler:
    """The read API's handler on an explicit reader, and the library routes' desk and the reference faces
    where the deployment has them (Lambda builds them from its environment). With `operators_group`,
    only that Cognito group's members may call the routes that change the library. `media` makes the
    links to the videos themselves (presigned S3 URLs on AWS, the local dashboard's own address there)."""

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
    @tracer.capture_lambda_handler
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        # The resolver clears its context after each request: the routes find this handler's reader there.
        refused = _refuse_non_operator(event, operators_group) or _refuse_body_not_json(event)
        if refused is not None:
            return refused
        app.context[READER_KEY] = reader
        app.context[_DESK] = desk
        app.context[face_routes.CONTEXT_KEY] = faces
        app.context[media_routes.CONTEXT_KEY] = media
        return app.resolve(event, context)

    return handler


# The Lambda entry point. Settings are read on the first request, so the OpenAPI document can be
# built without them.
def _build() -> tuple[ResultsReader, LibraryDesk | None, ReferenceFaces | None, str, MediaLinksPort]:
    settings, clients = ReadApiSettings.from_environment(), Clients.default()
    return (
        build_reader(settings, clients),
        build_library_desk(settings, clients),
        build_reference_faces(settings, clients),
        settings.operators_group,
        build_media_links(clients),
    )


handler = LazyFunction(_build, lambda built: bind(*built))


# Last: see video_pipeline/handlers/__init__.py.
finish_loading()
