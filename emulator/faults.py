"""Injected errors: the next N calls of an operation fail with a modeled error."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from emulator.errors import ServiceError
from emulator.model import is_modeled_operation, operation_errors

# Close to the service's wording, so code that logs or matches messages sees realistic text.
_MESSAGES = {
    "ThrottlingException": "Rate exceeded",
    "ProvisionedThroughputExceededException": "Provisioned Rate exceeded",
    "InternalServerError": "Internal server error",
    "LimitExceededException": "Limit exceeded for concurrent jobs",
    "AccessDeniedException": "User is not authorized to perform this action",
}


@dataclass(slots=True)
class _Fault:
    code: str
    message: str
    remaining: int


class Faults:
    """Not thread-safe on its own; the fake calls it under its lock."""

    def __init__(self) -> None:
        self._pending: dict[str, deque[_Fault]] = {}

    def inject(self, operation: str, code: str, times: int = 1, message: str | None = None) -> None:
        if not is_modeled_operation(operation):
            raise ValueError(f"{operation!r} is not a Rekognition operation")
        allowed = operation_errors(operation)
        if code not in allowed:
            raise ValueError(f"{operation} cannot raise {code}; the model allows: {', '.join(sorted(allowed))}")
        if times < 1:
            raise ValueError("times must be at least 1")
        text = message or _MESSAGES.get(code, f"Injected {code}")
        self._pending.setdefault(operation, deque()).append(_Fault(code, text, times))

    def take(self, operation: str) -> ServiceError | None:
        queue = self._pending.get(operation)
        if not queue:
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining == 0:
            queue.popleft()
        return ServiceError(fault.code, fault.message)

    def clear(self) -> None:
        self._pending.clear()
