"""Checks of §5.1 of the design: the Application Load Balancer, its listeners, target groups and
path rules (A34–A40)."""
from __future__ import annotations

from tools.design.checks import check
from tools.design.checks.finders import SERVICES, ecs_service, pointed, subnets_of_tier, tier_of
from tools.design.checks.fixtures_s03_s06 import APP
from tools.design.checks.fixtures_s03_s06_compute import COMPUTE
from tools.design.checks.primitives import attribute, changed, every, expect, show, without
from tools.design.stacks import Block, Stacks
from tools.design.verdict import Verdict, combine, failed, passed

_FORWARD_80 = changed(COMPUTE, APP, "aws_lb_listener.http", default_action=[
    {"type": "forward", "target_group_arn": "${aws_lb_target_group.customers.arn}"}])


def _albs(stacks: Stacks) -> list[Block]:
    return [lb for lb in stacks.resources("aws_lb") if lb.body.get("load_balancer_type", "application") == "application"]


def _listeners(stacks: Stacks, port: int) -> list[Block]:
    albs = {lb.where for lb in _albs(stacks)}
    return [listener for listener in stacks.resources("aws_lb_listener") if _int(listener.body.get("port")) == port
            and any(lb.where in albs for lb in pointed(stacks, listener, "load_balancer_arn", "aws_lb"))]


def _int(value: object) -> int:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return -1


@check("A34", passing=[COMPUTE], failing=[changed(COMPUTE, APP, "aws_lb.alb", internal=True),
                                           changed(COMPUTE, APP, "aws_lb.alb", load_balancer_type="network")])
def internet_facing_alb(stacks: Stacks) -> Verdict:
    return every(stacks.resources("aws_lb"), "aws_lb", lambda lb: combine([
        expect(lb, "load_balancer_type", "application", absent_means="application"),
        expect(lb, "internal", False, absent_means=False)]))


@check("A35", passing=[COMPUTE], failing=[changed(COMPUTE, APP, "aws_lb.alb", subnets="${values(data.terraform_remote_state.network.outputs.private_app_subnet_ids)}")])
def alb_in_two_public_subnets(stacks: Stacks) -> Verdict:
    public = {s.where for s in subnets_of_tier(stacks, "public")}

    def judge(lb: Block) -> Verdict:
        subnets = pointed(stacks, lb, "subnets", "aws_subnet")
        listed = ", ".join(f"{s.where} ({s.body.get('cidr_block')}, {tier_of(stacks, s) or 'no tier'})" for s in subnets) or "none"
        if len(public) >= 2 and {s.where for s in subnets} == public:
            return passed(f"{lb.where} subnets -> {listed}")
        return failed(f"{lb.where} subnets -> {listed}, expected the {len(public)} public subnets")
    return every(_albs(stacks), "application aws_lb", judge)


@check("A36", passing=[COMPUTE], failing=[_FORWARD_80, without(COMPUTE, APP, "aws_lb_listener.http")])
def http_redirects_to_https(stacks: Stacks) -> Verdict:
    def judge(listener: Block) -> Verdict:
        action = attribute(listener.body, "default_action.0")
        if isinstance(action, dict) and action.get("type") == "redirect":
            redirect = attribute(action, "redirect")
            if isinstance(redirect, dict) and str(redirect.get("port")) == "443" and redirect.get("protocol") == "HTTPS":
                return passed(f"{listener.where} port 80 redirects to HTTPS:443")
        return failed(f"{listener.where} port 80 default_action = {show(action)}, expected a redirect to HTTPS 443")
    return every(_listeners(stacks, 80), "ALB listener on port 80", judge)


def _certificate(stacks: Stacks, listener: Block) -> Verdict:
    value = listener.body.get("certificate_arn")
    if isinstance(value, str) and (value.startswith("arn:aws:acm:") or any(
            r.block.type.startswith("aws_acm_certificate") for r in stacks.refs(listener.layer, value))):
        return passed(f"{listener.where} HTTPS with certificate {value}")
    return failed(f"{listener.where} certificate_arn = {show(value) if value else '(not set)'}, expected an ACM certificate")


