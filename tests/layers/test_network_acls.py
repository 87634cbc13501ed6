"""The 02-security design switches `security.network_acls` (§8.3) and `security.team_admin_group`
(A88), each way on the synthesized 02-security,
and the rules it derives from the subnets."""
from __future__ import annotations

from ipaddress import IPv4Network

from modules.nacl_rules import TierCidrs, nacl_rules
from tests.helpers import resources_of_type

LAYER = "02-security"
STAGING_APP = ["10.1.3.0/24", "10.1.4.0/24"]
STAGING_PUBLIC = ["10.1.1.0/24", "10.1.2.0/24"]


def _allowed(entries: list[dict]) -> set[tuple[int, int, str]]:
    return {(e["from_port"], e["to_port"], e["cidr_block"]) for e in entries if e["action"] == "allow"}


def test_as_deployed_there_is_no_network_acl(synthesized):
    assert resources_of_type(synthesized("dev").stack(LAYER), "aws_network_acl") == {}


def test_to_be_each_tier_has_its_acl_on_its_subnets(synthesized):
    acls = resources_of_type(synthesized("staging").stack(LAYER), "aws_network_acl")
    assert sorted(acls) == ["nacl_private_app", "nacl_private_db", "nacl_public"]
    for tier in ("public", "private_app", "private_db"):
        assert f"{tier}_subnet_ids" in str(acls[f"nacl_{tier}"]["subnet_ids"])


def test_to_be_the_db_tier_admits_3306_from_the_app_subnets_and_answers_only_them(synthesized):
    db = resources_of_type(synthesized("staging").stack(LAYER), "aws_network_acl")["nacl_private_db"]
    assert _allowed(db["ingress"]) == {(3306, 3306, c) for c in STAGING_APP}
    assert _allowed(db["egress"]) == {(1024, 65535, c) for c in STAGING_APP}


def test_to_be_the_app_tier_admits_the_service_ports_from_the_public_tier_only(synthesized):
    app = resources_of_type(synthesized("staging").stack(LAYER), "aws_network_acl")["nacl_private_app"]
    service = {r for r in _allowed(app["ingress"]) if r[0] in (8080, 9090)}
    assert service == {(p, p, c) for p in (8080, 9090) for c in STAGING_PUBLIC}
    assert (443, 443, "0.0.0.0/0") in _allowed(app["egress"])


def test_rule_numbers_are_unique_per_direction_and_follow_the_subnets():
    cidrs = TierCidrs(IPv4Network("10.9.0.0/16"), [IPv4Network("10.9.1.0/24")],
                      [IPv4Network("10.9.3.0/24"), IPv4Network("10.9.4.0/24"), IPv4Network("10.9.7.0/24")],
                      [IPv4Network("10.9.5.0/24")])
    rules = nacl_rules(cidrs, [8080, 9090], 3306)
    for tier, tier_rules in rules.items():
        for egress in (False, True):
            numbers = [r.number for r in tier_rules if r.egress == egress]
            assert len(numbers) == len(set(numbers)), tier
    assert {r.cidr for r in rules["private_db"] if not r.egress} == {"10.9.3.0/24", "10.9.4.0/24", "10.9.7.0/24"}


def test_the_team_admin_group_is_made_as_deployed_and_left_out_to_be(synthesized):
    """`security.team_admin_group` (A88): as deployed the IAM users and their AdministratorAccess group."""
    dev = synthesized("dev").stack(LAYER)
    attachments = resources_of_type(dev, "aws_iam_group_policy_attachment").values()
    assert [a["policy_arn"] for a in attachments] == ["arn:aws:iam::aws:policy/AdministratorAccess"]
    assert resources_of_type(dev, "aws_iam_user")
    staging = synthesized("staging").stack(LAYER)
    for rtype in ("aws_iam_user", "aws_iam_group", "aws_iam_group_policy_attachment"):
        assert resources_of_type(staging, rtype) == {}, rtype


def test_to_be_no_entry_states_an_empty_ipv6_cidr(synthesized):
    """The provider validates an entry's `ipv6_cidr_block` as a CIDR when set: "" fails the plan
    (`"" is not a valid CIDR block`, as the staging end-to-end run found); unset is Terraform's null."""
    for name, acl in resources_of_type(synthesized("staging").stack(LAYER), "aws_network_acl").items():
        for entry in acl["ingress"] + acl["egress"]:
            assert entry["ipv6_cidr_block"] == "${null}", (name, entry)
