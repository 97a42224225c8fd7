"""`GET /videos/{id}/media`: a presigned link to exactly the version analysed, which the dashboard's
shot thumbnails are drawn from; on moto, whose S3 answers presigned URLs like S3 does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import requests
from moto import mock_aws
from video_pipeline.composition import Clients
from video_pipeline.dal.media_links import SignedMediaLinks
from video_pipeline.handlers import read_api

from emulator import RekognitionVideoFake, sample_video_bytes
from in_process.environment import provision
from in_process.functions import PipelineFunctions, pipeline_functions
from in_process.harness import PipelineHarness
from in_process.lambda_runtime import FakeLambdaContext
from local.http_api import http_api_event

KEY = "clips/evening news.mp4"


@dataclass(frozen=True)
class Served:
    harness: PipelineHarness
    functions: PipelineFunctions
    video_id: str
    first_version: str
    first_bytes: bytes


@pytest.fixture
def served() -> Iterator[Served]:
    with mock_aws():
        resources = provision(prefix="local")
        functions = pipeline_functions(resources.environment())
        fake = RekognitionVideoFake()
        with fake.activate():
            harness = PipelineHarness(
                resources=resources, fake=fake, starter=functions.starter, collector=functions.collector
            )
            first_bytes = sample_video_bytes(b"the version analysed")
            first_version = harness.upload(KEY, first_bytes)["VersionId"]
            harness.run_until_idle()
            video_id = next(video.video_id for video in harness.all_videos() if video.key == KEY)
            yield Served(harness, functions, video_id, first_version, first_bytes)


def get(handler: Any, path: str) -> tuple[int, dict[str, Any]]:
    response = handler(http_api_event("GET", path, "", {}, b""), FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])


def test_the_link_opens_the_video_for_five_minutes(served: Served) -> None:
    status, body = get(served.functions.read_api.handler, f"/videos/{served.video_id}/media")

    assert status == 200
    assert body["expires_in_seconds"] == 300
    url = urlsplit(body["url"])
    query = parse_qs(url.query)
    assert served.harness.resources.bucket in url.netloc + url.path
    assert unquote(url.path).endswith(f"/{KEY}")
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]  # SigV4: SigV2 links are deprecated
    assert query["X-Amz-Expires"] == ["300"] and query["X-Amz-Signature"]
    assert requests.get(body["url"], timeout=10).content == served.first_bytes


def test_a_link_to_a_version_opens_that_version_after_the_key_is_overwritten(served: Served) -> None:
    # moto's S3 events carry no versionId, so the harness's videos have none; S3's do, and the read
    # API passes the video's version to the links (docs/dashboards.md).
    served.harness.upload(KEY, sample_video_bytes(b"a later upload"))
    links = SignedMediaLinks(Clients.new().s3)

    url = links.link(served.harness.resources.bucket, KEY, served.first_version)

    assert parse_qs(urlsplit(url).query)["versionId"] == [served.first_version]
    assert requests.get(url, timeout=10).content == served.first_bytes


def test_an_unknown_video_is_a_404(served: Served) -> None:
    status, body = get(served.functions.read_api.handler, f"/videos/{'0' * 32}/media")
    assert status == 404
    assert "no video" in body["message"]


def test_an_api_without_media_links_says_so(served: Served) -> None:
    handler = read_api.bind(served.functions.read_api.app)
    status, body = get(handler, f"/videos/{served.video_id}/media")
    assert status == 400
    assert body["message"] == "this API gives no links to videos where it runs"
