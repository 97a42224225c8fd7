"""Building blocks of the pipeline: each owns its resources and exposes them to the composer."""

from infra.constructs.alarms import PipelineAlarms
from infra.constructs.face_collection import FaceCollection
from infra.constructs.ingest_queue import IngestQueue
from infra.constructs.library_operator import LibraryOperatorRole
from infra.constructs.notifications import RekognitionNotifications
from infra.constructs.operations_dashboard import OperationsDashboard, PipelineMetrics
from infra.constructs.pipeline_function import POWERTOOLS_LAYER_VERSION, PipelineFunction, RuntimeDefaults
from infra.constructs.results_archive import ResultsArchive
from infra.constructs.tables import ResultsTables
from infra.constructs.video_bucket import VideoInputBucket

__all__ = [
    "POWERTOOLS_LAYER_VERSION",
    "FaceCollection",
    "IngestQueue",
    "LibraryOperatorRole",
    "OperationsDashboard",
    "PipelineAlarms",
    "PipelineFunction",
    "PipelineMetrics",
    "RekognitionNotifications",
    "ResultsArchive",
    "ResultsTables",
    "RuntimeDefaults",
    "VideoInputBucket",
]
