from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

import pytest
from moto import mock_aws
from video_pipeline.contract import Env

from emulator import RekognitionVideoFake
from in_process.environment import provision
from in_process.functions import pipeline_functions
from in_process.harness import PipelineHarness


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Back-off pauses are recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr(time, "sleep", recorded.append)
    return recorded


@pytest.fixture
def harness(sleeps: list[float]) -> Iterator[PipelineHarness]:
    with mock_aws():
        resources = provision(prefix="local")
        for name, value in resources.environment().items():
            assert os.environ.get(name, value) == value, f"tests/conftest.py sets {name} unlike provision()"
        functions = pipeline_functions(resources.environment())
        fake = RekognitionVideoFake()
        with fake.activate():
            yield PipelineHarness(
                resources=resources, fake=fake, starter=functions.starter, collector=functions.collector
            )


@pytest.fixture
def person_engine(harness: PipelineHarness, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Redeploy the starter with another person tracking engine (and fallback), as the stack would."""

    def use(engine: str, *, fallback: bool = False) -> None:
        variables = {Env.PERSON_TRACKING_ENGINE: engine, Env.PERSON_TRACKING_FALLBACK: str(fallback).lower()}
        harness.redeploy_starter(pipeline_functions({**harness.resources.environment(), **variables}).starter)

    return use
