"""The alarms and dashboard of one REST API stage: an alarm per configured metric (errors, latency),
one on throttled requests, and a dashboard of requests, errors, latency, error rate and requests per
service.

Holds no thresholds or words of its own: those are the caller's (`ApiMetricAlarm`).
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

NAMESPACE = "AWS/ApiGateway"


@dataclass(frozen=True)
class ApiMetricAlarm:
    key: str            # "4xx-error-rate": names the alarm `<prefix>-api-<key>`
    metric: str
    statistic: str
    threshold: float
    description: str


@dataclass(frozen=True)
class DashboardText:
    """The dashboard's titles and labels (the deployed ones are Korean)."""

    requests_title: str
    latency_title: str
    error_rate_title: str
    per_service_title: str
    total_requests: str
    errors_4xx: str
    errors_5xx: str
    latency: str
    integration_latency: str
    milliseconds: str
    error_rate: str
    percent: str
    all_requests: str
    service_label: str  # with `{service}`


@dataclass(frozen=True)
class ApiMonitoringProps:
    naming: Naming
    origin: Origin
    api_name: str
    stage_name: str
    region: str
    alarms: Sequence[ApiMetricAlarm]
    throttled_threshold: float
    throttled_description: str
    alarm_actions: Sequence[str]
    services: Sequence[str]        # the dashboard's per-service rows (`/<service>`), in this order
    dashboard: DashboardText

    def __post_init__(self) -> None:
        keys = [a.key for a in self.alarms]
        if len(set(keys)) != len(keys):
            raise ValueError(f"ApiMonitoringProps.alarms: a key is used twice: {keys}")


class ApiMonitoring(Construct):
    def __init__(self, scope: Construct, id: str, props: ApiMonitoringProps):
        super().__init__(scope, id)
        naming, origin = props.naming, props.origin
        dimensions = {"ApiName": props.api_name, "Stage": props.stage_name}
        self.alarms = {
            a.key: origin.carry(above_threshold(self, a.key, ThresholdAlarm(
                name=naming.name("api", a.key), namespace=NAMESPACE, metric=a.metric, statistic=a.statistic,
                threshold=a.threshold, description=a.description, dimensions=dimensions,
                tags=naming.tags_for("api", f"{a.key}-alarm", Type="monitoring"),
            ), props.alarm_actions), "metric_alarms", a.key)
            for a in props.alarms
        }
        self.throttled_alarm = origin.carry(above_threshold(self, "throttled", ThresholdAlarm(
            name=naming.name("api-throttling"), namespace=NAMESPACE, metric="ThrottledRequests", statistic="Sum",
            threshold=props.throttled_threshold, description=props.throttled_description, dimensions=dimensions,
            tags=naming.tags_for("api-throttling-alarm", Type="monitoring"),
        ), props.alarm_actions), "throttled_alarm", 0)
        self.dashboard = origin.carry(CloudwatchDashboard(
            self, "dashboard", dashboard_name=naming.name("api-gateway-dashboard"),
            dashboard_body=json.dumps(dashboard_body(props), ensure_ascii=False, sort_keys=True),
        ), "dashboard", 0)

    @property
    def dashboard_name(self) -> str:
        return self.dashboard.dashboard_name


def dashboard_body(props: ApiMonitoringProps) -> dict:
    text, region = props.dashboard, props.region
    def metric(name: str, **options: object) -> list:
        return [NAMESPACE, name, "ApiName", props.api_name, "Stage", props.stage_name, options]

    def same(name: str, **options: object) -> list:  # "." repeats the previous row's value
        return [".", name, ".", ".", ".", ".", options]

    def widget(x: int, y: int, title: str, metrics: list, stacked: bool = False, y_axis: dict | None = None) -> dict:
        properties = {"metrics": metrics, "view": "timeSeries", "stacked": stacked, "title": title,
                      "period": PERIOD_SECONDS, "region": region}
        if y_axis is not None:
            properties["yAxis"] = {"left": y_axis}
        return {"type": "metric", "x": x, "y": y, "width": 12, "height": 6, "properties": properties}

    per_service = [metric("Count", label=text.all_requests)] + [
        [NAMESPACE, "Count", "ApiName", props.api_name, "Stage", props.stage_name, "Resource", f"/{service}",
         {"label": text.service_label.format(service=service)}]
        for service in props.services
    ]
    return {"widgets": [
        widget(0, 0, text.requests_title, [metric("Count", label=text.total_requests),
                                           same("4XXError", label=text.errors_4xx),
                                           same("5XXError", label=text.errors_5xx)], y_axis={"min": 0}),
        widget(12, 0, text.latency_title, [metric("Latency", label=text.latency),
                                           same("IntegrationLatency", label=text.integration_latency)],
               y_axis={"min": 0, "label": text.milliseconds}),
        widget(0, 6, text.error_rate_title, [metric("4XXError", id="e1"), same("5XXError", id="e2"),
                                             same("Count", id="total"),
                                             [{"expression": "(e1 + e2) / total * 100", "label": text.error_rate,
                                               "id": "error_rate"}]],
               y_axis={"min": 0, "max": 100, "label": text.percent}),
        widget(12, 6, text.per_service_title, per_service, stacked=True),
    ]}
