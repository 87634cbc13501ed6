"""Where a resource lived in the deployed state: declared where the resource is made.

A construct takes an `Origin` in its props and, right where it makes each resource, says which
resource of the original code it is: `props.origin.carry(subnet, "public", key=str(i))` declares that
this subnet was `<origin prefix>.aws_subnet.public["0"]`. The resource type always comes from the
resource itself, so a port can never land an original instance on a resource of another type. The layer
chooses the prefix (`Origin("module.vpc")`, `Origin().module("ecr_services", name)`), expanded over the
same data its code loops on; resources without a deployed counterpart are declared with
`Origin.new(reason)` or `created(resource, reason)`.

This module only records declarations on the resources. `layers.base.LayerStack` reads them once the
stack is built, checks them (every resource declared, no address claimed twice, no stale `names`
entry) and writes the `moved` blocks; nothing here knows about layers.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

from cdktf import TerraformResource

from speed.construct_paths import path_of, resource_type_of

R = TypeVar("R", bound=TerraformResource)

_ATTRIBUTE = "_petclinic_origin"
_KEY = r'\[(?:"[^"\[\]]*"|\d+)\]'
_MODULE = rf"module\.[A-Za-z_][A-Za-z0-9_-]*(?:{_KEY})?"
MODULE_PREFIX = re.compile(rf"^(?:{_MODULE}(?:\.{_MODULE})*)?$")
RESOURCE_ADDRESS = re.compile(
    rf"^(?P<module>(?:{_MODULE}\.)*)(?P<type>[a-z][a-z0-9_]*)\.(?P<name>[A-Za-z_][A-Za-z0-9_-]*)(?P<key>{_KEY})?$")


class OriginError(ValueError):
    """A declaration of an original address that cannot be right; the message names the resource."""


def instance_key(key: str | int | None) -> str:
    """`["x"]` for a `for_each` key, `[0]` for a `count` index, nothing for a single instance."""
    if key is None:
        return ""
    if isinstance(key, bool) or not isinstance(key, (str, int)):
        raise OriginError(f"instance key {key!r}: a str (for_each) or an int (count) is expected")
    return f"[{key}]" if isinstance(key, int) else f"[{json.dumps(key)}]"


@dataclass(frozen=True)
class Declaration:
    """What a resource says about its past: its original address (and older ones), or why it is new."""

    address: str | None
    earlier: tuple[str, ...] = ()
    reason: str | None = None
    origin: Origin | None = None   # the Origin it was declared through, for the stale-name check
    part: str | None = None


@dataclass(frozen=True)
class Origin:
    """The original module instance a construct's resources come from.

    `prefix` is the module path in the deployed state ("" for the root module); `names` maps a
    construct's part name to the original resource name where the two differ (an entry the construct
    never asks for is reported as stale)."""

    prefix: str = ""
    names: Mapping[str, str] = field(default_factory=dict)
    created_reason: str | None = None

    def __post_init__(self) -> None:
        if not MODULE_PREFIX.match(self.prefix):
            raise OriginError(f"Origin.prefix {self.prefix!r}: not a module path like module.vpc or "
                              'module.ecr_services["customers"]')
        object.__setattr__(self, "names", MappingProxyType(dict(self.names)))

    def __hash__(self) -> int:
        return hash((self.prefix, tuple(sorted(self.names.items())), self.created_reason))

    @classmethod
    def new(cls, reason: str) -> Origin:
        """Resources with no deployed counterpart (Terraform will create them)."""
        if not reason or not reason.strip():
            raise OriginError("Origin.new: say why the resources are new")
        return cls(created_reason=reason)

    def module(self, name: str, key: str | int | None = None) -> Origin:
        """The child module call `module.<name>[key]` below this one."""
        if self.created_reason is not None:
            return self
        prefix = f"module.{name}{instance_key(key)}"
        return Origin(f"{self.prefix}.{prefix}" if self.prefix else prefix)

    def address(self, rtype: str, name: str, key: str | int | None = None) -> str:
        original = self.names.get(name, name)
        local = f"{rtype}.{original}{instance_key(key)}"
        return f"{self.prefix}.{local}" if self.prefix else local

    def carry(self, resource: R, name: str, key: str | int | None = None, *, earlier: Sequence[str] = ()) -> R:
        """Declare that `resource` was `<prefix>.<its type>.<names.get(name, name)>[key]`."""
        if self.created_reason is not None:
            return _declare(resource, Declaration(None, reason=self.created_reason, origin=self, part=name))
        address = self.address(resource_type_of(resource), name, key)
        return _declare(resource, Declaration(address, tuple(earlier), origin=self, part=name))


def carried(resource: R, address: str, *, earlier: Sequence[str] = ()) -> R:
    """Declare the full original address of `resource` (for resources a layer makes itself)."""
    return _declare(resource, Declaration(address, tuple(earlier)))


def created(resource: R, reason: str) -> R:
    """Declare that `resource` has no deployed counterpart."""
    if not reason or not reason.strip():
        raise OriginError(f"created({path_of(resource)}): say why the resource is new")
    return _declare(resource, Declaration(None, reason=reason))


def declaration(resource: TerraformResource) -> Declaration | None:
    return getattr(resource, _ATTRIBUTE, None)


def _declare(resource: R, declared: Declaration) -> R:
    path = path_of(resource)
    if declaration(resource) is not None:
        raise OriginError(f"{path}: its original address is declared twice")
    rtype = resource_type_of(resource)
    for address in ((declared.address,) if declared.address else ()) + declared.earlier:
        if "{" in address or "}" in address:
            raise OriginError(f"{path}: original address {address!r} holds an unexpanded pattern")
        match = RESOURCE_ADDRESS.match(address)
        if not match:
            raise OriginError(f"{path}: {address!r} is not a resource instance address")
        if match["type"] != rtype:
            raise OriginError(f"{path}: a {rtype} cannot carry the state of {address} (a {match['type']})")
    setattr(resource, _ATTRIBUTE, declared)
    return resource
