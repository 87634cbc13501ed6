"""What the Slack notifier sends when alarm texts hold Slack's control characters.

Slack reads `<...>` in message text as a link or a mention (`<!channel>` pings everyone) and asks
that `&`, `<` and `>` be sent as `&amp;`, `&lt;`, `&gt;` (its "formatting text / escaping" page).
Every text of an alarm notification is outside text: the alarm's name, description and reason, the
region, the metric, its dimensions, a composite alarm's rule and children, the time stamp. mrkdwn is
turned off, so `*`, `_`, `~` and backticks arrive as they are (see docs/notifications.md).
"""
from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.functions.test_slack_notifier import (  # noqa: F401 - `slack` and `secret_store` are fixtures
    Context, alarm_message, give_secret, handler, record, secret_store, slack, slack_format)

HOSTILE_NAME = "x<script>&*_~`y"
BARE_AMPERSAND = re.compile(r"&(?!(amp|lt|gt);)")


def texts_of(payload: object, key: str = "") -> list[tuple[str, str]]:
    """(key, string) for every string in the payload that Slack shows as text."""
    if isinstance(payload, dict):
        return [t for k, v in payload.items() if k not in slack_format.NOT_TEXT for t in texts_of(v, k)]
    if isinstance(payload, list):
        return [t for v in payload for t in texts_of(v, key)]
    return [(key, payload)] if isinstance(payload, str) else []


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def assert_escaped(payload: dict) -> None:
    for key, text in texts_of(payload):
        assert "<" not in text and ">" not in text, (key, text)
        assert not BARE_AMPERSAND.search(text), (key, text)


def hostile_record(**overrides) -> dict:
    base = record("metric_alarm.json")
    message = json.loads(base["Sns"]["Message"])
    message.update(overrides)
    base["Sns"]["Message"] = json.dumps(message)
    return base


def test_a_hostile_alarm_name_reaches_slack_escaped_and_pings_nobody(slack, secret_store, monkeypatch):
    give_secret(secret_store, monkeypatch, slack.url)
    event = {"Records": [hostile_record(
        AlarmName=HOSTILE_NAME, AlarmDescription="<!channel> wake up & look",
        NewStateReason="see <https://example.invalid|the runbook> <@U0123>", Region="<!here>",
        Trigger={"MetricName": "<!everyone>", "Namespace": "A&B", "Statistic": "SUM",
                 "ComparisonOperator": "LessThanThreshold", "Threshold": 1, "Period": 60, "EvaluationPeriods": 1,
                 "Dimensions": [{"name": "Api<Name>", "value": "<#C0123>"}]},
        StateChangeTime="<!date^0^x|y>")]}
    assert handler.lambda_handler(event, Context()) == {"delivered": 1, "failed": 0, "skipped": 0}
    (_, payload), = slack.requests
    assert payload["text"] == "[dev] x&lt;script&gt;&amp;*_~`y is in ALARM"
    assert payload["mrkdwn"] is False and "mrkdwn_in" not in payload["attachments"][0]
    fields = {f["title"]: f["value"] for f in payload["attachments"][0]["fields"]}
    assert fields["Description"] == "&lt;!channel&gt; wake up &amp; look"
    assert fields["Reason"] == "see &lt;https://example.invalid|the runbook&gt; &lt;@U0123&gt;"
    assert fields["Metric"] == "A&amp;B &lt;!everyone&gt;" and fields["Condition"] == "Sum &lt; 1 for 1 x 60 s"
    assert fields["Dimensions"] == "Api&lt;Name&gt;=&lt;#C0123&gt;"
    assert_escaped(payload)
    body = json.dumps(payload)
    for mention in ("<!channel>", "<!here>", "<!everyone>", "<@U0123>", "<#C0123>", "<https://"):
        assert mention not in body


def test_an_alarm_text_that_is_not_valid_unicode_is_still_delivered(slack, secret_store, monkeypatch):
    give_secret(secret_store, monkeypatch, slack.url)
    event = {"Records": [hostile_record(AlarmName="cpu\ud800<high>", NewStateReason="x\udfff")]}
    assert handler.lambda_handler(event, Context()) == {"delivered": 1, "failed": 0, "skipped": 0}
    (_, payload), = slack.requests
    assert payload["text"] == "[dev] cpu?&lt;high&gt; is in ALARM"
    assert payload["attachments"][0]["title_link"].endswith("alarm/cpu%3F%3Chigh%3E")


