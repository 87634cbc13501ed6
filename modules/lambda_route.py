"""One path of an existing REST API sent to a Lambda function: the resource, one method, its
AWS_PROXY integration and the function's permission to be invoked by that API.

It does not deploy the API: the route is served once the API's owner deploys its stage again.
"""
from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.api_gateway_integration import ApiGatewayIntegration
from cdktf_cdktf_provider_aws.api_gateway_method import ApiGatewayMethod
from cdktf_cdktf_provider_aws.api_gateway_resource import ApiGatewayResource
from cdktf_cdktf_provider_aws.lambda_permission import LambdaPermission
from constructs import Construct

from modules.origin import Origin
from modules.rest_api import API_GATEWAY_PRINCIPAL, INVOKE_STATEMENT_ID


@dataclass(frozen=True)
class LambdaRouteProps:
    origin: Origin
    rest_api_id: str
    execution_arn: str          # the API's execution ARN (the permission allows `<arn>/*/*`)
    parent_resource_id: str
    path_part: str
    http_method: str
    api_key_required: bool
    function_name: str
    invoke_arn: str
    timeout_ms: int
    qualifier: str | None = None    # the alias the integration invokes (the permission must name it)

    def __post_init__(self) -> None:
        if not 50 <= self.timeout_ms <= 29000:
            raise ValueError(f"LambdaRouteProps.timeout_ms must be 50..29000 ms (got {self.timeout_ms})")


class LambdaRoute(Construct):
    def __init__(self, scope: Construct, id: str, props: LambdaRouteProps):
        super().__init__(scope, id)
        origin = props.origin
        # Each part is optional in the original (a `count`), hence instance 0.
        self.resource = origin.carry(ApiGatewayResource(
            self, "Default", rest_api_id=props.rest_api_id, parent_id=props.parent_resource_id,
            path_part=props.path_part,
        ), "resource", 0)
        self.method = origin.carry(ApiGatewayMethod(
            self, props.http_method.lower(), rest_api_id=props.rest_api_id, resource_id=self.resource.id,
            http_method=props.http_method, authorization="NONE", api_key_required=props.api_key_required,
        ), "method", 0)
        self.integration = origin.carry(ApiGatewayIntegration(
            self, "integration", rest_api_id=props.rest_api_id, resource_id=self.resource.id,
            http_method=self.method.http_method, integration_http_method="POST", type="AWS_PROXY",
            uri=props.invoke_arn, timeout_milliseconds=props.timeout_ms, depends_on=[self.method],
        ), "integration", 0)
        self.permission = origin.carry(LambdaPermission(
            self, "permission", statement_id=INVOKE_STATEMENT_ID, action="lambda:InvokeFunction",
            function_name=props.function_name, principal=API_GATEWAY_PRINCIPAL,
            source_arn=f"{props.execution_arn}/*/*", qualifier=props.qualifier,
        ), "permission", 0)

    @property
    def resource_id(self) -> str:
        return self.resource.id

    @property
    def method_id(self) -> str:
        return self.method.id

    @property
    def integration_id(self) -> str:
        return self.integration.id
