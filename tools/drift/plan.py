"""`plan` mode: terraform's own answer, per stack, in a scratch copy (the synthesized output is never
edited): `terraform init`, then `plan -refresh-only -detailed-exitcode` (what changed outside
Terraform) and, with --changes, a normal plan (what an apply would do), summarized as findings.

The scratch copy gets one override file, `zz_override.tf.json`: version constraints relaxed to the
installed terraform (and to a provider mirror's version when one is configured), the backend swapped
for a local copy of the state when the state comes from a file or folder (or pointed at
--endpoint-url), remote-state reads pointed at the same folder, and, with --no-refresh, the
provider's offline switches. `--no-refresh` plans against the state as it is (-refresh=false): the
refresh-only plan, which is nothing but a refresh, is skipped.
"""
from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tools.drift.config import STACK_FILE
from tools.drift.findings import Change, Finding, LayerResult
from tools.drift.redact import redacted
from tools.drift.state import S3_SOURCE, folder_candidates
from tools.stack_form import read_stack

COMMAND_TIMEOUT = 600
OFFLINE_PROVIDER = {"skip_credentials_validation": True, "skip_requesting_account_id": True,
                    "skip_metadata_api_check": True, "skip_region_validation": True}


class PlanError(Exception):
    pass


def terraform_binary() -> str:
    found = shutil.which("terraform")
    if not found:
        raise PlanError("terraform is not on PATH: the plan mode runs terraform (the config and live modes do not need it)")
    return found


def provider_mirror() -> Path | None:
    if os.environ.get("TF_PROVIDER_MIRROR"):
        return Path(os.environ["TF_PROVIDER_MIRROR"])
    for root in ("/opt", "/usr/local/share", "/usr/share", os.path.expanduser("~")):
        hits = glob.glob(os.path.join(root, "*", "registry.terraform.io", "hashicorp", "aws"))
        if hits:
            return Path(hits[0]).parents[2]
    return None


def installed_version(terraform: str) -> str:
    done = subprocess.run([terraform, "version", "-json"], capture_output=True, text=True, timeout=60)
    return json.loads(done.stdout)["terraform_version"]


def _state_file(source: str, layer: str, single: bool) -> Path | None:
    if source == S3_SOURCE:
        return None
    path = Path(source)
    if path.is_dir():
        for candidate in folder_candidates(path, layer):
            if candidate.is_file():
                return candidate
        raise PlanError(f"no state for {layer} in {path}")
    if not single:
        raise PlanError(f"{source}: one state file fits one layer; give a folder with --all")
    if not path.is_file():
        raise PlanError(f"no state file {path}")
    return path


def override(config: dict[str, Any], args, layer: str, state: Path | None, work: Path, versions: dict[str, str],
             stacks: Path) -> dict[str, Any]:
    terraform: dict[str, Any] = {"required_version": f">= {versions['terraform']}"}
    if versions.get("aws"):
        terraform["required_providers"] = {"aws": {"source": "hashicorp/aws", "version": versions["aws"]}}
    if state is not None:
        shutil.copyfile(state, work / "drift.tfstate")
        terraform["backend"] = {"local": {"path": "drift.tfstate"}}
    elif args.endpoint_url or args.profile:
        s3 = dict(config["terraform"]["backend"]["s3"])
        if args.endpoint_url:
            s3.update(endpoints={"s3": args.endpoint_url}, use_path_style=True, skip_credentials_validation=True,
                      skip_requesting_account_id=True, skip_metadata_api_check=True, skip_region_validation=True)
        if args.profile:
            s3["profile"] = args.profile
        terraform["backend"] = {"s3": s3}
    document: dict[str, Any] = {"terraform": terraform}
    if args.no_refresh:
        document["provider"] = {"aws": {**OFFLINE_PROVIDER}}
    remote = ((config.get("data") or {}).get("terraform_remote_state") or {})
    if remote and state is not None:
        keys = {}
        for other in sorted(p.name for p in stacks.iterdir() if (p / STACK_FILE).is_file()):
            backend = json.loads((stacks / other / STACK_FILE).read_text()).get("terraform", {}).get("backend", {}).get("s3")
            if backend:
                keys[backend["key"]] = other
        reads = {}
        for name, block in remote.items():
            producer = keys.get((block.get("config") or {}).get("key"))
            candidates = folder_candidates(state.parent, producer) if producer else []
            found = next((c for c in candidates if c.is_file()), None)
            if found is None:
                raise PlanError(f"{layer} reads the state of {producer or block.get('config', {}).get('key')}, "
                                f"which is not in {state.parent}")
            reads[name] = {"backend": "local", "config": {"path": str(found.resolve())},
                           "defaults": block.get("defaults", {})}
        document["data"] = {"terraform_remote_state": reads}
    return document


