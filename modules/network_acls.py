"""One network ACL per subnet tier (§8.3 of the design), its rules from `modules.nacl_rules`.

The ACLs are new (the original had a NACL module that no layer used): nothing is carried. Each
ACL takes over its tier's subnets from the VPC's default ACL (allow all) when it is created.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.network_acl import NetworkAcl, NetworkAclEgress, NetworkAclIngress
from constructs import Construct

from modules.nacl_rules import NaclRule
from modules.naming import Naming
from modules.origin import created


@dataclass(frozen=True)
class NetworkAclsProps:
    naming: Naming
    vpc_id: str
    subnet_ids: Mapping[str, Sequence[str]]     # tier -> its subnet ids
    rules: Mapping[str, Sequence[NaclRule]]     # tier -> its rules


# Terraform's null as an expression: null for the provider, a string (not a JSON null) in cdk.tf.json.
NULL_EXPRESSION = "${null}"


def _entry(rule: NaclRule, kind: type) -> object:
    # An inline NACL entry is an attribute of object type: every field is written, and cdktf writes
    # the unset ones as a JSON null, which scanners misread. The ICMP fields take the values the
    # provider stores for a TCP entry (0); the IPv6 CIDR cannot take its stored "" (the provider
    # rejects "" as a CIDR when it validates the configuration), so it is Terraform's `null`
    # expression ("${null}"): unset for the provider, no JSON null for the scanners.
    return kind(rule_no=rule.number, action=rule.action, protocol=rule.protocol,
                from_port=rule.from_port, to_port=rule.to_port, cidr_block=rule.cidr,
                icmp_type=0, icmp_code=0, ipv6_cidr_block=NULL_EXPRESSION)


class NetworkAcls(Construct):
    def __init__(self, scope: Construct, id: str, props: NetworkAclsProps):
        super().__init__(scope, id)
        self.acls: dict[str, NetworkAcl] = {}
        for tier, rules in sorted(props.rules.items()):
            name = f"{tier.replace('_', '-')}-nacl"
            self.acls[tier] = created(NetworkAcl(
                self, tier,
                vpc_id=props.vpc_id,
                subnet_ids=props.subnet_ids[tier],
                ingress=[_entry(r, NetworkAclIngress) for r in rules if not r.egress],
                egress=[_entry(r, NetworkAclEgress) for r in rules if r.egress],
                tags=props.naming.tags_for(name, Tier=tier),
            ), "the design's NACLs (§8.3): the original's NACL module was used by no layer")
