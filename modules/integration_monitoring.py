"""Alarms and a dashboard across managed services: API Gateway client errors, Lambda errors, and
one dashboard of API requests and latency with the function's invocations and duration.

The names it watches are given (an API name, a function name); it creates nothing it watches.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.cloudwatch_dashboard import CloudwatchDashboard
from constructs import Construct

from modules.alarms import PERIOD_SECONDS, ThresholdAlarm, above_threshold
from modules.naming import Naming
from modules.origin import Origin


@dataclass(frozen=True)
class IntegrationMonitoringProps:
    naming: Naming
    origin: Origin
    region: str
    api_name: str
    stage_name: str
    function_name: str
    api_4xx_threshold: float
    lambda_error_threshold: float
    alarm_actions: Sequence[str]
    dashboard_title: str


class IntegrationMonitoring(Construct):
    def __init__(self, scope: Construct, id: str, props: IntegrationMonitoringProps):
        super().__init__(scope, id)
        naming, origin, tags = props.naming, props.origin, props.naming.tags_for()
        # Optional parts in the original (a `count`), hence instance 0.
        self.api_4xx_alarm = origin.carry(above_threshold(self, "api_4xx", ThresholdAlarm(
            name=naming.name("api-gateway-4xx-errors"), namespace="AWS/ApiGateway", metric="4XXError",
            statistic="Sum", threshold=props.api_4xx_threshold,
            description="This metric monitors API Gateway 4xx errors",
            dimensions={"ApiName": props.api_name, "Stage": props.stage_name}, tags=tags,
        ), props.alarm_actions), "api_4xx_alarm", 0)
        self.lambda_errors_alarm = origin.carry(above_threshold(self, "lambda_errors", ThresholdAlarm(
            name=naming.name("lambda-genai-errors"), namespace="AWS/Lambda", metric="Errors",
            statistic="Sum", threshold=props.lambda_error_threshold,
            description="This metric monitors Lambda GenAI function errors",
            dimensions={"FunctionName": props.function_name}, tags=tags,
        ), props.alarm_actions), "lambda_errors_alarm", 0)
        body = {"widgets": [{
            "type": "metric", "x": 0, "y": 0, "width": 12, "height": 6,
            "properties": {
                "metrics": [
                    ["AWS/ApiGateway", "Count", "ApiName", props.api_name],
                    ["AWS/ApiGateway", "Latency", "ApiName", props.api_name],
                    ["AWS/Lambda", "Invocations", "FunctionName", props.function_name],
                    ["AWS/Lambda", "Duration", "FunctionName", props.function_name],
                ],
                "view": "timeSeries", "stacked": False, "region": props.region,
                "title": props.dashboard_title, "period": PERIOD_SECONDS,
            },
        }]}
        self.dashboard = origin.carry(CloudwatchDashboard(
            self, "dashboard", dashboard_name=naming.name("aws-native-integration"),
            dashboard_body=json.dumps(body, sort_keys=True),
        ), "dashboard", 0)

    @property
    def lambda_errors_alarm_arn(self) -> str:
        return self.lambda_errors_alarm.arn
