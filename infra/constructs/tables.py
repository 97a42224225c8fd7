"""The DynamoDB tables of the data model, built from the runtime's table specifications."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct
from video_pipeline.schema import DETECTIONS_TABLE, EXPIRY_ATTRIBUTE, JOBS_TABLE, TableSpec


class ResultsTables(Construct):
    """Jobs and detections tables: on-demand, point-in-time recovery, optional deletion protection."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deletion_protection: bool,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self._deletion_protection = deletion_protection
        self._removal_policy = removal_policy
        self.jobs = self._table("Jobs", JOBS_TABLE)
        self.detections = self._table("Detections", DETECTIONS_TABLE, ttl_attribute=EXPIRY_ATTRIBUTE)

    def _table(self, construct_id: str, spec: TableSpec, *, ttl_attribute: str | None = None) -> dynamodb.Table:
        table = dynamodb.Table(
            self,
            construct_id,
            partition_key=_string_key(spec.partition_key),
            sort_key=_string_key(spec.sort_key),
            # Load follows uploads and Rekognition job completions: bursty and idle in between.
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=self._deletion_protection,
            removal_policy=self._removal_policy,
            time_to_live_attribute=ttl_attribute,
        )
        for index in spec.indexes:
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=_string_key(index.partition_key),
                sort_key=_string_key(index.sort_key),
                projection_type=dynamodb.ProjectionType.ALL,
            )
        return table


def _string_key(name: str) -> dynamodb.Attribute:
    # Every key attribute of the data model is a string.
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)
