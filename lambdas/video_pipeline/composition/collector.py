"""The collector's collaborators: Get* pages, the detections table, the archive, the quota ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from video_pipeline.composition import Clients
from video_pipeline.dal.archive import ResultsArchive
from video_pipeline.dal.detections_store import DetectionsStore
from video_pipeline.dal.job_slots import JobSlots
from video_pipeline.dal.jobs_store import JobsStore
from video_pipeline.dal.queues import MessageQueue
from video_pipeline.dal.rekognition import RekognitionGateway
from video_pipeline.logic.collecting import ResultCollector
from video_pipeline.settings import CollectorSettings


@dataclass(frozen=True, slots=True)
class CollectorApp:
    settings: CollectorSettings
    slots: JobSlots
    results: MessageQueue
    collector: ResultCollector


def build_collector(settings: CollectorSettings, clients: Clients) -> CollectorApp:
    slots = JobSlots(clients.dynamodb_resource.Table(settings.jobs_table_name), settings.job_quota)
    retention = timedelta(days=settings.result_retention_days) if settings.result_retention_days else None
    return CollectorApp(
        settings=settings,
        slots=slots,
        results=MessageQueue(clients.sqs, settings.results_queue_url),
        collector=ResultCollector(
            jobs=JobsStore(clients.dynamodb_resource.Table(settings.jobs_table_name)),
            detections=DetectionsStore(clients.dynamodb, settings.detections_table_name, retention=retention),
            rekognition=RekognitionGateway(clients.rekognition),
            slots=slots,
            archive=ResultsArchive(clients.s3, settings.archive_bucket_name),
        ),
    )
