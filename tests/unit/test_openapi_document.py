"""The committed OpenAPI document is the one the handler's routes generate today."""

from __future__ import annotations

import json

from local.openapi import DOCUMENT, rendered


def test_committed_openapi_document_is_up_to_date():
    assert DOCUMENT.read_text() == rendered(), "docs/openapi.json is out of date: run `make openapi`"


def test_document_describes_every_route_with_its_errors_and_auth():
    document = json.loads(rendered())
    operations = {path: body["get"] for path, body in document["paths"].items()}
    assert set(operations) == {
        "/videos",
        "/videos/{video_id}",
        "/videos/{video_id}/analyses/{analysis}/detections",
        "/videos/{video_id}/persons/{person_index}",
        "/celebrities/{celebrity_id}/appearances",
        "/jobs",
    }
    for operation in operations.values():
        assert {"200", "422"} <= set(operation["responses"])
    assert "404" in operations["/videos/{video_id}"]["responses"]
    assert document["security"] == [{"cognito": []}]
    assert document["components"]["securitySchemes"]["cognito"]["bearerFormat"] == "JWT"
