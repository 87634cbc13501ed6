"""Design properties of 06-lambda-genai, on the session's shared synthesis: least-privilege
policies, function settings, network placement, and the package Terraform reads. State keeping
(moves, identity values, outputs) is checked for every layer by `tests/test_state_kept.py`."""
from __future__ import annotations

import base64
import fnmatch
import hashlib
import zipfile

import pytest

import json
from pathlib import Path

from settings import load_environment
from tests.conftest import ENVIRONMENTS, REFERENCE_ENVIRONMENTS
from tests.helpers import addresses, moves, policy, ref, resource, resources_of_type

LAYER = "06-lambda-genai"
FUNCTION = "aws_lambda_function.genai"
ROLE = "aws_iam_role.genai_execution_role"
SECURITY_GROUP = "aws_security_group.genai_security_group"
DATABASE = "data.terraform_remote_state.database.outputs"
NETWORK = "data.terraform_remote_state.network.outputs"
CLUSTER_ARN = "${" + DATABASE + ".cluster_arn}"
READONLY_SECRET = "aws_secretsmanager_secret.readonly_db_secret"
SECRET_ARN = "${" + READONLY_SECRET + ".arn}"


def statements(stack: dict) -> list[dict]:
    found = []
    for name, p in resources_of_type(stack, "aws_iam_role_policy").items():
        assert p["role"] == ref(ROLE), name
        for statement in policy(p["policy"])["Statement"]:
            found.append(statement)
    return found


def as_list(value) -> list[str]:
    return value if isinstance(value, list) else [value]


ORIGINAL = Path(__file__).resolve().parent.parent / "fixtures" / "original"


@pytest.mark.parametrize("env", REFERENCE_ENVIRONMENTS)
def test_the_stack_holds_exactly_the_resources_of_the_original_plan(synthesized, env):
    """Each of the 12 instances the original planned (the reference plan, not this code) is moved onto
    a resource of the stack, and the stack holds no resource besides them but the read-only user's
    secret (issue 23)."""
    stack = synthesized(env).stack(LAYER)
    original = json.loads((ORIGINAL / env / f"{LAYER}.json").read_text())["instances"]
    moved = moves(stack)
    assert len(original) == 12
    assert {i["address"] for i in original} == set(moved)
    assert addresses(stack) == set(moved.values()) | {READONLY_SECRET}


@pytest.mark.parametrize("env", REFERENCE_ENVIRONMENTS)
def test_the_variables_besides_the_secret_keep_their_planned_values(synthesized, env):
    """The accepted difference covers the whole environment block (the secret's ARN is known after
    apply); every other variable is pinned here against the reference plan."""
    original = json.loads((ORIGINAL / env / f"{LAYER}.json").read_text())["instances"]
    (function,) = [i for i in original if i["address"] == "aws_lambda_function.genai_function"]
    planned = function["values"]["environment"][0]["variables"]
    ours = resource(synthesized(env).stack(LAYER), FUNCTION)["environment"]["variables"]
    assert planned == {k: ours[k] for k in planned}, "every value the plan knew is kept"
    assert set(ours) - set(planned) == {"DB_CLUSTER_ARN", "DB_SECRET_ARN"}  # known after apply in the plan
    assert (ours["DB_CLUSTER_ARN"], ours["DB_SECRET_ARN"]) == (CLUSTER_ARN, SECRET_ARN)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_function_reads_only_its_read_only_users_secret_which_terraform_leaves_empty(synthesized, env):
    """The password is written by tools/genai_db_user.py, never by Terraform: no secret version, no
    random password, and the master secret is neither granted nor passed to the function."""
    settings = load_environment(env)
    stack = synthesized(env).stack(LAYER)
    secret = resource(stack, READONLY_SECRET)
    assert secret["name"] == f"{settings.name_prefix}-genai-db-readonly"
    assert secret["tags"]["Name"] == secret["name"]
    assert not resources_of_type(stack, "aws_secretsmanager_secret_version")
    assert not any(t.startswith("random_") for t in stack.get("resource", {}))
    assert "master_user_secret_name" not in json.dumps(stack["resource"])
    assert resource(stack, FUNCTION)["environment"]["variables"]["DB_SECRET_ARN"] == SECRET_ARN


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_no_policy_allows_a_wildcard_action_or_resource(synthesized, env):
    for statement in statements(synthesized(env).stack(LAYER)):
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            assert "*" not in action, statement
        for resource_arn in as_list(statement["Resource"]):
            assert "*" not in resource_arn, statement
        assert "NotAction" not in statement and "NotResource" not in statement


@pytest.mark.parametrize("env", REFERENCE_ENVIRONMENTS)  # as deployed; the to-be side: tests/layers/test_to_be_part2.py
def test_each_permission_names_its_one_resource(synthesized, env):
    settings = load_environment(env)
    model_arn = f"arn:aws:bedrock:{settings.region}::foundation-model/{settings.lambda_genai.bedrock_model_id}"
    granted = {(action, resource_arn) for s in statements(synthesized(env).stack(LAYER))
               for action in as_list(s["Action"]) for resource_arn in as_list(s["Resource"])}
    assert granted == {
        ("bedrock:InvokeModel", model_arn),
        ("rds-data:ExecuteStatement", CLUSTER_ARN),
        ("secretsmanager:GetSecretValue", SECRET_ARN),
    }


