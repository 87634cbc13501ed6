"""Layer 09-aws-native: the managed services joined up. A `POST /genai` route at the root of the
08-api-gateway REST API sent to the GenAI Lambda (AWS_PROXY) with the Lambda's invoke permission,
an alarm on the API's client errors, one on the Lambda's errors, and a dashboard of both.

Eight remote-state reads, as the original (it uses 08's and 06's outputs only). The original's
optional Route 53 health check and second WAF web ACL were off in every environment and are not
ported; their outputs stay, null.

Ownership of the GenAI route (see also docs/layers.md): 08 owns `/api/genai` and `/api/genai/{proxy+}`,
this layer owns `/genai` — different API Gateway resources, so the two states never hold one
resource. Both states do hold a Lambda permission with the same statement id on the same function,
with identical arguments: each plan reads that one statement and finds it as configured, so a plan of
08 followed by a plan of 09 shows no change. `synthesis.checks` fails the synthesis if the two ever differ.
`/genai` is served once 08's stage is deployed after it exists (08's deployment snapshots the API).
Its parent is the API's root as 08's state exports it; the original's literal root id (of a past
deployment, the Oregon one even in Seoul) is the fallback while 08's state predates the port.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cdktf import Token
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity

from layers.base import LayerStack
from layers.contracts import (
    api_gateway,
    application,
    cloud_map,
    database,
    lambda_genai,
    network,
    parameter_store,
    security,
)
from layers.contracts.aws_native import OUTPUTS
from layers.contracts.lambda_genai import invoked_qualifier
from layers.contracts.notification import alerts_topic_arn
from layers.outputs import RemoteOutputs
from modules.integration_monitoring import IntegrationMonitoring, IntegrationMonitoringProps
from modules.lambda_route import LambdaRoute, LambdaRouteProps
from modules.origin import Origin


MODULE = "module.aws_native_integration"
ROUTE_NAMES = {"resource": "genai_resource", "method": "genai_method", "integration": "genai_integration",
               "permission": "api_gateway_invoke"}
MONITORING_NAMES = {"api_4xx_alarm": "api_gateway_4xx_errors", "lambda_errors_alarm": "lambda_genai_errors",
                    "dashboard": "aws_native_integration"}
DASHBOARD_TITLE = "AWS Native Services Integration Metrics"


class AwsNativeStack(LayerStack):
    layer = "09-aws-native"
    outputs = OUTPUTS
    deployed_layer_tag = "01-network"

    def build(self) -> None:
        env, settings = self.env, self.env.aws_native
        for unused in (network, security, database, parameter_store, cloud_map, application):
            self.read(unused.OUTPUTS)  # read by the original, unused
        api = self.read(api_gateway.OUTPUTS)
        genai = self.read(lambda_genai.OUTPUTS)
        function_name = genai.string("lambda_function_name")
        # The alarms notify 12-notification's alerts topic (the original wrote its ARN in the tfvars).
        self.alerts_topic = alerts_topic_arn(self.naming, env.notification.topic, env.region,
                                             DataAwsCallerIdentity(self, "current").account_id)
        self.route = LambdaRoute(self, "genai_route", LambdaRouteProps(
            origin=Origin(MODULE, ROUTE_NAMES),
            rest_api_id=api.string("api_gateway_id"),
            execution_arn=api.string("api_gateway_execution_arn"),
            parent_resource_id=genai_parent(api, settings.genai_parent_resource_id),
            path_part=settings.genai_path_part,
            http_method=settings.genai_method,
            api_key_required=settings.require_api_key,
            function_name=function_name,
            invoke_arn=genai.string("lambda_function_invoke_arn"),
            timeout_ms=settings.genai_integration_timeout_ms,
            qualifier=invoked_qualifier(env.lambda_genai.provisioned_concurrency),
        ))
        self.monitoring = IntegrationMonitoring(self, "monitoring", IntegrationMonitoringProps(
            naming=self.naming, origin=Origin(MODULE, MONITORING_NAMES), region=env.region,
            api_name=api_gateway.api_name(self.naming) if env.monitoring.watch_produced_names else settings.monitored_api_name, stage_name=api.string("api_gateway_stage_name"),
            function_name=function_name,
            api_4xx_threshold=settings.api_4xx_threshold, lambda_error_threshold=settings.lambda_error_threshold,
            alarm_actions=[self.alerts_topic], dashboard_title=DASHBOARD_TITLE,
        ))

    def output_values(self) -> Mapping[str, Any]:
        route, monitoring = self.route, self.monitoring
        return {
            "genai_resource_id": route.resource_id,
            "genai_method_id": route.method_id,
            "genai_integration_id": route.integration_id,
            "api_gateway_4xx_alarm_arn": monitoring.api_4xx_alarm.arn,
            "lambda_genai_error_alarm_arn": monitoring.lambda_errors_alarm_arn,
            "integration_dashboard_arn": monitoring.dashboard.dashboard_arn,
            "waf_web_acl_arn": Token.null_value(),
            "waf_web_acl_association_id": Token.null_value(),
            "health_check_id": Token.null_value(),
            "lambda_permission_statement_id": route.permission.statement_id,
            "integration_status": {
                "genai_integration_enabled": True,
                "monitoring_enabled": True,
                "waf_protection_enabled": False,
                "health_checks_enabled": False,
                "dashboard_created": True,
            },
        }


def genai_parent(api: RemoteOutputs, deployed_literal: str) -> str:
    """The API's root resource, read from 08's state. The original wrote a literal root id of a past
    deployment (`deployed_literal`, both regions): it stays the value until 08's state exports the
    root (that is, until the ported 08 is applied), so the first plan of 09 changes nothing, and from
    then on `/genai` hangs under the API's real root in every region."""
    return "${try(" + api.expression("api_gateway_root_resource_id") + ", " + json.dumps(deployed_literal) + ")}"
