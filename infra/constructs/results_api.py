"""The read API: an HTTP API with a Cognito JWT authorizer in front of the read API Lambda."""

from __future__ import annotations

import json
from typing import cast

from aws_cdk import Duration
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constructs.pipeline_function import PipelineFunction, RuntimeDefaults

READ_API_HANDLER = "video_pipeline.handlers.read_api.handler"
# A dashboard page makes a handful of small queries; 10 s covers a cold start plus DynamoDB retries.
READ_API_TIMEOUT = Duration.seconds(10)
READ_API_MEMORY_MB = 512
# Per-account protection against a runaway page or script; a person clicking around needs far less.
THROTTLE_RATE = 50
THROTTLE_BURST = 100


# Reads for every signed-in user; POST and DELETE for the library routes, which the read API itself
# keeps to the operators group (logic/operators.py).
METHODS = (apigwv2.HttpMethod.GET, apigwv2.HttpMethod.POST, apigwv2.HttpMethod.DELETE)


class ResultsApi(Construct):
    """HTTP API: every route needs a Cognito access token; CORS admits one origin only."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        defaults: RuntimeDefaults,
        environment: dict[str, str],
        allowed_origin: str,
        jwt_issuer: str,
        jwt_audience: list[str],
    ) -> None:
        super().__init__(scope, construct_id)
        self.reader = PipelineFunction(
            self,
            "Reader",
            handler=READ_API_HANDLER,
            description="Read API of the results dashboard",
            service_name="video-pipeline-read-api",
            environment=environment,
            timeout=READ_API_TIMEOUT,
            memory_size=READ_API_MEMORY_MB,
            defaults=defaults,
        )
        authorizer = authorizers.HttpJwtAuthorizer(
            "Cognito", jwt_issuer, jwt_audience=jwt_audience, identity_source=["$request.header.Authorization"]
        )
        self.api = apigwv2.HttpApi(
            self,
            "Api",
            description="Read API of the Rekognition Video pipeline's results",
            # API Gateway answers preflight requests itself, without the authorizer.
            cors_preflight=apigwv2.CorsPreflightOptions(
                allow_origins=[allowed_origin],
                allow_methods=[apigwv2.CorsHttpMethod[method.value] for method in METHODS],
                allow_headers=["authorization", "content-type"],
                max_age=Duration.hours(1),
            ),
            default_authorizer=authorizer,
        )
        self.api.add_routes(
            path="/{proxy+}",
            methods=list(METHODS),
            integration=integrations.HttpLambdaIntegration("Reader", self.reader.function),
        )
        self.access_logs = logs.LogGroup(
            self, "AccessLogs", retention=defaults.log_retention, removal_policy=defaults.log_removal_policy
        )
        stage = cast(apigwv2.CfnStage, cast(apigwv2.HttpStage, self.api.default_stage).node.default_child)
        stage.access_log_settings = apigwv2.CfnStage.AccessLogSettingsProperty(
            destination_arn=self.access_logs.log_group_arn,
            format=json.dumps(
                {
                    "requestId": "$context.requestId",
                    "ip": "$context.identity.sourceIp",
                    "user": "$context.authorizer.claims.username",
                    "route": "$context.routeKey",
                    "path": "$context.path",
                    "status": "$context.status",
                    "latency": "$context.responseLatency",
                    "error": "$context.authorizer.error",
                }
            ),
        )
        stage.default_route_settings = apigwv2.CfnStage.RouteSettingsProperty(
            throttling_rate_limit=THROTTLE_RATE, throttling_burst_limit=THROTTLE_BURST
        )

    @property
    def url(self) -> str:
        return self.api.api_endpoint
