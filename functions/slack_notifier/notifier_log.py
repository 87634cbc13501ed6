"""Structured logging for the notifier: one JSON object per line on stdout, as CloudWatch Logs keeps it.

Callers pass named fields: alarm names, states, counts, HTTP statuses, reasons and error types.
The webhook URL and the raw message text are deliberately never passed in.
"""
from __future__ import annotations

import json
import logging
import os
import sys

LOGGER_NAME = "petclinic.slack_notifier"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"level": record.levelname, "event": record.getMessage()}
        entry.update(getattr(record, "fields", {}))
        return json.dumps(entry, ensure_ascii=False, sort_keys=True, default=str)


class StdoutHandler(logging.Handler):
    """Writes to whatever `sys.stdout` is at the time of the call."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stdout.write(self.format(record) + "\n")
            sys.stdout.flush()
        except Exception:  # noqa: BLE001 - logging must never break a notification
            self.handleError(record)


def logger() -> logging.Logger:
    log = logging.getLogger(LOGGER_NAME)
    if not log.handlers:
        handler = StdoutHandler()
        handler.setFormatter(JsonFormatter())
        log.addHandler(handler)
        log.propagate = False  # the Lambda runtime's root handler would print it a second time
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    log.setLevel(level if level in LEVELS else "INFO")
    return log


def info(event: str, **fields: object) -> None:
    logger().info(event, extra={"fields": fields})


def warning(event: str, **fields: object) -> None:
    logger().warning(event, extra={"fields": fields})


def error(event: str, **fields: object) -> None:
    logger().error(event, extra={"fields": fields})
