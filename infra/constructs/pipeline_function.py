"""One Lambda function of the pipeline, with the defaults every pipeline function shares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra import LAMBDAS_DIR
from infra.constructs.ingest_queue import IngestQueue
from infra.nag import acknowledge

RUNTIME = lambda_.Runtime.PYTHON_3_12
ARCHITECTURE = lambda_.Architecture.X86_64

# The public Powertools for AWS Lambda (Python) v3 layer, which bundles the parser (pydantic v2)
# and tracer (aws-xray-sdk) extras but not boto3, which the Lambda runtime provides. Version 40
# ships Powertools 3.37.0, the version requirements.txt pins for local runs: every release since
# 3.0.0 (layer 1) published one layer version, the install docs named 37 current at 3.34.0, and
# 3.35.0, 3.36.0 and 3.37.0 followed. Bump it with requirements.txt. `powertoolsLayerVersion` in
# CDK context overrides it for a region whose numbering differs (docs/deploy.md shows the check).
POWERTOOLS_LAYER_VERSION = 40
_POWERTOOLS_ACCOUNT = "017000801446"
# Built per runtime and architecture, e.g. AWSLambdaPowertoolsPythonV3-python312-x86_64.
_POWERTOOLS_LAYER_NAME = f"AWSLambdaPowertoolsPythonV3-{RUNTIME.name.replace('.', '')}-{ARCHITECTURE.name}"

# Only the runtime package ships; tests and caches stay out of the deployment artefact.
_ASSET_EXCLUDES = ["**/__pycache__", "**/*.pyc", "**/tests", "**/.pytest_cache", "**/.mypy_cache"]


@dataclass(frozen=True, kw_only=True)
class RuntimeDefaults:
    """Settings shared by every function of one pipeline."""

    log_retention: logs.RetentionDays
    log_level: str
    log_removal_policy: RemovalPolicy
    metrics_namespace: str
    powertools_layer_version: int = POWERTOOLS_LAYER_VERSION


class PipelineFunction(Construct):
    """A Python Lambda function running one handler of the `video_pipeline` package.

    Owns its role (no AWS managed policies: logging is granted on its own log group only), its log
    group (so retention is set without the LogRetention custom resource) and the SQS event source.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        handler: str,
        description: str,
        service_name: str,
        environment: Mapping[str, str],
        timeout: Duration,
        memory_size: int,
        defaults: RuntimeDefaults,
    ) -> None:
        super().__init__(scope, construct_id)
        # Powertools adds it as the `service` dimension of every custom metric the function emits.
        self.service_name = service_name
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Execution role of the {service_name} function",
        )
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=defaults.log_retention,
            removal_policy=defaults.log_removal_policy,
        )
        self.function = lambda_.Function(
            self,
            "Function",
            description=description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            code=lambda_.Code.from_asset(str(LAMBDAS_DIR), exclude=_ASSET_EXCLUDES),
            handler=handler,
            layers=[self._powertools_layer(defaults.powertools_layer_version)],
            timeout=timeout,
            memory_size=memory_size,
            role=self.role,
            log_group=self.log_group,
            # Lambda's JSON log format keeps its own START/REPORT lines structured like Powertools'
            # output; the application level matches POWERTOOLS_LOG_LEVEL so neither filters the other.
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=_application_log_level(defaults.log_level),
            tracing=lambda_.Tracing.ACTIVE,
            environment={
                "POWERTOOLS_SERVICE_NAME": service_name,
                "POWERTOOLS_METRICS_NAMESPACE": defaults.metrics_namespace,
                "POWERTOOLS_LOG_LEVEL": defaults.log_level,
                # Rekognition responses are large and name people; keep them out of X-Ray segments.
                "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
                **environment,
            },
        )
        self.log_group.grant_write(self.role)
        acknowledge(
            cast(lambda_.CfnFunction, self.function.node.default_child),  # not its event sources
            "AwsSolutions-L1",
            "python3.12 is pinned deliberately: the handlers are tested on 3.12 and the pinned "
            "Powertools layer version is the python312 build; runtime and layer move together.",
        )
        acknowledge(
            self.role.node.find_child("DefaultPolicy"),
            "AwsSolutions-IAM5",
            "Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which have no "
            "resource-level permissions; every other statement in this policy names its resource.",
            finding="Resource::*",
        )

    def consume(
        self,
        source: IngestQueue,
        *,
        batch_size: int,
        max_batching_window: Duration | None = None,
        max_concurrency: int | None = None,
    ) -> None:
        """Invoke this function with batches from `source`, retrying only the records that failed.

        Both handlers report partial batch failures, so one poisoned record does not send its
        whole batch back to the queue (and, eventually, to the dead-letter queue).
        """
        self.function.add_event_source(
            event_sources.SqsEventSource(
                source.queue,
                batch_size=batch_size,
                max_batching_window=max_batching_window,
                max_concurrency=max_concurrency,
                report_batch_item_failures=True,
            )
        )

    def _powertools_layer(self, version: int) -> lambda_.ILayerVersion:
        # The region is a token, so the stack stays environment-agnostic and synthesizes offline.
        # The partition is literal: this publishing account exists only in the `aws` partition.
        region = Stack.of(self).region
        arn = f"arn:aws:lambda:{region}:{_POWERTOOLS_ACCOUNT}:layer:{_POWERTOOLS_LAYER_NAME}:{version}"
        return lambda_.LayerVersion.from_layer_version_arn(self, "Powertools", arn)


def _application_log_level(level: str) -> lambda_.ApplicationLogLevel:
    # Python's WARNING/CRITICAL are Lambda's WARN/FATAL.
    return lambda_.ApplicationLogLevel[{"WARNING": "WARN", "CRITICAL": "FATAL"}.get(level, level)]
