"""The per-type table of attributes that force a replacement (`data/force_new.toml`), and the
question it answers: does changing this attribute replace the resource, update it, or is it unknown?"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

FORCE_NEW_FILE = Path(__file__).resolve().parent / "data" / "force_new.toml"


@dataclass(frozen=True)
class TypeEntry:
    force_new: frozenset[str]
    conditional: frozenset[str]
    source: str
    read: str


@dataclass(frozen=True)
class ForceNewTable:
    types: dict[str, TypeEntry] = field(default_factory=dict)

    def effect(self, rtype: str, path: str) -> str:
        """"replace", "update", "maybe-replace" or "unknown" for a change at `path`
        (`cidr_block`, `dns_config.routing_policy`, `ingress.0.from_port`)."""
        entry = self.types.get(rtype)
        if entry is None:
            return "unknown"
        parts = [p for p in path.split(".") if not p.isdigit()]
        candidates = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
        if candidates & entry.force_new:
            return "replace"
        if candidates & entry.conditional:
            return "maybe-replace"
        return "update"


@lru_cache(maxsize=1)
def load_force_new(path: Path = FORCE_NEW_FILE) -> ForceNewTable:
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path}: {error}") from error
    types: dict[str, TypeEntry] = {}
    for rtype, entry in (data.get("types") or {}).items():
        for key in ("force_new", "source", "read"):
            if key not in entry:
                raise ValueError(f"{path}: types.{rtype} has no {key!r}")
        if entry["read"] not in ("source", "docs"):
            raise ValueError(f"{path}: types.{rtype}.read must be 'source' or 'docs', not {entry['read']!r}")
        types[rtype] = TypeEntry(frozenset(entry["force_new"]), frozenset(entry.get("conditional", ())),
                                 entry["source"], entry["read"])
    return ForceNewTable(types)
