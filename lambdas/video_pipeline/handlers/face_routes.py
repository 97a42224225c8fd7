"""The read API's reference-face routes: list, index from the input bucket, remove (docs/deploy.md).

A router included by `read_api`; the handler puts the deployment's `ReferenceFaces` in the request's
context (`bind`), or none where the deployment has no face collection (face_search not enabled).
"""

from __future__ import annotations

from typing import Annotated, cast

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from video_pipeline.handlers.read_api_shared import json_body_responses, json_responses
from video_pipeline.logic.reading import InvalidRequestError, UnknownResourceError
from video_pipeline.logic.reference_faces import (
    EXTERNAL_IMAGE_ID_MAX_LENGTH,
    EXTERNAL_IMAGE_ID_PATTERN,
    ReferenceFaceError,
    ReferenceFaces,
    UnknownReferenceFaceError,
)
from video_pipeline.read_models import (
    FaceIndexingRequest,
    FaceIndexingView,
    FaceRemovalView,
    IndexedPictureView,
    ReferenceFacePage,
    ReferenceFaceView,
)

# Powertools leaves Router.__init__ unannotated.
router = Router()  # type: ignore[no-untyped-call]
CONTEXT_KEY = "reference faces"
_NOT_CONFIGURED = (400, "Face search is not enabled where this API runs, or the request is invalid")
_UNKNOWN_FACE = (404, "No reference face with that name or FaceId")
FaceName = Annotated[
    str,
    Path(
        pattern=f"^{EXTERNAL_IMAGE_ID_PATTERN}$",
        max_length=EXTERNAL_IMAGE_ID_MAX_LENGTH,
        description="A reference face's name (its ExternalImageId) or its FaceId",
    ),
]


def reference_faces() -> ReferenceFaces:
    faces = router.context.get(CONTEXT_KEY)
    if faces is None:
        raise InvalidRequestError("face search is not enabled where this API runs (no face collection)")
    return cast(ReferenceFaces, faces)


@router.get(
    "/faces",
    summary="The reference faces face search looks for",
    responses=json_responses(ReferenceFacePage, _NOT_CONFIGURED),
)
def list_faces() -> ReferenceFacePage:
    faces = sorted(reference_faces().faces(), key=lambda face: face.name)
    return ReferenceFacePage(
        items=[
            ReferenceFaceView(name=face.name, face_id=face.face_id, image_id=face.image_id, confidence=face.confidence)
            for face in faces
        ]
    )


@router.post(
    "/faces/indexings",
    summary="One step of indexing the reference pictures under a prefix of the input bucket (call again with the "
    "cursor); a name already indexed is not indexed again",
    responses=json_body_responses(FaceIndexingView, _NOT_CONFIGURED),
)
def index_faces(request: FaceIndexingRequest) -> FaceIndexingView:
    try:
        report = reference_faces().index(request.prefix, cursor=request.cursor, limit=request.limit)
    except ReferenceFaceError as error:
        raise InvalidRequestError(str(error)) from None
    pictures = [
        IndexedPictureView(
            key=picture.key,
            outcome=picture.outcome.value,
            name=picture.external_image_id,
            face_id=picture.face_id,
            reasons=list(picture.reasons),
        )
        for picture in report.pictures
    ]
    return FaceIndexingView(pictures=pictures, cursor=report.cursor)


@router.delete(
    "/faces/<external_image_id>",
    summary="Remove a reference face; the matches already stored are kept",
    responses=json_responses(FaceRemovalView, _NOT_CONFIGURED, _UNKNOWN_FACE),
)
def remove_face(external_image_id: FaceName) -> FaceRemovalView:
    try:
        return FaceRemovalView(removed=reference_faces().remove(external_image_id))
    except UnknownReferenceFaceError as error:
        raise UnknownResourceError(str(error)) from None
