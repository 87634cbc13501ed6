"""Security-group rules around the ECS tasks that belong to the application layer: the ALB and the
tasks themselves into the tasks' ports, the tasks into Aurora, and the tasks' own egress. The groups
are not made here (02-security owns the ECS and Aurora groups, `modules.alb` the ALB's); their ids
come in as props, by role.

Holds no rule the security layer makes: a rule AWS already has from another stack would be
rejected as a duplicate.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.security_group_rule import SecurityGroupRule
from constructs import Construct

from modules.origin import Origin, created

GROUPS = ("alb", "ecs", "aurora")


@dataclass(frozen=True)
class TaskRuleSpec:
    """One rule: added to the group of role `group`; `peer` is a group role, `self`, or an IPv4 CIDR."""

    group: str
    direction: str
    port: int
    peer: str
    description: str
    protocol: str = "tcp"
    new_reason: str = ""    # set: the rule has no deployed counterpart (why it is new)


@dataclass(frozen=True)
class TaskRulesProps:
    origin: Origin
    group_ids: Mapping[str, str]           # role ("alb", "ecs", "aurora") -> security group id
    rules: Mapping[str, TaskRuleSpec]      # construct id (and original name) -> rule


class TaskRules(Construct):
    def __init__(self, scope: Construct, id: str, props: TaskRulesProps):
        super().__init__(scope, id)
        self.rules: dict[str, SecurityGroupRule] = {}
        for name, rule in sorted(props.rules.items()):
            if rule.group not in props.group_ids:
                raise ValueError(f"task rule {name}: no security group for {rule.group!r} "
                                 f"(known: {sorted(props.group_ids)})")
            peer: dict[str, object]
            if rule.peer == "self":
                peer = {"self_attribute": True}
            elif rule.peer in GROUPS:
                if rule.peer not in props.group_ids:
                    raise ValueError(f"task rule {name}: no security group for peer {rule.peer!r}")
                peer = {"source_security_group_id": props.group_ids[rule.peer]}
            else:
                peer = {"cidr_blocks": [rule.peer]}
            made = SecurityGroupRule(
                self, name,
                type=rule.direction,
                from_port=rule.port,
                to_port=rule.port,
                protocol=rule.protocol,
                security_group_id=props.group_ids[rule.group],
                description=rule.description,
                **peer,
            )
            self.rules[name] = created(made, rule.new_reason) if rule.new_reason else props.origin.carry(made, name)