@pytest.mark.parametrize("env", REFERENCE_ENVIRONMENTS)  # as deployed; the to-be side: tests/layers/test_to_be_part2.py
def test_only_the_lambda_service_assumes_the_role_with_the_two_basic_managed_policies(synthesized, env):
    stack = synthesized(env).stack(LAYER)
    trust = policy(resource(stack, ROLE)["assume_role_policy"])["Statement"]
    assert trust == [{"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}}]
    attached = {a["policy_arn"] for a in resources_of_type(stack, "aws_iam_role_policy_attachment").values()}
    assert attached == {"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                        "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_function_settings(synthesized, env):
    settings = load_environment(env)
    function = resource(synthesized(env).stack(LAYER), FUNCTION)
    assert function["function_name"] == f"{settings.name_prefix}-genai-function"
    assert (function["handler"], function["runtime"]) == ("lambda_function.lambda_handler", "python3.11")
    assert (function["timeout"], function["memory_size"]) == (60, 512)
    assert function["role"] == ref(ROLE, "arn")
    assert function["environment"]["variables"] == {
        "BEDROCK_MODEL_ID": settings.lambda_genai.bedrock_model_id, "LOG_LEVEL": "INFO",
        "DB_CLUSTER_ARN": CLUSTER_ARN, "DB_SECRET_ARN": SECRET_ARN,
    }
    assert "aws_cloudwatch_log_group.genai_logs" in function["depends_on"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_function_runs_in_the_private_app_subnets_behind_its_own_egress_only_group(synthesized, env):
    stack = synthesized(env).stack(LAYER)
    vpc = resource(stack, FUNCTION)["vpc_config"]
    assert vpc["subnet_ids"] == "${values(" + NETWORK + ".private_app_subnet_ids)}"
    assert vpc["security_group_ids"] == [ref(SECURITY_GROUP)]
    assert resource(stack, SECURITY_GROUP)["vpc_id"] == "${" + NETWORK + ".vpc_id}"
    rules = resources_of_type(stack, "aws_security_group_rule")
    assert {r["type"] for r in rules.values()} == {"egress"}
    found = {(r["protocol"], r["from_port"], tuple(r.get("cidr_blocks") or ()) or r["source_security_group_id"])
             for r in rules.values()}
    if load_environment(env).lambda_genai.private_egress:   # the design's egress (tests/layers/test_to_be_part1.py)
        assert found == {("tcp", 443, "${" + NETWORK + ".vpce_security_group_id}"),
                         ("tcp", 3306, "${data.terraform_remote_state.database.outputs.security_group_id}")}
        return
    assert found == {
        ("tcp", 443, ("0.0.0.0/0",)), ("udp", 53, ("0.0.0.0/0",)), ("tcp", 53, ("0.0.0.0/0",)),
        ("tcp", 3306, (str(load_environment(env).network.vpc_cidr),)),
    }


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_log_group_is_the_functions_own(synthesized, env):
    stack = synthesized(env).stack(LAYER)
    logs = resource(stack, "aws_cloudwatch_log_group.genai_logs")
    assert logs["name"] == "/aws/lambda/" + resource(stack, FUNCTION)["function_name"]
    assert logs["retention_in_days"] == 14


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_remote_state_is_read_under_the_original_names_and_keys(synthesized, env):
    settings = load_environment(env)
    reads = synthesized(env).stack(LAYER)["data"]["terraform_remote_state"]
    assert {name: r["config"]["key"] for name, r in reads.items()} == {
        "network": f"{settings.environment}/01-network/terraform.tfstate",
        "database": f"{settings.environment}/03-database/terraform.tfstate",
    }


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_terraform_finds_the_package_in_the_stack_and_its_hash_matches(synthesized, env):
    synthesis = synthesized(env)
    function = resource(synthesis.stack(LAYER), FUNCTION)
    assert not function["filename"].startswith(("/", ".."))
    package = synthesis.stack_dir(LAYER) / function["filename"]
    data = package.read_bytes()
    assert function["source_code_hash"] == base64.b64encode(hashlib.sha256(data).digest()).decode()
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
    assert "lambda_function.py" in names and "sqlglot/__init__.py" in names
    assert fnmatch.fnmatch(function["filename"], "assets/genai_package/*/genai.zip")


def test_independent_syntheses_give_the_same_package(synthesized):
    """dev and seoul are synthesized separately in this session, from the same sources."""
    hashes = {env: resource(synthesized(env).stack(LAYER), FUNCTION)["source_code_hash"] for env in ("dev", "seoul")}
    files = {env: resource(synthesized(env).stack(LAYER), FUNCTION)["filename"] for env in ("dev", "seoul")}
    assert len(set(hashes.values())) == 1 and len(set(files.values())) == 1
