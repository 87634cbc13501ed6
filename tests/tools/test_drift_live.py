"""Live drift against a real local AWS (a moto server on 127.0.0.1, see conftest.py): the platform
built with boto3 and its states in a versioned S3 bucket report no drift; each change made behind
Terraform's back is reported as what it is, and a broken layer never hides the others."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.tools.conftest import closed_port, reset
from tests.tools.live_platform import PREFIX, SECRET_VALUE, build, prepare_stacks
from tools.drift.__main__ import main
from tools.drift.live.check import REGISTRY

# Readers the local AWS cannot exercise: moto has no CloudFront origin access identities or
# functions, and EC2 instances need an AMI the test server does not load.
NOT_IN_THE_LOCAL_AWS = {"aws_cloudfront_origin_access_identity", "aws_cloudfront_function", "aws_instance"}


@pytest.fixture(scope="module")
def stacks(synthesized, tmp_path_factory) -> Path:
    return prepare_stacks(synthesized("dev").outdir / "stacks", tmp_path_factory.mktemp("live") / "stacks")


@pytest.fixture
def platform(moto_endpoint, stacks):
    reset(moto_endpoint)
    return build(moto_endpoint, stacks)


def run(platform, *extra: str, state_endpoint: str | None = None, fmt: str = "json", capsys=None):
    args = ["live", "--all", "--stacks", str(platform.stacks), "--state", "s3",
            "--endpoint-url", state_endpoint or platform.endpoint, "--aws-endpoint-url", platform.endpoint,
            "--timeout", "2", "--format", fmt, *extra]
    code = main(args)
    out = capsys.readouterr().out
    return code, (json.loads(out) if fmt == "json" else out)


def layer(report: dict, name: str) -> dict:
    return next(item for item in report["layers"] if item["layer"] == name)


def findings(report: dict, kind: str) -> list[dict]:
    return [f for item in report["layers"] for f in item["findings"] if f["kind"] == kind]


def test_untouched_platform_has_no_drift(platform, capsys):
    code, report = run(platform, capsys=capsys)
    assert code == 0, [(item["layer"], item["verdict"]) for item in report["layers"] if item["exit_code"]]
    assert findings(report, "changed") == [] and findings(report, "missing") == []
    assert layer(report, "(unmanaged)")["findings"] == []
    checked = {f["type"] for f in findings(report, "ok")}
    assert checked == set(REGISTRY) - NOT_IN_THE_LOCAL_AWS, sorted(set(REGISTRY) ^ checked)


def test_type_without_reader_is_listed_as_not_checked(platform, capsys):
    _, report = run(platform, capsys=capsys)
    (entry,) = findings(report, "not_checked")
    assert entry["type"] == "null_resource" and "no live reader" in entry["message"]


def test_changed_security_group_rule(platform, capsys):
    platform.client("ec2").modify_security_group_rules(GroupId=platform.ids["ecs_sg"], SecurityGroupRules=[{
        "SecurityGroupRuleId": platform.ids["ecs_rule"], "SecurityGroupRule": {
            "IpProtocol": "tcp", "FromPort": 8081, "ToPort": 8081, "CidrIpv4": "10.0.0.0/16", "Description": "app port"}}])
    code, report = run(platform, capsys=capsys)
    assert code == 2
    (changed,) = findings(report, "changed")
    assert changed["address"] == "module.security_groups.aws_vpc_security_group_ingress_rule.ecs_in"
    assert {(c["attribute"], c["before"], c["after"]) for c in changed["changes"]} == {
        ("from_port", 8080, 8081), ("to_port", 8080, 8081)}
    assert layer(report, "02-security")["exit_code"] == 2 and layer(report, "01-network")["exit_code"] == 0


def test_deleted_subnet_is_missing(platform, capsys):
    second = platform.ids["subnets"].split(",")[1]
    platform.client("rds").delete_db_subnet_group(DBSubnetGroupName=f"{PREFIX}-aurora-subnet-group")
    platform.client("ec2").delete_subnet(SubnetId=second)
    code, report = run(platform, capsys=capsys)
    assert code == 2
    missing = {f["address"] for f in findings(report, "missing")}
    assert 'module.vpc.aws_subnet.public["1"]' in missing
    assert "module.aurora_cluster.aws_db_subnet_group.this" in missing


def test_changed_ecs_desired_count(platform, capsys):
    platform.client("ecs").update_service(cluster=f"{PREFIX}-cluster", service=f"{PREFIX}-customers", desiredCount=5)
    code, report = run(platform, capsys=capsys)
    assert code == 2
    (changed,) = findings(report, "changed")
    assert changed["type"] == "aws_ecs_service"
    assert [(c["attribute"], c["before"], c["after"]) for c in changed["changes"]] == [("desired_count", 2, 5)]


def test_ignore_file_hides_known_noise_but_counts_it(platform, capsys, tmp_path):
    platform.client("ecs").update_service(cluster=f"{PREFIX}-cluster", service=f"{PREFIX}-customers", desiredCount=5)
    rules = tmp_path / "driftignore"
    rules.write_text("type:aws_ecs_service  desired_count   # application autoscaling owns the task count\n")
    code, report = run(platform, "--ignore", str(rules), capsys=capsys)
    assert code == 0
    assert layer(report, "07-application")["counts"].get("ignored") == 1


def test_parameter_changed_behind_terraforms_back_and_no_value_is_read(platform, capsys):
    platform.client("ssm").put_parameter(Name="/petclinic/dev/db/password", Value="changed-by-hand", Type="SecureString",
                                         Overwrite=True)
    code, text = run(platform, fmt="text", capsys=capsys)
    assert code == 2
    assert "aws_ssm_parameter.environment_config[\"/petclinic/dev/db/password\"]" in text
    assert "version: 1 -> 2" in text
    assert SECRET_VALUE not in text and "changed-by-hand" not in text
    _, report = run(platform, capsys=capsys)
    assert SECRET_VALUE not in json.dumps(report) and "changed-by-hand" not in json.dumps(report)


def test_readers_never_ask_for_secret_or_parameter_values():
    sources = "".join(p.read_text() for p in (Path(__file__).parents[2] / "tools" / "drift" / "live").glob("*.py"))
    for operation in ("get_secret_value", '"get_parameter"', "get_parameters", "get_parameters_by_path"):
        assert operation not in sources


def test_unmanaged_security_group_in_the_vpc(platform, capsys):
    extra = platform.client("ec2").create_security_group(GroupName="hand-made", Description="made by hand",
                                                         VpcId=platform.ids["vpc"])["GroupId"]
    code, report = run(platform, capsys=capsys)
    assert code == 2
    (unmanaged,) = layer(report, "(unmanaged)")["findings"]
    assert unmanaged["address"] == f"aws_security_group:{extra}" and "hand-made" in unmanaged["message"]


def test_missing_state_object_is_that_layers_error_only(platform, capsys):
    backend = platform.backend("05-cloud-map")
    platform.client("s3").delete_object(Bucket=backend.bucket, Key=backend.key)
    code, report = run(platform, capsys=capsys)
    assert code == 1
    broken = layer(report, "05-cloud-map")
    assert broken["exit_code"] == 1 and f"no state object s3://{backend.bucket}/{backend.key}" in broken["error"]
    assert layer(report, "01-network")["exit_code"] == 0 and layer(report, "07-application")["exit_code"] == 0
    assert "05-cloud-map" in layer(report, "(unmanaged)")["error"]


def test_corrupt_state_is_that_layers_error_only(platform, capsys):
    backend = platform.backend("04-parameter-store")
    platform.client("s3").put_object(Bucket=backend.bucket, Key=backend.key, Body=b'{"version": 4, "resources": [')
    platform.client("ecs").update_service(cluster=f"{PREFIX}-cluster", service=f"{PREFIX}-customers", desiredCount=3)
    code, report = run(platform, capsys=capsys)
    assert code == 1
    assert "not valid JSON" in layer(report, "04-parameter-store")["error"]
    assert layer(report, "07-application")["exit_code"] == 2      # the drift elsewhere is still reported


def test_unreachable_endpoint_fails_every_layer_within_the_timeout(platform, capsys):
    start = time.monotonic()
    # every layer at once: each one's reads retry with backoff (seconds) before they give up
    code, report = run(platform, "--jobs", "16", state_endpoint=f"http://127.0.0.1:{closed_port()}", capsys=capsys)
    assert code == 1
    s3_layers = [item for item in report["layers"]
                 if item["layer"] != "(unmanaged)" and platform.backend(item["layer"]) is not None]
    assert s3_layers and all(item["exit_code"] == 1 and item["error"] for item in s3_layers)
    assert time.monotonic() - start < 60


def test_markdown_report_fits_a_pull_request_comment(platform, capsys):
    platform.client("ecs").update_service(cluster=f"{PREFIX}-cluster", service=f"{PREFIX}-customers", desiredCount=4)
    code, text = run(platform, fmt="markdown", capsys=capsys)
    assert code == 2
    assert text.startswith("### Drift (live): drift")
    assert "| `07-application` | 2 |" in text and "`desired_count`" in text


TAMPERING = {
    "alarm threshold": (lambda p: p.client("cloudwatch").put_metric_alarm(
        AlarmName=f"{PREFIX}-customers-cpu-high", ComparisonOperator="GreaterThanThreshold", EvaluationPeriods=2,
        MetricName="CPUUtilization", Namespace="AWS/ECS", Period=300, Statistic="Average", Threshold=95.0),
        "changed", "aws_cloudwatch_metric_alarm", "threshold"),
    "public access opened": (lambda p: p.client("s3").put_public_access_block(
        Bucket=f"{PREFIX}-cloudtrail-logs", PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "BlockPublicPolicy": False, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}),
        "changed", "aws_s3_bucket_public_access_block", "block_public_policy"),
    "log retention": (lambda p: p.client("logs").put_retention_policy(
        logGroupName=f"/aws/lambda/{PREFIX}-genai", retentionInDays=1), "changed", "aws_cloudwatch_log_group",
        "retention_in_days"),
    "lambda memory": (lambda p: p.client("lambda").update_function_configuration(
        FunctionName=f"{PREFIX}-genai", MemorySize=1024), "changed", "aws_lambda_function", "memory_size"),
    "topic deleted": (lambda p: p.client("sns").delete_topic(
        TopicArn=p.client("sns").list_topics()["Topics"][0]["TopicArn"]), "missing",
        "aws_sns_topic aws_sns_topic_policy aws_sns_topic_subscription", None),   # its policy and subscriptions go with it
    "waf detached": (lambda p: p.client("wafv2").disassociate_web_acl(
        ResourceArn=p.client("elbv2").describe_load_balancers()["LoadBalancers"][0]["LoadBalancerArn"]),
        "missing", "aws_wafv2_web_acl_association", None),
    "key scheduled for deletion": (lambda p: p.client("kms").schedule_key_deletion(
        KeyId=next(a["TargetKeyId"] for a in p.client("kms").list_aliases()["Aliases"] if a["AliasName"].endswith("cloudtrail")),
        PendingWindowInDays=7), "missing", "aws_kms_key", None),
    "autoscaling maximum": (lambda p: p.client("application-autoscaling").register_scalable_target(
        ServiceNamespace="ecs", ResourceId=f"service/{PREFIX}-cluster/{PREFIX}-customers",
        ScalableDimension="ecs:service:DesiredCount", MinCapacity=1, MaxCapacity=10),
        "changed", "aws_appautoscaling_target", "max_capacity"),
}


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_later_layer_resources_changed_or_gone(platform, capsys, case):
    tamper, kind, rtype, attribute = TAMPERING[case]
    tamper(platform)
    code, report = run(platform, capsys=capsys)
    drifted = [f for item in report["layers"] for f in item["findings"] if f["kind"] not in ("ok", "not_checked")]
    assert code == 2 and sorted((f["kind"], f["type"]) for f in drifted) == [(kind, t) for t in rtype.split()]
    if attribute:
        assert [c["attribute"] for c in drifted[0]["changes"]] == [attribute]


def test_config_mode_reads_each_layers_state_from_its_s3_backend(platform, capsys):
    code = main(["config", "--all", "--stacks", str(platform.stacks), "--state", "s3", "--endpoint-url",
                 platform.endpoint, "--timeout", "2", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    for item in report["layers"]:
        backend = platform.backend(item["layer"])
        assert item["error"] is None, item
        if backend is None:   # 00-bootstrap keeps a local state, next to the output folder
            assert item["source"].endswith("bootstrap-state/dev/terraform.tfstate")
        else:
            assert item["source"] == f"s3://{backend.bucket}/{backend.key}"
    assert code == 2     # the small test platform is not what the stacks configure


def test_unmanaged_resources_found_by_name_and_by_tags(platform, capsys):
    platform.client("iam").create_role(RoleName=f"{PREFIX}-hand-made-role", AssumeRolePolicyDocument="{}")
    tagged = platform.client("sns").create_topic(Name="ops-scratch", Tags=[
        {"Key": "Project", "Value": "petclinic"}, {"Key": "Environment", "Value": "dev"}])["TopicArn"]
    code, report = run(platform, capsys=capsys)
    unmanaged = {f["address"]: f["message"] for f in layer(report, "(unmanaged)")["findings"]}
    assert code == 2
    assert unmanaged == {f"aws_iam_role:{PREFIX}-hand-made-role": f"name starts with {PREFIX}-; in no layer's state",
                         f"aws_sns_topic:{tagged}": "tagged Project=petclinic, Environment=dev; in no layer's state"}
