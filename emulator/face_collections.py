"""Face collections: CreateCollection, DescribeCollection, ListCollections, DeleteCollection, IndexFaces,
ListFaces, DeleteFaces and SearchFacesByImage, for StartFaceSearch to search.

Faces are found in images by a `FaceFinder`: the synthetic one (the default) sees one face per JPEG or
PNG image, the same face in the same image bytes, so a picture indexed and then searched for matches
itself, and different pictures are different people. What a collection holds is what ListFaces shows;
face search jobs read a snapshot of it when they run.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from emulator.clock import Clock
from emulator.draw import Draw
from emulator.errors import S3_UNREADABLE_MESSAGE, ServiceError, invalid_parameter
from emulator.features import DEFAULT_FACE_KEYS, face_detail
from emulator.pagination import PaginationTokens

FACE_MODEL_VERSION = "7.0"
DEFAULT_PAGE = 1000
DEFAULT_FACE_MATCH_THRESHOLD = 80.0
_ACCOUNT = "123456789012"
_IMAGE_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")  # JPEG and PNG, the formats Rekognition reads
NO_FACE_MESSAGE = "There are no faces in the image. Should be at least 1."

ImageReader = Callable[[str, str, str | None], bytes | None]


@dataclass(frozen=True, slots=True)
class FoundFace:
    box: dict[str, float]
    confidence: float
    signature: bytes  # what the finder compares faces by (its `similarity`)
    # What else a finder measured of the face (Landmarks, Pose, Quality): GetFaceSearch's Person.Face has them.
    measured: Mapping[str, Any] = field(default_factory=dict)


class FaceFinder(Protocol):
    # A caveat a user should hear about the finder's results, or None.
    note: str | None

    def find(self, image: bytes) -> list[FoundFace]:
        """The faces in a JPEG or PNG image, largest first."""

    def similarity(self, one: bytes, other: bytes) -> float:
        """How alike two faces are, 0-100, from their signatures."""


class SyntheticFaceFinder:
    """One face per image, placed and identified by the image's bytes: the same picture is the same
    person (similarity 99-100), any other picture another person (similarity 0)."""

    note: str | None = None

    def find(self, image: bytes) -> list[FoundFace]:
        digest = hashlib.sha256(image).digest()
        draw = Draw(int.from_bytes(digest[:7], "big"), 41)
        width = draw.uniform(0.25, 0.45)
        height = min(0.9, width * draw.uniform(1.1, 1.4))
        box = {
            "Width": round(width, 6),
            "Height": round(height, 6),
            "Left": round(draw.uniform(0.0, 1.0 - width), 6),
            "Top": round(draw.uniform(0.0, 1.0 - height), 6),
        }
        return [FoundFace(box, round(draw.uniform(99.0, 100.0), 4), digest)]

    def similarity(self, one: bytes, other: bytes) -> float:
        if one != other:
            return 0.0
        return round(Draw(int.from_bytes(one[:7], "big"), 42).uniform(99.0, 100.0), 4)


@dataclass(frozen=True, slots=True)
class IndexedFace:
    face_id: str
    image_id: str
    external_image_id: str | None
    box: dict[str, float]
    confidence: float
    signature: bytes

    def face(self) -> dict[str, Any]:
        """The Face structure ListFaces, SearchFacesByImage and GetFaceSearch report."""
        face: dict[str, Any] = {
            "FaceId": self.face_id,
            "BoundingBox": dict(self.box),
            "ImageId": self.image_id,
            "Confidence": self.confidence,
        }
        if self.external_image_id is not None:
            face["ExternalImageId"] = self.external_image_id
        return face


@dataclass(slots=True)
class _Collection:
    collection_id: str
    created_at: float
    faces: dict[str, IndexedFace] = field(default_factory=dict)


class FaceCollections:
    """The account's collections in one region. Thread-safe."""

    def __init__(self, region: str, clock: Clock, read_image: ImageReader, finder: FaceFinder | None = None) -> None:
        """`finder` finds and compares faces: the synthetic one unless a real one is given."""
        self._region = region
        self._clock = clock
        self._read_image = read_image
        self.finder: FaceFinder = finder or SyntheticFaceFinder()
        self._collections: dict[str, _Collection] = {}
        self._pages = PaginationTokens(clock)
        self._lock = threading.RLock()
        self._handlers: Mapping[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
            "CreateCollection": self._create,
            "DescribeCollection": self._describe,
            "ListCollections": self._list_collections,
            "DeleteCollection": self._delete,
            "IndexFaces": self._index_faces,
            "ListFaces": self._list_faces,
            "DeleteFaces": self._delete_faces,
            "SearchFacesByImage": self._search_faces_by_image,
        }

    @property
    def operations(self) -> frozenset[str]:
        return frozenset(self._handlers)

    def handle(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        return self._handlers[operation](params)

    def faces(self, collection_id: str) -> tuple[IndexedFace, ...]:
        """A snapshot of the collection's faces; ResourceNotFoundException if it does not exist."""
        with self._lock:
            return tuple(self._get(collection_id).faces.values())

    # -- collections -------------------------------------------------------------------------------

    def _arn(self, collection_id: str) -> str:
        # The service's collection ARNs have no "arn:" prefix (CreateCollection's documented example).
        return f"aws:rekognition:{self._region}:{_ACCOUNT}:collection/{collection_id}"

    def _get(self, collection_id: str) -> _Collection:
        collection = self._collections.get(collection_id)
        if collection is None:
            raise ServiceError("ResourceNotFoundException", f"The collection id: {collection_id} does not exist")
        return collection

    def _create(self, params: Mapping[str, Any]) -> dict[str, Any]:
        collection_id = str(params["CollectionId"])
        with self._lock:
            if collection_id in self._collections:
                raise ServiceError(
                    "ResourceAlreadyExistsException", f"The collection id: {collection_id} already exists"
                )
            self._collections[collection_id] = _Collection(collection_id, self._clock.now())
        return {"StatusCode": 200, "CollectionArn": self._arn(collection_id), "FaceModelVersion": FACE_MODEL_VERSION}

    def _describe(self, params: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            collection = self._get(str(params["CollectionId"]))
            return {
                "FaceCount": len(collection.faces),
                "FaceModelVersion": FACE_MODEL_VERSION,
                "CollectionARN": self._arn(collection.collection_id),
                "CreationTimestamp": collection.created_at,
                "UserCount": 0,
            }

    def _delete(self, params: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            collection = self._get(str(params["CollectionId"]))
            del self._collections[collection.collection_id]
        return {"StatusCode": 200}

    def _page(self, key: str, items: list[Any], params: Mapping[str, Any]) -> tuple[list[Any], str | None]:
        offset = 0
        token = params.get("NextToken")
        if token:
            offset = self._pages.redeem(str(token), key).offset
        limit = int(params.get("MaxResults") or DEFAULT_PAGE)
        page = items[offset : offset + limit]
        following = self._pages.issue(key, offset + len(page), {}) if offset + len(page) < len(items) else None
        return page, following

    def _list_collections(self, params: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            names = sorted(self._collections)
            page, following = self._page("collections", names, params)
        response: dict[str, Any] = {"CollectionIds": page, "FaceModelVersions": [FACE_MODEL_VERSION] * len(page)}
        if following:
            response["NextToken"] = following
        return response

    # -- faces -------------------------------------------------------------------------------------

    def _image(self, params: Mapping[str, Any]) -> bytes:
        image = params.get("Image") or {}
        if image.get("Bytes") is not None:
            try:
                data = base64.b64decode(image["Bytes"], validate=True)
            except (binascii.Error, ValueError, TypeError):
                raise invalid_parameter("Image.Bytes must be base64-encoded") from None
        elif image.get("S3Object"):
            s3_object = image["S3Object"]
            if not s3_object.get("Bucket") or not s3_object.get("Name"):
                raise invalid_parameter("Image.S3Object needs a Bucket and a Name")
            found = self._read_image(str(s3_object["Bucket"]), str(s3_object["Name"]), s3_object.get("Version"))
            if found is None:
                raise ServiceError("InvalidS3ObjectException", S3_UNREADABLE_MESSAGE)
            data = found
        else:
            raise invalid_parameter("Image needs Bytes or an S3Object")
        if not data.startswith(_IMAGE_SIGNATURES):
            raise ServiceError("InvalidImageFormatException", "Request has invalid image format")
        return data

    def _index_faces(self, params: Mapping[str, Any]) -> dict[str, Any]:
        collection_id = str(params["CollectionId"])
        with self._lock:
            self._get(collection_id)
        data = self._image(params)
        found = self.finder.find(data)
        limit = len(found) if params.get("MaxFaces") is None else int(params["MaxFaces"])
        all_attributes = "ALL" in (params.get("DetectionAttributes") or ())
        image_id = str(uuid.UUID(bytes=hashlib.sha256(data).digest()[:16], version=4))
        external = params.get("ExternalImageId")
        records, unindexed = [], []
        with self._lock:
            collection = self._get(collection_id)
            for number, face in enumerate(found):
                detail = _detail(face, number, all_attributes=all_attributes)
                if number >= limit:
                    unindexed.append({"Reasons": ["EXCEEDS_MAX_FACES"], "FaceDetail": detail})
                    continue
                indexed = IndexedFace(str(uuid.uuid4()), image_id, external, face.box, face.confidence, face.signature)
                collection.faces[indexed.face_id] = indexed
                records.append({"Face": indexed.face(), "FaceDetail": detail})
        return {"FaceRecords": records, "FaceModelVersion": FACE_MODEL_VERSION, "UnindexedFaces": unindexed}

    def _list_faces(self, params: Mapping[str, Any]) -> dict[str, Any]:
        wanted = set(params.get("FaceIds") or ())
        with self._lock:
            collection = self._get(str(params["CollectionId"]))
            faces = [face for face in collection.faces.values() if not wanted or face.face_id in wanted]
            page, following = self._page(f"faces:{collection.collection_id}", faces, params)
        listed = [{**face.face(), "IndexFacesModelVersion": FACE_MODEL_VERSION} for face in page]
        response: dict[str, Any] = {"Faces": listed, "FaceModelVersion": FACE_MODEL_VERSION}
        if following:
            response["NextToken"] = following
        return response

    def _delete_faces(self, params: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            collection = self._get(str(params["CollectionId"]))
            deleted = [face_id for face_id in params["FaceIds"] if collection.faces.pop(str(face_id), None) is not None]
        # Ids the collection does not hold are simply not among the deleted, as in the service.
        return {"DeletedFaces": deleted} if deleted else {}

    def _search_faces_by_image(self, params: Mapping[str, Any]) -> dict[str, Any]:
        collection_id = str(params["CollectionId"])
        with self._lock:
            self._get(collection_id)
        found = self.finder.find(self._image(params))
        if not found:
            raise invalid_parameter(NO_FACE_MESSAGE)
        searched = found[0]  # the largest face, as the service searches with
        threshold = float(params.get("FaceMatchThreshold", DEFAULT_FACE_MATCH_THRESHOLD))
        matches = [
            {"Similarity": similarity, "Face": face.face()}
            for face, similarity in similar_faces(self.finder, searched.signature, self.faces(collection_id), threshold)
        ][: int(params.get("MaxFaces") or 4096)]
        return {
            "SearchedFaceBoundingBox": dict(searched.box),
            "SearchedFaceConfidence": searched.confidence,
            "FaceMatches": matches,
            "FaceModelVersion": FACE_MODEL_VERSION,
        }


def similar_faces(
    finder: FaceFinder, signature: bytes, faces: tuple[IndexedFace, ...], threshold: float
) -> list[tuple[IndexedFace, float]]:
    """The faces at least `threshold` similar to `signature`, most similar first."""
    scored = [(face, finder.similarity(signature, face.signature)) for face in faces]
    return sorted(((face, score) for face, score in scored if score >= threshold), key=lambda pair: -pair[1])


def _detail(face: FoundFace, number: int, *, all_attributes: bool) -> dict[str, Any]:
    seed = int.from_bytes(hashlib.sha256(face.signature).digest()[:7], "big")
    detail = face_detail(Draw(seed, 43, number), face.box, all_attributes=True)
    detail["Confidence"] = face.confidence
    if all_attributes:
        return detail
    return {key: value for key, value in detail.items() if key in DEFAULT_FACE_KEYS}
