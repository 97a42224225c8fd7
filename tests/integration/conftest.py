from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

import pytest
from moto import mock_aws
from video_pipeline.dal import clients
from video_pipeline.settings import StarterSettings

from emulator import RekognitionVideoFake
from local.environment import provision
from local.harness import PipelineHarness
from local.lambda_runtime import forget_warm_state


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
        forget_warm_state(starter, collector)
        resources = provision(prefix="local")
        for name, value in resources.environment().items():
            assert os.environ.get(name, value) == value, f"tests/conftest.py sets {name} unlike provision()"
        fake = RekognitionVideoFake()
        with fake.activate():
            yield PipelineHarness(resources=resources, fake=fake, starter=starter, collector=collector)
    clients.reset()


@pytest.fixture
def person_engine(harness: PipelineHarness, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Redeploy the starter with another person tracking engine (and fallback), as the stack would."""

    def use(engine: str, *, fallback: bool = False) -> None:
        variables = {"PERSON_TRACKING_ENGINE": engine, "PERSON_TRACKING_FALLBACK": str(fallback).lower()}
        settings = StarterSettings.from_environment({**os.environ, **variables})
        monkeypatch.setattr(harness.starter, "settings", settings)
        harness.starter.job_starter.cache_clear()

    return use
