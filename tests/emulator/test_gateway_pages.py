"""The gateway reads Get* pages itself: it must read exactly what botocore's own parser reads.

botocore walks the service model over every member of every element; the gateway decodes the body
once and keeps each element's text (video_pipeline.result_pages). For every Get* operation the
pipeline calls, page by page, the two readings must be equal.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from video_pipeline.analyses import EVERY_ENGINE, Analysis
from video_pipeline.dal.rekognition import RekognitionGateway
from video_pipeline.logic.errors import RekognitionCallError
from video_pipeline.result_pages import SERVICE_BODY, ServiceElement

from emulator import RekognitionVideoFake
from tests.emulator.conftest import BUCKET, KEY, SESSION, SINGLE_ATTEMPT, create_collection, get, start

pytestmark = pytest.mark.integration


def _without_metadata(page: dict) -> dict:
    return {name: value for name, value in page.items() if name not in ("ResponseMetadata", SERVICE_BODY)}


def _comparable(page: dict) -> dict:
    # Each call gets a token of its own, as from the service; each reader follows its own. The
    # service also sends VideoMetadata.FileExtension, which botocore's model lacks and drops; the
    # gateway keeps the service's bytes, so it keeps it (checked below) and it is left out here.
    found = {name: value for name, value in _without_metadata(page).items() if name != "NextToken"}
    if "VideoMetadata" in found:
        found["VideoMetadata"] = _without_extension(found["VideoMetadata"])
    return found


def _without_extension(metadata: Any) -> Any:
    """VideoMetadata is an object, or a list of them (GetSegmentDetection's, one per stream)."""
    if isinstance(metadata, list):
        return [_without_extension(entry) for entry in metadata]
    return {k: v for k, v in metadata.items() if k != "FileExtension"}


def _first(metadata: Any) -> dict[str, Any]:
    return metadata[0] if isinstance(metadata, list) else metadata


@pytest.mark.parametrize("analysis", EVERY_ENGINE, ids=lambda analysis: analysis.get_operation)
def test_every_page_reads_as_botocore_reads_it(fake: RekognitionVideoFake, video, rekognition, analysis: Analysis):
    if analysis.start_operation == "StartFaceSearch":
        create_collection(fake, {"ada": 10, "grace": 200})  # face search needs its collection, and people in it
    job_id = start(rekognition, analysis.start_operation)
    assert fake.complete_jobs([job_id]) == [job_id]
    gateway = RekognitionGateway(SESSION.client("rekognition", config=SINGLE_ATTEMPT))
    token, botocores_token, pages = None, None, 0
    while True:
        ours = gateway.get_page(analysis, job_id, token, 7)
        params = {"MaxResults": 7, **analysis.get_parameters, **({"NextToken": botocores_token} if token else {})}
        botocores = get(rekognition, analysis.start_operation, job_id, **params)
        assert _comparable(ours) == _comparable(botocores)
        assert _first(ours["VideoMetadata"])["FileExtension"] == "mp4"
        assert "FileExtension" not in _first(botocores["VideoMetadata"])
        assert ours["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert all(type(element) is ServiceElement for element in ours[analysis.result_key])
        assert json.loads(ours[SERVICE_BODY]) == _without_metadata(ours)
        pages += 1
        token, botocores_token = ours.get("NextToken"), botocores.get("NextToken")
        assert bool(token) == bool(botocores_token)
        if not token:
            break
    assert pages > 1, "the job must span several pages for this test to mean anything"


def test_text_outside_ascii_is_read_as_written(fake: RekognitionVideoFake, video, rekognition):
    celebrity = {"Timestamp": 40, "Celebrity": {"Id": "c1", "Name": "Beyoncé Knowles", "Confidence": 99.5}}
    fake.script(BUCKET, KEY, "StartCelebrityRecognition", elements=[celebrity])
    job_id = start(rekognition, "StartCelebrityRecognition")
    fake.complete_jobs([job_id])
    analysis = next(item for item in EVERY_ENGINE if item.start_operation == "StartCelebrityRecognition")
    page = RekognitionGateway(SESSION.client("rekognition", config=SINGLE_ATTEMPT)).get_page(analysis, job_id, None, 10)
    (element,) = page["Celebrities"]
    assert element["Celebrity"]["Name"] == "Beyoncé Knowles"
    assert json.loads(element.text) == element


def test_errors_are_still_botocores_to_read(fake: RekognitionVideoFake, rekognition):
    gateway = RekognitionGateway(SESSION.client("rekognition", config=SINGLE_ATTEMPT))
    with pytest.raises(RekognitionCallError) as raised:
        gateway.get_page(EVERY_ENGINE[0], "f" * 64, None, 10)
    assert raised.value.code == "ResourceNotFoundException"


def test_a_body_that_cannot_be_read_is_left_to_botocore(fake: RekognitionVideoFake, video, rekognition, monkeypatch):
    job_id = start(rekognition, "StartFaceDetection")
    fake.complete_jobs([job_id])
    client = SESSION.client("rekognition", config=SINGLE_ATTEMPT)
    gateway = RekognitionGateway(client)
    analysis = EVERY_ENGINE[0]

    def refuse(text: str, result_key: str) -> dict:
        raise ValueError("not a page")

    monkeypatch.setattr("video_pipeline.dal.rekognition.parse_page", refuse)
    page = gateway.get_page(analysis, job_id, None, 5)
    assert SERVICE_BODY not in page
    assert len(page[analysis.result_key]) == 5
    assert not any(type(element) is ServiceElement for element in page[analysis.result_key])
