"""Access to botocore's Rekognition service model, the single source of truth for shapes and errors.

The fake never hand-copies constraints or status codes: everything that the real service's API
contract defines is read from the same model the client uses, so a botocore upgrade that changes
the contract changes the fake too.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape

SERVICE_NAME = "rekognition"


@cache
def _session() -> botocore.session.Session:
    # A private botocore session: loading a model must not touch (or be affected by) the
    # sessions the code under test configures.
    return botocore.session.get_session()


@cache
def service_model() -> ServiceModel:
    return _session().get_service_model(SERVICE_NAME)


@cache
def _raw_shapes() -> dict[str, Any]:
    # botocore's Shape objects drop the `fault` flag, so error classification reads the raw model.
    loader = _session().get_component("data_loader")
    description: dict[str, Any] = loader.load_service_model(SERVICE_NAME, "service-2")
    return dict(description["shapes"])


def target_prefix() -> str:
    return str(service_model().metadata["targetPrefix"])


def is_modeled_operation(name: str) -> bool:
    return name in service_model().operation_names


def operation_model(name: str) -> OperationModel:
    return service_model().operation_model(name)


def input_shape(operation: str) -> Shape:
    shape = operation_model(operation).input_shape
    if shape is None:
        raise LookupError(f"{operation} has no input shape")
    return shape


def output_shape(operation: str) -> Shape:
    shape = operation_model(operation).output_shape
    if shape is None:
        raise LookupError(f"{operation} has no output shape")
    return shape


def operation_errors(operation: str) -> frozenset[str]:
    return frozenset(shape.name for shape in operation_model(operation).error_shapes)


@cache
def error_http_status(code: str) -> int:
    """The HTTP status the service answers a modeled error with.

    Rekognition's model carries no explicit `httpStatusCode` for its errors; what it does carry is
    the `fault` flag, which marks server-side errors (ThrottlingException, InternalServerError),
    and those are documented as 500. Client errors are 400.
    """
    raw = _raw_shapes().get(code) or {}
    error = raw.get("error") or {}
    if "httpStatusCode" in error:
        return int(error["httpStatusCode"])
    return 500 if raw.get("fault") else 400
