"""What one flip does to the states: the ladder's effects of a step, per resource instance.

Two measures, joined:
- the drift tool's `config` findings of the flipped synthesis against the states, less those the base
  synthesis already has. Compared change by change, not finding by finding: a resource the base
  already replaces (a state fixture without `rest_api_id`) and that the flip only updates in place
  (`xray_tracing_enabled`) is an update of this step, not a replacement.
- the configured values themselves, base against flipped, for every instance both configure. A value
  the comparison with the state cannot judge (the state lacks the attribute; a document with pieces
  known at apply only, as ECS container definitions are) would otherwise hide the change: when the
  flip changes it, Terraform changes it, and the force-new table says whether in place or by
  replacement. The one exception is a flip that brings the configuration back to the state (the base
  differs from the state there, the flipped synthesis does not): no effect.

A resource the step replaces hands new computed values (an ARN, an id) to whatever references it:
those are updated, or replaced where the reference feeds an attribute that forces a new resource.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tools.drift.config import Configuration, Resource
from tools.drift.documents import documents_equal, kind_of, parse_document
from tools.drift.findings import EFFECT_RANK, Finding
from tools.drift.force_new import ForceNewTable, load_force_new
from tools.drift.refusals import conditional_effect
from tools.drift.schema import resource_schema
from tools.drift.values import scalar_equal

NEVER_COMPARED = frozenset({"tags_all", "id"})
REFERENCE = re.compile(r"\b((?:aws|null|random)_[a-z0-9_]+)\.([a-zA-Z0-9_-]+)\.[a-z_]")
INSTANCE_KINDS = ("created", "destroyed", "forgotten", "deferred")
INSTANCE_ACTIONS = ("create", "destroy", "forget", "deferred", "move")


@dataclass(frozen=True)
class Seen:
    """One instance's finding as comparable parts: its kind and its changes (attribute, before,
    after, effect), values as the drift tool shows them."""

    kind: str
    type: str
    action: str
    changes: frozenset[tuple[str, str, str, str]]

    @classmethod
    def of(cls, finding: Finding) -> "Seen":
        return cls(finding.kind, finding.type, finding.action,
                   frozenset((c.attribute, repr(c.before), repr(c.after), c.effect) for c in finding.changes))

    def attributes(self) -> set[str]:
        return {top(c[0]) for c in self.changes}


@dataclass(frozen=True)
class LayerView:
    """One layer of one synthesis: its findings against the state, by instance address, and its
    configuration."""

    findings: Mapping[str, Seen]
    config: Configuration


def top(path: str) -> str:
    return path.split(".", 1)[0]


def strongest(effects: list[str]) -> str:
    return max(effects, key=lambda e: EFFECT_RANK.get(e, 0))


def same_value(rtype: str, name: str, base: Any, flipped: Any) -> bool:
    if base == flipped:
        return True
    if parse_document(base) is not None and parse_document(flipped) is not None:
        return bool(documents_equal(kind_of(rtype, name), base, flipped))
    if isinstance(base, (dict, list)) or isinstance(flipped, (dict, list)):
        return False
    return scalar_equal(base, flipped)


def configured_changes(base: Resource, flipped: Resource) -> set[str]:
    """Top-level attributes whose configured value the flip changes (ignored ones left out)."""
    names = (set(base.body) | set(flipped.body)) - NEVER_COMPARED
    schema = resource_schema(flipped.type)

    def kept_by_provider(name: str) -> bool:
        """Left out of the flipped configuration where the provider fills it when unset (optional and
        computed): Terraform keeps the state's value, no change (aws_ecs_service.launch_type)."""
        entry = schema.raw["attributes"].get(name) if schema is not None else None
        return name not in flipped.body and bool(entry and entry.get("optional_computed"))

    return {n for n in names if not flipped.ignores(n) and not kept_by_provider(n)
            and not same_value(flipped.type, n, base.body.get(n), flipped.body.get(n))}


def effect_of(table: ForceNewTable, resource: Resource, attribute: str) -> str:
    effect = table.effect(resource.type, attribute)
    if effect == "maybe-replace":
        effect = conditional_effect(resource.type, attribute, resource.body) or effect
    return effect


def instances(resource: Resource) -> list[str]:
    return [str(resource.address.with_key(k)) for k in (resource.keys or ())]


def references(value: Any) -> set[str]:
    if isinstance(value, str):
        return {f"{t}.{n}" for t, n in REFERENCE.findall(value)} if "${" in value else set()
    if isinstance(value, dict):
        return set().union(*(references(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(references(v) for v in value)) if value else set()
    return set()


def layer_actions(base: LayerView | None, flipped: LayerView,
                  table: ForceNewTable | None = None) -> dict[str, tuple[str, str]]:
    """Instance address -> (action, type) of what the flip does in one layer."""
    table = table or load_force_new()
    actions: dict[str, tuple[str, str]] = {}
    effects: dict[str, list[str]] = {}
    new_attributes: dict[str, set[str]] = {}
    for address, seen in flipped.findings.items():
        before = base.findings.get(address) if base else None
        if seen.kind in INSTANCE_KINDS:
            if before is None or before.kind != seen.kind:
                actions[address] = (seen.action, seen.type)
            continue
        if seen.kind == "moved" and (before is None or before.kind != "moved"):
            actions[address] = ("move", seen.type)
        new = seen.changes - (before.changes if before else frozenset())
        new_attributes[address] = {top(c[0]) for c in new}
        effects[address] = [c[3] for c in new]
    if base is not None:
        for text, resource in flipped.config.resources.items():
            old = base.config.resources.get(text)
            if old is None or old.keys is None or resource.keys is None:
                continue
            changed = configured_changes(old, resource)
            if not changed:
                continue
            for address in set(instances(resource)) & set(instances(old)):
                before, seen = base.findings.get(address), flipped.findings.get(address)
                if seen is None or seen.kind not in ("kept", "moved"):
                    continue
                resolved = (before.attributes() if before else set()) - seen.attributes()
                for name in sorted(changed - new_attributes.get(address, set()) - resolved):
                    effects.setdefault(address, []).append(effect_of(table, resource, name))
    for address, found in effects.items():
        if found and (address not in actions or actions[address][0] == "move"):
            actions[address] = (strongest(found), flipped.findings[address].type)
    return propagate(flipped.config, actions, table)


def propagate(config: Configuration, actions: dict[str, tuple[str, str]],
              table: ForceNewTable) -> dict[str, tuple[str, str]]:
    """Whatever references a resource this step replaces is updated (replaced where the attribute
    forces it), transitively."""
    result = dict(actions)
    done: set[str] = set()
    while True:
        replaced = {a.split("[", 1)[0] for a, (action, _t) in result.items() if action == "replace"} - done
        if not replaced:
            return result
        done |= replaced
        for text, resource in sorted(config.resources.items()):
            hit = [n for n, v in resource.body.items() if references(v) & replaced and not resource.ignores(n)]
            if not hit:
                continue
            effect = "replace" if any(table.effect(resource.type, n) == "replace" for n in hit) else "update"
            for address in instances(resource):
                current = result.get(address)
                if current is None or (current[0] not in INSTANCE_ACTIONS
                                       and EFFECT_RANK.get(effect, 0) > EFFECT_RANK.get(current[0], 0)):
                    result[address] = (effect, resource.type)
