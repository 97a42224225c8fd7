"""How long a message waits before its next try.

Two kinds of waiting, kept apart on purpose:
- an upload waiting for a free slot of the job quota is not failing; it is sent back to the queue
  with a delay (its receive count starts over, so a long backlog never marches into the dead-letter
  queue). The more often it has waited, the sooner it is tried again, so older uploads tend to take
  freed slots first - arrival order as far as a standard SQS queue allows.
- a message whose work failed for a transient reason (throttling, LimitExceededException caused by
  other workloads, internal errors) is handed back with a growing visibility timeout; those receives
  count towards the dead-letter queue, as failures should.
"""

from __future__ import annotations

import random
from collections.abc import Callable

# A new upload waits about a minute; one that has waited many times is retried every ~10 s, so a
# slot freed by a completion is taken within seconds while the queue's request rate stays modest.
FIRST_WAIT_SECONDS = 60.0
SHORTEST_WAIT_SECONDS = 10.0
WAITS_TO_HALVE = 4
# SQS caps DelaySeconds at 15 minutes and a visibility timeout at 12 hours.
MAX_DELAY_SECONDS = 900
REDELIVERY_BASE_SECONDS = 30.0
REDELIVERY_CAP_SECONDS = 900.0


def slot_wait_seconds(waits: int, draw: Callable[[], float] = random.random) -> int:
    """Delay before an upload that has waited `waits` times (1-based) asks for a slot again."""
    mean = max(SHORTEST_WAIT_SECONDS, FIRST_WAIT_SECONDS * WAITS_TO_HALVE / (WAITS_TO_HALVE + max(0, waits - 1)))
    jittered = mean * (0.75 + 0.5 * draw())
    return int(min(MAX_DELAY_SECONDS, max(1.0, jittered)))


def redelivery_seconds(receive_count: int, draw: Callable[[], float] = random.random) -> int:
    """Visibility timeout for a message that failed transiently on its `receive_count`-th receive."""
    ceiling = min(REDELIVERY_CAP_SECONDS, REDELIVERY_BASE_SECONDS * 2.0 ** max(0, receive_count - 1))
    return int(max(1.0, ceiling * (0.5 + 0.5 * draw())))
