"""Configuration drift: one layer's state against its synthesized configuration, without terraform.

For every managed instance of the state: kept, moved, forgotten or destroyed; for every configured
instance the state lacks: created; for kept and moved instances, every configured literal value that
differs from the state's, with its effect (update, replace, refused).
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from tools.drift.addresses import Address, parse
from tools.drift.config import Configuration, Resource, keys_of
from tools.drift.documents import differing_paths, documents_equal, kind_of, parse_document
from tools.drift.expressions import Partial
from tools.drift.findings import Change, Finding
from tools.drift.force_new import ForceNewTable, load_force_new
from tools.drift.moves import land, removal_for
from tools.drift.redact import redacted
from tools.drift.refusals import conditional_effect, equivalent, refusal
from tools.drift.resolve import RemoteOutputs, Resolution, no_remote_state, unknowns
from tools.drift.schema import resource_schema
from tools.drift.state import Instance, State
from tools.drift.values import Difference, compare_object

NEVER_COMPARED = frozenset({"tags_all", "id"})
REFERENCE = re.compile(r"\b((?:aws|null|random)_[a-z0-9_]+)\.([a-zA-Z0-9_-]+)\.[a-z_]")
SENSITIVE = "(sensitive)"
AFTER_APPLY = "(known after apply)"


def _shown(value: Any) -> Any:
    """A value for a report: the unknown pieces of a string as `(known after apply)`."""
    if isinstance(value, Partial):
        return value.marked(AFTER_APPLY)
    if isinstance(value, list):
        return [_shown(v) for v in value]
    if isinstance(value, dict):
        return {k: _shown(v) for k, v in value.items()}
    return value


def whole_value_differences(resource: Resource, body: dict[str, Any], state: dict[str, Any],
                            resolution: Resolution) -> tuple[list[Difference], dict[str, Any]]:
    """Top-level values compared whole: those known only after apply (terraform plans a change),
    JSON documents (compared as the provider compares them) and partly known strings (their known
    text must match). The rest of the body is left for `compare_object`."""
    differences, rest = [], {}
    awsvpc = body.get("network_mode") == "awsvpc"
    for name, value in body.items():
        resolution.count(value)
        if resource.ignores(name):
            rest[name] = value
            continue
        if any(u.after_apply for u in unknowns(value)):
            differences.append(Difference(name, state.get(name), AFTER_APPLY))
            continue
        if isinstance(value, Partial) and state.get(name) is None:
            differences.append(Difference(name, None, _shown(value)))    # known text never matches null
            continue
        if parse_document(value) is not None:
            kind = kind_of(resource.type, name)
            same = documents_equal(kind, value, state.get(name), awsvpc)
            if same is not None:
                if not same:
                    places = differing_paths(kind, value, state.get(name), awsvpc)
                    differences.append(Difference(name, state.get(name), _shown(value),
                                                  "differs at " + ", ".join(places) if places else ""))
                continue
        if isinstance(value, Partial) and isinstance(state.get(name), str):
            if not value.pattern().fullmatch(state[name]):
                differences.append(Difference(name, state[name], _shown(value)))
            continue
        rest[name] = value
    return differences, rest


def attribute_changes(resource: Resource, instance: Instance, table: ForceNewTable,
                      resolution: Resolution) -> tuple[Change, ...]:
    schema = resource_schema(resource.type)
    evaluated = resolution.body(resource) or {}
    body = {k: v for k, v in evaluated.items() if k not in NEVER_COMPARED}
    state = dict(instance.attributes)
    whole, body = whole_value_differences(resource, body, state, resolution)
    changes: list[Change] = []
    for difference in whole + compare_object(body, state, "", schema):
        top = difference.path.split(".", 1)[0]
        if resource.ignores(difference.path):
            continue
        if equivalent(resource.type, top, difference.state, difference.config, dict(instance.attributes)):
            continue
        sensitive = schema is not None and schema.is_sensitive(top)
        before, after = redacted(resource.type, difference.path, difference.state, _shown(difference.config))
        if sensitive:
            before, after = SENSITIVE, SENSITIVE
        why = refusal(resource.type, top, difference.state, difference.config)
        if why:
            changes.append(Change(difference.path, before, after, "refused", why))
            continue
        effect = table.effect(resource.type, difference.path)
        if effect == "maybe-replace":
            effect = conditional_effect(resource.type, top, resource.body) or effect
        note = "" if effect != "unknown" else f"{resource.type} is not in the force-new table: update or replacement unknown"
        note = "; ".join(n for n in (difference.note, note) if n)
        changes.append(Change(difference.path, before, after, effect, note))
    return tuple(changes)


def with_known_repetitions(config: Configuration, resolution: Resolution) -> Configuration:
    """The configuration with the instance keys of every `count`/`for_each` that evaluates now
    (from remote-state outputs, literals); the others stay decided at apply time."""
    resources = dict(config.resources)
    for text, resource in config.resources.items():
        if resource.keys is None and resource.repetition is not None:
            kind, expression = resource.repetition
            keys = keys_of(kind, resolution.value(expression))
            if keys is not None:
                resources[text] = replace(resource, keys=keys, repetition=None)
    return replace(config, resources=resources)


def check_config(config: Configuration, state: State, table: ForceNewTable | None = None,
                 remote: RemoteOutputs = no_remote_state, notes: list[str] | None = None) -> list[Finding]:
    """The findings of one layer; `notes` (when given) receives how many values stayed unknown, why."""
    table = table or load_force_new()
    config = with_known_repetitions(config, Resolution(config, {}, remote))
    instances = {i.address: i for i in state.instances}
    findings: list[Finding] = []
    covered: set[Address] = set()
    landings = land(config, list(instances))
    planned = {landing.final: instances[landing.original] for landing in landings
               if config.resource(landing.final) is not None}
    resolution = Resolution(config, planned, remote)
    for landing in landings:
        instance = instances[landing.original]
        final, original = landing.final, landing.original
        original_text = str(original) if final != original else ""
        resource = config.resource(final)
        in_config = resource is not None and (resource.keys is None or final.key in resource.keys)
        if resource is not None and resource.type != instance.type:
            findings.append(Finding("destroyed", str(original), instance.type,
                                    message=f"moved onto {final}, a {resource.type}, not a {instance.type}: "
                                            "Terraform refuses the move"))
            continue
        if in_config:
            covered.add(final)
            kind = "moved" if final != original else "kept"
            message = landing.blocked or ("" if resource.keys is not None else "instance keys are decided at apply time")
            findings.append(Finding(kind, str(final), instance.type, original_text,
                                    attribute_changes(resource, instance, table, resolution), message))
            continue
        removal = removal_for(config.removals, original) or removal_for(config.removals, final)
        if removal is not None and not removal.destroy:
            findings.append(Finding("forgotten", str(original), instance.type,
                                    message="removed from the state, the real object is kept"))
        elif removal is not None:
            findings.append(Finding("destroyed", str(original), instance.type,
                                    message="a removed block with destroy = true"))
        else:
            why = f"{final} is not in the configuration" if final == original else \
                f"moved to {final}, which is not in the configuration"
            findings.append(Finding("destroyed", str(original), instance.type, message=landing.blocked or why))
    attributes = {str(a): i.attributes for a, i in instances.items()}
    findings = propagate_replacements(config, findings, table, attributes)
    for text, resource in sorted(config.resources.items()):
        if resource.keys is None:
            if not any(a.resource == resource.address for a in covered):
                findings.append(Finding("deferred", text, resource.type,
                                        message="count/for_each known at apply time only; no instance in the state"))
            continue
        for key in resource.keys:
            address = resource.address.with_key(key)
            if address not in covered:
                findings.append(Finding("created", str(address), resource.type))
    if notes is not None and resolution.unknown_note():
        notes.append(resolution.unknown_note())
    return findings


def _references(value: Any) -> set[str]:
    if isinstance(value, str):
        return {f"{t}.{n}" for t, n in REFERENCE.findall(value)} if "${" in value else set()
    if isinstance(value, dict):
        return set().union(*(_references(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_references(v) for v in value)) if value else set()
    return set()


def propagate_replacements(config: Configuration, findings: list[Finding], table: ForceNewTable,
                           attributes: dict[str, Any]) -> list[Finding]:
    """A replaced resource gets new computed values (its id, its ARN): every kept or moved instance
    that references it is updated, and replaced where the reference feeds an attribute that forces a
    new resource — as terraform plans it, transitively."""
    by_address = {f.address: i for i, f in enumerate(findings)}
    replaced = {str(parse(f.address).resource) for f in findings if f.action == "replace"}
    changed = True
    while changed:
        changed = False
        for address, index in by_address.items():
            finding = findings[index]
            if finding.kind not in ("kept", "moved"):
                continue
            resource = config.resource(parse(address))
            if resource is None:
                continue
            known = {c.attribute.split(".", 1)[0] for c in finding.changes if "is replaced" in c.note}
            extra = []
            kept = list(finding.changes)
            for name, value in sorted(resource.body.items()):
                if name in known or resource.ignores(name):
                    continue
                sources = _references(value) & replaced
                if sources:
                    # the value compared before was the replaced object's old one: unknown now
                    kept = [c for c in kept if c.attribute.split(".", 1)[0] != name]
                    effect = table.effect(resource.type, name)
                    effect = "replace" if effect == "replace" else ("unknown" if effect == "unknown" else "update")
                    schema = resource_schema(resource.type)
                    before = SENSITIVE if schema is not None and schema.is_sensitive(name) else \
                        (attributes.get(finding.original or address) or {}).get(name)
                    extra.append(Change(name, before, "(known after apply)", effect,
                                        f"{', '.join(sorted(sources))} is replaced"))
            if extra:
                findings[index] = replace(finding, changes=tuple(kept) + tuple(extra))
                if findings[index].action == "replace":
                    replaced.add(str(resource.address))
                changed = True
    return findings
