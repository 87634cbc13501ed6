"""Write `data/aws_schema.json`: the shape of every AWS resource type the platform uses, trimmed
from `terraform providers schema -json` of the mirrored hashicorp/aws provider.

usage: python -m tools.drift.schema_data PROVIDERS_SCHEMA_JSON

Kept per type: each attribute's type (so a set compares without order and a list with it), whether it
is computed only, optional and computed, or sensitive, and each nested block's nesting mode. The provider schema carries no
ForceNew flag; which attributes force a replacement is `data/force_new.toml`.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tools.drift.force_new import FORCE_NEW_FILE, load_force_new

DATA = Path(__file__).resolve().parent / "data"
SCHEMA_FILE = DATA / "aws_schema.json"


MAX_DEPTH = 4  # deeper blocks (WAFv2 rule statements nest tens of levels) compare as plain values


def trim_block(block: dict[str, Any], depth: int = 1) -> dict[str, Any]:
    out: dict[str, Any] = {"attributes": {}, "blocks": {}}
    for name, attr in sorted((block.get("attributes") or {}).items()):
        entry: dict[str, Any] = {"type": attr.get("type") or "dynamic"}
        if attr.get("computed") and not (attr.get("optional") or attr.get("required")):
            entry["computed_only"] = True
        elif attr.get("computed") and attr.get("optional"):
            entry["optional_computed"] = True     # the provider fills it when the configuration does not
        if attr.get("sensitive"):
            entry["sensitive"] = True
        out["attributes"][name] = entry
    for name, nested in sorted((block.get("block_types") or {}).items()):
        inner = trim_block(nested["block"], depth + 1) if depth < MAX_DEPTH else None
        out["blocks"][name] = {"nesting": nested["nesting_mode"], "block": inner}
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 1
    full = json.loads(Path(argv[0]).read_text())
    provider = full["provider_schemas"]["registry.terraform.io/hashicorp/aws"]["resource_schemas"]
    types = sorted(load_force_new().types)
    missing = [t for t in types if t.startswith("aws_") and t not in provider]
    if missing:
        print(f"types of {FORCE_NEW_FILE.name} that the provider does not know: {missing}")
        return 1
    trimmed = {t: trim_block(provider[t]["block"]) for t in types if t in provider}
    SCHEMA_FILE.write_text(json.dumps({"provider": "hashicorp/aws", "version": "5.100.0",
                                       "types": trimmed}, indent=0, sort_keys=True) + "\n")
    print(f"wrote {SCHEMA_FILE} ({len(trimmed)} types)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
