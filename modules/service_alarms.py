"""The alarms of one service: CPU and memory high, running tasks below one (ECS), unhealthy hosts,
response time high and 5XX errors (its ALB target group). With monitoring off only the 5XX alarm
stays, as the original had it.

Holds no notification target: alarm actions (SNS topic ARNs) come in as data.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm
from constructs import Construct

from modules.naming import Naming
from modules.origin import Origin

ECS, ALB = "AWS/ECS", "AWS/ApplicationELB"
PERIOD_SECONDS = 300
EVALUATION_PERIODS = 2


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
            self.alarms[alarm.part] = props.origin.carry(CloudwatchMetricAlarm(
                self, alarm.part,
                alarm_name=naming.name(props.key, alarm.suffix),
                comparison_operator=alarm.comparison,
                evaluation_periods=EVALUATION_PERIODS,
                metric_name=alarm.metric,
                namespace=alarm.namespace,
                period=PERIOD_SECONDS,
                statistic=alarm.statistic,
                threshold=alarm.threshold,
                alarm_description=alarm.description.format(key=props.key),
                alarm_actions=list(t.actions),
                treat_missing_data=alarm.missing_data,
                dimensions=ecs_dimensions if alarm.namespace == ECS else alb_dimensions,
                tags=naming.tags_for(Type="monitoring"),
            ), alarm.part, props.key)
