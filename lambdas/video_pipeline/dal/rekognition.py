"""Rekognition Video calls, with errors translated into the pipeline's terms."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError

from video_pipeline.analyses import EVERY_ENGINE, Analysis
from video_pipeline.logic.errors import RekognitionCallError
from video_pipeline.result_pages import SERVICE_BODY, parse_page

if TYPE_CHECKING:
    from botocore.model import OperationModel
    from mypy_boto3_rekognition import RekognitionClient

MAX_PAGE_SIZE = 1000
_RESULT_KEYS = {analysis.get_operation: analysis.result_key for analysis in EVERY_ENGINE}
_PAGE_READER_ID = "video-pipeline-result-pages"
# What botocore parses instead of a page read here: it still adds ResponseMetadata from the headers.
_EMPTY_OBJECT = b"{}"


class RekognitionGateway:
    def __init__(self, client: RekognitionClient) -> None:
        self._client = client
        # botocore emits before-parse with the response body before its own parser walks it; the
        # unique id keeps one registration however many gateways share a cached client.
        client.meta.events.register("before-parse.rekognition", _read_result_page, unique_id=_PAGE_READER_ID)

    def start(self, analysis: Analysis, request: dict[str, Any]) -> str:
        response = self._call(analysis.start_operation, request)
        return str(response["JobId"])

    def get_page(self, analysis: Analysis, job_id: str, next_token: str | None, page_size: int) -> dict[str, Any]:
        """One page of results; its elements are ServiceElements, its body under SERVICE_BODY."""
        request: dict[str, Any] = {"JobId": job_id, "MaxResults": page_size, **analysis.get_parameters}
        if next_token:
            request["NextToken"] = next_token
        return self._call(analysis.get_operation, request)

    def _call(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        method = getattr(self._client, xform_name(operation))
        try:
            response: dict[str, Any] = method(**request)
        except ClientError as error:
            details = error.response.get("Error", {})
            raise RekognitionCallError(operation, details.get("Code", "Unknown"), details.get("Message", "")) from error
        except BotoCoreError as error:
            raise RekognitionCallError(operation, "ConnectionError", str(error)) from error
        return response


def _read_result_page(
    operation_model: OperationModel,
    response_dict: dict[str, Any],
    customized_response_dict: dict[str, Any],
    **_: Any,
) -> None:
    """Read a successful Get* page ourselves and leave botocore an empty object to parse.

    Anything else - other operations, errors, a body that is not one JSON object - is left to
    botocore exactly as it came, so its error handling and parsing stay in charge there.
    """
    result_key = _RESULT_KEYS.get(operation_model.name)
    body = response_dict.get("body")
    if result_key is None or response_dict.get("status_code") != 200 or not isinstance(body, bytes):
        return
    try:
        page = parse_page(body.decode("utf-8"), result_key)
    except ValueError:  # UnicodeDecodeError is one
        return
    page[SERVICE_BODY] = body
    customized_response_dict.update(page)
    response_dict["body"] = _EMPTY_OBJECT
