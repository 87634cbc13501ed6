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
