"""A JSON snapshot of the pipeline's two tables, so other tools (a dashboard) can reload a run's results.

    save(path, jobs_table, detections_table)   # after a run: every item of both tables
    load(path, jobs_table, detections_table)   # into empty tables with the same key schema

Numbers keep DynamoDB's exactness: they are written as JSON numbers and read back as Decimal.
Binary values (the packed detections' `z`) are written as `{"$binary": "<base64>"}`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import Binary

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

FORMAT = "rekognition-video-pipeline.tables/2"
# Version 1 had no binary values; it reads the same way.
READABLE_FORMATS = ("rekognition-video-pipeline.tables/1", FORMAT)
_BINARY = "$binary"


@dataclass(frozen=True, slots=True)
class SnapshotCounts:
    jobs: int
    detections: int  # items of the detections table (packed windows and appearances)


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set):
        return sorted(_json_value(item) for item in value)
    if isinstance(value, Binary | bytes | bytearray):
        raw = value.__bytes__() if isinstance(value, Binary) else bytes(value)
        return {_BINARY: base64.b64encode(raw.encode() if isinstance(raw, str) else raw).decode("ascii")}
    raise TypeError(f"cannot snapshot a {type(value).__name__}")


def _binary_value(value: dict[str, Any]) -> Any:
    if len(value) == 1 and isinstance(value.get(_BINARY), str):
        return Binary(base64.b64decode(value[_BINARY]))
    return value


def _scan(table: Table) -> Iterator[dict[str, Any]]:
    start: dict[str, Any] = {}
    while True:
        response = table.scan(**start)
        yield from response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return
        start = {"ExclusiveStartKey": response["LastEvaluatedKey"]}


def _sorted_items(table: Table) -> list[dict[str, Any]]:
    return sorted(_scan(table), key=lambda item: (str(item["pk"]), str(item["sk"])))


def save(path: Path, jobs_table: Table, detections_table: Table) -> SnapshotCounts:
    jobs, detections = _sorted_items(jobs_table), _sorted_items(detections_table)
    document = {
        "format": FORMAT,
        "tables": {
            "jobs": {"name": jobs_table.name, "items": jobs},
            "detections": {"name": detections_table.name, "items": detections},
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, default=_json_value, ensure_ascii=False, separators=(",", ":")))
    return SnapshotCounts(len(jobs), len(detections))


def load(path: Path, jobs_table: Table, detections_table: Table) -> SnapshotCounts:
    try:
        document = json.loads(path.read_text(), parse_float=Decimal, object_hook=_binary_value)
    except (OSError, ValueError) as error:
        raise ValueError(f"{path} is not a readable snapshot: {error}") from None
    if not isinstance(document, dict) or document.get("format") not in READABLE_FORMATS:
        raise ValueError(f"{path} is not a {FORMAT} snapshot")
    tables = document["tables"]
    for table, name in ((jobs_table, "jobs"), (detections_table, "detections")):
        with table.batch_writer() as batch:
            for item in tables[name]["items"]:
                batch.put_item(Item=item)
    return SnapshotCounts(len(tables["jobs"]["items"]), len(tables["detections"]["items"]))
