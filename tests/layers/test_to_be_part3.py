"""Issue 37's last switches, each way on the session's shared synthesis: the p95 objective alarms
(monitoring.p95_alarms, A131), the stage named after the environment
(api_gateway.stage_named_for_environment, A46) and the cross-region backup copy of the Aurora
cluster (database.backup_copy_region, A79, set in prod only); and their settings refused with the
file and the field named."""
from __future__ import annotations

import json
import shutil

import pytest

from settings import ConfigError, load_environment
from tests.conftest import ROOT
from tests.helpers import ref, resource, resources_of_type

AS_DEPLOYED, TO_BE = ("dev", "seoul"), ("staging", "prod")


def alerts_topic(env: str) -> str:
    e = load_environment(env)
    return f"arn:aws:sns:{e.region}:${{data.aws_caller_identity.current.account_id}}:{e.name_prefix}-{e.notification.topic}"


def percentile_alarms(synthesized, env: str) -> list[dict]:
    return [a for layer in synthesized(env).layers()
            for a in resources_of_type(synthesized(env).stack(layer), "aws_cloudwatch_metric_alarm").values()
            if a.get("extended_statistic")]


# ---------------------------------------------------------------- A131: p95 objective


@pytest.mark.parametrize("env", TO_BE)
def test_p95_alarms_watch_the_alb_and_the_api_stage_08_makes_when_on(synthesized, env):
    e = load_environment(env)
    stack = synthesized(env).stack("10-monitoring")
    alarms = {(a["namespace"], a["metric_name"]): a for a in percentile_alarms(synthesized, env)}
    assert set(alarms) == {("AWS/ApplicationELB", "TargetResponseTime"), ("AWS/ApiGateway", "Latency")}
    alb, api = alarms[("AWS/ApplicationELB", "TargetResponseTime")], alarms[("AWS/ApiGateway", "Latency")]
    assert (alb["extended_statistic"], alb["threshold"], api["extended_statistic"], api["threshold"]) == ("p95", 0.5, "p95", 500)
    assert "statistic" not in alb and "statistic" not in api   # CloudWatch takes one or the other
    assert alb["dimensions"] == {"LoadBalancer": "${data.terraform_remote_state.application.outputs.alb_arn_suffix}"}
    # The API and stage that 08 really makes in this environment.
    made = synthesized(env).stack("08-api-gateway")
    (rest_api,) = resources_of_type(made, "aws_api_gateway_rest_api").values()
    (stage,) = resources_of_type(made, "aws_api_gateway_stage").values()
    assert api["dimensions"] == {"ApiName": rest_api["name"], "Stage": stage["stage_name"]}
    assert all(a["alarm_actions"] == [alerts_topic(env)] for a in (alb, api))
    assert all(a["evaluate_low_sample_count_percentiles"] == "ignore" for a in (alb, api))
    assert stack is not None and e.monitoring.p95_alarms


@pytest.mark.parametrize("env", AS_DEPLOYED)
def test_no_percentile_alarm_when_off(synthesized, env):
    assert percentile_alarms(synthesized, env) == []


# ---------------------------------------------------------------- A46: the stage's name

def stage_names(synthesized, env: str) -> dict[str, object]:
    """Every place that names the stage: the stage, what 08 writes beside it, CloudFront's origin path."""
    api = synthesized(env).stack("08-api-gateway")
    (stage,) = resources_of_type(api, "aws_api_gateway_stage").values()
    cdn = resource(synthesized(env).stack("11-frontend"), "aws_cloudfront_distribution.cdn")
    (api_origin,) = [o for o in cdn["origin"] if o.get("origin_path")]
    stage_dimensions = {a["dimensions"]["Stage"] for a in resources_of_type(api, "aws_cloudwatch_metric_alarm").values()
                        if "Stage" in (a.get("dimensions") or {})}
    return {"stage": stage["stage_name"], "origin_path": api_origin["origin_path"], "alarm_stages": stage_dimensions,
            "method_settings": {m["stage_name"] for m in resources_of_type(api, "aws_api_gateway_method_settings").values()},
            "dashboard_stages": {m[m.index("Stage") + 1] for d in resources_of_type(api, "aws_cloudwatch_dashboard").values()
                                 for w in json.loads(d["dashboard_body"])["widgets"]
                                 for m in (w.get("properties") or {}).get("metrics") or [] if "Stage" in m}}


@pytest.mark.parametrize("env", TO_BE)
def test_the_stage_is_named_after_the_environment_and_everything_follows_when_on(synthesized, env):
    label = load_environment(env).environment
    found = stage_names(synthesized, env)
    assert found["stage"] == label and found["origin_path"] == f"/{label}"
    assert found["alarm_stages"] == {label}
    assert found["method_settings"] == {ref("aws_api_gateway_stage.api_gateway_stage", "stage_name")}
    assert found["dashboard_stages"] == {label}
    groups = resources_of_type(synthesized(env).stack("08-api-gateway"), "aws_cloudwatch_log_group").values()
    execution = [g["name"] for g in groups if g["name"].startswith("API-Gateway-Execution-Logs_")]
    assert execution and all(n.endswith(f"/{label}") for n in execution)


