"""tools.cost on the four real environments: every resource type is priced or listed free, each
region's price file covers them, and the tables in docs/cost.md are the tool's current output."""
from __future__ import annotations

import json

import pytest

from tests.conftest import ENVIRONMENTS
from tools.cost import docs
from tools.cost.data import load_free
from tools.cost.estimate import estimate_folder
from tools.cost.rules import RULES


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_resource_type_of_the_environment_is_priced_or_free(synthesized, env):
    folder = synthesized(env).outdir / "stacks"
    present = {t for f in folder.glob("*/cdk.tf.json") for t in json.loads(f.read_text()).get("resource", {})}
    assert present, env
    assert present <= set(RULES) | set(load_free()), sorted(present - set(RULES) - set(load_free()))
    estimate = estimate_folder(folder, env)  # raises Unpriced when a price file lacks a figure
    assert estimate.total > 0
    assert {line.type for line in estimate.lines} | {f.type for f in estimate.free} == present


def test_rules_and_free_list_do_not_overlap():
    assert not set(RULES) & set(load_free())


def test_the_generated_tables_in_docs_cost_md_are_current(synthesized):
    estimates = docs.estimates_from({env: synthesized(env).outdir / "stacks" for env in docs.ENVIRONMENTS})
    text = docs.DOC.read_text()
    assert docs.BLOCK.search(text), "docs/cost.md has no generated block"
    assert docs.render(text, docs.blocks(estimates)) == text, "docs/cost.md is stale: run python -m tools.cost.docs"


def test_a_new_resource_type_in_a_real_stack_fails_the_estimate(synthesized, tmp_path):
    import shutil

    from tools.cost.charges import Unpriced

    stacks = shutil.copytree(synthesized("dev").outdir / "stacks", tmp_path / "stacks")
    path = stacks / "07-application" / "cdk.tf.json"
    document = json.loads(path.read_text())
    document["resource"]["aws_elasticache_cluster"] = {"cache": {"node_type": "cache.t4g.micro"}}
    path.write_text(json.dumps(document))
    with pytest.raises(Unpriced, match=r"aws_elasticache_cluster at 07-application/aws_elasticache_cluster\.cache"):
        estimate_folder(stacks, "dev")
