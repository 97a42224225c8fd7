"""What the read API's route modules share: parameter types, documented errors, and where the reader is.

The resolver (`read_api.app`) and every `Router` included in it see one request context; the handler
puts the request's `ResultsReader` there under `READER_KEY`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, cast

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel

from video_pipeline.logic.reading import ResultsReader
from video_pipeline.read_models import ContentTypeErrorView, ErrorView

VideoId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="32 hex digits")]

NOT_FOUND = (404, "No such video (or analysis of it)")
BAD_REQUEST = (400, "Invalid cursor or time window")

READER_KEY = "reader"


def reader_in(context: Mapping[str, Any]) -> ResultsReader:
    """The reader of the handler serving this request."""
    return cast(ResultsReader, context[READER_KEY])


def error_responses(*errors: tuple[int, str]) -> dict[int, OpenAPIResponse]:
    """The documented error answers, each an `ErrorView` (Powertools adds 422 itself)."""
    return {
        status: {"description": description, "content": {"application/json": {"model": ErrorView}}}
        for status, description in errors
    }


def json_responses(model: type[BaseModel], *errors: tuple[int, str]) -> dict[int, OpenAPIResponse]:
    """The documented answers of a JSON route: its model, the listed errors, and (added by Powertools) 422."""
    answers: dict[int, OpenAPIResponse] = {
        200: {"description": "OK", "content": {"application/json": {"model": model}}}
    }
    return answers | error_responses(*errors)


def json_body_responses(model: type[BaseModel], *errors: tuple[int, str]) -> dict[int, OpenAPIResponse]:
    """A route with a JSON body: its answers, and 415 for a body of another content type."""
    answers = json_responses(model, *(errors or (BAD_REQUEST,)))
    answers[415] = {
        "description": "The body is not JSON",
        "content": {"application/json": {"model": ContentTypeErrorView}},
    }
    return answers
