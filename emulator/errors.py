"""The one exception type the fake raises for anything the real service would answer with an error."""

from __future__ import annotations

from emulator.model import error_http_status

# The fake answers operations it does not emulate with a code botocore does not know and a status
# its retry handlers do not retry, so a missing feature fails loudly on the first attempt.
NOT_IMPLEMENTED_CODE = "NotImplementedByFake"
NOT_IMPLEMENTED_STATUS = 501

# The service's own wording for the rejections every analyzer shares.
S3_UNREADABLE_MESSAGE = "Unable to get object metadata from S3. Check object key, region and/or access permissions."
TOO_LARGE_MESSAGE = (
    "The file size or duration of the supplied media is too large. The maximum file size is 10GB. "
    "The maximum duration is 6 hours."
)


# The front door's validation errors come from the Coral framework, not from Rekognition's model:
# a namespaced `__type`, a lowercase `message` and a namespaced x-amzn-ErrorType header. SDKs strip
# the namespace, so clients see the code `ValidationException`.
_CORAL_VALIDATE = "com.amazon.coral.validate"
_FRONT_DOOR_CODES = frozenset({"ValidationException"})


class ServiceError(Exception):
    """An error response: the wire code, the human message, and the HTTP status."""

    def __init__(self, code: str, message: str, http_status: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.http_status = error_http_status(code) if http_status is None else http_status

    def payload(self) -> dict[str, str]:
        """The JSON body the service answers this error with."""
        if self.code in _FRONT_DOOR_CODES:
            return {"__type": f"{_CORAL_VALIDATE}#{self.code}", "message": self.message}
        return {"__type": self.code, "Message": self.message}

    def error_type_header(self) -> str:
        if self.code in _FRONT_DOOR_CODES:
            return f"{self.code}:http://internal.amazon.com/coral/{_CORAL_VALIDATE}/"
        return self.code


def invalid_parameter(message: str) -> ServiceError:
    return ServiceError("InvalidParameterException", message)
