"""A function's cold start makes only the AWS clients its event uses (making one loads a service model)."""

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

# The tables' resource and Rekognition (whose gateway registers its page reader) are used as soon as
# a function is built; the others only by the events that need them.
BUILT = {"dynamodb_resource", "rekognition"}
# function -> (its composition, from its settings; the clients building it makes)
FUNCTIONS: dict[str, tuple[Callable[[Clients], Any], set[str]]] = {
    "read_api": (lambda clients: build_reader(ReadApiSettings.from_environment(), clients), {"dynamodb_resource"}),
    "reconciler": (
        lambda clients: build_reconciler(ReconcilerSettings.from_environment(), clients),
        BUILT,
    ),
    "starter": (lambda clients: build_starter(StarterSettings.from_environment(), clients), BUILT),
    "collector": (lambda clients: build_collector(CollectorSettings.from_environment(), clients), BUILT),
}


def recording_clients() -> tuple[Clients, list[str]]:
    made: list[str] = []

    def make(name: str) -> Any:
        made.append(name)
        return mock.MagicMock(name=name)

    return Clients(make), made


def test_a_client_is_made_when_something_of_it_is_first_used_and_then_kept() -> None:
    clients, made = recording_clients()
    queue = clients.sqs
    assert made == []
    queue.send_message(QueueUrl="q", MessageBody="m")
    queue.delete_message(QueueUrl="q", ReceiptHandle="r")
    assert made == ["sqs"]
    assert clients.sqs is queue


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_building_a_function_makes_only_the_clients_it_uses_at_once(function: str) -> None:
    build, expected = FUNCTIONS[function]
    clients, made = recording_clients()
    build(clients)
    assert sorted(made) == sorted(expected)
