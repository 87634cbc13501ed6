"""Posting one JSON payload to a Slack incoming webhook, with bounded retries.

- 2xx: delivered.
- 5xx, a timeout or a broken connection: retried after a doubling back-off.
- 429: retried after the `Retry-After` seconds Slack asks for (capped; the back-off when absent).
- any other 4xx (400 invalid_payload, 403, 404 no_service, 410 channel archived): not retried, since
  sending the same request again cannot succeed.
At most `max_attempts` attempts, and none that would end past the caller's deadline (the Lambda
function's remaining time). The result says what happened; nothing here raises for a Slack error,
and the webhook URL (a secret) is never part of a result or a log line.
"""
from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

MAX_BODY = 200  # bytes of Slack's error text kept for the log ("invalid_payload", "no_service")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    timeout_seconds: float = 5.0
    backoff_seconds: float = 1.0
    max_retry_after_seconds: float = 10.0

    def __post_init__(self) -> None:
        if not 1 <= self.max_attempts <= 10:
            raise ValueError(f"max_attempts must be 1..10 (got {self.max_attempts})")
        if not 0 < self.timeout_seconds <= 30:
            raise ValueError(f"timeout_seconds must be in (0, 30] (got {self.timeout_seconds})")
        if self.backoff_seconds < 0 or self.max_retry_after_seconds < 0:
            raise ValueError("backoff_seconds and max_retry_after_seconds must not be negative")


@dataclass(frozen=True)
class Delivery:
    delivered: bool
    attempts: int
    status: int | None      # the last HTTP status; None when Slack never answered
    reason: str             # "ok", "http 500", "timeout", "rejected: http 400 invalid_payload", ...


@dataclass(frozen=True)
class _Answer:
    status: int | None
    detail: str
    retry_after: float | None = None


def post(url: str, payload: dict, policy: RetryPolicy = RetryPolicy(), *, deadline: float | None = None,
         clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> Delivery:
    """Deliver `payload`; `deadline` is a `clock()` value no attempt may run past."""
    # "replace": a lone surrogate (JSON's "\ud800" in an alarm text) becomes "?" instead of losing the alarm
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8", errors="replace")
    answer = _Answer(None, "not attempted")
    for attempt in range(1, policy.max_attempts + 1):
        answer = _attempt(url, body, policy.timeout_seconds)
        if answer.status is not None and 200 <= answer.status < 300:
            return Delivery(True, attempt, answer.status, "ok")
        if answer.status is not None and 400 <= answer.status < 500 and answer.status != 429:
            return Delivery(False, attempt, answer.status, f"rejected: {answer.detail}")
        if attempt == policy.max_attempts:
            break
        wait = _wait_before(attempt, answer, policy)
        if wait is None:
            return Delivery(False, attempt, answer.status,
                            f"{answer.detail}; Retry-After exceeds {policy.max_retry_after_seconds:g} s")
        if deadline is not None and clock() + wait + policy.timeout_seconds > deadline:
            return Delivery(False, attempt, answer.status, f"{answer.detail}; no time left for another attempt")
        sleep(wait)
    return Delivery(False, policy.max_attempts, answer.status,
                    f"{answer.detail}; gave up after {policy.max_attempts} attempts")


def _wait_before(attempt: int, answer: _Answer, policy: RetryPolicy) -> float | None:
    if answer.status == 429 and answer.retry_after is not None:
        return answer.retry_after if answer.retry_after <= policy.max_retry_after_seconds else None
    return policy.backoff_seconds * 2 ** (attempt - 1)


def _attempt(url: str, body: bytes, timeout: float) -> _Answer:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the webhook URL
            response.read(MAX_BODY)
            return _Answer(response.status, f"http {response.status}")
    except urllib.error.HTTPError as error:
        detail = _error_text(error)
        return _Answer(error.code, f"http {error.code}{' ' + detail if detail else ''}",
                       _retry_after(error.headers.get("Retry-After")) if error.code == 429 else None)
    except (TimeoutError, socket.timeout):
        return _Answer(None, "timeout")
    except urllib.error.URLError as error:
        if isinstance(error.reason, (TimeoutError, socket.timeout)):
            return _Answer(None, "timeout")
        return _Answer(None, f"connection failed: {type(error.reason).__name__}")
    except (ConnectionError, OSError) as error:
        return _Answer(None, f"connection failed: {type(error).__name__}")


def _error_text(error: urllib.error.HTTPError) -> str:
    try:
        text = error.read(MAX_BODY).decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - the status alone is enough to decide
        return ""
    return "".join(c for c in text if c.isprintable()).strip()[:MAX_BODY]


def _retry_after(value: str | None) -> float | None:
    """Slack sends whole seconds; an HTTP date or garbage counts as absent."""
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and seconds >= 0 else None
