"""How long a message waits before its next try.

Two kinds of waiting, kept apart on purpose:
- an upload waiting for a free slot of the job quota is not failing; it is sent back to the queue
  with a delay (its receive count starts over, so a long backlog never marches into the dead-letter
  queue). The delay grows with the backlog, so however many uploads wait, together they ask for a
  slot about once every `SECONDS_PER_WAITER` seconds: a slot freed by a completion is taken within
  seconds while the request rate stays flat. The more often an upload has waited, the sooner it asks
  again, so older uploads tend to take freed slots first - arrival order as far as SQS allows.
- a message whose work failed for a transient reason (throttling, LimitExceededException caused by
  other workloads, internal errors) is handed back with a growing visibility timeout; those receives
  count towards the dead-letter queue, as failures should.
"""

from __future__ import annotations

import random
from collections.abc import Callable

SECONDS_PER_WAITER = 2.0
SHORTEST_WAIT_SECONDS = 10
# SQS caps DelaySeconds at 15 minutes.
LONGEST_WAIT_SECONDS = 900
# After this many waits an upload asks twice as often as a newcomer, after three times as many, four times.
WAITS_TO_DOUBLE = 4
REDELIVERY_BASE_SECONDS = 30.0
REDELIVERY_CAP_SECONDS = 900.0


def slot_wait_seconds(waits: int, backlog: int, draw: Callable[[], float] = random.random) -> int:
    """Delay before an upload that has waited `waits` times (1-based) asks for a slot again.

    `backlog` is the number of messages waiting in the queue (visible and delayed), this one included.
    """
    spread = max(1, backlog) * SECONDS_PER_WAITER
    seniority = 1.0 + max(0, waits - 1) / WAITS_TO_DOUBLE
    # Capped before the jitter: jittered first, a large backlog's waits would all hit SQS's 15-minute
    # cap and come back together, a thundering herd every quarter of an hour.
    capped = min(float(LONGEST_WAIT_SECONDS), spread / min(seniority, 4.0))
    jittered = capped * (0.75 + 0.25 * draw())
    return int(min(LONGEST_WAIT_SECONDS, max(SHORTEST_WAIT_SECONDS, jittered)))


def redelivery_seconds(receive_count: int, draw: Callable[[], float] = random.random) -> int:
    """Visibility timeout for a message that failed transiently on its `receive_count`-th receive."""
    ceiling = min(REDELIVERY_CAP_SECONDS, REDELIVERY_BASE_SECONDS * 2.0 ** max(0, receive_count - 1))
    return int(max(1.0, ceiling * (0.5 + 0.5 * draw())))
