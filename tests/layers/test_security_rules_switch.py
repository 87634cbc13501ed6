"""The security-group design switches of 07-application (envs/_switches.toml), each way, on the
synthesized JSON: `application.design_security_rules` (§3.4's rules) and
`application.duplicate_task_rules` (the rule 02-security makes too)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from settings import ConfigError, load_environment
from synthesis import synthesize
from tests.conftest import ROOT
from tests.helpers import ref, removed, resources_of_type
from tools.stack_form import read_stack

LAYER = "07-application"
ECS_GROUP = "${data.terraform_remote_state.security.outputs.ecs_security_group_id}"
BEYOND_DESIGN = {"task_rules_ecs_inter_service_8080", "task_rules_ecs_inter_service_9090",
                 "task_rules_ecs_to_internet_http", "task_rules_ecs_to_ecs_8080", "task_rules_ecs_to_ecs_9090"}
DUPLICATE = "aws_security_group_rule.task_rules_aurora_allow_ecs"
ORIGINAL_DUPLICATE = "aws_security_group_rule.aurora_allow_ecs"


def synth_with(tmp_path: Path, env: str, extra: str) -> dict:
    envs = tmp_path / "envs"
    shutil.copytree(ROOT / "envs", envs)
    path = envs / f"{env}.toml"
    path.write_text(path.read_text().replace("\n[application]\n", f"\n[application]\n{extra}\n", 1)
                    if "\n[application]\n" in path.read_text() else path.read_text() + f"\n[application]\n{extra}\n")
    outdir = tmp_path / "cdktf.out"
    synthesize(load_environment(env, envs_dir=envs), outdir)
    return read_stack(outdir / "stacks" / LAYER)


def test_as_deployed_keeps_the_task_to_task_rules_and_all_out(synthesized):
    s = synthesized("dev").stack(LAYER)
    rules = resources_of_type(s, "aws_security_group_rule")
    assert BEYOND_DESIGN <= set(rules)
    assert "task_rules_ecs_to_nat_https" not in rules
    egress = resources_of_type(s, "aws_vpc_security_group_egress_rule")
    assert [(e["cidr_ipv4"], e["ip_protocol"]) for e in egress.values()] == [("0.0.0.0/0", "-1")]


def test_design_rules_leave_only_what_section_3_4_lists(tmp_path):
    s = synth_with(tmp_path, "dev", "design_security_rules = true")
    rules = resources_of_type(s, "aws_security_group_rule")
    assert not BEYOND_DESIGN & set(rules)
    nat = rules["task_rules_ecs_to_nat_https"]
    assert (nat["type"], nat["from_port"], nat["cidr_blocks"]) == ("egress", 443, ["0.0.0.0/0"])
    egress = resources_of_type(s, "aws_vpc_security_group_egress_rule")
    assert sorted((e["from_port"], e["referenced_security_group_id"]) for e in egress.values()) == [
        (8080, ECS_GROUP), (9090, ECS_GROUP)]
    assert all(e["security_group_id"] == ref("aws_security_group.alb_sg") for e in egress.values())


def test_the_duplicate_is_made_as_deployed(synthesized):
    s = synthesized("dev").stack(LAYER)
    assert "task_rules_aurora_allow_ecs" in resources_of_type(s, "aws_security_group_rule")
    assert DUPLICATE not in removed(s) and ORIGINAL_DUPLICATE not in removed(s)


def test_without_duplicates_a_deployed_state_forgets_the_rule(tmp_path):
    s = synth_with(tmp_path, "dev", "duplicate_task_rules = false")
    assert "task_rules_aurora_allow_ecs" not in resources_of_type(s, "aws_security_group_rule")
    # The deployed state's address (the original's) and the port's, each forgotten, not destroyed.
    blocks = [r for r in s["removed"] if r["from"] in (DUPLICATE, ORIGINAL_DUPLICATE)]
    assert sorted(r["from"] for r in blocks) == sorted([DUPLICATE, ORIGINAL_DUPLICATE])
    for block in blocks:
        lifecycle = block["lifecycle"]
        assert (lifecycle[0] if isinstance(lifecycle, list) else lifecycle)["destroy"] is False


def test_a_to_be_environment_neither_makes_nor_removes_the_duplicate(synthesized):
    s = synthesized("staging").stack(LAYER)
    assert "task_rules_aurora_allow_ecs" not in resources_of_type(s, "aws_security_group_rule")
    assert DUPLICATE not in removed(s) and ORIGINAL_DUPLICATE not in removed(s)


def test_a_bad_scope_names_the_file_and_the_field(tmp_path):
    envs = tmp_path / "envs"
    shutil.copytree(ROOT / "envs", envs)
    dev = envs / "dev.toml"
    dev.write_text(dev.read_text() + '\n[application.task_rules.alb_to_ecs]\nscope = "sometimes"\n')
    with pytest.raises(ConfigError, match=r"dev\.toml: application\.task_rules\.alb_to_ecs\.scope"):
        load_environment("dev", envs_dir=envs)
