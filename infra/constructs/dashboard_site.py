"""The results dashboard's static files: a private S3 bucket behind CloudFront with origin access control."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from aws_cdk import CfnElement, RemovalPolicy, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infra import LAMBDAS_DIR
from infra.constructs.private_bucket import private_bucket
from infra.nag import acknowledge

DASHBOARD_DIR = LAMBDAS_DIR.parent / "dashboard"
RUNTIME_CONFIG = "config.json"
_DEPLOYMENT_HANDLER_PREFIX = "Custom::CDKBucketDeployment"


class DashboardSite(Construct):
    """Only CloudFront may read the bucket (origin access control); viewers get HTTPS only."""

    def __init__(self, scope: Construct, construct_id: str, *, access_logs: s3.IBucket) -> None:
        super().__init__(scope, construct_id)
        self.bucket = private_bucket(
            self,
            "Bucket",
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="dashboard/",
            # Only copies of files in this repository: nothing to keep when the stack goes.
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Rekognition Video pipeline results dashboard",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                response_headers_policy=cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
            ),
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
        )
        for rule, reason in (
            ("AwsSolutions-CFR1", "The dashboard's users may be anywhere; every API call needs a Cognito sign-in."),
            (
                "AwsSolutions-CFR2",
                "Static files only; the data sits behind the API's JWT authorizer and throttling, so a WAF "
                "web ACL would add cost without protecting data.",
            ),
            (
                "AwsSolutions-CFR3",
                "Standard logging needs ACLs on its log bucket, which this project's buckets disable; the "
                "bucket's S3 access logs and the API's access logs record who read what.",
            ),
            (
                "AwsSolutions-CFR4",
                "The default *.cloudfront.net certificate cannot be limited to TLS 1.2; add a custom domain "
                "and certificate to set minimumProtocolVersion.",
            ),
        ):
            acknowledge(cast(CfnElement, self.distribution.node.default_child), rule, reason)

    @property
    def url(self) -> str:
        return f"https://{self.distribution.distribution_domain_name}"

    def deploy(self, runtime_config: Mapping[str, Any]) -> s3deploy.BucketDeployment:
        """Upload `dashboard/` and the `config.json` that tells the page where the API is."""
        deployment = s3deploy.BucketDeployment(
            self,
            "Files",
            sources=[
                s3deploy.Source.asset(str(DASHBOARD_DIR), exclude=[RUNTIME_CONFIG]),
                s3deploy.Source.json_data(RUNTIME_CONFIG, dict(runtime_config)),
            ],
            destination_bucket=self.bucket,
            distribution=self.distribution,
            distribution_paths=["/*"],
        )
        self._acknowledge_deployment_handler()
        return deployment

    def _acknowledge_deployment_handler(self) -> None:
        # CDK copies the files with a stack-wide singleton custom resource that runs only at deploy time;
        # its role reads CDK's asset bucket, writes this bucket and invalidates the distribution.
        stack = Stack.of(self)
        handler = next(child for child in stack.node.children if child.node.id.startswith(_DEPLOYMENT_HANDLER_PREFIX))
        reason = (
            "CDK's BucketDeployment custom resource runs only while the stack deploys; its code and role are CDK's."
        )
        bucket_id = stack.resolve(stack.get_logical_id(cast(CfnElement, self.bucket.node.default_child)))
        role = handler.node.find_child("ServiceRole")
        acknowledge(
            role.node.find_child("Resource"),
            "AwsSolutions-IAM4",
            reason,
            finding="Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        )
        for finding in (
            "Action::s3:GetBucket*",
            "Action::s3:GetObject*",
            "Action::s3:List*",
            "Action::s3:Abort*",
            "Action::s3:DeleteObject*",
            "Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*",
            f"Resource::<{bucket_id}.Arn>/*",
            "Resource::*",
        ):
            acknowledge(role.node.find_child("DefaultPolicy"), "AwsSolutions-IAM5", reason, finding=finding)
        acknowledge(handler.node.find_child("Resource"), "AwsSolutions-L1", f"{reason} CDK picks its Python runtime.")
