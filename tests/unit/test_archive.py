"""The archive keeps the service's bytes when it has them, and reads pages back as the gateway does."""

from __future__ import annotations

import gzip
import json
from typing import Any

from video_pipeline.dal.archive import ResultsArchive
from video_pipeline.result_pages import SERVICE_BODY, ServiceElement, parse_page
from video_pipeline.schema import archive_page_key


class RecordingS3:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def put_object(self, *, Bucket: str, Key: str, Body: bytes, **_: Any) -> None:  # noqa: N803 - boto3's names
        self.objects[Key] = Body


BODY = b'{ "JobStatus": "SUCCEEDED",\n  "Faces": [ {"Timestamp": 40, "Face": {"Confidence": 99.50}} ] }'


def test_a_page_read_from_the_service_is_archived_byte_for_byte():
    s3 = RecordingS3()
    page = {**parse_page(BODY.decode(), "Faces"), SERVICE_BODY: BODY, "ResponseMetadata": {"RequestId": "r"}}
    ResultsArchive(s3, "archive").put_page("vid", "faces", "job", 0, page)  # type: ignore[arg-type]
    assert gzip.decompress(s3.objects[archive_page_key("vid", "faces", "job", 0)]) == BODY


def test_a_page_without_the_services_body_is_encoded_without_its_metadata():
    s3 = RecordingS3()
    page = {"JobStatus": "SUCCEEDED", "Faces": [{"Timestamp": 40}], "ResponseMetadata": {"RequestId": "r"}}
    ResultsArchive(s3, "archive").put_page("vid", "faces", "job", 0, page)  # type: ignore[arg-type]
    stored = gzip.decompress(s3.objects[archive_page_key("vid", "faces", "job", 0)])
    assert json.loads(stored) == {"JobStatus": "SUCCEEDED", "Faces": [{"Timestamp": 40}]}
    (element,) = parse_page(stored.decode(), "Faces")["Faces"]
    assert type(element) is ServiceElement and element.text == '{"Timestamp":40}'
