"""The whole end-to-end run: moto up, state bucket, every deploy step applied, second plan, tamper.

Each step runs in its own scratch working directory (a copy of the synthesized stack plus the
override file). A step waits for the steps it depends on — for each layer its stack reads, that
layer's latest step before it in the deploy order, and its own earlier phase — and runs only when
they applied; independent steps run side by side (terraform mostly waits on the provider's polls).
Every subprocess has a timeout and the whole run a budget: what does not fit is reported as not run.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from settings import Environment, load_environment
from tools.e2e import drift as drift_check
from tools.e2e.account import SEEDS, hosted_zones
from tools.e2e.defects import Layer, Platform, defects_of
from tools.e2e.moto_server import MotoServer
from tools.e2e.override import FAKE, PROVIDER_CHECKS_OFF, Target, override_for
from tools.e2e.plans import changed_attributes, described, foreign_removed_blocks, is_moto_gap, plan_summary
from tools.e2e.readback import read_back
from tools.e2e.results import Budget, LayerReport, RunReport, StepReport
from tools.e2e.schedule import apply_all
from tools.e2e.state import State, read_state
from tools.e2e.steps import environment_with, steps_for
from tools.e2e.tamper import Tampered, cases_for, pick
from tools.e2e.terraform import Result, Terraform, local_only_environment, mirrored_aws_version
from tools.stack_form import read_stack

INIT_TIMEOUT = 300.0
APPLY_TIMEOUT = 600.0
PLAN_TIMEOUT = 300.0
PARALLEL = 3
DESIGN_TIMEOUT = 300.0
# moto turns a requested ACM certificate from PENDING_VALIDATION to ISSUED once this many seconds have
# passed, whatever the DNS holds (moto/acm/models.py CertificateBundle.check; default 60 s, which the
# certificate validation of 07-application would wait out on the run's longest chain).
MOTO_SETTINGS = {"MOTO_ACM_VALIDATION_WAIT": "1"}
BUDGET_SPENT = "not run: the run's time budget was spent"


class Run:
    def __init__(self, env_name: str, scratch: Path, terraform_binary: str, mirror: Path, terraform_version: str,
                 budget_seconds: float, only: list[str] | None = None, drift_root: Path = drift_check.ROOT,
                 parallel: int = PARALLEL):
        self.env_name = env_name
        self.scratch = scratch
        self.env: Environment = load_environment(env_name)
        self.terraform = Terraform(terraform_binary, mirror, scratch)
        self.report = RunReport(env_name, terraform_version=terraform_version, aws_version=mirrored_aws_version(mirror))
        self.budget = Budget(budget_seconds)
        self.only = only
        self.moto_url = ""
        self.drift_root = drift_root
        self._drift_stacks: Path | None = None
        self.lock_file: Path | None = None
        self._synthesized: dict[str, Path] = {}
        self.parallel = self.report.parallel = parallel
        self.started = time.monotonic()

    # ------------------------------------------------------------------ the run
    def execute(self) -> RunReport:
        start = self.started = time.monotonic()
        try:
            with MotoServer(self.scratch / "moto.log", settings=MOTO_SETTINGS, hosted_zones=hosted_zones(self.env)) as moto:
                self.moto_url = self.report.moto_url = moto.url
                with ThreadPoolExecutor(max_workers=1) as pool:
                    endpoints = pool.submit(self._endpoints)  # terraform's probe, while cdktf synthesizes here
                    steps = self._plan_steps()
                    self.target = Target(moto.url, endpoints.result(), self.report.terraform_version,
                                         self.report.aws_version)
                for seed in SEEDS:
                    if not seed.needed(self.env):
                        continue
                    if seed.unless_layer in self.report.layers:
                        self.report.seeded.append(f"{seed.what}: made by the {seed.unless_layer} stack")
                        continue
                    seed.create(self.client, self.env)
                    self.report.seeded.append(f"{seed.what}: {seed.why}")
                with ThreadPoolExecutor(max_workers=1) as checker:
                    design = checker.submit(self._design_check)   # the design check reads the synthesis meanwhile
                    self._apply_all(steps)
                    self._second_plan()
                    self._read_back(design.result())
                self._after_deploy()
        finally:
            self.report.seconds = time.monotonic() - start
        return self.report

    def _after_deploy(self) -> None:
        """What follows the deploy and its second plan (the ladder run replaces it: tools/e2e/ladder_run.py)."""
        self._drift_before()
        self._tamper()
        self._drift_after()

    def _plan_steps(self) -> list[StepReport]:
        stacks = self._synth({}) / "stacks"
        layers = sorted(p.name for p in stacks.iterdir() if (p / "cdk.tf.json").is_file())
        layers = [layer for layer in layers if not self.only or layer in self.only]
        self.report.layers = {layer: LayerReport(layer) for layer in layers}
        reports: list[StepReport] = []
        for step in steps_for(self.env, layers):
            report = StepReport(step, self._synth(step.settings) / "stacks" / step.layer)
            report.stack = read_stack(report.stack_dir)   # cdk.tf.json and the moved.tf beside it
            layer = self.report.layers[step.layer]
            report.needs = list(layer.steps[-1:])
            for name, producer in self._producers(report.stack).items():
                earlier = [r for r in reports if r.step.layer == producer]
                if producer not in self.report.layers:
                    report.reason = f"reads {producer} (remote state {name}), which has no stack here"
                elif not earlier:
                    report.reason = f"reads {producer}, which the deploy order puts later"
                else:
                    report.needs.append(earlier[-1])
            layer.steps.append(report)
            layer.removed_blocks = foreign_removed_blocks(report.stack)
            reports.append(report)
        self._find_defects(reports)
        # A stack with a local backend (00-bootstrap) makes the state bucket: every S3 stack waits for it.
        bootstraps = [r for r in reports if "local" in ((r.stack.get("terraform") or {}).get("backend") or {})]
        for report in reports:
            if report not in bootstraps:
                report.needs += [b for b in bootstraps if b not in report.needs]
        return reports

    def _find_defects(self, reports: list[StepReport]) -> None:
        """Each step's defects of the stack (tools.e2e.defects), a layer compared with the layers
        whose first step comes before its own."""
        first: dict[str, Layer] = {}
        for report in reports:
            first.setdefault(report.step.layer, Layer(report.step.layer, report.stack, self._producers(report.stack)))
        platform, order = Platform(first), list(first)
        for report in reports:
            layer = Layer(report.step.layer, report.stack, self._producers(report.stack))
            earlier = [first[name] for name in order[:order.index(report.step.layer)]]
            report.defects = defects_of(layer, earlier, platform)

    def _apply_all(self, steps: list[StepReport]) -> None:
        bootstraps = [r for r in steps if "local" in ((r.stack.get("terraform") or {}).get("backend") or {})]
        apply_all(steps, self.parallel, self.budget.left, self._timed_apply, self._prepare_ahead, bootstraps)

    # ------------------------------------------------------------------ local AWS
    def client(self, service: str, region: str | None = None) -> Any:
        return boto3.session.Session().client(
            service, endpoint_url=self.moto_url, region_name=region or self.env.region,
            aws_access_key_id="test", aws_secret_access_key="test",
            config=Config(retries={"max_attempts": 2}, connect_timeout=10, read_timeout=60,
                          s3={"addressing_style": "path"}, proxies={}))

    def state_of(self, layer: str) -> State | None:
        return read_state(self.client("s3", self.env.state.region), self.env.state.bucket,
                          self.env.state_key(layer), layer)

    def _endpoints(self) -> tuple[str, ...]:
        """Every endpoint the provider knows, so that all AWS traffic goes to moto; of the names the
        provider treats as one endpoint ("Only one of the following attributes should be set"), the
        first. The probe's plan also proves that moto answers STS as the provider asks it."""
        probe = self.scratch / "probe"
        probe.mkdir()
        config: dict[str, Any] = {"terraform": {"required_providers": {
            "aws": {"source": "hashicorp/aws", "version": self.report.aws_version}}}}
        (probe / "main.tf.json").write_text(json.dumps(config))
        self._check(self.terraform.run(probe, "init", "-input=false", "-no-color",
                                       timeout=self.budget.timeout(INIT_TIMEOUT)))
        # Every stack starts from this lock file: with the provider's checksums known, init links the
        # cached copy instead of unpacking it into the shared cache again under a running terraform.
        self.lock_file = probe / ".terraform.lock.hcl"
        schema = self.terraform.run(probe, "providers", "schema", "-json", timeout=self.budget.timeout(120))
        self._check(schema)
        provider = schema.document()["provider_schemas"]["registry.terraform.io/hashicorp/aws"]
        names = sorted(provider["provider"]["block"]["block_types"]["endpoints"]["block"]["attributes"])
        config["provider"] = {"aws": [{"region": self.env.region, **FAKE, **PROVIDER_CHECKS_OFF,
                                       "endpoints": [{n: self.moto_url for n in names}]}]}
        config["data"] = {"aws_caller_identity": {"moto": {}}}
        (probe / "main.tf.json").write_text(json.dumps(config))
        plan = self.terraform.run(probe, "plan", "-input=false", "-no-color", "-json",
                                  timeout=self.budget.timeout(PLAN_TIMEOUT))
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
    def _synth(self, settings: Mapping[str, object], switch_values: Mapping[str, object] | None = None) -> Path:
        """The environment synthesized with `settings` (a deploy step's own) over design switches forced to
        `switch_values` (the ladder's, as `tools.design --ladder` measures them); cached per pair."""
        key = json.dumps([dict(settings), dict(switch_values or {})], sort_keys=True)
        if key not in self._synthesized:
            from synthesis import synthesize  # the cdktf import is paid once, here

            env = environment_with(self.env_name, settings, self.scratch, switch_values=switch_values)
            outdir = self.scratch / f"synth-{len(self._synthesized)}" / "cdktf.out"
            synthesize(env, outdir)
            self._synthesized[key] = outdir
        return self._synthesized[key]

    def _producers(self, stack: Mapping[str, Any]) -> dict[str, str]:
        """remote-state name -> the layer whose state key it reads (the key itself when no layer has it)."""
        by_key = {self.env.state_key(layer): layer for layer in self.report.layers}
        reads = (stack.get("data") or {}).get("terraform_remote_state") or {}
        return {name: by_key.get(key, key) for name, body in sorted(reads.items())
                for key in [(body.get("config") or {}).get("key", "")]}

    # ------------------------------------------------------------------ one step
    def _timed_apply(self, report: StepReport) -> None:
        report.started = time.monotonic() - self.started
        try:
            if report.workdir is None and not self._prepare(report):   # not initialised ahead
                return
            if report.status == "failed":                              # its init ahead failed
                return
            self._apply(report)
        finally:
            report.ended = time.monotonic() - self.started

    def _prepare_ahead(self, report: StepReport) -> bool:
        ready = self._prepare(report)
        report.ahead_seconds = report.init_seconds
        return ready

    def _prepare(self, report: StepReport) -> bool:
        """The step's scratch copy with the override, initialised; False (and the step failed) when not."""
        step = report.step
        assert report.stack_dir is not None
        work = self.scratch / "work" / step.label.replace("#", "-phase")
        # The whole stack folder: its moved.tf holds the moved / removed blocks and the version requirement
        # (the override relaxes the latter to the terraform found here).
        shutil.copytree(report.stack_dir, work, ignore=shutil.ignore_patterns(".terraform*"))
        try:
            override = override_for(report.stack, self.target, report.defects)
        except ValueError as error:
            report.status, report.problems = "failed", [str(error)]
            return False
        override.write(work)
        shutil.copy(self.lock_file, work / ".terraform.lock.hcl")
        report.excluded = override.excluded
        init = self.terraform.run(work, "init", "-input=false", "-no-color", timeout=self.budget.timeout(INIT_TIMEOUT))
        report.init_seconds = init.seconds
        report.workdir = work
        if init.returncode != 0:
            report.status, report.problems = "failed", [d.line() for d in init.diagnostics()]
            return False
        return True

    def _apply(self, report: StepReport) -> None:
        step, work = report.step, report.workdir
        assert work is not None
        apply = self.terraform.run(work, "apply", "-auto-approve", "-input=false", "-no-color", "-json",
                                   timeout=self.budget.timeout(APPLY_TIMEOUT))
        report.seconds = apply.seconds
        local = work / "terraform.tfstate"
        state = State(step.layer, json.loads(local.read_text())) if local.is_file() else self.state_of(step.layer)
        report.resources = state.managed_count if state else 0
        if apply.returncode != 0:
            for diagnostic in apply.diagnostics():
                (report.moto_gaps if is_moto_gap(diagnostic) else report.problems).append(described(diagnostic))
            report.status = "failed"
            return
        # partial: something of the configuration is not applied as the environment says (listed)
        report.status = "partial" if report.excluded or step.note else "applied"

    # ------------------------------------------------------------------ plans after apply
    def _plan(self, work: Path, label: str) -> Result:
        """`plan -detailed-exitcode`; when it shows changes, the changed attributes of each (`show -json`)."""
        if self.budget.left() < 45:
            return Result("plan", -1, 0.0, False, text=BUDGET_SPENT)
        result = self.terraform.run(work, "plan", "-detailed-exitcode", "-input=false", "-no-color", "-json",
                                    f"-out={label}.tfplan", timeout=self.budget.timeout(PLAN_TIMEOUT), log=label)
        if result.returncode == 2:
            shown = self.terraform.run(work, "show", "-json", f"{label}.tfplan", timeout=self.budget.timeout(120),
                                       log=f"{label}-show")
            if shown.returncode == 0:
                result.attribute_changes = changed_attributes(shown.document())
        return result

    def _plan_layers(self, label: str, layers: list[str]) -> dict[str, Result]:
        applied = {name: layer.last_applied.workdir for name, layer in self.report.layers.items()
                   if name in layers and layer.last_applied is not None and layer.last_applied.workdir is not None}
        with ThreadPoolExecutor(max_workers=self.parallel) as pool:
            futures = {name: pool.submit(self._plan, work, label) for name, work in applied.items()}
            return {name: future.result() for name, future in futures.items()}

    def _second_plan(self) -> None:
        for name, result in self._plan_layers("second-plan", list(self.report.layers)).items():
            layer = self.report.layers[name]
            layer.second_plan_code, layer.second_plan = result.returncode, plan_summary(result)

    def _tamper(self) -> None:
        applied = {name: layer.last_applied.stack for name, layer in self.report.layers.items() if layer.last_applied}
        for case in cases_for(applied):
            layer = self.report.layers.get(case.layer)
            step = layer.last_applied if layer else None
            chosen = pick(case, self.state_of(case.layer) if step else None, step.stack if step else None)
            if isinstance(chosen, str):
                self.report.tamper_skipped.append(f"{case.name}: {chosen}")
                continue
            action, change = case.apply(self.client, chosen)
            self.report.tampered.append(Tampered(case.name, case.layer, chosen.address, action, change))
        if not self.report.tampered:
            return
        expected = {(t.layer, t.address, t.action) for t in self.report.tampered}
        # Only the layers that hold a tampered object are planned again: the others were clean in the
        # second plan, and nothing they configure was touched.
        tampered_layers = sorted({t.layer for t in self.report.tampered})
        for name, result in self._plan_layers("tamper-plan", tampered_layers).items():
            layer = self.report.layers[name]
            layer.tamper_plan_code, layer.tamper_plan = result.returncode, plan_summary(result)
            layer.tamper_changes = sorted(result.changes())
            self.report.unexpected_changes += [f"{name}: {address} ({action})" for address, action
                                               in layer.tamper_changes if (name, address, action) not in expected]
        for t in self.report.tampered:
            layer = self.report.layers[t.layer]
            self.report.tamper_caught[t.case] = layer.tamper_plan_code == 2 and (t.address, t.action) in layer.tamper_changes

    # ------------------------------------------------------------------ the design, read back
    def _design_check(self) -> dict[str, str]:
        """claim -> status of `python -m tools.design` on the environment's synthesized stacks."""
        stacks = self._synth({}) / "stacks"
        done = subprocess.run([sys.executable, "-m", "tools.design", "--env", self.env_name, "--stacks", str(stacks),
                               "--format", "json"], cwd=drift_check.ROOT, env=local_only_environment(),
                              capture_output=True, text=True, timeout=DESIGN_TIMEOUT, stdin=subprocess.DEVNULL)
        try:
            verdicts = json.loads(done.stdout)["environments"][self.env_name]
        except (ValueError, KeyError):
            self.report.design_line = f"not read (exit {done.returncode}): {' '.join(done.stderr.split())[-300:]}"
            return {}
        counts = verdicts["counts"]
        self.report.design_line = (f"{self.env_name} {verdicts['profile']}: " + ", ".join(f"{n} {k}" for k, n in counts.items())
                                   + (f"; blocking {', '.join(verdicts['blocking'])}" if verdicts.get("blocking") else ""))
        return {claim: v["status"] for claim, v in verdicts["verdicts"].items()}

    def _read_back(self, design: dict[str, str]) -> None:
        states = [state for name, layer in self.report.layers.items() if layer.last_applied is not None
                  for state in [self._applied_state(name)] if state is not None]
        self.report.read_backs = read_back(self.client, self.env, states, design)

    def _applied_state(self, layer: str) -> State | None:
        step = self.report.layers[layer].last_applied
        local = step.workdir / "terraform.tfstate" if step and step.workdir else None
        return State(layer, json.loads(local.read_text())) if local and local.is_file() else self.state_of(layer)

    # ------------------------------------------------------------------ the drift command (issue 22)
    def _drift_before(self) -> None:
        if not drift_check.available(self.drift_root):
            self.report.drift_tool = "not run: python -m tools.drift does not exist on this branch yet (issue 22)"
            return
        if not any(layer.last_applied for layer in self.report.layers.values()):
            self.report.drift_tool = "not run: no layer applied"
            return
        self.report.drift_tool = f"python -m tools.drift from {self.drift_root}"
        self._drift_stacks = drift_check.stacks_as_applied(self)
        for mode in ("live", "config"):
            self.report.drift_runs.append(drift_check.check(self, mode, f"{mode} before", self._drift_stacks,
                                                            self.drift_root))

    def _refresh_only(self, name: str) -> Result:
        step = self.report.layers[name].last_applied
        assert step is not None and step.workdir is not None
        return self.terraform.run(step.workdir, "apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color",
                                  "-json", timeout=self.budget.timeout(PLAN_TIMEOUT), log="refresh-only")

    def _drift_after(self) -> None:
        if self._drift_stacks is None or not self.report.tampered:
            return
        expected = {(t.layer, t.address) for t in self.report.tampered}
        live = drift_check.check(self, "live", "live after", self._drift_stacks, self.drift_root)
        with ThreadPoolExecutor(max_workers=self.parallel) as pool:   # the tampered layers, side by side
            refreshes = {name: pool.submit(self._refresh_only, name) for name in sorted({t.layer for t in self.report.tampered})}
            self.report.refreshed += [f"{name}: exit {future.result().returncode}" for name, future in refreshes.items()]
        config = drift_check.check(self, "config", "config after", self._drift_stacks, self.drift_root)
        for result in (live, config):
            self.report.drift_runs.append(result)
            self.report.drift_caught[result.label] = not result.errors and result.addresses() == expected
