"""Checks over all the stacks of one synthesis, run before the output is swapped in.

Each check is `check(env, stacks, stacks_dir) -> list[str]`: `stacks` are the built `LayerStack`s,
`stacks_dir` the scratch `stacks/` folder holding their `cdk.tf.json`. A non-empty list fails the
synthesis with every problem listed. They read the written JSON, not only the Python objects, so a
reference written by hand (outside the typed readers) is checked too.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from layers.outputs import LayerOutputs
from settings import Environment

Check = Callable[[Environment, Sequence, Path], list[str]]

STATE_KEY = re.compile(r"(?:^|/)(\d\d-[a-z0-9-]+)/terraform\.tfstate$")
OUTPUT_REFERENCE = re.compile(r"data\.terraform_remote_state\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_]+)")


def producer_of(state_key: str) -> str | None:
    match = STATE_KEY.search(state_key or "")
    return match[1] if match else None


def remote_reads(stack_json: dict) -> dict[str, tuple[str | None, set[str]]]:
    """`{data source name: (producer layer, {output names referenced})}` of one synthesized stack."""
    blocks = ((stack_json.get("data") or {}).get("terraform_remote_state") or {})
    reads = {name: (producer_of((body.get("config") or {}).get("key", "")), set()) for name, body in blocks.items()}
    text = json.dumps({k: v for k, v in stack_json.items() if k != "//"})
    for name, output in OUTPUT_REFERENCE.findall(text):
        reads.setdefault(name, (None, set()))[1].add(output)
    return reads


def cross_layer_outputs(env: Environment, stacks: Sequence, stacks_dir: Path,
                        declared: dict[str, LayerOutputs] | None = None) -> list[str]:
    """Every output a stack reads from another layer's state is one that layer declares (and, when
    that layer is synthesized too, one its stack writes)."""
    if declared is None:
        from layers import DECLARED_OUTPUTS as declared
    written = {path.parent.name: set(json.loads(path.read_text()).get("output") or {})
               for path in sorted(stacks_dir.glob("*/cdk.tf.json"))}
    problems = []
    for consumer in written:
        stack_json = json.loads((stacks_dir / consumer / "cdk.tf.json").read_text())
        for name, (producer, outputs) in sorted(remote_reads(stack_json).items()):
            if producer is None:
                problems.append(f"{consumer}: reads data.terraform_remote_state.{name}, which is no layer's state")
            elif producer not in declared:
                problems.append(f"{consumer}: reads the state of {producer}, which declares no outputs")
            else:
                for output in sorted(outputs):
                    if output not in declared[producer]:
                        problems.append(f"{consumer} reads output {output!r} of {producer}, "
                                        f"which {producer} does not declare")
                    elif producer in written and output not in written[producer]:
                        problems.append(f"{consumer} reads output {output!r} of {producer}, "
                                        f"which the synthesized {producer} stack does not write")
    return problems


SYNTHESIS_CHECKS: tuple[Check, ...] = (
    cross_layer_outputs,
)
