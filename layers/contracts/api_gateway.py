"""The contract of 08-api-gateway: the outputs it declares (other layers read them through this declaration)."""
from __future__ import annotations

from layers.outputs import LayerOutputs, Output, Shape
from modules.naming import Naming
from settings import Environment


def api_name(naming: Naming) -> str:
    """The REST API's name as 08-api-gateway makes it (modules/rest_api.py): the `ApiName` the
    alarms and dashboards of other layers watch."""
    return naming.name("api")


def stage_name(env: Environment) -> str:
    """The API stage's name as 08-api-gateway makes it: the environment's label (`dev`, `staging`,
    `prod`, `seoul-dev`: claim A46) with `api_gateway.stage_named_for_environment`, else the deployed
    `api_gateway.stage_name` (`v1`). Whatever names the stage (CloudFront's origin path, the alarms'
    `Stage` dimension) takes it from here, not from a literal."""
    settings = env.api_gateway
    return env.environment if settings.stage_named_for_environment else settings.stage_name


OUTPUTS = LayerOutputs("08-api-gateway", "api_gateway", (
    Output("api_gateway_id", Shape.STRING, "REST API id"),
    Output("api_gateway_invoke_url", Shape.STRING, "Invoke URL of the stage"),
    Output("api_gateway_stage_name", Shape.STRING, "Stage name"),
    Output("api_gateway_execution_arn", Shape.STRING, "Execution ARN of the API (for Lambda permissions)"),
    Output("routing_configuration", Shape.OBJECT, "Base URL, per-service URLs and details, ALB and Lambda integration"),
    Output("service_resources", Shape.MAP, "Per service: resource ids, path, parent, description, integration type"),
    Output("monitoring_info", Shape.OBJECT, "Alarms, dashboard URL and metrics namespace"),
    Output("integration_info", Shape.OBJECT, "ALB DNS name, integration timeout and throttling"),
    Output("migration_status", Shape.OBJECT, "Spring Cloud Gateway replacement status"),
    # Not exported by the original layer: 09-aws-native hangs /genai under it (it had a literal).
    Output("api_gateway_root_resource_id", Shape.STRING, "Root resource id of the REST API"),
))
