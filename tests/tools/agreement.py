"""Does `drift config` plan what terraform plans? For every layer with a state, the action per address
(create, update, replace, delete, move, forget, no-op) of `drift config` against the same state set
as `terraform plan -refresh=false` of the same stack (terraform 1.11 and the mirrored hashicorp/aws).

usage: python -m tests.tools.agreement [--env dev] [--stacks DIR]   # prints the agreement tables

Two state sets: dev's fixtures completed as applied states (`state_completion`), and the same with
changes made to them (`CHANGES`: a port, an image, a policy statement, a tag). Terraform's data
sources that read AWS (the caller identity, the newest AMI, the GitHub OIDC provider) are served by
a moto server on 127.0.0.1 whose account is the fixtures' own; nothing leaves the machine.

One plan per layer and state set, two at a time. A disagreement is listed with both actions; those
kept on purpose are in `KEPT` with the reason, and `docs/drift.md` explains them.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import fnmatch
import json
import re
import shutil
import sys
import tempfile
import time
import types
from dataclasses import dataclass, field
from pathlib import Path

from settings import load_environment
from tests.tools.agreement_states import CHANGES, changed_states
from tests.tools.state_completion import complete
from tests.tools.state_fixtures import ORIGINAL, write_states
from tools.drift.config import load_configuration, stack_layers
from tools.drift.config_drift import check_config
from tools.drift.findings import Finding
from tools.drift.plan import override
from tools.drift.resolve import RemoteStates
from tools.drift.state import S3Options, read_file
from tools.e2e.moto_server import MotoServer
from tools.e2e.plans import changed_attributes
from tools.e2e.terraform import Terraform, find_mirror, mirrored_aws_version, terraform_version, which_terraform

PLAN_TIMEOUT = 300
# Differences kept on purpose: (layer, address glob, drift config's action, terraform's, reason).
KEPT = tuple(
    (layer, "aws_wafv2_web_acl.waf", "move", "update",
     "WAF rule statements nest deeper than the schema drift config keeps (tools/drift/schema_data.py, "
     "MAX_DEPTH): below it values compare loosely, and the configured empty blocks (`uri_path {}`, "
     "`all_query_arguments {}`) are not told from the fixture's `[]`; terraform plans an update of `rule`")
    for layer in ("07-application", "08-api-gateway"))


@dataclass(frozen=True)
class Row:
    layer: str
    compared: int
    agreeing: int
    disagreements: tuple[tuple[str, str, str, str], ...]    # (address, drift config, terraform, reason)
    error: str = ""
    actions: tuple[tuple[str, str, str], ...] = ()           # (address, drift config, terraform), every one


@dataclass
class Tools:
    terraform: Terraform
    versions: dict[str, str]
    moto_url: str
    scratch: Path
    rows: list[Row] = field(default_factory=list)


def drift_actions(stacks: Path, states: Path, layer: str) -> dict[str, str]:
    config = load_configuration(stacks / layer)
    state = read_file(states / f"{layer}.tfstate")
    findings = check_config(config, state, remote=RemoteStates(stacks, str(states), S3Options(), False))
    return {f.address: action_of(f) for f in findings}


def action_of(finding: Finding) -> str:
    action = finding.action
    return {"none": "no-op", "destroy": "delete"}.get(action, action)


# terraform's machine-readable plan (`plan -json`, `planned_change`): its action names -> ours. A
# no-op instance is not announced: an address only drift config lists is a no-op for terraform.
JSON_ACTIONS = {"noop": "no-op", "move": "move", "create": "create", "update": "update", "replace": "replace",
                "delete": "delete", "remove": "forget", "forget": "forget"}


def plan_actions(tools: Tools, stacks: Path, states: Path, layer: str, label: str) -> dict[str, str]:
    """address -> terraform's action (`plan -json`: one provider start per layer, no `show`)."""
    work = tools.scratch / label / layer
    shutil.copytree(stacks / layer, work)
    config = json.loads((stacks / layer / "cdk.tf.json").read_text())
    args = types.SimpleNamespace(endpoint_url=None, profile=None, no_refresh=True)
    document = override(config, args, layer, states / f"{layer}.tfstate", work, tools.versions, stacks)
    # Data sources that read AWS go to moto; everything else stays offline (-refresh=false).
    document["provider"]["aws"].update(access_key="test", secret_key="test", max_retries=1,
                                       endpoints=[{name: tools.moto_url for name in ("sts", "ec2", "iam")}])
    (work / "zz_override.tf.json").write_text(json.dumps(document))
    for step in (("init", "-input=false", "-no-color"),
                 ("plan", "-refresh=false", "-input=false", "-lock=false", "-no-color", "-json", "-out=agreement.plan")):
        result = tools.terraform.run(work, *step, timeout=PLAN_TIMEOUT)
        if result.returncode != 0:
            errors = [d.line() for d in result.diagnostics()] or _errors(result.text)
            raise RuntimeError(f"terraform {step[0]}: " + " ".join(errors)[:600])
    return {m["change"]["resource"]["addr"]: JSON_ACTIONS.get(m["change"]["action"], m["change"]["action"])
            for m in result.messages if m.get("type") == "planned_change"
            and not m["change"]["resource"]["addr"].startswith("data.")}


