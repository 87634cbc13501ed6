"""CloudWatch metric alarms of the one shape the platform uses: a statistic above a threshold for
two consecutive five-minute periods, notifying the given actions.

Only the shape lives here; which metric, threshold and words each alarm has is the caller's.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm
from constructs import Construct

PERIOD_SECONDS = 300
EVALUATION_PERIODS = 2


@dataclass(frozen=True)
class Alarm:
    name: str
    namespace: str
    metric: str
    statistic: str
    threshold: float
    description: str
    dimensions: Mapping[str, str]
    tags: Mapping[str, str] = field(default_factory=dict)


def above_threshold(scope: Construct, id: str, alarm: Alarm, actions: Sequence[str]) -> CloudwatchMetricAlarm:
    return CloudwatchMetricAlarm(
        scope, id,
        alarm_name=alarm.name,
        comparison_operator="GreaterThanThreshold",
        evaluation_periods=EVALUATION_PERIODS,
        metric_name=alarm.metric,
        namespace=alarm.namespace,
        period=PERIOD_SECONDS,
        statistic=alarm.statistic,
        threshold=alarm.threshold,
        alarm_description=alarm.description,
        alarm_actions=list(actions),
        dimensions=dict(alarm.dimensions),
        tags=dict(alarm.tags) or None,
    )
