"""Checks of §3.4 of the design: the security groups of the ALB, the ECS services, Aurora and the
GenAI Lambda (A15–A20). Each group is found through what uses it, so a rule on a group nobody
attaches counts for nothing."""
from __future__ import annotations

from tools.design.checks import check
from tools.design.checks.finders import (Rule, alb_groups, aurora_groups, ecs_groups, endpoint_groups, endpoint_services,
                                         lambda_groups, rules_of)
from tools.design.checks.fixtures_s03_s06 import AI, APP, GROUPS, NET, SEC
from tools.design.checks.primitives import added, changed, without
from tools.design.stacks import Block, Stacks
from tools.design.verdict import Verdict, combine, failed, passed

_IPV6_ANY = added(GROUPS, (APP, "aws_vpc_security_group_ingress_rule.alb_80_ipv6", {
    "security_group_id": "${aws_security_group.alb.id}", "ip_protocol": "tcp", "from_port": 80, "to_port": 80,
    "cidr_ipv6": "::/0"}))


def _groups(found: list[Block], what: str) -> Verdict | None:
    return None if found else failed(f"found no {what} security group (none is attached to {what})")


def _listed(rules: list[Rule]) -> str:
    return "; ".join(r.describe() for r in rules) or "no rules"


@check("A15", passing=[GROUPS], failing=[without(GROUPS, APP, "aws_vpc_security_group_ingress_rule.alb_443"), _IPV6_ANY])
def alb_ingress(stacks: Stacks) -> Verdict:
    groups = alb_groups(stacks)
    missing = _groups(groups, "ALB")
    if missing:
        return missing
    ingress = rules_of(stacks, groups, "ingress")
    parts = []
    for port in (80, 443):
        open_to_all = [r for r in ingress if r.covers(port) and "0.0.0.0/0" in r.cidrs]
        parts.append(passed(f"{port} from 0.0.0.0/0: {open_to_all[0].where}") if open_to_all
                     else failed(f"no ingress {port} from 0.0.0.0/0 on {', '.join(g.where for g in groups)}"))
    # The design lists two ports from one source; anything else admitted is beyond it.
    extra = [r for r in ingress if r.protocol in ("-1", "all") or (r.from_port, r.to_port) not in ((80, 80), (443, 443))
             or set(r.cidrs) != {"0.0.0.0/0"} or r.peers]
    parts.append(failed(f"beyond 80/443 from 0.0.0.0/0: {_listed(extra)}") if extra else passed("nothing else admitted"))
    return combine(parts)


@check("A16", passing=[GROUPS], failing=[changed(GROUPS, APP, "aws_vpc_security_group_egress_rule.alb_to_ecs",
                                                 referenced_security_group_id=None, cidr_ipv4="0.0.0.0/0", ip_protocol="-1"),
                                         without(GROUPS, APP, "aws_vpc_security_group_egress_rule.alb_to_ecs")])
def alb_egress_to_ecs(stacks: Stacks) -> Verdict:
    groups, ecs = alb_groups(stacks), {g.where for g in ecs_groups(stacks)}
    missing = _groups(groups, "ALB") or _groups(ecs_groups(stacks), "ECS service")
    if missing:
        return missing
    egress = rules_of(stacks, groups, "egress")
    if not egress:
        return failed(f"{', '.join(g.where for g in groups)} has no egress rule (none to the ECS security group)")
    elsewhere = [r for r in egress if r.cidrs or not set(r.peers) <= ecs or not r.peers]
    if elsewhere:
        return failed(f"ALB egress beyond the ECS security group: {_listed(elsewhere)}")
    return passed(f"ALB egress only to the ECS security group: {_listed(egress)}")


@check("A17", passing=[GROUPS], failing=[without(GROUPS, APP, "aws_security_group_rule.ecs_from_alb_9090"),
                                         changed(GROUPS, APP, "aws_security_group_rule.ecs_from_alb_8080",
                                                 source_security_group_id=None, cidr_blocks=["0.0.0.0/0"])])
def ecs_ingress_from_alb(stacks: Stacks) -> Verdict:
    groups, albs = ecs_groups(stacks), {g.where for g in alb_groups(stacks)}
    missing = _groups(groups, "ECS service") or _groups(alb_groups(stacks), "ALB")
    if missing:
        return missing
    ingress = rules_of(stacks, groups, "ingress")
    parts = []
    for port in (8080, 9090):
        from_alb = [r for r in ingress if r.covers(port) and albs & set(r.peers)]
        parts.append(passed(f"{port} from the ALB security group: {from_alb[0].where}") if from_alb
                     else failed(f"no ingress {port} from the ALB security group on {', '.join(g.where for g in groups)}"))
    # §3.4 admits the service ports from the ALB only: a task-to-task or CIDR rule is beyond it.
    other = [r for r in ingress if r.cidrs or not set(r.peers) <= albs]   # no peer: the id is known at plan only
    parts.append(failed(f"ECS also admits: {_listed(other)}") if other else passed("no other source"))
    return combine(parts)


# The reading (see the claim): 3306 to Aurora and HTTPS (VPC endpoints, ECR through the NAT of §3.3);
# nothing else (no task-to-task ports: §3.4 admits those from the ALB only).
def _allowed_ecs_egress(rule: Rule, aurora: set[str]) -> bool:
    if rule.protocol in ("-1", "all"):
        return False
    ports = (rule.from_port, rule.to_port)
    if ports == (3306, 3306) and set(rule.peers) <= aurora and rule.peers and not rule.cidrs:
        return True
    return ports == (443, 443)


