"""The Slack notifier (`functions/slack_notifier`) on the message shapes AWS delivers, against a real
HTTP server on 127.0.0.1 that plays Slack: it answers 200, 500, 429 with Retry-After, 400, or stalls
past the client's timeout, and records every request it gets. No mock of urllib.

The SNS events in `fixtures/sns/` follow the shapes of the AWS documentation: the Lambda SNS event
record (`Records[].Sns.Message` holding the text CloudWatch published) and the CloudWatch alarm
notification (metric alarms with a `Trigger`, composite alarms with `AlarmRule` and
`TriggeringChildren`; `Region` is the region's display name, the code is in `AlarmArn`).
The webhook URL is read through botocore's own Stubber for Secrets Manager and SSM.
"""
from __future__ import annotations

import importlib.util
import json
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "functions" / "slack_notifier"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sns"
PORTS = range(20010, 20030)  # this suite's share of the machine's port plan
if str(SOURCES) not in sys.path:
    sys.path.append(str(SOURCES))

import alarm_message  # noqa: E402
import slack_format  # noqa: E402
import slack_post  # noqa: E402
import webhook_secret  # noqa: E402


def _load_handler():
    # The genai function also has a top-level `lambda_function`; load this one under its own name.
    spec = importlib.util.spec_from_file_location("slack_notifier_handler", SOURCES / "lambda_function.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


handler = _load_handler()
SECRET_ARN = "arn:aws:secretsmanager:us-west-2:123456789012:secret:petclinic-dev/slack-webhook-AbCdEf"
PARAMETER_ARN = "arn:aws:ssm:us-west-2:123456789012:parameter/petclinic/dev/slack-webhook-url"


def event(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def record(name: str) -> dict:
    return event(name)["Records"][0]


# ---------------------------------------------------------------------------- the Slack stand-in
@dataclass
class Slack:
    """Answers requests from a script of steps: `(status, headers)` or `("stall", seconds)`; once
    the script is used up, 200 "ok"."""
    url: str
    script: list = field(default_factory=list)
    requests: list = field(default_factory=list)   # (monotonic arrival time, parsed JSON body)


@pytest.fixture
def slack() -> Iterator[Slack]:
    state = Slack(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server hook name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.requests.append((time.monotonic(), json.loads(body)))
            step = state.script.pop(0) if state.script else (200, {})
            if step[0] == "stall":
                time.sleep(step[1])
                step = (200, {})
            status, headers = step
            text = b"ok" if status == 200 else b"invalid_payload" if status == 400 else b"error"
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            try:
                self.wfile.write(text)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the stall case)

        def log_message(self, *args):
            pass

    server = None
    for port in PORTS:
        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
            break
        except OSError:
            continue
    if server is None:
        pytest.fail(f"no free port in {PORTS.start}..{PORTS.stop - 1} for the local Slack server")
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/services/T000/B000/XXXX"
    yield state
    server.shutdown()
    server.server_close()


FAST = slack_post.RetryPolicy(max_attempts=3, timeout_seconds=0.5, backoff_seconds=0.05, max_retry_after_seconds=2)


# ---------------------------------------------------------------------------- parsing
def test_a_metric_alarm_reads_its_state_change_metric_and_region():
    alarm = alarm_message.parse_record(record("metric_alarm.json"))
    assert (alarm.name, alarm.old_state, alarm.new_state) == ("petclinic-api-gateway-5xx-errors", "OK", "ALARM")
    assert alarm.region_code == "us-west-2" and alarm.region_name == "US West (Oregon)"
    assert alarm.metric == "AWS/ApiGateway 5XXError"
    assert alarm.condition == "Sum > 5.0 for 2 x 300 s"
    assert alarm.dimensions == (("ApiName", "petclinic-api"),)
    assert not alarm.composite


@pytest.mark.parametrize("fixture, state", [("metric_alarm.json", "ALARM"), ("metric_ok.json", "OK"),
                                            ("metric_insufficient_data.json", "INSUFFICIENT_DATA"),
                                            ("composite_alarm.json", "ALARM")])
def test_every_state_gets_its_own_colour_and_words(fixture, state):
    alarm = alarm_message.parse_record(record(fixture))
    payload = slack_format.slack_payload(alarm, environment="dev", project="petclinic-dev")
    colour, _, words = slack_format.LOOK[state]
    assert alarm.new_state == state
    assert payload["attachments"][0]["color"] == colour
    assert payload["text"] == f"[dev] {alarm.name} {words}"
    assert len({c for c, _, _ in slack_format.LOOK.values()}) == 3


def test_a_composite_alarm_names_its_rule_and_the_children_that_moved_it():
    alarm = alarm_message.parse_record(record("composite_alarm.json"))
    assert alarm.composite and alarm.rule.startswith('ALARM("petclinic-api-gateway-5xx-errors")')
    assert [(c.name, c.state) for c in alarm.children] == [
        ("petclinic-api-gateway-5xx-errors", "ALARM"), ("petclinic-api-gateway-latency", "ALARM")]
    fields = {f["title"]: f["value"] for f in slack_format.slack_payload(
        alarm, environment="dev", project="p")["attachments"][0]["fields"]}
    assert fields["Triggered by"].splitlines() == ["petclinic-api-gateway-5xx-errors (ALARM)",
                                                   "petclinic-api-gateway-latency (ALARM)"]
    assert "Metric" not in fields


def test_the_title_links_to_the_alarm_in_its_own_regions_console():
    alarm = alarm_message.parse_record(record("metric_alarm.json"))
    attachment = slack_format.slack_payload(alarm, environment="dev", project="p")["attachments"][0]
    assert attachment["title_link"] == ("https://us-west-2.console.aws.amazon.com/cloudwatch/home?region=us-west-2"
                                        "#alarmsV2:alarm/petclinic-api-gateway-5xx-errors")


@pytest.mark.parametrize("broken, reason", [
    ({"EventSource": "aws:sqs", "body": "{}"}, "not aws:sns"),
    ({"EventSource": "aws:sns", "Sns": {"Message": "{not json"}}, "not JSON"),
    ({"EventSource": "aws:sns", "Sns": {"Message": json.dumps({"hello": "world"})}}, "no AlarmName"),
    ({"EventSource": "aws:sns", "Sns": {"Message": json.dumps({"AlarmName": "a", "NewStateValue": "ON_FIRE"})}},
     "NewStateValue"),
    ("a string", "not an object"),
])
def test_what_is_not_an_alarm_is_named_as_such(broken, reason):
    with pytest.raises(alarm_message.NotAnAlarm, match=reason):
        alarm_message.parse_record(broken)


# ---------------------------------------------------------------------------- posting to Slack
def test_a_500_is_retried_and_the_next_answer_delivers(slack):
    slack.script = [(500, {})]
    delivery = slack_post.post(slack.url, {"text": "x"}, FAST)
    assert delivery.delivered and delivery.attempts == 2 and delivery.status == 200
    assert len(slack.requests) == 2


def test_persistent_5xx_gives_up_after_the_bounded_attempts(slack):
    slack.script = [(503, {})] * 5
    delivery = slack_post.post(slack.url, {"text": "x"}, FAST)
    assert not delivery.delivered and delivery.status == 503
    assert delivery.attempts == FAST.max_attempts == len(slack.requests)
    assert "gave up after 3 attempts" in delivery.reason


def test_429_waits_the_retry_after_seconds_slack_asks_for(slack):
    slack.script = [(429, {"Retry-After": "1"})]
    delivery = slack_post.post(slack.url, {"text": "x"}, FAST)
    assert delivery.delivered and delivery.attempts == 2
    (first, _), (second, _) = slack.requests
    assert second - first >= 1.0


def test_a_retry_after_beyond_the_cap_is_not_waited_for(slack):
    slack.script = [(429, {"Retry-After": "120"})]
    delivery = slack_post.post(slack.url, {"text": "x"}, FAST)
    assert not delivery.delivered and delivery.status == 429 and len(slack.requests) == 1
    assert "Retry-After exceeds" in delivery.reason


def test_a_stalled_answer_times_out_and_is_retried(slack):
    slack.script = [("stall", FAST.timeout_seconds * 3)]
    started = time.monotonic()
    delivery = slack_post.post(slack.url, {"text": "x"}, FAST)
    assert delivery.delivered and delivery.attempts == 2
    assert time.monotonic() - started >= FAST.timeout_seconds
    assert len(slack.requests) == 2


@pytest.mark.parametrize("status", [400, 403, 404, 410])
def test_a_client_error_other_than_429_is_not_retried(slack, status):
    slack.script = [(status, {})]
    delivery = slack_post.post(slack.url, {"text": "x"}, FAST)
    assert not delivery.delivered and delivery.status == status and delivery.attempts == 1
    assert len(slack.requests) == 1 and delivery.reason.startswith("rejected")


def test_no_retry_starts_that_would_end_past_the_deadline(slack):
    slack.script = [(500, {})] * 3
    delivery = slack_post.post(slack.url, {"text": "x"}, FAST, deadline=time.monotonic() + 0.2)
    assert not delivery.delivered and len(slack.requests) == 1
    assert "no time left" in delivery.reason


def test_nothing_listening_is_reported_not_raised():
    delivery = slack_post.post("http://127.0.0.1:20099/none", {"text": "x"},
                               slack_post.RetryPolicy(max_attempts=2, timeout_seconds=0.5, backoff_seconds=0))
    assert not delivery.delivered and delivery.status is None and delivery.attempts == 2


# ---------------------------------------------------------------------------- the handler, end to end
class Context:
    aws_request_id = "req-1"

    def get_remaining_time_in_millis(self):
        return 30_000


@pytest.fixture
def secret_store(monkeypatch):
    """Installs stubbed Secrets Manager and SSM clients as the function's clients."""
    webhook_secret.reset()
    clients = {name: boto3.client(name, region_name="us-west-2") for name in ("secretsmanager", "ssm")}
    stubbers = {name: Stubber(c) for name, c in clients.items()}
    for stubber in stubbers.values():
        stubber.activate()
    webhook_secret._clients.update(clients)
    for name, value in {"ENVIRONMENT": "dev", "PROJECT_NAME": "petclinic-dev", "SLACK_CHANNEL": "#petclinic-alerts",
                        "SLACK_TIMEOUT_SECONDS": "0.5", "SLACK_BACKOFF_SECONDS": "0.05"}.items():
        monkeypatch.setenv(name, value)
    yield stubbers
    for stubber in stubbers.values():
        stubber.assert_no_pending_responses()
        stubber.deactivate()
    webhook_secret.reset()


def give_secret(stubbers, monkeypatch, url: str, times: int = 1):
    monkeypatch.setenv("SLACK_WEBHOOK_ARN", SECRET_ARN)
    for _ in range(times):
        stubbers["secretsmanager"].add_response("get_secret_value", {"ARN": SECRET_ARN, "Name": "n",
                                                                     "SecretString": url}, {"SecretId": SECRET_ARN})


def log_lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def test_an_alarm_reaches_slack_with_the_url_from_secrets_manager(slack, secret_store, monkeypatch, capsys):
    give_secret(secret_store, monkeypatch, slack.url)
    result = handler.lambda_handler(event("metric_alarm.json"), Context())
    assert result == {"delivered": 1, "failed": 0, "skipped": 0}
    (_, payload), = slack.requests
    assert payload["channel"] == "#petclinic-alerts"
    assert payload["text"] == "[dev] petclinic-api-gateway-5xx-errors is in ALARM"
    output = json.dumps(log_lines(capsys))
    assert slack.url not in output and "/services/" not in output


def test_the_url_is_cached_between_invocations(slack, secret_store, monkeypatch):
    give_secret(secret_store, monkeypatch, slack.url, times=1)
    for _ in range(2):
        assert handler.lambda_handler(event("metric_ok.json"), Context())["delivered"] == 1
    assert len(slack.requests) == 2


def test_an_ssm_securestring_works_and_a_plain_string_is_refused(slack, secret_store, monkeypatch, capsys):
    monkeypatch.setenv("SLACK_WEBHOOK_ARN", PARAMETER_ARN)
    stub = secret_store["ssm"]
    params = {"Name": PARAMETER_ARN, "WithDecryption": True}
    stub.add_response("get_parameter", {"Parameter": {"Name": "n", "Type": "SecureString", "Value": slack.url}}, params)
    assert handler.lambda_handler(event("metric_alarm.json"), Context())["delivered"] == 1
    webhook_secret.forget()
    stub.add_response("get_parameter", {"Parameter": {"Name": "n", "Type": "String", "Value": slack.url}}, params)
    assert handler.lambda_handler(event("metric_alarm.json"), Context()) == {"delivered": 0, "failed": 1, "skipped": 0}
    assert len(slack.requests) == 1
    assert any("SecureString" in line.get("cause", "") for line in log_lines(capsys))


def test_a_missing_secret_is_reported_and_acknowledged(slack, secret_store, monkeypatch):
    monkeypatch.setenv("SLACK_WEBHOOK_ARN", SECRET_ARN)
    secret_store["secretsmanager"].add_client_error("get_secret_value", "ResourceNotFoundException")
    assert handler.lambda_handler(event("metric_alarm.json"), Context()) == {"delivered": 0, "failed": 1, "skipped": 0}
    assert slack.requests == []


@pytest.mark.parametrize("bad_event", [
    "plain_text.json", {"Records": "nope"}, {"detail-type": "CloudWatch Alarm State Change"}, None,
    {"Records": [{"EventSource": "aws:sns", "Sns": {"MessageId": "m", "Message": "{\"AlarmName\": 1"}}]},
])
def test_a_malformed_or_unknown_message_is_logged_and_acknowledged(slack, secret_store, monkeypatch, capsys,
                                                                    bad_event):
    monkeypatch.setenv("SLACK_WEBHOOK_ARN", SECRET_ARN)
    payload = event(bad_event) if isinstance(bad_event, str) else bad_event
    result = handler.lambda_handler(payload, Context())
    assert result["skipped"] == 1 and result["delivered"] == 0 and result["failed"] == 0
    assert slack.requests == []
    lines = log_lines(capsys)
    assert any(line["event"] == "skipped" and line["reason"] for line in lines)
    assert "Hello from SNS" not in json.dumps(lines)  # the reason is logged, never the text


def test_slack_failing_for_one_record_does_not_lose_the_next(slack, secret_store, monkeypatch, capsys):
    give_secret(secret_store, monkeypatch, slack.url)
    slack.script = [(400, {})]
    batch = {"Records": [record("metric_alarm.json"), record("composite_alarm.json")]}
    assert handler.lambda_handler(batch, Context()) == {"delivered": 1, "failed": 1, "skipped": 0}
    failed = [line for line in log_lines(capsys) if line["event"] == "delivery_failed"]
    assert failed and failed[0]["status"] == 400 and failed[0]["level"] == "ERROR"


def test_a_revoked_webhook_makes_the_next_notification_read_the_secret_again(slack, secret_store, monkeypatch):
    give_secret(secret_store, monkeypatch, slack.url, times=2)
    slack.script = [(404, {})]
    assert handler.lambda_handler(event("metric_alarm.json"), Context())["failed"] == 1
    assert handler.lambda_handler(event("metric_alarm.json"), Context())["delivered"] == 1


def test_bad_retry_settings_fall_back_to_the_defaults(monkeypatch):
    monkeypatch.setenv("SLACK_MAX_ATTEMPTS", "zero")
    assert handler.policy_from_environment() == slack_post.RetryPolicy()
    monkeypatch.setenv("SLACK_MAX_ATTEMPTS", "99")
    assert handler.policy_from_environment() == slack_post.RetryPolicy()


# ---------------------------------------------------------------------------- the package
def test_the_package_is_the_same_bytes_twice_and_holds_only_the_sources(tmp_path):
    from modules.packaging import build_package
    first = build_package(SOURCES, tmp_path / "a" / "slack_notifier.zip")
    second = build_package(SOURCES, tmp_path / "b" / "slack_notifier.zip")
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.source_code_hash == second.source_code_hash
    assert set(first.entries) == {p.name for p in SOURCES.glob("*.py")}
    assert "lambda_function.py" in first.entries
