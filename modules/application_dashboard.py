"""The application layer's CloudWatch dashboard: ECS CPU, memory and running tasks per service, and
the ALB's request count, response time and status codes per target group.

Holds no alarm (`modules.service_alarms`) and knows the services only as the metric dimensions given.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.cloudwatch_dashboard import CloudwatchDashboard
from constructs import Construct

from modules.naming import Naming
from modules.origin import Origin

PERIOD_SECONDS = 300
PERCENT_AXIS = {"left": {"min": 0, "max": 100}}


@dataclass(frozen=True)
class DashboardService:
    service_name: str
    target_group_arn_suffix: str


@dataclass(frozen=True)
class DashboardProps:
    naming: Naming
    origin: Origin
    region: str
    cluster_name: str
    load_balancer_arn_suffix: str
    services: Sequence[DashboardService]     # in the order the widgets list them


class ApplicationDashboard(Construct):
    def __init__(self, scope: Construct, id: str, props: DashboardProps):
        super().__init__(scope, id)

        def ecs(metric: str) -> list[list[str]]:
            return [["AWS/ECS", metric, "ServiceName", s.service_name, "ClusterName", props.cluster_name]
                    for s in props.services]

        def alb(metric: str) -> list[list[str]]:
            return [["AWS/ApplicationELB", metric, "TargetGroup", s.target_group_arn_suffix, "LoadBalancer",
                     props.load_balancer_arn_suffix] for s in props.services]

        def widget(x: int, y: int, title: str, metrics: list, stat: str, y_axis: dict | None = None) -> dict:
            properties = {"metrics": metrics, "period": PERIOD_SECONDS, "stat": stat, "region": props.region,
                          "title": title}
            if y_axis:
                properties["yAxis"] = y_axis
            return {"type": "metric", "x": x, "y": y, "width": 12, "height": 6, "properties": properties}

        body = {"widgets": [
            widget(0, 0, "ECS CPU Utilization (%)", ecs("CPUUtilization"), "Average", PERCENT_AXIS),
            widget(12, 0, "ECS Memory Utilization (%)", ecs("MemoryUtilization"), "Average", PERCENT_AXIS),
            widget(0, 6, "ALB Request Count", alb("RequestCount"), "Sum"),
            widget(12, 6, "ALB Response Time (seconds)", alb("TargetResponseTime"), "Average"),
            widget(0, 12, "ECS Running Task Count", ecs("RunningTaskCount"), "Average"),
            widget(12, 12, "ALB HTTP Status Codes", alb("HTTPCode_Target_2XX_Count") + alb("HTTPCode_Target_4XX_Count")
                   + alb("HTTPCode_Target_5XX_Count"), "Sum"),
        ]}
        self.dashboard = props.origin.carry(CloudwatchDashboard(
            self, "Default",
            dashboard_name=props.naming.name("application-dashboard"),
            dashboard_body=json.dumps(body),
        ), "dashboard")
