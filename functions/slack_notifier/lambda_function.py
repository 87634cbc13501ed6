"""The Slack notifier's Lambda entry point (`lambda_function.lambda_handler`).

Subscribed to the alerts SNS topic: every record that is a CloudWatch alarm notification (metric or
composite alarm; ALARM, OK or INSUFFICIENT_DATA) becomes one Slack message. A record that is not an
alarm, or does not parse, is logged and acknowledged; a Slack failure is retried within bounds
(`slack_post.py`) and logged at ERROR with its cause. The function never raises: a raised error
would make Lambda re-deliver the whole batch and repeat the messages already posted.

Settings (environment, none of them secret): `SLACK_WEBHOOK_ARN` (where the URL is kept, see
`webhook_secret.py`), `SLACK_CHANNEL`, `ENVIRONMENT`, `PROJECT_NAME`, and optionally
`SLACK_TIMEOUT_SECONDS`, `SLACK_MAX_ATTEMPTS`, `SLACK_BACKOFF_SECONDS`, `LOG_LEVEL`.
"""
from __future__ import annotations

import os
import time

import notifier_log as log
from alarm_message import NotAnAlarm, parse_record
from slack_format import slack_payload
from slack_post import RetryPolicy, post
from webhook_secret import WebhookUnavailable, forget, webhook_url

SAFETY_MARGIN_SECONDS = 1.0   # left to the runtime to log and return
GONE = (403, 404, 410)        # Slack's answers for a revoked webhook or an archived channel


def lambda_handler(event, context):
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        log.warning("skipped", reason="event has no Records list")
        return {"delivered": 0, "failed": 0, "skipped": 1}
    deadline = _deadline(context)
    policy = policy_from_environment()
    counts = {"delivered": 0, "failed": 0, "skipped": 0}
    for index, record in enumerate(records):
        try:
            counts[_notify(record, index, policy, deadline)] += 1
        except Exception as exc:  # noqa: BLE001 - one bad record must not lose the others
            log.error("failed", record=index, cause=type(exc).__name__)
            counts["failed"] += 1
    log.info("done", **counts)
    return counts


def _notify(record: object, index: int, policy: RetryPolicy, deadline: float | None) -> str:
    try:
        alarm = parse_record(record)
    except NotAnAlarm as exc:
        log.warning("skipped", record=index, reason=str(exc), message_id=_message_id(record))
        return "skipped"
    arn = os.environ.get("SLACK_WEBHOOK_ARN", "")
    if not arn:
        log.error("webhook_unavailable", record=index, alarm=alarm.name, cause="SLACK_WEBHOOK_ARN is not set")
        return "failed"
    try:
        url = webhook_url(arn)
    except WebhookUnavailable as exc:
        log.error("webhook_unavailable", record=index, alarm=alarm.name, cause=str(exc))
        return "failed"
    payload = slack_payload(alarm, environment=os.environ.get("ENVIRONMENT", ""),
                            project=os.environ.get("PROJECT_NAME", ""), channel=os.environ.get("SLACK_CHANNEL", ""))
    delivery = post(url, payload, policy, deadline=deadline)
    fields = dict(record=index, alarm=alarm.name, state=alarm.new_state, attempts=delivery.attempts,
                  status=delivery.status)
    if delivery.delivered:
        log.info("delivered", **fields)
        return "delivered"
    if delivery.status in GONE:
        forget()  # the next notification reads the secret again, in case it was rotated
    log.error("delivery_failed", **fields, reason=delivery.reason)
    return "failed"


def policy_from_environment() -> RetryPolicy:
    defaults = RetryPolicy()
    try:
        return RetryPolicy(
            max_attempts=int(os.environ.get("SLACK_MAX_ATTEMPTS", defaults.max_attempts)),
            timeout_seconds=float(os.environ.get("SLACK_TIMEOUT_SECONDS", defaults.timeout_seconds)),
            backoff_seconds=float(os.environ.get("SLACK_BACKOFF_SECONDS", defaults.backoff_seconds)),
        )
    except ValueError as exc:
        log.warning("settings_ignored", reason=str(exc))
        return defaults


def _deadline(context) -> float | None:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if not callable(remaining):
        return None
    return time.monotonic() + remaining() / 1000 - SAFETY_MARGIN_SECONDS


def _message_id(record: object) -> str:
    sns = record.get("Sns") if isinstance(record, dict) else None
    return str(sns.get("MessageId", ""))[:64] if isinstance(sns, dict) else ""
