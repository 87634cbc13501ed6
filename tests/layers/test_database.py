"""Design properties of 03-database, on the session's shared synthesis. State keeping (moves,
identity values, outputs) is checked for every layer by `tests/test_state_kept.py`."""
from __future__ import annotations

import pytest

from settings import load_environment
from tests.conftest import ENVIRONMENTS
from tests.helpers import moves, ref, removed, resource, resources_of_type

LAYER = "03-database"
CLUSTER = "aws_rds_cluster.aurora"
NETWORK = "data.terraform_remote_state.network.outputs"
SECURITY = "data.terraform_remote_state.security.outputs"


def cluster(synthesized, env: str) -> dict:
    return resource(synthesized(env).stack(LAYER), CLUSTER)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_cluster_storage_is_encrypted(synthesized, env):
    assert cluster(synthesized, env)["storage_encrypted"] is True


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_cluster_sits_in_the_private_db_subnets_only(synthesized, env):
    stack = synthesized(env).stack(LAYER)
    group = resource(stack, "aws_db_subnet_group.aurora_subnet_group")
    assert group["subnet_ids"] == "${values(" + NETWORK + ".private_db_subnet_ids)}"
    assert cluster(synthesized, env)["db_subnet_group_name"] == ref("aws_db_subnet_group.aurora_subnet_group", "name")
    network = stack["data"]["terraform_remote_state"]["network"]["config"]
    assert network["key"] == f"{load_environment(env).environment}/01-network/terraform.tfstate"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_cluster_is_reachable_only_through_the_aurora_security_group(synthesized, env):
    stack = synthesized(env).stack(LAYER)
    assert cluster(synthesized, env)["vpc_security_group_ids"] == ["${" + SECURITY + ".aurora_security_group_id}"]
    for instance in resources_of_type(stack, "aws_rds_cluster_instance").values():
        assert instance.get("publicly_accessible") in (None, False)
    security = stack["data"]["terraform_remote_state"]["security"]["config"]
    assert security["key"] == f"{load_environment(env).environment}/02-security/terraform.tfstate"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_backups_are_kept_seven_days_in_the_three_to_four_utc_window(synthesized, env):
    config = cluster(synthesized, env)
    assert config["backup_retention_period"] == 7
    assert config["preferred_backup_window"] == "03:00-04:00"
    assert config["preferred_maintenance_window"] == "sun:04:00-sun:05:00"


@pytest.mark.parametrize("env", [e for e in ENVIRONMENTS if e != "prod"])
def test_capacity_is_half_to_one_acu_outside_prod_without_deletion_protection(synthesized, env):
    config = cluster(synthesized, env)
    assert config["serverlessv2_scaling_configuration"] == {"min_capacity": 0.5, "max_capacity": 1}
    assert config["deletion_protection"] is False


def test_prod_has_a_larger_capacity_range_and_deletion_protection(synthesized):
    config = cluster(synthesized, "prod")
    scaling = config["serverlessv2_scaling_configuration"]
    assert scaling["min_capacity"] >= 1 and scaling["max_capacity"] > 1
    assert config["deletion_protection"] is True


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_master_password_is_managed_by_rds_and_never_an_input(synthesized, env):
    config = cluster(synthesized, env)
    assert config["manage_master_user_password"] is True
    assert not {k for k in config if k.startswith("master_password")}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_data_api_is_the_clusters_own_argument_and_the_null_resource_leaves_without_destroy(synthesized, env):
    stack = synthesized(env).stack(LAYER)
    assert cluster(synthesized, env)["enable_http_endpoint"] is True
    assert "null_resource" not in stack["resource"]
    assert removed(stack) == ["module.aurora_cluster.null_resource.enable_data_api"]
    assert all(r["lifecycle"] == {"destroy": False} for r in stack["removed"])


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_final_snapshot_is_still_taken_under_a_stable_name(synthesized, env):
    config = cluster(synthesized, env)
    assert config["skip_final_snapshot"] is False
    assert config["final_snapshot_identifier"] == f"{load_environment(env).name_prefix}-aurora-final"
    assert "timestamp(" not in str(synthesized(env).stack(LAYER))


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_one_writer_and_one_reader_with_performance_insights_and_enhanced_monitoring(synthesized, env):
    stack = synthesized(env).stack(LAYER)
    instances = resources_of_type(stack, "aws_rds_cluster_instance")
    assert sorted(instances) == ["aurora_reader", "aurora_writer"]
    for instance in instances.values():
        assert instance["cluster_identifier"] == ref(CLUSTER)
        assert instance["instance_class"] == "db.serverless"
        assert instance["performance_insights_enabled"] is True
        assert instance["performance_insights_retention_period"] == 7
        assert instance["monitoring_interval"] == 60
        assert instance["monitoring_role_arn"] == ref("aws_iam_role.aurora_monitoring_role", "arn")
    role = resource(stack, "aws_iam_role.aurora_monitoring_role")
    assert "monitoring.rds.amazonaws.com" in role["assume_role_policy"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_outputs_that_reveal_credentials_or_endpoints_together_are_sensitive(synthesized, env):
    outputs = synthesized(env).stack(LAYER)["output"]
    for name in ("master_username", "master_user_secret_name", "connection_info", "database_summary"):
        assert outputs[name].get("sensitive") is True, name
    assert outputs["master_user_secret_name"]["value"] == ref(CLUSTER, "master_user_secret[0].secret_arn")


@pytest.mark.parametrize("env", ["dev", "seoul"])
def test_every_original_instance_is_moved_out_of_the_module(synthesized, env):
    assert set(moves(synthesized(env).stack(LAYER))) == {
        "module.aurora_cluster.aws_db_subnet_group.this",
        "module.aurora_cluster.aws_rds_cluster.this",
        "module.aurora_cluster.aws_rds_cluster_instance.writer",
        "module.aurora_cluster.aws_rds_cluster_instance.reader",
        "module.aurora_cluster.aws_iam_role.enhanced_monitoring[0]",
        "module.aurora_cluster.aws_iam_role_policy_attachment.enhanced_monitoring[0]",
    }
