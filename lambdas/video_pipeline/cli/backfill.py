"""Analyse videos already in the input bucket, through the same queue and quota ledger as new uploads.

    make backfill ARGS="--bucket B --jobs-table T --uploads-queue-url U [--prefix P] [--since 2026-01-01]
                        [--until 2026-07-01] [--suffix .mp4 ...] [--manifest inventory.csv] [--dry-run]"

The names are the stack's outputs (docs/deploy.md). Uses your AWS credentials and region. Progress is
kept in a state file (`--state`, default backfill-state.json): stop it with Ctrl-C and run the same
command again to resume. Running it again once finished starts nothing new (docs/operations.md).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from video_pipeline.analyses import DEFAULT_ANALYSES, by_name
from video_pipeline.contract import DEFAULT_VIDEO_SUFFIXES
from video_pipeline.dal import clients
from video_pipeline.dal.jobs_store import JobsStore
from video_pipeline.dal.listing import BucketLister
from video_pipeline.dal.objects import ObjectReader
from video_pipeline.dal.queues import MessageQueue
from video_pipeline.logic.backfill import Backfill, BackfillReport, ListedObject, Selection
from video_pipeline.logic.manifests import BATCH_OPERATIONS_SCHEMA, ManifestError, manifest_rows

# A dry run names this many of the objects it would send, then counts the rest.
_NAMED_IN_DRY_RUN = 20


def _date(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (write 2026-01-31 or 2026-01-31T12:00Z)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="backfill", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--bucket", required=True, help="the input bucket")
    parser.add_argument("--jobs-table", required=True)
    parser.add_argument("--uploads-queue-url", required=True)
    parser.add_argument("--prefix", default="", help="only keys that begin with this")
    parser.add_argument("--since", type=_date, help="only objects last modified at or after this (UTC)")
    parser.add_argument("--until", type=_date, help="only objects last modified before this (UTC)")
    parser.add_argument("--suffix", action="append", help="video suffix, repeatable (default: .mp4 .mov .m4v)")
    parser.add_argument("--manifest", type=Path, help="an S3 Inventory or Batch Operations CSV instead of listing")
    parser.add_argument(
        "--manifest-schema",
        default=BATCH_OPERATIONS_SCHEMA,
        help="the CSV's columns: the inventory manifest.json's fileSchema (default: Batch Operations')",
    )
    parser.add_argument("--analyses", default=",".join(DEFAULT_ANALYSES), help="the deployment's, for the estimate")
    parser.add_argument("--dry-run", action="store_true", help="send nothing: list what would start and its cost")
    parser.add_argument("--state", type=Path, default=Path("backfill-state.json"), help="where progress is kept")
    parser.add_argument("--restart", action="store_true", help="ignore the saved progress")
    parser.add_argument("--limit", type=int, help="stop after listing this many objects (resume later)")
    return parser


def main(argv: list[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    try:
        analyses = tuple(by_name(name.strip()) for name in options.analyses.split(",") if name.strip())
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    selection = Selection(
        prefix=options.prefix,
        since=options.since,
        until=options.until,
        suffixes=tuple(options.suffix or DEFAULT_VIDEO_SUFFIXES),
    )
    state = _State(options.state, _identity(options), enabled=not options.dry_run)
    after = None if options.restart else state.cursor()
    if after:
        print(f"resuming after {after} (from {options.state}; --restart to start over)")
    s3 = clients.s3()
    backfill = Backfill(
        videos=JobsStore(clients.dynamodb_resource().Table(options.jobs_table)),
        uploads=MessageQueue(clients.sqs(), options.uploads_queue_url),
        objects=ObjectReader(s3),
        analyses=analyses,
    )
    with ExitStack() as stack:
        try:
            listing = _listing(options, BucketLister(s3), after, stack)
            report = backfill.run(
                listing, selection, dry_run=options.dry_run, limit=options.limit, on_progress=state.save_and_show
            )
        except KeyboardInterrupt:
            print(f"stopped; run the same command again to resume ({options.state})", file=sys.stderr)
            return 130
        except (ManifestError, OSError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        except (ClientError, BotoCoreError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    state.save_and_show(report)
    _summarise(report, analyses_count=len(analyses), dry_run=options.dry_run)
    return 0


def _listing(
    options: argparse.Namespace, lister: BucketLister, after: str | None, stack: ExitStack
) -> Iterator[tuple[ListedObject, str]]:
    if options.manifest is None:
        return lister.listing(options.bucket, options.prefix, after)
    lines = stack.enter_context(options.manifest.open(newline="", encoding="utf-8"))
    rows = manifest_rows(lines, options.manifest_schema, after=int(after or 0))
    return lister.completed(row for row in rows if row.bucket == options.bucket)


def _identity(options: argparse.Namespace) -> dict[str, Any]:
    """What a saved cursor belongs to: another selection or source starts over."""
    return {
        "bucket": options.bucket,
        "prefix": options.prefix,
        "since": options.since.isoformat() if options.since else None,
        "until": options.until.isoformat() if options.until else None,
        "suffixes": options.suffix,
        "manifest": str(options.manifest) if options.manifest else None,
    }


class _State:
    """The progress file: the cursor to resume from, for one selection. A dry run keeps none."""

    def __init__(self, path: Path, identity: dict[str, Any], *, enabled: bool) -> None:
        self._path, self._identity, self._enabled = path, identity, enabled

    def cursor(self) -> str | None:
        if not self._enabled or not self._path.exists():
            return None
        try:
            saved = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return saved.get("cursor") if saved.get("selection") == self._identity else None

    def save_and_show(self, report: BackfillReport) -> None:
        print(f"listed {report.listed}, chosen {report.chosen}, already known {report.known}, sent {report.sent}")
        if self._enabled:
            payload = {"selection": self._identity, "cursor": report.cursor, "saved_at": datetime.now(UTC).isoformat()}
            self._path.write_text(json.dumps(payload, indent=2), encoding="utf-8")


def _summarise(report: BackfillReport, *, analyses_count: int, dry_run: bool) -> None:
    if not dry_run:
        done = "finished" if report.cursor is None else f"stopped after {report.cursor}; run again to go on"
        print(f"{report.sent} videos sent to the uploads queue; {done}")
        return
    for listed, minutes in report.would_start[:_NAMED_IN_DRY_RUN]:
        print(f"would start: s3://{listed.bucket}/{listed.key} ({minutes:.2f} min)")
    if len(report.would_start) > _NAMED_IN_DRY_RUN:
        print(f"... and {len(report.would_start) - _NAMED_IN_DRY_RUN} more")
    print(
        f"dry run: {report.sent} videos, {report.minutes:.2f} minutes x {analyses_count} analyses: "
        f"about ${report.estimated_cost_usd:,.2f} of Rekognition (list price, video_pipeline/analyses.py)"
    )


if __name__ == "__main__":
    sys.exit(main())
