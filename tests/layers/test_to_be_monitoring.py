"""Issue 37's switches (docs/monitoring-to-be.md), each way on the session's shared synthesis: dev
and seoul (as deployed, switch off) and staging and prod (to-be profile, switch on)."""
from __future__ import annotations

import json

import pytest

from settings import load_environment
from tests.helpers import resources_of_type

AS_DEPLOYED, TO_BE = ("dev", "seoul"), ("staging", "prod")


def alerts_topic(env: str) -> str:
    e = load_environment(env)
    return f"arn:aws:sns:{e.region}:${{data.aws_caller_identity.current.account_id}}:{e.name_prefix}-{e.notification.topic}"


@pytest.mark.parametrize("env", TO_BE)
def test_every_application_alarm_notifies_the_alerts_topic_when_on(synthesized, env):
    alarms = resources_of_type(synthesized(env).stack("07-application"), "aws_cloudwatch_metric_alarm")
    assert alarms and all(alerts_topic(env) in a["alarm_actions"] for a in alarms.values())


@pytest.mark.parametrize("env", AS_DEPLOYED)
def test_application_alarms_notify_only_the_configured_topics_when_off(synthesized, env):
    alarms = resources_of_type(synthesized(env).stack("07-application"), "aws_cloudwatch_metric_alarm")
    configured = list(load_environment(env).application.alarm_actions)
    assert alarms and all(a["alarm_actions"] == configured for a in alarms.values())


def watched_names(synthesized, env: str) -> set[tuple[str, str]]:
    """(dimension, value) of every ApiName/FunctionName the alarms of 09 and 10 watch."""
    found = set()
    for layer in ("09-aws-native", "10-monitoring"):
        for a in resources_of_type(synthesized(env).stack(layer), "aws_cloudwatch_metric_alarm").values():
            # 09 reads the function's name from 06's state: real by construction, left out here.
            found |= {(k, v) for k, v in (a.get("dimensions") or {}).items()
                      if k in ("ApiName", "FunctionName") and not v.startswith("${data.terraform_remote_state")}
    return found


@pytest.mark.parametrize("env", TO_BE)
def test_alarms_watch_the_names_the_producing_layers_create_when_on(synthesized, env):
    prefix = load_environment(env).name_prefix
    api = resources_of_type(synthesized(env).stack("08-api-gateway"), "aws_api_gateway_rest_api")
    assert {a["name"] for a in api.values()} == {f"{prefix}-api"}
    assert watched_names(synthesized, env) == {("ApiName", f"{prefix}-api"), ("FunctionName", f"{prefix}-genai-function")}


@pytest.mark.parametrize("env", AS_DEPLOYED)
def test_alarms_watch_the_deployed_literals_when_off(synthesized, env):
    m = load_environment(env).monitoring
    assert ("ApiName", "petclinic-api") in watched_names(synthesized, env)
    assert ("FunctionName", m.watched_lambda_name) in watched_names(synthesized, env)


REPORT_COLD = ("REPORT RequestId: 3f1e Duration: 812.33 ms Billed Duration: 813 ms Memory Size: 512 MB "
               "Max Memory Used: 97 MB Init Duration: 402.11 ms")


@pytest.mark.parametrize("env", TO_BE)
def test_genai_path_is_watched_when_on(synthesized, env):
    s = synthesized(env).stack("10-monitoring")
    e = load_environment(env)
    function = f"{e.name_prefix}-genai-function"
    (cold,) = [f for f in resources_of_type(s, "aws_cloudwatch_log_metric_filter").values() if "Init" in f["pattern"]]
    assert cold["log_group_name"] == f"/aws/lambda/{function}"
    # The pattern's fields line up with a cold start's REPORT line: Init Duration is the 22nd word.
    fields = cold["pattern"].strip("[]").split(", ")
    words = REPORT_COLD.split(" ")
    assert fields.index("init_duration") == 21 and words[21] == "402.11" and fields[-1] == "..."
    assert cold["metric_transformation"]["value"] == "$init_duration"
    throttles = {(a["namespace"], a["metric_name"]): a for a in resources_of_type(s, "aws_cloudwatch_metric_alarm").values()
                 if "Throttles" in a["metric_name"]}
    assert throttles[("AWS/Lambda", "Throttles")]["dimensions"] == {"FunctionName": function}
    assert throttles[("AWS/Bedrock", "InvocationThrottles")]["dimensions"] == {"ModelId": e.lambda_genai.bedrock_model_id}
    assert all(a["alarm_actions"] for a in throttles.values())
    (logging,) = resources_of_type(s, "aws_bedrock_model_invocation_logging_configuration").values()
    assert logging["logging_config"][0]["cloudwatch_config"][0]["log_group_name"].startswith("${aws_cloudwatch_log_group.")


