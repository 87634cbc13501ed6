"""What a run found: per step, per layer and for the whole run (the report is made from these)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.e2e.drift import DriftRun
from tools.e2e.override import Exclusion
from tools.e2e.steps import Step
from tools.e2e.tamper import Tampered


@dataclass
class StepReport:
    step: Step
    stack_dir: Path | None = None
    stack: dict[str, Any] = field(default_factory=dict)
    needs: list["StepReport"] = field(default_factory=list)
    status: str = "not run"          # applied | partial | failed | not run
    resources: int = 0
    seconds: float = 0.0
    workdir: Path | None = None
    excluded: tuple[Exclusion, ...] = ()
    defects: dict[str, str] = field(default_factory=dict)   # address -> what is wrong (tools.e2e.defects)
    problems: list[str] = field(default_factory=list)
    moto_gaps: list[str] = field(default_factory=list)
    reason: str = ""
    started: float | None = None     # seconds from the run's start: init began (tools.e2e.waves)
    ended: float | None = None       # seconds from the run's start: apply returned
    init_seconds: float = 0.0        # its `terraform init`
    ahead_seconds: float = 0.0       # of which before `started`, while it waited for its needs

    @property
    def ok(self) -> bool:
        return self.status in ("applied", "partial")


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
        done = [s for s in self.steps if s.ok]
        return done[-1] if done else None

    @property
    def status(self) -> str:
        if any(s.status == "failed" for s in self.steps):
            return "failed"
        if not self.steps or all(s.status == "not run" for s in self.steps):
            return "not run"
        if any(s.status != "applied" for s in self.steps):
            return "partial"
        return "applied"


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
    drift_runs: list[DriftRun] = field(default_factory=list)
    drift_caught: dict[str, bool] = field(default_factory=dict)   # "live after" -> found exactly the tampered
    refreshed: list[str] = field(default_factory=list)
    seeded: list[str] = field(default_factory=list)
    design_line: str = ""            # the design check's summary on the synthesized stacks
    read_backs: list[Any] = field(default_factory=list)   # tools.e2e.readback.ReadBackResult
    seconds: float = 0.0
    parallel: int = 0                # steps applied at most at the same time
    error: str = ""


class Budget:
    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def timeout(self, wanted: float) -> float:
        return max(1.0, min(wanted, self.left()))
