"""The reconciler's collaborators: the jobs table, one Get* per stale job, the results queue, the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from video_pipeline.composition import Clients
from video_pipeline.dal.job_slots import JobSlots
from video_pipeline.dal.jobs_store import JobsStore
from video_pipeline.dal.queues import MessageQueue
from video_pipeline.dal.rekognition import RekognitionGateway
from video_pipeline.logic.reconciling import Reconciler
from video_pipeline.settings import ReconcilerSettings


@dataclass(frozen=True, slots=True)
class ReconcilerApp:
    settings: ReconcilerSettings
    reconciler: Reconciler


def build_reconciler(settings: ReconcilerSettings, clients: Clients) -> ReconcilerApp:
    table = clients.dynamodb_resource.Table(settings.jobs_table_name)
    return ReconcilerApp(
        settings=settings,
        reconciler=Reconciler(
            jobs=JobsStore(table),
            rekognition=RekognitionGateway(clients.rekognition),
            ledger=JobSlots(table, settings.job_quota),
            notices=MessageQueue(clients.sqs, settings.results_queue_url),
            stale_after=timedelta(minutes=settings.stale_after_minutes),
        ),
    )
