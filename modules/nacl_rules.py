"""The network ACLs of §8.3 of the design as data: for each subnet tier, its numbered rules, derived
from the environment's subnets (no CIDR typed twice).

NACLs are stateless, so every allowed connection needs its reply allowed too: the ephemeral ports
(1024-65535) come back in or go out wherever a connection starts or ends. Traffic between two
subnets of one tier crosses the NACL as well (one subnet per AZ), hence the tier's own CIDRs.

- public (ALB, NAT gateways): 80/443 in from anywhere; the ALB forwards 8080/9090 to the app tier;
  the NAT gateways carry the app tier's HTTPS out (§3.4: image pulls and updates, 443 only).
- private app (ECS tasks, Lambda, VPC endpoints): 8080/9090 in from the public tier (the ALB), 443 in
  from the VPC (the endpoints' clients); out 443 (endpoints, NAT) and 3306 to the DB tier.
- private DB (Aurora): 3306 in from the app tier only; out only the replies to the app tier.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from ipaddress import IPv4Network

ANYWHERE = "0.0.0.0/0"
EPHEMERAL = (1024, 65535)
TIERS = ("public", "private_app", "private_db")


@dataclass(frozen=True)
class NaclRule:
    number: int
    egress: bool
    from_port: int
    to_port: int
    cidr: str
    protocol: str = "tcp"
    action: str = "allow"


@dataclass(frozen=True)
class TierCidrs:
    vpc: IPv4Network
    public: Sequence[IPv4Network]
    private_app: Sequence[IPv4Network]
    private_db: Sequence[IPv4Network]


def _numbered(egress: bool, entries: Sequence[tuple[tuple[int, int], str]]) -> list[NaclRule]:
    # Numbers step by 10 from 100 in each direction, leaving room for a rule in between.
    return [NaclRule(100 + 10 * i, egress, ports[0], ports[1], cidr) for i, (ports, cidr) in enumerate(entries)]


def _each(ports: tuple[int, int], cidrs: Sequence[IPv4Network]) -> list[tuple[tuple[int, int], str]]:
    return [(ports, str(c)) for c in cidrs]


def nacl_rules(cidrs: TierCidrs, service_ports: Sequence[int], database_port: int) -> dict[str, list[NaclRule]]:
    """Tier -> its rules, ingress then egress."""
    vpc = str(cidrs.vpc)
    ports = sorted(set(service_ports))
    db = (database_port, database_port)
    public_in = [((80, 80), ANYWHERE), ((443, 443), ANYWHERE), (EPHEMERAL, ANYWHERE)]
    public_out = [(EPHEMERAL, ANYWHERE), ((443, 443), ANYWHERE)] + [
        item for p in ports for item in _each((p, p), cidrs.private_app)]
    app_in = [item for p in ports for item in _each((p, p), cidrs.public)] + [((443, 443), vpc), (EPHEMERAL, ANYWHERE)]
    app_out = [((443, 443), ANYWHERE)] + _each(db, cidrs.private_db) + [(EPHEMERAL, vpc)]
    db_in = _each(db, cidrs.private_app)
    db_out = _each(EPHEMERAL, cidrs.private_app)
    return {
        "public": _numbered(False, public_in) + _numbered(True, public_out),
        "private_app": _numbered(False, app_in) + _numbered(True, app_out),
        "private_db": _numbered(False, db_in) + _numbered(True, db_out),
    }
