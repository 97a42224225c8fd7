"""Workers calling the fake from many threads at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from emulator import RekognitionVideoFake
from tests.emulator import conftest
from tests.emulator.conftest import SINGLE_ATTEMPT, get_all, start

pytestmark = pytest.mark.integration


def test_racing_starts_with_one_token_make_one_job(fake, video, rekognition):
    with ThreadPoolExecutor(max_workers=8) as pool:
        job_ids = set(pool.map(lambda _: start(rekognition, ClientRequestToken="shared-token"), range(16)))
    assert len(job_ids) == 1 and len(fake.jobs) == 1 and fake.in_progress_count == 1


def test_the_limit_holds_under_racing_starts(aws, video):
    limited = RekognitionVideoFake(concurrent_job_limit=5)
    client = conftest.client("rekognition", SINGLE_ATTEMPT)

    def attempt(number: int) -> str:
        try:
            start(client, ClientRequestToken=f"token-{number}")
        except ClientError as error:
            return error.response["Error"]["Code"]
        return "started"

    with limited.activate(), ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(attempt, range(30)))
    assert outcomes.count("started") == 5 and outcomes.count("LimitExceededException") == 25
    assert limited.max_in_progress == 5


def test_paging_and_completing_from_several_threads(fake, video, rekognition):
    job_ids = [start(rekognition, "StartPersonTracking") for _ in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda job_id: fake.complete_jobs([job_id]), job_ids))
        pages = list(
            pool.map(lambda job_id: get_all(rekognition, "StartPersonTracking", job_id, MaxResults=5), job_ids)
        )
    assert [len(elements) for elements, _ in pages] == [fake.default_detections] * 6
    assert fake.in_progress_count == 0
