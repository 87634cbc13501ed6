"""Configuration drift (`python -m tools.drift config`) on states written from the inventory facts
(`tests/fixtures/original/`), for every layer that has a stack, in both reference environments.

Independent facts: the original instances and values (the fixtures), the deliberate changes
(`docs/accepted-differences.json`), and the deployed Aurora version (8.0.mysql_aurora.3.08.2, dev).
"""
from __future__ import annotations

import atexit
import fnmatch
import json
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from layers import LAYERS
from tests.conftest import REFERENCE_ENVIRONMENTS, ROOT
from tests.tools.state_completion import MADE_UP, complete, complete_state
from tests.tools.state_fixtures import ORIGINAL, add_instance, original_state, set_attribute, write_states
from tools.drift.addresses import parse
from tools.drift.config import load_configuration
from tools.stack_form import NATIVE_FILE
from tools.drift.config_drift import check_config
from tools.drift.resolve import RemoteStates
from tools.drift.state import S3Options, parse_state

ACCEPTED = json.loads((ROOT / "docs" / "accepted-differences.json").read_text())
DEPLOYED_AURORA_VERSION = "8.0.mysql_aurora.3.08.2"   # the running dev cluster and instances (not the code's 3.08.0)


def cases():
    for env in REFERENCE_ENVIRONMENTS:
        for layer in LAYERS:
            if (ORIGINAL / env / f"{layer.layer}.json").exists():
                yield pytest.param(env, layer.layer, id=f"{env}-{layer.layer}")


_COMPLETED: dict[str, Path] = {}


def completed_states(synthesized, env: str) -> Path:
    """Every layer's fixture of `env`, completed as applied states (their outputs included), once
    per run: the producers a layer reads through terraform_remote_state."""
    if env not in _COMPLETED:
        folder = Path(tempfile.mkdtemp(prefix=f"drift-completed-{env}-"))
        atexit.register(shutil.rmtree, folder, True)
        stacks = synthesized(env).outdir / "stacks"
        write_states(folder, env, [p.stem for p in (ORIGINAL / env).glob("*.json")])
        complete(stacks, folder)
        _COMPLETED[env] = folder
    return _COMPLETED[env]


def drift(synthesized, env: str, layer: str, state: dict):
    """The fixture completed as an applied state holds it (references, computed values), its remote
    reads answered by the other layers' completed states."""
    stacks = synthesized(env).outdir / "stacks"
    folder = completed_states(synthesized, env)
    config = load_configuration(stacks / layer)
    remote = RemoteStates(stacks, str(folder), S3Options(), False)
    completed = complete_state(state, config, remote)
    return check_config(config, parse_state(json.dumps(completed), f"{env}/{layer} fixture"), remote=remote)


def changed_keys(change) -> set[str]:
    """`tags.CreatedAt` for a map attribute whose `CreatedAt` differs; the attribute itself otherwise."""
    top = change.attribute.split(".", 1)[0]
    if isinstance(change.before, dict) and isinstance(change.after, dict):
        keys = set(change.before) | set(change.after)
        return {f"{top}.{k}" for k in keys if change.before.get(k) != change.after.get(k)}
    return {top}


def accepted(layer: str, address: str, change) -> bool:
    """The change is a deliberate one: an accepted difference names its attribute and, when it
    lists keys, every key that differs; a replacement only where the entry says it replaces."""
    top = change.attribute.split(".", 1)[0]
    if MADE_UP in json.dumps(change.after, default=str):
        return True     # built from a value the completion invented (the reference plans cannot show it)
    for entry in ACCEPTED:
        if fnmatch.fnmatch(layer, entry["layer"]) and fnmatch.fnmatch(address, entry["address"]) \
                and fnmatch.fnmatch(top, entry["attribute"]):
            replaces = "replace" in entry["effect"]
            if change.effect not in ("update", "replace") or (change.effect == "replace" and not replaces):
                continue
            if not entry.get("keys") or changed_keys(change) <= set(entry["keys"]):
                return True
    return False


@pytest.mark.parametrize("env,layer", list(cases()))
def test_original_state_shows_moves_no_destroy_and_only_accepted_updates(synthesized, env, layer):
    findings = drift(synthesized, env, layer, original_state(env, layer))
    originals = {i["address"] for i in json.loads((ORIGINAL / env / f"{layer}.json").read_text())["instances"]}
    landed = {f.original or f.address for f in findings if f.kind in ("kept", "moved", "forgotten")}
    assert landed == originals, f"not kept: {sorted(originals - landed)}"
    # Nothing is destroyed; a `created` instance is a resource the port adds (12's webhook secret).
    assert not [f for f in findings if f.kind == "destroyed"], \
        [(f.address, f.message) for f in findings if f.kind == "destroyed"]
    unexpected = [(f.original or f.address, c.attribute, c.effect, sorted(changed_keys(c))) for f in findings
                  for c in f.changes if not accepted(layer, f.original or f.address, c)]
    assert not unexpected, unexpected


