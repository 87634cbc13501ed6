"""`drift config` agrees with `terraform plan -refresh=false` on every address of every layer, for
dev's fixtures completed as applied states and for states changed by hand (a port, an image, a policy
statement, a tag): one terraform plan per layer and state set (`tests/tools/agreement.py`), the
differences kept on purpose listed there with their reason. Needs terraform and the hashicorp/aws
mirror; skips with the reason elsewhere."""
from __future__ import annotations

import fnmatch

import pytest

from tests.tools.agreement import KEPT, run, table
from tests.tools.state_fixtures import ORIGINAL
from tools.e2e.terraform import find_mirror, which_terraform

pytestmark = pytest.mark.skipif(which_terraform() is None or find_mirror() is None,
                                reason="needs terraform on PATH and a filesystem mirror of hashicorp/aws")


@pytest.fixture(scope="module")
def agreement(synthesized):
    return run(synthesized("dev").outdir / "stacks", "dev")


def tables(results) -> str:
    return "\n".join(table(label, rows) for label, rows in results.items())


def test_terraform_plans_every_layer_of_both_state_sets(agreement):
    failed = [(label, r.layer, r.error) for label, rows in agreement.items() for r in rows if r.error]
    assert not failed, failed
    with_fixtures = {p.stem for p in (ORIGINAL / "dev").glob("*.json")}
    assert {r.layer for r in agreement["fixtures"]} == with_fixtures


def test_drift_config_plans_what_terraform_plans_on_every_address(agreement):
    unexplained = [(label, r.layer, d) for label, rows in agreement.items() for r in rows
                   for d in r.disagreements if not d[3]]
    assert not unexplained, tables(agreement)
    assert sum(r.compared for r in agreement["fixtures"]) > 300


def test_every_difference_kept_on_purpose_still_happens(agreement):
    seen = {(r.layer, d[0]) for rows in agreement.values() for r in rows for d in r.disagreements if d[3]}
    stale = [(layer, pattern) for layer, pattern, *_ in KEPT
             if not any(l == layer and fnmatch.fnmatchcase(a, pattern) for l, a in seen)]
    assert not stale, f"kept differences that no longer happen (remove them): {stale}"


@pytest.mark.parametrize("layer,address,action", [
    ("07-application", "aws_ecs_task_definition.customers_task", "replace"),     # a port
    ("07-application", "aws_ecs_task_definition.vets_task", "replace"),          # an image
    ("02-security", "aws_iam_policy.policies_parameter_store_access", "update"),  # a policy statement
    ("01-network", "aws_vpc.vpc", "update"),                                     # a tag
])
def test_a_change_made_to_the_state_is_planned_alike(agreement, layer, address, action):
    (row,) = [r for r in agreement["changed"] if r.layer == layer]
    (found,) = [(ours, theirs) for a, ours, theirs in row.actions if a == address]
    assert found == (action, action)
    (before,) = [(ours, theirs) for r in agreement["fixtures"] if r.layer == layer
                 for a, ours, theirs in r.actions if a == address]
    assert before[0] == before[1] and before[0] not in ("replace",), before
