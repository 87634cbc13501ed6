"""Parts of `drift live` that need no AWS: which attributes another resource of the state manages,
what counts as part of a managed resource in the unmanaged search, and reading an ARN. (The readers
themselves run against moto in test_drift_live.py and against a terraform-applied platform in the
end-to-end run.)"""
from __future__ import annotations

import json

import pytest

from tools.drift.live.check import managed_elsewhere
from tools.drift.live.unmanaged import arn_parts, managed_identifiers
from tools.drift.state import parse_state

TOPIC = "arn:aws:sns:us-west-2:123456789012:petclinic-dev-alerts"


def state_of(*resources: tuple[str, str, dict]) -> object:
    return parse_state(json.dumps({"version": 4, "resources": [
        {"mode": "managed", "type": rtype, "name": name, "instances": [{"attributes": attributes}]}
        for rtype, name, attributes in resources]}), "test")


def test_a_topics_policy_is_its_policy_resources_when_it_has_one():
    with_policy = state_of(("aws_sns_topic", "alerts", {"arn": TOPIC, "policy": "{}"}),
                           ("aws_sns_topic_policy", "alerts", {"arn": TOPIC, "policy": "{}"}))
    assert managed_elsewhere(with_policy) == {"aws_sns_topic.alerts": frozenset({"policy"})}
    assert managed_elsewhere(state_of(("aws_sns_topic", "alerts", {"arn": TOPIC}))) == {}


def test_a_groups_rules_are_its_rule_resources_when_it_has_any():
    state = state_of(("aws_security_group", "db", {"id": "sg-1"}), ("aws_security_group", "other", {"id": "sg-2"}),
                     ("aws_vpc_security_group_ingress_rule", "in", {"security_group_id": "sg-1"}))
    assert managed_elsewhere(state) == {"aws_security_group.db": frozenset({"ingress"})}


def test_an_instances_volumes_are_part_of_it():
    state = state_of(("aws_instance", "debug", {"id": "i-1", "root_block_device": [{"volume_id": "vol-1"}],
                                                "ebs_block_device": [{"volume_id": "vol-2"}]}))
    assert {"i-1", "vol-1", "vol-2"} <= managed_identifiers([state])


@pytest.mark.parametrize("arn, parts", [
    ("arn:aws:logs:us-west-2:1:log-group:/aws/lambda/petclinic-dev-genai-function",
     ("logs", "log-group", "/aws/lambda/petclinic-dev-genai-function")),
    ("arn:aws:ec2:us-west-2:1:volume/vol-1", ("ec2", "volume", "vol-1")),
    ("arn:aws:rds:us-west-2:1:cluster:petclinic-dev-aurora", ("rds", "cluster", "petclinic-dev-aurora")),
    ("arn:aws:elasticloadbalancing:us-west-2:1:loadbalancer/app/petclinic-dev-alb/5d1", ("elasticloadbalancing", "loadbalancer", "5d1")),
    ("arn:aws:s3:::petclinic-dev-frontend-dev", ("s3", "", "petclinic-dev-frontend-dev")),
    ("arn:aws:ecs:us-west-2:1:task-definition/petclinic-dev-visits:2", ("ecs", "task-definition", "petclinic-dev-visits:2")),
])
def test_an_arn_names_its_service_type_and_id(arn, parts):
    assert arn_parts(arn) == parts


class TaggedOnly:
    """What find_unmanaged asks of AWS here: the tagging API's pages, nothing else listed."""

    def __init__(self, arns: list[str]):
        self.arns = arns

    def call(self, service: str, operation: str, **arguments):
        return {}

    def pages(self, service: str, operation: str, key: str, **arguments):
        return [{"ResourceARN": arn} for arn in self.arns] if service == "resourcegroupstaggingapi" else []


def test_an_older_revision_of_a_managed_task_definition_is_not_unmanaged():
    from tools.drift.live.unmanaged import find_unmanaged

    family = "arn:aws:ecs:us-west-2:1:task-definition/petclinic-dev-visits"
    state = state_of(("aws_ecs_task_definition", "visits", {"id": "petclinic-dev-visits", "arn": f"{family}:2"}))
    found = find_unmanaged(TaggedOnly([f"{family}:1", f"{family}:2", "arn:aws:ecs:us-west-2:1:task-definition/other:1"]),
                           [state], {"Project": "petclinic", "Environment": "dev"})
    assert [f.address for f in found] == ["aws_ecs_task_definition:arn:aws:ecs:us-west-2:1:task-definition/other:1"]
