"""The handler under a hostile model and hostile callers (issue 23), with botocore's own Stubber on
`bedrock-runtime` and `rds-data` (a call that is not stubbed fails the test): no automatic retry of
ExecuteStatement, access denied is an error the caller sees, replies of deep or huge JSON are refused
in linear time, text that is not valid Unicode is rejected and never echoed."""
from __future__ import annotations

import json
import time

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError

import assistant
import aws_clients
import data_api
import prompts
from tests.functions.conftest import CLUSTER_ARN, SECRET_ARN, claude_reply
from tests.functions.test_handler import ACCOUNT, assert_nothing_leaks, call, invoke_params, plan, proxy_event, stubs  # noqa: F401

SELECT = "SELECT name FROM pets"


@pytest.mark.parametrize(("service", "attempts"), [("rds-data", 1), ("bedrock-runtime", 1)])
def test_a_read_timeout_is_retried_only_where_allowed(service, attempts):
    """A read timeout does not stop the statement on the cluster: ExecuteStatement is never sent twice.
    botocore retries no Bedrock call either: `bedrock.py` does (tests/functions/test_bedrock_models.py),
    and not after a read timeout, whose 20 s leave no room for a second call within API Gateway's 29 s.

    botocore's own retry handler decides; the hook on its `before-send` event only counts the
    attempts and times each one out (no network, no fake client)."""
    client = boto3.client(service, config=aws_clients.CONFIGS[service])
    sent = []

    def time_out(request, **_):
        sent.append(request.url)
        raise ReadTimeoutError(endpoint_url=request.url)

    client.meta.events.register("before-send", time_out)
    with pytest.raises(ReadTimeoutError):
        if service == "rds-data":
            client.execute_statement(resourceArn="arn:aws:rds:us-west-2:123456789012:cluster:c",
                                     secretArn="arn:aws:secretsmanager:us-west-2:123456789012:secret:s", sql=SELECT)
        else:
            client.invoke_model(modelId="anthropic.claude-3-sonnet-20240229-v1:0", body=b"{}")
    assert len(sent) == attempts


def test_a_read_timeout_of_the_database_is_a_503_after_one_attempt():
    client = boto3.client("rds-data", config=aws_clients.CONFIGS["rds-data"])
    sent = []

    def time_out(request, **_):
        sent.append(1)
        raise ReadTimeoutError(endpoint_url=request.url)

    client.meta.events.register("before-send", time_out)
    aws_clients._clients["rds-data"] = client
    with pytest.raises(data_api.DatabaseUnavailable):
        data_api.run_select("SELECT 1")
    assert sent == [1]


def test_every_statement_sent_carries_the_time_cap(stubs):
    bedrock, rds = stubs
    plan(bedrock, {"kind": "database", "sql": "SELECT COUNT(*) AS n FROM visits"})
    rds.add_response("execute_statement", {"records": [[{"longValue": 4}]], "columnMetadata": [{"label": "n"}]},
                     {"resourceArn": CLUSTER_ARN, "secretArn": SECRET_ARN, "database": "petclinic", "includeResultMetadata": True,
                      "sql": "SELECT /*+ MAX_EXECUTION_TIME(5000) */ COUNT(*) AS `n` FROM `visits` LIMIT 20"})
    bedrock.add_response("invoke_model", claude_reply("4건"), invoke_params())
    assert call(proxy_event(json.dumps({"question": "방문 몇 건?"})))[0] == 200


@pytest.mark.parametrize("code", ["AccessDeniedException", "ForbiddenException", "NotFoundException",
                                  "HttpEndpointNotEnabledException", "InvalidSecretException"])
def test_the_database_refusing_the_function_is_a_500_the_caller_sees(stubs, capsys, code):
    bedrock, rds = stubs
    plan(bedrock, {"kind": "database", "sql": SELECT})
    rds.add_client_error("execute_statement", service_error_code=code, http_status_code=403,
                         service_message=f"User: arn:aws:sts::{ACCOUNT}:assumed-role/r/f is not authorized")
    status, body, response = call(proxy_event(json.dumps({"question": "pets?"})))
    assert status == 500 and body["error"] == "Internal Server Error" and body["request_id"] == "req-0001"
    assert body.get("answer") is None, "not a 200 'cannot answer'"
    assert_nothing_leaks(response)
    logs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {"event": "misconfigured", "code": code} in [{k: e.get(k) for k in ("event", "code")} for e in logs]