@pytest.mark.parametrize("env,layer", list(cases()))
def test_extra_resource_in_the_state_is_destroyed(synthesized, env, layer):
    state = add_instance(original_state(env, layer), "aws_s3_bucket.left_behind", {"bucket": "petclinic-left-behind"})
    (finding,) = [f for f in drift(synthesized, env, layer, state) if f.address == "aws_s3_bucket.left_behind"]
    assert finding.kind == "destroyed" and finding.action == "destroy"


@pytest.mark.parametrize("env,layer", list(cases()))
def test_changed_identity_value_is_a_replacement(synthesized, env, layer):
    """In every layer, an instance whose force-new attribute (a name, a CIDR, an engine) differs in
    the state from the configured literal is planned as a replacement, not an update."""
    from tools.drift.force_new import load_force_new

    table = load_force_new()
    baseline = drift(synthesized, env, layer, original_state(env, layer))
    config = load_configuration(synthesized(env).stack_dir(layer))
    candidates = []
    for finding in baseline:
        resource = config.resource(parse(finding.address))
        entry = table.types.get(finding.type)
        if resource is None or entry is None:
            continue
        for attribute in sorted(entry.force_new):
            value = resource.body.get(attribute)
            if isinstance(value, str) and "${" not in value and attribute not in resource.ignore_changes:
                candidates.append((finding.original or finding.address, finding.address, attribute))
    assert candidates, f"{layer}: no instance with a literal force-new attribute to tamper with"
    original, address, attribute = candidates[0]
    state = set_attribute(original_state(env, layer), original, attribute, "tampered-value")
    (finding,) = [f for f in drift(synthesized, env, layer, state) if f.address == address]
    change = next(c for c in finding.changes if c.attribute == attribute)
    assert (change.effect, change.before) == ("replace", "tampered-value")
    assert finding.action == "replace"


@pytest.mark.parametrize("env", REFERENCE_ENVIRONMENTS)
def test_changed_vpc_and_subnet_cidr_is_a_replacement(synthesized, env):
    state = original_state(env, "01-network")
    vpc = next(r for r in state["resources"] if r["type"] == "aws_vpc")
    subnet = next(r for r in state["resources"] if r["type"] == "aws_subnet")
    vpc_address = f"{vpc['module']}.aws_vpc.{vpc['name']}"
    key = subnet["instances"][0].get("index_key")
    subnet_address = f"{subnet['module']}.aws_subnet.{subnet['name']}" + (f'["{key}"]' if key is not None else "")
    state = set_attribute(state, vpc_address, "cidr_block", "10.99.0.0/16")
    state = set_attribute(state, subnet_address, "cidr_block", "10.99.1.0/24")
    findings = {f.original: f for f in drift(synthesized, env, "01-network", state)}
    for address, cidr in ((vpc_address, "10.99.0.0/16"), (subnet_address, "10.99.1.0/24")):
        change = next(c for c in findings[address].changes if c.attribute == "cidr_block")
        assert change.before == cidr and change.effect == "replace"
        assert re.fullmatch(r"10\.\d+\.\d+\.0/\d+", change.after)


def bumped(version: str) -> str:
    """The version one step above: the last number plus one (`...3.08.0` -> `...3.08.1`)."""
    head, last = re.fullmatch(r"(.*?)(\d+)", version).groups()
    return f"{head}{int(last) + 1:0{len(last)}d}"


def with_running_version(state: dict, version: str) -> dict:
    for resource in state["resources"]:
        if resource["type"] in ("aws_rds_cluster", "aws_rds_cluster_instance"):
            for instance in resource["instances"]:
                instance["attributes"]["engine_version"] = version
    return state


def pinned_copy(stack_dir, tmp_path):
    """The synthesized 03-database with `engine_version` no longer in `ignore_changes`: the case where a
    configuration pins the version Terraform will apply."""
    data = json.loads((stack_dir / "cdk.tf.json").read_text())
    for rtype in ("aws_rds_cluster", "aws_rds_cluster_instance"):
        for body in (data["resource"].get(rtype) or {}).values():
            ignored = (body.get("lifecycle") or {}).get("ignore_changes") or []
            if ignored:
                body["lifecycle"]["ignore_changes"] = [i for i in ignored if i != "engine_version"]
    target = tmp_path / "03-database"
    target.mkdir()
    (target / "cdk.tf.json").write_text(json.dumps(data))
    shutil.copy(stack_dir / NATIVE_FILE, target / NATIVE_FILE)   # its moved blocks
    return load_configuration(target)


