"""The PetClinic AI assistant's Lambda entry point (`lambda_function.lambda_handler`).

It accepts API Gateway REST proxy events (`POST .../genai` with a JSON body `{"question": ...}`,
`GET .../health`) and direct invocations (`{"question": ...}`), validates the question, and answers
with JSON: 400 for a bad request (a question that is not valid Unicode text included: it is never
echoed back), 503 when Bedrock or the database is busy, 500 when the function cannot reach the model
or the database as deployed (access denied, say) and for anything else, never with a stack trace, an
ARN or an AWS error message. Proxy responses carry the original's CORS
header; direct invocations get `{"statusCode", "body": {...}}` as before.

The work itself is in `assistant.py`; the SQL rules in `sql_guard.py`.
"""
from __future__ import annotations

import base64
import binascii
import json

import assistant
import bedrock
import data_api
import jsonlog

MAX_QUESTION_CHARS = 500
MAX_BODY_CHARS = 16_000  # a 500-character question in JSON, escaped, with room to spare
CORS_HEADERS = {"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"}
BUSY = "The assistant is busy right now; please try again in a moment."
FAILED = "The assistant could not answer this request."
MISCONFIGURED = "The assistant is not set up to answer this request; the operators have been told."


class BadRequest(ValueError):
    pass


def lambda_handler(event, context):
    request_id = str(getattr(context, "aws_request_id", None) or "unknown")
    proxy = isinstance(event, dict) and "httpMethod" in event
    try:
        if proxy:
            method, path = str(event.get("httpMethod") or "").upper(), str(event.get("path") or "")
            if method == "OPTIONS":
                return _respond(True, 204, None)
            if method == "GET" and path.rstrip("/").endswith("/health"):
                return _respond(True, 200, {"status": "healthy", "service": "genai-lambda", "data_api_enabled": True})
            if method != "POST" or "/genai" not in path:
                return _respond(True, 404, {"error": "Not Found", "message": "Use POST on the genai resource."})
            question = question_of(_json_body(event))
        else:
            question = question_of(event)
    except BadRequest as exc:
        jsonlog.info("bad_request", request_id=request_id, reason=str(exc))
        return _respond(proxy, 400, {"error": "Bad Request", "message": str(exc)})
    jsonlog.info("question", request_id=request_id, chars=len(question))
    try:
        result = assistant.answer(question)
    except (bedrock.ModelUnavailable, data_api.DatabaseUnavailable) as exc:
        jsonlog.warning("unavailable", request_id=request_id, cause=type(exc).__name__)
        return _respond(proxy, 503, {"error": "Service Unavailable", "message": BUSY, "request_id": request_id})
    except (bedrock.ModelMisconfigured, data_api.DatabaseMisconfigured) as exc:
        jsonlog.error("misconfigured", request_id=request_id, cause=type(exc).__name__, code=str(exc))
        return _respond(proxy, 500, {"error": "Internal Server Error", "message": MISCONFIGURED,
                                     "request_id": request_id})
    except Exception as exc:  # noqa: BLE001 - the caller gets a generic 500; the log keeps the type
        jsonlog.error("failed", request_id=request_id, cause=type(exc).__name__)
        return _respond(proxy, 500, {"error": "Internal Server Error", "message": FAILED, "request_id": request_id})
    jsonlog.info("answered", request_id=request_id, data_source=result.data_source, chars=len(result.answer))
    return _respond(proxy, 200, {"question": question, "answer": result.answer, "data_source": result.data_source,
                                 "question_type": result.question_type, "request_id": request_id})


def _json_body(event: dict) -> object:
    body = event.get("body")
    if body is None or body == "":
        raise BadRequest("The request body must be a JSON object with a 'question'.")
    if not isinstance(body, str):
        raise BadRequest("The request body must be JSON text.")
    if event.get("isBase64Encoded"):
        try:
            body = base64.b64decode(body, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise BadRequest("The request body is not valid base64-encoded UTF-8.") from None
    if len(body) > MAX_BODY_CHARS:
        raise BadRequest(f"The request body must be at most {MAX_BODY_CHARS} characters.")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the decoder's stack
        raise BadRequest("The request body is not valid JSON.") from None


def question_of(payload: object) -> str:
    if not isinstance(payload, dict):
        raise BadRequest("The request must be a JSON object with a 'question'.")
    question = payload.get("question", payload.get("message"))
    if question is None:
        raise BadRequest("The 'question' field is required.")
    if not isinstance(question, str):
        raise BadRequest("The 'question' field must be a string.")
    if not is_valid_unicode(question):
        raise BadRequest("The 'question' field is not valid Unicode text.")
    question = question.strip()
    if not question:
        raise BadRequest("The 'question' field must not be empty.")
    if len(question) > MAX_QUESTION_CHARS:
        raise BadRequest(f"The 'question' field must be at most {MAX_QUESTION_CHARS} characters.")
    return question


def is_valid_unicode(text: str) -> bool:
    """False for text with a lone surrogate (JSON's "\\ud800"), which no UTF-8 response can carry."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _respond(proxy: bool, status: int, body: dict | None) -> dict:
    if not proxy:
        return {"statusCode": status, "body": body or {}}
    headers = dict(CORS_HEADERS)
    if status == 204:
        headers.update({"Access-Control-Allow-Methods": "OPTIONS,POST", "Access-Control-Allow-Headers": "Content-Type"})
    return {"statusCode": status, "headers": headers,
            "body": "" if body is None else json.dumps(body, ensure_ascii=False)}
