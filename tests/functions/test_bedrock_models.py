"""The assistant on each model family it may be configured with, and its bounded retries of Bedrock.

The design names Claude 3 Haiku (`anthropic.claude-3-haiku-20240307-v1:0`); dev runs Claude 3 Sonnet
and Seoul Llama 3 (A58). Each reply below has the shape the Bedrock user guide gives for that model's
InvokeModel answer (Anthropic Messages API; Meta Llama; Amazon Titan Text). botocore's Stubber plays
Bedrock: a call that is not stubbed fails, and a hook on botocore's `before-parameter-build` event
(emitted for every call) counts the calls, so "retried exactly N times" is measured, not assumed.
The waits between retries are recorded instead of slept.
"""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.stub import ANY

import aws_clients
import bedrock
import prompts
from tests.functions.conftest import streaming
from tests.functions.test_handler import call, plan, proxy_event, stubs  # noqa: F401 - `stubs` is a fixture

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
SONNET = "anthropic.claude-3-sonnet-20240229-v1:0"
LLAMA = "meta.llama3-8b-instruct-v1:0"
TITAN = "amazon.titan-text-express-v1"


def messages_reply(model: str, *texts: str, stop_reason: str = "end_turn") -> dict:
    return {"id": "msg_bdrk_01", "type": "message", "role": "assistant", "model": model.split(".", 1)[1][:-5],
            "content": [{"type": "text", "text": t} for t in texts], "stop_reason": stop_reason,
            "stop_sequence": None, "usage": {"input_tokens": 812, "output_tokens": 37}}


REPLIES = {  # model -> (reply to a text, the log's token counts)
    HAIKU: (lambda text: messages_reply(HAIKU, text), (812, 37, "end_turn")),
    SONNET: (lambda text: messages_reply(SONNET, text), (812, 37, "end_turn")),
    LLAMA: (lambda text: {"generation": text, "prompt_token_count": 640, "generation_token_count": 21,
                          "stop_reason": "stop"}, (640, 21, "stop")),
    TITAN: (lambda text: {"inputTextTokenCount": 700, "results": [{"tokenCount": 19, "outputText": text,
                                                                    "completionReason": "FINISH"}]}, (700, 19, "FINISH")),
}


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    recorded: list[float] = []
    monkeypatch.setattr(bedrock, "_sleep", recorded.append)
    return recorded


@pytest.fixture
def calls(stubs) -> list[dict]:
    """The InvokeModel calls the function made (stubbed or not), with their parameters."""
    made: list[dict] = []
    client = aws_clients.client("bedrock-runtime")
    client.meta.events.register("before-parameter-build.bedrock-runtime.InvokeModel",
                                      lambda params, **_: made.append(params["body"]))
    return made


def answer(bedrock_stub, model: str, reply: dict) -> None:
    bedrock_stub.add_response("invoke_model", {"body": streaming(reply), "contentType": "application/json"},
                              {"modelId": model, "body": ANY, "contentType": "application/json",
                               "accept": "application/json"})


def log_lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


@pytest.mark.parametrize("model", list(REPLIES))
def test_each_model_family_answers_a_question_end_to_end(stubs, calls, monkeypatch, capsys, model):
    monkeypatch.setenv("BEDROCK_MODEL_ID", model)
    bedrock_stub, _ = stubs
    reply, (tokens_in, tokens_out, stop) = REPLIES[model]
    answer(bedrock_stub, model, reply('{"kind": "advice"}'))
    answer(bedrock_stub, model, reply("물을 충분히 주세요."))
    status, body, _ = call(proxy_event(json.dumps({"question": "How often should I water my dog?"})))
    assert status == 200 and body["answer"] == "물을 충분히 주세요." and body["data_source"] == "general_advice"
    sent = json.loads(calls[0])
    assert sent == bedrock.request_body(bedrock.family(model), prompts.PLAN_SYSTEM,
                                        prompts.question_block("How often should I water my dog?"), 400)
    replies = [line for line in log_lines(capsys) if line["event"] == "bedrock_reply"]
    assert [(r["input_tokens"], r["output_tokens"], r["stop_reason"]) for r in replies] == [(tokens_in, tokens_out, stop)] * 2


def test_haiku_gets_the_messages_api_request():
    request = bedrock.request_body(bedrock.family(HAIKU), "system text", "user text", 400)
    assert request == {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 400, "temperature": bedrock.TEMPERATURE,
                       "system": "system text", "messages": [{"role": "user", "content": "user text"}]}


def test_a_messages_reply_joins_its_text_blocks_and_skips_the_others():
    reply = messages_reply(HAIKU, "George ", "Franklin", stop_reason="max_tokens")
    reply["content"].insert(1, {"type": "tool_use", "id": "t", "name": "x", "input": {}})
    assert bedrock.response_text("anthropic", reply) == "George Franklin"
    assert bedrock.reply_facts("anthropic", reply) == {"stop_reason": "max_tokens", "input_tokens": 812,
                                                       "output_tokens": 37}


