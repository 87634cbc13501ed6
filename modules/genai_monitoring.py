"""What the design document asks to see of the GenAI path (§9.2): the Lambda function's throttles and
cold starts, and Bedrock's invocations, latency, throttles and token counts, with Bedrock's model
invocations logged to a log group of their own.

Cold starts: AWS/Lambda has no metric of them; the function's REPORT log line carries
`Init Duration: <ms> ms` on a cold start only, so a metric filter on that line counts and times them.
The Bedrock invocation logging configuration is one per account and region: an environment that
shares its region with another one that already sets it takes it over (say so in the environment).
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.bedrock_model_invocation_logging_configuration import (
    BedrockModelInvocationLoggingConfiguration,
    BedrockModelInvocationLoggingConfigurationLoggingConfig,
    BedrockModelInvocationLoggingConfigurationLoggingConfigCloudwatchConfig,
)
from cdktf_cdktf_provider_aws.cloudwatch_dashboard import CloudwatchDashboard
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.cloudwatch_log_metric_filter import (
    CloudwatchLogMetricFilter,
    CloudwatchLogMetricFilterMetricTransformation,
)
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from constructs import Construct

from modules.alarms import EVALUATION_PERIODS, PERIOD_SECONDS, AlarmDefinition, metric_alarm
from modules.naming import Naming
from modules.origin import created

NEW = "the design's GenAI monitoring (monitoring.genai_metrics); the original had none"
COLD_START_NAMESPACE = "PetClinic/GenAI"
# The REPORT line of a cold start, split at spaces: ... Max Memory Used: <n> MB Init Duration: <ms> ms
COLD_START_PATTERN = ('[report="REPORT", request_label, request_id, d_label, duration, d_unit, b1, b2, billed, b_unit, '
                      'm1, m2, memory, m_unit, u1, u2, u3, used, u_unit, init="Init", init_label="Duration:", '
                      'init_duration, init_unit, ...]')
BEDROCK_METRICS = ("Invocations", "InvocationLatency", "InvocationThrottles", "InputTokenCount", "OutputTokenCount")
LAMBDA_METRICS = ("Invocations", "Errors", "Throttles", "Duration", "ConcurrentExecutions")
# Times and concurrency are read as averages/maxima; counts (the widget's default) as sums.
STATS = {"Duration": "Average", "InvocationLatency": "Average", "InitDuration": "Average",
         "ConcurrentExecutions": "Maximum"}


@dataclass(frozen=True)
class GenaiMonitoringProps:
    naming: Naming
    region: str
    function_name: str
    model_id: str
    log_retention_days: int
    alarm_actions: Sequence[str]
    lambda_throttles_threshold: float
    bedrock_throttles_threshold: float


class GenaiMonitoring(Construct):
    def __init__(self, scope: Construct, id: str, props: GenaiMonitoringProps):
        super().__init__(scope, id)
        p, naming = props, props.naming
        tags: Mapping[str, str] = naming.tags_for(Component="genai-monitoring")
        self.cold_starts = created(CloudwatchLogMetricFilter(
            self, "cold_starts", name=naming.name("genai-cold-starts"), pattern=COLD_START_PATTERN,
            log_group_name=f"/aws/lambda/{p.function_name}",
            metric_transformation=CloudwatchLogMetricFilterMetricTransformation(
                name="InitDuration", namespace=COLD_START_NAMESPACE, value="$init_duration", unit="Milliseconds")), NEW)
        self.alarms = {
            key: created(metric_alarm(self, AlarmDefinition(
                id=key, name=naming.name(suffix), namespace=namespace, metric="Throttles" if key == "lambda_throttles"
                else "InvocationThrottles", statistic="Sum", comparison="GreaterThanThreshold", threshold=threshold,
                evaluation_periods=EVALUATION_PERIODS, period=PERIOD_SECONDS, description=description,
                dimensions=dimensions, treat_missing_data="notBreaching"), p.alarm_actions, tags), NEW)
            for key, suffix, namespace, threshold, description, dimensions in (
                ("lambda_throttles", "genai-lambda-throttles", "AWS/Lambda", p.lambda_throttles_threshold,
                 "The GenAI Lambda function is throttled", {"FunctionName": p.function_name}),
                ("bedrock_throttles", "genai-bedrock-throttles", "AWS/Bedrock", p.bedrock_throttles_threshold,
                 "Bedrock throttles the GenAI model's invocations", {"ModelId": p.model_id}))
        }
        self.dashboard = created(CloudwatchDashboard(
            self, "dashboard", dashboard_name=naming.name("genai"), dashboard_body=json.dumps({"widgets": [
                _widget(0, "GenAI Lambda", [_metric("AWS/Lambda", m, "FunctionName", p.function_name)
                                            for m in LAMBDA_METRICS] + [_metric(COLD_START_NAMESPACE, "InitDuration")],
                        p.region),
                _widget(12, "Bedrock", [_metric("AWS/Bedrock", m, "ModelId", p.model_id) for m in BEDROCK_METRICS],
                        p.region),
            ]})), NEW)
        self._invocation_logging(p, tags)

    def _invocation_logging(self, p: GenaiMonitoringProps, tags: Mapping[str, str]) -> None:
        naming = p.naming
        self.invocation_logs = created(CloudwatchLogGroup(
            self, "invocation_logs", name=f"/aws/bedrock/{naming.name('model-invocations')}",
            retention_in_days=p.log_retention_days, tags=dict(tags)), NEW)
        role = created(IamRole(self, "invocation_logging_role", name=naming.name("bedrock-invocation-logging"),
                               assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                                   "Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"},
                                   "Action": "sts:AssumeRole"}]}), tags=dict(tags)), NEW)
        created(IamRolePolicy(self, "invocation_logging_policy", role=role.id, name="write-invocation-logs",
                              policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                                  "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                  "Resource": f"{self.invocation_logs.arn}:*"}]})), NEW)
        created(BedrockModelInvocationLoggingConfiguration(
            self, "invocation_logging", logging_config=[BedrockModelInvocationLoggingConfigurationLoggingConfig(
                text_data_delivery_enabled=True, image_data_delivery_enabled=False,
                embedding_data_delivery_enabled=False, video_data_delivery_enabled=False,
                cloudwatch_config=[BedrockModelInvocationLoggingConfigurationLoggingConfigCloudwatchConfig(
                    log_group_name=self.invocation_logs.name, role_arn=role.arn)])]), NEW)


def _metric(namespace: str, metric: str, *dimension: str) -> list:
    return [namespace, metric, *dimension, *([{"stat": STATS[metric]}] if metric in STATS else [])]


def _widget(x: int, title: str, metrics: list[list[str]], region: str) -> dict:
    return {"type": "metric", "x": x, "y": 0, "width": 12, "height": 6,
            "properties": {"title": title, "metrics": metrics, "region": region, "stat": "Sum", "period": PERIOD_SECONDS}}