def test_the_console_link_keeps_the_name_url_quoted_and_stays_on_the_console():
    alarm = alarm_message.parse_record(hostile_record(AlarmName=HOSTILE_NAME))
    link = slack_format.slack_payload(alarm, environment="dev", project="p")["attachments"][0]["title_link"]
    assert link.endswith("#alarmsV2:alarm/x%3Cscript%3E%26%2A_~%60y")


def test_a_region_slot_that_is_not_a_region_gives_no_link():
    arn = "arn:aws:cloudwatch:evil.example/x?:123456789012:alarm:a"
    alarm = alarm_message.parse_record(hostile_record(AlarmArn=arn, Region="US West (Oregon)"))
    payload = slack_format.slack_payload(alarm, environment="dev", project="p")
    assert alarm.region_code == "" and "title_link" not in payload["attachments"][0]
    assert {f["title"]: f["value"] for f in payload["attachments"][0]["fields"]}["Region"] == "US West (Oregon)"


def test_a_composite_alarms_rule_and_children_are_escaped():
    base = record("composite_alarm.json")
    message = json.loads(base["Sns"]["Message"])
    message["AlarmRule"] = 'ALARM("a<b>") OR ALARM("c&d")'
    message["TriggeringChildren"] = [{"Arn": "arn:aws:cloudwatch:us-west-2:1:alarm:<!channel>",
                                      "State": {"Value": "ALARM"}}]
    base["Sns"]["Message"] = json.dumps(message)
    payload = slack_format.slack_payload(alarm_message.parse_record(base), environment="dev", project="p")
    fields = {f["title"]: f["value"] for f in payload["attachments"][0]["fields"]}
    assert fields["Rule"] == 'ALARM("a&lt;b&gt;") OR ALARM("c&amp;d")'
    assert fields["Triggered by"] == "&lt;!channel&gt; (ALARM)"
    assert_escaped(payload)


def test_escaping_is_done_once_so_an_entity_in_the_name_is_shown_as_typed():
    assert slack_format.escape("&amp; <!channel>") == "&amp;amp; &lt;!channel&gt;"
    assert unescape(slack_format.escape("&lt;")) == "&lt;"


# ---------------------------------------------------------------------------- property
TEXT = st.text(alphabet=st.sampled_from("<>&!@#|*_~`:;aZ 0\n") | st.characters(), max_size=40)


@st.composite
def alarms(draw) -> alarm_message.Alarm:
    composite = draw(st.booleans())
    common = dict(
        name=draw(TEXT), new_state=draw(st.sampled_from(alarm_message.STATES)), old_state=draw(TEXT),
        reason=draw(TEXT), description=draw(TEXT), changed_at=draw(TEXT),
        region_code=draw(st.sampled_from(["", "us-west-2", "ap-northeast-2"])), region_name=draw(TEXT),
        account=draw(TEXT))
    if composite:
        return alarm_message.Alarm(**common, rule=draw(TEXT.filter(bool)), children=tuple(
            alarm_message.Child(draw(TEXT), draw(TEXT)) for _ in range(draw(st.integers(0, 3)))))
    return alarm_message.Alarm(**common, metric=draw(TEXT.filter(bool)), condition=draw(TEXT),
                               dimensions=tuple(draw(st.lists(st.tuples(TEXT, TEXT), max_size=3))))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(alarm=alarms(), environment=TEXT, project=TEXT)
def test_no_alarm_text_reaches_slack_as_a_control_character(alarm, environment, project):
    payload = slack_format.slack_payload(alarm, environment=environment, project=project, channel="#alerts")
    assert_escaped(payload)
    shown = "\n".join(unescape(text) for _, text in texts_of(payload))
    sent = [alarm.name, alarm.reason, alarm.description, alarm.region_code or alarm.region_name, alarm.changed_at]
    sent += [alarm.rule, *[c.name for c in alarm.children]] if alarm.composite else \
        [alarm.metric, alarm.condition, *[v for _, v in alarm.dimensions]]
    for text in sent:
        assert text in shown, "escaping loses nothing: unescaped, every text is there as sent"
    link = payload["attachments"][0].get("title_link", "")
    assert link == "" or re.fullmatch(r"https://[a-z0-9-]+\.console\.aws\.amazon\.com/cloudwatch/home\?region="
                                      r"[a-z0-9-]+#alarmsV2:alarm/[A-Za-z0-9%._~-]*", link)
