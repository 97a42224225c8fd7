"""The committed OpenAPI document is the one the handler's routes generate today."""

from __future__ import annotations

import json

from local.openapi import DOCUMENT, rendered


def test_committed_openapi_document_is_up_to_date():
    assert DOCUMENT.read_text() == rendered(), "docs/openapi.json is out of date: run `make openapi`"


def test_document_describes_every_route_with_its_errors_and_auth():
    document = json.loads(rendered())
    operations = {
        (path, method): body for path, methods in document["paths"].items() for method, body in methods.items()
    }
    assert set(operations) == {
        ("/videos", "get"),
        ("/videos/{video_id}", "get"),
        ("/videos/{video_id}/analyses/{analysis}/detections", "get"),
        ("/videos/{video_id}/persons/{person_index}", "get"),
        ("/celebrities/{celebrity_id}/appearances", "get"),
        ("/analyses/{analysis}/appearances/{identity}", "get"),
        ("/jobs", "get"),
        # The shot list exports (handlers/export_routes.py): files, not JSON.
        ("/videos/{video_id}/segments.csv", "get"),
        ("/videos/{video_id}/segments.edl", "get"),
        # The link the shot thumbnails are drawn from (handlers/media_routes.py).
        ("/videos/{video_id}/media", "get"),
        # The library routes (docs/operations.md): JSON bodies, so a body of another type is a 415.
        ("/reanalyses", "post"),
        ("/backfills", "post"),
        # The reference faces of face search (docs/deploy.md).
        ("/faces", "get"),
        ("/faces/indexings", "post"),
        ("/faces/{external_image_id}", "delete"),
    }
    for operation in operations.values():
        assert {"200", "422"} <= set(operation["responses"])
    assert "404" in operations[("/videos/{video_id}", "get")]["responses"]
    assert {"400", "404"} <= set(operations[("/videos/{video_id}/media", "get")]["responses"])
    for route in ("/reanalyses", "/backfills", "/faces/indexings"):
        assert {"400", "415"} <= set(operations[(route, "post")]["responses"])
    for route, media_type in (("segments.csv", "text/csv"), ("segments.edl", "text/plain")):
        answers = operations[(f"/videos/{{video_id}}/{route}", "get")]["responses"]
        assert list(answers["200"]["content"]) == [media_type]
        assert {"400", "404"} <= set(answers)
    assert document["security"] == [{"cognito": []}]
    assert document["components"]["securitySchemes"]["cognito"]["bearerFormat"] == "JWT"
