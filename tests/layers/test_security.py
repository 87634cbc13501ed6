"""Design properties of 02-security (design document §8): who may reach the database, where ECS
tasks may go, the ALB integration, least surprise in IAM."""
from __future__ import annotations

import pytest

from tests.conftest import ENVIRONMENTS
from tests.helpers import policy, ref, resource, resources_of_type

LAYER = "02-security"
ECS, AURORA = "aws_security_group.sg_ecs", "aws_security_group.sg_aurora"


def rules(stack: dict, kind: str, group: str) -> list[dict]:
    return [r for r in resources_of_type(stack, f"aws_vpc_security_group_{kind}_rule").values()
            if r["security_group_id"] == ref(group)]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_aurora_admits_3306_only_from_the_ecs_security_group(synthesized, env):
    stack = synthesized(env).stack(LAYER)
    ingress = rules(stack, "ingress", AURORA)
    assert [(r["referenced_security_group_id"], r["from_port"], r["to_port"], r["ip_protocol"]) for r in ingress] == \
        [(ref(ECS), 3306, 3306, "tcp")]
    assert not any("cidr_ipv4" in r or "cidr_ipv6" in r for r in ingress)
    assert rules(stack, "egress", AURORA) == []


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_ecs_egress_is_aurora_and_the_vpc_endpoints_only(synthesized, env):
    stack = synthesized(env).stack(LAYER)
    egress = sorted((r["referenced_security_group_id"], r["from_port"]) for r in rules(stack, "egress", ECS))
    endpoints = '${try(data.terraform_remote_state.network.outputs.vpce_security_group_id, "")}'
    assert egress == sorted([(ref(AURORA), 3306), (endpoints, 443)])
    assert not any("cidr_ipv4" in r or "cidr_ipv6" in r for r in rules(stack, "egress", ECS))


def test_alb_ingress_to_ecs_exists_only_when_07_exports_an_alb_group(synthesized):
    dev = synthesized("dev").stack(LAYER)
    rule = resource(dev, "aws_vpc_security_group_ingress_rule.sg_ecs_from_alb")
    assert rule["count"] == ('${length(compact([try(data.terraform_remote_state.application.outputs'
                             '.alb_security_group_id, "")]))}')
    assert (rule["from_port"], rule["to_port"]) == (8080, 8080)
    assert dev["data"]["terraform_remote_state"]["application"]["config"]["key"] == "dev/07-application/terraform.tfstate"
    seoul = synthesized("seoul").stack(LAYER)
    assert "application" not in seoul["data"]["terraform_remote_state"]
    assert "sg_ecs_from_alb" not in resources_of_type(seoul, "aws_vpc_security_group_ingress_rule")


@pytest.mark.parametrize("env,key", [("dev", "dev/01-network/terraform.tfstate"),
                                     ("seoul", "seoul-dev/01-network/terraform.tfstate")])
def test_network_is_read_from_the_original_state_key(synthesized, env, key):
    network = synthesized(env).stack(LAYER)["data"]["terraform_remote_state"]["network"]
    assert network["backend"] == "s3" and network["config"]["key"] == key


def test_task_execution_role_reads_only_its_environment_parameters(synthesized):
    stack = synthesized("dev").stack(LAYER)
    (inline,) = resources_of_type(stack, "aws_iam_role_policy").values()
    statements = policy(inline["policy"])["Statement"]
    ssm = [s for s in statements if "ssm:GetParameter" in s["Action"]]
    assert [r.split(":parameter")[1] for s in ssm for r in s["Resource"]] == ["/petclinic-dev/*"]
    assert all(s["Resource"] != "*" for s in statements)


def test_team_members_each_get_a_user_in_the_cli_group(synthesized):
    stack = synthesized("dev").stack(LAYER)
    users = sorted(u["name"] for u in resources_of_type(stack, "aws_iam_user").values())
    assert users == ["petclinic-dev-hwigwon", "petclinic-dev-junje", "petclinic-dev-seokgyeom", "petclinic-dev-yeonghyeon"]
    (membership,) = resources_of_type(stack, "aws_iam_group_membership").values()
    assert membership["users"] == [ref(f"aws_iam_user.team_{u.split('-')[-1]}", "name") for u in users]


def test_outputs_keep_their_original_names(synthesized):
    assert set(synthesized("dev").stack(LAYER)["output"]) == {
        "ecs_security_group_id", "aurora_security_group_id", "alb_security_group_id", "vpce_security_group_id",
        "rds_secret_access_policy_arn", "parameter_store_access_policy_arn", "cloudwatch_logs_access_policy_arn",
        "ecs_task_execution_role_arn"}
