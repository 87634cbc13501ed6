"""What never changes about an element once it exists, read through jsii once.

Every property read of a construct is a round trip to jsii's Node process. The address rule, the
origin declarations and the state carry-over ask each resource its construct path and its resource
type several times, which made them most of a synthesis' round trips (about 7,000 of 8,800 for the
thirteen stacks of an environment). Both are fixed: a construct's path is set when it is created
(its scope and id cannot change), and a generated provider class makes resources of one type only
(it declares `TF_RESOURCE_TYPE`). So each is read once and remembered on the Python object, or on
the class.
"""
from __future__ import annotations

from typing import Protocol

_PATH = "_petclinic_path"
_CLASS_TYPES: dict[type, str] = {}


class _Node(Protocol):
    @property
    def path(self) -> str: ...


class _Construct(Protocol):
    @property
    def node(self) -> _Node: ...


class _Typed(Protocol):
    @property
    def terraform_resource_type(self) -> str: ...


def path_of(construct: _Construct) -> str:
    """The construct path (`01-network/vpc/public_0`), read once per object."""
    path = getattr(construct, _PATH, None)
    if path is None:
        path = construct.node.path
        setattr(construct, _PATH, path)
    return path


def resource_type_of(element: _Typed) -> str:
    """The Terraform type of a resource or data source (`aws_subnet`), read once per generated class."""
    cls = type(element)
    if "TF_RESOURCE_TYPE" not in vars(cls):  # cdktf's generic classes take the type as an argument
        return element.terraform_resource_type
    rtype = _CLASS_TYPES.get(cls)
    if rtype is None:
        rtype = _CLASS_TYPES[cls] = element.terraform_resource_type
    return rtype
