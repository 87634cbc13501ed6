"""Checks of claims of §6.2 / §11.2 that design-vs-original.md did not list: discovery by plain DNS
(D03) and the Cloud Map namespace attached to the platform's VPC (D04)."""
from __future__ import annotations

from tools.design.checks import check
from tools.design.checks.common_s07_s14 import referenced_resources
from tools.design.checks.primitives import changed, every, fixture, remote_state
from tools.design.stacks import Block, Stacks
from tools.design.verdict import Verdict, failed, passed

MAP, NET = "05-cloud-map", "01-network"
NAMESPACE = "aws_service_discovery_private_dns_namespace.ns"
CLOUD_MAP = fixture(
    (NET, "aws_vpc.vpc", {"cidr_block": "10.0.0.0/16"}), (NET, "output.vpc_id", "${aws_vpc.vpc.id}"),
    remote_state(MAP, "network", NET),
    (MAP, NAMESPACE, {"name": "petclinic.local", "vpc": "${data.terraform_remote_state.network.outputs.vpc_id}"}),
    *[(MAP, f"aws_service_discovery_service.{s}", {"name": s, "dns_config": {
        "namespace_id": "${aws_service_discovery_private_dns_namespace.ns.id}", "dns_records": [{"ttl": 60, "type": "A"}]}})
      for s in ("customers", "vets", "visits", "admin")])
NOTHING = fixture((NET, "aws_vpc.vpc", {"cidr_block": "10.0.0.0/16"}))


@check("D03", passing=[CLOUD_MAP], failing=[
    changed(CLOUD_MAP, MAP, "aws_service_discovery_service.vets", dns_config=None),
    changed(CLOUD_MAP, MAP, "aws_service_discovery_service.visits", dns_config={
        "namespace_id": "${aws_service_discovery_private_dns_namespace.ns.id}", "dns_records": [{"ttl": 60, "type": "SRV"}]}),
    NOTHING])
def discovery_by_dns(stacks: Stacks) -> Verdict:
    def judge(service: Block) -> Verdict:
        config = service.body.get("dns_config") or {}
        config = config[0] if isinstance(config, list) and config else config
        namespaces = referenced_resources(stacks, service.layer, config.get("namespace_id"), "aws_service_discovery_private_dns_namespace")
        types = [r.get("type") for r in config.get("dns_records", []) or []]
        if not namespaces:
            return failed(f"{service.where} has no dns_config in a private DNS namespace")
        if "A" not in types:
            return failed(f"{service.where} dns_records types = {types}, expected an A record (a plain DNS query answers)")
        return passed(f"{service.where} {service.body.get('name')}.{namespaces[0].body.get('name')} -> A records")
    return every(stacks.resources("aws_service_discovery_service"), "aws_service_discovery_service", judge)


@check("D04", passing=[CLOUD_MAP], failing=[changed(CLOUD_MAP, MAP, NAMESPACE, vpc="vpc-0123456789abcdef0"), NOTHING])
def namespace_in_the_vpc(stacks: Stacks) -> Verdict:
    def judge(namespace: Block) -> Verdict:
        vpcs = referenced_resources(stacks, namespace.layer, namespace.body.get("vpc"), "aws_vpc")
        if not vpcs:
            return failed(f"{namespace.where} vpc = {namespace.body.get('vpc')}: not the platform's aws_vpc")
        return passed(f"{namespace.where} vpc -> {vpcs[0].where}")
    return every(stacks.resources("aws_service_discovery_private_dns_namespace"), "aws_service_discovery_private_dns_namespace", judge)
