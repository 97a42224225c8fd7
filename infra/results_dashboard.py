"""`ResultsDashboard`: the results dashboard of a `RekognitionVideoPipeline`.

browser --HTTPS--> CloudFront --OAC--> private S3 bucket (dashboard/ + config.json)
browser --Cognito hosted UI--> access token --Bearer--> HTTP API (JWT authorizer) --> read API λ --> tables
"""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from constructs import Construct
from video_pipeline.contract import Env
from video_pipeline.schema import DETECTIONS_TABLE, JOBS_TABLE

from infra.constructs.dashboard_site import DashboardSite
from infra.constructs.dashboard_users import OPERATORS_GROUP, DashboardUsers
from infra.constructs.results_api import ResultsApi
from infra.nag import acknowledge
from infra.pipeline import RekognitionVideoPipeline, logical_id


class ResultsDashboard(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, pipeline: RekognitionVideoPipeline) -> None:
        super().__init__(scope, construct_id)
        tables = pipeline.tables
        self.site = DashboardSite(self, "Site", access_logs=pipeline.input.access_logs)
        self.users = DashboardUsers(
            self, "Users", site_url=self.site.url, removal_policy=pipeline.config.removal_policy
        )
        self.api = ResultsApi(
            self,
            "Api",
            defaults=pipeline.runtime_defaults,
            environment={
                Env.JOBS_TABLE: tables.jobs.table_name,
                Env.DETECTIONS_TABLE: tables.detections.table_name,
                # The library routes: backfill and re-analysis requests go through the uploads queue.
                Env.UPLOADS_QUEUE_URL: pipeline.ingest.queue.queue_url,
                Env.INPUT_BUCKETS: pipeline.input.bucket.bucket_name,
                Env.ENABLED_ANALYSES: ",".join(pipeline.config.enabled_analyses),
                Env.OPERATORS_GROUP: OPERATORS_GROUP,
                # The reference-face routes, where face search runs.
                **pipeline.reference_faces_environment(),
            },
            allowed_origin=self.site.url,
            jwt_issuer=self.users.issuer,
            jwt_audience=[self.users.client.user_pool_client_id],
        )
        # Read-only, and only the tables and indexes the repository queries.
        resources = []
        for table, spec in ((tables.jobs, JOBS_TABLE), (tables.detections, DETECTIONS_TABLE)):
            resources += [table.table_arn, *(f"{table.table_arn}/index/{index.name}" for index in spec.indexes)]
        self.api.reader.function.add_to_role_policy(
            iam.PolicyStatement(actions=["dynamodb:GetItem", "dynamodb:Query"], resources=resources)
        )
        self._grant_library_routes(pipeline)
        self.site.deploy(
            {
                "apiUrl": self.api.url,
                "auth": {
                    "domain": self.users.hosted_ui,
                    "clientId": self.users.client.user_pool_client_id,
                    "redirectUri": f"{self.site.url}/",
                },
            }
        )
        pipeline.alarms.on_errors("ReadApiErrors", self.api.reader.function, what="read API")

    def _grant_library_routes(self, pipeline: RekognitionVideoPipeline) -> None:
        """Backfill and re-analysis (docs/operations.md): list the input bucket, read movie headers for a dry
        run's estimate, and queue uploads. Nothing else is written. The same read of the input prefix signs
        the links the dashboard draws shot thumbnails from (`GET /videos/{id}/media`, docs/dashboards.md)."""
        function = self.api.reader.function
        bucket = pipeline.input.bucket
        function.add_to_role_policy(
            iam.PolicyStatement(actions=["s3:ListBucket", "s3:ListBucketVersions"], resources=[bucket.bucket_arn])
        )
        prefix = pipeline.config.input_prefix
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:GetObjectVersion"], resources=[bucket.arn_for_objects(f"{prefix}*")]
            )
        )
        role = self.api.reader.role
        acknowledge(
            role.node.find_child("DefaultPolicy"),
            "AwsSolutions-IAM5",
            "A backfill's dry run reads the movie headers of videos not known in advance, and the dashboard's "
            "five-minute links to a video (shot thumbnails) are signed with this read, under the input prefix "
            "of the input bucket only.",
            finding=f"Resource::<{logical_id(bucket)}.Arn>/{prefix}*",
        )
        pipeline.allow_uploads_from(role)
        pipeline.allow_reference_faces(role)
