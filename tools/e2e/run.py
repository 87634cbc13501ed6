"""The whole end-to-end run: moto up, state bucket, every deploy step applied, second plan, tamper.

Each step runs in its own scratch working directory (a copy of the synthesized stack plus the
override file); a step runs only when every layer its stack reads has applied. Every subprocess has
a timeout, and the whole run has a budget: what does not fit is reported as not run.
"""
from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from settings import Environment, load_environment
from tools.e2e import drift as drift_check
from tools.e2e.moto_server import MotoServer
from tools.e2e.override import FAKE, PROVIDER_CHECKS_OFF, Target, override_for
from tools.e2e.state import State, read_state
from tools.e2e.steps import Step, environment_with, steps_for
from tools.e2e.tamper import Tampered, cases_for, pick
from tools.e2e.terraform import Diagnostic, Result, Terraform, local_only_environment, mirrored_aws_version

INIT_TIMEOUT = 300.0
APPLY_TIMEOUT = 600.0
PLAN_TIMEOUT = 300.0
MOTO_GAP_MARKERS = ("not yet implemented", "notimplemented", "not implemented", "invalidaction",
                    "statuscode: 501", "unknownoperation", "has not been implemented")


@dataclass
class StepReport:
    step: Step
    status: str = "not run"          # applied | partial | failed | not run
    resources: int = 0
    seconds: float = 0.0
    workdir: Path | None = None
    excluded: tuple[str, ...] = ()
    problems: list[str] = field(default_factory=list)
    moto_gaps: list[str] = field(default_factory=list)
    reason: str = ""


@dataclass
class LayerReport:
    layer: str
    steps: list[StepReport] = field(default_factory=list)
    second_plan: str = "not run"
    second_plan_code: int | None = None
    tamper_plan: str = "not run"
    tamper_plan_code: int | None = None
    tamper_changes: list[tuple[str, str]] = field(default_factory=list)
    drift: dict[str, str] = field(default_factory=dict)
    removed_blocks: list[str] = field(default_factory=list)

    @property
    def last_applied(self) -> StepReport | None:
        done = [s for s in self.steps if s.status in ("applied", "partial")]
        return done[-1] if done else None

    @property
    def status(self) -> str:
        if any(s.status == "failed" for s in self.steps):
            return "failed"
        if not self.steps or all(s.status == "not run" for s in self.steps):
            return "not run"
        if any(s.status == "not run" for s in self.steps):
            return "partial"
        return "partial" if any(s.status == "partial" for s in self.steps) else "applied"


@dataclass
class RunReport:
    env: str
    moto_url: str = ""
    terraform_version: str = ""
    aws_version: str = ""
    layers: dict[str, LayerReport] = field(default_factory=dict)
    tampered: list[Tampered] = field(default_factory=list)
    tamper_skipped: list[str] = field(default_factory=list)
    tamper_caught: dict[str, bool] = field(default_factory=dict)
    unexpected_changes: list[str] = field(default_factory=list)
    drift_tool: str = ""
    seconds: float = 0.0
    error: str = ""


class Budget:
    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def timeout(self, wanted: float) -> float:
        return max(1.0, min(wanted, self.left()))


