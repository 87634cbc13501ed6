"""Plan equivalence without terraform: every literal value the original planned for an instance
(`tests/fixtures/original/`, written from the reference plans) is what the synthesized stack
configures for the instance it lands on — or what the provider plans when the stack leaves the
attribute unset (`PROVIDER_DEFAULTS`) — except the deliberate changes in
`docs/accepted-differences.json`, each limited to the keys it names.

Tags that the reference plans cannot show (a map holding `timestamp()` is unknown as a whole) come
from `tests/fixtures/original_tags/`, Terraform's own evaluation of the original with the timestamp
fixed (`tools/original_tags.py`), so a dropped `Name` tag fails here even where the plan is blind.

Values with references (`${...}`) are checked on their literal parts: each reference stands for any
text, and the rest must be what the original planned; inside a JSON document (a policy, a container
definition) the same holds string by string. The references themselves resolve to IDs of other
layers' states, which differ between any two deployments; `plan_compare.py` resolves them with
terraform against the same fabricated states as the reference plans. The caller's account id and
another resource's literal attribute are resolved here.
"""
from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path
from typing import Any

import pytest

from layers import LAYERS
from tests.conftest import REFERENCE_ENVIRONMENTS, ROOT
from tests.helpers import addresses, moves, resource

FIXTURES = Path(__file__).parent / "fixtures" / "original"
TAG_FACTS = Path(__file__).parent / "fixtures" / "original_tags"
ACCEPTED = json.loads((ROOT / "docs" / "accepted-differences.json").read_text())
REFERENCE_ACCOUNT = "897722691159"  # the account of the original's variable files (and of the reference plans)
KNOWN_REFERENCES = {"${data.aws_caller_identity.current.account_id}": REFERENCE_ACCOUNT}
PROVIDER_DEFAULTS: dict[str, Any] = json.loads(
    (Path(__file__).parent / "fixtures" / "provider_defaults.json").read_text())["defaults"]
MISSING = object()
PLACEHOLDER = "@@reference@@"


def default(rtype: str, attr: str) -> Any:
    for key in (f"{rtype}.{attr}", f"*.{attr}"):
        if key in PROVIDER_DEFAULTS:
            return PROVIDER_DEFAULTS[key]
    return MISSING


# ---------------------------------------------------------------------- references
def split_references(text: str) -> list[str]:
    """`text` cut into literal parts and `${...}` references (balanced braces), in order."""
    parts, i, start = [], 0, 0
    while True:
        i = text.find("${", start)
        if i < 0:
            parts.append(text[start:])
            return parts
        depth, j = 0, i + 1
        while j < len(text):
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            if depth == 0:
                break
            j += 1
        parts += [text[start:i], text[i:j + 1]]
        start = j + 1


def has_reference(value: Any) -> bool:
    return "${" in json.dumps(value)


REFERENCE = re.compile(r"\$\{(aws_[a-z0-9_]+)\.([a-z0-9_]+)\.([a-z0-9_]+)\}")


def resolved(value: Any, stack: dict) -> Any:
    """`value` with the references it can resolve offline replaced: the caller's account id, and
    another resource's attribute that the stack sets literally (`${aws_iam_user.x.name}`)."""
    if isinstance(value, list):
        return [resolved(v, stack) for v in value]
    if isinstance(value, dict):
        return {k: resolved(v, stack) for k, v in value.items()}
    if not isinstance(value, str):
        return value
    for token, fact in KNOWN_REFERENCES.items():
        value = value.replace(token, fact)

    def literal(match: re.Match) -> str:
        target = (stack.get("resource") or {}).get(match[1], {}).get(match[2], {}).get(match[3])
        return target if isinstance(target, str) and "${" not in target else match[0]
    return REFERENCE.sub(literal, value)


def template_matches(original: Any, template: str) -> bool:
    """Whether `original` is `template` with each reference standing for any text."""
    pattern = "".join("(?:.*?)" if p.startswith("${") else re.escape(p) for p in split_references(template))
    text = original if isinstance(original, str) else json.dumps(original)
    return re.fullmatch(pattern, text, re.S) is not None


def json_with_placeholders(text: str) -> Any:
    """A JSON document whose string values may hold references, parsed with each reference as a
    placeholder (MISSING when it is not such a document)."""
    replaced = "".join(PLACEHOLDER if p.startswith("${") else p for p in split_references(text))
    try:
        return json.loads(replaced)
    except ValueError:
        return MISSING


# ---------------------------------------------------------------------- comparing
def canonical(value: Any) -> Any:
    """JSON documents by meaning: key order, statement order and one-element lists do not matter."""
    if isinstance(value, str) and value.lstrip().startswith(("{", "[")):
        try:
            value = json.loads(value)
        except ValueError:
            return value
        return canonical_json(value)
    return value


