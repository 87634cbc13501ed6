"""A regional REST API built from an `ApiDefinition`: one resource per path, one method and one
integration per route (HTTP_PROXY to the ALB, AWS_PROXY to a Lambda), the CORS preflights, the
deployment and its stage, the stage's method settings (throttling, metrics), the two log groups and
the Lambda's invoke permission.

The deployment is replaced when, and only when, what it snapshots changes: its trigger is the
definition's fingerprint plus the two values the integrations resolve at apply time (the ALB's DNS
name and the Lambda's invoke ARN) — never a timestamp.

WAF and alarms are separate constructs (`modules/api_waf.py`, `modules/api_monitoring.py`).
Addresses: a construct per path (`<id>_<path slug>`), holding the path's resource (`Default`), its
methods (`any`, `get`, ...), their integrations (`any_integration`) and the CORS parts (`options*`).
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from cdktf import TerraformResource, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.api_gateway_deployment import ApiGatewayDeployment
from cdktf_cdktf_provider_aws.api_gateway_integration import ApiGatewayIntegration
from cdktf_cdktf_provider_aws.api_gateway_integration_response import ApiGatewayIntegrationResponse
from cdktf_cdktf_provider_aws.api_gateway_method import ApiGatewayMethod
from cdktf_cdktf_provider_aws.api_gateway_method_response import ApiGatewayMethodResponse
from cdktf_cdktf_provider_aws.api_gateway_method_settings import (
    ApiGatewayMethodSettings,
    ApiGatewayMethodSettingsSettings,
)
from cdktf_cdktf_provider_aws.api_gateway_resource import ApiGatewayResource
from cdktf_cdktf_provider_aws.api_gateway_rest_api import (
    ApiGatewayRestApi,
    ApiGatewayRestApiEndpointConfiguration,
)
from cdktf_cdktf_provider_aws.api_gateway_stage import ApiGatewayStage
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.lambda_permission import LambdaPermission
from constructs import Construct

from modules.api_definition import ROOT, ApiDefinition, ApiMethod, Cors, Integration
from modules.naming import Naming
from modules.origin import Origin, created

INVOKE_STATEMENT_ID = "AllowExecutionFromAPIGateway"
API_GATEWAY_PRINCIPAL = "apigateway.amazonaws.com"
# The stage's access log line (JSON, one object a request): who, what, how it ended, how long, and the
# X-Ray trace it belongs to.
ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId", "ip": "$context.identity.sourceIp", "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod", "resourcePath": "$context.resourcePath", "status": "$context.status",
    "protocol": "$context.protocol", "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency", "integrationLatency": "$context.integration.latency",
    "integrationStatus": "$context.integration.status", "errorMessage": "$context.error.message",
    "xrayTraceId": "$context.xrayTraceId",
}
CORS_HEADERS = ("Access-Control-Allow-Headers", "Access-Control-Allow-Methods", "Access-Control-Allow-Origin")


@dataclass(frozen=True)
class CorsAnswer:
    """What a CORS preflight answers (plain values; quoted for API Gateway here)."""

    allow_headers: str
    allow_methods: str
    allow_origin: str

    def response_parameters(self) -> dict[str, str]:
        values = (self.allow_headers, self.allow_methods, self.allow_origin)
        return {f"method.response.header.{h}": f"'{v}'" for h, v in zip(CORS_HEADERS, values)}


@dataclass(frozen=True)
class RestApiProps:
    naming: Naming
    origin: Origin
    definition: ApiDefinition
    description: str
    stage_name: str
    alb_dns_name: str
    lambda_invoke_arn: str
    lambda_function_arn: str
    integration_timeout_ms: int
    lambda_integration_timeout_ms: int
    throttle_rate_limit: int
    throttle_burst_limit: int
    minimum_compression_size: int
    api_key_source: str
    binary_media_types: Sequence[str]
    xray_tracing: bool
    log_retention_days: int
    cors: CorsAnswer
    lambda_qualifier: str | None = None   # the alias the Lambda integration invokes
    # A host name the ALB's certificate covers: the HTTP integrations call https://<it> (API Gateway
    # verifies the certificate). None (as deployed): http://<alb_dns_name> over the internet.
    alb_https_host: str | None = None
    lambda_api_key_required: bool = False  # the methods sent to the Lambda ask for an API key
    # Execution logs (INFO) and structured access logs of the stage; as deployed both are off and
    # the two log groups below receive nothing. `logs_after`: the account's CloudWatch role, when
    # this stack makes it (API Gateway refuses logging without one).
    stage_logs: bool = False
    logs_after: Sequence[TerraformResource] = ()

    def __post_init__(self) -> None:
        for name in ("integration_timeout_ms", "lambda_integration_timeout_ms"):
            if not 50 <= getattr(self, name) <= 29000:
                raise ValueError(f"RestApiProps.{name} must be 50..29000 ms (got {getattr(self, name)})")


class RestApi(Construct):
    def __init__(self, scope: Construct, id: str, props: RestApiProps):
        super().__init__(scope, id)
        self.props = props
        naming, origin = props.naming, props.origin
        self.api = origin.carry(ApiGatewayRestApi(
            self, "Default",
            name=naming.name("api"),
            description=props.description,
            endpoint_configuration=ApiGatewayRestApiEndpointConfiguration(types=["REGIONAL"]),
            binary_media_types=list(props.binary_media_types),
            minimum_compression_size=str(props.minimum_compression_size),
            api_key_source=props.api_key_source,
            disable_execute_api_endpoint=False,
            tags=naming.tags_for("api-gateway"),
        ), "rest_api")
        snapshot = self._definition(props)
        self._stage(props, snapshot)
        self._logs_and_permission(props)
        if props.stage_logs:
            self._stage_logs(props)

    def _definition(self, props: RestApiProps) -> list[TerraformResource]:
        """The resources, methods, integrations and CORS answers of the definition; returns them all
        (what a deployment snapshots)."""
        origin, definition = props.origin, props.definition
        self.paths: dict[str, Construct] = {}
        self.resources: dict[str, ApiGatewayResource] = {}
        for spec in definition.resources:
            path = Construct(self, spec.key)
            self.paths[spec.key] = path
            self.resources[spec.key] = origin.carry(ApiGatewayResource(
                path, "Default", rest_api_id=self.api.id, parent_id=self.resource_id(spec.parent),
                path_part=spec.path_part,
            ), spec.origin.part, spec.origin.key)
        self.methods: dict[str, ApiGatewayMethod] = {}
        self.integrations: dict[str, ApiGatewayIntegration] = {}
        snapshot: list[TerraformResource] = [*self.resources.values()]
        for method in definition.methods:
            snapshot += self._route(method)
        for cors in definition.cors:
            snapshot += self._cors(cors)
        return snapshot

    def _stage(self, props: RestApiProps, snapshot: list[TerraformResource]) -> None:
        """The deployment (replaced when what it snapshots changes), its stage and method settings."""
        origin, definition = props.origin, props.definition
        self.deployment = origin.carry(ApiGatewayDeployment(
            self, "deployment",
            rest_api_id=self.api.id,
            triggers={
                "api_definition": definition.fingerprint(),
                "alb_dns_name": props.alb_dns_name,
                "lambda_invoke_arn": props.lambda_invoke_arn,
                # The integrations' scheme and host: a new deployment when they move to HTTPS.
                **({"alb_origin": self.alb_origin} if props.alb_https_host else {}),
            },
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
            depends_on=snapshot,
        ), "deployment")
        self.stage = origin.carry(ApiGatewayStage(
            self, "stage", deployment_id=self.deployment.id, rest_api_id=self.api.id,
            stage_name=props.stage_name, xray_tracing_enabled=props.xray_tracing,
        ), "stage")
        self.method_settings = origin.carry(ApiGatewayMethodSettings(
            self, "method_settings", rest_api_id=self.api.id, stage_name=self.stage.stage_name,
            method_path="*/*",
            settings=ApiGatewayMethodSettingsSettings(
                logging_level="OFF", data_trace_enabled=False, metrics_enabled=True,
                throttling_rate_limit=props.throttle_rate_limit,
                throttling_burst_limit=props.throttle_burst_limit,
                caching_enabled=False,
            ),
        ), "method_settings")

    def _logs_and_permission(self, props: RestApiProps) -> None:
        naming, origin, definition = props.naming, props.origin, props.definition
        log_base = f"/aws/apigateway/{naming.name('api')}"
        self.access_logs = origin.carry(CloudwatchLogGroup(
            self, "access_logs", name=log_base, retention_in_days=props.log_retention_days,
            tags=naming.tags_for("api-gateway-logs", Type="logging"),
        ), "access_logs")
        self.execution_logs = origin.carry(CloudwatchLogGroup(
            self, "execution_logs", name=f"{log_base}-execution", retention_in_days=props.log_retention_days,
            tags=naming.tags_for("api-gateway-execution-logs", Type="logging"),
        ), "execution_logs")
        self.lambda_permission = None
        if any(m.integration.target == "lambda" for m in definition.methods):
            # Optional in the construct, hence instance 0 of its part (as a `count` makes it).
            self.lambda_permission = origin.carry(LambdaPermission(
                self, "lambda_permission",
                statement_id=INVOKE_STATEMENT_ID, action="lambda:InvokeFunction",
                function_name=props.lambda_function_arn, principal=API_GATEWAY_PRINCIPAL,
                qualifier=props.lambda_qualifier,
                source_arn=f"{self.api.execution_arn}/*/*",
                depends_on=[self.deployment],
            ), "lambda_permission", 0)

    def _stage_logs(self, props: RestApiProps) -> None:
        """Access logs into the access log group, INFO execution logs. API Gateway names the execution
        log group itself (`API-Gateway-Execution-Logs_<api id>/<stage>`), so the `-execution` group
        cannot receive them; the group of that fixed name is made here to give it a retention."""
        self.stage.put_access_log_settings(destination_arn=self.access_logs.arn, format=json.dumps(ACCESS_LOG_FORMAT))
        self.stage_execution_logs = created(CloudwatchLogGroup(
            self, "stage_execution_logs", name=f"API-Gateway-Execution-Logs_{self.api.id}/{props.stage_name}",
            retention_in_days=props.log_retention_days,
            tags=props.naming.tags_for("api-gateway-execution-logs", Type="logging")),
            "the stage's execution logs (api_gateway.stage_logs); the original logged nothing")
        self.method_settings.add_override("settings.logging_level", "INFO")
        self.method_settings.add_override("depends_on", [
            f"{r.terraform_resource_type}.{r.friendly_unique_id}" for r in (*props.logs_after, self.stage_execution_logs)])

    # ------------------------------------------------------------------ what others read

    @property
    def api_id(self) -> str:
        return self.api.id

    @property
    def execution_arn(self) -> str:
        return self.api.execution_arn

    @property
    def root_resource_id(self) -> str:
        return self.api.root_resource_id

    @property
    def stage_name(self) -> str:
        return self.stage.stage_name

    @property
    def stage_arn(self) -> str:
        return self.stage.arn
    @property
    def api_name(self) -> str:
        """The API's name as configured (a literal, for alarm dimensions and dashboards)."""
        return self.props.naming.name("api")

    @property
    def invoke_url(self) -> str:
        return self.stage.invoke_url

    def resource_id(self, key: str) -> str:
        return self.api.root_resource_id if key == ROOT else self.resources[key].id

    def scope_of(self, key: str) -> Construct:
        if key not in self.paths:
            self.paths[key] = Construct(self, "root" if key == ROOT else key)
        return self.paths[key]

    # ------------------------------------------------------------------ one route, one preflight
    def _route(self, spec: ApiMethod) -> list[TerraformResource]:
        scope, verb = self.scope_of(spec.resource), spec.http_method.lower()
        method = self.props.origin.carry(ApiGatewayMethod(
            scope, verb, rest_api_id=self.api.id, resource_id=self.resource_id(spec.resource),
            http_method=spec.http_method, authorization="NONE",
            # Left unset (false) unless asked for, so the as-deployed output does not change.
            api_key_required=True if self.props.lambda_api_key_required and spec.integration.target == "lambda"
            else None,
            request_parameters={f"method.request.path.{v}": True for v in spec.request_parameters} or None,
        ), spec.origin.part, spec.origin.key)
        integration = self.props.origin.carry(ApiGatewayIntegration(
            scope, f"{verb}_integration", rest_api_id=self.api.id, resource_id=self.resource_id(spec.resource),
            http_method=method.http_method, **self._integration(spec.integration),
        ), spec.integration_origin.part, spec.integration_origin.key)
        self.methods[spec.key], self.integrations[spec.key] = method, integration
        return [method, integration]

    def _integration(self, spec: Integration) -> dict:
        if spec.target == "lambda":
            return dict(type="AWS_PROXY", integration_http_method=spec.http_method, uri=self.props.lambda_invoke_arn,
                        timeout_milliseconds=self.props.lambda_integration_timeout_ms)
        return dict(
            type="HTTP_PROXY", integration_http_method=spec.http_method, connection_type="INTERNET",
            uri=f"{self.alb_origin}{spec.path}",
            request_parameters={f"integration.request.path.{v}": f"method.request.path.{v}"
                                for v in spec.request_parameters} or None,
            timeout_milliseconds=self.props.integration_timeout_ms,
        )

    @property
    def alb_origin(self) -> str:
        """Scheme and host of the HTTP integrations: the ALB's HTTPS name, or its DNS name over HTTP."""
        if self.props.alb_https_host:
            return f"https://{self.props.alb_https_host}"
        return f"http://{self.props.alb_dns_name}"

    def _cors(self, spec: Cors) -> list[TerraformResource]:
        origin, scope, key = self.props.origin, self.scope_of(spec.resource), spec.origin_key
        resource_id = self.resource_id(spec.resource)
        method = origin.carry(ApiGatewayMethod(
            scope, "options", rest_api_id=self.api.id, resource_id=resource_id, http_method="OPTIONS",
            authorization="NONE",
        ), "cors_options", key)
        integration = origin.carry(ApiGatewayIntegration(
            scope, "options_integration", rest_api_id=self.api.id, resource_id=resource_id,
            http_method=method.http_method, type="MOCK",
            request_templates={"application/json": '{"statusCode": 200}'}, passthrough_behavior="WHEN_NO_MATCH",
        ), "cors_integrations", key)
        response = origin.carry(ApiGatewayMethodResponse(
            scope, "options_response", rest_api_id=self.api.id, resource_id=resource_id,
            http_method=method.http_method, status_code="200",
            response_parameters={f"method.response.header.{h}": True for h in CORS_HEADERS},
            response_models={"application/json": "Empty"},
        ), "cors_method_responses", key)
        answer = origin.carry(ApiGatewayIntegrationResponse(
            scope, "options_integration_response", rest_api_id=self.api.id, resource_id=resource_id,
            http_method=method.http_method, status_code=response.status_code,
            response_parameters=self.props.cors.response_parameters(),
            response_templates={"application/json": "{}"},
            depends_on=[integration],
        ), "cors_integration_responses", key)
        return [method, integration, response, answer]
