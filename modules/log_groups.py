"""CloudWatch log groups kept centrally, from a list of typed definitions (name, retention, tags).

For groups whose writer (a Lambda function, API Gateway) does not make its own; a function's own group
lives with the function (`lambda_function.py`, `slack_notifier.py`).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from constructs import Construct

from modules.origin import Origin


@dataclass(frozen=True)
class LogGroupDefinition:
    id: str
    name: str
    retention_days: int
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LogGroupsProps:
    origin: Origin
    groups: Sequence[LogGroupDefinition]

    def __post_init__(self) -> None:
        ids = [g.id for g in self.groups]
        if len(set(ids)) != len(ids):
            raise ValueError(f"LogGroupsProps.groups: ids must be unique (got {ids})")


class LogGroups(Construct):
    def __init__(self, scope: Construct, id: str, props: LogGroupsProps):
        super().__init__(scope, id)
        self.groups = {
            g.id: props.origin.carry(CloudwatchLogGroup(self, g.id, name=g.name, retention_in_days=g.retention_days,
                                                        tags=dict(g.tags)), g.id)
            for g in props.groups
        }