@pytest.mark.parametrize("env", AS_DEPLOYED)
def test_the_deployed_stage_v1_stays_when_off(synthesized, env):
    found = stage_names(synthesized, env)
    assert (found["stage"], found["origin_path"]) == ("v1", "/v1")
    assert found["alarm_stages"] <= {"v1"} and found["dashboard_stages"] == {"v1"}


# ---------------------------------------------------------------- A79: cross-region backup copy

def test_prod_copies_the_clusters_backups_into_a_vault_of_its_second_region(synthesized):
    e = load_environment("prod")
    stack = synthesized("prod").stack("03-database")
    providers = {p.get("alias"): p["region"] for p in stack["provider"]["aws"]}
    assert providers == {None: e.region, "backup_copy": e.database.backup_copy_region} and e.database.backup_copy_region != e.region
    vaults = resources_of_type(stack, "aws_backup_vault")
    copy_vaults = [k for k, v in vaults.items() if v.get("provider") == "aws.backup_copy"]
    home_vaults = [k for k, v in vaults.items() if "provider" not in v]
    assert len(copy_vaults) == 1 and len(home_vaults) == 1
    # Each vault encrypts with a rotated customer managed key of its own region.
    keys = resources_of_type(stack, "aws_kms_key")
    for vault, provider in ((vaults[home_vaults[0]], None), (vaults[copy_vaults[0]], "aws.backup_copy")):
        key = keys[vault["kms_key_arn"].split(".")[1]]
        assert vault["kms_key_arn"].endswith(".arn}") and key.get("provider") == provider and key["enable_key_rotation"] is True
    (plan_key, plan), = resources_of_type(stack, "aws_backup_plan").items()
    (rule,) = plan["rule"]
    assert rule["target_vault_name"] == ref(f"aws_backup_vault.{home_vaults[0]}", "name")
    assert [c["destination_vault_arn"] for c in rule["copy_action"]] == [ref(f"aws_backup_vault.{copy_vaults[0]}", "arn")]
    assert rule["copy_action"][0]["lifecycle"]["delete_after"] == rule["lifecycle"]["delete_after"] == 35
    (selection,) = resources_of_type(stack, "aws_backup_selection").values()
    assert selection["resources"] == [ref("aws_rds_cluster.aurora", "arn")]
    assert selection["plan_id"] == ref(f"aws_backup_plan.{plan_key}")
    role_key = selection["iam_role_arn"].split(".")[1]
    role = resource(stack, f"aws_iam_role.{role_key}")
    assert json.loads(role["assume_role_policy"])["Statement"][0]["Principal"] == {"Service": "backup.amazonaws.com"}
    attached = {a["policy_arn"].rsplit("/", 1)[1] for a in resources_of_type(stack, "aws_iam_role_policy_attachment").values()
                if a["role"] == ref(f"aws_iam_role.{role_key}", "name")}
    assert attached == {"AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"}


@pytest.mark.parametrize("env", ("dev", "seoul", "staging"))
def test_no_backup_copy_where_the_environment_sets_no_region(synthesized, env):
    stack = synthesized(env).stack("03-database")
    assert not [t for t in stack["resource"] if t.startswith("aws_backup_")]
    assert all("alias" not in p for p in stack["provider"]["aws"])


# ---------------------------------------------------------------- settings refused, file and field named

BAD = [
    ("prod.toml", 'backup_copy_region = "ap-northeast-3"', 'backup_copy_region = "ap-northeast-1"', "prod",
     "prod.toml: database.backup_copy_region", "own region"),
    ("prod.toml", 'backup_copy_region = "ap-northeast-3"', 'backup_copy_region = "osaka"', "prod",
     "prod.toml: database.backup_copy_region", "pattern"),
    ("_defaults.toml", "api_p95_ms = 500", "api_p95_ms = 0", "dev", "dev.toml: monitoring.api_p95_ms", "greater than 0"),
    ("_defaults.toml", "stage_named_for_environment = false", 'stage_named_for_environment = "yes"', "dev",
     "dev.toml: api_gateway.stage_named_for_environment", "boolean"),
]


@pytest.mark.parametrize("file,old,new,env,field,words", BAD, ids=[c[4] + ":" + c[5] for c in BAD])
def test_bad_part3_settings_name_the_file_and_the_field(tmp_path, file, old, new, env, field, words):
    envs = tmp_path / "envs"
    shutil.copytree(ROOT / "envs", envs)
    path = envs / file
    assert old in path.read_text(), f"test setup: {old!r} not in {file}"
    path.write_text(path.read_text().replace(old, new, 1))
    with pytest.raises(ConfigError) as error:
        load_environment(env, envs)
    message = str(error.value)
    assert field in message and words in message and "\n" not in message, message
