"""Design properties of 01-network (design document §3): tiers, routes, NAT, endpoints."""
from __future__ import annotations

import pytest

from settings import load_environment
from tests.conftest import ENVIRONMENTS
from tests.helpers import ref, referenced, resources_of_type

LAYER = "01-network"


def routes_of(stack: dict, table_address: str) -> list[dict]:
    return [r for r in resources_of_type(stack, "aws_route").values() if r["route_table_id"] == ref(table_address)]


def table_of_subnet(stack: dict, subnet_address: str) -> str:
    (assoc,) = [a for a in resources_of_type(stack, "aws_route_table_association").values()
                if a["subnet_id"] == ref(subnet_address)]
    return referenced(assoc["route_table_id"])


def subnets(stack: dict, tier: str) -> dict[str, dict]:
    return {f"aws_subnet.{name}": s for name, s in resources_of_type(stack, "aws_subnet").items()
            if s["tags"]["Tier"] == tier}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_private_db_subnets_have_no_route_to_an_internet_or_nat_gateway(synthesized, env):
    stack = synthesized(env).stack(LAYER)
    db = subnets(stack, "private-db")
    assert len(db) == len(load_environment(env).network.azs)
    for address in db:
        for route in routes_of(stack, table_of_subnet(stack, address)):
            assert "gateway_id" not in route and "nat_gateway_id" not in route, (address, route)
            assert "destination_cidr_block" not in route, "no IPv4 route out of the DB tier"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_public_subnets_default_route_goes_to_the_internet_gateway(synthesized, env):
    stack = synthesized(env).stack(LAYER)
    (igw,) = resources_of_type(stack, "aws_internet_gateway")
    public = subnets(stack, "public")
    assert len(public) == len(load_environment(env).network.azs) > 0
    for address, subnet in public.items():
        assert subnet["map_public_ip_on_launch"] is True
        defaults = [r for r in routes_of(stack, table_of_subnet(stack, address))
                    if r.get("destination_cidr_block") == "0.0.0.0/0"]
        assert [r["gateway_id"] for r in defaults] == [ref(f"aws_internet_gateway.{igw}")]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_one_nat_gateway_per_az_and_each_app_subnet_leaves_through_its_own(synthesized, env):
    stack = synthesized(env).stack(LAYER)
    azs = load_environment(env).network.azs
    nats = resources_of_type(stack, "aws_nat_gateway")
    public = subnets(stack, "public")
    assert len(nats) == len(azs)
    nat_az = {f"aws_nat_gateway.{n}": public[referenced(nat["subnet_id"])]["availability_zone"] for n, nat in nats.items()}
    assert sorted(nat_az.values()) == sorted(azs)
    for address, subnet in subnets(stack, "private-app").items():
        (default,) = [r for r in routes_of(stack, table_of_subnet(stack, address))
                      if r.get("destination_cidr_block") == "0.0.0.0/0"]
        assert nat_az[referenced(default["nat_gateway_id"])] == subnet["availability_zone"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_interface_endpoints_for_the_listed_services_in_the_app_subnets(synthesized, env):
    stack = synthesized(env).stack(LAYER)
    settings = load_environment(env)
    endpoints = resources_of_type(stack, "aws_vpc_endpoint")
    interface = {e["service_name"]: e for e in endpoints.values() if e["vpc_endpoint_type"] == "Interface"}
    # The listed services, and the GenAI function's two APIs while its egress is private (A20).
    extra = ("bedrock-runtime", "rds-data") if settings.lambda_genai.private_egress else ()
    assert set(interface) == {f"com.amazonaws.{settings.region}.{s}"
                              for s in (*settings.network.interface_endpoint_services, *extra)}
    app_subnets = sorted(ref(a) for a in subnets(stack, "private-app"))
    for endpoint in interface.values():
        assert endpoint["private_dns_enabled"] is True
        assert sorted(endpoint["subnet_ids"]) == app_subnets
    (s3,) = [e for e in endpoints.values() if e["vpc_endpoint_type"] == "Gateway"]
    assert s3["service_name"] == f"com.amazonaws.{settings.region}.s3"
    assert len(s3["route_table_ids"]) == 1 + 2 * len(settings.network.azs), "every route table reaches S3"


def test_endpoint_security_group_admits_only_https_from_the_vpc(synthesized):
    stack = synthesized("dev").stack(LAYER)
    (ingress,) = resources_of_type(stack, "aws_vpc_security_group_ingress_rule").values()
    assert (ingress["cidr_ipv4"], ingress["from_port"], ingress["to_port"], ingress["ip_protocol"]) == \
        ("10.0.0.0/16", 443, 443, "tcp")


@pytest.mark.parametrize("env,ipv6", [("dev", True), ("seoul", False)])
def test_ipv6_follows_the_environment(synthesized, env, ipv6):
    stack = synthesized(env).stack(LAYER)
    assert bool(resources_of_type(stack, "aws_egress_only_internet_gateway")) is ipv6
    assert all(s["assign_ipv6_address_on_creation"] is ipv6 for s in resources_of_type(stack, "aws_subnet").values())


def test_the_unused_random_id_leaves_the_state_without_being_destroyed(synthesized):
    stack = synthesized("dev").stack(LAYER)
    assert stack["removed"] == [{"from": "module.common.random_id.bucket_suffix", "lifecycle": {"destroy": False}}]


def test_no_timestamp_in_any_tag(synthesized):
    for rtype, items in synthesized("dev").stack(LAYER)["resource"].items():
        for name, body in items.items():
            assert "timestamp" not in str(body.get("tags", {})), f"{rtype}.{name}"
            assert "CreatedAt" not in body.get("tags", {})
