"""Rekognition Video calls, with errors translated into the pipeline's terms."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError

from video_pipeline.analyses import Analysis
from video_pipeline.logic.errors import RekognitionCallError

if TYPE_CHECKING:
    from mypy_boto3_rekognition import RekognitionClient

MAX_PAGE_SIZE = 1000


class RekognitionGateway:
    def __init__(self, client: RekognitionClient) -> None:
        self._client = client

    def start(self, analysis: Analysis, request: dict[str, Any]) -> str:
        response = self._call(analysis.start_operation, request)
        return str(response["JobId"])

    def get_page(self, analysis: Analysis, job_id: str, next_token: str | None, page_size: int) -> dict[str, Any]:
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
