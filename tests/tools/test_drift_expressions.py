"""`drift config` evaluates what the stacks write inside `${...}` and compares JSON documents as the
provider does. Facts: the HCL functions' documented results, the AWS provider's container-definition
equivalence (internal/service/ecs/container_definitions.go), and the synthesized dev stacks."""
from __future__ import annotations

import json
import shutil

import pytest

from tests.tools.agreement_states import changed_states
from tests.tools.state_completion import complete
from tests.tools.state_fixtures import write_states
from tools.drift.__main__ import main
from tools.drift.documents import documents_equal
from tools.drift.expressions import Partial, Unknown, evaluate_string

OUTPUTS = {"network": {"outputs": {"vpc_id": "vpc-1", "private_app_subnet_ids": {"b": "subnet-b", "a": "subnet-a"}}},
           "cloud_map": {"outputs": {"service_arns": {"visits": "arn:visits"}}}}


def resolve(root):
    if root[:2] == ("data", "terraform_remote_state"):
        return OUTPUTS.get(root[2], {"outputs": Unknown(f"the state of {root[2]} is not in the source")})
    if root == ("aws_lb", "alb"):
        return {"dns_name": "alb-1.example"}
    return Unknown(f"{'.'.join(root)} unknown")


@pytest.mark.parametrize("text,value", [
    ("${data.terraform_remote_state.network.outputs.vpc_id}", "vpc-1"),
    ("${values(data.terraform_remote_state.network.outputs.private_app_subnet_ids)[0]}", "subnet-a"),
    ("${element(values(data.terraform_remote_state.network.outputs.private_app_subnet_ids), 3)}", "subnet-b"),
    ('${data.terraform_remote_state.cloud_map.outputs.service_arns["visits"]}', "arn:visits"),
    ('${lookup(data.terraform_remote_state.cloud_map.outputs.service_arns, "vets", "none")}', "none"),
    ('${try(data.terraform_remote_state.network.outputs.no_such_output, "")}', ""),
    ("http://${aws_lb.alb.dns_name}:8080/", "http://alb-1.example:8080/"),
    ('${jsonencode({b = [data.terraform_remote_state.network.outputs.vpc_id], a = 1})}', '{"a":1,"b":["vpc-1"]}'),
    ('${trimsuffix(replace("https://x.example/v1", "https://", ""), "/v1")}', "x.example"),
    ('${length(compact(["a", ""])) >= 1 && data.terraform_remote_state.network.outputs.vpc_id != ""}', True),
    ('${cidrsubnet("2600:1f14:abc:de00::/56", 8, 10)}', "2600:1f14:abc:de0a::/64"),
])
def test_expressions_the_stacks_write_evaluate_as_terraform_does(text, value):
    assert evaluate_string(text, resolve) == value


def test_what_cannot_be_known_is_unknown_with_its_reason():
    missing = evaluate_string("${data.terraform_remote_state.database.outputs.cluster_arn}", resolve)
    assert isinstance(missing, Unknown) and "database is not in the source" in missing.reason
    loop = evaluate_string("${[for s in var.subnets : s.id]}", resolve)
    assert isinstance(loop, Unknown) and "for expressions" in loop.reason
    partial = evaluate_string('{"a": "${aws_lb.alb.dns_name}", "b": "${var.x}"}', resolve)
    assert isinstance(partial, Partial) and partial.pattern().fullmatch('{"a": "alb-1.example", "b": "anything"}')
    assert not partial.pattern().fullmatch('{"a": "alb-2.example", "b": "anything"}')


CONTAINER = {"name": "customers", "image": "repo/customers:latest", "cpu": 256, "memory": 512, "essential": True,
             "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
             "environment": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}], "secrets": []}