@pytest.mark.parametrize("env", AS_DEPLOYED)
def test_genai_path_is_not_watched_when_off(synthesized, env):
    s = synthesized(env).stack("10-monitoring")
    assert not resources_of_type(s, "aws_bedrock_model_invocation_logging_configuration")
    assert not [a for a in resources_of_type(s, "aws_cloudwatch_metric_alarm").values() if "Throttles" in a["metric_name"]]


@pytest.mark.parametrize("env", TO_BE)
def test_api_stage_writes_access_and_execution_logs_when_on(synthesized, env):
    s = synthesized(env).stack("08-api-gateway")
    (stage,) = resources_of_type(s, "aws_api_gateway_stage").values()
    (settings,) = resources_of_type(s, "aws_api_gateway_method_settings").values()
    groups = resources_of_type(s, "aws_cloudwatch_log_group")
    access = [k for k, g in groups.items() if g["name"] == f"/aws/apigateway/{load_environment(env).name_prefix}-api"]
    assert stage["access_log_settings"]["destination_arn"] == f"${{aws_cloudwatch_log_group.{access[0]}.arn}}"
    assert '"$context.requestId"' in stage["access_log_settings"]["format"]
    assert settings["settings"]["logging_level"] == "INFO"
    assert any(g["name"].startswith("API-Gateway-Execution-Logs_${aws_api_gateway_rest_api.") for g in groups.values())
    # Logging waits for the account's CloudWatch role where this environment makes it.
    owns_role = load_environment(env).api_gateway.account_cloudwatch_role
    assert bool(resources_of_type(s, "aws_api_gateway_account")) == owns_role
    assert any(d.startswith("aws_api_gateway_account.") for d in settings["depends_on"]) == owns_role


@pytest.mark.parametrize("env", AS_DEPLOYED)
def test_api_stage_logs_nothing_when_off(synthesized, env):
    s = synthesized(env).stack("08-api-gateway")
    (stage,) = resources_of_type(s, "aws_api_gateway_stage").values()
    (settings,) = resources_of_type(s, "aws_api_gateway_method_settings").values()
    assert "access_log_settings" not in stage and settings["settings"]["logging_level"] == "OFF"
    assert not resources_of_type(s, "aws_api_gateway_account")


def task_containers(synthesized, env: str) -> dict[str, list[dict]]:
    tasks = resources_of_type(synthesized(env).stack("07-application"), "aws_ecs_task_definition")
    return {k: json.loads(t["container_definitions"]) for k, t in tasks.items()}


@pytest.mark.parametrize("env", TO_BE)
def test_every_task_runs_the_xray_daemon_within_its_size_when_on(synthesized, env):
    tasks = resources_of_type(synthesized(env).stack("07-application"), "aws_ecs_task_definition")
    assert len(tasks) == 4
    for task in tasks.values():
        service, daemon = json.loads(task["container_definitions"])
        assert "aws-xray-daemon" in daemon["image"] and daemon["essential"] is False
        assert daemon["logConfiguration"]["options"]["awslogs-stream-prefix"] == "xray"
        assert daemon["portMappings"] == [{"containerPort": 2000, "hostPort": 2000, "protocol": "udp"}]
        # Fargate refuses containers asking more than the task has.
        assert service["memory"] + daemon["memory"] == int(task["memory"])
        assert service["cpu"] + daemon["cpu"] == int(task["cpu"])
        assert {"name": "AWS_XRAY_DAEMON_ADDRESS", "value": "localhost:2000"} in service["environment"]


@pytest.mark.parametrize("env", AS_DEPLOYED)
def test_tasks_run_one_container_when_off(synthesized, env):
    for containers in task_containers(synthesized, env).values():
        assert len(containers) == 1


