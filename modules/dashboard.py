"""A CloudWatch dashboard from a list of metric widgets, and the PetClinic platform's widget list.

Widgets are laid out two to a row (12 x 6 each), in the order given. The body is serialized here,
once, with sorted keys and no spaces (the form Terraform's `jsonencode` writes), so the same inputs
give the same text and a re-synthesis never changes the dashboard for nothing. Values known only at
plan time (names read from other layers) stay tokens inside that text.
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.cloudwatch_dashboard import CloudwatchDashboard
from constructs import Construct

from modules.origin import Origin

COLUMNS, WIDTH, HEIGHT = 2, 12, 6
PERIOD = 300
SAME = "."  # CloudWatch's shorthand: the value of the row above


@dataclass(frozen=True)
class Widget:
    title: str
    metrics: tuple[tuple[str, ...], ...]
    percent_axis: bool = False   # a 0..100 left axis (utilization)

    def properties(self, region: str) -> dict:
        props = {"metrics": [list(row) for row in self.metrics], "view": "timeSeries", "stacked": False,
                 "region": region, "title": self.title, "period": PERIOD}
        if self.percent_axis:
            props["yAxis"] = {"left": {"min": 0, "max": 100}}
        return props


def dashboard_body(widgets: Sequence[Widget], region: str) -> str:
    placed = [{"type": "metric", "x": (i % COLUMNS) * WIDTH, "y": (i // COLUMNS) * HEIGHT, "width": WIDTH,
               "height": HEIGHT, "properties": w.properties(region)} for i, w in enumerate(widgets)]
    return json.dumps({"widgets": placed}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class DashboardProps:
    origin: Origin
    name: str
    region: str
    widgets: Sequence[Widget]

    def __post_init__(self) -> None:
        if not self.widgets:
            raise ValueError("DashboardProps.widgets: a dashboard needs at least one widget")


class Dashboard(Construct):
    def __init__(self, scope: Construct, id: str, props: DashboardProps):
        super().__init__(scope, id)
        self.dashboard = props.origin.carry(CloudwatchDashboard(
            self, "Default", dashboard_name=props.name, dashboard_body=dashboard_body(props.widgets, props.region),
        ), "dashboard")
        self.name = self.dashboard.dashboard_name


# ---------------------------------------------------------------------------- the platform's widgets
API_METRICS = ("Count", "Latency", "4XXError", "5XXError")
LAMBDA_METRICS = ("Invocations", "Duration", "Errors", "ConcurrentExecutions")
AURORA_METRICS = ("CPUUtilization", "DatabaseConnections", "ReadLatency", "WriteLatency")
ALB_METRICS = ("RequestCount", "TargetResponseTime", "HTTPCode_Target_2XX_Count", "HTTPCode_Target_4XX_Count",
               "HTTPCode_Target_5XX_Count")
TARGET_HEALTH_METRICS = ("HealthyHostCount", "UnHealthyHostCount")


@dataclass(frozen=True)
class PlatformTargets:
    """What the platform dashboard watches; `services` and `target_groups` map a service key to its
    ECS service name and its target group's ARN suffix (one widget row each, in key order)."""
    api_name: str
    cluster_name: str
    services: Mapping[str, str]
    lambda_name: str
    aurora_cluster: str
    alb_arn_suffix: str
    target_groups: Mapping[str, str]


def platform_widgets(t: PlatformTargets) -> list[Widget]:
    services = [t.services[k] for k in sorted(t.services)]
    groups = [t.target_groups[k] for k in sorted(t.target_groups)]

    def ecs(metric: str) -> tuple[tuple[str, ...], ...]:
        return tuple(("AWS/ECS", metric, "ServiceName", s, "ClusterName", t.cluster_name) for s in services)

    return [
        Widget("API Gateway Metrics", (("AWS/ApiGateway", API_METRICS[0], "ApiName", t.api_name),)
               + tuple((SAME, m, SAME, SAME) for m in API_METRICS[1:])),
        Widget("ECS Services - CPU Utilization", ecs("CPUUtilization"), percent_axis=True),
        Widget("ECS Services - Memory Utilization", ecs("MemoryUtilization"), percent_axis=True),
        Widget("Lambda Function Metrics (GenAI)",
               tuple(("AWS/Lambda", m, "FunctionName", t.lambda_name) for m in LAMBDA_METRICS)),
        Widget("Aurora Database Metrics",
               tuple(("AWS/RDS", m, "DBClusterIdentifier", t.aurora_cluster) for m in AURORA_METRICS)),
        Widget("Application Load Balancer Metrics",
               tuple(("AWS/ApplicationELB", m, "LoadBalancer", t.alb_arn_suffix) for m in ALB_METRICS)),
        Widget("Target Groups - Health Status",
               tuple(("AWS/ApplicationELB", m, "TargetGroup", g, "LoadBalancer", t.alb_arn_suffix)
                     for m in TARGET_HEALTH_METRICS for g in groups)),
        Widget("ECS Running Task Count", ecs("RunningTaskCount")),
    ]