def test_a_text_completions_reply_of_claude_2_is_read_too():
    assert bedrock.response_text("anthropic", {"completion": " Hello", "stop_reason": "stop_sequence"}) == " Hello"


@pytest.mark.parametrize("kind, reply", [("anthropic", {"content": "not a list"}), ("anthropic", {"type": "message"}),
                                         ("meta", {"text": "x"}), ("titan", {"results": []})])
def test_a_reply_of_an_unknown_shape_is_model_unavailable(kind, reply):
    with pytest.raises(bedrock.ModelUnavailable, match="unexpected shape"):
        bedrock.response_text(kind, reply)


# ---------------------------------------------------------------------------- retries
def throttle(bedrock_stub, code="ThrottlingException", status=429):
    bedrock_stub.add_client_error("invoke_model", service_error_code=code, http_status_code=status)


@pytest.mark.parametrize("code, status", [("ThrottlingException", 429), ("ServiceUnavailableException", 503),
                                          ("InternalServerException", 500), ("ModelNotReadyException", 429),
                                          ("SomethingNewException", 502)])
def test_throttling_and_server_errors_are_retried_and_the_next_answer_is_used(stubs, calls, waits, capsys, code, status):
    bedrock_stub, _ = stubs
    throttle(bedrock_stub, code, status)
    throttle(bedrock_stub, code, status)
    answer(bedrock_stub, bedrock.model_id(), messages_reply(SONNET, "ok"))
    assert bedrock.complete("s", "u", 10, "advice") == "ok"
    assert len(calls) == 3 and len(waits) == 2
    assert all(0 <= w <= bedrock.RETRY.max_delay_seconds for w in waits)
    assert [line["attempt"] for line in log_lines(capsys) if line["event"] == "bedrock_retry"] == [2, 3]


def test_persistent_throttling_gives_up_after_the_bounded_attempts_with_a_503(stubs, calls, waits):
    bedrock_stub, _ = stubs
    for _ in range(bedrock.RETRY.max_attempts):
        throttle(bedrock_stub)
    status, body, _ = call(proxy_event(json.dumps({"question": "hi"})))
    assert status == 503 and body["error"] == "Service Unavailable"
    assert len(calls) == bedrock.RETRY.max_attempts == 3 and len(waits) == 2


@pytest.mark.parametrize("code, status, outcome", [  # outcome by name: another test reloads the module
    ("ModelTimeoutException", 408, "ModelUnavailable"),     # the model's time is already spent
    ("ModelErrorException", 424, "ModelUnavailable"),       # the same prompt fails the same way
    ("ServiceQuotaExceededException", 400, "ModelUnavailable"),
    ("AccessDeniedException", 403, "ModelMisconfigured"),
    ("ValidationException", 400, "ModelMisconfigured"),
    ("ResourceNotFoundException", 404, "ModelMisconfigured"),
])
def test_other_errors_are_not_retried(stubs, calls, waits, code, status, outcome):
    bedrock_stub, _ = stubs
    throttle(bedrock_stub, code, status)
    with pytest.raises(getattr(bedrock, outcome), match=code):
        bedrock.complete("s", "u", 10, "plan")
    assert len(calls) == 1 and waits == []


def test_no_retry_starts_after_the_retry_window(stubs, calls, waits, monkeypatch):
    times = iter([0.0, bedrock.RETRY.retry_window_seconds + 0.1])
    monkeypatch.setattr(bedrock, "_clock", lambda: next(times))
    bedrock_stub, _ = stubs
    throttle(bedrock_stub, "ServiceUnavailableException", 503)  # it came back slowly: no second call
    with pytest.raises(bedrock.ModelUnavailable):
        bedrock.complete("s", "u", 10, "plan")
    assert len(calls) == 1 and waits == []


def test_a_connection_that_fails_is_tried_again(stubs, calls, waits):
    """The request never reached Bedrock. A hook on botocore's `before-parameter-build` event raises
    it, ahead of the Stubber, the first time only."""
    bedrock_stub, _ = stubs
    failures = [EndpointConnectionError(endpoint_url="https://bedrock-runtime.us-west-2.amazonaws.com")]

    def refuse_once(**_):
        if failures:
            raise failures.pop()

    aws_clients.client("bedrock-runtime").meta.events.register("before-parameter-build.bedrock-runtime.InvokeModel",
                                                                     refuse_once)
    answer(bedrock_stub, bedrock.model_id(), messages_reply(SONNET, "ok"))
    assert bedrock.complete("s", "u", 10, "advice") == "ok"
    assert len(waits) == 1


def test_the_retries_are_bounded_by_data_and_botocore_adds_none():
    policy = bedrock.RETRY
    assert (policy.max_attempts, policy.max_delay_seconds, policy.retry_window_seconds) == (3, 2.0, 6.0)
    assert all(0 <= policy.delay(retry) <= policy.max_delay_seconds for retry in range(1, 20) for _ in range(50))
    assert aws_clients.CONFIGS["bedrock-runtime"].retries == {"total_max_attempts": 1, "mode": "standard"}
    with pytest.raises(AttributeError):
        policy.max_attempts = 10  # frozen: one policy for the whole function
