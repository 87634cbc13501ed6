"""The shape of the AWS resource types (`data/aws_schema.json`, written by `schema_data.py` from the
mirrored provider's `terraform providers schema -json`): which values are sets (compared without
order), lists, maps or nested blocks, and which attributes are computed only or sensitive."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMA_FILE = Path(__file__).resolve().parent / "data" / "aws_schema.json"


@dataclass(frozen=True)
class Block:
    """One block of a resource schema; `raw` is the trimmed JSON (attributes, blocks)."""

    raw: dict[str, Any]

    def attribute_type(self, name: str) -> Any:
        entry = self.raw["attributes"].get(name)
        return entry["type"] if entry else None

    def is_computed_only(self, name: str) -> bool:
        entry = self.raw["attributes"].get(name)
        return bool(entry and entry.get("computed_only"))

    def is_sensitive(self, name: str) -> bool:
        entry = self.raw["attributes"].get(name)
        return bool(entry and entry.get("sensitive"))

    def nested(self, name: str) -> tuple[str, "Block | None"] | None:
        """(nesting mode, inner block) of a nested block, or None when `name` is no block."""
        entry = self.raw["blocks"].get(name)
        if entry is None:
            return None
        return entry["nesting"], Block(entry["block"]) if entry["block"] is not None else None


@lru_cache(maxsize=1)
def _all() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text())["types"]


def resource_schema(rtype: str) -> Block | None:
    raw = _all().get(rtype)
    return Block(raw) if raw is not None else None
