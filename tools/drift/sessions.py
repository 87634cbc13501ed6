"""One boto3 session per profile for the whole run, and every client made from it under a lock:
a new session per client reloads the service models (about half a second each), and boto3 sessions
are not safe to share between threads while they make clients (the clients themselves are). A client
is made once per service, region, profile, endpoint and settings, and shared by every layer of the
run (making one costs ~12 ms; `drift --all` asks for the same few dozens in every layer)."""
from __future__ import annotations

import threading
from typing import Any

_lock = threading.Lock()
_sessions: dict[str | None, Any] = {}
_clients: dict[tuple, Any] = {}


def client(service: str, region: str, profile: str | None, endpoint_url: str | None, timeout: float,
           attempts: int) -> Any:
    import boto3
    from botocore.config import Config

    key = (service, region, profile, endpoint_url, timeout, attempts)
    with _lock:
        if key in _clients:
            return _clients[key]
        if profile not in _sessions:
            _sessions[profile] = boto3.session.Session(profile_name=profile) if profile else boto3.session.Session()
        config = Config(connect_timeout=timeout, read_timeout=timeout,
                        retries={"max_attempts": attempts, "mode": "standard"})
        made = _clients[key] = _sessions[profile].client(service, region_name=region, endpoint_url=endpoint_url,
                                                          config=config)
        return made