def canonical_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: canonical_json(v) for k, v in sorted(value.items()) if k != "Sid" or v}
    if isinstance(value, list):
        items = [canonical_json(v) for v in value]
        items = sorted(items, key=lambda x: json.dumps(x, sort_keys=True))
        return items[0] if len(items) == 1 and not isinstance(items[0], dict) else items
    return value


def same_with_placeholders(original: Any, ours: Any) -> bool:
    """Structural equality where a string of ours holding placeholders is a template."""
    if isinstance(ours, str) and PLACEHOLDER in ours:
        return template_matches(original, ours.replace(PLACEHOLDER, "${ref}"))
    if isinstance(original, dict) and isinstance(ours, dict):
        return set(original) == set(ours) and all(same_with_placeholders(original[k], ours[k]) for k in original)
    if isinstance(original, list) and isinstance(ours, list):
        if len(original) != len(ours):
            return False
        # order-insensitive, as policy statements and resources are
        remaining = list(ours)
        for item in original:
            match = next((u for u in remaining if same_with_placeholders(item, u)), MISSING)
            if match is MISSING:
                return False
            remaining.remove(match)
        return True
    return canonical_json(original) == canonical_json(ours)


def differences(rtype: str, path: str, original: Any, ours: Any, stack: dict) -> list[str]:
    if ours is MISSING:
        # A nested block the configuration leaves out is planned as an empty list, whatever its type.
        if default(rtype, path) == original or original == []:
            return []
        return [f"{path}: not set, original {original!r}"]
    ours = resolved(ours, stack)
    if isinstance(original, list) and len(original) == 1 and isinstance(original[0], dict) and isinstance(ours, dict):
        original = original[0]
    if isinstance(original, list) and isinstance(ours, list) and len(original) == len(ours) and \
            all(isinstance(x, dict) for x in original + ours):
        return [d for i, (o, u) in enumerate(zip(original, ours)) for d in differences(rtype, path, o, u, stack)]
    if isinstance(original, dict) and isinstance(ours, dict) and path not in ("tags", "tags_all"):
        return [d for k, v in original.items() for d in differences(rtype, f"{path}.{k}", v, ours.get(k, MISSING), stack)]
    if has_reference(ours):
        return [] if references_agree(original, ours) else [f"{path}: {ours!r} does not fit original {original!r}"]
    if canonical(original) != canonical(ours):
        return [f"{path}: {ours!r}, original {original!r}"]
    return []


def references_agree(original: Any, ours: Any) -> bool:
    """The literal parts of a value with references are the original's."""
    if isinstance(ours, str):
        if isinstance(original, str) and original.lstrip().startswith(("{", "[")):
            document = json_with_placeholders(ours)
            if document is not MISSING:
                try:
                    return same_with_placeholders(json.loads(original), document)
                except ValueError:
                    pass
        return template_matches(original, ours)
    if isinstance(ours, list) and isinstance(original, list):
        return len(original) == len(ours) and all(
            references_agree(o, u) if has_reference(u) else canonical(o) == canonical(u)
            for o, u in zip(sorted(original, key=json.dumps), sorted(ours, key=json.dumps)))
    if isinstance(ours, dict) and isinstance(original, dict):
        return set(original) <= set(ours) and all(
            references_agree(original[k], ours[k]) if has_reference(ours[k]) else canonical(original[k]) == canonical(ours[k])
            for k in original)
    return False


# ---------------------------------------------------------------------- accepted differences
def entries_for(layer: str, address: str, attr: str) -> list[dict]:
    return [a for a in ACCEPTED if fnmatch.fnmatch(layer, a["layer"]) and fnmatch.fnmatch(address, a["address"])
            and fnmatch.fnmatch(attr, a["attribute"])]


def without_keys(value: Any, attr: str, keys: list[str]) -> Any:
    """A map attribute less the keys an entry names (`tags.CreatedAt` removes `CreatedAt` from `tags`)."""
    if not isinstance(value, dict):
        return value
    dropped = {k.split(".", 1)[1] for k in keys if k.startswith(attr + ".")}
    return {k: v for k, v in value.items() if k not in dropped}


def original_instances(env: str, layer: str) -> list[dict]:
    instances = json.loads((FIXTURES / env / f"{layer}.json").read_text())["instances"]
    facts_file = TAG_FACTS / env / f"{layer}.json"
    facts = json.loads(facts_file.read_text())["instances"] if facts_file.exists() else {}
    for instance in instances:
        for attr, value in (facts.get(instance["address"]) or {}).items():
            if value is not None:
                instance["values"].setdefault(attr, value)
    return instances


