"""Index, list and remove the reference faces face search looks for (docs/deploy.md, "Face search").

    make faces ARGS="--collection C index --bucket B --prefix reference-faces/team/"
    make faces ARGS="--collection C list"
    make faces ARGS="--collection C remove ada [grace ...]"

The collection and the bucket are the stack's outputs (FaceCollectionId, InputBucketName). Each picture
(JPEG or PNG) holds one person and is named after them: `ada.jpg` is indexed as `ada`, the name its
matches are stored and read under. Indexing the same prefix again adds nothing. Removing a face stops
future matches; matches already stored stay. Uses your AWS credentials and region.
"""

from __future__ import annotations

import argparse
import sys

from botocore.exceptions import BotoCoreError, ClientError

from video_pipeline.contract import DEFAULT_REFERENCE_FACES_PREFIX
from video_pipeline.dal import clients
from video_pipeline.dal.face_collection import FaceCollection, FaceCollectionError
from video_pipeline.dal.listing import BucketLister
from video_pipeline.logic.reference_faces import (
    MAX_STEP_LIMIT,
    ReferenceFaceError,
    ReferenceFaces,
    UnknownReferenceFaceError,
    problems,
    remove_faces,
    summary,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="faces", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--collection", required=True, help="the stack's face collection (output FaceCollectionId)")
    commands = parser.add_subparsers(dest="command", required=True)
    index = commands.add_parser("index", help="index every JPEG or PNG under a prefix of the bucket")
    index.add_argument("--bucket", required=True, help="the input bucket (output InputBucketName)")
    index.add_argument("--prefix", default=DEFAULT_REFERENCE_FACES_PREFIX, help="where the pictures are")
    commands.add_parser("list", help="the reference faces, one a line: name, then FaceId")
    remove = commands.add_parser("remove", help="remove faces by name (ExternalImageId) or FaceId")
    remove.add_argument("names", nargs="+", metavar="NAME_OR_FACE_ID")
    return parser


def main(argv: list[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    collection = FaceCollection(clients.rekognition(), options.collection)
    try:
        if options.command == "index":
            return _index(collection, options.bucket, options.prefix)
        if options.command == "list":
            for face in sorted(collection.faces(), key=lambda face: face.name):
                print(f"{face.name}\t{face.face_id}")
            return 0
        return _remove(collection, options.names)
    except (ReferenceFaceError, UnknownReferenceFaceError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (FaceCollectionError, ClientError, BotoCoreError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def _index(collection: FaceCollection, bucket: str, prefix: str) -> int:
    faces = ReferenceFaces(collection=collection, pictures=BucketLister(clients.s3()), bucket=bucket, root=prefix)
    cursor: str | None = None
    empty = True
    while True:
        report = faces.index(prefix, cursor=cursor, limit=MAX_STEP_LIMIT)
        empty = empty and not report.pictures
        for picture in report.pictures:
            print(f"{picture.outcome.value}\t{picture.key}\t{picture.external_image_id or ''}")
        for line in problems(report.pictures):
            print(f"no face indexed: {line}", file=sys.stderr)
        print(summary(report))
        cursor = report.cursor
        if cursor is None:
            break
    if empty:
        print(f"error: no objects under s3://{bucket}/{prefix}", file=sys.stderr)
        return 2
    return 0


def _remove(collection: FaceCollection, names: list[str]) -> int:
    status = 0
    for name in names:
        try:
            removed = remove_faces(collection, name)
        except UnknownReferenceFaceError as error:
            print(f"error: {error}", file=sys.stderr)
            status = 2
            continue
        print(f"removed {name}: {', '.join(removed)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
