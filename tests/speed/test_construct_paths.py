"""The construct paths `speed.construct_paths` records from a construct's scope and id (without asking
jsii) are the paths jsii reports, for every element of every stack of every environment: the logical
ids, hence every Terraform address, are derived from them."""
from __future__ import annotations

import pytest

from tests.conftest import ENVIRONMENTS


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_recorded_path_is_the_path_jsii_reports(synthesized, env):
    from speed.construct_paths import recorded_path

    recorded = wrong = 0
    for stack in synthesized(env).stacks:
        for element in stack.node.find_all():
            path = recorded_path(element)
            if path is not None:
                recorded += 1
                wrong += path != element.node.path
    assert wrong == 0
    assert recorded > 500, "paths were recorded for nearly every element (the stacks hold ~550)"


def test_an_id_with_a_separator_is_recorded_as_constructs_sanitizes_it(synthesized):
    synthesized("dev")  # the bindings are loaded and the recording installed
    from cdktf import App, TerraformStack
    from constructs import Construct

    from speed.construct_paths import recorded_path, track_paths

    assert track_paths()
    app = App(skip_validation=True)
    stack = TerraformStack(app, "a-stack")
    outer = Construct(stack, "one/two")
    inner = Construct(outer, "three")
    assert (recorded_path(stack), recorded_path(outer), recorded_path(inner)) == \
        ("a-stack", "a-stack/one--two", "a-stack/one--two/three")
    assert [recorded_path(c) for c in (stack, outer, inner)] == [c.node.path for c in (stack, outer, inner)]
