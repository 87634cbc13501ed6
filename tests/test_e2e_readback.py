"""The claims the end-to-end run reads back from the local AWS (tools/e2e/readback.py), and the Route 53
zone it seeds with the id the environment's settings name (tools/e2e/moto_launch.py): against a moto
server made here with boto3, without terraform."""
from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from settings import load_environment
from tools.e2e.account import hosted_zones, public_hosted_zones
from tools.e2e.moto_server import MotoServer
from tools.e2e.readback import READ_BACKS, ReadBackResult, markdown, read_back
from tools.e2e.report import verdict
from tools.e2e.results import RunReport
from tools.e2e.state import State

STAGING = load_environment("staging")


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory):
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with MotoServer(Path(log), hosted_zones=hosted_zones(STAGING)) as server:
        yield server


def clients_of(url: str):
    def client(service: str, region: str | None = None):
        return boto3.session.Session().client(
            service, endpoint_url=url, region_name=region or STAGING.region, aws_access_key_id="test",
            aws_secret_access_key="test", config=Config(proxies={}, retries={"max_attempts": 1}))
    return client


def _state(layer: str, rtype: str, name: str, **attributes) -> State:
    return State(layer, {"resources": [{"mode": "managed", "type": rtype, "name": name,
                                        "instances": [{"attributes": attributes}]}]})


def test_the_zone_named_by_the_settings_is_made_with_that_id(moto):
    assert hosted_zones(STAGING) == {"staging.petclinic.example.com": "Z0PLACEHOLDERSTAGING"}
    assert hosted_zones(load_environment("dev")) == {}   # dev names no zone: nothing seeded
    client = clients_of(moto.url)
    public_hosted_zones(client, STAGING)
    zone = client("route53").get_hosted_zone(Id="Z0PLACEHOLDERSTAGING")["HostedZone"]
    assert zone["Name"] == "staging.petclinic.example.com."


def test_a_vpc_with_dns_on_is_confirmed_and_one_without_fails_the_run(moto):
    ec2 = clients_of(moto.url)("ec2")
    on = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    for attribute in ("EnableDnsHostnames", "EnableDnsSupport"):
        ec2.modify_vpc_attribute(VpcId=on, **{attribute: {"Value": True}})
    off = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=off, EnableDnsHostnames={"Value": False})
    vpc_check = [rb for rb in READ_BACKS if rb.claim == "A03"]
    good = read_back(clients_of(moto.url), STAGING, [_state("01-network", "aws_vpc", "vpc", id=on)], {"A03": "pass"}, vpc_check)
    bad = read_back(clients_of(moto.url), STAGING, [_state("01-network", "aws_vpc", "vpc", id=off)], {"A03": "pass"}, vpc_check)
    assert [r.outcome for r in good] == ["confirmed"] and "enableDnsHostnames True" in good[0].read
    assert [r.outcome for r in bad] == ["FAILED"] and "enableDnsHostnames False" in bad[0].read
    report = RunReport("staging", read_backs=bad)
    assert any(reason.startswith("A03 passes the design check") for reason in verdict(report)[1])
    assert not any(reason.startswith("A03") for reason in verdict(RunReport("staging", read_backs=good))[1])


def test_the_db_nacl_must_admit_3306_from_the_app_subnets_and_nothing_else(moto):
    ec2 = clients_of(moto.url)("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    for number, cidr in enumerate(STAGING.network.private_app_subnet_cidrs, start=100):
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=number, Protocol="6", RuleAction="allow", Egress=False,
                                     CidrBlock=str(cidr), PortRange={"From": 3306, "To": 3306})
    db_check = [rb for rb in READ_BACKS if rb.claim == "A92"]
    state = [_state("02-security", "aws_network_acl", "nacl_private_db", id=acl)]
    assert [r.outcome for r in read_back(clients_of(moto.url), STAGING, state, {"A92": "pass"}, db_check)] == ["confirmed"]
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=200, Protocol="6", RuleAction="allow", Egress=False,
                                 CidrBlock="0.0.0.0/0", PortRange={"From": 22, "To": 22})
    (result,) = read_back(clients_of(moto.url), STAGING, state, {"A92": "pass"}, db_check)
    assert result.outcome == "FAILED" and "0.0.0.0/0" in result.read


def test_an_environment_as_deployed_agrees_where_the_design_check_fails_the_claim():
    assert ReadBackResult("A36", "07", "x", "api", "e", False, "r", "fail").outcome == "agrees"
    assert ReadBackResult("A36", "07", "x", "api", "e", True, "r", "fail").outcome == "differs"
    assert ReadBackResult("A36", "-", "-", "api", "e", None, "r", "pass").outcome == "not applied"
    verdict_reasons = verdict(RunReport("dev", read_backs=[ReadBackResult("A36", "07", "x", "a", "e", False, "r", "fail")]))[1]
    assert not any(reason.startswith("A36") for reason in verdict_reasons)


def test_a_type_nothing_applied_is_not_applied_and_every_entry_names_a_claim_and_an_api(moto):
    results = read_back(clients_of(moto.url), STAGING, [], {"A03": "pass"})
    assert {r.outcome for r in results} == {"not applied"}
    for rb in READ_BACKS:
        assert rb.claim[0] in "AD" and ":" in rb.api and rb.rtype.startswith("aws_")
    lines = markdown(results, "staging to-be: 131 pass")
    assert "| claim | design check | layer | object | API | expects | read | result |" in lines
