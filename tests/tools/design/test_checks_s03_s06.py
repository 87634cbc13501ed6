"""Every check of §3–§6 (claims A01–A67) on its own small stacks, both ways, and a few on the real
synthesized dev and staging to prove they read real output."""
from __future__ import annotations

import pytest

from tools.design.checks import registered
from tools.design.stacks import Stacks

OWN = sorted(claim_id for claim_id in registered() if claim_id[0] == "A" and 1 <= int(claim_id[1:]) <= 67)
CASES = [(claim_id, way, i) for claim_id in OWN for way in ("passing", "failing")
         for i in range(len(getattr(registered()[claim_id], way)))]


@pytest.mark.parametrize(("claim_id", "way", "index"), CASES, ids=[f"{c}-{w}-{i}" for c, w, i in CASES])
def test_check_realized_passes_and_broken_fails(claim_id: str, way: str, index: int) -> None:
    registered_check = registered()[claim_id]
    verdict = registered_check(Stacks(getattr(registered_check, way)[index]))
    assert verdict.status == ("pass" if way == "passing" else "fail"), verdict.evidence
    assert verdict.evidence


def test_the_section_has_checks() -> None:
    assert len(OWN) >= 3


@pytest.fixture(scope="module")
def real(synthesized):
    return lambda env: Stacks.load(synthesized(env).outdir)


@pytest.mark.parametrize(("env", "claim_id", "status", "evidence"), [
    # dev as deployed: dual-stack, the DB subnets' IPv6 route, the bastion, rules across 02 and 07
    ("dev", "A04", "fail", "01-network aws_vpc.vpc assign_generated_ipv6_cidr_block = true, expected false"),
    ("dev", "A14", "fail", "01-network aws_route.vpc_private_db_0_ipv6_default: ::/0 -> "
                           "01-network aws_egress_only_internet_gateway.vpc_egress_only_gateway"),
    ("dev", "A08", "fail", "07-application aws_instance.debug"),
    ("dev", "A17", "pass", "8080 from the ALB security group: 07-application aws_security_group_rule.task_rules_alb_to_ecs"),
    ("dev", "A19", "fail", "ingress 3306 from 07-application aws_security_group.debug_sg"),
    ("dev", "A33", "pass", "SPRING_DATASOURCE_PASSWORD <- 03-database aws_rds_cluster.aurora (Secrets Manager)"),
    ("dev", "A51", "pass", "the ARN of 03-database aws_rds_cluster.aurora's master user secret"),
    ("dev", "A55", "pass", "05-cloud-map aws_service_discovery_service.cloud_map_admin name = admin"),
    ("dev", "A46", "fail", "stage_name = v1, expected dev"),
    # staging realizes the design through the profile's switches: IPv4 only, no bastion, Fargate Spot
    ("staging", "A04", "pass", "no aws_route to ::/0"),
    ("staging", "A08", "pass", "nothing else in them"),
    ("staging", "A23", "pass", "capacity_providers = ['FARGATE', 'FARGATE_SPOT']"),
    ("staging", "A05", "pass", "/24s inside the environment's own VPC ['10.1.0.0/16']"),
])
def test_checks_read_the_real_synthesis(real, env: str, claim_id: str, status: str, evidence: str) -> None:
    verdict = registered()[claim_id](real(env))
    assert verdict.status == status, verdict.evidence
    assert evidence in verdict.evidence
