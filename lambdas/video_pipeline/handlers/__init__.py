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
