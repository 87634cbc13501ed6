"""Checks of §8.3 of the design: one network ACL per subnet tier, with the tier's rules (A90–A92).

A NACL belongs to a tier when its subnet_ids read that tier's subnets (the output
`<tier>_subnet_ids` of 01-network, or its aws_subnet resources). Rules are read from inline
`ingress`/`egress` blocks and from aws_network_acl_rule resources.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tools.design.checks import check
from tools.design.checks.common_s07_s14 import points_at, referenced_resources
from tools.design.checks.primitives import changed, fixture, without
from tools.design.stacks import Block, Stacks
from tools.design.verdict import Verdict, combine, failed, passed

SEC, NET = "02-security", "01-network"


@dataclass(frozen=True)
class Rule:
    where: str
    egress: bool
    action: str
    from_port: int
    to_port: int
    cidr: str


def _rules(stacks: Stacks, acl: Block) -> list[Rule]:
    rules = []
    for direction in ("ingress", "egress"):
        for i, rule in enumerate(acl.body.get(direction, []) or []):
            rules.append(Rule(f"{acl.where} {direction}[{i}]", direction == "egress", str(rule.get("action", "")).lower(),
                              int(rule.get("from_port", 0)), int(rule.get("to_port", 0)), str(rule.get("cidr_block", ""))))
    for rule in stacks.resources("aws_network_acl_rule"):
        if points_at(stacks, rule.layer, rule.body.get("network_acl_id"), acl):
            rules.append(Rule(rule.where, bool(rule.body.get("egress", False)), str(rule.body.get("rule_action", "")).lower(),
                              int(rule.body.get("from_port", 0)), int(rule.body.get("to_port", 0)), str(rule.body.get("cidr_block", ""))))
    return rules


def _tier_acls(stacks: Stacks, tier: str) -> list[Block]:
    """NACLs whose subnets are the tier's: by the output name they read, or the subnets' names."""
    found = []
    for acl in stacks.resources("aws_network_acl"):
        subnets: Any = acl.body.get("subnet_ids")
        if f"{tier}_subnet_ids" in str(subnets):
            found.append(acl)
        elif any(tier in s.address for s in referenced_resources(stacks, acl.layer, subnets, "aws_subnet")):
            found.append(acl)
    return found


def _allows(rules: list[Rule], egress: bool, port: int, cidr: str | None = None) -> Rule | None:
    for rule in rules:
        if rule.egress == egress and rule.action == "allow" and rule.from_port <= port <= rule.to_port \
                and (cidr is None or rule.cidr == cidr):
            return rule
    return None


def _tier(stacks: Stacks, tier: str, needs: list[tuple[str, bool, int, str | None]]) -> Verdict:
    acls = _tier_acls(stacks, tier)
    if not acls:
        return failed(f"no aws_network_acl on the {tier} subnets (found {len(stacks.resources('aws_network_acl'))} aws_network_acl)")
    parts = []
    for acl in acls:
        rules = _rules(stacks, acl)
        for what, egress, port, cidr in needs:
            rule = _allows(rules, egress, port, cidr)
            parts.append(passed(f"{what}: {rule.where}") if rule else failed(f"{acl.where} has no rule allowing {what}"))
    return combine(parts)


def _acl(tier: str, ingress: list[dict], egress: list[dict]) -> tuple[str, str, dict]:
    return (SEC, f"aws_network_acl.{tier}", {
        "subnet_ids": f"${{values(data.terraform_remote_state.network.outputs.{tier}_subnet_ids)}}",
        "ingress": ingress, "egress": egress})


def _rule(number: int, port: int, to: int | None = None, cidr: str = "0.0.0.0/0") -> dict:
    return {"rule_no": number, "action": "allow", "protocol": "tcp", "from_port": port, "to_port": to or port, "cidr_block": cidr}


NACLS = fixture(
    _acl("public", [_rule(100, 80), _rule(110, 443), _rule(120, 1024, 65535)], [_rule(100, 1024, 65535), _rule(110, 8080, 9090, "10.0.0.0/16")]),
    _acl("private_app", [_rule(100, 8080, cidr="10.0.0.0/16"), _rule(110, 9090, cidr="10.0.0.0/16"), _rule(120, 1024, 65535)],
         [_rule(100, 443, cidr="10.0.0.0/16"), _rule(110, 3306, cidr="10.0.0.0/16"), _rule(120, 1024, 65535)]),
    (SEC, "aws_network_acl.private_db", {"subnet_ids": "${values(data.terraform_remote_state.network.outputs.private_db_subnet_ids)}"}),
    (SEC, "aws_network_acl_rule.db_from_app_a", {"network_acl_id": "${aws_network_acl.private_db.id}", "rule_number": 100,
                                                 "egress": False, "protocol": "tcp", "rule_action": "allow",
                                                 "cidr_block": "10.0.3.0/24", "from_port": 3306, "to_port": 3306}),
    (SEC, "aws_network_acl_rule.db_from_app_b", {"network_acl_id": "${aws_network_acl.private_db.id}", "rule_number": 110,
                                                 "egress": False, "protocol": "tcp", "rule_action": "allow",
                                                 "cidr_block": "10.0.4.0/24", "from_port": 3306, "to_port": 3306}),
    (SEC, "aws_network_acl_rule.db_replies", {"network_acl_id": "${aws_network_acl.private_db.id}", "rule_number": 100,
                                              "egress": True, "protocol": "tcp", "rule_action": "allow",
                                              "cidr_block": "10.0.0.0/16", "from_port": 1024, "to_port": 65535}),
)
NO_NACL = fixture((NET, "aws_vpc.vpc", {"cidr_block": "10.0.0.0/16"}))


@check("A90", passing=[NACLS], failing=[without(NACLS, SEC, "aws_network_acl.public"), NO_NACL,
                                         changed(NACLS, SEC, "aws_network_acl.public", ingress=[_rule(100, 80)])])
def public_nacl(stacks: Stacks) -> Verdict:
    return _tier(stacks, "public", [("HTTP in", False, 80, None), ("HTTPS in", False, 443, None),
                                    ("ephemeral ports out", True, 1024, None)])


@check("A91", passing=[NACLS], failing=[without(NACLS, SEC, "aws_network_acl.private_app"), NO_NACL,
                                         changed(NACLS, SEC, "aws_network_acl.private_app", egress=[])])
def private_app_nacl(stacks: Stacks) -> Verdict:
    return _tier(stacks, "private_app", [("8080 in", False, 8080, None), ("9090 in", False, 9090, None),
                                         ("HTTPS out to the VPC endpoints", True, 443, None)])


def private_db_needs(stacks: Stacks) -> list[tuple[str, bool, int, str | None]]:
    cidrs = sorted({str(s.body.get("cidr_block")) for s in stacks.resources("aws_subnet") if "private_app" in s.address})
    return [(f"3306 in from {cidr}", False, 3306, cidr) for cidr in cidrs or ["10.0.3.0/24", "10.0.4.0/24"]]


@check("A92", passing=[NACLS], failing=[without(NACLS, SEC, "aws_network_acl_rule.db_from_app_b"), NO_NACL,
                                         changed(NACLS, SEC, "aws_network_acl.private_db",
                                                 egress=[_rule(100, 0, 65535)])])
def private_db_nacl(stacks: Stacks) -> Verdict:
    # "Limited outbound": no allow-all egress to the internet from the DB tier.
    verdict = _tier(stacks, "private_db", private_db_needs(stacks))
    open_out = [r for acl in _tier_acls(stacks, "private_db") for r in _rules(stacks, acl)
                if r.egress and r.action == "allow" and r.cidr in ("0.0.0.0/0", "::/0")]
    return combine([verdict] + [failed(f"{r.where} allows egress to {r.cidr} ({r.from_port}-{r.to_port})") for r in open_out])