def compare_layer(stack: dict, env: str, layer: str) -> tuple[list[str], set[int]]:
    """Problems, and the indexes (in ACCEPTED) of the entries that matched a real difference."""
    (provider,) = stack["provider"]["aws"]
    default_tags = provider["default_tags"][0]["tags"]
    moved = moves(stack)
    problems, used = [], set()
    instances = original_instances(env, layer)
    # Resources with no deployed counterpart: a value that references one is known only after apply.
    created = addresses(stack) - set(moved.values()) - {i["address"] for i in instances}
    for instance in instances:
        target = moved.get(instance["address"], instance["address"])
        config = dict(resource(stack, target))
        config.setdefault("tags_all", {**default_tags, **(config.get("tags") or {})})
        for attr, value in sorted(instance["values"].items()):
            ours = config.get(attr, MISSING)
            entries = entries_for(layer, instance["address"], attr)
            real = differences(instance["type"], attr, value, ours, stack)
            if not entries:
                problems += [f"{instance['address']} -> {target}: {p}" for p in real]
                continue
            keys = [k for e in entries for k in e["keys"]]
            if not keys:  # the whole attribute is a deliberate change
                if real:
                    used.update(ACCEPTED.index(e) for e in entries)
                continue
            rest = differences(instance["type"], attr, without_keys(value, attr, keys),
                               without_keys(ours, attr, keys) if ours is not MISSING else ours, stack)
            problems += [f"{instance['address']} -> {target}: {p} (beyond the accepted {keys})" for p in rest]
            if real and not rest:
                used.update(ACCEPTED.index(e) for e in entries)
        # An attribute the original plan could not know (a timestamp()) that the stack sets is a
        # difference too, as plan_compare.py sees it: known in one plan only.
        for entry in ACCEPTED:
            if fnmatch.fnmatch(layer, entry["layer"]) and fnmatch.fnmatch(instance["address"], entry["address"]) \
                    and entry["attribute"] not in instance["values"] and entry["attribute"] in config:
                used.add(ACCEPTED.index(entry))
        # So is a value the original planned that the stack now takes from a resource created new
        # (its reference agrees with any literal, but plan_compare.py sees it known only after apply).
        for entry in ACCEPTED:
            if fnmatch.fnmatch(layer, entry["layer"]) and fnmatch.fnmatch(instance["address"], entry["address"]) \
                    and any(fnmatch.fnmatch(attr, entry["attribute"]) and
                            any(f"${{{address}." in json.dumps(config.get(attr)) for address in created)
                            for attr in instance["values"]):
                used.add(ACCEPTED.index(entry))
    return problems, used


def cases():
    for env in REFERENCE_ENVIRONMENTS:
        for layer in LAYERS:
            if (FIXTURES / env / f"{layer.layer}.json").exists():
                yield pytest.param(env, layer.layer, id=f"{env}-{layer.layer}")


@pytest.mark.parametrize("env,layer", list(cases()))
def test_stack_carries_every_literal_value_of_the_original(synthesized, env, layer):
    problems, _ = compare_layer(synthesized(env).stack(layer), env, layer)
    assert not problems, "\n".join(problems)


def test_every_accepted_difference_matches_a_real_difference(synthesized):
    """An entry that no longer matches a real difference (fixed since, or never there) is stale and
    would accept a future, unreviewed one."""
    used: set[int] = set()
    for env in REFERENCE_ENVIRONMENTS:
        for layer in LAYERS:
            if (FIXTURES / env / f"{layer.layer}.json").exists():
                used |= compare_layer(synthesized(env).stack(layer.layer), env, layer.layer)[1]
    stale = [f"{e['layer']} {e['address']} {e['attribute']} {e['keys']}" for i, e in enumerate(ACCEPTED) if i not in used]
    assert not stale, "stale accepted differences:\n" + "\n".join(stale)


@pytest.mark.parametrize("original,ours,agree", [
    ("jdbc:mysql://db.example:3306/petclinic", "jdbc:mysql://${data.x.outputs.endpoint}:3306/petclinic", True),
    ("jdbc:mysql://db.example:3307/petclinic", "jdbc:mysql://${data.x.outputs.endpoint}:3306/petclinic", False),
    ('[{"name":"app","portMappings":[{"containerPort":8080}],"image":"x/y:1"}]',
     '[{"image": "${aws_ecr_repository.r.repository_url}:2", "name": "app", "portMappings": [{"containerPort": 8080}]}]',
     False),
    ('[{"name":"app","portMappings":[{"containerPort":8080}],"image":"x/y:1"}]',
     '[{"image": "${aws_ecr_repository.r.repository_url}:1", "name": "app", "portMappings": [{"containerPort": 9090}]}]',
     False),
    (["sg-1", "sg-2"], ["${aws_security_group.a.id}", "sg-2"], True),
    (["sg-1", "sg-3"], ["${aws_security_group.a.id}", "sg-2"], False),
    ('[{"name":"app","portMappings":[{"containerPort":8080}],"image":"x/y:1"}]',
     '[{"image": "${aws_ecr_repository.r.repository_url}:1", "name": "app", "portMappings": [{"containerPort": 8080}]}]',
     True),
])
def test_values_with_references_are_checked_on_their_literal_parts(original, ours, agree):
    assert references_agree(original, ours) is agree
