"""The deployed state is kept: every managed instance of the original layer (the fixture, written
from the reference plans by `tools/original_fixture.py`) lands on a resource of the same type in
the synthesized stack, at its own address or where a `moved` block sends it, with the same identity
values (the attributes whose change would make Terraform replace the resource)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from layers import LAYERS
from tests.conftest import REFERENCE_ENVIRONMENTS
from tests.helpers import addresses, moves, resource

FIXTURES = Path(__file__).parent / "fixtures" / "original"

# Attributes that name or place a resource: a different value means a replacement.
IDENTITY = {
    "name", "name_prefix", "cidr_block", "availability_zone", "domain", "service_name", "vpc_endpoint_type",
    "destination_cidr_block", "destination_ipv6_cidr_block", "policy_arn", "group", "role", "cluster_identifier",
    "identifier", "engine", "engine_mode", "database_name", "master_username", "storage_encrypted", "kms_key_id",
    "function_name", "family", "type", "tier", "namespace_id", "vpc", "ip_protocol", "from_port", "to_port",
    "cidr_ipv4", "cidr_ipv6", "path", "key",
}
# What the provider plans for an identity attribute the configuration leaves unset.
PROVIDER_DEFAULTS = {
    ("*", "path"): "/",
    ("aws_db_subnet_group", "description"): "Managed by Terraform",
    ("aws_rds_cluster", "engine_mode"): "provisioned",
}
IDENTITY_BY_TYPE = {"aws_security_group": {"description"}, "aws_iam_policy": {"description"},
                    "aws_db_subnet_group": {"description"}}


def cases():
    for env in REFERENCE_ENVIRONMENTS:
        for layer in LAYERS:
            path = FIXTURES / env / f"{layer.layer}.json"
            if path.exists():
                yield pytest.param(env, layer.layer, id=f"{env}-{layer.layer}")


def follow(address: str, moved: dict[str, str]) -> str:
    for _ in range(10):
        if address not in moved:
            return address
        address = moved[address]
    return address


@pytest.mark.parametrize("env,layer", list(cases()))
def test_every_original_instance_lands_on_a_same_type_resource_with_equal_identity(synthesized, env, layer):
    stack = synthesized(env).stack(layer)
    original = json.loads((FIXTURES / env / f"{layer}.json").read_text())
    moved, present = moves(stack), addresses(stack)
    problems = []
    for instance in original["instances"]:
        target = follow(instance["address"], moved)
        if target not in present:
            problems.append(f"{instance['address']}: no resource at {target}")
            continue
        if target.split(".")[0] != instance["type"]:
            problems.append(f"{instance['address']}: lands on {target}, not a {instance['type']}")
            continue
        config = resource(stack, target)
        for attr in sorted(IDENTITY | IDENTITY_BY_TYPE.get(instance["type"], set())):
            if attr not in instance["values"]:
                continue
            default = PROVIDER_DEFAULTS.get((instance["type"], attr), PROVIDER_DEFAULTS.get(("*", attr)))
            ours = config.get(attr, default)
            if isinstance(ours, str) and "${" in ours:
                continue  # a reference, resolved by Terraform; the address check above covers it
            if ours != instance["values"][attr]:
                problems.append(f"{instance['address']} -> {target}: {attr} = {ours!r}, "
                                f"deployed {instance['values'][attr]!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("env,layer", list(cases()))
def test_every_original_output_is_declared(synthesized, env, layer):
    stack = synthesized(env).stack(layer)
    original = json.loads((FIXTURES / env / f"{layer}.json").read_text())
    assert set(original["outputs"]) <= set(stack.get("output") or {})


@pytest.mark.parametrize("env,layer", list(cases()))
def test_moved_blocks_start_at_original_addresses_only(synthesized, env, layer):
    """A `moved` block from an address the original never had would hide a typo in the move table.
    The one exception is an older link of a chain (`earlier=` in `modules.origin`): it starts at an
    address of an earlier layout of the original and leads to an address the original has."""
    stack = synthesized(env).stack(layer)
    original = {i["address"] for i in json.loads((FIXTURES / env / f"{layer}.json").read_text())["instances"]}
    stray = {source: target for source, target in moves(stack).items()
             if source not in original and target not in original}
    assert not stray
