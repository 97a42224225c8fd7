"""The starter's collaborators: admission, Start*, the quota ledger, erasure of deleted videos."""

from __future__ import annotations

from dataclasses import dataclass

from video_pipeline.composition import Clients
from video_pipeline.dal.archive import ResultsArchive
from video_pipeline.dal.budget_ledger import BudgetLedger
from video_pipeline.dal.detections_store import DetectionsStore
from video_pipeline.dal.job_slots import JobSlots
from video_pipeline.dal.jobs_store import JobsStore
from video_pipeline.dal.objects import ObjectReader
from video_pipeline.dal.queues import MessageQueue
from video_pipeline.dal.rekognition import RekognitionGateway
from video_pipeline.logic.erasing import VideoEraser
from video_pipeline.logic.starting import JobStarter, NotificationChannel
from video_pipeline.settings import StarterSettings


@dataclass(frozen=True, slots=True)
class StarterApp:
    settings: StarterSettings
    slots: JobSlots
    uploads: MessageQueue
    budget: BudgetLedger
    starter: JobStarter
    eraser: VideoEraser


def build_starter(settings: StarterSettings, clients: Clients) -> StarterApp:
    jobs = JobsStore(clients.dynamodb_resource.Table(settings.jobs_table_name))
    slots = JobSlots(clients.dynamodb_resource.Table(settings.jobs_table_name), settings.job_quota)
    objects = ObjectReader(clients.s3)
    budget = BudgetLedger(clients.dynamodb_resource.Table(settings.jobs_table_name))
    return StarterApp(
        settings=settings,
        slots=slots,
        uploads=MessageQueue(clients.sqs, settings.uploads_queue_url),
        budget=budget,
        starter=JobStarter(
            jobs=jobs,
            slots=slots,
            objects=objects,
            rekognition=RekognitionGateway(clients.rekognition),
            channel=NotificationChannel(topic_arn=settings.topic_arn, role_arn=settings.role_arn),
            analyses=settings.engines.primary,
            fallbacks=settings.engines.fallbacks,
            budget=budget,
            limits=settings.daily_budget,
            settings=settings.job_settings,
            video_suffixes=settings.video_suffixes,
        ),
        # Deleting a video deletes its results, so the starter reaches them too.
        eraser=VideoEraser(
            jobs=jobs,
            detections=DetectionsStore(clients.dynamodb, settings.detections_table_name),
            archive=ResultsArchive(clients.s3, settings.archive_bucket_name),
            slots=slots,
            objects=objects,
        ),
    )