class Run:
    def __init__(self, env_name: str, scratch: Path, terraform_binary: str, mirror: Path, terraform_version: str,
                 budget_seconds: float, only: list[str] | None = None):
        self.env_name = env_name
        self.scratch = scratch
        self.env: Environment = load_environment(env_name)
        self.terraform = Terraform(terraform_binary, mirror, scratch)
        self.report = RunReport(env_name, terraform_version=terraform_version, aws_version=mirrored_aws_version(mirror))
        self.budget = Budget(budget_seconds)
        self.only = only
        self._synthesized: dict[str, Path] = {}

    # ------------------------------------------------------------------ the run
    def execute(self) -> RunReport:
        start = time.monotonic()
        with MotoServer(self.scratch / "moto.log") as moto:
            self.report.moto_url = moto.url
            self.moto_url = moto.url
            self._create_state_bucket()
            self.target = Target(moto.url, self._endpoints(), self.report.terraform_version, self.report.aws_version)
            layers = self._layers()
            steps = steps_for(self.env, layers)
            for layer in layers:
                self.report.layers[layer] = LayerReport(layer)
            for step in steps:
                self.report.layers[step.layer].steps.append(StepReport(step))
            for layer_report in self._in_order(steps):
                self._apply(layer_report)
            self._second_plan()
            self._tamper()
            self._drift()
        self.report.seconds = time.monotonic() - start
        return self.report

    def _in_order(self, steps: list[Step]):
        for step in steps:
            yield next(s for s in self.report.layers[step.layer].steps if s.step is step)

    # ------------------------------------------------------------------ local AWS
    def client(self, service: str, region: str | None = None) -> Any:
        return boto3.client(service, endpoint_url=self.moto_url, region_name=region or self.env.region,
                            aws_access_key_id="test", aws_secret_access_key="test",
                            config=Config(retries={"max_attempts": 2}, connect_timeout=10, read_timeout=60,
                                          s3={"addressing_style": "path"}, proxies={}))

    def _create_state_bucket(self) -> None:
        s3 = self.client("s3", self.env.state.region)
        extra = ({} if self.env.state.region == "us-east-1"
                 else {"CreateBucketConfiguration": {"LocationConstraint": self.env.state.region}})
        s3.create_bucket(Bucket=self.env.state.bucket, **extra)
        s3.put_bucket_versioning(Bucket=self.env.state.bucket, VersioningConfiguration={"Status": "Enabled"})

    def state_of(self, layer: str) -> State | None:
        return read_state(self.client("s3", self.env.state.region), self.env.state.bucket,
                          self.env.state_key(layer), layer)

    def _endpoints(self) -> tuple[str, ...]:
        """Every endpoint the provider knows, so that all AWS traffic goes to moto; of the names the
        provider treats as one endpoint ("Only one of the following attributes should be set"), the
        first. The probe's plan also proves that moto answers STS as the provider asks it."""
        probe = self.scratch / "probe"
        probe.mkdir()
        config = {"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws",
                                                               "version": self.report.aws_version}}}}
        (probe / "main.tf.json").write_text(json.dumps(config))
        self._check(self.terraform.run(probe, "init", "-input=false", "-no-color", timeout=self.budget.timeout(INIT_TIMEOUT)))
        schema = self.terraform.run(probe, "providers", "schema", "-json", timeout=self.budget.timeout(120))
        self._check(schema)
        provider = json.loads(schema.text.splitlines()[0])["provider_schemas"]["registry.terraform.io/hashicorp/aws"]
        names = sorted(provider["provider"]["block"]["block_types"]["endpoints"]["block"]["attributes"])
        config["provider"] = {"aws": [{"region": self.env.region, **FAKE, **PROVIDER_CHECKS_OFF,
                                       "endpoints": [{n: self.moto_url for n in names}]}]}
        config["data"] = {"aws_caller_identity": {"moto": {}}}
        (probe / "main.tf.json").write_text(json.dumps(config))
        plan = self.terraform.run(probe, "plan", "-input=false", "-no-color", "-json", timeout=self.budget.timeout(PLAN_TIMEOUT))
        self._check(plan)
        aliases = set()
        for warning in plan.diagnostics("warning"):
            same = re.findall(r'"endpoints\[0\]\.(\w+)"', warning.detail)
            if "Only one of the following" in warning.detail and len(same) > 1:
                aliases.update(same[1:])
        return tuple(n for n in names if n not in aliases)

    @staticmethod
    def _check(result: Result) -> None:
        if result.returncode != 0:
            raise RuntimeError(f"terraform {result.command} failed: {' '.join(result.text.split())[-800:]}")

    # ------------------------------------------------------------------ synthesis per step settings
    def _layers(self) -> list[str]:
        stacks = self._synth({}) / "stacks"
        present = sorted(p.name for p in stacks.iterdir() if (p / "cdk.tf.json").is_file())
        return [layer for layer in present if not self.only or layer in self.only]

    def _synth(self, settings: Mapping[str, object]) -> Path:
        key = json.dumps(dict(settings), sort_keys=True)
        if key not in self._synthesized:
            from synth import synthesize  # the cdktf import is paid once, here

            env = environment_with(self.env_name, settings, self.scratch)
            outdir = self.scratch / f"synth-{len(self._synthesized)}" / "cdktf.out"
            synthesize(env, outdir)
            self._synthesized[key] = outdir
        return self._synthesized[key]

    def _producers(self, stack: Mapping[str, Any]) -> dict[str, str]:
        """remote-state name -> the layer whose state key it reads."""
        by_key = {self.env.state_key(layer): layer for layer in self.report.layers}
        found = {}
        for name, body in sorted(((stack.get("data") or {}).get("terraform_remote_state") or {}).items()):
            key = (body.get("config") or {}).get("key", "")
            found[name] = by_key.get(key) or key
        return found

    # ------------------------------------------------------------------ one step
    def _apply(self, report: StepReport) -> None:
        step = report.step
        layer = self.report.layers[step.layer]
        earlier = layer.steps[:layer.steps.index(report)]
        blocked = [s.step.label for s in earlier if s.status not in ("applied", "partial")]
        if blocked:
            report.reason = f"earlier phase {', '.join(blocked)} did not apply"
            return
        if self.budget.left() < 60:
            report.reason = "run budget exhausted"
            return
        stack_dir = self._synth(step.settings) / "stacks" / step.layer
        stack = json.loads((stack_dir / "cdk.tf.json").read_text())
        for name, producer in self._producers(stack).items():
            if producer not in self.report.layers:
                report.reason = f"reads {producer} (remote state {name}), which has no stack"
                return
            if self.report.layers[producer].last_applied is None:
                report.reason = f"reads {producer}, which did not apply"
                return
        layer.removed_blocks = _foreign_removed_blocks(stack)
        work = self.scratch / "work" / step.label.replace("#", "-phase")
        shutil.copytree(stack_dir, work, ignore=shutil.ignore_patterns("*.tf", ".terraform*"))
        try:
            override = override_for(stack, self.target)
        except ValueError as error:
            report.status, report.problems = "failed", [str(error)]
            return
        override.write(work)
        report.workdir, report.excluded = work, override.excluded
        init = self.terraform.run(work, "init", "-input=false", "-no-color", timeout=self.budget.timeout(INIT_TIMEOUT))
        if init.returncode != 0:
            report.status, report.problems = "failed", [d.line() for d in init.diagnostics()]
            return
        apply = self.terraform.run(work, "apply", "-auto-approve", "-input=false", "-no-color", "-json",
                                   timeout=self.budget.timeout(APPLY_TIMEOUT))
        report.seconds = apply.seconds
        state = self.state_of(step.layer)
        report.resources = state.managed_count if state else 0
        if apply.returncode != 0:
            for diagnostic in apply.diagnostics():
                (report.moto_gaps if _is_moto_gap(diagnostic) else report.problems).append(_described(diagnostic))
            report.status = "failed"
            return
        report.status = "partial" if report.excluded else "applied"

    # ------------------------------------------------------------------ plans after apply
    def _plan(self, work: Path, label: str) -> Result:
        return self.terraform.run(work, "plan", "-detailed-exitcode", "-input=false", "-no-color", "-json",
                                  timeout=self.budget.timeout(PLAN_TIMEOUT), log=label)

    def _second_plan(self) -> None:
        for layer in self.report.layers.values():
            step = layer.last_applied
            if step is None or step.workdir is None:
                continue
            result = self._plan(step.workdir, "second-plan")
            layer.second_plan_code = result.returncode
            layer.second_plan = _plan_summary(result)

    def _tamper(self) -> None:
        applied = [name for name, layer in self.report.layers.items() if layer.last_applied is not None]
        for case in cases_for(list(self.report.layers)):
            layer = self.report.layers.get(case.layer)
            step = layer.last_applied if layer else None
            stack = json.loads((step.workdir / "cdk.tf.json").read_text()) if step and step.workdir else None
            chosen = pick(case, self.state_of(case.layer) if step else None, stack)
            if isinstance(chosen, str):
                self.report.tamper_skipped.append(f"{case.name}: {chosen}")
                continue
            action, change = case.apply(self.client, chosen)
            self.report.tampered.append(Tampered(case.name, case.layer, chosen.address, action, change))
        if not self.report.tampered:
            return
        expected = {(t.layer, t.address): t.action for t in self.report.tampered}
        for name in applied:
            layer = self.report.layers[name]
            step = layer.last_applied
            assert step is not None and step.workdir is not None
            result = self._plan(step.workdir, "tamper-plan")
            layer.tamper_plan_code = result.returncode
            layer.tamper_plan = _plan_summary(result)
            layer.tamper_changes = result.changes()
            for address, action in layer.tamper_changes:
                if (name, address) not in expected:
                    self.report.unexpected_changes.append(f"{name}: {address} ({action})")
        for t in self.report.tampered:
            changes = self.report.layers[t.layer].tamper_changes
            code = self.report.layers[t.layer].tamper_plan_code
            self.report.tamper_caught[t.case] = code == 2 and (t.address, t.action) in changes

    def _drift(self) -> None:
        self.report.drift_tool = drift_check.run(self)




