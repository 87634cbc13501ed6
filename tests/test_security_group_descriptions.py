"""Every security group and rule description of every environment is one EC2 accepts: the end-to-end
run of staging found an apostrophe in a rule's description, which the provider refuses at plan."""
from __future__ import annotations

import json
import shutil

import pytest

from synthesis.checks import EC2_DESCRIPTION, security_group_descriptions

ENVIRONMENTS = ("dev", "seoul", "staging", "prod")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_description_of_every_environment_is_accepted(synthesized, env):
    stacks = synthesized(env).outdir / "stacks"
    assert security_group_descriptions(None, (), stacks) == []
    described = 0
    for path in stacks.glob("*/cdk.tf.json"):
        resources = json.loads(path.read_text()).get("resource") or {}
        described += sum(1 for body in (resources.get("aws_security_group") or {}).values() if body.get("description"))
    assert described >= 4, "the check had groups to read"


@pytest.mark.parametrize("text", ["the tasks' group", 'a "quoted" group', "caf\u00e9", "line\nbreak", "trailing\n"])
def test_the_check_names_a_description_ec2_refuses(synthesized, tmp_path, text):
    stacks = tmp_path / "stacks"
    shutil.copytree(synthesized("staging").outdir / "stacks", stacks)
    path = stacks / "06-lambda-genai" / "cdk.tf.json"
    data = json.loads(path.read_text())
    name, rule = next(iter(data["resource"]["aws_security_group_rule"].items()))
    rule["description"] = text
    path.write_text(json.dumps(data))
    (problem,) = security_group_descriptions(None, (), stacks)
    assert problem.startswith(f"06-lambda-genai: aws_security_group_rule.{name} description")


def test_the_pattern_takes_what_ec2_allows():
    assert EC2_DESCRIPTION.match("Allow 8080/tcp from ALB (ECS) #1, @x [a]+b=c&d;{e}!$*_-:.")
