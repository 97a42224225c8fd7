"""Read API Lambda (API Gateway HTTP API): the dashboards' view of the jobs and detections tables.

Powertools validates every parameter against the route signatures below and generates the OpenAPI
document (`docs/openapi.json`, rebuilt with `make openapi`) from the same signatures.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any, cast

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from video_pipeline.analyses import REGISTRY
from video_pipeline.composition import Clients
from video_pipeline.composition.reader import build_reader
from video_pipeline.dal.repository import InvalidCursorError
from video_pipeline.handlers import Handler, LazyFunction, finish_loading
from video_pipeline.handlers.observability import logger, tracer
from video_pipeline.logic.reading import InvalidRequestError, ResultsReader, UnknownResourceError
from video_pipeline.models import JobStatus
from video_pipeline.read_models import DetectionPage, ErrorView, JobPage, VideoPage, VideoView
from video_pipeline.schema import MAX_TIMESTAMP_MS
from video_pipeline.settings import ReadApiSettings

API_TITLE = "Rekognition Video pipeline read API"
API_VERSION = "1.0.0"

VideoId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="32 hex digits")]
AnalysisName = Annotated[str, Path(pattern=f"^({'|'.join(REGISTRY)})$", description=", ".join(REGISTRY))]
CelebrityId = Annotated[str, Path(pattern=r"^[A-Za-z0-9]{1,64}$", description="Rekognition celebrity Id")]
PersonIndex = Annotated[int, Path(ge=0, le=1_000_000, description="Person index within the video")]
Cursor = Annotated[str | None, Query(max_length=4096, description="The `cursor` of the previous page")]
Milliseconds = Annotated[int, Query(ge=0, le=MAX_TIMESTAMP_MS)]

_NOT_FOUND = (404, "No such video (or analysis of it)")
_BAD_REQUEST = (400, "Invalid cursor or time window")


def _responses(model: type[BaseModel], *errors: tuple[int, str]) -> dict[int, OpenAPIResponse]:
    """The documented answers of a route: its model, the listed errors, and (added by Powertools) 422."""
    answers: dict[int, OpenAPIResponse] = {
        200: {"description": "OK", "content": {"application/json": {"model": model}}}
    }
    for status, description in errors:
        answers[status] = {"description": description, "content": {"application/json": {"model": ErrorView}}}
    return answers


app = APIGatewayHttpResolver(enable_validation=True)


_READER = "reader"


def results_reader() -> ResultsReader:
    """The reader of the handler serving this request (see `bind`)."""
    return cast(ResultsReader, app.context[_READER])


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


def bind(reader: ResultsReader) -> Handler:
    """The read API's handler on an explicit reader (Lambda builds it from its environment)."""

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
    @tracer.capture_lambda_handler
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        # The resolver clears its context after each request: the routes find this handler's reader there.
        app.context[_READER] = reader
        return app.resolve(event, context)

    return handler


# The Lambda entry point. Settings are read on the first request, so the OpenAPI document can be
# built without them.
handler = LazyFunction(lambda: build_reader(ReadApiSettings.from_environment(), Clients.default()), bind)


# Last: see video_pipeline/handlers/__init__.py.
finish_loading()
