"""Design properties of 04-parameter-store, on the session's shared synthesis."""
from __future__ import annotations

import json

import pytest

from settings import load_environment
from tests.conftest import ENVIRONMENTS, REFERENCE_ENVIRONMENTS
from tests.helpers import policy, resource, resources_of_type

LAYER = "04-parameter-store"
DATABASE = "data.terraform_remote_state.database.outputs"


def parameters(synthesized, env: str) -> dict[str, dict]:
    return resources_of_type(synthesized(env).stack(LAYER), "aws_ssm_parameter")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_parameter_sits_under_its_environments_root(synthesized, env):
    settings = load_environment(env)
    root = settings.parameter_store.name_root
    for config in parameters(synthesized, env).values():
        name = config["name"]
        assert name.startswith(f"{root}/common/") or name.startswith(f"{root}/{settings.environment}/"), name


@pytest.mark.parametrize("env", REFERENCE_ENVIRONMENTS)  # as deployed; the to-be side: tests/layers/test_to_be_part2.py
def test_the_hierarchy_has_common_keys_service_ports_and_database_connection(synthesized, env):
    settings = load_environment(env)
    root, label = settings.parameter_store.name_root, settings.environment
    names = {c["name"]: c["value"] for c in parameters(synthesized, env).values()}
    assert names[f"{root}/common/spring.profiles.active"] == "mysql,aws"
    assert names[f"{root}/common/logging.level.root"] == "INFO"
    for service in ("customers", "vets", "visits", "admin"):
        assert names[f"{root}/{label}/{service}/server.port"].isdigit()
    assert names[f"{root}/{label}/db/username"] == "petclinic"
    # As deployed TLS is off in the URL; the to-be profile requires it (parameter_store.jdbc_tls).
    options = "sslMode=REQUIRED" if settings.parameter_store.jdbc_tls else "useSSL=false&allowPublicKeyRetrieval=true"
    assert names[f"{root}/{label}/db/url"] == (
        "jdbc:mysql://${" + DATABASE + ".cluster_endpoint}:3306/petclinic?" + options)
    assert len(names) == 9


@pytest.mark.parametrize("env,admin_port", [("dev", "9090"), ("seoul", "8080")])
def test_admin_port_is_as_deployed_per_tree(synthesized, env, admin_port):
    settings = load_environment(env)
    name = f"{settings.parameter_store.name_root}/{settings.environment}/admin/server.port"
    assert {c["name"]: c["value"] for c in parameters(synthesized, env).values()}[name] == admin_port


@pytest.mark.parametrize("env", REFERENCE_ENVIRONMENTS)  # as deployed; the to-be side: tests/layers/test_to_be_part2.py
def test_parameters_are_plain_standard_strings_and_the_secret_one_holds_only_the_secret_arn(synthesized, env):
    for config in parameters(synthesized, env).values():
        assert config["type"] == "String"
        assert config.get("tier") in (None, "Standard")
        assert "key_id" not in config
    secret = resource(synthesized(env).stack(LAYER), "aws_ssm_parameter.parameters_db_secrets_manager_name")
    assert secret["name"].endswith("/db/secrets-manager-name")
    assert secret["value"] == "${" + DATABASE + ".master_user_secret_name}"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_read_policy_grants_only_reads_under_the_read_prefix_in_the_region(synthesized, env):
    settings = load_environment(env)
    doc = policy(resource(synthesized(env).stack(LAYER), "aws_iam_policy.parameters_read_policy")["policy"])
    statements = {tuple(s["Action"]): s["Resource"] for s in doc["Statement"]}
    assert statements == {
        ("ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"):
            [f"arn:aws:ssm:{settings.region}:*:parameter{settings.parameter_store.read_prefix}/*"],
        ("kms:Decrypt",): [f"arn:aws:kms:{settings.region}:*:alias/aws/ssm"],
    }
    assert all(s["Effect"] == "Allow" for s in doc["Statement"])


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_database_values_come_from_the_database_layers_state(synthesized, env):
    remote = synthesized(env).stack(LAYER)["data"]["terraform_remote_state"]
    assert list(remote) == ["database"]
    assert remote["database"]["config"]["key"] == f"{load_environment(env).environment}/03-database/terraform.tfstate"


@pytest.mark.parametrize("env", ["dev", "seoul"])
def test_outputs_keep_the_original_meaning(synthesized, env):
    outputs = synthesized(env).stack(LAYER)["output"]
    assert outputs["parameter_count"]["value"] == 9
    assert outputs["parameter_prefix"]["value"] == load_environment(env).parameter_store.read_prefix
    assert outputs["aurora_endpoint"]["sensitive"] is True
    assert json.dumps(outputs["migration_summary"]["value"]["config_server_replaced"]) == "true"
