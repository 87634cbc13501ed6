"""CloudWatch metric alarms and log metric filters, made from lists of typed definitions.

One construct per list: each definition becomes one resource named by its `id` (its address), with
the dimensions the caller resolved for what it watches and the caller's alarm actions. It decides
no threshold and no name: those are the caller's data. No dashboards here (`dashboard.py`).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cdktf_cdktf_provider_aws.cloudwatch_log_metric_filter import (
    CloudwatchLogMetricFilter,
    CloudwatchLogMetricFilterMetricTransformation,
)
from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm
from constructs import Construct

from modules.origin import Origin


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
            resource = CloudwatchMetricAlarm(
                self, alarm.id,
                alarm_name=alarm.name,
                alarm_description=alarm.description,
                namespace=alarm.namespace,
                metric_name=alarm.metric,
                statistic=alarm.statistic,
                comparison_operator=alarm.comparison,
                threshold=alarm.threshold,
                evaluation_periods=alarm.evaluation_periods,
                period=alarm.period,
                dimensions=dict(alarm.dimensions) or None,
                treat_missing_data=alarm.treat_missing_data,
                alarm_actions=list(props.alarm_actions),
                tags=dict(props.tags[alarm.id]),
            )
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
