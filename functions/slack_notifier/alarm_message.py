"""What a CloudWatch alarm notification says, read from the SNS records Lambda receives.

CloudWatch publishes one JSON document per state change to the alarm's SNS topic; SNS hands it to
Lambda as the `Message` string of a record. Metric alarms carry a `Trigger` (metric, statistic,
threshold); composite alarms carry an `AlarmRule` and `TriggeringChildren` instead. `parse_record`
turns a record into an `Alarm`, or raises `NotAnAlarm` with a reason fit for a log line (never the
message text itself). No I/O here.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

STATES = ("ALARM", "OK", "INSUFFICIENT_DATA")
COMPARISONS = {
    "GreaterThanOrEqualToThreshold": ">=",
    "GreaterThanThreshold": ">",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
    "LessThanLowerOrGreaterThanUpperThreshold": "outside the band",
    "LessThanLowerThreshold": "below the band",
    "GreaterThanUpperThreshold": "above the band",
}
# An AWS region code ("us-west-2", "ap-northeast-2", "us-gov-west-1"): the console link is built from
# it, so anything else in the ARN's region slot (a host name, a path) is dropped, not linked to.
REGION_CODE = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]")
MAX_TEXT = 1500  # Slack truncates long attachment fields; keep reasons readable


class NotAnAlarm(ValueError):
    """The record is not a CloudWatch alarm notification; the message says why."""


@dataclass(frozen=True)
class Child:
    """One alarm that moved a composite alarm."""
    name: str
    state: str


@dataclass(frozen=True)
class Alarm:
    name: str
    new_state: str
    old_state: str
    reason: str
    description: str
    changed_at: str
    region_code: str          # from the alarm ARN ("us-west-2"); "" when the ARN is missing
    region_name: str          # as CloudWatch writes it ("US West (Oregon)")
    account: str
    metric: str = ""          # "AWS/ApiGateway 5XXError", metric alarms only
    condition: str = ""       # "Sum > 5.0 for 2 x 300 s"
    dimensions: tuple[tuple[str, str], ...] = ()
    rule: str = ""            # composite alarms only
    children: tuple[Child, ...] = field(default=())

    @property
    def composite(self) -> bool:
        return bool(self.rule)


def parse_record(record: object) -> Alarm:
    if not isinstance(record, dict):
        raise NotAnAlarm("record is not an object")
    source = record.get("EventSource") or record.get("eventSource")
    if source != "aws:sns":
        raise NotAnAlarm(f"event source is {_short(source)!r}, not aws:sns")
    sns = record.get("Sns")
    if not isinstance(sns, dict) or not isinstance(sns.get("Message"), str):
        raise NotAnAlarm("record has no SNS message text")
    try:
        message = json.loads(sns["Message"])
    except ValueError:
        raise NotAnAlarm("SNS message is not JSON") from None
    return parse_alarm(message)


def parse_alarm(message: object) -> Alarm:
    if not isinstance(message, dict) or not isinstance(message.get("AlarmName"), str):
        raise NotAnAlarm("message has no AlarmName")
    new_state = message.get("NewStateValue")
    if new_state not in STATES:
        raise NotAnAlarm(f"NewStateValue is {_short(new_state)!r}, not one of {', '.join(STATES)}")
    arn = _text(message.get("AlarmArn"))
    arn_parts = arn.split(":")
    alarm = dict(
        name=message["AlarmName"],
        new_state=new_state,
        old_state=_text(message.get("OldStateValue")) or "UNKNOWN",
        reason=_text(message.get("NewStateReason"))[:MAX_TEXT],
        description=_text(message.get("AlarmDescription"))[:MAX_TEXT],
        changed_at=_text(message.get("StateChangeTime")),
        region_code=_region_code(arn_parts) if arn.startswith("arn:") else "",
        region_name=_text(message.get("Region")),
        account=_text(message.get("AWSAccountId")),
    )
    if "AlarmRule" in message:
        return Alarm(**alarm, rule=_text(message.get("AlarmRule"))[:MAX_TEXT],
                     children=tuple(_children(message.get("TriggeringChildren"))))
    trigger = message.get("Trigger")
    if not isinstance(trigger, dict):
        return Alarm(**alarm)
    return Alarm(**alarm, metric=_metric(trigger), condition=_condition(trigger),
                 dimensions=tuple(_dimensions(trigger.get("Dimensions"))))


def _metric(trigger: dict) -> str:
    if trigger.get("MetricName"):
        return " ".join(p for p in (_text(trigger.get("Namespace")), _text(trigger.get("MetricName"))) if p)
    metrics = trigger.get("Metrics")  # metric-math alarms list their queries instead
    if isinstance(metrics, list):
        ids = [_text(m.get("Id")) for m in metrics if isinstance(m, dict) and m.get("ReturnData")]
        return f"expression {', '.join(i for i in ids if i)}".strip()
    return ""


def _condition(trigger: dict) -> str:
    statistic = _text(trigger.get("Statistic") or trigger.get("ExtendedStatistic")).capitalize()
    comparison = COMPARISONS.get(_text(trigger.get("ComparisonOperator")), _text(trigger.get("ComparisonOperator")))
    threshold = trigger.get("Threshold")
    text = " ".join(str(p) for p in (statistic, comparison, threshold if threshold is not None else "") if p != "")
    periods, period = trigger.get("EvaluationPeriods"), trigger.get("Period")
    if isinstance(periods, int) and isinstance(period, int):
        text += f" for {periods} x {period} s"
    return text.strip()


def _dimensions(dimensions: object) -> list[tuple[str, str]]:
    if not isinstance(dimensions, list):
        return []
    return [(_text(d.get("name")), _text(d.get("value"))) for d in dimensions
            if isinstance(d, dict) and d.get("name")]


def _children(children: object) -> list[Child]:
    if not isinstance(children, list):
        return []
    result = []
    for child in children:
        if not isinstance(child, dict):
            continue
        arn = _text(child.get("Arn"))
        state = child.get("State") if isinstance(child.get("State"), dict) else {}
        result.append(Child(arn.rsplit(":alarm:", 1)[-1] if ":alarm:" in arn else arn, _text(state.get("Value"))))
    return result


def _region_code(arn_parts: list[str]) -> str:
    region = arn_parts[3] if len(arn_parts) > 3 else ""
    return region if REGION_CODE.fullmatch(region) else ""


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _short(value: object) -> str:
    return _text(value)[:40]
