"""The deployable stack: the pipeline plus the outputs an operator needs to use it."""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from infra.config import PipelineConfig
from infra.pipeline import RekognitionVideoPipeline
from infra.results_dashboard import ResultsDashboard


class RekognitionVideoPipelineStack(Stack):
    """Environment-agnostic: no lookups, so `cdk synth` needs neither credentials nor a network."""

    def __init__(self, scope: Construct, construct_id: str, *, config: PipelineConfig) -> None:
        super().__init__(
            scope,
            construct_id,
            description="Serverless pipeline for Amazon Rekognition Video asynchronous jobs",
        )
        # CDK adds an explicit DependsOn next to the Ref/GetAtt that already implies it; cfn-lint
        # reports each as W3005. Nothing to fix in the template, so the check is off for it.
        self.template_options.metadata = {"cfn-lint": {"config": {"ignore_checks": ["W3005"]}}}
        self.pipeline = pipeline = RekognitionVideoPipeline(self, "Pipeline", config=config)
        bucket_name = pipeline.input.bucket.bucket_name
        CfnOutput(self, "InputBucketName", value=bucket_name, description="Upload videos here")
        CfnOutput(self, "JobsTableName", value=pipeline.tables.jobs.table_name)
        CfnOutput(self, "DetectionsTableName", value=pipeline.tables.detections.table_name)
        CfnOutput(self, "RekognitionTopicArn", value=pipeline.notifications.topic.topic_arn)
        CfnOutput(self, "AlarmTopicArn", value=pipeline.alarms.topic.topic_arn)
        CfnOutput(self, "UploadsQueueUrl", value=pipeline.ingest.queue.queue_url)
        CfnOutput(
            self,
            "LibraryOperatorRoleArn",
            value=pipeline.operator.role.role_arn,
            description="Assume it to run make backfill and make reanalyse",
        )
        if pipeline.faces is not None:
            CfnOutput(
                self,
                "FaceCollectionId",
                value=pipeline.faces.collection_id,
                description=f"Face search collection: pictures under {config.reference_faces_prefix}, then make faces",
            )
        self.results_dashboard = results = ResultsDashboard(self, "Results", pipeline=pipeline)
        CfnOutput(self, "DashboardUrl", value=results.site.url, description="The results dashboard")
        CfnOutput(self, "ReadApiUrl", value=results.api.url)
        CfnOutput(self, "DashboardUserPoolId", value=results.users.user_pool.user_pool_id)
        CfnOutput(self, "OperationsDashboardName", value=pipeline.operations.dashboard.dashboard_name)
        suffix = config.video_suffixes[0]
        CfnOutput(
            self,
            "TryIt",
            description="Upload a video to start the pipeline",
            value=f"aws s3 cp ./sample{suffix} s3://{bucket_name}/{config.input_prefix}sample{suffix}",
        )
