"""The AWS clients of the assistant, made on first use (never at import time) and reused while the
Lambda execution environment lives, each with bounded retries and timeouts that fit inside the API
Gateway integration timeout (29 s).

Holds no calls of its own; `bedrock.py` and `data_api.py` use these clients.
"""
from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

# `total_max_attempts` counts the first call (botocore's `max_attempts` would count retries only).
# Bedrock: none in botocore; `bedrock.py` retries throttling and server errors itself (bounded by
# `bedrock.RETRY`, logged, tested), and two layers of retries would multiply the attempts.
# Data API: none. A read timeout does not stop the statement on the cluster, so a retry would run a
# heavy statement twice; the statement's own time cap (`sql_guard.TIME_CAP_MS`, below the read
# timeout) makes the server give up first.
ATTEMPTS = {"bedrock-runtime": 1, "rds-data": 1}
CONFIGS = {
    "bedrock-runtime": Config(connect_timeout=3, read_timeout=20,
                              retries={"total_max_attempts": ATTEMPTS["bedrock-runtime"], "mode": "standard"}),
    "rds-data": Config(connect_timeout=3, read_timeout=10,
                       retries={"total_max_attempts": ATTEMPTS["rds-data"], "mode": "standard"}),
}

_clients: dict[str, Any] = {}


def client(service: str) -> Any:
    if service not in _clients:
        _clients[service] = boto3.client(service, config=CONFIGS[service])
    return _clients[service]


def reset() -> None:
    """Forget the clients (tests, or a change of credentials)."""
    _clients.clear()
