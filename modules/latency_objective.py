"""§14.3's response-time objective (P95 under 500 ms) as two standing alarms: the 95th percentile of
the ALB's TargetResponseTime (seconds) and of the REST API's Latency (milliseconds, on its stage).

The watched names are the caller's: the ALB's ARN suffix and the API and stage names as the producing
layers make them. A percentile alarm ignores periods with too few requests to estimate one
(`evaluate_low_sample_count_percentiles = ignore`), so an idle environment does not alarm on three
slow requests; no data is not a breach.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm
from constructs import Construct

from modules.alarms import EVALUATION_PERIODS, PERIOD_SECONDS, AlarmDefinition, metric_alarm
from modules.naming import Naming
from modules.origin import created

NEW = "§14.3's response-time objective (monitoring.p95_alarms); the original watched averages only"
PERCENTILE = "p95"


@dataclass(frozen=True)
class LatencyObjectiveProps:
    naming: Naming
    alb_arn_suffix: str
    api_name: str
    stage_name: str
    alb_p95_seconds: float
    api_p95_ms: int
    alarm_actions: Sequence[str]

    def __post_init__(self) -> None:
        if self.alb_p95_seconds <= 0 or self.api_p95_ms <= 0:
            raise ValueError("LatencyObjectiveProps: the p95 limits must be positive "
                             f"(got {self.alb_p95_seconds} s, {self.api_p95_ms} ms)")
        if not self.alarm_actions:
            raise ValueError("LatencyObjectiveProps.alarm_actions: an objective nobody hears of is no objective")


class LatencyObjective(Construct):
    def __init__(self, scope: Construct, id: str, props: LatencyObjectiveProps):
        super().__init__(scope, id)
        naming = props.naming
        definitions = (
            AlarmDefinition(
                id="alb_p95", name=naming.name("alb-p95-response-time"), namespace="AWS/ApplicationELB",
                metric="TargetResponseTime", statistic="", extended_statistic=PERCENTILE,
                comparison="GreaterThanThreshold", threshold=props.alb_p95_seconds,
                evaluation_periods=EVALUATION_PERIODS, period=PERIOD_SECONDS, treat_missing_data="notBreaching",
                description=f"ALB target response time P95 above {props.alb_p95_seconds} s (§14.3: P95 < 500 ms)",
                dimensions={"LoadBalancer": props.alb_arn_suffix}),
            AlarmDefinition(
                id="api_p95", name=naming.name("api-p95-latency"), namespace="AWS/ApiGateway",
                metric="Latency", statistic="", extended_statistic=PERCENTILE,
                comparison="GreaterThanThreshold", threshold=props.api_p95_ms,
                evaluation_periods=EVALUATION_PERIODS, period=PERIOD_SECONDS, treat_missing_data="notBreaching",
                description=f"API Gateway latency P95 above {props.api_p95_ms} ms (§14.3: P95 < 500 ms)",
                dimensions={"ApiName": props.api_name, "Stage": props.stage_name}),
        )
        self.alarms: dict[str, CloudwatchMetricAlarm] = {}
        for definition in definitions:
            alarm = metric_alarm(self, definition, props.alarm_actions,
                                 naming.tags_for(Component="latency-objective"))
            alarm.evaluate_low_sample_count_percentiles = "ignore"
            self.alarms[definition.id] = created(alarm, NEW)
