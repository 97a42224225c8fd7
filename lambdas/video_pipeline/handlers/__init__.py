"""The Lambda entry points: one module per function, plus the observability they share.

Loading a handler module creates ~90,000 objects (Powertools, boto3, pydantic, this package) that live
as long as the process. While they load, Python's cyclic garbage collector runs ~130 times, scanning
them again and again to free fewer than a thousand: ~35 ms of every cold start on the benchmark's
machine. So in Lambda the collector is paused while a handler module loads, and once it has
(`finish_loading`, the module's last statement) what was loaded is frozen out of the collector's
reach and the collector resumes: later collections skip those objects as well. The price is the
import-time garbage, a few hundred KiB held for the life of the process.
"""

import gc
import os
from collections.abc import Callable
from typing import Any, Generic, TypeVar

# A Lambda handler: (event, context) -> response.
Handler = Callable[[dict[str, Any], Any], Any]
App = TypeVar("App")

# Lambda sets LAMBDA_TASK_ROOT; tests and local runs import handler modules among their own objects,
# which freezing would pin, so they load as usual.
_IN_LAMBDA = bool(os.environ.get("LAMBDA_TASK_ROOT"))

if _IN_LAMBDA:
    gc.disable()


def finish_loading() -> None:
    """The last statement of every handler module: freeze what loaded, resume collecting."""
    if _IN_LAMBDA:
        gc.freeze()
        gc.enable()


class LazyFunction(Generic[App]):
    """A function's entry point: its collaborators are built on the first invocation, then kept.

    `build` reads the environment; nothing happens at import, so importing a handler module has no
    side effect and needs no environment.
    """

    def __init__(self, build: Callable[[], App], bind: Callable[[App], Handler]) -> None:
        self._build = build
        self._bind = bind
        self._handler: Handler | None = None

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        if self._handler is None:
            self._handler = self._bind(self._build())
        return self._handler(event, context)
