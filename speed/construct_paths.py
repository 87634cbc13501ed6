"""What never changes about an element once it exists, read through jsii once (or never).

Each property read of a construct is a round trip to jsii's Node process, and the address rule, the
origin declarations and the state carry-over ask every resource its path and type several times.
`path_of` and `resource_type_of` read each once; `track_paths()` wraps `jsii.create` to record
`<scope's path>/<id>` on each construct made from Python, so most paths are never read at all
(`tests/speed/test_construct_paths.py` compares them with jsii's). docs/speed.md has the details.
"""
from __future__ import annotations

import os
from typing import Any, Protocol

_PATH = "_petclinic_path"
PATH_SEP = "/"
SANITIZED_SEP = "--"   # constructs' sanitizeId: a path separator inside an id
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


def recorded_path(construct: object) -> str | None:
    """The path recorded for `construct` without asking jsii (None if none was)."""
    return getattr(construct, _PATH, None)


def track_paths() -> bool:
    """Record each construct's path from its scope and id as it is created from Python (see above);
    True once installed."""
    if os.environ.get("PETCLINIC_EAGER_IMPORT"):
        return False
    import jsii
    from constructs import Construct

    create = jsii.create
    if getattr(create, "_petclinic_tracks_paths", False):
        return True

    def create_recording_path(klass: type, obj: Any, args: list | None = None) -> Any:
        if args and len(args) >= 2 and isinstance(obj, Construct) and isinstance(args[0], Construct) \
                and isinstance(args[1], str):
            scope_path = path_of(args[0])
            own = args[1].replace(PATH_SEP, SANITIZED_SEP)
            setattr(obj, _PATH, f"{scope_path}{PATH_SEP}{own}" if scope_path else own)
        return create(klass, obj, args)

    create_recording_path._petclinic_tracks_paths = True  # type: ignore[attr-defined]
    jsii.create = create_recording_path
    return True