def changed_attributes_of(tools: Tools, layer: str, label: str) -> dict[str, str]:
    """What terraform changes per address (`show -json` of the saved plan), for explaining a
    disagreement: run only for a layer that has one."""
    shown = tools.terraform.run(tools.scratch / label / layer, "show", "-json", "agreement.plan", timeout=PLAN_TIMEOUT)
    plan = json.loads(shown.text[shown.text.index("{"):])
    return {a: ", ".join(paths[:4]) for a, paths in changed_attributes(plan).items()}


def _errors(text: str) -> list[str]:
    lines = [line.strip("│ ").strip() for line in re.sub(r"\x1b\[[0-9;]*m", "", text).splitlines()]
    start = next((i for i, line in enumerate(lines) if line.startswith("Error:")), 0)
    return [line for line in lines[start:start + 6] if line]


def kept_reason(layer: str, address: str, ours: str, theirs: str) -> str:
    for kept_layer, pattern, our_action, their_action, reason in KEPT:
        if layer == kept_layer and fnmatch.fnmatchcase(address, pattern) and (ours, theirs) == (our_action, their_action):
            return reason
    return ""


def compare_layer(tools: Tools, stacks: Path, states: Path, layer: str, label: str) -> Row:
    started = time.monotonic()
    try:
        planned = plan_actions(tools, stacks, states, layer, label)
    except RuntimeError as error:
        return Row(layer, 0, 0, (), str(error))
    ours = drift_actions(stacks, states, layer)
    theirs = {a: planned.get(a, "no-op") for a in set(ours) | set(planned)}
    addresses = sorted(theirs)
    differing = [a for a in addresses if ours.get(a, "(none)") != theirs[a]]
    reasons = {a: kept_reason(layer, a, ours.get(a, "(none)"), theirs[a]) for a in differing}
    details = changed_attributes_of(tools, layer, label) if any(not r for r in reasons.values()) else {}
    disagreements = tuple((a, ours.get(a, "(none)"), theirs[a] + (f" ({details[a]})" if details.get(a) else ""),
                           reasons[a]) for a in differing)
    print(f"{label} {layer}: {time.monotonic() - started:.1f} s", file=sys.stderr)
    actions = tuple((a, ours.get(a, "(none)"), theirs[a]) for a in addresses)
    return Row(layer, len(addresses), len(addresses) - len(disagreements), disagreements, actions=actions)


def state_sets(stacks: Path, root: Path, env: str) -> dict[str, Path]:
    fixtures = root / "fixtures"
    layers = [layer for layer in stack_layers(stacks) if (ORIGINAL / env / f"{layer}.json").is_file()]
    write_states(fixtures, env, layers)
    complete(stacks, fixtures)
    changed = root / "changed"
    shutil.copytree(fixtures, changed)
    changed_states(changed)
    return {"fixtures": fixtures, "changed": changed}


def account_of(states: Path) -> str:
    found = re.findall(r"arn:aws:iam::(\d{12}):", "".join(p.read_text() for p in sorted(states.glob("*.tfstate"))))
    return max(set(found), key=found.count) if found else "123456789012"