def test_a_statement_stopped_by_the_time_cap_gets_the_polite_answer(stubs, capsys):
    bedrock, rds = stubs
    plan(bedrock, {"kind": "database", "sql": SELECT})
    rds.add_client_error("execute_statement", service_error_code="DatabaseErrorException", http_status_code=400,
                         service_message="Query execution was interrupted, maximum statement execution time exceeded")
    status, body, _ = call(proxy_event(json.dumps({"question": "pets?"})))
    assert status == 200 and body["answer"] == prompts.CANNOT_ANSWER and body["data_source"] == "query_failed"
    logged = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert any(e["event"] == "data_api_error" and e["time_cap"] for e in logged)


INVALID_UNICODE = {
    "proxy lone high surrogate": proxy_event('{"question": "pet \\ud800 name?"}'),
    "proxy lone low surrogate": proxy_event('{"question": "\\udfff"}'),
    "direct lone surrogate": {"question": "who owns \ud83d?"},
}


@pytest.mark.parametrize("event", list(INVALID_UNICODE.values()), ids=list(INVALID_UNICODE))
def test_a_question_that_is_not_valid_unicode_is_rejected_not_echoed(stubs, event):
    status, body, response = call(event)
    assert status == 400 and "Unicode" in body["message"]
    text = json.dumps(response)
    assert "\\ud800" not in text and "\\udfff" not in text and "\\ud83d" not in text and "question\"" not in text
    if isinstance(response["body"], str):
        response["body"].encode("utf-8")  # a proxy response body is valid UTF-8


def test_a_model_reply_that_is_not_valid_unicode_is_not_passed_on(stubs):
    bedrock, _ = stubs
    plan(bedrock, {"kind": "advice"})
    bedrock.add_response("invoke_model", claude_reply("advice \ud800"), invoke_params())
    status, body, response = call(proxy_event(json.dumps({"question": "hi"})))
    assert status == 503
    response["body"].encode("utf-8")


HOSTILE_REPLIES = {
    "deeply nested object": '{"kind": "database", "sql": ' + '{"a": ' * 5000 + '1' + '}' * 5000 + '}',
    "deeply nested unclosed": '{"a":' * 1600,
    "deep arrays": '{"kind": "advice", "x": ' + '[' * 3000 + ']' * 3000 + '}',
    "too large": '{"kind": "database", "sql": "SELECT name FROM pets", "pad": "' + 'x' * 10000 + '"}',
}


@pytest.mark.parametrize("reply", list(HOSTILE_REPLIES.values()), ids=list(HOSTILE_REPLIES))
def test_a_hostile_plan_reply_is_refused_and_answered_as_advice(stubs, capsys, reply):
    bedrock, _ = stubs  # rds has no response: an execute_statement call would fail the test
    bedrock.add_response("invoke_model", claude_reply(reply), invoke_params())
    bedrock.add_response("invoke_model", claude_reply("일반 상담"), invoke_params())
    status, body, _ = call(proxy_event(json.dumps({"question": "hello"})))
    assert status == 200 and body["data_source"] == "general_advice"
    logs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["reason"] for e in logs if e["event"] == "plan_unreadable"]


LINEAR_INPUTS = {  # 200,000 characters each: one pass takes well under a second, a quadratic one hours
    "many unclosed braces": "{" * 200_000,
    "nested keys": '{"a":' * 40_000,
    "braces in a string": '{"a": "' + "{" * 199_000,
    "many invalid objects": "{x} " * 50_000,
    "prose then a plan": "Sure! " * 33_000 + '{"kind": "advice"}',
}


@pytest.mark.parametrize("text", list(LINEAR_INPUTS.values()), ids=list(LINEAR_INPUTS))
def test_reading_a_reply_is_linear_even_without_the_size_cap(monkeypatch, text):
    monkeypatch.setattr(assistant, "MAX_PLAN_CHARS", 10 * len(text))
    began = time.perf_counter()
    try:
        assistant.first_json_object(text)
    except assistant.UnreadablePlan:
        pass
    assert time.perf_counter() - began < 5, "200,000 characters are read in one pass"


def test_a_plan_in_prose_or_a_code_fence_is_still_found():
    assert assistant.first_json_object('Here: ```json\n{"kind": "database", "sql": "SELECT 1"}\n```') == \
        {"kind": "database", "sql": "SELECT 1"}
    assert assistant.first_json_object('{"note": "a } in a string", "kind": "advice"} trailing {') == \
        {"note": "a } in a string", "kind": "advice"}
    assert assistant.first_json_object('bad {x} then {"kind": "advice"}') == {"kind": "advice"}


@pytest.mark.parametrize("body", ["[" * 15_000, '{"question": "' + "x" * 20_000 + '"}'], ids=["deep", "large"])
def test_a_deeply_nested_or_huge_request_body_is_a_400(stubs, body):
    status, response_body, response = call(proxy_event(body))
    assert status == 400 and response_body["error"] == "Bad Request"
    assert_nothing_leaks(response)
