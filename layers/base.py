"""`LayerStack`: what every layer shares, decided once, and the order of a layer's steps.

A layer subclass sets `layer` and `outputs` (its `LayerOutputs` declaration) and implements `build()`
(make the constructs) and `output_values()` (the declared outputs' values). `LayerStack.__init__`
runs the steps in order, so no layer can skip one:

1. the S3 backend of the original layer (bucket, key, region, encryption) with S3 native locking, the
   Terraform and provider requirements as the original wrote them, and the AWS provider with the
   layer's default tags;
2. `build()`;
3. the outputs, written from the declaration (a missing or an undeclared one stops the synthesis);
4. the address rule checked: two construct paths that fold to one Terraform name stop the synthesis;
5. the state carried over: every managed resource must have declared where it was in the deployed
   state (`modules.origin`) or that it is new; a `moved` block is written for every resource whose
   address changed (chained through older addresses), a `removed` block (destroy = false) for every
   original resource the layer drops (`state_removals()`).

Other layers are read with `read()`, through their output declarations. The class holds no resources
of its own: those live in `modules/`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from cdktf import (
    DataTerraformRemoteStateS3,
    LocalBackend,
    S3Backend,
    TerraformAsset,
    TerraformDataSource,
    TerraformElement,
    TerraformOutput,
    TerraformRemoteState,
    TerraformResource,
    TerraformStack,
)
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags
from constructs import Construct, Node

from layers.outputs import LayerOutputs, RemoteOutputs, RemoteRead
from speed.construct_paths import path_of, resource_type_of
from modules.naming import Naming
from modules.origin import declaration
from settings import Environment

TERRAFORM_REQUIRED_VERSION = ">= 1.12.0"
AWS_PROVIDER_REQUIREMENT = {"source": "hashicorp/aws", "version": "~> 6.0"}


class LayerError(Exception):
    """A layer that cannot be synthesized as written; the message says which layer and what to fix."""


@dataclass(frozen=True)
class StateRemoval:
    """An original resource that leaves the configuration but must not be destroyed."""

    address: str
    reason: str


@dataclass(frozen=True)
class Move:
    """One `moved` block: `source` (an address of the deployed state) -> `target`."""

    source: str
    target: str


class LayerStack(TerraformStack):
    """Base of every layer stack; see the module docstring for the steps it drives."""

    layer: ClassVar[str]
    outputs: ClassVar[LayerOutputs]
    # The provider default tag `Layer` as deployed; the original copied "01-network" into several
    # layers, and changing it now would rewrite the tags of every resource in the layer.
    deployed_layer_tag: ClassVar[str | None] = None
    # "local" for a stack whose state is a local file (the state bucket's own stack).
    state_backend: ClassVar[Literal["s3", "local"]] = "s3"
    # True for a stack that has no deployed original, so that it has nothing to carry over.
    new_layer: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            raise TypeError(f"{cls.__name__}: a layer implements build() and output_values(); "
                            "LayerStack.__init__ drives the steps and is not overridden")

    def __init__(self, scope: Construct, env: Environment):
        super().__init__(scope, self.layer)
        if getattr(self.outputs, "layer", None) != self.layer:
            raise LayerError(f"{self.layer}: `outputs` must be this layer's LayerOutputs declaration")
        self.env = env
        self.naming = self.naming_for(self.layer)
        self._reads: list[RemoteRead] = []
        self._moves: list[Move] = []
        self._removals: list[StateRemoval] = list(self.state_removals())
        self._configure()
        self.build()
        self._write_outputs(self.output_values())
        elements = self.node.find_all()   # every construct of the stack, read once
        check_addresses(self, elements)
        self._carry_over_state(elements)

    # ------------------------------------------------------------------ what a layer implements
    def build(self) -> None:
        raise NotImplementedError(f"{type(self).__name__}.build")

    def output_values(self) -> Mapping[str, Any]:
        raise NotImplementedError(f"{type(self).__name__}.output_values")

    def state_removals(self) -> Sequence[StateRemoval]:
        return ()

    # ------------------------------------------------------------------ settings every layer shares
    @property
    def default_tags(self) -> dict[str, str]:
        return {**self.env.default_tags, "Environment": self.env.environment,
                "Layer": self.deployed_layer_tag or self.layer}

    def naming_for(self, tag_set: str) -> Naming:
        """The naming of this layer with the named tag set of the environment data."""
        return Naming(prefix=self.env.name_prefix, environment=self.env.environment, layer=self.layer,
                      tags=self.env.tag_set(tag_set, self.layer))

    def read(self, outputs: LayerOutputs, name: str | None = None, *, switch: str | None = None) -> RemoteOutputs:
        """`data.terraform_remote_state.<name>`: another layer's outputs, from its original state key,
        read through its declaration. `switch` names the setting that makes this read exist (a read
        that can wait for a second deploy phase when it closes a cycle)."""
        name = name or outputs.state_name
        if any(r.name == name for r in self._reads):
            raise LayerError(f"{self.layer}: reads two states under the name {name!r}")
        state = DataTerraformRemoteStateS3(
            self, name, bucket=self.env.state.bucket, key=self.env.state_key(outputs.layer),
            region=self.env.state.region)
        read = RemoteRead(self.layer, outputs.layer, name, switch)
        self._reads.append(read)
        return RemoteOutputs(state, outputs, read)

    @property
    def reads(self) -> list[RemoteRead]:
        return list(self._reads)

    def _configure(self) -> None:
        env = self.env
        if self.state_backend == "s3":
            S3Backend(self, bucket=env.state.bucket, key=env.state_key(self.layer), region=env.state.region,
                      encrypt=True)
        else:
            LocalBackend(self, path="terraform.tfstate")
        AwsProvider(self, "aws", region=env.region, default_tags=[AwsProviderDefaultTags(tags=self.default_tags)])
        # cdktf writes `required_providers.aws.source = "aws"`; the original reads "hashicorp/aws".
        self.add_override("terraform.required_providers.aws", AWS_PROVIDER_REQUIREMENT)
        # cdktf writes no required_version; the original asks for >= 1.12.0.
        self.add_override("terraform.required_version", TERRAFORM_REQUIRED_VERSION)
        if self.state_backend == "s3":
            # cdktf 0.21's S3Backend does not know `use_lockfile` (S3 native locking, Terraform >= 1.10).
            self.add_override("terraform.backend.s3.use_lockfile", True)

    # ------------------------------------------------------------------ outputs
    def _write_outputs(self, values: Mapping[str, Any]) -> None:
        declared = self.outputs.names
        missing = [n for n in declared if n not in values]
        extra = sorted(set(values) - set(declared))
        if missing or extra:
            raise LayerError(f"{self.layer}: output_values() must give exactly the declared outputs; "
                             f"missing {missing}, undeclared {extra}")
        for output in self.outputs:
            TerraformOutput(self, output.name, value=values[output.name], description=output.description,
                            sensitive=output.sensitive or None)

    # ------------------------------------------------------------------ addresses and state
    def _allocate_logical_id(self, tf_element: TerraformElement | Node) -> str:
        """jsii override of cdktf's hashed default: every element of a layer is named by its path.
        cdktf also asks this for a plain construct's `Node` (a TerraformAsset names its folder
        `assets/<id>/` that way): the same rule applies."""
        if isinstance(tf_element, Node):
            return logical_id(tf_element.path.split("/")[1:])
        return logical_id_of(tf_element)

    @staticmethod
    def address_of(resource: TerraformResource) -> str:
        return f"{resource_type_of(resource)}.{logical_id_of(resource)}"

    def _carry_over_state(self, elements: Sequence[Any]) -> None:
        resources = [r for r in elements if isinstance(r, TerraformResource)]
        moves, problems = plan_moves(self.layer, resources, self._removals)
        carried_any = any((d := declaration(r)) is not None and d.address for r in resources)
        if not self.new_layer and resources and not carried_any:
            problems.append(f"{self.layer}: declares nothing to carry over from its deployed state; declare each "
                            "resource's original address (modules.origin), or set new_layer = True for a layer "
                            "that has never been deployed")
        if problems:
            raise LayerError("\n".join(problems))
        if moves:
            # One `moved` list for the stack, in the order plan_moves sorts it, written at once:
            # cdktf's `move_from_id` writes the same blocks one resource at a time (a jsii round
            # trip each, hundreds per environment) and cannot write a chain's older links, whose target
            # is no resource of this stack.
            self.add_override("moved", [{"from": m.source, "to": m.target} for m in moves])
        if self._removals:
            # cdktf 0.21 has no `removed` block (Terraform >= 1.7): written as a top-level override.
            self.add_override("removed", [
                {"from": r.address, "lifecycle": {"destroy": False}} for r in self._removals])
        self._moves = moves

    @property
    def moves(self) -> list[Move]:
        return list(self._moves)

    @property
    def removals(self) -> list[StateRemoval]:
        return list(self._removals)


def plan_moves(layer: str, resources: Iterable[TerraformResource],
               removals: Sequence[StateRemoval] = ()) -> tuple[list[Move], list[str]]:
    """The `moved` blocks the resources' declarations ask for, and every problem with them."""
    moves: list[Move] = []
    problems: list[str] = []
    claimed: dict[str, str] = {}
    used_names: dict[Any, set[str]] = {}
    removed = {r.address for r in removals}
    for resource in resources:
        path = path_of(resource)
        declared = declaration(resource)
        if declared is None:
            problems.append(f"{layer}: {path} ({LayerStack.address_of(resource)}) declares no origin: say where it "
                            "was in the deployed state (Origin.carry / carried) or why it is new (created)")
            continue
        if declared.origin is not None and declared.part is not None:
            used_names.setdefault(declared.origin, set()).add(declared.part)
        if declared.address is None:
            continue
        target = LayerStack.address_of(resource)
        chain = [declared.address, *declared.earlier]
        for address in chain:
            if address in claimed:
                problems.append(f"{layer}: {claimed[address]} and {path} both claim the deployed {address}")
            claimed[address] = path
            if address in removed:
                problems.append(f"{layer}: {address} is both carried by {path} and removed from the state")
        if declared.address != target:
            moves.append(Move(declared.address, target))
        for older, newer in zip(chain[1:], chain):
            moves.append(Move(older, newer))
    for origin, used in used_names.items():
        stale = sorted(set(origin.names) - used)
        if stale:
            problems.append(f"{layer}: Origin({origin.prefix!r}) names parts no resource uses (stale): {stale}")
    return sorted(moves, key=lambda m: (m.target, m.source)), problems


