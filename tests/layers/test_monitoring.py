"""Design properties of 10-monitoring (design document §9), on the session's shared synthesis: the
alarms the design asks for exist and notify someone, the dashboard shows what §9 lists, one row per
service, serialized in one stable form, and the audit trail is multi-region, encrypted with its own
key and written to a private bucket only it may write to. State keeping is `tests/test_state_kept.py`'s."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from settings import load_environment
from tests.conftest import ENVIRONMENTS, REFERENCE_ENVIRONMENTS
from tests.helpers import addresses, moves, policy, ref, resource, resources_of_type

LAYER = "10-monitoring"
APP = "data.terraform_remote_state.application.outputs"
TRAIL = "aws_cloudtrail.audit_trail"
BUCKET = "aws_s3_bucket.audit_trail_bucket"
KEY = "aws_kms_key.audit_trail_key"
LOGS = "aws_cloudwatch_log_group.audit_trail_logs"
ORIGINAL = Path(__file__).resolve().parent.parent / "fixtures" / "original"


def alarms(stack: dict) -> dict[str, dict]:
    return resources_of_type(stack, "aws_cloudwatch_metric_alarm")


def dashboard(stack: dict) -> dict:
    """The platform dashboard (with `monitoring.genai_metrics` the GenAI one stands beside it:
    tests/layers/test_to_be_monitoring.py)."""
    boards = resources_of_type(stack, "aws_cloudwatch_dashboard")
    assert set(boards) <= {"dashboard", "genai_dashboard"}
    return boards["dashboard"]


@pytest.mark.parametrize("env", REFERENCE_ENVIRONMENTS)
def test_the_stack_holds_exactly_the_resources_of_the_original_plan(synthesized, env):
    stack = synthesized(env).stack(LAYER)
    original = json.loads((ORIGINAL / env / f"{LAYER}.json").read_text())["instances"]
    moved = moves(stack)
    assert len(original) == 30 and {i["address"] for i in original} == set(moved)
    assert addresses(stack) == set(moved.values())


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_alarms_of_the_design_exist(synthesized, env):
    """§9.1: CPU 80 %, memory 80 %, Aurora connections; §9.2: API Gateway errors and latency, Lambda."""
    found = {(a["namespace"], a["metric_name"]): a for a in alarms(synthesized(env).stack(LAYER)).values()}
    assert found["AWS/ECS", "CPUUtilization"]["threshold"] == 80
    assert found["AWS/ECS", "MemoryUtilization"]["threshold"] == 80
    assert ("AWS/RDS", "DatabaseConnections") in found and ("AWS/RDS", "CPUUtilization") in found
    assert {("AWS/ApiGateway", "5XXError"), ("AWS/ApiGateway", "Latency"), ("AWS/Lambda", "Errors"),
            ("AWS/Lambda", "Duration")} <= set(found)
    # With `monitoring.genai_metrics` also the two throttle alarms (tests/layers/test_to_be_monitoring.py), with
    # `monitoring.p95_alarms` the two p95 ones (tests/layers/test_to_be_part3.py).
    settings = load_environment(env).monitoring
    assert len(alarms(synthesized(env).stack(LAYER))) == 11 + (2 if settings.genai_metrics else 0) + \
        (2 if settings.p95_alarms else 0)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_alarm_notifies_the_alerts_topic(synthesized, env):
    """The original gave these alarms the empty string as their action; they now reach 12's topic."""
    settings = load_environment(env)
    topic = f"arn:aws:sns:{settings.region}:${{data.aws_caller_identity.current.account_id}}:{settings.name_prefix}-alerts"
    for name, alarm in alarms(synthesized(env).stack(LAYER)).items():
        assert alarm["alarm_actions"] == [topic], name


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_dashboard_body_is_one_stable_serialization(synthesized, env):
    body = dashboard(synthesized(env).stack(LAYER))["dashboard_body"]
    assert body == json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_dashboard_is_the_same_in_two_syntheses_but_for_the_region(synthesized):
    bodies = {env: dashboard(synthesized(env).stack(LAYER))["dashboard_body"] for env in ("dev", "staging")}
    # Staging (to-be, `monitoring.watch_produced_names`) watches its own API and function.
    staging = bodies["staging"].replace('"ap-northeast-1"', '"R"').replace('"petclinic-staging-api"', '"petclinic-api"')
    staging = staging.replace('"petclinic-staging-genai-function"', '"petclinic-dev-genai-function"')
    assert load_environment("staging").monitoring.watch_produced_names and staging != bodies["staging"]
    assert bodies["dev"].replace('"us-west-2"', '"R"') == staging


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_dashboard_shows_what_the_design_lists_with_one_row_per_service(synthesized, env):
    settings = load_environment(env)
    widgets = json.loads(dashboard(synthesized(env).stack(LAYER))["dashboard_body"])["widgets"]
    assert [(w["x"], w["y"], w["width"], w["height"]) for w in widgets] == [
        (12 * (i % 2), 6 * (i // 2), 12, 6) for i in range(len(widgets))]
    assert {w["properties"]["region"] for w in widgets} == {settings.region}
    rows = [row for w in widgets for row in w["properties"]["metrics"]]
    metrics = {(row[0], row[1]) for row in rows if row[0] != "."} | {("AWS/ApiGateway", r[1]) for r in rows if r[0] == "."}
    assert {("AWS/ECS", "CPUUtilization"), ("AWS/ECS", "MemoryUtilization"), ("AWS/ApplicationELB", "RequestCount"),
            ("AWS/RDS", "DatabaseConnections"), ("AWS/RDS", "ReadLatency"), ("AWS/RDS", "WriteLatency"),
            ("AWS/ApiGateway", "Count"), ("AWS/ApiGateway", "Latency"), ("AWS/Lambda", "Duration"),
            ("AWS/Lambda", "ConcurrentExecutions")} <= metrics
    services = sorted(settings.cloud_map.services)
    cpu = next(w for w in widgets if w["properties"]["title"] == "ECS Services - CPU Utilization")
    assert [row[3] for row in cpu["properties"]["metrics"]] == [
        "${" + f"{APP}.ecs_services.{s}.service_name" + "}" for s in services]
    health = next(w for w in widgets if w["properties"]["title"] == "Target Groups - Health Status")
    assert len(health["properties"]["metrics"]) == 2 * len(services)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_trail_is_multi_region_encrypted_and_logs_to_cloudwatch(synthesized, env):
    stack = synthesized(env).stack(LAYER)
    trail = resource(stack, TRAIL)
    assert trail["is_multi_region_trail"] is True and trail["include_global_service_events"] is True
    assert trail["enable_logging"] is True and trail["kms_key_id"] == ref(KEY, "arn")
    assert trail["cloud_watch_logs_group_arn"] == ref(LOGS, "arn") + ":*"
    assert trail["depends_on"] == ["aws_s3_bucket_policy.audit_trail_bucket_policy"]
    (sse,) = resources_of_type(stack, "aws_s3_bucket_server_side_encryption_configuration").values()
    assert sse["rule"][0]["apply_server_side_encryption_by_default"] == {"sse_algorithm": "aws:kms",
                                                                          "kms_master_key_id": ref(KEY, "arn")}
    (block,) = resources_of_type(stack, "aws_s3_bucket_public_access_block").values()
    assert all(block[k] is True for k in ("block_public_acls", "block_public_policy", "ignore_public_acls",
                                           "restrict_public_buckets"))
    (versioning,) = resources_of_type(stack, "aws_s3_bucket_versioning").values()
    assert versioning["versioning_configuration"]["status"] == "Enabled"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_only_this_trail_may_write_to_the_bucket_and_its_role_only_to_its_log_group(synthesized, env):
    settings = load_environment(env)
    stack = synthesized(env).stack(LAYER)
    trail_arn = (f"arn:aws:cloudtrail:{settings.region}:${{data.aws_caller_identity.current.account_id}}:trail/"
                 f"{settings.name_prefix}-{settings.environment}-audit-trail")
    (bucket_policy,) = resources_of_type(stack, "aws_s3_bucket_policy").values()
    for statement in policy(bucket_policy["policy"])["Statement"]:
        assert statement["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
        assert statement["Condition"]["StringEquals"]["AWS:SourceArn"] == trail_arn
    role = resource(stack, "aws_iam_role.audit_trail_logs_role")
    assert [s["Principal"] for s in policy(role["assume_role_policy"])["Statement"]] == [
        {"Service": "cloudtrail.amazonaws.com"}]
    (statement,) = policy(resource(stack, "aws_iam_role_policy.audit_trail_logs_role_policy")["policy"])["Statement"]
    assert statement["Resource"] == ref(LOGS, "arn") + ":*"
    filters = resources_of_type(stack, "aws_cloudwatch_log_metric_filter")
    security = {n: f for n, f in filters.items() if n.startswith("security_")}
    assert len(security) == 3 and {f["log_group_name"] for f in security.values()} == {ref(LOGS, "name")}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_names_are_as_deployed_with_the_doubled_environment(synthesized, env):
    settings = load_environment(env)
    stack = synthesized(env).stack(LAYER)
    doubled = f"{settings.name_prefix}-{settings.environment}"
    assert dashboard(stack)["dashboard_name"] == f"{doubled}-Dashboard"
    assert resource(stack, TRAIL)["name"] == f"{doubled}-audit-trail"
    assert resource(stack, BUCKET)["bucket"] == f"{doubled}-cloudtrail-logs"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_reads_the_original_layers_states_by_their_original_names_and_keys(synthesized, env):
    """The inventory's five remote-state reads of the original 10-monitoring."""
    settings = load_environment(env)
    reads = synthesized(env).stack(LAYER)["data"]["terraform_remote_state"]
    assert {n: r["config"]["key"] for n, r in reads.items()} == {
        name: f"{settings.environment}/{layer}/terraform.tfstate" for name, layer in (
            ("network", "01-network"), ("security", "02-security"), ("database", "03-database"),
            ("application", "07-application"), ("aws_native", "09-aws-native"))
    }
