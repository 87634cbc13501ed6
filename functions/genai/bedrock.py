"""Calls to Amazon Bedrock: one text completion per call, in the request format of the model family
named by `BEDROCK_MODEL_ID` (Anthropic Claude through the Messages API — Claude 3 Haiku, the design's
model, and Sonnet alike —, Meta Llama 3, Amazon Titan), bounded retries of throttling and server
errors, and the translation of Bedrock's failures into the two kinds the handler answers differently.

Holds no prompt text (see `prompts.py`) and decides nothing about SQL.
"""
from __future__ import annotations

import json
import os
import random
import time
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError
from botocore.exceptions import ConnectionError as ConnectFailed

import aws_clients
import jsonlog

TEMPERATURE = 0.1
# Bedrock errors that mean "try again later" (the handler answers 503).
TRANSIENT_CODES = frozenset({
    "ThrottlingException", "ServiceUnavailableException", "ServiceQuotaExceededException", "ModelNotReadyException",
    "ModelTimeoutException", "InternalServerException", "ModelErrorException",
})
# Of those, the ones worth a second call within the same request: Bedrock answered at once that it
# is throttling or failing (429, 5xx). Not ModelTimeoutException: the model already took its time, a
# retry would not fit in API Gateway's 29 s; not ModelErrorException or a quota: the same prompt fails
# the same way.
RETRIED_CODES = frozenset({"ThrottlingException", "ServiceUnavailableException", "InternalServerException",
                           "ModelNotReadyException"})
NOT_RETRIED_CODES = frozenset({"ModelTimeoutException"})


@dataclass(frozen=True)
class RetryPolicy:
    """The design's "자동 재시도" for one Bedrock call, bounded three ways: attempts, back-off, and a
    window after which no retry starts (so that only quick failures are retried)."""
    max_attempts: int = 3              # the first call included
    base_delay_seconds: float = 0.25   # doubled each retry, with full jitter
    max_delay_seconds: float = 2.0
    retry_window_seconds: float = 6.0  # since the first call; the API Gateway timeout is 29 s

    def delay(self, retry: int) -> float:
        return random.uniform(0, min(self.max_delay_seconds, self.base_delay_seconds * 2 ** (retry - 1)))


RETRY = RetryPolicy()
_sleep = time.sleep        # module attributes, so that tests can watch the waits
_clock = time.monotonic


class ModelUnavailable(Exception):
    """Bedrock is throttling, busy or unreachable."""


class ModelMisconfigured(Exception):
    """The model cannot be called as configured (missing ID, unknown family, access denied)."""


def model_id() -> str:
    value = os.environ.get("BEDROCK_MODEL_ID", "").strip()
    if not value:
        raise ModelMisconfigured("BEDROCK_MODEL_ID is not set")
    return value


def family(model: str) -> str:
    for prefix, name in (("anthropic.", "anthropic"), ("meta.", "meta"), ("amazon.titan", "titan")):
        if prefix in model:
            return name
    raise ModelMisconfigured("the model family is not supported")


def request_body(kind: str, system: str, user: str, max_tokens: int) -> dict:
    if kind == "anthropic":
        return {"anthropic_version": "bedrock-2023-05-31", "max_tokens": max_tokens, "temperature": TEMPERATURE,
                "system": system, "messages": [{"role": "user", "content": user}]}
    if kind == "meta":
        # Llama 3's chat template; the user text may not carry its own header tokens.
        user = user.replace("<|", "< |").replace("|>", "| >")
        prompt = ("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n" + system + "<|eot_id|>"
                  "<|start_header_id|>user<|end_header_id|>\n\n" + user + "<|eot_id|>"
                  "<|start_header_id|>assistant<|end_header_id|>\n\n")
        return {"prompt": prompt, "max_gen_len": max_tokens, "temperature": TEMPERATURE, "top_p": 0.9}
    return {"inputText": f"{system}\n\n{user}",
            "textGenerationConfig": {"maxTokenCount": max_tokens, "temperature": TEMPERATURE, "topP": 0.9}}


