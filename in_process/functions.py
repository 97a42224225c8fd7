"""The pipeline's functions built in this process as Lambda builds them, from explicit settings.

Each is the handler Lambda would run, bound through the composition root to settings parsed from
the given environment and to clients made for this process (moto's, the emulator's endpoint, or a
real account's): no module reload, no patched globals, no warm state to forget.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from video_pipeline.composition import Clients
from video_pipeline.composition.collector import CollectorApp, build_collector
from video_pipeline.composition.reader import build_media_links, build_reader
from video_pipeline.composition.reconciler import ReconcilerApp, build_reconciler
from video_pipeline.composition.starter import StarterApp, build_starter
from video_pipeline.handlers import Handler, collector, read_api, reconciler, starter
from video_pipeline.logic.reading import ResultsReader
from video_pipeline.settings import CollectorSettings, ReadApiSettings, ReconcilerSettings, StarterSettings

App = TypeVar("App")


@dataclass(frozen=True, slots=True)
class LocalFunction(Generic[App]):
    """A function's handler and the collaborators it runs on."""

    handler: Handler
    app: App


@dataclass(frozen=True, slots=True)
class PipelineFunctions:
    starter: LocalFunction[StarterApp]
    collector: LocalFunction[CollectorApp]
    reconciler: LocalFunction[ReconcilerApp]
    read_api: LocalFunction[ResultsReader]


def bound(bind: Callable[[App], Handler], app: App) -> LocalFunction[App]:
    """The handler `bind` makes of `app`, kept with `app` so tests and tools can reach its collaborators."""
    return LocalFunction(bind(app), app)


def starter_function(environment: Mapping[str, str], clients: Clients) -> LocalFunction[StarterApp]:
    return bound(starter.bind, build_starter(StarterSettings.from_environment(environment), clients))


def collector_function(environment: Mapping[str, str], clients: Clients) -> LocalFunction[CollectorApp]:
    return bound(collector.bind, build_collector(CollectorSettings.from_environment(environment), clients))


def reconciler_function(environment: Mapping[str, str], clients: Clients) -> LocalFunction[ReconcilerApp]:
    return bound(reconciler.bind, build_reconciler(ReconcilerSettings.from_environment(environment), clients))


def read_api_function(environment: Mapping[str, str], clients: Clients) -> LocalFunction[ResultsReader]:
    media = build_media_links(clients)
    return bound(
        lambda reader: read_api.bind(reader, media=media),
        build_reader(ReadApiSettings.from_environment(environment), clients),
    )


def pipeline_functions(environment: Mapping[str, str], clients: Clients | None = None) -> PipelineFunctions:
    """Every function of the pipeline, configured by `environment` as the stack configures Lambda."""
    clients = clients or Clients.new()
    return PipelineFunctions(
        starter=starter_function(environment, clients),
        collector=collector_function(environment, clients),
        reconciler=reconciler_function(environment, clients),
        read_api=read_api_function(environment, clients),
    )
