"""CloudWatch metric alarms and log metric filters, made from typed definitions by one builder
(`metric_alarm`): lists of them (`MetricAlarms`), the platform's usual shape (`above_threshold`: a
statistic above a threshold for two five-minute periods) and the alarms of one ECS service
(`ServiceAlarms`). Thresholds, names and actions are the caller's data. No dashboards here.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cdktf_cdktf_provider_aws.cloudwatch_log_metric_filter import (
    CloudwatchLogMetricFilter,
    CloudwatchLogMetricFilterMetricTransformation,
)
from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm
from constructs import Construct

from modules.naming import Naming
from modules.origin import Origin

PERCENTILE = re.compile(r"^p(?:\d{1,2}(?:\.\d{1,2})?|100)$")
PERIOD_SECONDS = 300
EVALUATION_PERIODS = 2
ECS, ALB = "AWS/ECS", "AWS/ApplicationELB"


@dataclass(frozen=True)
class AlarmDefinition:
    id: str
    name: str
    namespace: str
    metric: str
    statistic: str
    comparison: str
    threshold: float
    evaluation_periods: int
    period: int
    description: str
    dimensions: Mapping[str, str] = field(default_factory=dict)
    treat_missing_data: str | None = None   # the provider's default ("missing") when None
    # A percentile (`p95`) instead of `statistic`: CloudWatch takes one or the other, never both.
    extended_statistic: str | None = None

    def __post_init__(self) -> None:
        if self.extended_statistic is not None and not PERCENTILE.match(self.extended_statistic):
            raise ValueError(f"AlarmDefinition {self.id}: extended_statistic {self.extended_statistic!r} is not a "
                             "percentile like p95 or p99.9")


def metric_alarm(scope: Construct, alarm: AlarmDefinition, actions: Sequence[str],
                 tags: Mapping[str, str]) -> CloudwatchMetricAlarm:
    """The one place a CloudWatch metric alarm is made from a definition."""
    return CloudwatchMetricAlarm(
        scope, alarm.id,
        alarm_name=alarm.name,
        alarm_description=alarm.description,
        namespace=alarm.namespace,
        metric_name=alarm.metric,
        statistic=None if alarm.extended_statistic else alarm.statistic,
        extended_statistic=alarm.extended_statistic,
        comparison_operator=alarm.comparison,
        threshold=alarm.threshold,
        evaluation_periods=alarm.evaluation_periods,
        period=alarm.period,
        dimensions=dict(alarm.dimensions) or None,
        treat_missing_data=alarm.treat_missing_data,
        alarm_actions=list(actions),
        tags=dict(tags) or None,
    )


@dataclass(frozen=True)
class ThresholdAlarm:
    """An alarm of the platform's usual shape: `statistic` of `metric` above `threshold` for two
    consecutive five-minute periods."""

    name: str
    namespace: str
    metric: str
    statistic: str
    threshold: float
    description: str
    dimensions: Mapping[str, str]
    tags: Mapping[str, str] = field(default_factory=dict)


def above_threshold(scope: Construct, id: str, alarm: ThresholdAlarm, actions: Sequence[str]) -> CloudwatchMetricAlarm:
    return metric_alarm(scope, AlarmDefinition(
        id=id, name=alarm.name, namespace=alarm.namespace, metric=alarm.metric, statistic=alarm.statistic,
        comparison="GreaterThanThreshold", threshold=alarm.threshold, evaluation_periods=EVALUATION_PERIODS,
        period=PERIOD_SECONDS, description=alarm.description, dimensions=alarm.dimensions), actions, alarm.tags)


@dataclass(frozen=True)
class MetricAlarmsProps:
    origin: Origin
    alarms: Sequence[AlarmDefinition]
    alarm_actions: Sequence[str]
    tags: Mapping[str, Mapping[str, str]]   # alarm id -> its tags
    origin_key: str | int | None = None     # the original's count/for_each key, when it had one

    def __post_init__(self) -> None:
        ids = [a.id for a in self.alarms]
        if len(set(ids)) != len(ids):
            raise ValueError(f"MetricAlarmsProps.alarms: ids must be unique (got {ids})")
        missing = sorted(set(ids) - set(self.tags))
        if missing:
            raise ValueError(f"MetricAlarmsProps.tags: no tag set for {missing}")


class MetricAlarms(Construct):
    def __init__(self, scope: Construct, id: str, props: MetricAlarmsProps):
        super().__init__(scope, id)
        self.alarms: dict[str, CloudwatchMetricAlarm] = {}
        for alarm in props.alarms:
            resource = metric_alarm(self, alarm, props.alarm_actions, props.tags[alarm.id])
            self.alarms[alarm.id] = props.origin.carry(resource, alarm.id, props.origin_key)


@dataclass(frozen=True)
class LogMetricDefinition:
    id: str
    name: str
    pattern: str
    metric: str
    namespace: str
    value: str
    log_group_name: str


@dataclass(frozen=True)
class LogMetricsProps:
    origin: Origin
    metrics: Sequence[LogMetricDefinition]

    def __post_init__(self) -> None:
        ids = [m.id for m in self.metrics]
        if len(set(ids)) != len(ids):
            raise ValueError(f"LogMetricsProps.metrics: ids must be unique (got {ids})")


class LogMetrics(Construct):
    def __init__(self, scope: Construct, id: str, props: LogMetricsProps):
        super().__init__(scope, id)
        self.filters: dict[str, CloudwatchLogMetricFilter] = {}
        for metric in props.metrics:
            resource = CloudwatchLogMetricFilter(
                self, metric.id,
                name=metric.name,
                pattern=metric.pattern,
                log_group_name=metric.log_group_name,
                metric_transformation=CloudwatchLogMetricFilterMetricTransformation(
                    name=metric.metric, namespace=metric.namespace, value=metric.value),
            )
            self.filters[metric.id] = props.origin.carry(resource, metric.id)


# The alarms of one ECS service: CPU and memory high, running tasks below one (ECS), unhealthy hosts,
# response time high and 5XX errors (its ALB target group). With monitoring off only the 5XX alarm
# stays, as the original had it.

@dataclass(frozen=True)
class AlarmThresholds:
    monitoring: bool
    cpu_percent: int
    memory_percent: int
    response_time_seconds: int
    errors_5xx: int
    actions: Sequence[str] = ()


@dataclass(frozen=True)
class ServiceAlarmsProps:
    naming: Naming
    origin: Origin
    key: str
    thresholds: AlarmThresholds
    service_name: str
    cluster_name: str
    target_group_arn_suffix: str
    load_balancer_arn_suffix: str


@dataclass(frozen=True)
class _Alarm:
    part: str             # construct id and origin part
    suffix: str           # alarm name: <prefix>-<key>-<suffix>
    namespace: str
    metric: str
    statistic: str
    comparison: str
    threshold: float
    description: str      # deployed wording, with {key} filled in
    missing_data: str = "notBreaching"
    always: bool = False  # kept when monitoring is off


class ServiceAlarms(Construct):
    def __init__(self, scope: Construct, id: str, props: ServiceAlarmsProps):
        super().__init__(scope, id)
        t, naming = props.thresholds, props.naming
        ecs_dimensions = {"ServiceName": props.service_name, "ClusterName": props.cluster_name}
        alb_dimensions = {"TargetGroup": props.target_group_arn_suffix, "LoadBalancer": props.load_balancer_arn_suffix}
        alarms = (
            _Alarm("cpu_high", "cpu-high", ECS, "CPUUtilization", "Average", "GreaterThanThreshold", t.cpu_percent,
                   f"ECS 서비스 {{key}}의 CPU 사용률이 {t.cpu_percent}%를 초과했습니다"),
            _Alarm("memory_high", "memory-high", ECS, "MemoryUtilization", "Average", "GreaterThanThreshold",
                   t.memory_percent, f"ECS 서비스 {{key}}의 메모리 사용률이 {t.memory_percent}%를 초과했습니다"),
            _Alarm("running_tasks_low", "running-tasks-low", ECS, "RunningTaskCount", "Average", "LessThanThreshold",
                   1, "ECS 서비스 {key}의 실행 중인 태스크 수가 1개 미만입니다", missing_data="breaching"),
            _Alarm("unhealthy_hosts", "unhealthy-hosts", ALB, "UnHealthyHostCount", "Average",
                   "GreaterThanThreshold", 0, "ALB 타겟 그룹 {key}에 건강하지 않은 호스트가 있습니다"),
            _Alarm("response_time_high", "response-time-high", ALB, "TargetResponseTime", "Average",
                   "GreaterThanThreshold", t.response_time_seconds,
                   f"ALB 타겟 그룹 {{key}}의 평균 응답 시간이 {t.response_time_seconds}초를 초과했습니다"),
            _Alarm("errors_5xx", "5xx-errors", ALB, "HTTPCode_Target_5XX_Count", "Sum", "GreaterThanThreshold",
                   t.errors_5xx, f"ALB 타겟 그룹 {{key}}에서 5분간 5XX 에러가 {t.errors_5xx}개를 초과했습니다",
                   always=True),
        )
        self.alarms: dict[str, CloudwatchMetricAlarm] = {}
        for alarm in alarms:
            if not (t.monitoring or alarm.always):
                continue
            definition = AlarmDefinition(
                id=alarm.part, name=naming.name(props.key, alarm.suffix), namespace=alarm.namespace,
                metric=alarm.metric, statistic=alarm.statistic, comparison=alarm.comparison,
                threshold=alarm.threshold, evaluation_periods=EVALUATION_PERIODS, period=PERIOD_SECONDS,
                description=alarm.description.format(key=props.key), treat_missing_data=alarm.missing_data,
                dimensions=ecs_dimensions if alarm.namespace == ECS else alb_dimensions)
            self.alarms[alarm.part] = props.origin.carry(
                metric_alarm(self, definition, t.actions, naming.tags_for(Type="monitoring")), alarm.part, props.key)
