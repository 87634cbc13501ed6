"""The SNS topic alarms publish to, with a policy that lets CloudWatch (of this account only) publish.

An optional e-mail subscription is made here; other subscribers are the caller's (`slack_notifier.py`
subscribes the Slack function).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
from cdktf_cdktf_provider_aws.sns_topic_policy import SnsTopicPolicy
from cdktf_cdktf_provider_aws.sns_topic_subscription import SnsTopicSubscription
from constructs import Construct

from modules.naming import Naming
from modules.origin import Origin


@dataclass(frozen=True)
class AlertTopicProps:
    naming: Naming
    origin: Origin
    topic: str                  # the topic's name below the prefix
    account_id: str
    email_endpoint: str = ""    # an e-mail subscription as well, when given
    kms_key_arn: str | None = None   # encryption at rest with this key (None: as deployed, none)


class AlertTopic(Construct):
    def __init__(self, scope: Construct, id: str, props: AlertTopicProps):
        super().__init__(scope, id)
        naming = props.naming
        self.topic = props.origin.carry(SnsTopic(
            self, "Default", name=naming.name(props.topic), kms_master_key_id=props.kms_key_arn,
            tags=naming.tags_for(f"{props.topic}-topic", Environment=naming.environment, Type="notification")), "topic")
        props.origin.carry(SnsTopicPolicy(self, "policy", arn=self.topic.arn, policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
                           "Action": "sns:Publish", "Resource": self.topic.arn,
                           "Condition": {"StringEquals": {"aws:SourceAccount": props.account_id}}}],
        })), "policy")
        if props.email_endpoint:
            props.origin.carry(SnsTopicSubscription(self, "email", topic_arn=self.topic.arn, protocol="email",
                                                    endpoint=props.email_endpoint), "email", 0)
        self.arn = self.topic.arn
        self.name = self.topic.name
