"""A faithful in-process fake of Amazon Rekognition Video's stored-video analysis APIs.

Importing the package installs the request router (see `intercept`), so import it before creating
the boto3 clients a test wants routed; clients created earlier can be routed with `patch_client`.
"""

from emulator.catalog import APIS, VideoApi
from emulator.clock import Clock
from emulator.conformance import assert_conforms, output_problems
from emulator.errors import ServiceError
from emulator.intercept import patch_client
from emulator.jobs import Call, Job, JobStatus, LostNotification
from emulator.media import sample_video_bytes
from emulator.service import RekognitionVideoFake

__all__ = [
    "APIS",
    "Call",
    "Clock",
    "Job",
    "JobStatus",
    "LostNotification",
    "RekognitionVideoFake",
    "ServiceError",
    "VideoApi",
    "assert_conforms",
    "output_problems",
    "patch_client",
    "sample_video_bytes",
]
