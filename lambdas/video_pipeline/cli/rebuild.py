"""Rebuild a video's detections in DynamoDB from the results archive in S3 (no Rekognition calls).

    make rebuild ARGS="--jobs-table T --detections-table D --archive-bucket B VIDEO_ID [VIDEO_ID ...]"

The names are the stack's outputs (docs/reliability.md). Uses your AWS credentials and region.
"""

from __future__ import annotations

import argparse
import sys

from botocore.exceptions import BotoCoreError, ClientError

from video_pipeline.dal import clients
from video_pipeline.dal.archive import ResultsArchive
from video_pipeline.dal.detections_store import DetectionsStore
from video_pipeline.dal.jobs_store import JobsStore
from video_pipeline.logic.rebuilding import rebuild_video


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rebuild", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("video_ids", nargs="+", metavar="VIDEO_ID")
    parser.add_argument("--jobs-table", required=True)
    parser.add_argument("--detections-table", required=True)
    parser.add_argument("--archive-bucket", required=True)
    options = parser.parse_args(argv)
    jobs = JobsStore(clients.dynamodb_resource().Table(options.jobs_table))
    archive = ResultsArchive(clients.s3(), options.archive_bucket)
    detections = DetectionsStore(clients.dynamodb(), options.detections_table)
    incomplete = False
    try:
        for video_id in options.video_ids:
            report = rebuild_video(video_id, jobs=jobs, archive=archive, detections=detections)
            for analysis, count in report.detections.items():
                print(f"{video_id} {analysis}: {count} detections from {report.pages[analysis]} archived pages")
            for analysis, reason in report.skipped.items():
                print(f"{video_id} {analysis}: skipped ({reason})")
            for analysis, reason in report.incomplete.items():
                print(f"{video_id} {analysis}: incomplete archive ({reason})", file=sys.stderr)
                incomplete = True
    except (ClientError, BotoCoreError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 1 if incomplete else 0


if __name__ == "__main__":
    sys.exit(main())
