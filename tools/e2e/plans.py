"""Reading terraform's answers: what a plan changes (address, action, attributes) and what an apply's
errors say (the resource, the AWS API, whether moto is the reason)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tools.e2e.terraform import Diagnostic, Result

MOTO_GAP_MARKERS = ("not yet implemented", "notimplemented", "not implemented", "invalidaction",
                    "statuscode: 501", "unknownoperation", "has not been implemented")


def is_moto_gap(diagnostic: Diagnostic) -> bool:
    text = f"{diagnostic.summary} {diagnostic.detail}".lower()
    return any(marker in text for marker in MOTO_GAP_MARKERS)


def described(diagnostic: Diagnostic) -> str:
    """"aws_x.y [Service:Api]: the error" — the resource and the API call an error names."""
    api = diagnostic.api
    text = " ".join(f"{diagnostic.summary}: {diagnostic.detail}".split())[:400]
    return f"{diagnostic.address or '(no address)'}" + (f" [{api}]" if api else "") + f": {text}"


def changed_attributes(plan: Mapping[str, Any]) -> dict[str, list[str]]:
    """address -> the attribute paths a plan (`show -json`) changes: before != after, or unknown
    after apply; for a create, delete or replace, the actions in parentheses."""
    found = {}
    for change in plan.get("resource_changes") or []:
        body = change["change"]
        if body["actions"] in (["no-op"], ["read"]):
            continue
        if body["actions"] != ["update"]:
            found[change["address"]] = ["(" + "+".join(body["actions"]) + ")"]
            continue
        found[change["address"]] = sorted(set(_differing(body.get("before") or {}, body.get("after") or {}))
                                          | set(_unknown(body.get("after_unknown") or {})))
    return found


def _differing(before: Any, after: Any, path: str = "") -> list[str]:
    if isinstance(before, dict) and isinstance(after, dict):
        return [p for k in sorted(set(before) | set(after))
                for p in _differing(before.get(k), after.get(k), f"{path}.{k}" if path else k)]
    return [] if before == after else [path]


def _unknown(tree: Any, path: str = "") -> list[str]:
    if tree is True:
        return [path]
    if isinstance(tree, dict):
        return [p for k, v in tree.items() for p in _unknown(v, f"{path}.{k}" if path else k)]
    return []


def plan_summary(result: Result) -> str:
    if result.text.startswith("not run:"):
        return result.text
    if result.returncode == 0:
        return "exit 0, no changes"
    if result.returncode == 2:
        changes = sorted(result.changes())
        details = result.attribute_changes
        shown = ", ".join(f"{a} {x}" + (f" ({', '.join(details[a][:4])})" if details.get(a) and x == "update" else "")
                          for a, x in changes[:6]) + (" ..." if len(changes) > 6 else "")
        return f"exit 2, {len(changes)} to change: {shown}"
    return f"exit {result.returncode}: " + "; ".join(d.line() for d in result.diagnostics())[:600]


def foreign_removed_blocks(stack: Mapping[str, Any]) -> list[str]:
    """`removed` blocks naming a resource of a provider other than aws (null, random)."""
    found = []
    for block in stack.get("removed") or []:
        address = block.get("from", "")
        parts = re.sub(r"\[[^]]*\]", "", address).split(".")
        while parts[:1] == ["module"]:
            parts = parts[2:]
        rtype = parts[0] if len(parts) == 2 else ""
        if rtype and not rtype.startswith("aws_"):
            found.append(f"{address} (provider {rtype.split('_')[0]})")
    return found