def _is_moto_gap(diagnostic: Diagnostic) -> bool:
    text = f"{diagnostic.summary} {diagnostic.detail}".lower()
    return any(marker in text for marker in MOTO_GAP_MARKERS)


def _described(diagnostic: Diagnostic) -> str:
    api = diagnostic.api
    return f"{diagnostic.address or '(no address)'}" + (f" [{api}]" if api else "") + f": {diagnostic.line().split(': ', 1)[-1]}"


def _plan_summary(result: Result) -> str:
    if result.returncode == 0:
        return "exit 0, no changes"
    if result.returncode == 2:
        changes = result.changes()
        shown = ", ".join(f"{a} {x}" for a, x in changes[:6]) + (" ..." if len(changes) > 6 else "")
        return f"exit 2, {len(changes)} changes: {shown}"
    return f"exit {result.returncode}: " + "; ".join(d.line() for d in result.diagnostics())[:600]


def _foreign_removed_blocks(stack: Mapping[str, Any]) -> list[str]:
    """`removed` blocks naming a resource of a provider other than aws (null, random)."""
    found = []
    for block in stack.get("removed") or []:
        address = block.get("from", "")
        rtype = next((p for p in address.split(".") if "_" in p and not p.startswith("module")), "")
        if rtype and not rtype.startswith("aws_"):
            found.append(f"{address} ({rtype.split('_')[0]})")
    return found
