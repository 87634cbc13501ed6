"""Issue 37's switches (docs/monitoring-to-be.md), each way on the session's shared synthesis: dev
and seoul (as deployed, switch off) and staging and prod (to-be profile, switch on)."""
from __future__ import annotations

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
