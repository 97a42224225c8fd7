"""SQS-fed Lambda handlers: one partial-batch handler per set of collaborators, built on first use.

Import this before anything imports pydantic: Powertools' batch utility would otherwise define its
parser models (~35 ms) for type hints only. tests/unit/test_cold_path.py checks it does not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from video_pipeline.contract import Metric
from video_pipeline.dal.queues import MessageQueue
from video_pipeline.handlers import Handler
from video_pipeline.handlers.observability import gauge, logger, metrics, tracer
from video_pipeline.logic.pacing import redelivery_seconds

RecordHandler = Callable[[SQSRecord, LambdaContext], None]


class _Ledger(Protocol):
    @property
    def last_in_flight(self) -> int | None: ...


class _SlotsApp(Protocol):
    @property
    def slots(self) -> _Ledger: ...


App = TypeVar("App", bound=_SlotsApp)


def bind_queue_function(app: App, handle_record: Callable[[App, SQSRecord, LambdaContext], None]) -> Handler:
    """A queue-fed function's handler on explicit collaborators; after each batch, the jobs in flight."""
    return sqs_batch_handler(
        # Powertools passes the context to a record handler only under this parameter name.
        lambda record, lambda_context: handle_record(app, record, lambda_context),
        after_batch=lambda: gauge(Metric.JOBS_IN_FLIGHT, app.slots.last_in_flight),
    )


def sqs_batch_handler(record_handler: RecordHandler, after_batch: Callable[[], None]) -> Handler:
    """A Lambda handler for an SQS event source: every failed record reported in batchItemFailures."""
    # Even when all fail, instead of an invocation error. One processor per handler: it holds a batch.
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

    @logger.inject_lambda_context(clear_state=True)
    @tracer.capture_lambda_handler
    @metrics.log_metrics(capture_cold_start_metric=True)
    def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        response = process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
        after_batch()
        return response

    return handler


def hand_back_later(queue: MessageQueue, record: SQSRecord) -> None:
    """Back off briefly and growingly, as for throttling, instead of the queue's long visibility timeout."""
    receive_count = int(record.attributes.approximate_receive_count or 1)
    queue.hide(record.receipt_handle, redelivery_seconds(receive_count))