def run(stacks: Path, env: str = "dev", jobs: int = 2) -> dict[str, list[Row]]:
    binary, mirror = which_terraform(), find_mirror()
    if binary is None or mirror is None:
        raise RuntimeError("needs terraform on PATH and a filesystem mirror of hashicorp/aws")
    with tempfile.TemporaryDirectory(prefix="drift-agreement-") as scratch:
        root = Path(scratch)
        sets = state_sets(stacks, root, env)
        # The debug host's AMI lookup needs moto's default images: another session fixture of the same
        # worker (tests/tools/conftest.py) turns them off in this process's environment.
        settings = {"MOTO_ACCOUNT_ID": account_of(sets["fixtures"]), "MOTO_EC2_LOAD_DEFAULT_AMIS": "true"}
        with MotoServer(root / "moto.log", settings=settings) as moto:
            _moto_objects(moto.url, load_environment(env).region)
            terraform = Terraform(binary, mirror, root)
            # The shared plugin cache raced between one layer's init and another's plan ("no package
            # cached"); the unpacked mirror is linked without it.
            terraform.env.pop("TF_PLUGIN_CACHE_DIR", None)
            tools = Tools(terraform, {"terraform": terraform_version(binary), "aws": mirrored_aws_version(mirror)},
                          moto.url, root)
            jobs_list = [(label, layer) for label, folder in sets.items()
                         for layer in sorted(p.stem for p in folder.glob("*.tfstate"))
                         if label == "fixtures" or layer in CHANGES]
            with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
                futures = {pool.submit(compare_layer, tools, stacks, sets[label], layer, label): (label, layer)
                           for label, layer in jobs_list}
                results: dict[str, list[Row]] = {label: [] for label in sets}
                for future, (label, _) in futures.items():
                    results[label].append(future.result())
    return {label: sorted(rows, key=lambda r: r.layer) for label, rows in results.items()}


def _moto_objects(url: str, region: str) -> None:
    """What the data sources look up and moto does not have by itself: the GitHub OIDC provider. And
    the region's EC2 images, read once before the plans run side by side: moto loads a region's
    images on its first request, and a plan that asked while another request was loading them was
    answered "no results" for the debug host's AMI (seen under load)."""
    import boto3

    credentials = {"endpoint_url": url, "aws_access_key_id": "test", "aws_secret_access_key": "test"}
    iam = boto3.client("iam", region_name="us-east-1", **credentials)
    iam.create_open_id_connect_provider(Url="https://token.actions.githubusercontent.com",
                                        ClientIDList=["sts.amazonaws.com"], ThumbprintList=["a" * 40])
    ec2 = boto3.client("ec2", region_name=region, **credentials)
    for _ in range(20):   # bounded: moto may answer "none" while it is still loading the region's images
        if ec2.describe_images(Owners=["amazon"],
                               Filters=[{"Name": "name", "Values": ["amzn2-ami-hvm-*-x86_64-gp2"]}])["Images"]:
            return
        time.sleep(1)
    # still none: the plans will say so themselves (data.aws_ami ... returned no results)


def table(label: str, rows: list[Row]) -> str:
    out = [f"### {label}", "", "| layer | addresses compared | agreeing | disagreeing (drift config / terraform: reason) |",
           "|---|---|---|---|"]
    for row in rows:
        if row.error:
            out.append(f"| {row.layer} | - | - | terraform failed: {row.error} |")
            continue
        listed = "; ".join(f"`{a}` {ours} / {theirs}: {reason or 'NOT EXPLAINED'}" for a, ours, theirs, reason in row.disagreements)
        out.append(f"| {row.layer} | {row.compared} | {row.agreeing} | {len(row.disagreements)}{': ' + listed if listed else ''} |")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.tools.agreement")
    parser.add_argument("--env", default="dev")
    parser.add_argument("--stacks", type=Path, default=Path(__file__).resolve().parents[2] / "cdktf.out" / "stacks")
    args = parser.parse_args(argv)
    results = run(args.stacks, args.env)
    for label, rows in results.items():
        print(table(label, rows))
    unexplained = [d for rows in results.values() for r in rows for d in r.disagreements if not d[3]]
    failed = [r for rows in results.values() for r in rows if r.error]
    return 1 if unexplained or failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
