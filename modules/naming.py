"""`Naming`: the one place a construct gets AWS names and tag sets from.

A layer hands each construct a `Naming` in its props: the environment's name prefix, its label and the
layer, and the base tag set the original gave that layer's resources (data, from `envs/`). Constructs
ask it for names (`naming.name("aurora-cluster")`) and per-resource tag sets
(`naming.tags_for("aurora-cluster", Type="aurora-cluster")`) and never join a prefix or merge tag
recipes themselves, so a rename of the convention is one change here.

Holds no knowledge of any particular resource, layer or environment.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

NAME_SEPARATOR = "-"


def _frozen(tags: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(tags))


@dataclass(frozen=True)
class Naming:
    prefix: str                                   # "petclinic-dev"
    environment: str                              # "dev", "seoul-dev"
    layer: str                                    # "03-database"
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.prefix:
            raise ValueError("Naming.prefix: must not be empty")
        for key, value in self.tags.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise ValueError(f"Naming.tags: {key!r} = {value!r}: tag keys and values are strings")
        object.__setattr__(self, "tags", _frozen(self.tags))

    def name(self, *parts: str) -> str:
        """`prefix-part-part`; `name()` is the prefix itself."""
        for part in parts:
            if not part or part.startswith(NAME_SEPARATOR) or part.endswith(NAME_SEPARATOR):
                raise ValueError(f"Naming.name: bad part {part!r} in {parts!r}")
        return NAME_SEPARATOR.join((self.prefix, *parts))

    def tags_for(self, *name_parts: str, **extra: str) -> dict[str, str]:
        """The tag set of one resource: the base set, `Name` = `name(*name_parts)` when parts are given,
        then `extra` (which may set `Name` to a literal, e.g. a parameter path)."""
        tags = dict(self.tags)
        if name_parts:
            tags["Name"] = self.name(*name_parts)
        tags.update(extra)
        return tags

    def with_tags(self, **more: str) -> Naming:
        """A copy whose base set is extended (or overridden) by `more`."""
        return replace(self, tags={**self.tags, **more})

    def with_base(self, tags: Mapping[str, str]) -> Naming:
        """A copy with another base set (where the original used another recipe)."""
        return replace(self, tags=dict(tags))
