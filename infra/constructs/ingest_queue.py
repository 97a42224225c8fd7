"""An SQS work queue feeding one Lambda function, with the dead-letter queue behind it."""

from __future__ import annotations

from collections.abc import Sequence

import jsii
from aws_cdk import Duration, IStableListProducer, Lazy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sqs as sqs
from constructs import Construct

# AWS guidance for Lambda event sources: at least six times the function timeout, so a message is
# not redelivered while a throttled or retried invocation is still working on it.
VISIBILITY_TIMEOUT_FACTOR = 6
# A moved message keeps its original enqueue time, so the dead-letter queue must keep messages
# longer than the source queue does; 14 days is the SQS maximum.
DEAD_LETTER_RETENTION = Duration.days(14)
DEFAULT_RETENTION = Duration.days(4)


class IngestQueue(Construct):
    """A queue and its dead-letter queue: SQS-managed encryption, TLS-only access.

    `max_receive_count` is how many deliveries a message gets before it is parked in the
    dead-letter queue, which is where an operator (and the alarm) looks.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        consumer_timeout: Duration,
        max_receive_count: int,
        retention_period: Duration = DEFAULT_RETENTION,
    ) -> None:
        super().__init__(scope, construct_id)
        self.dead_letter_queue = sqs.Queue(
            self,
            "DeadLetterQueue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=DEAD_LETTER_RETENTION,
        )
        self.queue = sqs.Queue(
            self,
            "Queue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=retention_period,
            visibility_timeout=Duration.seconds(consumer_timeout.to_seconds() * VISIBILITY_TIMEOUT_FACTOR),
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=max_receive_count, queue=self.dead_letter_queue),
        )

    def accept_messages_only_from(self, *, sources: Sequence[str], roles: Sequence[iam.IRole]) -> None:
        """Deny every sender but the AWS resources `sources` (by `aws:SourceArn`) and the `roles`.

        Same-account identities could otherwise send through their own IAM policies and forge
        uploads or completions. For a service principal `aws:PrincipalArn` is absent and for a role
        `aws:SourceArn` is: a negated condition on an absent key holds, so each sender passes by
        exactly one of the two keys, and everyone else is denied.
        """
        self.queue.add_to_resource_policy(
            iam.PolicyStatement(
                sid="SendOnlyByPipelineSources",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["sqs:SendMessage"],
                resources=[self.queue.queue_arn],
                conditions={
                    "ArnNotLike": {"aws:SourceArn": list(sources)},
                    # Read at synthesis: roles added to `roles` after this call are senders too.
                    "ArnNotEquals": {"aws:PrincipalArn": Lazy.list(_RoleArns(roles))},
                },
            )
        )


@jsii.implements(IStableListProducer)
class _RoleArns:
    def __init__(self, roles: Sequence[iam.IRole]) -> None:
        self._roles = roles

    def produce(self) -> list[str]:
        return [role.role_arn for role in self._roles]
