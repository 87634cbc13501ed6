"""The address rule and the state carry-over of `LayerStack`, on small stacks made for the purpose:
how construct paths fold into Terraform names, and every way a declaration can be wrong."""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from cdktf import App
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.subnet import Subnet
from constructs import Construct

from layers.base import LayerError, LayerStack, StateRemoval, logical_id
from layers.outputs import LayerOutputs, Output, Shape
from modules.origin import Origin, OriginError, carried, created
from settings import load_environment

OUTPUTS = LayerOutputs("98-test", "test", (Output("vpc_id", Shape.STRING, "an output"),))


def make_stack(build, removals=(), new_layer=False, outputs: Mapping[str, Any] | None = None):
    """A one-off layer whose build() is `build(stack)`, synthesized into a fresh app."""

    class TestStack(LayerStack):
        layer = "98-test"

    TestStack.outputs = OUTPUTS
    TestStack.new_layer = new_layer
    TestStack.build = lambda self: build(self)
    TestStack.output_values = lambda self: {"vpc_id": "x"} if outputs is None else outputs
    TestStack.state_removals = lambda self: list(removals)
    env = load_environment("dev").model_copy(update={"tag_sets": {
        **load_environment("dev").tag_sets, "98-test": load_environment("dev").tag_sets["01-network"]}})
    app = App(outdir="/tmp/petclinic-address-rule-test", skip_validation=True)
    return TestStack(app, env)


def subnet(scope: Construct, id: str) -> Subnet:
    return Subnet(scope, id, vpc_id="vpc-1", cidr_block="10.0.1.0/24")


def stack_json(stack: LayerStack) -> dict:
    return json.loads(json.dumps(stack.to_terraform()))


@pytest.mark.parametrize("parts,name", [
    (["vpc", "private-app_0"], "vpc_private_app_0"),
    (["vpc", "Default"], "vpc"),
    (["Endpoints", "ECR.API"], "endpoints_ecr_api"),
    (["0-subnet"], "r_0_subnet"),
    (["1"], "r_1"),
    (["svc", "customers-api_0"], "svc_customers_api_0"),
])
def test_construct_paths_fold_into_lower_case_terraform_names_that_start_with_a_letter(parts, name):
    assert logical_id(parts) == name


def test_a_default_child_stands_for_its_construct():
    def build(stack):
        holder = Construct(stack, "vpc")
        Origin("module.vpc").carry(subnet(holder, "Default"), "this")

    assert set(stack_json(make_stack(build))["resource"]["aws_subnet"]) == {"vpc"}


def test_two_paths_that_fold_to_one_name_stop_the_synthesis_naming_both():
    def build(stack):
        origin = Origin("module.svc")
        origin.carry(subnet(stack, "svc_customers-api_0"), "a")
        parent = Construct(Construct(stack, "svc"), "customers_api")
        origin.carry(subnet(parent, "0"), "b")

    with pytest.raises(LayerError) as error:
        make_stack(build)
    message = str(error.value)
    assert "98-test/svc_customers-api_0" in message and "98-test/svc/customers_api/0" in message
    assert "aws_subnet.svc_customers_api_0" in message


def test_names_may_repeat_across_resource_types():
    def build(stack):
        Origin().carry(subnet(stack, "shared_x"), "a")
        Origin().carry(SecurityGroup(Construct(stack, "shared"), "x", name="x"), "b")

    resources = stack_json(make_stack(build))["resource"]   # no error: two types, one name
    assert set(resources["aws_subnet"]) == set(resources["aws_security_group"]) == {"shared_x"}


def test_a_declared_origin_becomes_a_moved_block_and_an_unchanged_address_none():
    def build(stack):
        Origin("module.vpc").carry(subnet(stack, "public_0"), "public", "0")
        carried(subnet(stack, "kept"), "aws_subnet.kept")

    stack = make_stack(build)
    assert stack_json(stack)["moved"] == [{"from": 'module.vpc.aws_subnet.public["0"]', "to": "aws_subnet.public_0"}]


def test_an_earlier_address_is_chained_through_the_later_one():
    def build(stack):
        Origin("module.debug").carry(subnet(stack, "bastion"), "bastion", 0, earlier=["aws_subnet.bastion"])

    moved = stack_json(make_stack(build))["moved"]
    assert {(m["from"], m["to"]) for m in moved} == {
        ("module.debug.aws_subnet.bastion[0]", "aws_subnet.bastion"),
        ("aws_subnet.bastion", "module.debug.aws_subnet.bastion[0]"),
    }


def test_a_resource_without_a_declared_origin_stops_the_synthesis():
    def build(stack):
        Origin().carry(subnet(stack, "declared"), "a")
        subnet(stack, "forgotten")

    with pytest.raises(LayerError, match=r"98-test/forgotten \(aws_subnet.forgotten\) declares no origin"):
        make_stack(build)


def test_a_layer_that_declares_nothing_to_carry_over_stops_the_synthesis():
    def build(stack):
        created(subnet(stack, "a"), "a new subnet")

    with pytest.raises(LayerError, match="declares nothing to carry over"):
        make_stack(build)
    make_stack(build, new_layer=True)  # a layer that was never deployed may


def test_a_stale_names_entry_stops_the_synthesis():
    def build(stack):
        Origin(names={"gone": "old_name", "kept": "kept_name"}).carry(subnet(stack, "kept"), "kept")

    with pytest.raises(LayerError, match=r"stale\): \['gone'\]"):
        make_stack(build)


def test_one_deployed_address_claimed_twice_stops_the_synthesis():
    def build(stack):
        carried(subnet(stack, "a"), "module.vpc.aws_subnet.public[\"0\"]")
        carried(subnet(stack, "b"), "module.vpc.aws_subnet.public[\"0\"]")

    with pytest.raises(LayerError, match="both claim the deployed"):
        make_stack(build)


def test_an_address_both_carried_and_removed_stops_the_synthesis():
    def build(stack):
        carried(subnet(stack, "a"), "aws_subnet.old")

    with pytest.raises(LayerError, match="both carried .* and removed"):
        make_stack(build, removals=[StateRemoval("aws_subnet.old", "dropped")])


@pytest.mark.parametrize("address,error", [
    ("aws_security_group.x", "a aws_subnet cannot carry the state of aws_security_group.x"),
    ('module.ecr_services["{service}"].aws_subnet.this', "unexpanded pattern"),
    ("not an address", "is not a resource instance address"),
])
def test_an_impossible_original_address_is_refused_where_it_is_declared(address, error):
    def build(stack):
        carried(subnet(stack, "a"), address)

    with pytest.raises(OriginError, match=error):
        make_stack(build)


def test_outputs_must_be_exactly_the_declared_ones():
    def build(stack):
        carried(subnet(stack, "a"), "aws_subnet.a")

    with pytest.raises(LayerError, match=r"missing \['vpc_id'\], undeclared \['other'\]"):
        make_stack(build, outputs={"other": "x"})


def test_a_layer_may_not_override_init():
    with pytest.raises(TypeError, match="build\\(\\) and output_values\\(\\)"):
        class Broken(LayerStack):  # noqa: F841
            layer = "97-broken"

            def __init__(self, scope, env):
                super().__init__(scope, env)
