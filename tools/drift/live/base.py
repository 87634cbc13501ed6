"""What every live reader shares: AWS clients with bounded timeouts, a retry with backoff on
throttling, and the errors a read ends in (missing, access denied, anything else)."""
from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

THROTTLING = frozenset({"Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded",
                        "TooManyRequestsException", "RequestThrottled", "RequestThrottledException", "SlowDown",
                        "ProvisionedThroughputExceededException", "PriorRequestNotComplete",
                        "EC2ThrottledException", "LimitExceededException"})
DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
                    "Forbidden", "UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken",
                    "AuthFailure", "UnauthorizedException"})
EXTRA_NOT_FOUND = frozenset({"WAFNonexistentItemException", "ResourceNotFound", "NoSuchEntity",
                             "InvalidParameterValue.NotFound", "NotFound", "404"})
ATTEMPTS = 5
GLOBAL_SERVICES = frozenset({"iam", "cloudfront", "route53"})


class Missing(Exception):
    """The object the state points at does not exist (any more)."""


class ReadError(Exception):
    """The object could not be read (access denied, endpoint down...): an error for this resource."""


def error_code(error: Exception) -> str:
    response = getattr(error, "response", None) or {}
    return str((response.get("Error") or {}).get("Code", ""))


def is_not_found(code: str) -> bool:
    return "NotFound" in code or code.startswith("NoSuch") or code in EXTRA_NOT_FOUND


Reader = Callable[["Aws", Mapping[str, Any]], dict[str, Any]]


@dataclass
class Aws:
    """boto3 clients for one region, created once per service and shared by the readers."""

    region: str
    profile: str | None = None
    endpoint_url: str | None = None
    timeout: float = 10.0
    sleep: Callable[[float], None] = time.sleep
    _clients: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def client(self, service: str):
        with self._lock:
            if service not in self._clients:
                from tools.drift.sessions import client

                region = "us-east-1" if service in GLOBAL_SERVICES else self.region
                # botocore's own retries are off: `call` retries throttling itself, with backoff.
                self._clients[service] = client(service, region, self.profile, self.endpoint_url, self.timeout,
                                                attempts=1)
            return self._clients[service]

    def call(self, service: str, operation: str, **arguments: Any) -> dict[str, Any]:
        """One API call; throttling retried with exponential backoff and jitter, a missing object
        raised as Missing, any other failure as ReadError with the service's own words."""
        from botocore.exceptions import BotoCoreError, ClientError

        client = self.client(service)
        for attempt in range(ATTEMPTS):
            try:
                return getattr(client, operation)(**arguments)
            except ClientError as error:
                code = error_code(error)
                if code in THROTTLING and attempt < ATTEMPTS - 1:
                    self.sleep(min(8.0, 0.2 * 2 ** attempt) * (0.5 + random.random()))
                    continue
                if is_not_found(code):
                    raise Missing(f"{service}:{operation}: {code}") from None
                message = (error.response.get("Error") or {}).get("Message", "")
                kind = "access denied" if code in DENIED else code or "error"
                raise ReadError(f"{service}:{operation}: {kind}{': ' + message if message else ''}") from None
            except BotoCoreError as error:
                raise ReadError(f"{service}:{operation}: {error}") from None
        raise ReadError(f"{service}:{operation}: still throttled after {ATTEMPTS} attempts")

    def pages(self, service: str, operation: str, key: str, **arguments: Any) -> list[Any]:
        """Every item of a paginated list call (following NextToken/Marker), each page retried."""
        items: list[Any] = []
        token_in, token_out = _token_names(service, operation)
        while True:
            page = self.call(service, operation, **arguments)
            items += page.get(key) or []
            token = page.get(token_out)
            if not token:
                return items
            arguments = {**arguments, token_in: token}


def _token_names(service: str, operation: str) -> tuple[str, str]:
    if service in ("iam",):
        return "Marker", "Marker"
    if service == "elbv2":
        return "Marker", "NextMarker"
    if service == "rds":
        return "Marker", "Marker"
    if service == "route53":
        return "Marker", "NextMarker"
    if service == "apigateway":
        return "position", "position"
    if service == "cloudfront":
        return "Marker", "NextMarker"
    if service == "resourcegroupstaggingapi":
        return "PaginationToken", "PaginationToken"
    return "NextToken", "NextToken"


def tags_of(items: list[Mapping[str, Any]] | None, key: str = "Key", value: str = "Value") -> dict[str, str]:
    return {t[key]: t[value] for t in items or []}


def first(items: list[Any] | None, what: str) -> Any:
    if not items:
        raise Missing(what)
    return items[0]


REGISTRY: dict[str, Reader] = {}


def reader(*types: str) -> Callable[[Reader], Reader]:
    def register(function: Reader) -> Reader:
        for rtype in types:
            REGISTRY[rtype] = function
        return function
    return register
