import threading
from collections.abc import Iterator

import pytest
from moto.core.botocore_stubber import BotocoreStubber

from tests.integration.conftest import harness, sleeps  # noqa: F401  (the same fixtures)


@pytest.fixture(autouse=True)
def moto_answers_one_request_at_a_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """These tests run handlers in threads. AWS answers each request atomically; moto's backends are not
    thread-safe (two concurrent puts of one S3 key can close each other's buffer: "I/O operation on
    closed file"). So moto answers one request at a time here; the threads still interleave between
    requests, which is where the pipeline's races are, and where the tests pause them."""
    lock = threading.RLock()
    answer = BotocoreStubber.process_request

    def one_at_a_time(self: BotocoreStubber, request: object) -> object:
        with lock:
            return answer(self, request)  # type: ignore[arg-type]

    monkeypatch.setattr(BotocoreStubber, "process_request", one_at_a_time)
    yield
