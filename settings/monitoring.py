"""10-monitoring's settings: the dashboard, the alarms and log metrics, and the audit trail."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt, StrictStr, StringConstraints, model_validator

from settings.base import Frozen, LogRetention, SettingError

ResourceId = Annotated[StrictStr, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
AlarmName = Annotated[StrictStr, StringConstraints(pattern=r"^[A-Za-z0-9._-]+$", max_length=255)]
Comparison = Literal["GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold",
                     "LessThanOrEqualToThreshold"]
Statistic = Literal["Average", "Sum", "Minimum", "Maximum", "SampleCount"]
AlarmPeriod = Annotated[StrictInt, Field(ge=10)]


class MetricAlarmSpec(Frozen):
    """One CloudWatch metric alarm as data. `watches` names what its dimensions point at (the layer
    knows each one's dimension values); `id` is its address."""

    id: ResourceId
    name: AlarmName
    namespace: StrictStr
    metric: StrictStr
    statistic: Statistic
    comparison: Comparison
    threshold: Annotated[float, Field(strict=False)]
    evaluation_periods: Annotated[StrictInt, Field(ge=1)]
    period: AlarmPeriod
    description: Annotated[StrictStr, StringConstraints(max_length=1024)]
    watches: StrictStr = "none"


class LogMetricSpec(Frozen):
    """A log metric filter: a pattern on a log group (`log_group` names which) counted into a metric."""

    id: ResourceId
    name: StrictStr
    pattern: StrictStr
    metric: StrictStr
    namespace: StrictStr
    value: StrictStr
    log_group: StrictStr


def _unique_ids(section: str, field: str, items: tuple) -> None:
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise SettingError(f"{section}.{field}", f"lists an id twice: {ids}")


class Monitoring(Frozen):
    """10-monitoring: the platform dashboard, the alarms and log metrics, and the CloudTrail audit trail.

    The watched API and Lambda names are literals in the original (`petclinic-api`, which no layer
    creates, and the Oregon dev function even in Seoul); kept as deployed. Alarms `watches` one of
    `api_gateway`, `ecs_service`, `lambda`, `aurora` or `none`; log metrics read `ecs_service` or
    `cloudtrail`."""

    watched_api_name: StrictStr
    watched_lambda_name: StrictStr
    # The alarms and dashboards of 09 and 10 watch the names 08 and 06 give the API and the function
    # (their contracts), not the literals above.
    watch_produced_names: StrictBool
    # 10 makes `/aws/lambda/<watched_lambda_name>` (as deployed), the name of the group 06 makes for its
    # function: the second create fails. Off: not made, and left to 06 where a state holds it.
    lambda_log_group: StrictBool
    # The GenAI path's throttles, cold starts and Bedrock metrics, with alarms on throttles above
    # these counts per five minutes, and Bedrock's model-invocation log (modules/genai_monitoring.py).
    genai_metrics: StrictBool
    genai_lambda_throttles_threshold: Annotated[StrictInt, Field(ge=0)]
    genai_bedrock_throttles_threshold: Annotated[StrictInt, Field(ge=0)]
    # §14.3's response-time objective as standing alarms (claim A131): the 95th percentile of the
    # ALB's TargetResponseTime (seconds) and of the API's Latency (milliseconds) above these.
    p95_alarms: StrictBool
    alb_p95_seconds: Annotated[float, Field(gt=0, le=60, strict=False)]
    api_p95_ms: Annotated[StrictInt, Field(gt=0, le=29000)]
    watched_service: Annotated[StrictStr, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")]
    log_retention_days: LogRetention
    alarms: tuple[MetricAlarmSpec, ...]
    log_metrics: tuple[LogMetricSpec, ...]
    alert_email_configured: StrictBool
    trail_log_retention_days: LogRetention
    trail_s3_key_prefix: Annotated[StrictStr, StringConstraints(pattern=r"^[a-z0-9][a-z0-9/_-]*$")]
    trail_kms_alias: Annotated[StrictStr, StringConstraints(pattern=r"^alias/[a-zA-Z0-9/_-]+$")]
    trail_key_deletion_window_days: Annotated[StrictInt, Field(ge=7, le=30)]
    security_alarms: tuple[MetricAlarmSpec, ...]
    security_log_metrics: tuple[LogMetricSpec, ...]

    @model_validator(mode="after")
    def _consistent(self) -> "Monitoring":
        for field, items in (("alarms", self.alarms), ("log_metrics", self.log_metrics),
                             ("security_alarms", self.security_alarms),
                             ("security_log_metrics", self.security_log_metrics)):
            _unique_ids("monitoring", field, items)
        for field, alarms in (("alarms", self.alarms), ("security_alarms", self.security_alarms)):
            for i, alarm in enumerate(alarms):
                if alarm.watches not in WATCHED:
                    raise SettingError(f"monitoring.{field}[{i}].watches",
                                       f"{alarm.watches!r} is not one of {', '.join(sorted(WATCHED))}")
                if alarm.period not in (10, 20, 30) and alarm.period % 60:
                    raise SettingError(f"monitoring.{field}[{i}].period",
                                       f"{alarm.period} is not 10, 20, 30 or a multiple of 60 seconds")
        for field, metrics in (("log_metrics", self.log_metrics), ("security_log_metrics", self.security_log_metrics)):
            for i, metric in enumerate(metrics):
                if metric.log_group not in LOG_SOURCES:
                    raise SettingError(f"monitoring.{field}[{i}].log_group",
                                       f"{metric.log_group!r} is not one of {', '.join(sorted(LOG_SOURCES))}")
        return self


WATCHED = frozenset({"api_gateway", "ecs_service", "lambda", "aurora", "none"})
LOG_SOURCES = frozenset({"ecs_service", "cloudtrail"})
