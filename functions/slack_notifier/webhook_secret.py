"""The Slack webhook URL, read at run time from where the operators keep it: a Secrets Manager
secret or an SSM SecureString parameter, named by its ARN in `SLACK_WEBHOOK_ARN`.

The URL is a credential (whoever holds it can post to the channel), so it is never in the
function's environment, the Terraform configuration or a log line. It is cached for a few minutes
while the execution environment lives, so a rotated value is picked up without a redeploy;
`forget()` drops it at once (after Slack says the webhook is gone).
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

CACHE_SECONDS = 300
CLIENT_CONFIG = Config(connect_timeout=3, read_timeout=5, retries={"max_attempts": 3, "mode": "standard"})
JSON_KEYS = ("webhook_url", "url")  # a JSON secret may hold the URL under one of these keys


class WebhookUnavailable(Exception):
    """The URL could not be read; the message names the cause, never the value."""


_cache: dict[str, tuple[float, str]] = {}
_clients: dict[str, Any] = {}


def webhook_url(arn: str, *, clock: Callable[[], float] = time.monotonic) -> str:
    cached = _cache.get(arn)
    if cached and clock() - cached[0] < CACHE_SECONDS:
        return cached[1]
    url = _parse(_read(arn))
    _cache[arn] = (clock(), url)
    return url


def forget() -> None:
    _cache.clear()


def reset() -> None:
    """Forget the cached value and the clients (tests, or a change of credentials)."""
    _cache.clear()
    _clients.clear()


def client(service: str) -> Any:
    if service not in _clients:
        _clients[service] = boto3.client(service, config=CLIENT_CONFIG)
    return _clients[service]


def _read(arn: str) -> str:
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        raise WebhookUnavailable("SLACK_WEBHOOK_ARN is not an ARN")
    service, resource = parts[2], parts[5]
    try:
        if service == "secretsmanager" and resource.startswith("secret:"):
            value = client("secretsmanager").get_secret_value(SecretId=arn).get("SecretString")
            if not isinstance(value, str):
                raise WebhookUnavailable("the secret holds no SecretString")
            return value
        if service == "ssm" and resource.startswith("parameter/"):
            parameter = client("ssm").get_parameter(Name=arn, WithDecryption=True)["Parameter"]
            if parameter.get("Type") != "SecureString":
                raise WebhookUnavailable(f"the parameter is a {parameter.get('Type')}; store the webhook as a SecureString")
            return parameter["Value"]
    except ClientError as exc:
        raise WebhookUnavailable(f"{service} refused: {exc.response.get('Error', {}).get('Code', 'error')}") from None
    except BotoCoreError as exc:
        raise WebhookUnavailable(f"{service} unreachable: {type(exc).__name__}") from None
    raise WebhookUnavailable("SLACK_WEBHOOK_ARN names neither a Secrets Manager secret nor an SSM parameter")


def _parse(value: str) -> str:
    text = value.strip()
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            raise WebhookUnavailable("the secret looks like JSON but does not parse") from None
        text = next((document[k] for k in JSON_KEYS if isinstance(document.get(k), str)), "")
        if not text:
            raise WebhookUnavailable(f"the JSON secret has none of the keys {', '.join(JSON_KEYS)}")
        text = text.strip()
    parsed = urlparse(text)
    if parsed.scheme not in ("https", "http") or not parsed.netloc:
        raise WebhookUnavailable("the stored value is not an http(s) URL")
    return text
