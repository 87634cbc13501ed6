"""12-notification's settings: the alerts topic and the Slack notifier."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, StrictInt, StrictStr, StringConstraints

from settings.base import Frozen, LogRetention

class Notification(Frozen):
    """12-notification: the alerts topic and the Slack notifier. The webhook URL is not here: it
    lives in a Secrets Manager secret the stack creates empty (see docs/layers.md)."""

    topic: Annotated[StrictStr, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")]
    slack_channel: Annotated[StrictStr, StringConstraints(pattern=r"^#[a-z0-9_-]+$")]
    email_endpoint: Annotated[StrictStr, StringConstraints(pattern=r"^([^@\s]+@[^@\s]+)?$")] = ""
    runtime: Annotated[StrictStr, StringConstraints(pattern=r"^python3\.\d+$")]
    timeout_seconds: Annotated[StrictInt, Field(ge=1, le=900)]
    log_retention_days: LogRetention
    test_alarm: StrictBool
    # The topic encrypted at rest with its own customer-managed KMS key (rotation on), whose policy
    # lets CloudWatch alarms publish (design switch, A133); the AWS-managed alias/aws/sns key would
    # refuse them. As deployed: no encryption.
    encrypted_topic: StrictBool
    test_alarm_description: Annotated[StrictStr, StringConstraints(max_length=1024)]
