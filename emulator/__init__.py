"""A faithful in-process fake of Amazon Rekognition Video's stored-video analysis APIs.

Importing the package changes nothing. `with fake.activate():` routes every boto3 Rekognition
request in the process to `fake` for the block's duration (see `intercept`); `python -m emulator`
serves one over HTTP for any SDK or the AWS CLI (see `emulator.server` and docs/emulator.md).
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