# ---------------------------------------------------------------------- the address rule
def logical_id_of(element: TerraformElement) -> str:
    """The address rule: the construct path below the stack, joined with `_`, no hash.
    `01-network/vpc/private-app_0` becomes `vpc_private_app_0`; a child named `Default` stands for
    its parent (`01-network/vpc/Default` becomes `vpc`)."""
    return logical_id(path_of(element).split("/")[1:])


def logical_id(parts: Iterable[str]) -> str:
    """Join construct ids into a Terraform name: lower case, `[a-z0-9_]` only, starting with a letter."""
    joined = "_".join(p for p in parts if p and p != "Default")
    name = re.sub(r"[^a-z0-9_]+", "_", joined.lower()).strip("_")
    if not name or name[0].isdigit():
        name = f"r_{name}"
    return name


def element_kind(element: TerraformElement | TerraformAsset) -> str | None:
    """Where an element's name lives in the JSON (names only need to differ within one kind)."""
    if isinstance(element, TerraformResource):
        return f"resource.{resource_type_of(element)}"
    if isinstance(element, TerraformDataSource):
        return f"data.{resource_type_of(element)}"
    if isinstance(element, TerraformRemoteState):
        return "data.terraform_remote_state"
    if isinstance(element, TerraformOutput):
        return "output"
    if isinstance(element, TerraformAsset):
        return "asset"
    return None


def check_addresses(stack: TerraformStack, elements: Sequence[Any] | None = None) -> None:
    """Two elements of one kind whose construct paths fold to one Terraform name would be merged into
    one by cdktf without a word: stop instead, naming both paths. `elements`: the stack's
    `node.find_all()`, if the caller has it."""
    seen: dict[tuple[str, str], str] = {}
    problems = []
    for element in stack.node.find_all() if elements is None else elements:
        kind = element_kind(element)
        if kind is None:
            continue
        path = path_of(element)
        name = logical_id(path.split("/")[1:])
        other = seen.setdefault((kind, name), path)
        if other != path:
            problems.append(f"{stack.node.id}: {other} and {path} both become {kind.split('.', 1)[-1]}.{name}; "
                            "rename one construct id")
    if problems:
        raise LayerError("\n".join(problems))