def _run(terraform: str, work: Path, env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run([terraform, *arguments], cwd=work, env=env, capture_output=True, text=True,
                              timeout=COMMAND_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise PlanError(f"terraform {arguments[0]} timed out after {COMMAND_TIMEOUT} s") from None


def _failure(step: str, done: subprocess.CompletedProcess) -> PlanError:
    text = re.sub(r"\x1b\[[0-9;]*m", "", done.stderr or done.stdout)
    errors = [line.strip("│ ").strip() for line in text.splitlines() if line.strip("│ ").strip()]
    summary = "; ".join(errors[:4]) if errors else f"exit code {done.returncode}"
    return PlanError(f"terraform {step} failed: {summary}")


def _any_true(value: Any) -> bool:
    if value is True:
        return True
    if isinstance(value, dict):
        return any(_any_true(v) for v in value.values())
    if isinstance(value, list):
        return any(_any_true(v) for v in value)
    return False


def _changed_attributes(change: dict[str, Any], rtype: str = "") -> tuple[Change, ...]:
    """Top-level attributes whose planned value differs; values known only after apply are left
    out unless they force the replacement; sensitive values are never shown."""
    before, after = change.get("before") or {}, change.get("after") or {}
    unknown = change.get("after_unknown") or {}
    replace = {p[0] for p in change.get("replace_paths") or [] if p}
    out = []
    for key in sorted(set(before) | set(after)):
        if key == "tags_all" or (before.get(key) == after.get(key) and not _any_true(unknown.get(key))):
            continue
        if _any_true(unknown.get(key)) and key not in replace:
            continue
        hidden = _any_true((change.get("before_sensitive") or {}).get(key)) or \
            _any_true((change.get("after_sensitive") or {}).get(key))
        new = "(known after apply)" if unknown.get(key) is True else after.get(key)
        old, new = redacted(rtype, key, before.get(key), new)
        out.append(Change(key, "(sensitive)" if hidden else old, "(sensitive)" if hidden else new,
                          "replace" if key in replace else "update"))
    return tuple(out)


def findings_of(plan: dict[str, Any], refresh_only: bool) -> list[Finding]:
    found = []
    for item in plan.get("resource_drift" if refresh_only else "resource_changes") or []:
        if item.get("mode") == "data":
            continue
        actions = item["change"]["actions"]
        address, rtype, previous = item["address"], item["type"], item.get("previous_address") or ""
        if refresh_only:
            kind = "missing" if actions == ["delete"] else "changed"
            found.append(Finding(kind, address, rtype, changes=_changed_attributes(item["change"], rtype) if kind == "changed" else ()))
            continue
        if actions == ["no-op"]:
            found.append(Finding("moved" if previous else "kept", address, rtype, previous))
        elif actions == ["update"]:
            found.append(Finding("moved" if previous else "kept", address, rtype, previous, _changed_attributes(item["change"], rtype)))
        elif sorted(actions) == ["create", "delete"]:
            changes = _changed_attributes(item["change"], rtype) or (Change("(resource)", None, None, "replace"),)
            found.append(Finding("moved" if previous else "kept", address, rtype, previous,
                                 changes,
                                 message="terraform plans a replacement"))
        elif actions == ["create"]:
            found.append(Finding("created", address, rtype))
        elif actions == ["delete"]:
            found.append(Finding("destroyed", address, rtype, previous))
        elif actions == ["forget"]:
            found.append(Finding("forgotten", address, rtype, previous))
        else:
            found.append(Finding("changed", address, rtype, previous, message=f"actions {actions}"))
    return found


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def requirement_line(terraform: str, found: str, stacks: Path) -> str:
    """One line: the terraform found, the version the stacks require (their `moved.tf`), and what that
    means for a user who runs terraform in a stack folder (this tool relaxes it in its scratch copy)."""
    required = sorted({str(constraint) for stack in sorted(stacks.glob(f"*/{STACK_FILE}"))
                       for constraint in [(read_stack(stack.parent).get("terraform") or {}).get("required_version")]
                       if constraint})
    line = f"terraform {found} ({terraform}); the stacks require {' and '.join(required) or 'no particular version'}"
    minimums = [_version(c) for c in required if re.fullmatch(r">=\s*\d+(\.\d+)*", c.strip())]
    if minimums and _version(found) < max(minimums):
        line += (": this run relaxes that in its scratch copy, but `terraform plan` or `cdktf deploy` in a stack"
                 " folder stops with \"Unsupported Terraform Core version\"")
    return line


def plan_check(args, stacks: Path, single: bool):
    terraform = terraform_binary()
    mirror = provider_mirror()
    versions = {"terraform": installed_version(terraform)}
    # Said before any terraform run: which terraform, and which the stacks require.
    print(f"drift: {requirement_line(terraform, versions['terraform'], stacks)}", file=sys.stderr)
    if mirror is not None:
        versions["aws"] = sorted(os.listdir(mirror / "registry.terraform.io" / "hashicorp" / "aws"))[-1]

    def check(layer: str) -> LayerResult:
        stack = stacks / layer
        config = json.loads((stack / STACK_FILE).read_text()) if (stack / STACK_FILE).is_file() else None
        if config is None:
            raise PlanError(f"no synthesized stack {stack / STACK_FILE} (run main.py first)")
        state = _state_file(args.state, layer, single)
        with tempfile.TemporaryDirectory(prefix=f"drift-plan-{layer}-") as scratch:
            work = Path(scratch) / layer
            shutil.copytree(stack, work)
            (work / "zz_override.tf.json").write_text(json.dumps(override(config, args, layer, state, work, versions, stacks)))
            env = dict(os.environ, TF_IN_AUTOMATION="1", TF_INPUT="0", CHECKPOINT_DISABLE="1")
            if mirror is not None:
                (Path(scratch) / "terraformrc").write_text(
                    'provider_installation {\n  filesystem_mirror {\n    path = "%s"\n'
                    '    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n' % mirror)
                env["TF_CLI_CONFIG_FILE"] = str(Path(scratch) / "terraformrc")
            done = _run(terraform, work, env, "init", "-input=false", "-no-color")
            if done.returncode != 0:
                raise _failure("init", done)
            findings: list[Finding] = []
            notes = []
            runs = [] if args.no_refresh else [("refresh-only", ["-refresh-only"])]
            if args.changes or args.no_refresh:
                runs.append(("changes", ["-refresh=false"] if args.no_refresh else []))
            for label, extra in runs:
                done = _run(terraform, work, env, "plan", "-input=false", "-no-color", "-lock=false",
                            "-detailed-exitcode", "-out=drift.plan", *extra)
                if done.returncode == 1:
                    raise _failure(f"plan ({label})", done)
                shown = _run(terraform, work, env, "show", "-json", "drift.plan")
                if shown.returncode != 0:
                    raise _failure("show", shown)
                findings += findings_of(json.loads(shown.stdout), refresh_only=label == "refresh-only")
                notes.append(f"terraform plan ({label}) exit code {done.returncode}")
        source = str(state) if state is not None else "s3 backend"
        return LayerResult(layer, "plan", source, tuple(findings), notes=tuple(notes))

    return check