@pytest.mark.parametrize("env", REFERENCE_ENVIRONMENTS)
def test_running_engine_version_above_the_configured_one_is_a_refused_downgrade(synthesized, env, tmp_path):
    synthesized_config = load_configuration(synthesized(env).stack_dir("03-database"))
    (cluster,) = [r for r in synthesized_config.resources.values() if r.type == "aws_rds_cluster"]
    configured = cluster.body.get("engine_version")
    assert isinstance(configured, str) and "${" not in configured, "the cluster names its engine version"
    running = bumped(configured)
    state = with_running_version(original_state(env, "03-database"), running)
    parsed = parse_state(json.dumps(state), "fixture")
    # As synthesized: where the stack leaves the version to AWS (ignore_changes), nothing is planned.
    for finding in check_config(synthesized_config, parsed):
        resource = synthesized_config.resource(parse(finding.address))
        changes = [c for c in finding.changes if c.attribute == "engine_version"]
        if resource.ignores("engine_version"):
            assert not changes, (finding.address, changes)
        elif finding.type in ("aws_rds_cluster", "aws_rds_cluster_instance"):
            assert [c.effect for c in changes] == ["refused"]
    # Pinned: the cluster and the instances (whose version is the cluster's, by reference) are refused.
    refused = {f.address: f for f in check_config(pinned_copy(synthesized(env).stack_dir("03-database"), tmp_path), parsed)
               if f.type in ("aws_rds_cluster", "aws_rds_cluster_instance")}
    assert len(refused) == 3
    for finding in refused.values():
        (change,) = [c for c in finding.changes if c.attribute == "engine_version"]
        assert change.effect == "refused" and finding.action == "refused"
        assert "downgrade" in change.note and running in change.note and configured in change.note


@pytest.mark.parametrize("pinned", [False, True], ids=["as-synthesized", "pinned"])
def test_deployed_dev_aurora_version_against_the_configuration(synthesized, tmp_path, pinned):
    """The fact: dev runs 8.0.mysql_aurora.3.08.2. Whatever the configuration says, the check tells
    a refused downgrade (configured below it) from no change (equal, a prefix AWS accepts, ignored)."""
    from tools.drift.refusals import same_version, version_tuple

    stack_dir = synthesized("dev").stack_dir("03-database")
    config = pinned_copy(stack_dir, tmp_path) if pinned else load_configuration(stack_dir)
    state = with_running_version(original_state("dev", "03-database"), DEPLOYED_AURORA_VERSION)
    for finding in check_config(config, parse_state(json.dumps(state), "fixture")):
        if finding.type not in ("aws_rds_cluster", "aws_rds_cluster_instance"):
            continue
        resource = config.resource(parse(finding.address))
        configured = resource.body.get("engine_version")
        changes = [c for c in finding.changes if c.attribute == "engine_version"]
        if not isinstance(configured, str) or "${" in configured or resource.ignores("engine_version") \
                or same_version(configured, DEPLOYED_AURORA_VERSION):
            assert not changes, (finding.address, changes)
        elif version_tuple(configured) < version_tuple(DEPLOYED_AURORA_VERSION):
            assert [c.effect for c in changes] == ["refused"], (finding.address, changes)
            assert "downgrade" in changes[0].note
        else:
            assert [c.effect for c in changes] == ["update"]


@pytest.mark.parametrize("layer", [cls.layer for cls in LAYERS])
def test_removed_blocks_forget_without_destroying(synthesized, layer):
    config = load_configuration(synthesized("dev").stack_dir(layer))
    if not config.removals:
        pytest.skip(f"{layer} has no removed block")
    state = original_state("dev", layer)
    for removal in config.removals:
        state = add_instance(state, str(removal.source), {"id": "kept-object"})
    findings = {f.address: f for f in drift(synthesized, "dev", layer, state)}
    for removal in config.removals:
        assert findings[str(removal.source)].kind == "forgotten"


def test_a_nacl_entry_refreshed_from_aws_is_the_configured_one():
    """After a refresh the state keeps the protocol number AWS answers and "" for an unset IPv6 CIDR;
    the configuration says `tcp` and null (`${null}`): the provider plans no change, and neither does
    drift. A different port still differs."""
    from tools.drift.refusals import equivalent

    configured = [{"action": "allow", "cidr_block": "10.1.3.0/24", "from_port": 3306, "to_port": 3306, "icmp_code": 0,
                   "icmp_type": 0, "ipv6_cidr_block": None, "protocol": "tcp", "rule_no": 100}]
    refreshed = [{**configured[0], "ipv6_cidr_block": "", "protocol": "6"}]
    assert equivalent("aws_network_acl", "ingress", refreshed, configured, {})
    assert not equivalent("aws_network_acl", "ingress", [{**refreshed[0], "to_port": 3307}], configured, {})
    assert not equivalent("aws_security_group", "ingress", refreshed, configured, {})
