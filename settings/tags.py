"""Tag recipes (`tag_sets`): named tag sets with placeholders filled in per layer."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from settings.base import Frozen, Tags

TAG_PLACEHOLDERS = ("environment", "layer", "region", "name_prefix")
TAG_BASES = ("tags", "module_tags", "none")


class TagSet(Frozen):
    """A tag recipe of the original, as data: an environment tag map to start from (`tags`,
    `module_tags` or `none`) and the keys the original added to it. Values may hold the placeholders
    `{environment}`, `{layer}`, `{region}` and `{name_prefix}`."""

    base: Literal["tags", "module_tags", "none"]
    add: Tags = Field(default_factory=dict)
