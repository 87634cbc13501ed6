"""The Slack message for one alarm: a one-line text (what notifications and search show) and an
attachment coloured by the new state, with the reason, the metric or rule, and a console link.

Incoming webhooks accept this shape as JSON; `channel` is only sent when configured (webhooks of
current Slack apps post to their own channel and ignore it). No I/O here.
"""
from __future__ import annotations

from urllib.parse import quote

from alarm_message import Alarm

LOOK = {  # state -> (colour, emoji, words)
    "ALARM": ("#d62728", ":rotating_light:", "is in ALARM"),
    "OK": ("#2ca02c", ":white_check_mark:", "is OK again"),
    "INSUFFICIENT_DATA": ("#ff7f0e", ":grey_question:", "has insufficient data"),
}


def slack_payload(alarm: Alarm, *, environment: str, project: str, channel: str = "") -> dict:
    colour, emoji, words = LOOK[alarm.new_state]
    label = f"[{environment}] " if environment else ""
    fields = [
        _field("State", f"{alarm.old_state} -> {alarm.new_state}", short=True),
        _field("Region", alarm.region_code or alarm.region_name or "unknown", short=True),
    ]
    if alarm.composite:
        fields.append(_field("Rule", alarm.rule))
        if alarm.children:
            fields.append(_field("Triggered by", "\n".join(f"{c.name} ({c.state or 'unknown'})"
                                                           for c in alarm.children)))
    elif alarm.metric:
        fields.append(_field("Metric", alarm.metric, short=True))
        if alarm.condition:
            fields.append(_field("Condition", alarm.condition, short=True))
        if alarm.dimensions:
            fields.append(_field("Dimensions", ", ".join(f"{n}={v}" for n, v in alarm.dimensions)))
    if alarm.description:
        fields.append(_field("Description", alarm.description))
    if alarm.reason:
        fields.append(_field("Reason", alarm.reason))
    attachment = {
        "color": colour,
        "title": f"{emoji} {alarm.name} {words}",
        "fields": fields,
        "footer": " | ".join(p for p in (project, environment, alarm.changed_at) if p),
    }
    link = console_link(alarm)
    if link:
        attachment["title_link"] = link
    payload = {"text": f"{label}{alarm.name} {words}", "attachments": [attachment]}
    if channel:
        payload["channel"] = channel
    return payload


def console_link(alarm: Alarm) -> str:
    if not alarm.region_code:
        return ""
    region = alarm.region_code
    return (f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
            f"#alarmsV2:alarm/{quote(alarm.name, safe='')}")


def _field(title: str, value: str, short: bool = False) -> dict:
    return {"title": title, "value": value, "short": short}
