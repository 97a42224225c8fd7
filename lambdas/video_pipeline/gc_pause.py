"""Pausing the cyclic garbage collector around the work of one result page."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while one page is read or mapped.

    A page allocates some ten thousand small containers, which sets off collections that walk every
    object in the process (boto3's service models among them) and find nothing to free: parsed JSON
    and DynamoDB items are trees, never cycles. Reference counting still frees them as usual.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
