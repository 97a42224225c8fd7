"""The read API's link to a video itself, from which the dashboard draws its shot thumbnails.

A router included by `read_api`; the handler puts the deployment's media links in the request's
context (`bind`). Any signed-in dashboard user may open the videos whose results they may read: the
link only spares the page a second origin with its own sign-in (docs/dashboards.md).
"""

from __future__ import annotations

from typing import cast

from aws_lambda_powertools.event_handler.api_gateway import Router

from video_pipeline.handlers.read_api_shared import NOT_FOUND, VideoId, json_responses, reader_in
from video_pipeline.logic.ports import MediaLinksPort
from video_pipeline.logic.reading import InvalidRequestError
from video_pipeline.read_models import MediaLinkView

# Powertools leaves Router.__init__ unannotated.
router = Router()  # type: ignore[no-untyped-call]
CONTEXT_KEY = "media links"
_NOT_CONFIGURED = (400, "This API gives no links to videos where it runs")


@router.get(
    "/videos/<video_id>/media",
    summary="A short-lived link to the video (the version analysed), for the dashboard's shot thumbnails",
    responses=json_responses(MediaLinkView, NOT_FOUND, _NOT_CONFIGURED),
)
def media_link(video_id: VideoId) -> MediaLinkView:
    links = router.context.get(CONTEXT_KEY)
    if links is None:
        raise InvalidRequestError("this API gives no links to videos where it runs")
    media = cast(MediaLinksPort, links)
    video = reader_in(router.context).video(video_id)
    url = media.link(video.bucket, video.key, video.version_id)
    return MediaLinkView(url=url, expires_in_seconds=media.lifetime_seconds)
