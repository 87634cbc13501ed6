"""The Slack message for one alarm: a one-line text (what notifications and search show) and an
attachment coloured by the new state, with the reason, the metric or rule, and a console link.

Incoming webhooks accept this shape as JSON; `channel` is only sent when configured (webhooks of
current Slack apps post to their own channel and ignore it). No I/O here.

Everything in an alarm notification is outside text (anyone who may create an alarm names it), so:
- `&`, `<` and `>` are escaped as `&amp;`, `&lt;`, `&gt;` in every text the payload shows, as Slack's
  "escaping text" rules ask: unescaped, `<!channel>` pings everyone and `<https://x|y>` is a link.
  The escaping is done once, on the finished payload (`escape_texts`), so no field can be forgotten.
- mrkdwn is off (`"mrkdwn": false`, no `mrkdwn_in`): `*`, `_`, `~` and backticks are shown as they
  are. Slack's mrkdwn has no escape character for them, and alarm names are full of `_`; with
  formatting off, a name reads exactly as in CloudWatch and can be copied from the message.
- The console link is built only from a region code that looks like one (`alarm_message`) and the
  URL-quoted alarm name, so it always points at the AWS console.
"""
from __future__ import annotations

from urllib.parse import quote

from alarm_message import Alarm

LOOK = {  # state -> (colour, emoji, words)
    "ALARM": ("#d62728", ":rotating_light:", "is in ALARM"),
    "OK": ("#2ca02c", ":white_check_mark:", "is OK again"),
    "INSUFFICIENT_DATA": ("#ff7f0e", ":grey_question:", "has insufficient data"),
}
# Payload keys whose values Slack does not read as message text (a URL, a colour, a channel name).
NOT_TEXT = frozenset({"color", "title_link", "channel", "mrkdwn", "short"})


def escape(text: str) -> str:
    """Slack's three control characters as HTML entities; `&` first, so no entity is escaped twice."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


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
    payload = {"text": f"{label}{alarm.name} {words}", "mrkdwn": False, "attachments": [attachment]}
    if channel:
        payload["channel"] = channel
    return escape_texts(payload)


def escape_texts(value: object, key: str = "") -> object:
    """A copy of a payload with `escape` applied to every string Slack shows as text."""
    if isinstance(value, dict):
        return {k: v if k in NOT_TEXT else escape_texts(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [escape_texts(v, key) for v in value]
    return escape(value) if isinstance(value, str) else value


def console_link(alarm: Alarm) -> str:
    if not alarm.region_code:
        return ""
    region = alarm.region_code
    return (f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
            f"#alarmsV2:alarm/{quote(alarm.name, safe='', errors='replace')}")


def _field(title: str, value: str, short: bool = False) -> dict:
    return {"title": title, "value": value, "short": short}
