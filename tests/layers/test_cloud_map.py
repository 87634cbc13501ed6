"""Design properties of 05-cloud-map, on the session's shared synthesis."""
from __future__ import annotations

import pytest

from settings import load_environment
from tests.conftest import ENVIRONMENTS, REFERENCE_ENVIRONMENTS
from tests.helpers import ref, resource, resources_of_type

LAYER = "05-cloud-map"
NAMESPACE = "aws_service_discovery_private_dns_namespace.cloud_map"
MICROSERVICES = ["admin", "customers", "vets", "visits"]


@pytest.mark.parametrize("env,namespace", [("dev", "petclinic.local"), ("seoul", "petclinic-seoul.local"),
                                           ("staging", "petclinic.local"), ("prod", "petclinic.local")])
def test_namespace_is_private_to_the_environments_vpc(synthesized, env, namespace):
    stack = synthesized(env).stack(LAYER)
    config = resource(stack, NAMESPACE)
    assert config["name"] == namespace
    assert config["vpc"] == "${data.terraform_remote_state.network.outputs.vpc_id}"
    network = stack["data"]["terraform_remote_state"]["network"]["config"]
    assert network["key"] == f"{load_environment(env).environment}/01-network/terraform.tfstate"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_microservice_is_registered_in_the_namespace(synthesized, env):
    services = resources_of_type(synthesized(env).stack(LAYER), "aws_service_discovery_service")
    assert sorted(s["name"] for s in services.values()) == MICROSERVICES
    for config in services.values():
        assert config["dns_config"]["namespace_id"] == ref(NAMESPACE)


@pytest.mark.parametrize("env", REFERENCE_ENVIRONMENTS)  # as deployed; the to-be side: tests/layers/test_to_be_part2.py
def test_services_answer_multivalue_a_records_with_a_sixty_second_ttl_and_no_health_check(synthesized, env):
    for config in resources_of_type(synthesized(env).stack(LAYER), "aws_service_discovery_service").values():
        dns = config["dns_config"]
        assert dns["routing_policy"] == "MULTIVALUE"
        assert dns["dns_records"] == [{"ttl": 60, "type": "A"}]
        assert "health_check_config" not in config and "health_check_custom_config" not in config


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_dns_names_output_is_service_dot_namespace(synthesized, env):
    namespace = load_environment(env).cloud_map.namespace
    outputs = synthesized(env).stack(LAYER)["output"]
    assert outputs["service_dns_names"]["value"] == {s: f"{s}.{namespace}" for s in MICROSERVICES}
    assert outputs["service_ids"]["value"] == {
        s: ref(f"aws_service_discovery_service.cloud_map_{s}") for s in MICROSERVICES}
