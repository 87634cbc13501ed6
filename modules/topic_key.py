"""A customer-managed KMS key (and alias) for an SNS topic's encryption at rest, with automatic
rotation. AWS services that publish to the topic (CloudWatch alarms) need kms:GenerateDataKey* and
kms:Decrypt on the key: the AWS-managed `alias/aws/sns` key cannot grant them, so its policy does,
to the given service principals; the account's IAM policies govern everyone else."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.kms_alias import KmsAlias
from cdktf_cdktf_provider_aws.kms_key import KmsKey
from constructs import Construct

from modules.naming import Naming
from modules.origin import created


@dataclass(frozen=True)
class TopicKeyProps:
    naming: Naming
    stem: str                          # the topic's name below the prefix: alias/<prefix>-<stem>-topic
    account_id: str
    publishers: Sequence[str]          # service principals that publish ("cloudwatch.amazonaws.com")
    deletion_window_days: int = 30
    reason: str = "the topic's encryption at rest (A133); the original topic was not encrypted"

    def __post_init__(self) -> None:
        if not self.publishers:
            raise ValueError("TopicKeyProps.publishers: name the services that publish to the topic")
        if not 7 <= self.deletion_window_days <= 30:
            raise ValueError(f"TopicKeyProps.deletion_window_days must be 7..30 (got {self.deletion_window_days})")


class TopicKey(Construct):
    def __init__(self, scope: Construct, id: str, props: TopicKeyProps):
        super().__init__(scope, id)
        naming = props.naming
        self.key = created(KmsKey(
            self, "key",
            description=f"Encryption at rest of the {naming.name(props.stem)} SNS topic",
            enable_key_rotation=True,
            deletion_window_in_days=props.deletion_window_days,
            policy=json.dumps({"Version": "2012-10-17", "Statement": [
                {"Sid": "TheAccountManagesTheKey", "Effect": "Allow",
                 "Principal": {"AWS": f"arn:aws:iam::{props.account_id}:root"}, "Action": "kms:*", "Resource": "*"},
                {"Sid": "PublishersEncryptMessages", "Effect": "Allow",
                 "Principal": {"Service": sorted(props.publishers)},
                 # No source condition here: the topic's own policy says which account may publish
                 # (AWS's example for alarms on an encrypted topic has none either).
                 "Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": "*"},
            ]}),
            tags=naming.tags_for(props.stem, "topic-key"),
        ), props.reason)
        created(KmsAlias(self, "alias", name=f"alias/{naming.name(props.stem, 'topic')}",
                         target_key_id=self.key.key_id), props.reason)

    @property
    def arn(self) -> str:
        return self.key.arn
