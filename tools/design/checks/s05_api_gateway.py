"""Checks of §5.2 and §11.2 of the design: the REST API, its authentication, throttling,
integrations, monitoring and logging, stage and routes (A41–A47)."""
from __future__ import annotations

from tools.design.checks import check
from tools.design.checks.finders import (api_path, certificate_names, covers, genai_functions, integration_targets,
                                         integrations, pointed, same, uri_host)
from tools.design.checks.fixtures_s03_s06 import API, APP
from tools.design.checks.fixtures_s03_s06_api import PLATFORM
from tools.design.checks.primitives import added, attribute, changed, every, expect, expect_that, show, without
from tools.design.stacks import Block, Stacks
from tools.design.verdict import Verdict, combine, failed, passed, unknown

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


_PLAIN = "http://${data.terraform_remote_state.application.outputs.alb_dns_name}"


_VPC_LINK = added(changed(PLATFORM, API, "aws_api_gateway_integration.api_vets", connection_type="VPC_LINK",
                          connection_id="${aws_apigatewayv2_vpc_link.alb.id}", uri="http://alb.internal/{proxy}",
                          integration_target="${data.terraform_remote_state.application.outputs.alb_arn}"),
                  (APP, "output.alb_arn", "${aws_lb.alb.arn}"))


@check("A44", passing=[PLATFORM, _VPC_LINK],
       failing=[changed(PLATFORM, API, "aws_api_gateway_integration.api_genai", type="HTTP_PROXY",
                        uri="http://${data.terraform_remote_state.application.outputs.alb_dns_name}/genai"),
                changed(PLATFORM, API, "aws_api_gateway_integration.api_vets", uri="http://vets.example.com/{proxy}"),
                changed(PLATFORM, API, "aws_api_gateway_integration.api_vets", uri=f"{_PLAIN}/api_vets/{{proxy}}"),
                changed(PLATFORM, API, "aws_api_gateway_integration.api_vets",
                        uri="https://${data.terraform_remote_state.application.outputs.alb_dns_name}/api_vets/{proxy}"),
                changed(PLATFORM, APP, "aws_acm_certificate.alb", domain_name="other.example.com")])
def proxy_integrations(stacks: Stacks) -> Verdict:
    def to(type_: str, integration: Block) -> Verdict:
        targets = integration_targets(stacks, integration)
        names = ", ".join(t.where for t in targets) or show(integration.body.get("uri"))
        if not any(t.type == type_ for t in targets):
            return failed(f"{integration.where} uri -> {names}, expected an {type_}")
        if type_ == "aws_lb":
            return _in_transit(stacks, integration, [t for t in targets if t.type == "aws_lb"], names)
        return passed(f"{integration.where} -> {names}")
    genai = {f.where for f in genai_functions(stacks)}
    to_lambda = [i for i in integrations(stacks, "AWS_PROXY") if {t.where for t in integration_targets(stacks, i)} & genai]
    return combine([every(integrations(stacks, "HTTP_PROXY"), "HTTP_PROXY integration", lambda i: to("aws_lb", i)),
                    every(to_lambda, "AWS_PROXY integration to the GenAI Lambda", lambda i: to("aws_lambda_function", i))])


def _in_transit(stacks: Stacks, integration: Block, balancers: list[Block], names: str) -> Verdict:
    """The ALB is reached privately (a VPC link) or over HTTPS at a name its listener's certificate
    covers (API Gateway verifies it: the ALB's own *.elb.amazonaws.com name is covered by none)."""
    body = integration.body
    if body.get("connection_type") == "VPC_LINK":
        return passed(f"{integration.where} -> {names} through a VPC link")
    uri, host = str(body.get("uri", "")), uri_host(body.get("uri"))
    if not uri.startswith("https://"):
        return failed(f"{integration.where} calls {names} over plain HTTP across the internet (uri = {uri})")
    if not host:
        return failed(f"{integration.where} uri = {uri}: HTTPS to the ALB's own DNS name, which no certificate "
                      "the ALB can hold covers (API Gateway verifies it)")
    listeners = [l for l in stacks.resources("aws_lb_listener") if l.body.get("protocol") == "HTTPS"
                 and any(same(b, lb) for lb in balancers for b in pointed(stacks, l, "load_balancer_arn", "aws_lb"))]
    if not listeners:
        return failed(f"{integration.where} calls https://{host}, but {names} has no HTTPS listener")
    certificates = [c for l in listeners for c in _certificates(stacks, l)]
    if any(covers(name, host) for c in certificates for name in certificate_names(c)):
        return passed(f"{integration.where} -> {names} over HTTPS at {host} (its certificate covers it)")
    if not certificates:
        return unknown(f"{integration.where} calls https://{host}; the listener's certificate is given by ARN, "
                       "whether it covers the name is known only in ACM")
    found = ", ".join(n for c in certificates for n in certificate_names(c))
    return failed(f"{integration.where} calls https://{host}, which the ALB's certificate ({found}) does not cover")


def _certificates(stacks: Stacks, listener: Block) -> list[Block]:
    """The aws_acm_certificate a listener serves, directly or through its validation resource."""
    direct = pointed(stacks, listener, "certificate_arn", "aws_acm_certificate")
    through = [c for v in pointed(stacks, listener, "certificate_arn", "aws_acm_certificate_validation")
               for c in pointed(stacks, v, "certificate_arn", "aws_acm_certificate")]
    return direct + through


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
