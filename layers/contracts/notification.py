"""The contract of 12-notification: the outputs it declares, and the ARN of its alerts topic, which the
alarms of other layers derive from the settings (they do not read this layer's state)."""
from __future__ import annotations

from layers.outputs import LayerOutputs, Output, Shape
from modules.naming import Naming

OUTPUTS = LayerOutputs("12-notification", "notification", (
    Output("sns_topic_arn", Shape.STRING, "Alerts SNS topic ARN (alarm_actions of other layers)"),
    Output("sns_topic_name", Shape.STRING, "Alerts SNS topic name"),
    Output("lambda_function_arn", Shape.STRING, "Slack notifier Lambda function ARN"),
    Output("lambda_function_name", Shape.STRING, "Slack notifier Lambda function name"),
    Output("notification_system_ready", Shape.BOOL, "Whether the notification system is in place"),
))


def alerts_topic_arn(naming: Naming, topic: str, region: str, account_id: str) -> str:
    """The ARN of this layer's alerts topic, for the alarms of other layers (the original's 11-frontend
    wrote it as a literal in the variable files; 10-monitoring left it empty)."""
    return f"arn:aws:sns:{region}:{account_id}:{naming.name(topic)}"
