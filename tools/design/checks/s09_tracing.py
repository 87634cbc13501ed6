"""Checks of §9.2 and §9.4 of the design: monitoring of the managed services (API Gateway, the
GenAI Lambda, Bedrock: A104–A106) and X-Ray tracing (A111–A113)."""
from __future__ import annotations

import json

from tools.design.checks import check
from tools.design.checks.common_s07_s14 import FOUR_SERVICES, alarms_on, containers, dimension, watched
from tools.design.checks.primitives import changed, every, expect, fixture, without
from tools.design.stacks import Block, Stacks
from tools.design.verdict import Verdict, combine, failed, passed

API, LAMBDA, MON, APP = "08-api-gateway", "06-lambda-genai", "10-monitoring", "07-application"
TOPIC = "arn:aws:sns:us-west-2:111122223333:alerts"


def _alarm(namespace: str, metric: str, **dimensions: str) -> dict:
    return {"namespace": namespace, "metric_name": metric, "threshold": 1, "dimensions": dimensions, "alarm_actions": [TOPIC]}


def _dashboard(*metrics: tuple[str, str]) -> dict:
    return {"dashboard_name": "d", "dashboard_body": json.dumps({"widgets": [{"properties": {"metrics": [list(m) for m in metrics]}}]})}


SERVICES = fixture(
    (API, "aws_api_gateway_rest_api.api", {"name": "petclinic-dev-api"}),
    (API, "aws_api_gateway_stage.stage", {"stage_name": "dev", "xray_tracing_enabled": True,
                                          "rest_api_id": "${aws_api_gateway_rest_api.api.id}"}),
    (API, "aws_cloudwatch_metric_alarm.latency", _alarm("AWS/ApiGateway", "Latency", ApiName="${aws_api_gateway_rest_api.api.name}")),
    (API, "aws_cloudwatch_metric_alarm.errors", _alarm("AWS/ApiGateway", "5XXError", ApiName="petclinic-dev-api")),
    (API, "aws_cloudwatch_dashboard.api", _dashboard(("AWS/ApiGateway", "Count"))),
    (LAMBDA, "aws_lambda_function.genai", {"function_name": "petclinic-dev-genai-function", "tracing_config": {"mode": "Active"}}),
    (MON, "aws_cloudwatch_metric_alarm.lambda_errors", _alarm("AWS/Lambda", "Errors", FunctionName="petclinic-dev-genai-function")),
    (MON, "aws_cloudwatch_metric_alarm.lambda_duration", _alarm("AWS/Lambda", "Duration", FunctionName="petclinic-dev-genai-function")),
    (MON, "aws_cloudwatch_dashboard.lambda", _dashboard(("AWS/Lambda", "ConcurrentExecutions"), ("LambdaInsights", "init_duration"),
                                                        ("AWS/Bedrock", "Invocations"), ("AWS/Bedrock", "InputTokenCount"),
                                                        ("AWS/Bedrock", "OutputTokenCount"), ("AWS/Bedrock", "InvocationLatency"))),
)
NOTHING = fixture((APP, "aws_ecs_cluster.cluster", {"name": "c"}))


def _names_real(stacks: Stacks, alarms: list[Block], key: str, real: set[str], what: str) -> Verdict:
    ghosts = [f"{a.where} {key} = {dimension(stacks, a, key)}" for a in alarms if dimension(stacks, a, key) not in real]
    if ghosts:
        return failed(f"alarms watching no existing {what} ({sorted(real)}): " + "; ".join(ghosts[:3]))
    return passed(f"{len(alarms)} {what} alarms name {sorted(real)}")


@check("A104", passing=[SERVICES], failing=[
    changed(SERVICES, API, "aws_cloudwatch_metric_alarm.errors", dimensions={"ApiName": "petclinic-api"}),
    without(SERVICES, API, "aws_cloudwatch_metric_alarm.latency"), NOTHING])
def api_gateway_monitored(stacks: Stacks) -> Verdict:
    apis = {str(a.body.get("name")) for a in stacks.resources("aws_api_gateway_rest_api")}
    if not apis:
        return failed("found no aws_api_gateway_rest_api")
    parts = []
    for what, metrics in (("latency", ("Latency",)), ("error rate", ("5XXError", "4XXError"))):
        alarms = [a for m in metrics for a in alarms_on(stacks, "AWS/ApiGateway", m) if dimension(stacks, a, "ApiName") in apis]
        parts.append(passed(f"{what}: {alarms[0].where}") if alarms else failed(f"{what}: no AWS/ApiGateway alarm on {sorted(apis)}"))
    requests = watched(stacks, "AWS/ApiGateway", "Count")
    parts.append(passed(f"requests: {requests}") if requests else failed("requests: no alarm or dashboard shows AWS/ApiGateway Count"))
    api_alarms = [a for a in stacks.resources("aws_cloudwatch_metric_alarm") if a.body.get("namespace") == "AWS/ApiGateway"
                  and "ApiName" in (a.body.get("dimensions") or {})]
    parts.append(_names_real(stacks, api_alarms, "ApiName", apis, "REST API"))
    return combine(parts)


COLD_START = ("init_duration", "InitDuration", "ColdStart")


