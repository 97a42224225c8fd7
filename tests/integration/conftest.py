from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from moto import mock_aws
from video_pipeline.dal import clients

from emulator import RekognitionVideoFake
from local.environment import provision
from local.harness import PipelineHarness


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Back-off pauses are recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr(time, "sleep", recorded.append)
    return recorded


@pytest.fixture
def harness(sleeps: list[float]) -> Iterator[PipelineHarness]:
    from video_pipeline.handlers import collector, starter

    with mock_aws():
        clients.reset()
        for cached in (
            starter.job_starter,
            starter.job_slots,
            starter.uploads_queue,
            starter.video_eraser,
            collector.result_collector,
            collector.job_slots,
            collector.results_queue,
        ):
            cached.cache_clear()
        resources = provision(prefix="local")
        for name, value in resources.environment().items():
            assert os.environ.get(name, value) == value, f"tests/conftest.py sets {name} unlike provision()"
        fake = RekognitionVideoFake()
        with fake.activate():
            yield PipelineHarness(resources=resources, fake=fake, starter=starter, collector=collector)
    clients.reset()
