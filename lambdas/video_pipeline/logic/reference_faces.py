"""Reference faces for face search: the named pictures the stack's Rekognition collection holds.

Each JPEG or PNG under a prefix of the input bucket is indexed with `IndexFaces` (one face, the
largest, `QualityFilter=AUTO`), named by its file name without suffix (`ExternalImageId`), the name
face-search matches are stored and read under. Rekognition adds a new face each time the same picture
is indexed again, so a name the collection already holds is skipped: indexing a prefix twice adds
nothing. (Two indexings of the same new picture running at the same moment can both add it, as
ListFaces is read before IndexFaces; `remove` by name takes both away.) Removing a reference face
stops future matches only; matches already stored stay.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Protocol

from video_pipeline.logic.backfill import ListedObject

# The picture formats IndexFaces reads.
IMAGE_SUFFIXES: tuple[str, ...] = (".jpg", ".jpeg", ".png")
# IndexFaces' ExternalImageId constraint, from Rekognition's model.
EXTERNAL_IMAGE_ID_PATTERN = r"[a-zA-Z0-9_.\-:]+"
EXTERNAL_IMAGE_ID_MAX_LENGTH = 255
_REPLACED = re.compile(r"[^a-zA-Z0-9_.\-:]+")
# Objects listed per indexing step: each costs one IndexFaces call, and the read API answers in 29 s.
DEFAULT_STEP_LIMIT = 50
MAX_STEP_LIMIT = 200


class ReferenceFaceError(ValueError):
    """A request about reference faces that cannot be served as asked; the message says why."""


class UnknownReferenceFaceError(LookupError):
    """No reference face has the name or FaceId asked for."""


@dataclass(frozen=True, slots=True)
class ReferenceFace:
    face_id: str
    external_image_id: str | None
    image_id: str | None = None
    confidence: float | None = None

    @property
    def name(self) -> str:
        """What matches of this face are stored under: its ExternalImageId, else its FaceId."""
        return self.external_image_id or self.face_id


@dataclass(frozen=True, slots=True)
class IndexResult:
    """What IndexFaces did with one picture: the face it added, or why it added none."""

    face: ReferenceFace | None
    # UnindexedFaces' reasons (LOW_SHARPNESS, EXTREME_POSE...), or the error that refused the picture.
    reasons: tuple[str, ...] = ()


class Outcome(StrEnum):
    INDEXED = "indexed"
    ALREADY_INDEXED = "already_indexed"
    NO_FACE = "no_face"
    NOT_AN_IMAGE = "not_an_image"


@dataclass(frozen=True, slots=True)
class PictureOutcome:
    key: str
    outcome: Outcome
    external_image_id: str | None = None
    face_id: str | None = None
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IndexingReport:
    pictures: list[PictureOutcome] = field(default_factory=list)
    # The key to continue after, when the step stopped at its limit; None once the prefix is done.
    cursor: str | None = None

    def count(self, outcome: Outcome) -> int:
        return sum(1 for picture in self.pictures if picture.outcome is outcome)


class FaceCollectionPort(Protocol):
    def faces(self) -> Iterator[ReferenceFace]: ...

    def index(self, bucket: str, key: str, external_image_id: str) -> IndexResult: ...

    def delete(self, face_ids: Sequence[str]) -> list[str]: ...


class PictureListingPort(Protocol):
    def listing(
        self, bucket: str, prefix: str = "", after: str | None = None
    ) -> Iterator[tuple[ListedObject, str]]: ...


def external_image_id(key: str) -> str:
    """The name a picture's face is indexed under: its file name without suffix, each run of characters
    IndexFaces refuses replaced by `_` (`people/Ada Lovelace.jpg` -> `Ada_Lovelace`)."""
    stem = PurePosixPath(key).stem
    name = _REPLACED.sub("_", stem)[:EXTERNAL_IMAGE_ID_MAX_LENGTH]
    if not name.strip("_"):
        raise ReferenceFaceError(f"{key!r} gives no usable name: name pictures after the person (ada.jpg)")
    return name


def is_picture(key: str) -> bool:
    return key.lower().endswith(IMAGE_SUFFIXES)


class ReferenceFaces:
    """Index, list and remove the collection's reference faces, from pictures under `root` in `bucket`."""

    def __init__(self, *, collection: FaceCollectionPort, pictures: PictureListingPort, bucket: str, root: str) -> None:
        self._collection = collection
        self._pictures = pictures
        self._bucket = bucket
        self._root = root

    @property
    def root(self) -> str:
        return self._root

    def faces(self) -> list[ReferenceFace]:
        return list(self._collection.faces())

    def index(self, prefix: str, *, cursor: str | None = None, limit: int = DEFAULT_STEP_LIMIT) -> IndexingReport:
        """One step: index the pictures under `prefix` (within the reference root) after `cursor`,
        at most `limit` objects; call again with the report's cursor until it is None."""
        if not prefix.startswith(self._root):
            raise ReferenceFaceError(f"prefix {prefix!r} is outside the reference pictures' {self._root!r}")
        if not 1 <= limit <= MAX_STEP_LIMIT:
            raise ReferenceFaceError(f"limit must be from 1 to {MAX_STEP_LIMIT}, not {limit}")
        if cursor is not None and not cursor.startswith(prefix):
            raise ReferenceFaceError(f"cursor {cursor!r} does not belong to prefix {prefix!r}")
        known = {face.name: face.face_id for face in self._collection.faces()}
        pictures: list[PictureOutcome] = []
        for listed, _position in self._pictures.listing(self._bucket, prefix, cursor):
            if len(pictures) == limit:
                return IndexingReport(pictures, cursor=pictures[-1].key)
            pictures.append(self._index_one(listed.key, known))
        return IndexingReport(pictures)

    def _index_one(self, key: str, known: dict[str, str]) -> PictureOutcome:
        if not is_picture(key):
            return PictureOutcome(key, Outcome.NOT_AN_IMAGE, reasons=(f"not one of {', '.join(IMAGE_SUFFIXES)}",))
        try:
            name = external_image_id(key)
        except ReferenceFaceError as error:
            return PictureOutcome(key, Outcome.NO_FACE, reasons=(str(error),))
        if name in known:
            return PictureOutcome(key, Outcome.ALREADY_INDEXED, name, known[name])
        result = self._collection.index(self._bucket, key, name)
        if result.face is None:
            return PictureOutcome(key, Outcome.NO_FACE, name, reasons=result.reasons or ("no face found",))
        known[name] = result.face.face_id
        return PictureOutcome(key, Outcome.INDEXED, name, result.face.face_id)

    def remove(self, identifier: str) -> list[str]:
        return remove_faces(self._collection, identifier)


def remove_faces(collection: FaceCollectionPort, identifier: str) -> list[str]:
    """Remove every face named `identifier` (its ExternalImageId) or whose FaceId it is; the FaceIds
    removed. Matches already stored are kept: they record what was found when the video was analysed."""
    chosen = [face.face_id for face in collection.faces() if identifier in (face.face_id, face.name)]
    if not chosen:
        raise UnknownReferenceFaceError(f"no reference face named {identifier!r} (nor with that FaceId)")
    return collection.delete(chosen)


def summary(report: IndexingReport) -> str:
    counts = ", ".join(f"{outcome.value.replace('_', ' ')} {report.count(outcome)}" for outcome in Outcome)
    return counts if report.cursor is None else f"{counts}; continues after {report.cursor}"


def problems(pictures: Iterable[PictureOutcome]) -> list[str]:
    """One line per picture that gave no face, with why."""
    return [
        f"{picture.key}: {', '.join(picture.reasons)}" for picture in pictures if picture.outcome is Outcome.NO_FACE
    ]