@check("A105", passing=[SERVICES], failing=[
    changed(SERVICES, MON, "aws_cloudwatch_metric_alarm.lambda_errors", dimensions={"FunctionName": "petclinic-dev-genai"}),
    changed(SERVICES, MON, "aws_cloudwatch_dashboard.lambda", dashboard_body="{}"), NOTHING])
def lambda_monitored(stacks: Stacks) -> Verdict:
    functions = {str(f.body.get("function_name")) for f in stacks.resources("aws_lambda_function", LAMBDA)}
    if not functions:
        return failed(f"found no aws_lambda_function in {LAMBDA}")
    parts = []
    for what, metric in (("duration", "Duration"), ("errors", "Errors")):
        alarms = [a for a in alarms_on(stacks, "AWS/Lambda", metric) if dimension(stacks, a, "FunctionName") in functions]
        parts.append(passed(f"{what}: {alarms[0].where}") if alarms else failed(f"{what}: no AWS/Lambda {metric} alarm on {sorted(functions)}"))
    concurrency = watched(stacks, "AWS/Lambda", "ConcurrentExecutions")
    parts.append(passed(f"concurrency: {concurrency}") if concurrency
                 else failed("concurrency: no alarm or dashboard shows AWS/Lambda ConcurrentExecutions"))
    cold = [d.where for d in stacks.resources("aws_cloudwatch_dashboard") + stacks.resources("aws_cloudwatch_metric_alarm")
            + stacks.resources("aws_cloudwatch_log_metric_filter") if any(w in json.dumps(d.body) for w in COLD_START)]
    parts.append(passed(f"cold start: {cold[0]}") if cold else failed("cold start: no metric of init duration (Lambda Insights "
                                                                      "init_duration, a log metric filter on Init Duration)"))
    lambda_alarms = [a for a in stacks.resources("aws_cloudwatch_metric_alarm") if a.body.get("namespace") == "AWS/Lambda"
                     and "FunctionName" in (a.body.get("dimensions") or {})]
    all_functions = {str(f.body.get("function_name")) for f in stacks.resources("aws_lambda_function")}
    parts.append(_names_real(stacks, lambda_alarms, "FunctionName", all_functions, "Lambda function"))
    return combine(parts)


@check("A106", passing=[SERVICES], failing=[changed(SERVICES, MON, "aws_cloudwatch_dashboard.lambda",
                                                    **_dashboard(("AWS/Bedrock", "Invocations"))), NOTHING])
def bedrock_monitored(stacks: Stacks) -> Verdict:
    tokens = watched(stacks, "AWS/Bedrock", "InputTokenCount") or watched(stacks, "AWS/Bedrock", "OutputTokenCount")
    parts = [passed(f"token usage: {tokens}") if tokens else failed("token usage: no alarm or dashboard shows AWS/Bedrock "
                                                                    "InputTokenCount or OutputTokenCount")]
    for what, metric in (("invocations", "Invocations"), ("latency", "InvocationLatency")):
        where = watched(stacks, "AWS/Bedrock", metric)
        parts.append(passed(f"{what}: {where}") if where else failed(f"{what}: no alarm or dashboard shows AWS/Bedrock {metric}"))
    return combine(parts)


DAEMONS = ("xray-daemon", "aws-xray-daemon", "aws-otel-collector", "amazon/aws-xray", "aws-observability/aws-otel")


def _task(name: str, sidecar: bool = True) -> dict:
    defined = [{"name": name, "image": f"{name}:1"}]
    if sidecar:
        defined.append({"name": "xray-daemon", "image": "amazon/aws-xray-daemon:3.3.12"})
    return {"family": name, "container_definitions": json.dumps(defined)}


TASKS = fixture(*[(APP, f"aws_ecs_task_definition.{s}", _task(s)) for s in ("customers", "vets", "visits", "admin")])


@check("A111", passing=[TASKS], failing=[changed(TASKS, APP, "aws_ecs_task_definition.vets", **_task("vets", sidecar=False)), NOTHING])
def ecs_tracing(stacks: Stacks) -> Verdict:
    def judge(task: Block) -> Verdict:
        defined = containers(task) or []
        daemons = [c.get("image") for c in defined if any(d in str(c.get("image", "")) for d in DAEMONS)]
        return passed(f"{task.where} runs {daemons[0]}") if daemons else failed(
            f"{task.where} has no X-Ray daemon or ADOT collector container (images: {[c.get('image') for c in defined]})")
    return every(stacks.resources("aws_ecs_task_definition"), "aws_ecs_task_definition", judge, at_least=FOUR_SERVICES)


@check("A112", passing=[SERVICES], failing=[changed(SERVICES, API, "aws_api_gateway_stage.stage", xray_tracing_enabled=False), NOTHING])
def api_gateway_tracing(stacks: Stacks) -> Verdict:
    return every(stacks.resources("aws_api_gateway_stage"), "aws_api_gateway_stage",
                 lambda s: expect(s, "xray_tracing_enabled", True, absent_means=False))


@check("A113", passing=[SERVICES], failing=[changed(SERVICES, LAMBDA, "aws_lambda_function.genai", tracing_config=None), NOTHING])
def lambda_tracing(stacks: Stacks) -> Verdict:
    return every(stacks.resources("aws_lambda_function", LAMBDA), f"aws_lambda_function in {LAMBDA}",
                 lambda f: expect(f, "tracing_config.mode", "Active", absent_means="PassThrough"))
