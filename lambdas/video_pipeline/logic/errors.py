"""What each Rekognition error means for the pipeline.

The nine errors a Start* call can raise fall in two groups: transient ones are retried with
back-off and, if they persist, handed back to the queue; permanent ones fail the job with its
reason so that one bad video never poisons a batch.
"""

from __future__ import annotations

RETRYABLE_ERRORS = frozenset(
    {
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "InternalServerError",
        "LimitExceededException",
        # Not modeled by Rekognition, but raised by the SDK or the network on the way.
        "ServiceUnavailable",
        "RequestTimeout",
        "ConnectionError",
    }
)

QUOTA_FULL_ERROR = "LimitExceededException"

PERMANENT_START_ERRORS = frozenset(
    {
        "InvalidParameterException",
        "InvalidS3ObjectException",
        "VideoTooLargeException",
        "AccessDeniedException",
        "IdempotentParameterMismatchException",
        # StartFaceSearch's collection does not exist (deleted outside the stack): the job fails saying so.
        "ResourceNotFoundException",
    }
)


# How the service refuses an operation an account may no longer use (People Pathing after its end of
# support). The pipeline's roles always allow the operations they call, so this code means the
# capability is gone, not a missing permission.
UNAVAILABLE_ERRORS = frozenset({"AccessDeniedException"})


# A Get* for a job that does not exist, or with a token that no longer works, never improves.
# ValidationException is not in Rekognition's model, but the service answers it for a request that
# breaks a constraint at its front door (docs/emulator.md): sending it again cannot help.
PERMANENT_GET_ERRORS = frozenset(
    {"ResourceNotFoundException", "InvalidPaginationTokenException", "ValidationException"}
)


class RekognitionCallError(Exception):
    """A Rekognition call failed; `code` is the service's error code."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        super().__init__(f"{operation} failed with {code}: {message}")
        self.operation = operation
        self.code = code
        self.message = message

    @property
    def quota_full(self) -> bool:
        """The account's concurrent-job quota is full (other workloads share it)."""
        return self.code == QUOTA_FULL_ERROR

    @property
    def unavailable(self) -> bool:
        return self.code in UNAVAILABLE_ERRORS

    @property
    def retryable(self) -> bool:
        # Unknown codes are treated as transient: retrying costs little, failing loses a video.
        return self.code in RETRYABLE_ERRORS or self.code not in PERMANENT_START_ERRORS | PERMANENT_GET_ERRORS


class RetryLaterError(Exception):
    """The work cannot finish now but will later: the message goes back to the queue."""
