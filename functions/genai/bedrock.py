"""Calls to Amazon Bedrock: one text completion per call, in the request format of the model family
named by `BEDROCK_MODEL_ID` (Anthropic Claude, Meta Llama 3, Amazon Titan), and the translation of
Bedrock's failures into the two kinds the handler answers differently.

Holds no prompt text (see `prompts.py`) and decides nothing about SQL.
"""
from __future__ import annotations

import json
import os

from botocore.exceptions import BotoCoreError, ClientError

import aws_clients
import jsonlog

TEMPERATURE = 0.1
# Bedrock errors that mean "try again later" (the handler answers 503).
TRANSIENT_CODES = frozenset({
    "ThrottlingException", "ServiceUnavailableException", "ServiceQuotaExceededException", "ModelNotReadyException",
    "ModelTimeoutException", "InternalServerException", "ModelErrorException",
})


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
            return "".join(part.get("text", "") for part in payload["content"] if part.get("type", "text") == "text")
        if kind == "meta":
            return str(payload["generation"])
        return str(payload["results"][0]["outputText"])
    except (KeyError, IndexError, TypeError, AttributeError):
        raise ModelUnavailable("the model's reply has an unexpected shape") from None


def complete(system: str, user: str, max_tokens: int, purpose: str) -> str:
    """The model's text reply to one system + user prompt."""
    model = model_id()
    kind = family(model)
    try:
        response = aws_clients.client("bedrock-runtime").invoke_model(
            modelId=model, body=json.dumps(request_body(kind, system, user, max_tokens)),
            contentType="application/json", accept="application/json",
        )
        payload = json.loads(response["body"].read())
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "Unknown")
        jsonlog.warning("bedrock_error", purpose=purpose, code=code)
        if code in TRANSIENT_CODES:
            raise ModelUnavailable(code) from None
        raise ModelMisconfigured(code) from None
    except (BotoCoreError, ValueError) as exc:
        jsonlog.warning("bedrock_unreachable", purpose=purpose, error=type(exc).__name__)
        raise ModelUnavailable(type(exc).__name__) from None
    text = response_text(kind, payload)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a JSON escape: never passed on or echoed
        jsonlog.warning("bedrock_reply_invalid", purpose=purpose, chars=len(text))
        raise ModelUnavailable("the model's reply is not valid Unicode") from None
    jsonlog.info("bedrock_reply", purpose=purpose, chars=len(text))
    return text
