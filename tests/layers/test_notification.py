"""Design properties of 12-notification, on the session's shared synthesis: alarms reach Slack through
the alerts topic (only CloudWatch of this account may publish), the webhook URL is nowhere in the
configuration, the notifier's role may read its one secret, and the package Terraform reads is the
deterministic zip of `functions/slack_notifier`. State keeping is `tests/test_state_kept.py`'s."""
from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from settings import load_environment
from tests.conftest import ENVIRONMENTS, REFERENCE_ENVIRONMENTS
from tests.helpers import addresses, moves, policy, ref, resource, resources_of_type

LAYER = "12-notification"
FUNCTION = "aws_lambda_function.slack_notifier"
ROLE = "aws_iam_role.slack_notifier_role"
SECRET = "aws_secretsmanager_secret.slack_notifier_webhook_secret"
TOPIC = "aws_sns_topic.alerts"
ORIGINAL = Path(__file__).resolve().parent.parent / "fixtures" / "original"
SOURCES = Path(__file__).resolve().parents[2] / "functions" / "slack_notifier"


@pytest.mark.parametrize("env", REFERENCE_ENVIRONMENTS)
def test_the_stack_holds_the_original_instances_and_only_the_secret_besides(synthesized, env):
    stack = synthesized(env).stack(LAYER)
    original = json.loads((ORIGINAL / env / f"{LAYER}.json").read_text())["instances"]
    moved = moves(stack)
    assert len(original) == 9 and {i["address"] for i in original} == set(moved)
    assert addresses(stack) - set(moved.values()) == {SECRET, "aws_iam_role_policy.slack_notifier_read_webhook_secret"}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_no_webhook_url_is_in_the_configuration(synthesized, env):
    text = (synthesized(env).stack_dir(LAYER) / "cdk.tf.json").read_text()
    assert "hooks.slack.com" not in text and "WEBHOOK_URL\"" not in text
    stack = json.loads(text)
    variables = resource(stack, FUNCTION)["environment"]["variables"]
    assert variables["SLACK_WEBHOOK_ARN"] == ref(SECRET, "arn")
    assert not [k for k in variables if "URL" in k.upper()]
    assert not resources_of_type(stack, "aws_secretsmanager_secret_version"), "the URL is put in by operators"


@pytest.mark.parametrize("env", REFERENCE_ENVIRONMENTS)
def test_the_functions_other_settings_keep_their_deployed_values(synthesized, env):
    """The accepted difference covers the whole environment block (the URL leaves it, the secret's ARN
    comes in); every other variable is the original plan's."""
    original = json.loads((ORIGINAL / env / f"{LAYER}.json").read_text())["instances"]
    (planned,) = [i for i in original if i["address"] == "module.notification.aws_lambda_function.slack_notifier"]
    was = dict(planned["values"]["environment"][0]["variables"])
    assert was.pop("SLACK_WEBHOOK_URL")
    variables = dict(resource(synthesized(env).stack(LAYER), FUNCTION)["environment"]["variables"])
    assert variables.pop("SLACK_WEBHOOK_ARN") == ref(SECRET, "arn")
    assert variables == was


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_role_may_read_the_one_secret_and_write_its_logs(synthesized, env):
    stack = synthesized(env).stack(LAYER)
    trust = policy(resource(stack, ROLE)["assume_role_policy"])
    assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "lambda.amazonaws.com"}]
    attachments = resources_of_type(stack, "aws_iam_role_policy_attachment")
    assert [a["policy_arn"] for a in attachments.values()] == [
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
    (inline,) = resources_of_type(stack, "aws_iam_role_policy").values()
    assert inline["role"] == ref(ROLE)
    assert policy(inline["policy"])["Statement"] == [{
        "Sid": "ReadTheWebhookSecret", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
        "Resource": [ref(SECRET, "arn")]}]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_only_cloudwatch_of_this_account_may_publish_and_the_notifier_is_subscribed(synthesized, env):
    stack = synthesized(env).stack(LAYER)
    (topic_policy,) = resources_of_type(stack, "aws_sns_topic_policy").values()
    (statement,) = policy(topic_policy["policy"])["Statement"]
    assert statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"} and statement["Action"] == "sns:Publish"
    assert statement["Resource"] == ref(TOPIC, "arn")
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "${data.aws_caller_identity.current.account_id}"}}
    (subscription,) = resources_of_type(stack, "aws_sns_topic_subscription").values()
    assert (subscription["protocol"], subscription["endpoint"], subscription["topic_arn"]) == (
        "lambda", ref(FUNCTION, "arn"), ref(TOPIC, "arn"))
    (permission,) = resources_of_type(stack, "aws_lambda_permission").values()
    assert permission["principal"] == "sns.amazonaws.com" and permission["source_arn"] == ref(TOPIC, "arn")
    assert subscription["depends_on"] == ["aws_lambda_permission.slack_notifier_sns_invoke"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_test_alarm_exists_where_the_original_made_it_and_notifies_the_topic(synthesized, env):
    alarms = resources_of_type(synthesized(env).stack(LAYER), "aws_cloudwatch_metric_alarm")
    assert bool(alarms) == (env in ("dev", "seoul"))
    for alarm in alarms.values():
        assert alarm["alarm_actions"] == [ref(TOPIC, "arn")] and alarm["treat_missing_data"] == "notBreaching"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_state_key_is_per_environment_and_default_tags_are_the_shared_map(synthesized, env):
    settings = load_environment(env)
    stack = synthesized(env).stack(LAYER)
    backend = stack["terraform"]["backend"]["s3"]
    assert backend["key"] == f"{settings.environment}/12-notification/terraform.tfstate"  # not layers/12-...
    assert backend["use_lockfile"] is True and backend["encrypt"] is True
    (provider,) = stack["provider"]["aws"]
    assert provider["default_tags"][0]["tags"] == settings.tags
    assert "data" not in stack or "terraform_remote_state" not in stack["data"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_terraform_finds_the_package_in_the_stack_and_it_holds_the_notifier(synthesized, env):
    synthesis = synthesized(env)
    function = resource(synthesis.stack(LAYER), FUNCTION)
    assert fnmatch.fnmatch(function["filename"], "assets/slack_notifier_package/*/slack_notifier.zip")
    data = (synthesis.stack_dir(LAYER) / function["filename"]).read_bytes()
    assert function["source_code_hash"] == base64.b64encode(hashlib.sha256(data).digest()).decode()
    with zipfile.ZipFile(synthesis.stack_dir(LAYER) / function["filename"]) as archive:
        assert sorted(archive.namelist()) == sorted(p.name for p in SOURCES.glob("*.py"))
    assert function["handler"] == "lambda_function.lambda_handler"
    assert function["timeout"] == 30 and function["runtime"] == "python3.11"


def test_two_syntheses_give_one_package_hash(synthesized):
    """dev and seoul are synthesized separately in this session, from the same sources."""
    functions = [resource(synthesized(env).stack(LAYER), FUNCTION) for env in ("dev", "seoul")]
    assert len({f["source_code_hash"] for f in functions}) == 1
    assert len({f["filename"] for f in functions}) == 1


def notifier_props(**environment: str):
    """Props of a function with a secret (as 12-notification gives its notifier), `environment` as its
    plain variables; the package is not read before the construct is built."""
    from modules.lambda_function import FunctionCode, FunctionRole, FunctionSecret, PackagedFunctionProps
    from modules.origin import Origin

    return PackagedFunctionProps(
        origin=Origin("module.notification"), function_name="petclinic-dev-slack-notifier", function_tags={},
        code=FunctionCode(package=None, handler="lambda_function.lambda_handler", runtime="python3.11", timeout=30),
        role=FunctionRole(id="role", name="petclinic-dev-slack-notifier-role", tags={}),
        log_retention_days=14, log_tags={},
        secret=FunctionSecret(id="webhook_secret", name="petclinic-dev-slack-notifier-webhook-url", description="d",
                              tags={}, variable="SLACK_WEBHOOK_ARN", policy_id="read", policy_name="read",
                              statement_id="Read", origin=Origin.new("test")),
        environment={"SLACK_CHANNEL": "#alerts", **environment})


@pytest.mark.parametrize("key", ["SLACK_WEBHOOK_URL", "slack_webhook_url", "WEBHOOK_URL"])
def test_the_construct_refuses_a_webhook_url_in_the_plain_environment(key):
    with pytest.raises(ValueError, match=f"environment: {key} would put a webhook URL"):
        notifier_props(**{key: "https://hooks.invalid/T000/B000/x"})


def test_the_construct_accepts_the_secrets_arn_and_plain_settings():
    props = notifier_props(SLACK_USERNAME="petclinic")
    assert "SLACK_WEBHOOK_URL" not in props.environment and props.secret is not None


def test_the_synthesis_check_refuses_a_webhook_url_written_into_a_function(synthesized, tmp_path):
    """The check reads the written JSON: a variable added past the construct (an override) is caught."""
    import shutil

    from synthesis.checks import no_webhook_url_in_function_environments

    stacks = tmp_path / "stacks"
    shutil.copytree(synthesized("dev").outdir / "stacks", stacks)
    assert no_webhook_url_in_function_environments(None, (), stacks) == []
    path = stacks / LAYER / "cdk.tf.json"
    data = json.loads(path.read_text())
    function = data["resource"]["aws_lambda_function"]["slack_notifier"]
    function["environment"]["variables"]["SLACK_WEBHOOK_URL"] = "https://hooks.invalid/T000/B000/x"
    path.write_text(json.dumps(data))
    (problem,) = no_webhook_url_in_function_environments(None, (), stacks)
    assert "12-notification: aws_lambda_function.slack_notifier has SLACK_WEBHOOK_URL" in problem
