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
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from infra import LAMBDAS_DIR
from infra.constructs.ingest_queue import IngestQueue
from infra.nag import acknowledge

RUNTIME = lambda_.Runtime.PYTHON_3_12
ARCHITECTURE = lambda_.Architecture.X86_64

# The Powertools for AWS Lambda (Python) release the functions run: the one pyproject.toml pins
# for local runs and tests (tests/infra/test_powertools_layer.py keeps the two equal). Bump both.
POWERTOOLS_VERSION = "3.37.0"
# Powertools publishes each release's layer ARN, per architecture and runtime, as a public SSM
# parameter in every commercial region (Powertools docs, "Install" > "Using SSM Parameter Store";
# its value is e.g. arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:N).
# The stack reads it at deploy time, so the layer version is looked up, not inferred, and synth
# stays offline.
POWERTOOLS_LAYER_PARAMETER = f"/aws/service/powertools/python/{ARCHITECTURE.name}/{RUNTIME.name}/{POWERTOOLS_VERSION}"
# The public v3 layer bundles the parser (pydantic v2) and tracer (aws-xray-sdk) extras but not
# boto3, which the Lambda runtime provides. The fallback, for a region without the parameter:
# `powertoolsLayerVersion` in CDK context names the layer version outright (docs/deploy.md). 40 is
# the version that should ship 3.37.0 by the release history (every release since 3.0.0, layer 1,
# published one layer version; the docs named 37 current at 3.34.0), not a looked-up fact.
POWERTOOLS_LAYER_VERSION = 40
_POWERTOOLS_ACCOUNT = "017000801446"
# Built per runtime and architecture, e.g. AWSLambdaPowertoolsPythonV3-python312-x86_64.
_POWERTOOLS_LAYER_NAME = f"AWSLambdaPowertoolsPythonV3-{RUNTIME.name.replace('.', '')}-{ARCHITECTURE.name}"

# Only the runtime package ships; tests and caches stay out of the deployment artefact.
_ASSET_EXCLUDES = ["**/__pycache__", "**/*.pyc", "**/tests", "**/.pytest_cache", "**/.mypy_cache"]

# With this flag on (a host app may set it), every `function.add_to_role_policy` becomes a policy of
# its own instead of a statement of the role's DefaultPolicy: the grants stay, but the reviewed
# cdk-nag acknowledgements on DefaultPolicy no longer cover them and synth fails. No construct prop
# decides it, so each function pins it for its own subtree (feature flags are context, read from
# the nearest node up).
_NEW_POLICY_PER_GRANT_FLAG = "@aws-cdk/aws-lambda:createNewPoliciesWithAddToRolePolicy"


@dataclass(frozen=True, kw_only=True)
class RuntimeDefaults:
    """Settings shared by every function of one pipeline."""

    log_retention: logs.RetentionDays
    log_level: str
    log_removal_policy: RemovalPolicy
    metrics_namespace: str
    # None: the layer of POWERTOOLS_VERSION, from its public SSM parameter at deploy time.
    powertools_layer_version: int | None = None


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
        self.node.set_context(_NEW_POLICY_PER_GRANT_FLAG, False)  # before any child reads it
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

    def _powertools_layer(self, version: int | None) -> lambda_.ILayerVersion:
        return lambda_.LayerVersion.from_layer_version_arn(self, "Powertools", powertools_layer_arn(self, version))


def powertools_layer_arn(scope: Construct, version: int | None = None) -> str:
    """The ARN of the Powertools layer: `version` of it if given, else the pinned release's.

    The pinned release's ARN is a stack parameter of type AWS::SSM::Parameter::Value<String>
    defaulting to POWERTOOLS_LAYER_PARAMETER: CloudFormation resolves it on every deploy, and
    `cdk synth` makes no lookup (unlike `value_from_lookup`). CDK names that stack parameter
    after the SSM path, so bumping POWERTOOLS_VERSION gives it a new name and the CLI cannot
    carry the old release's value over as a "previous value". One per stack, however many functions.
    """
    if version is None:
        return ssm.StringParameter.value_for_string_parameter(scope, POWERTOOLS_LAYER_PARAMETER)
    # The region is a token, so the stack stays environment-agnostic and synthesizes offline.
    # The partition is literal: this publishing account exists only in the `aws` partition.
    region = Stack.of(scope).region
    return f"arn:aws:lambda:{region}:{_POWERTOOLS_ACCOUNT}:layer:{_POWERTOOLS_LAYER_NAME}:{version}"


def _application_log_level(level: str) -> lambda_.ApplicationLogLevel:
    # Python's WARNING/CRITICAL are Lambda's WARN/FATAL.
    return lambda_.ApplicationLogLevel[{"WARNING": "WARN", "CRITICAL": "FATAL"}.get(level, level)]
