"""The read API's collaborators: the repository over both tables."""

from __future__ import annotations

from video_pipeline.composition import Clients
from video_pipeline.dal.repository import PipelineRepository
from video_pipeline.logic.reading import ResultsReader
from video_pipeline.settings import ReadApiSettings


def build_reader(settings: ReadApiSettings, clients: Clients) -> ResultsReader:
    dynamodb = clients.dynamodb_resource
    return ResultsReader(
        PipelineRepository(dynamodb.Table(settings.jobs_table_name), dynamodb.Table(settings.detections_table_name))
    )
