"""`LayerStack`: what every layer shares, decided once.

- the S3 backend of the original layer (bucket, key, region, encryption) with S3 native locking;
- the Terraform and provider requirements as the original wrote them;
- the AWS provider with the layer's default tags;
- remote-state reads of other layers, by the original keys;
- the rule that turns a construct path into a Terraform address (no hashes), and
- the `moved` / `removed` blocks that carry the original state over.

It deliberately holds no resources: those live in `modules/`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from cdktf import (
    DataTerraformRemoteStateS3,
    S3Backend,
    TerraformElement,
    TerraformOutput,
    TerraformResource,
    TerraformStack,
)
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags
from constructs import Construct, Node

from settings import Environment

TERRAFORM_REQUIRED_VERSION = ">= 1.12.0"
AWS_PROVIDER_REQUIREMENT = {"source": "hashicorp/aws", "version": "~> 6.0"}


@dataclass(frozen=True)
class StateRemoval:
    """An original resource that leaves the configuration but must not be destroyed."""

    address: str
    reason: str


class LayerStack(TerraformStack):
    """Base of every layer stack. Subclasses set `layer` and build their constructs in `__init__`,
    then call `self.carry_over_state(moves, removals)` once."""

    layer: ClassVar[str]
    # The provider default tag `Layer` as deployed; the original copied "01-network" into several
    # layers, and changing it now would rewrite the tags of every resource in the layer.
    deployed_layer_tag: ClassVar[str | None] = None

    def __init__(self, scope: Construct, env: Environment):
        super().__init__(scope, self.layer)
        self.env = env
        S3Backend(self, bucket=env.state.bucket, key=env.state_key(self.layer), region=env.state.region, encrypt=True)
        AwsProvider(
            self,
            "aws",
            region=env.region,
            default_tags=[AwsProviderDefaultTags(tags=self.default_tags)],
        )
        self._write_requirements()
        self._moves: dict[str, str] = {}
        self._removals: list[StateRemoval] = []

    # ------------------------------------------------------------------ settings every layer shares
    @property
    def default_tags(self) -> dict[str, str]:
        return {**self.env.default_tags, "Environment": self.env.environment,
                "Layer": self.deployed_layer_tag or self.layer}

    def module_tags(self, component: str) -> dict[str, str]:
        """The tag set the original `modules/common` gave a layer's resources (less `CreatedAt`)."""
        return {**self.env.module_tags, "Environment": self.env.environment,
                "BillingCode": f"{self.env.module_tags['Project']}-{self.env.environment}",
                "Layer": self.layer, "Component": component}

    def remote_state(self, name: str, layer: str) -> DataTerraformRemoteStateS3:
        """`data.terraform_remote_state.<name>`: the outputs of another layer, read from its state key."""
        return DataTerraformRemoteStateS3(
            self, name, bucket=self.env.state.bucket, key=self.env.state_key(layer), region=self.env.state.region
        )

    def output(self, name: str, value: Any, description: str, sensitive: bool = False) -> TerraformOutput:
        return TerraformOutput(self, name, value=value, description=description, sensitive=sensitive or None)

    # ------------------------------------------------------------------ addresses
    def _allocate_logical_id(self, tf_element: TerraformElement | Node) -> str:
        """jsii override of cdktf's hashed default: every element of a layer is named by `logical_id_of`.
        cdktf also asks this for a plain construct's `Node` (a TerraformAsset names its folder
        `assets/<id>/` that way): the same rule applies, by path."""
        if isinstance(tf_element, Node):
            return logical_id(tf_element.path.split("/")[1:])
        return logical_id_of(tf_element)

    @staticmethod
    def address_of(resource: TerraformResource) -> str:
        return f"{resource.terraform_resource_type}.{logical_id_of(resource)}"

    # ------------------------------------------------------------------ state carried over
    def carry_over_state(self, moves: Mapping[str, str], removals: Iterable[StateRemoval] = ()) -> None:
        """Write a `moved` block for every new address whose original address differs, and a
        `removed` block (destroy = false) for every original resource that is dropped.

        `moves` maps new address -> original address. A move whose new address names no resource of
        this stack is a bug in the layer's table, and fails the synthesis."""
        by_address = {self.address_of(r): r for r in self.node.find_all() if isinstance(r, TerraformResource)}
        stale = sorted(set(moves) - set(by_address))
        if stale:
            raise ValueError(f"{self.layer}: moves name resources the stack does not have: {stale}")
        for new, old in sorted(moves.items()):
            if new != old:
                by_address[new].move_from_id(old)
        self._moves = dict(moves)
        self._removals = list(removals)
        if self._removals:
            # cdktf 0.21 has no `removed` block (Terraform >= 1.7): written as a top-level override.
            self.add_override("removed", [
                {"from": r.address, "lifecycle": {"destroy": False}} for r in self._removals
            ])

    @property
    def moves(self) -> dict[str, str]:
        return dict(self._moves)

    @property
    def removals(self) -> list[StateRemoval]:
        return list(self._removals)

    # ------------------------------------------------------------------ escape hatches (one place)
    def _write_requirements(self) -> None:
        # cdktf writes `required_providers.aws.source = "aws"`; the original reads "hashicorp/aws".
        self.add_override("terraform.required_providers.aws", AWS_PROVIDER_REQUIREMENT)
        # cdktf writes no required_version; the original asks for >= 1.12.0.
        self.add_override("terraform.required_version", TERRAFORM_REQUIRED_VERSION)
        # cdktf 0.21's S3Backend does not know `use_lockfile` (S3 native locking, Terraform >= 1.10).
        self.add_override("terraform.backend.s3.use_lockfile", True)


def logical_id_of(element: TerraformElement) -> str:
    """The address rule: the construct path below the stack, joined with `_`, no hash.
    `01-network/vpc/private-app_0` becomes `vpc_private_app_0`; a child named `Default` stands for
    its parent (`01-network/vpc/Default` becomes `vpc`)."""
    return logical_id(element.node.path.split("/")[1:])


def logical_id(parts: Iterable[str]) -> str:
    """Join construct ids into a Terraform name: lower case, `[a-z0-9_]` only."""
    joined = "_".join(p for p in parts if p and p != "Default")
    name = re.sub(r"[^a-z0-9_]+", "_", joined.lower()).strip("_")
    if not name or name[0].isdigit():
        name = f"r_{name}"
    return name
