"""The documented answers of the read API's routes, shared by `read_api` and its routers."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel

from video_pipeline.read_models import ContentTypeErrorView, ErrorView

NOT_FOUND = (404, "No such video (or analysis of it)")
BAD_REQUEST = (400, "Invalid cursor or time window")


def responses(model: type[BaseModel], *errors: tuple[int, str]) -> dict[int, OpenAPIResponse]:
    """The documented answers of a route: its model, the listed errors, and (added by Powertools) 422."""
    answers: dict[int, OpenAPIResponse] = {
        200: {"description": "OK", "content": {"application/json": {"model": model}}}
    }
    for status, description in errors:
        answers[status] = {"description": description, "content": {"application/json": {"model": ErrorView}}}
    return answers


def json_body_responses(model: type[BaseModel], *errors: tuple[int, str]) -> dict[int, OpenAPIResponse]:
    """A route with a JSON body: its answers, and 415 for a body of another content type."""
    answers = responses(model, *(errors or (BAD_REQUEST,)))
    answers[415] = {
        "description": "The body is not JSON",
        "content": {"application/json": {"model": ContentTypeErrorView}},
    }
    return answers
