"""S3 Inventory and S3 Batch Operations manifests (CSV): the backfill's path for millions of objects.

Listing a bucket of millions of objects takes hours of paged requests; S3 Inventory delivers the same
list daily or weekly as CSV files, and a Batch Operations manifest is a CSV of `bucket,key[,version]`.
Keys in both are URL-encoded. An inventory's columns are those its `manifest.json` names in
`fileSchema` (for example `Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate,
ETag`); a Batch Operations manifest has no header, hence the default schema.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote_plus

BATCH_OPERATIONS_SCHEMA = "Bucket, Key, VersionId"
_REQUIRED = ("Bucket", "Key")


class ManifestError(ValueError):
    """A manifest this reader cannot use; the message names the file's row and what is wrong."""


@dataclass(frozen=True, slots=True)
class ManifestRow:
    """One object a manifest names; what it does not state (size, ETag, date) is read from S3."""

    number: int
    bucket: str
    key: str
    version_id: str | None
    size: int | None = None
    etag: str | None = None
    last_modified: str | None = None


def parse_schema(schema: str) -> tuple[str, ...]:
    columns = tuple(name.strip() for name in schema.split(",") if name.strip())
    missing = [name for name in _REQUIRED if name not in columns]
    if missing:
        raise ManifestError(f"manifest schema {schema!r} lacks {', '.join(missing)}")
    return columns


def manifest_rows(
    lines: Iterable[str], schema: str = BATCH_OPERATIONS_SCHEMA, *, after: int = 0
) -> Iterator[ManifestRow]:
    """The current object versions a manifest names, from row `after` + 1 on (rows count from 1).

    Rows of noncurrent versions and delete markers (inventories list them when asked to) are skipped.
    """
    columns = parse_schema(schema)
    for number, values in enumerate(csv.reader(lines), start=1):
        if number <= after or not values:
            continue
        if len(values) < len(columns) and len(values) < 2:
            raise ManifestError(f"manifest row {number}: {len(values)} columns, the schema names {len(columns)}")
        row = dict(zip(columns, values, strict=False))
        if row.get("IsLatest", "true").lower() != "true" or row.get("IsDeleteMarker", "false").lower() == "true":
            continue
        yield ManifestRow(
            number=number,
            bucket=row["Bucket"],
            key=unquote_plus(row["Key"]),
            version_id=row.get("VersionId") or None,
            size=_size(row.get("Size"), number),
            etag=row.get("ETag") or None,
            last_modified=row.get("LastModifiedDate") or None,
        )


def _size(value: str | None, number: int) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ManifestError(f"manifest row {number}: size {value!r} is not a number of bytes") from None