def test_container_definitions_compare_with_the_providers_defaults():
    # What AWS returns: keys in its own order, defaults filled, empty lists dropped, environment sorted.
    returned = [{"environment": [{"value": "1", "name": "A"}, {"name": "B", "value": "2"}], "memory": 512,
                 "cpu": 256, "image": "repo/customers:latest", "name": "customers", "mountPoints": [],
                 "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}], "volumesFrom": []}]
    configured = json.dumps([{**CONTAINER, "portMappings": [{"containerPort": 8080}]}], indent=2)
    assert documents_equal("container_definitions", configured, json.dumps(returned), awsvpc=True)
    for change in ({"image": "repo/customers:hand-deployed"}, {"portMappings": [{"containerPort": 8081}]},
                   {"essential": False}):
        assert not documents_equal("container_definitions", json.dumps([{**CONTAINER, **change}]),
                                   json.dumps(returned), awsvpc=True), change


def test_policies_and_dashboards_compare_as_their_provider_compares_them():
    statement = {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/*"]}
    configured = json.dumps({"Version": "2012-10-17", "Statement": [statement, {**statement, "Action": "s3:ListBucket"}]})
    stored = json.dumps({"Statement": [{"Resource": "arn:aws:s3:::b/*", "Action": "s3:GetObject", "Effect": "Allow"},
                                       {**statement, "Action": "s3:ListBucket"}], "Version": "2012-10-17"})
    assert documents_equal("policy", configured, stored)
    one_less = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    assert not documents_equal("policy", configured, one_less)
    metrics = {"widgets": [{"properties": {"metrics": [["AWS/ECS", "CPUUtilization"], ["AWS/ECS", "MemoryUtilization"]]}}]}
    reordered = {"widgets": [{"properties": {"metrics": metrics["widgets"][0]["properties"]["metrics"][::-1]}}]}
    assert documents_equal("json", json.dumps(metrics), json.dumps(metrics, indent=4, sort_keys=True))
    assert not documents_equal("json", json.dumps(metrics), json.dumps(reordered))


@pytest.fixture(scope="module")
def completed_states(tmp_path_factory, synthesized):
    stacks = synthesized("dev").outdir / "stacks"
    folder = tmp_path_factory.mktemp("completed")
    write_states(folder, "dev", ["01-network", "02-security", "03-database", "05-cloud-map", "07-application"])
    complete(stacks, folder)
    return stacks, folder


def run_config(stacks, folder, layer, capsys):
    code = main(["config", "--layer", layer, "--stacks", str(stacks), "--state", str(folder), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)["layers"][0]


def test_remote_state_values_come_from_the_producers_state_and_their_absence_is_counted(completed_states, tmp_path, capsys):
    stacks, folder = completed_states
    code, layer = run_config(stacks, folder, "07-application", capsys)
    assert code == 2 and not [n for n in layer["notes"] if "remote state" in n or "is not in the source" in n]
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(folder / "07-application.tfstate", alone)
    code, layer = run_config(stacks, alone, "07-application", capsys)
    assert code == 2
    (note,) = [n for n in layer["notes"] if "unknown" in n]
    assert "the state of 02-security is not in the source" in note and "01-network" in note


def test_a_task_definition_whose_containers_differ_is_replaced(completed_states, tmp_path, capsys):
    stacks, folder = completed_states
    changed = tmp_path / "changed"
    shutil.copytree(folder, changed)
    changed_states(changed)
    code, layer = run_config(stacks, changed, "07-application", capsys)
    actions = {f["address"]: f["action"] for f in layer["findings"]}
    assert actions["aws_ecs_task_definition.customers_task"] == "replace"
    assert actions["aws_ecs_task_definition.vets_task"] == "replace"
    assert actions["aws_ecs_task_definition.admin_task"] == "move"     # the original's document, written otherwise
    (change,) = [c for f in layer["findings"] if f["address"] == "aws_ecs_task_definition.vets_task" for c in f["changes"]]
    assert change["attribute"] == "container_definitions" and change["effect"] == "replace"
    assert change["before"] == "(hidden)" and change["note"] == "differs at vets.image"   # never the values
