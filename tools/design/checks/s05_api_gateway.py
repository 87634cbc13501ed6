"""Checks of §5.2 and §11.2 of the design: the REST API, its authentication, throttling,
integrations, monitoring and logging, stage and routes (A41–A47)."""
from __future__ import annotations

from tools.design.checks import check
from tools.design.checks.finders import api_path, genai_functions, integration_targets, integrations
from tools.design.checks.fixtures_s03_s06 import API
from tools.design.checks.fixtures_s03_s06_api import PLATFORM
from tools.design.checks.primitives import added, attribute, changed, every, expect, expect_that, show, without
from tools.design.stacks import Block, Stacks
from tools.design.verdict import Verdict, combine, failed, passed

_SETTINGS = "aws_api_gateway_method_settings.all"


@check("A41", passing=[PLATFORM], failing=[changed(PLATFORM, API, "aws_api_gateway_rest_api.api", endpoint_configuration={"types": ["EDGE"]}),
                                            without(PLATFORM, API, "aws_api_gateway_rest_api.api")])
def regional_rest_api(stacks: Stacks) -> Verdict:
    return every(stacks.resources("aws_api_gateway_rest_api"), "aws_api_gateway_rest_api",
                 lambda api: expect(api, "endpoint_configuration.types", ["REGIONAL"], absent_means=["EDGE"]))


@check("A42", passing=[PLATFORM], failing=[changed(PLATFORM, API, "aws_api_gateway_method.api_vets", authorization="COGNITO_USER_POOLS"),
                                            added(PLATFORM, (API, "aws_api_gateway_authorizer.cognito", {"type": "COGNITO_USER_POOLS"}))])
def no_authentication(stacks: Stacks) -> Verdict:
    authorizers = stacks.resources("aws_api_gateway_authorizer")
    methods = every(stacks.resources("aws_api_gateway_method"), "aws_api_gateway_method",
                    lambda m: expect(m, "authorization", "NONE"))
    if authorizers:
        return combine([methods, failed("authorizers: " + ", ".join(a.where for a in authorizers))])
    return methods


def _method_settings(stacks: Stacks) -> list[Block]:
    return [s for s in stacks.resources("aws_api_gateway_method_settings") if s.body.get("method_path") == "*/*"]


@check("A43", passing=[PLATFORM], failing=[changed(PLATFORM, API, _SETTINGS, settings={"throttling_rate_limit": 100}),
                                            without(PLATFORM, API, _SETTINGS)])
def throttling(stacks: Stacks) -> Verdict:
    return every(_method_settings(stacks), "method settings for */*",
                 lambda s: expect(s, "settings.throttling_rate_limit", 1000))


@check("A44", passing=[PLATFORM], failing=[changed(PLATFORM, API, "aws_api_gateway_integration.api_genai", type="HTTP_PROXY",
                                                   uri="http://${data.terraform_remote_state.application.outputs.alb_dns_name}/genai"),
                                            changed(PLATFORM, API, "aws_api_gateway_integration.api_vets", uri="http://vets.example.com/{proxy}")])
def proxy_integrations(stacks: Stacks) -> Verdict:
    def to(type_: str, integration: Block) -> Verdict:
        targets = integration_targets(stacks, integration)
        names = ", ".join(t.where for t in targets) or show(integration.body.get("uri"))
        if any(t.type == type_ for t in targets):
            return passed(f"{integration.where} -> {names}")
        return failed(f"{integration.where} uri -> {names}, expected an {type_}")
    genai = {f.where for f in genai_functions(stacks)}
    to_lambda = [i for i in integrations(stacks, "AWS_PROXY") if {t.where for t in integration_targets(stacks, i)} & genai]
    return combine([every(integrations(stacks, "HTTP_PROXY"), "HTTP_PROXY integration", lambda i: to("aws_lb", i)),
                    every(to_lambda, "AWS_PROXY integration to the GenAI Lambda", lambda i: to("aws_lambda_function", i))])


@check("A45", passing=[PLATFORM], failing=[changed(PLATFORM, API, _SETTINGS, settings={"metrics_enabled": True, "logging_level": "OFF"}),
                                            changed(PLATFORM, API, "aws_api_gateway_stage.stage", access_log_settings=None)])
def monitoring_and_logging(stacks: Stacks) -> Verdict:
    def stage(block: Block) -> Verdict:
        destination = attribute(block.body, "access_log_settings.destination_arn")
        logs = [r.block for r in stacks.refs(block.layer, destination)] if isinstance(destination, str) else []
        if logs or (isinstance(destination, str) and destination.startswith("arn:")):
            return passed(f"{block.where} access logs -> {logs[0].where if logs else destination}")
        return failed(f"{block.where} has no access_log_settings (no access log)")
    settings = every(_method_settings(stacks), "method settings for */*", lambda s: combine([
        expect(s, "settings.metrics_enabled", True, absent_means=False),
        expect_that(s, "settings.logging_level", lambda v: v in ("INFO", "ERROR"), "INFO or ERROR (execution logs)")]))
    return combine([settings, every(stacks.resources("aws_api_gateway_stage"), "aws_api_gateway_stage", stage)])


@check("A46", passing=[PLATFORM], failing=[changed(PLATFORM, API, "aws_api_gateway_stage.stage", stage_name="v1")])
def stage_named_for_environment(stacks: Stacks) -> Verdict:
    wanted = stacks.environment() or "dev"
    return every(stacks.resources("aws_api_gateway_stage"), "aws_api_gateway_stage",
                 lambda s: expect(s, "stage_name", wanted))


_ROUTES = {"/api/customers": "aws_lb", "/api/vets": "aws_lb", "/api/visits": "aws_lb", "/admin": "aws_lb",
           "/api/genai": "aws_lambda_function"}


@check("A47", passing=[PLATFORM], failing=[without(PLATFORM, API, "aws_api_gateway_integration.api_visits"),
                                            changed(PLATFORM, API, "aws_api_gateway_integration.admin", type="AWS_PROXY",
                                                    uri="${data.terraform_remote_state.lambda_genai.outputs.lambda_function_invoke_arn}")])
def routes(stacks: Stacks) -> Verdict:
    by_path: dict[str, list[Block]] = {}
    for integration in stacks.resources("aws_api_gateway_integration"):
        by_path.setdefault(api_path(stacks, integration), []).append(integration)
    parts = []
    for prefix, target in _ROUTES.items():
        under = [i for path, found in by_path.items() if path == f"{prefix}/{{proxy+}}" for i in found]
        good = [i for i in under if any(t.type == target for t in integration_targets(stacks, i))]
        there = ", ".join(f"{i.where} {i.body.get('type')}" for i in under) or "nothing"
        parts.append(passed(f"{prefix}/* -> {good[0].where}") if good else
                     failed(f"no integration on {prefix}/{{proxy+}} to an {target} (there: {there})"))
    return combine(parts)