@pytest.mark.parametrize("env", TO_BE)
def test_cloudfront_reads_the_bucket_through_an_origin_access_control_when_on(synthesized, env):
    s = synthesized(env).stack("11-frontend")
    assert not resources_of_type(s, "aws_cloudfront_origin_access_identity")
    (oac,) = resources_of_type(s, "aws_cloudfront_origin_access_control")
    (distribution,) = resources_of_type(s, "aws_cloudfront_distribution")
    origins = resources_of_type(s, "aws_cloudfront_distribution")[distribution]["origin"]
    (bucket_origin,) = [o for o in origins if o["origin_id"] != "API-Gateway"]
    assert bucket_origin["origin_access_control_id"] == f"${{aws_cloudfront_origin_access_control.{oac}.id}}"
    statement = json.loads(resources_of_type(s, "aws_s3_bucket_policy")["site_policy"]["policy"])["Statement"][0]
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"AWS:SourceArn": f"${{aws_cloudfront_distribution.{distribution}.arn}}"}}


@pytest.mark.parametrize("env", AS_DEPLOYED)
def test_cloudfront_reads_the_bucket_through_the_identity_when_off(synthesized, env):
    s = synthesized(env).stack("11-frontend")
    assert resources_of_type(s, "aws_cloudfront_origin_access_identity")
    assert not resources_of_type(s, "aws_cloudfront_origin_access_control")


@pytest.mark.parametrize("env", TO_BE)
def test_site_logs_go_to_a_log_bucket_that_admits_s3_logging_when_on(synthesized, env):
    s = synthesized(env).stack("11-frontend")
    (logging,) = resources_of_type(s, "aws_s3_bucket_logging").values()
    logs = [k for k, b in resources_of_type(s, "aws_s3_bucket").items() if b["bucket"].endswith("-logs")]
    assert logging["target_bucket"] == f"${{aws_s3_bucket.{logs[0]}.id}}" != logging["bucket"]
    (name, policy), = [(k, p) for k, p in resources_of_type(s, "aws_s3_bucket_policy").items() if logs[0] in p["bucket"]]
    # S3 refuses the logging until the policy admits the logging service: the logging waits for it.
    assert logging["depends_on"] == [f"aws_s3_bucket_policy.{name}"]
    (statement,) = json.loads(policy["policy"])["Statement"]
    site = f"arn:aws:s3:::{load_environment(env).name_prefix}-frontend-{env}"
    assert statement["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert statement["Condition"]["ArnLike"] == {"aws:SourceArn": site}
    (ownership,) = resources_of_type(s, "aws_s3_bucket_ownership_controls").values()
    assert ownership["rule"]["object_ownership"] == "BucketOwnerEnforced"


@pytest.mark.parametrize("env", AS_DEPLOYED)
def test_site_logs_into_itself_when_off(synthesized, env):
    (logging,) = resources_of_type(synthesized(env).stack("11-frontend"), "aws_s3_bucket_logging").values()
    assert logging["target_bucket"] == logging["bucket"]


def lambda_groups(stack: dict) -> list[str]:
    return [g["name"] for g in resources_of_type(stack, "aws_cloudwatch_log_group").values()
            if g["name"].startswith("/aws/lambda/")]


@pytest.mark.parametrize("env", TO_BE)
def test_monitoring_leaves_the_function_log_group_to_06_when_on(synthesized, env):
    assert lambda_groups(synthesized(env).stack("10-monitoring")) == []
    assert f"/aws/lambda/{load_environment(env).name_prefix}-genai-function" in lambda_groups(
        synthesized(env).stack("06-lambda-genai"))


@pytest.mark.parametrize("env", AS_DEPLOYED)
def test_monitoring_makes_the_duplicate_group_when_off(synthesized, env):
    assert lambda_groups(synthesized(env).stack("10-monitoring")) == [
        f"/aws/lambda/{load_environment(env).monitoring.watched_lambda_name}"]


def test_flipped_in_dev_the_state_forgets_the_group_without_destroying_it(tmp_path):
    from synthesis import synthesize
    dev = load_environment("dev", switch_values={"monitoring.lambda_log_group": False})
    synthesize(dev, tmp_path)
    folder = tmp_path / "stacks" / "10-monitoring"
    stack = json.loads((folder / "cdk.tf.json").read_text())
    assert lambda_groups(stack) == []
    text = "".join(p.read_text() for p in folder.glob("*.tf"))
    block = text[text.index("removed {"):text.index("}", text.index("destroy"))]
    assert "module.cloudwatch.aws_cloudwatch_log_group.lambda_genai" in block and "destroy = false" in block
