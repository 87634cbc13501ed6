"""Layer 12-notification: the alerts SNS topic (CloudWatch may publish to it) and the Slack notifier
(`functions/slack_notifier`) subscribed to it, with its role and log group; in dev and Seoul also a
test alarm on a metric nobody writes, to prove the path end to end. Reads no other layer.

Deliberate change: the Slack webhook URL is no longer a plain environment variable of the function
(the original passed `var.slack_webhook_url` in, so it sat in the function's configuration and in the
state). The stack creates an empty Secrets Manager secret, operators put the URL in it, and the
function reads it at run time (`SLACK_WEBHOOK_ARN`); its role may read that one secret.

The provider's default tags are the shared `tags` map as they are (the original passed `var.tags`),
and its state lives under `<environment>/12-notification/` like every layer (the original's backend
block says `layers/12-notification/...`, but its scripts always passed the per-environment key).
Addresses: everything was in `module.notification`.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity

from layers.base import LayerStack
from layers.contracts.notification import OUTPUTS
from modules.alarms import AlarmDefinition, MetricAlarms, MetricAlarmsProps
from modules.alert_topic import AlertTopic, AlertTopicProps
from modules.lambda_function import (
    FunctionCode,
    FunctionRole,
    FunctionSecret,
    PackagedFunction,
    PackagedFunctionProps,
)
from modules.origin import Origin
from modules.packaging import build_package
from modules.topic_key import TopicKey, TopicKeyProps

ROOT = Path(__file__).resolve().parent.parent
FUNCTION_SOURCES = ROOT / "functions" / "slack_notifier"
BUILD_DIR = ROOT / "build" / "lambda"
HANDLER = "lambda_function.lambda_handler"   # module and function name in functions/slack_notifier
STEM = "slack-notifier"
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
# What publishes to the alerts topic: the CloudWatch alarms of every layer (no EventBridge rule or
# budget of the platform sends to it).
ALERT_PUBLISHERS = ("cloudwatch.amazonaws.com",)
WEBHOOK_VARIABLE = "SLACK_WEBHOOK_ARN"   # the function reads the secret this names (functions/slack_notifier)

ORIGIN = Origin("module.notification")
TOPIC_ORIGIN = Origin("module.notification", names={"topic": "alerts", "policy": "alerts"})
NOTIFIER_ORIGIN = Origin("module.notification", names={
    "role": "slack_notifier", "basic_execution": "slack_notifier_basic", "logs": "slack_notifier",
    "function": "slack_notifier", "subscription": "slack_notifier",
})
SECRET_IS_NEW = Origin.new("the Slack webhook URL moves out of the function's environment into a secret, "
                           "which the original did not have")


class NotificationStack(LayerStack):
    layer = "12-notification"
    outputs = OUTPUTS

    @property
    def default_tags(self) -> dict[str, str]:
        return dict(self.env.tags)

    def build(self) -> None:
        env, settings, naming = self.env, self.env.notification, self.naming
        identity = DataAwsCallerIdentity(self, "current")
        # A design switch: the topic encrypted with its own key, which the alarms may use to publish.
        key = TopicKey(self, "alerts_key", TopicKeyProps(
            naming=naming, stem=settings.topic, account_id=identity.account_id,
            publishers=ALERT_PUBLISHERS)) if settings.encrypted_topic else None
        self.topic = AlertTopic(self, "alerts", AlertTopicProps(
            naming=naming, origin=TOPIC_ORIGIN, topic=settings.topic, account_id=identity.account_id,
            email_endpoint=settings.email_endpoint, kms_key_arn=key.arn if key else None))
        self.package = build_package(FUNCTION_SOURCES, BUILD_DIR / "slack_notifier.zip")
        self.notifier = PackagedFunction(self, "slack_notifier", PackagedFunctionProps(
            origin=NOTIFIER_ORIGIN,
            function_name=naming.name(STEM),
            function_tags=naming.tags_for(STEM, Environment=env.environment, Type="notification"),
            code=FunctionCode(package=self.package, handler=HANDLER, runtime=settings.runtime,
                              timeout=settings.timeout_seconds),
            role=FunctionRole(id="role", name=naming.name(STEM, "role"),
                              tags=naming.tags_for(STEM, "role", Environment=env.environment),
                              managed_policy_arns={"basic_execution": BASIC_EXECUTION}),
            log_retention_days=settings.log_retention_days,
            log_tags=naming.tags_for(STEM, "logs", Environment=env.environment),
            # The webhook URL is in no configuration, state or environment: operators put it in
            # this secret (`aws secretsmanager put-secret-value`) and the function reads it.
            secret=FunctionSecret(
                id="webhook_secret", name=naming.name(STEM, "webhook-url"),
                description="Slack incoming webhook URL of the alerts notifier (the value is set by operators)",
                tags=naming.tags_for(STEM, "webhook-url", Environment=env.environment),
                variable=WEBHOOK_VARIABLE, policy_id="read_webhook_secret",
                policy_name=naming.name(STEM, "read-webhook-secret"), statement_id="ReadTheWebhookSecret",
                origin=SECRET_IS_NEW),
            invoked_by_topic_arn=self.topic.arn,
            environment={"SLACK_CHANNEL": settings.slack_channel, "ENVIRONMENT": env.environment,
                         "PROJECT_NAME": naming.name()},
        ))
        if settings.test_alarm:
            MetricAlarms(self, "test_alarm", MetricAlarmsProps(
                origin=ORIGIN, origin_key=0, alarm_actions=[self.topic.arn],
                alarms=[AlarmDefinition(
                    id="notification_test", name=naming.name("notification-test"), namespace="Custom/Test",
                    metric="TestMetric", statistic="Sum", comparison="GreaterThanThreshold", threshold=0,
                    evaluation_periods=1, period=60, description=settings.test_alarm_description,
                    treat_missing_data="notBreaching")],
                tags={"notification_test": naming.tags_for("notification-test", Environment=env.environment,
                                                           Type="test")},
            ))

    def output_values(self) -> Mapping[str, Any]:
        function = self.notifier
        return {
            "sns_topic_arn": self.topic.arn,
            "sns_topic_name": self.topic.name,
            "lambda_function_arn": function.arn,
            "lambda_function_name": function.function_name,
            "notification_system_ready": True,
        }