def response_text(kind: str, payload: dict) -> str:
    try:
        if kind == "anthropic":
            if "content" not in payload and isinstance(payload.get("completion"), str):
                return payload["completion"]  # the Text Completions answer of Claude 2 and Instant
            return "".join(part.get("text", "") for part in payload["content"] if part.get("type", "text") == "text")
        if kind == "meta":
            return str(payload["generation"])
        return str(payload["results"][0]["outputText"])
    except (KeyError, IndexError, TypeError, AttributeError):
        raise ModelUnavailable("the model's reply has an unexpected shape") from None


def reply_facts(kind: str, payload: dict) -> dict:
    """Why the model stopped and the tokens it counted, for the log (the dashboard's token counts)."""
    if not isinstance(payload, dict):
        return {}
    if kind == "anthropic":
        usage = payload.get("usage") if isinstance(payload.get("usage"), dict) else {}
        facts = {"stop_reason": payload.get("stop_reason"), "input_tokens": usage.get("input_tokens"),
                 "output_tokens": usage.get("output_tokens")}
    elif kind == "meta":
        facts = {"stop_reason": payload.get("stop_reason"), "input_tokens": payload.get("prompt_token_count"),
                 "output_tokens": payload.get("generation_token_count")}
    else:
        results = payload.get("results") if isinstance(payload.get("results"), list) else [{}]
        first = results[0] if results and isinstance(results[0], dict) else {}
        facts = {"stop_reason": first.get("completionReason"), "input_tokens": payload.get("inputTextTokenCount"),
                 "output_tokens": first.get("tokenCount")}
    return {k: v for k, v in facts.items() if isinstance(v, (str, int)) and not isinstance(v, bool)}


def complete(system: str, user: str, max_tokens: int, purpose: str, policy: RetryPolicy = RETRY) -> str:
    """The model's text reply to one system + user prompt."""
    model = model_id()
    kind = family(model)
    body = json.dumps(request_body(kind, system, user, max_tokens))
    payload = _invoke(model, body, purpose, policy)
    text = response_text(kind, payload)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a JSON escape: never passed on or echoed
        jsonlog.warning("bedrock_reply_invalid", purpose=purpose, chars=len(text))
        raise ModelUnavailable("the model's reply is not valid Unicode") from None
    jsonlog.info("bedrock_reply", purpose=purpose, chars=len(text), **reply_facts(kind, payload))
    return text


def _invoke(model: str, body: str, purpose: str, policy: RetryPolicy) -> dict:
    """One InvokeModel, retried as `policy` allows; the parsed reply, or one of the two exceptions."""
    started = _clock()
    for attempt in range(1, policy.max_attempts + 1):
        try:
            response = aws_clients.client("bedrock-runtime").invoke_model(
                modelId=model, body=body, contentType="application/json", accept="application/json")
            return json.loads(response["body"].read())
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "Unknown")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            retried = code in RETRIED_CODES or (status >= 500 and code not in NOT_RETRIED_CODES)
            failure = ModelUnavailable(code) if code in TRANSIENT_CODES or status >= 500 else ModelMisconfigured(code)
            jsonlog.warning("bedrock_error", purpose=purpose, code=code, attempt=attempt)
        except ConnectFailed as exc:  # the request never reached Bedrock: safe to send again
            retried, failure = True, ModelUnavailable(type(exc).__name__)
            jsonlog.warning("bedrock_unreachable", purpose=purpose, error=type(exc).__name__, attempt=attempt)
        except (BotoCoreError, ValueError) as exc:  # a read timeout (the model's time is spent) or bad JSON
            jsonlog.warning("bedrock_unreachable", purpose=purpose, error=type(exc).__name__, attempt=attempt)
            raise ModelUnavailable(type(exc).__name__) from None
        delay = policy.delay(attempt)
        if not retried or attempt == policy.max_attempts or _clock() - started + delay > policy.retry_window_seconds:
            raise failure from None
        jsonlog.info("bedrock_retry", purpose=purpose, attempt=attempt + 1, delay_ms=round(delay * 1000))
        _sleep(delay)
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover
