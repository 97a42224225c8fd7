"""The SNS topic Rekognition Video reports job completion to, and the role it publishes with."""

from __future__ import annotations

from aws_cdk import Aws, Names
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infra.constructs.ingest_queue import IngestQueue

REKOGNITION_PRINCIPAL = "rekognition.amazonaws.com"
# Rekognition's documented convention (and the scope of its AmazonRekognitionServiceRole policy)
# is a topic whose name starts with this prefix.
TOPIC_NAME_PREFIX = "AmazonRekognition"


class RekognitionNotifications(Construct):
    """Topic + publishing role, passed to Rekognition in every Start* call's NotificationChannel.

    The role can publish to this topic and nothing else, and the topic accepts publications from
    this role and no one else, so a completion message on it really comes from Rekognition.
    """

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        # Not SSE-KMS encrypted: messages carry only a job id, status and the video's S3 key, SNS
        # keeps them only until delivery (over TLS, enforced) to an encrypted queue, and a key
        # would add KMS permissions to a role whose only permission is to publish here.
        self.topic = sns.Topic(
            self,
            "Topic",
            # The stack-unique suffix lets several copies of the pipeline share an account.
            topic_name=f"{TOPIC_NAME_PREFIX}-{Names.unique_resource_name(self, max_length=200)}",
            display_name="Rekognition Video job completions",
            enforce_ssl=True,
        )
        self.role = iam.Role(
            self,
            "PublishRole",
            description="Lets Amazon Rekognition Video publish job completions to the pipeline topic",
            # The confused-deputy guard: only Rekognition acting for this account, in this region, may
            # assume it (AWS recommends both keys; the ARN pins the region as well as the account).
            assumed_by=iam.ServicePrincipal(
                REKOGNITION_PRINCIPAL,
                conditions={
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                    "ArnLike": {"aws:SourceArn": f"arn:{Aws.PARTITION}:rekognition:{Aws.REGION}:{Aws.ACCOUNT_ID}:*"},
                },
            ),
        )
        self.topic.grant_publish(self.role)
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="PublishByRekognitionRole",
                principals=[iam.ArnPrincipal(self.role.role_arn)],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
            )
        )
        # Same-account identities could otherwise publish through their own IAM policies.
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="PublishOnlyByRekognitionRole",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={"ArnNotEquals": {"aws:PrincipalArn": self.role.role_arn}},
            )
        )

    def grant_pass_role(self, grantee: iam.IGrantable) -> None:
        """Let `grantee` hand the publishing role to Rekognition (and to no other service)."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["iam:PassRole"],
                resources=[self.role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": REKOGNITION_PRINCIPAL}},
            )
        )

    def deliver_to(self, target: IngestQueue) -> None:
        """Subscribe `target` with raw delivery; undeliverable messages go to its dead-letter queue."""
        self.topic.add_subscription(
            subscriptions.SqsSubscription(
                target.queue,
                # The queue receives Rekognition's JSON as the message body, without the SNS envelope.
                raw_message_delivery=True,
                dead_letter_queue=target.dead_letter_queue,
            )
        )
