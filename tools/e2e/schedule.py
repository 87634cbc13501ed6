"""When each deploy step runs: as soon as the steps it reads applied, at most `parallel` at a time.

Not lock-step waves: a step does not wait for a slower step beside it, only for those in its `needs`.
The `terraform init` of a step reads nothing of the layers before it (only the state bucket's
backend), and inits run one at a time (they share the plugin cache): so once the bootstrap steps (which
make that bucket) applied, every other step is initialised ahead, in deploy order, on a thread of its
own, and its init leaves the chain of reads that bounds the wall time (tools/e2e/waves.py). They go
in the order in which the steps can become ready (`depth`), so a step that reads only the bootstrap
is not kept waiting behind the inits of steps that wait for longer anyway.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from tools.e2e.results import StepReport

BUDGET_LEFT = "the run's time budget was spent"


def apply_all(steps: Sequence[StepReport], parallel: int, seconds_left: Callable[[], float],
              apply: Callable[[StepReport], None], prepare: Callable[[StepReport], bool],
              bootstraps: Sequence[StepReport]) -> None:
    """`apply(step)` each step when its needs applied; `prepare(step)` (its init) ahead of that once
    every bootstrap step applied. A step whose need failed, or that no longer fits the budget, is
    given its reason and not run."""
    pending, running = list(steps), {}
    finished: set[int] = set()
    ahead: dict[int, Future] = {}
    with ThreadPoolExecutor(max_workers=parallel) as pool, ThreadPoolExecutor(max_workers=1) as initialiser:
        while pending or running:
            if not ahead and all(id(b) in finished and b.ok for b in bootstraps):
                later = sorted((s for s in pending if all(s is not b for b in bootstraps)), key=depth)  # stable
                ahead = {id(s): initialiser.submit(prepare, s) for s in later}
            for report in list(pending):
                broken = [n.step.label for n in report.needs if id(n) in finished and not n.ok]
                if report.reason or broken:
                    report.reason = report.reason or f"needs {', '.join(broken)}, which did not apply"
                elif seconds_left() < 60:
                    report.reason = BUDGET_LEFT
                elif all(id(n) in finished and n.ok for n in report.needs) and len(running) < parallel:
                    running[pool.submit(_after, ahead.get(id(report)), apply, report)] = report
                    pending.remove(report)
                    continue
                else:
                    continue
                pending.remove(report)
                finished.add(id(report))
            if running:
                done, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for future in done:
                    report = running.pop(future)
                    _settle(future, report)
                    finished.add(id(report))
            else:
                for report in pending:  # nothing runs and nothing can start: a step waits for itself
                    report.reason = "its dependencies never ran"
                pending.clear()


def depth(step: StepReport) -> int:
    """How many steps its longest chain of needs holds: the order in which steps can become ready, so
    the inits ahead go first to those that can start first (deploy order within a depth)."""
    return 1 + max((depth(n) for n in step.needs), default=0)


def _after(prepared: Future | None, apply: Callable[[StepReport], None], report: StepReport) -> None:
    if prepared is not None:
        prepared.result()   # normally long done; `apply` sees what it left in the report
    apply(report)


def _settle(future: Future, report: StepReport) -> None:
    error = future.exception()
    if error is not None:
        report.status = "failed"
        report.problems.append(f"{type(error).__name__}: {error}")
