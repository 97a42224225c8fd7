"""The stack's Rekognition face collection: IndexFaces, paged ListFaces, DeleteFaces."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from video_pipeline.logic.reference_faces import IndexResult, ReferenceFace

if TYPE_CHECKING:
    from mypy_boto3_rekognition import RekognitionClient

# ListFaces allows up to 4096 a page and DeleteFaces 4096 ids a call; smaller keeps each answer small.
_PAGE_SIZE = 1000
_DELETE_BATCH = 1000
# Errors about one picture: reported for it, and the other pictures are still indexed.
_PICTURE_ERRORS = frozenset(
    {"InvalidImageFormatException", "InvalidS3ObjectException", "ImageTooLargeException", "InvalidParameterException"}
)


class FaceCollectionError(RuntimeError):
    """The collection cannot be used (missing, or not allowed): a deployment problem, not a picture's."""


class FaceCollection:
    def __init__(self, client: RekognitionClient, collection_id: str) -> None:
        self._client = client
        self._collection_id = collection_id

    def faces(self) -> Iterator[ReferenceFace]:
        request: dict[str, Any] = {"CollectionId": self._collection_id, "MaxResults": _PAGE_SIZE}
        while True:
            page = self._call(self._client.list_faces, **request)
            for face in page.get("Faces", []):
                yield _reference_face(face)
            if not page.get("NextToken"):
                return
            request["NextToken"] = page["NextToken"]

    def index(self, bucket: str, key: str, external_image_id: str) -> IndexResult:
        """Index the picture's largest face; the reasons Rekognition gives when it indexes none."""
        try:
            response = self._client.index_faces(
                CollectionId=self._collection_id,
                Image={"S3Object": {"Bucket": bucket, "Name": key}},
                ExternalImageId=external_image_id,
                MaxFaces=1,
                QualityFilter="AUTO",
                DetectionAttributes=["DEFAULT"],
            )
        except ClientError as error:
            details = error.response.get("Error", {})
            code = str(details.get("Code", ""))
            if code in _PICTURE_ERRORS:
                return IndexResult(None, (f"{code}: {details.get('Message', '')}".rstrip(": "),))
            raise self._unusable(error) from None
        records = response.get("FaceRecords") or []
        if records:
            return IndexResult(_reference_face(dict(records[0]["Face"])))
        reasons = [reason for face in response.get("UnindexedFaces") or [] for reason in face.get("Reasons") or []]
        return IndexResult(None, tuple(dict.fromkeys(reasons)))

    def delete(self, face_ids: Sequence[str]) -> list[str]:
        deleted: list[str] = []
        for start in range(0, len(face_ids), _DELETE_BATCH):
            batch = list(face_ids[start : start + _DELETE_BATCH])
            response = self._call(self._client.delete_faces, CollectionId=self._collection_id, FaceIds=batch)
            deleted += response.get("DeletedFaces", [])
        return deleted

    def _call(self, method: Callable[..., Any], **request: Any) -> Mapping[str, Any]:
        try:
            return dict(method(**request))
        except ClientError as error:
            raise self._unusable(error) from None

    def _unusable(self, error: ClientError) -> FaceCollectionError:
        details = error.response.get("Error", {})
        return FaceCollectionError(
            f"face collection {self._collection_id}: {details.get('Code')}: {details.get('Message')}"
        )


def _reference_face(face: Mapping[str, Any]) -> ReferenceFace:
    confidence = face.get("Confidence")
    return ReferenceFace(
        face_id=str(face["FaceId"]),
        external_image_id=face.get("ExternalImageId"),
        image_id=face.get("ImageId"),
        confidence=float(confidence) if confidence is not None else None,
    )
