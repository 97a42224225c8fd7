"""Concurrent handler invocations, one running at a time, switched at every AWS call.

Each invocation is a thread, but a baton lets only one of them, or the driver, run at once: each
invocation waits on an event of its own and the driver on one of its own, so a switch wakes exactly
the thread whose turn it is (one shared condition would wake every live thread at every switch). An
invocation gives the baton back at every AWS call it makes (a switch point) and whenever it sleeps;
the driver then picks, with the scenario's seeded RNG, which runnable invocation goes on, or starts
a new one. Runs are therefore deterministic per seed, yet two
invocations interleave at any AWS call, as they do in Lambda.

An invocation is killed by raising `InvocationKilled` (a BaseException, which the handlers' own
error handling does not catch) in its thread at a switch point: a crash, or its timeout.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simulation.clock import VirtualTime


class InvocationKilled(BaseException):
    """The runtime stopped this invocation: an injected crash or its timeout."""


@dataclass(eq=False)
class Invocation:
    function: str
    number: int
    started_at: float
    deadline: float
    messages: list[dict[str, Any]] = field(default_factory=list)
    wake_at: float = 0.0
    returned: bool = False  # the handler is done: the event source's own deletes run from here on
    done: bool = False
    kill_reason: str | None = None
    ended_at: float | None = None
    outcome: Any = None
    error: BaseException | None = None
    steps: int = 0
    calls: list[str] = field(default_factory=list)
    thread: threading.Thread | None = None
    # Set by the driver when it is this invocation's turn to run.
    go: threading.Event = field(default_factory=threading.Event)

    @property
    def killed(self) -> bool:
        return isinstance(self.error, InvocationKilled)

    def remaining_seconds(self, now: float) -> float:
        return max(0.0, self.deadline - now)


class Scheduler:
    def __init__(self, clock: VirtualTime, rng: random.Random) -> None:
        self.clock = clock
        self.rng = rng
        self._driver_turn = threading.Event()  # set by an invocation that hands the baton back
        self._local = threading.local()
        self.live: list[Invocation] = []
        self.finished: list[Invocation] = []
        self.resumes = 0
        # Resumes of one invocation while another had already run part of its handler and was not done.
        self.interleaved = 0
        self._numbers = 0

    def current(self) -> Invocation | None:
        return getattr(self._local, "invocation", None)

    # -- the driver's side ------------------------------------------------------------------

    def spawn(self, function: str, timeout: float, body: Callable[[Invocation], Any]) -> Invocation:
        """A new invocation of `function`, runnable now; it runs when the driver picks it."""
        self._numbers += 1
        now = self.clock.now
        invocation = Invocation(function, self._numbers, started_at=now, deadline=now + timeout, wake_at=now)
        thread = threading.Thread(
            target=self._main, args=(invocation, body), name=f"{function}-{self._numbers}", daemon=True
        )
        invocation.thread = thread
        self.live.append(invocation)
        thread.start()
        return invocation

    def runnable(self) -> list[Invocation]:
        now = self.clock.now
        return [invocation for invocation in self.live if invocation.wake_at <= now]

    def next_wake(self) -> float:
        return min((invocation.wake_at for invocation in self.live), default=float("inf"))

    def resume(self, invocation: Invocation) -> None:
        """Let `invocation` run until its next switch point, sleep or end."""
        self.resumes += 1
        if any(other is not invocation and other.steps and not other.returned for other in self.live):
            self.interleaved += 1
        invocation.steps += 1
        self._driver_turn.clear()
        invocation.go.set()
        self._driver_turn.wait()
        if invocation.done:
            self.live.remove(invocation)
            self.finished.append(invocation)
            if invocation.thread is not None:
                invocation.thread.join()

    def kill(self, invocation: Invocation, reason: str) -> None:
        invocation.kill_reason = reason

    # -- the invocation's side --------------------------------------------------------------

    def _main(self, invocation: Invocation, body: Callable[[Invocation], Any]) -> None:
        self._local.invocation = invocation
        invocation.go.wait()
        try:
            self._check(invocation)
            invocation.outcome = body(invocation)
        except BaseException as error:
            invocation.error = error
        finally:
            invocation.done = True
            invocation.ended_at = self.clock.now
            invocation.go.clear()
            self._driver_turn.set()

    def switch(self) -> None:
        """A switch point: hand the baton to the driver; raise if this invocation was killed meanwhile."""
        invocation = self.current()
        if invocation is None:
            return
        # Cleared before the driver may run, so the next `go.set()` cannot be lost.
        invocation.go.clear()
        self._driver_turn.set()
        invocation.go.wait()
        self._check(invocation)

    def sleep(self, seconds: float) -> None:
        """Block this invocation until the virtual clock reaches its wake time (no-op on the driver)."""
        invocation = self.current()
        if invocation is None:
            return
        invocation.wake_at = self.clock.now + max(0.0, seconds)
        if not invocation.returned:
            invocation.wake_at = min(invocation.wake_at, invocation.deadline)
        self.switch()

    def check(self) -> None:
        invocation = self.current()
        if invocation is not None:
            self._check(invocation)

    def _check(self, invocation: Invocation) -> None:
        if invocation.returned:
            return  # the event source's bookkeeping after the handler: no timeout, no injected crash
        if invocation.kill_reason is not None:
            raise InvocationKilled(invocation.kill_reason)
        if self.clock.now >= invocation.deadline:
            raise InvocationKilled("timeout")
