"""A function's cold start makes only the AWS clients its composition uses (each loads a service model)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from video_pipeline.composition import Clients
from video_pipeline.composition.collector import build_collector
from video_pipeline.composition.reader import build_reader
from video_pipeline.composition.reconciler import build_reconciler
from video_pipeline.composition.starter import build_starter
from video_pipeline.settings import CollectorSettings, ReadApiSettings, ReconcilerSettings, StarterSettings

ALL = {"rekognition", "dynamodb", "dynamodb_resource", "s3", "sqs"}
# function -> (its composition, from its settings; the clients it makes)
FUNCTIONS: dict[str, tuple[Callable[[Clients], Any], set[str]]] = {
    "read_api": (lambda clients: build_reader(ReadApiSettings.from_environment(), clients), {"dynamodb_resource"}),
    "reconciler": (
        lambda clients: build_reconciler(ReconcilerSettings.from_environment(), clients),
        {"dynamodb_resource", "rekognition", "sqs"},
    ),
    "starter": (lambda clients: build_starter(StarterSettings.from_environment(), clients), ALL),
    "collector": (lambda clients: build_collector(CollectorSettings.from_environment(), clients), ALL),
}


def recording_clients() -> tuple[Clients, list[str]]:
    made: list[str] = []

    def make(name: str) -> Any:
        made.append(name)
        return mock.MagicMock(name=name)

    return Clients(make), made


def test_clients_are_made_on_first_use_and_then_kept() -> None:
    clients, made = recording_clients()
    assert made == []
    assert clients.sqs is clients.sqs
    assert made == ["sqs"]


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_a_function_makes_only_the_clients_it_uses(function: str) -> None:
    build, expected = FUNCTIONS[function]
    clients, made = recording_clients()
    build(clients)
    assert sorted(made) == sorted(expected)
