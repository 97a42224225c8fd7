"""Fault-injection runs of the whole pipeline in virtual time, with concurrent handler invocations.

The real handlers, moto's S3/SQS/SNS/DynamoDB and the Rekognition fake share one virtual clock: SQS
delays and visibility timeouts, Rekognition's jobs, the handlers' timestamps, sleeps and remaining
time. Invocations run concurrently as the deployed event sources allow, interleaved at every AWS
call by a seeded scheduler (`scheduler`), so races between them show. Hours of queueing take seconds.

    run.py        the driver: event sources, job completions, the reconciler's schedule, timed faults
    scheduler.py  one invocation thread runs at a time; switch points; kills
    calls.py      the switch point around every AWS call; crashes and partial BatchWriteItem there
    sources.py    Lambda's SQS event source mapping (batch, concurrency, visibility) and context
    s3_events.py  S3 events with versionId and sequencer, delete markers, late and forged events
    faults.py     DynamoDB throttling, poison input
    measure.py    the figures, from one Scan and one listing
    deployed.py   the stack's timeouts, batch sizes, concurrency and schedule

Use inside `moto.mock_aws()`; `Simulation(scenario).run()` returns the figures
`benchmarks/reliability.py` prints and `tests/reliability/` asserts.
"""

from simulation.calls import Kill
from simulation.clock import VirtualTime
from simulation.run import Simulation
from simulation.scenario import Figures, Scenario

__all__ = ["Figures", "Kill", "Scenario", "Simulation", "VirtualTime"]
