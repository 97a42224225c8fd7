"""The read API's collaborators: the repository over both tables, and the library routes' desk."""

from __future__ import annotations

from video_pipeline.composition import Clients
from video_pipeline.dal.face_collection import FaceCollection
from video_pipeline.dal.jobs_store import JobsStore
from video_pipeline.dal.listing import BucketLister
from video_pipeline.dal.media_links import SignedMediaLinks
from video_pipeline.dal.objects import ObjectReader
from video_pipeline.dal.queues import MessageQueue
from video_pipeline.dal.repository import PipelineRepository
from video_pipeline.logic.library_desk import LibraryDesk
from video_pipeline.logic.reading import ResultsReader
from video_pipeline.logic.reference_faces import ReferenceFaces
from video_pipeline.settings import ReadApiSettings


def build_reader(settings: ReadApiSettings, clients: Clients) -> ResultsReader:
    dynamodb = clients.dynamodb_resource
    return ResultsReader(
        PipelineRepository(dynamodb.Table(settings.jobs_table_name), dynamodb.Table(settings.detections_table_name))
    )


def build_library_desk(settings: ReadApiSettings, clients: Clients) -> LibraryDesk | None:
    """Backfill and re-analysis, where the deployment gives the API the uploads queue and the input bucket."""
    if not settings.uploads_queue_url or not settings.input_buckets:
        return None
    return LibraryDesk(
        bucket=settings.input_buckets[0],
        videos=JobsStore(clients.dynamodb_resource.Table(settings.jobs_table_name)),
        uploads=MessageQueue(clients.sqs, settings.uploads_queue_url),
        objects=ObjectReader(clients.s3),
        lister=BucketLister(clients.s3),
        analyses=settings.engines,
    )


def build_reference_faces(settings: ReadApiSettings, clients: Clients) -> ReferenceFaces | None:
    """The reference-face routes, where the deployment has a face collection and an input bucket."""
    if not settings.face_collection_id or not settings.input_buckets:
        return None
    return ReferenceFaces(
        collection=FaceCollection(clients.rekognition, settings.face_collection_id),
        pictures=BucketLister(clients.s3),
        bucket=settings.input_buckets[0],
        root=settings.reference_faces_prefix,
    )


def build_media_links(clients: Clients) -> SignedMediaLinks:
    """Links to the uploaded videos, signed with the API's own role (it may read the input prefix)."""
    return SignedMediaLinks(clients.s3)
