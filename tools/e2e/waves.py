"""The apply phase's timings: when each step started and ended, the phase's wall time beside the sum of
its steps' times, and the longest chain of reads (what no amount of parallelism can shorten).

A step's cost is its init + apply (what one layer costs when the layers run one after another), its
time on the timeline `ended - started` (the init done ahead, while it waited, is not on it). Steps start
as soon as the steps they read (`StepReport.needs`) applied (tools/e2e/schedule.py). The wall time is the
first step's start to the last step's end, measured in the same run as the costs, so the ratio compares
like with like; the run's synthesis, second plan, tampering and drift are outside it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tools.e2e.results import StepReport

TARGET_RATIO = 0.6


@dataclass(frozen=True)
class Waves:
    wall: float            # first start to last end, seconds
    total: float           # sum of the steps' costs (init + apply)
    chain: tuple[str, ...]  # the longest chain of needs, by measured time
    chain_seconds: float
    steps: int

    @property
    def ratio(self) -> float:
        return self.wall / self.total if self.total else 0.0


def timed(steps: Sequence[StepReport]) -> list[StepReport]:
    return [s for s in steps if s.started is not None and s.ended is not None]


def duration(step: StepReport) -> float:
    """Time on the timeline: from its start (after its needs) to its end."""
    assert step.started is not None and step.ended is not None
    return step.ended - step.started


def cost(step: StepReport) -> float:
    """What the step costs one after another: its timeline time and its init done ahead."""
    return duration(step) + step.ahead_seconds


def waves_of(steps: Sequence[StepReport]) -> Waves | None:
    """None when no step ran (nothing was measured: no ratio to claim)."""
    ran = timed(steps)
    if not ran:
        return None
    wall = max(s.ended for s in ran if s.ended is not None) - min(s.started for s in ran if s.started is not None)
    chain, seconds = longest_chain(ran)
    return Waves(wall, sum(cost(s) for s in ran), tuple(s.step.label for s in chain), seconds, len(ran))


def longest_chain(steps: Sequence[StepReport]) -> tuple[list[StepReport], float]:
    """The chain of needs whose measured times add up to the most: the wall time's lower bound with
    unlimited parallelism and an AWS that answers as fast under load as alone."""
    ids = {id(s) for s in steps}
    best: dict[int, tuple[float, list[StepReport]]] = {}

    def through(step: StepReport) -> tuple[float, list[StepReport]]:
        if id(step) not in best:
            before = [through(n) for n in step.needs if id(n) in ids]
            seconds, chain = max(before, key=lambda b: b[0]) if before else (0.0, [])
            best[id(step)] = (seconds + duration(step), [*chain, step])
        return best[id(step)]

    seconds, chain = max((through(s) for s in steps), key=lambda b: b[0])
    return chain, seconds


def markdown(steps: Sequence[StepReport], parallel: int) -> list[str]:
    waves = waves_of(steps)
    if waves is None:
        return ["", "### Waves", "", "No step was applied: nothing measured."]
    lines = ["", "### Waves", "",
             f"Each step starts as soon as the steps it reads applied (at most {parallel} at a time); "
             "start and end in seconds from the run's start; init ahead: its `terraform init`, done while "
             "it waited; seconds: init + apply.", "",
             "| step | reads (waits for) | start s | end s | init ahead s | seconds |", "|---|---|---|---|---|---|"]
    for s in sorted(timed(steps), key=lambda s: (s.started, s.step.label)):
        needs = ", ".join(n.step.label for n in s.needs) or "-"
        lines.append(f"| {s.step.label} | {needs} | {s.started:.0f} | {s.ended:.0f} | {s.ahead_seconds:.0f} | "
                     f"{cost(s):.0f} |")
    verdict = "within" if waves.ratio <= TARGET_RATIO else "ABOVE"
    lines += ["", f"Apply phase: wall {waves.wall:.0f} s for {waves.steps} steps whose times add up to "
              f"{waves.total:.0f} s: ratio {waves.ratio:.3f} ({verdict} the target {TARGET_RATIO})."]
    lines.append(f"Longest chain of reads: {' -> '.join(waves.chain)} = {waves.chain_seconds:.0f} s "
                 f"({waves.chain_seconds / waves.total:.3f} of the sum): the wall time cannot go below it.")
    return lines
