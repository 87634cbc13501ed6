"""The end-to-end run's wave timings and where its tamper cases are placed (no terraform needed)."""
from __future__ import annotations

import pytest

from tools.e2e.report import markdown
from tools.e2e.results import LayerReport, RunReport, StepReport
from tools.e2e.steps import Step
from tools.e2e.tamper import CASES, cases_for, pick
from tools.e2e.waves import longest_chain, waves_of


def step(label: str, started: float | None, ended: float | None, *needs: StepReport) -> StepReport:
    report = StepReport(Step(label, 1), needs=list(needs), status="applied" if started is not None else "not run")
    report.started, report.ended = started, ended
    return report


def test_wall_time_sum_ratio_and_the_longest_chain_are_measured_from_the_steps():
    a = step("a", 0, 10)
    b = step("b", 10, 40, a)          # 30 s
    c = step("c", 10, 20, a)          # 10 s, beside b
    d = step("d", 40, 45, b, c)       # waits for the longer of the two
    waves = waves_of([a, b, c, d])
    assert waves is not None
    assert waves.wall == 45 and waves.total == 55 and waves.ratio == pytest.approx(45 / 55)
    assert waves.chain == ("a", "b", "d") and waves.chain_seconds == 45


def test_an_init_done_ahead_counts_in_the_sum_but_not_on_the_chain():
    a = step("a", 0, 10)
    b = step("b", 10, 20, a)
    b.ahead_seconds = 4
    waves = waves_of([a, b])
    assert waves is not None and waves.total == 24 and waves.wall == 20 and waves.chain_seconds == 20


def test_a_step_that_never_ran_is_not_counted_and_nothing_run_claims_no_ratio():
    a = step("a", 5, 15)
    skipped = step("b", None, None, a)
    waves = waves_of([a, skipped])
    assert waves is not None and waves.steps == 1 and waves.total == 10 and waves.wall == 10
    assert waves_of([skipped]) is None


def test_a_need_outside_the_timed_steps_does_not_lengthen_the_chain():
    outside = step("x", None, None)
    a = step("a", 0, 3, outside)
    chain, seconds = longest_chain([a])
    assert [s.step.label for s in chain] == ["a"] and seconds == 3


def test_the_report_shows_each_steps_start_and_end_and_the_ratio():
    a, b = step("01-network", 1, 11), step("02-security", 2, 12)
    report = RunReport("staging", parallel=3, layers={"01-network": LayerReport("01-network", [a]),
                                                      "02-security": LayerReport("02-security", [b])})
    text = markdown(report)
    assert "| 01-network | - | 1 | 11 | 0 | 10 |" in text and "| 02-security | - | 2 | 12 | 0 | 10 |" in text
    assert "wall 11 s for 2 steps whose times add up to 20 s: ratio 0.550 (within the target 0.6)" in text


def _rule_stack(layer_type: str) -> dict:
    return {"resource": {layer_type: {"one": {}}}}


def test_a_tamper_case_goes_to_the_layer_whose_stack_configures_its_type():
    rule = next(c for c in CASES if c.rtype == "aws_vpc_security_group_ingress_rule")
    stacks = {"01-network": {}, "13-edge": _rule_stack(rule.rtype)}   # not where the ported layers keep it
    placed = {c.rtype: c.layer for c in cases_for(stacks)}
    assert placed[rule.rtype] == "13-edge"
    assert placed["aws_ssm_parameter"] == "04-parameter-store"     # unplaced: pick says why it is skipped
    unplaced = next(c for c in cases_for(stacks) if c.rtype == "aws_ssm_parameter")
    assert pick(unplaced, None, None) == "04-parameter-store was not applied"


def test_the_ecs_case_stands_in_with_lambda_only_when_no_stack_has_an_ecs_service():
    with_lambda = {"06-lambda-genai": _rule_stack("aws_lambda_function")}
    assert "aws_lambda_function" in {c.rtype for c in cases_for(with_lambda)}
    with_ecs = {**with_lambda, "07-application": _rule_stack("aws_ecs_service")}
    assert {c.rtype for c in cases_for(with_ecs)} >= {"aws_ecs_service"}
    ignoring = {"07-application": {"resource": {"aws_ecs_service": {"s": {"lifecycle": {"ignore_changes": ["desired_count"]}}}}},
                **with_lambda}
    assert "aws_ecs_service" not in {c.rtype for c in cases_for(ignoring)}


def test_steps_start_when_their_needs_applied_and_inits_run_ahead_after_the_bootstrap():
    import threading
    import time

    from tools.e2e.schedule import apply_all

    boot = step("00-bootstrap", None, None)
    a, slow = step("a", None, None, boot), step("slow", None, None, boot)
    b = step("b", None, None, a)            # must not wait for `slow`, which it does not read
    broken = step("broken", None, None, boot)
    after_broken = step("after-broken", None, None, broken)
    order, lock, t0 = [], threading.Lock(), time.monotonic()

    def apply(report: StepReport) -> None:
        with lock:
            order.append(("start", report.step.layer, all(n.status == "applied" for n in report.needs)))
        report.started = time.monotonic() - t0
        time.sleep(0.3 if report is slow else 0.02)
        report.status = "failed" if report is broken else "applied"
        report.ended = time.monotonic() - t0

    prepared = []
    apply_all([boot, a, slow, b, broken, after_broken], 3, lambda: 1000.0, apply,
              lambda r: prepared.append((r.step.layer, boot.status)) or True, [boot])
    assert all(needs_applied for _, _, needs_applied in order)
    assert sorted(prepared) == sorted((s, "applied") for s in ("a", "slow", "b", "broken", "after-broken"))
    assert b.ended is not None and slow.ended is not None and b.ended < slow.ended
    assert after_broken.status == "not run" and after_broken.reason == "needs broken, which did not apply"


def test_a_step_is_not_started_when_the_budget_is_spent():
    from tools.e2e.schedule import BUDGET_LEFT, apply_all

    only = step("a", None, None)
    apply_all([only], 3, lambda: 10.0, lambda r: None, lambda r: True, [])
    assert only.status == "not run" and only.reason == BUDGET_LEFT


def test_inits_ahead_go_first_to_the_steps_that_can_start_first():
    from tools.e2e.schedule import apply_all

    boot = step("00-bootstrap", None, None)
    a = step("a", None, None, boot)
    deep = step("deep", None, None, a)
    shallow = step("shallow", None, None, boot)     # after `deep` in deploy order, ready sooner
    prepared: list[str] = []

    def apply(report: StepReport) -> None:
        report.status = "applied"

    apply_all([boot, a, deep, shallow], 3, lambda: 1000.0, apply, lambda r: prepared.append(r.step.layer) or True, [boot])
    assert prepared == ["a", "shallow", "deep"]
