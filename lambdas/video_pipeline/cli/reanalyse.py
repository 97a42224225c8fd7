"""Re-run chosen analyses of chosen videos (after changing FaceAttributes, for example).

    make reanalyse ARGS="--jobs-table T --uploads-queue-url U --analyses faces VIDEO_ID [VIDEO_ID ...]"

The names are the stack's outputs (docs/deploy.md). Uses your AWS credentials and region. The
dashboard keeps showing each video's old results until the new ones are complete (docs/operations.md).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from botocore.exceptions import BotoCoreError, ClientError

from video_pipeline.analyses import DEFAULT_ANALYSES
from video_pipeline.dal import clients
from video_pipeline.dal.jobs_store import JobsStore
from video_pipeline.dal.queues import MessageQueue
from video_pipeline.logic.reanalysis import ReanalysisError, request_reanalysis, run_name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="reanalyse", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("video_ids", nargs="+", metavar="VIDEO_ID")
    parser.add_argument("--jobs-table", required=True)
    parser.add_argument("--uploads-queue-url", required=True)
    parser.add_argument(
        "--analyses", default=",".join(DEFAULT_ANALYSES), help="comma-separated (default: every analysis)"
    )
    parser.add_argument("--run", help="the run's name: sending a run again starts nothing new (default: the time)")
    options = parser.parse_args(argv)
    run = options.run or run_name(datetime.now(UTC))
    try:
        sent = request_reanalysis(
            options.video_ids,
            [name.strip() for name in options.analyses.split(",") if name.strip()],
            run,
            videos=JobsStore(clients.dynamodb_resource().Table(options.jobs_table)),
            uploads=MessageQueue(clients.sqs(), options.uploads_queue_url),
        )
    except ReanalysisError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for upload in sent:
        print(f"{run}: re-analysing {', '.join(upload.analyses)} of s3://{upload.bucket}/{upload.key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