@check("A37", passing=[COMPUTE], failing=[without(COMPUTE, APP, "aws_lb_listener.https"),
                                           changed(COMPUTE, APP, "aws_lb_listener.https", certificate_arn=None)])
def https_listener(stacks: Stacks) -> Verdict:
    return every(_listeners(stacks, 443), "ALB listener on port 443",
                 lambda l: combine([expect(l, "protocol", "HTTPS"), _certificate(stacks, l)]))


def _groups_of(stacks: Stacks) -> dict[str, list[Block]] | Verdict:
    found: dict[str, list[Block]] = {}
    for key in SERVICES:
        service = ecs_service(stacks, key)
        if service is None:
            return failed(f"no aws_ecs_service named for {key}")
        found[key] = pointed(stacks, service, "load_balancer", "aws_lb_target_group")
    return found


@check("A38", passing=[COMPUTE], failing=[changed(COMPUTE, APP, "aws_ecs_service.vets", load_balancer=[
    {"target_group_arn": "${aws_lb_target_group.customers.arn}"}])])
def target_group_per_service(stacks: Stacks) -> Verdict:
    groups = _groups_of(stacks)
    if isinstance(groups, Verdict):
        return groups
    parts = [passed(f"{key}: {found[0].where}") if len(found) == 1 else failed(f"{key}: {len(found)} target groups")
             for key, found in groups.items()]
    owners: dict[str, list[str]] = {}
    for key, found in groups.items():
        for group in found:
            owners.setdefault(group.where, []).append(key)
    shared = {where: keys for where, keys in owners.items() if len(keys) > 1}
    parts += [failed(f"{where} is shared by {keys}") for where, keys in shared.items()]
    return combine(parts)


@check("A39", passing=[COMPUTE], failing=[changed(COMPUTE, APP, "aws_lb_target_group.admin", health_check={"path": "/admin/health"}),
                                           changed(COMPUTE, APP, "aws_lb_target_group.visits", health_check=None)])
def actuator_health_checks(stacks: Stacks) -> Verdict:
    groups = _groups_of(stacks)
    if isinstance(groups, Verdict):
        return groups
    return combine([every(found, f"target group of {key}", lambda g: _actuator(g)) for key, found in groups.items()])


def _actuator(group: Block) -> Verdict:
    path = attribute(group.body, "health_check.path")
    if isinstance(path, str) and path.endswith("/actuator/health"):
        return passed(f"{group.where} health_check.path = {path}")
    return failed(f"{group.where} health_check.path = {show(path)}, expected the service's /actuator/health")


_PATTERNS = {"customers": "/api/customers/*", "vets": "/api/vets/*", "visits": "/api/visits/*", "admin": "/admin/*"}


@check("A40", passing=[COMPUTE], failing=[without(COMPUTE, APP, "aws_lb_listener_rule.visits"),
                                           changed(COMPUTE, APP, "aws_lb_listener_rule.vets", action=[
                                               {"type": "forward", "target_group_arn": "${aws_lb_target_group.admin.arn}"}])])
def path_rules(stacks: Stacks) -> Verdict:
    groups = _groups_of(stacks)
    if isinstance(groups, Verdict):
        return groups
    parts = []
    for key, pattern in _PATTERNS.items():
        rules = [r for r in stacks.resources("aws_lb_listener_rule")
                 if any(pattern in (attribute(c, "path_pattern.values") or []) for c in r.body.get("condition", []) or [])]
        targets = {g.where for g in groups[key]}
        good = [r for r in rules if targets & {g.where for g in pointed(stacks, r, "action", "aws_lb_target_group")}]
        parts.append(passed(f"{pattern} -> {good[0].where}") if good else
                     failed(f"no listener rule sends {pattern} to the target group of {key}"
                            f" (rules with the pattern: {', '.join(r.where for r in rules) or 'none'})"))
    return combine(parts)
