"""`tools.graph`: the deploy order from the stacks' remote-state reads, the two-phase order a
switchable cycle needs, and the diagram docs/deploying.md embeds."""
from __future__ import annotations

import pytest

from settings import load_environment
from tests.conftest import ENVIRONMENTS, ROOT
from tools import graph as tool
from tools.graph import DeployStep, Edge, Graph, GraphError, plan

ALB = "security.alb_integration"


def test_a_cycle_closed_by_a_switchable_read_deploys_in_two_phases():
    g = Graph(("01-network", "02-security", "07-application"), (
        Edge("02-security", "01-network"), Edge("02-security", "07-application", ALB),
        Edge("07-application", "01-network"), Edge("07-application", "02-security")))
    steps, deferred = plan(g)
    assert steps == [DeployStep("01-network"), DeployStep("02-security", 1, {ALB: False}),
                     DeployStep("07-application"), DeployStep("02-security", 2, {ALB: True})]
    assert deferred == [Edge("02-security", "07-application", ALB)]


def test_a_cycle_without_a_switchable_read_is_an_error():
    g = Graph(("a-one", "b-two"), (Edge("a-one", "b-two"), Edge("b-two", "a-one")))
    with pytest.raises(GraphError, match="no switchable read breaks: a-one -> b-two -> a-one"):
        plan(g)


def test_a_read_of_a_layer_that_is_not_synthesized_is_named_as_a_prerequisite():
    g = Graph(("10-monitoring",), (Edge("10-monitoring", "09-aws-native"),))
    assert plan(g)[0] == [DeployStep("10-monitoring")]
    assert "Not among the stacks: 09-aws-native (read by 10-monitoring)" in tool.render_text("dev", g)


def test_producers_come_before_their_consumers_in_every_environment(synthesized):
    for env in ENVIRONMENTS:
        g = tool.graph_of(synthesized(env).stacks)   # the session's stacks: no second build
        steps, _ = plan(g)
        deployed: set[str] = set()
        for step in steps:
            for edge in g.edges:
                if edge.producer not in g.layers:
                    continue
                if edge.consumer == step.layer and not (step.phase == 1 and edge.switch in step.settings):
                    assert edge.producer in deployed, f"{env}: {step.layer} before {edge.producer}"
            deployed.add(step.layer)
        assert set(deployed) == set(g.layers)


def test_the_deploy_page_embeds_the_current_graph():
    g = tool.graph_of(tool.build_stacks_of(load_environment(tool.DOC_ENV)))  # the tool's own path, once
    embedded = tool.embedded_block(tool.DOC.read_text())
    assert embedded == tool.doc_block(g), "docs/deploying.md is stale: run python -m tools.graph --write-docs"