@check("A18", passing=[GROUPS], failing=[without(GROUPS, SEC, "aws_vpc_security_group_egress_rule.ecs_to_aurora"),
                                         changed(GROUPS, SEC, "aws_vpc_security_group_egress_rule.ecs_https", from_port=80, to_port=80)])
def ecs_egress_to_aurora(stacks: Stacks) -> Verdict:
    groups = ecs_groups(stacks)
    aurora = {g.where for g in aurora_groups(stacks)}
    missing = _groups(groups, "ECS service") or _groups(aurora_groups(stacks), "Aurora")
    if missing:
        return missing
    egress = rules_of(stacks, groups, "egress")
    to_aurora = [r for r in egress if r.covers(3306) and aurora & set(r.peers)]
    beyond = [r for r in egress if not _allowed_ecs_egress(r, aurora)]
    return combine([
        passed(f"3306 to Aurora: {to_aurora[0].where}") if to_aurora else failed("no egress 3306 to the Aurora security group"),
        failed(f"ECS egress beyond Aurora and HTTPS: {_listed(beyond)}") if beyond
        else passed("no other egress")])


@check("A19", passing=[GROUPS], failing=[
    changed(GROUPS, SEC, "aws_vpc_security_group_ingress_rule.aurora_from_ecs", referenced_security_group_id=None,
            cidr_ipv4="10.0.0.0/16"),
    added(GROUPS, (APP, "aws_security_group.bastion", {"name": "bastion"}),
          (APP, "aws_security_group_rule.bastion_to_db", {
              "type": "ingress", "protocol": "tcp", "from_port": 3306, "to_port": 3306,
              "security_group_id": "${data.terraform_remote_state.security.outputs.aurora_security_group_id}",
              "source_security_group_id": "${aws_security_group.bastion.id}"}))])
def aurora_only_from_ecs(stacks: Stacks) -> Verdict:
    groups, ecs = aurora_groups(stacks), {g.where for g in ecs_groups(stacks)}
    missing = _groups(groups, "Aurora") or _groups(ecs_groups(stacks), "ECS service")
    if missing:
        return missing
    ingress = rules_of(stacks, groups, "ingress")
    from_ecs = [r for r in ingress if r.covers(3306) and ecs & set(r.peers)]
    other = [r for r in ingress if r.cidrs or not r.peers or not set(r.peers) <= ecs or (r.from_port, r.to_port) != (3306, 3306)]
    return combine([
        passed(f"3306 from ECS: {', '.join(r.where for r in from_ecs)}") if from_ecs
        else failed(f"no ingress 3306 from the ECS security group on {', '.join(g.where for g in groups)}"),
        failed(f"Aurora also admits: {_listed(other)}") if other else passed("no other source")])


# The APIs the GenAI function calls over HTTPS (functions/genai: bedrock-runtime, rds-data).
LAMBDA_APIS = ("bedrock-runtime", "rds-data")
_LAMBDA_443_ANYWHERE = changed(GROUPS, AI, "aws_security_group_rule.lambda_to_endpoints", source_security_group_id=None,
                               cidr_blocks=["0.0.0.0/0"])


@check("A20", passing=[GROUPS],
       failing=[without(GROUPS, AI, "aws_security_group_rule.lambda_to_aurora"),
                changed(GROUPS, AI, "aws_security_group_rule.lambda_to_aurora", source_security_group_id=None,
                        cidr_blocks=["10.0.0.0/16"]),
                _LAMBDA_443_ANYWHERE,
                added(GROUPS, (AI, "aws_security_group_rule.lambda_dns", {
                    "type": "egress", "security_group_id": "${aws_security_group.lambda.id}", "protocol": "udp",
                    "from_port": 53, "to_port": 53, "cidr_blocks": ["0.0.0.0/0"]})),
                without(GROUPS, NET, "aws_vpc_endpoint.rds_data")])
def lambda_egress(stacks: Stacks) -> Verdict:
    groups, aurora = lambda_groups(stacks), {g.where for g in aurora_groups(stacks)}
    endpoints = {g.where for g in endpoint_groups(stacks)}
    missing = _groups(groups, "GenAI Lambda") or _groups(aurora_groups(stacks), "Aurora")
    if missing:
        return missing
    egress = rules_of(stacks, groups, "egress")
    to_aurora = [r for r in egress if (r.from_port, r.to_port) == (3306, 3306) and r.peers and set(r.peers) <= aurora
                 and not r.cidrs]
    to_endpoints = [r for r in egress if (r.from_port, r.to_port) == (443, 443) and r.peers
                    and set(r.peers) <= endpoints and not r.cidrs]
    beyond = [r for r in egress if r not in to_aurora and r not in to_endpoints]
    absent = [s for s in LAMBDA_APIS if s not in endpoint_services(stacks)]
    return combine([
        passed(f"3306 to Aurora: {to_aurora[0].where}") if to_aurora
        else failed(f"no egress 3306 to the Aurora security group on {', '.join(g.where for g in groups)}"),
        passed(f"443 to the VPC endpoints: {to_endpoints[0].where}") if to_endpoints
        else failed("no egress 443 to the VPC endpoints' security group (Bedrock, the RDS Data API)"),
        failed(f"Lambda egress beyond 3306 to Aurora and 443 to the endpoints: {_listed(beyond)}") if beyond
        else passed("no other egress"),
        failed(f"no Interface endpoint for {', '.join(absent)}: the function's HTTPS reaches only the endpoints")
        if absent else passed(f"endpoints for {', '.join(LAMBDA_APIS)}")])
