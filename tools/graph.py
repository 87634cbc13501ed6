"""The deploy order of the stacks, computed from their remote-state reads.

`python -m tools.graph [--env ENV] [--mermaid] [--outputs] [--write-docs] [--check-docs]`

A stack can be deployed once every layer whose state it reads has been. A read that exists only while
a setting is on (`LayerStack.read(..., switch="security.alb_integration")`) may wait: when reads form a
cycle, the cycle is broken at such a read, the consumer is deployed first with the setting off and
again, with it on, once the layer it reads exists (the original's two phases of 02-security around
07-application). A cycle with no such read cannot be deployed and is an error.

`--outputs` synthesizes the environment into a scratch folder and reports, from the written stacks,
every output each stack reads from another layer and whether that layer declares it (the same check
that fails a synthesis).

`--write-docs` rewrites the Mermaid diagram embedded in docs/deploying.md (between the
`deploy-graph` markers); a test keeps it current.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "deploying.md"
BEGIN, END = "<!-- deploy-graph:begin -->", "<!-- deploy-graph:end -->"
DOC_ENV = "dev"


class GraphError(Exception):
    """The stacks cannot be put in a deploy order."""


@dataclass(frozen=True)
class Edge:
    consumer: str
    producer: str
    switch: str | None = None


@dataclass(frozen=True)
class DeployStep:
    """Deploy `layer`; `settings` are dotted setting overrides for this step (phase 1 of a cycle)."""

    layer: str
    phase: int = 1
    settings: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Graph:
    layers: tuple[str, ...]
    edges: tuple[Edge, ...]

    def producers(self, layer: str) -> list[str]:
        return sorted({e.producer for e in self.edges if e.consumer == layer})

    @property
    def outside(self) -> list[Edge]:
        """Reads of layers that are not among the stacks: their states must exist before."""
        return [e for e in self.edges if e.producer not in self.layers]


def graph_of(stacks: Iterable) -> Graph:
    """The layers and remote-state reads of built `LayerStack`s."""
    stacks = list(stacks)
    edges = {Edge(read.consumer, read.producer, read.switch) for stack in stacks for read in stack.reads}
    return Graph(tuple(sorted(s.layer for s in stacks)), tuple(sorted(edges, key=lambda e: (e.consumer, e.producer))))


def _order(layers: Sequence[str], edges: Iterable[Edge]) -> list[str] | None:
    """Kahn's topological order (ties by name, so the order is stable); None if a cycle remains."""
    waiting = {layer: {e.producer for e in edges if e.consumer == layer and e.producer in layers} for layer in layers}
    order: list[str] = []
    while waiting:
        ready = sorted(layer for layer, needs in waiting.items() if not needs)
        if not ready:
            return None
        order.append(ready[0])
        del waiting[ready[0]]
        for needs in waiting.values():
            needs.discard(ready[0])
    return order


def cycles(graph: Graph) -> list[list[str]]:
    """Each elementary cycle as a path `a -> b -> ... -> a` (small graphs: a plain DFS)."""
    found: list[list[str]] = []
    reads = {layer: graph.producers(layer) for layer in graph.layers}

    def walk(start: str, node: str, path: list[str]) -> None:
        for nxt in reads.get(node, []):
            if nxt == start:
                found.append(path + [start])
            elif nxt not in path and nxt > start:
                walk(start, nxt, path + [nxt])

    for layer in graph.layers:
        walk(layer, layer, [layer])
    return found


def plan(graph: Graph) -> tuple[list[DeployStep], list[Edge]]:
    """The deploy steps, and the reads deferred to a second phase to break cycles."""
    order = _order(graph.layers, graph.edges)
    if order is not None:
        return [DeployStep(layer) for layer in order], []
    deferred = [e for e in graph.edges if e.switch is not None and
                any(e.consumer in c and e.producer in c for c in cycles(graph))]
    order = _order(graph.layers, [e for e in graph.edges if e not in deferred])
    if order is None:
        raise GraphError("the remote-state reads form a cycle that no switchable read breaks: "
                         + "; ".join(" -> ".join(c) for c in cycles(graph)))
    steps = []
    for layer in order:
        off = {e.switch: False for e in deferred if e.consumer == layer}
        steps.append(DeployStep(layer, 1, off))
        for edge in deferred:
            if edge.producer == layer:
                steps.append(DeployStep(edge.consumer, 2, {edge.switch: True}))
    return steps, deferred


def build_stacks_of(env) -> list:
    """Build (without writing) every stack of `env`."""
    from speed import load_bindings

    load_bindings()
    from cdktf import App

    from layers import build_stacks
    with tempfile.TemporaryDirectory(prefix="petclinic-graph-") as scratch:
        return build_stacks(App(outdir=scratch, skip_validation=True), env)


def deploy_plan(env) -> list[DeployStep]:
    """The deploy steps of one environment (for tools that deploy, such as `tools.e2e`)."""
    return plan(graph_of(build_stacks_of(env)))[0]


def render_text(env_name: str, graph: Graph) -> str:
    steps, deferred = plan(graph)
    lines = [f"Deploy order for {env_name} ({len(graph.layers)} stacks, from their remote-state reads):"]
    for i, step in enumerate(steps, 1):
        reads = graph.producers(step.layer)
        if step.settings:
            (switch, value), = step.settings.items()
            note = f"phase {step.phase}: {switch} = {str(value).lower()}"
        else:
            note = f"reads {', '.join(reads)}" if reads else "reads no other layer"
        lines.append(f"  {i:2}. {step.layer:<20} {note}")
    for cycle in cycles(graph):
        lines.append("Cycle: " + " -> ".join(cycle))
    for edge in deferred:
        lines.append(f"  broken by deploying {edge.consumer} with {edge.switch} off first, then again after "
                     f"{edge.producer} with it on")
    if not deferred:
        lines.append("No cycle: one pass in this order.")
    for edge in graph.outside:
        lines.append(f"Not among the stacks: {edge.producer} (read by {edge.consumer}); its state must exist "
                     "before that layer is deployed")
    return "\n".join(lines)


def render_mermaid(graph: Graph) -> str:
    node = {layer: "L" + re.sub(r"[^A-Za-z0-9]", "_", layer) for layer in graph.layers}
    for edge in graph.outside:
        node.setdefault(edge.producer, "L" + re.sub(r"[^A-Za-z0-9]", "_", edge.producer))
    lines = ["```mermaid", "graph LR"]
    lines += [f'  {node[layer]}["{layer}"]' for layer in graph.layers]
    lines += [f'  {node[p]}["{p} (not ported)"]' for p in sorted({e.producer for e in graph.outside})]
    for edge in graph.edges:
        if edge.switch:
            lines.append(f"  {node[edge.producer]} -. {edge.switch} .-> {node[edge.consumer]}")
        else:
            lines.append(f"  {node[edge.producer]} --> {node[edge.consumer]}")
    lines.append("```")
    return "\n".join(lines)


def doc_block(graph: Graph) -> str:
    return "\n".join([BEGIN, f"<!-- generated by `python -m tools.graph --write-docs` ({DOC_ENV}) -->",
                      render_mermaid(graph), END])


def embedded_block(text: str) -> str | None:
    match = re.search(re.escape(BEGIN) + r".*?" + re.escape(END), text, re.S)
    return match[0] if match else None


def outputs_report(env) -> tuple[str, list[str]]:
    """The cross-layer reads of the written stacks of `env`, and the check's problems."""
    import json

    from synthesis.checks import cross_layer_outputs, remote_reads
    from synthesis import SynthesisCheckFailed, synthesize

    with tempfile.TemporaryDirectory(prefix="petclinic-outputs-") as scratch:
        outdir = Path(scratch) / "cdktf.out"
        try:
            synthesize(env, outdir)
        except SynthesisCheckFailed as failed:
            return "", failed.problems
        stacks_dir = outdir / "stacks"
        lines, count = [], 0
        for stack_file in sorted(stacks_dir.glob("*/cdk.tf.json")):
            for name, (producer, outputs) in sorted(remote_reads(json.loads(stack_file.read_text())).items()):
                count += len(outputs)
                lines.append(f"  {stack_file.parent.name:<20} <- {producer or '?':<20} {', '.join(sorted(outputs))}")
        problems = cross_layer_outputs(env, [], stacks_dir)
    head = (f"Cross-layer outputs of {env.name}: {count} outputs read across {len(lines)} remote states; "
            + ("every one declared by its producer (and written, where the producer is synthesized)" if not problems else f"{len(problems)} problem(s)"))
    return "\n".join([head, *lines]), problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.graph", description=__doc__.split("\n")[0])
    parser.add_argument("--env", help="environment (default: PETCLINIC_ENV or dev)")
    parser.add_argument("--mermaid", action="store_true", help="print the graph as a Mermaid diagram")
    parser.add_argument("--outputs", action="store_true",
                        help="synthesize and report every cross-layer output read and whether it is declared")
    parser.add_argument("--write-docs", action="store_true", help="rewrite the diagram embedded in docs/deploying.md")
    parser.add_argument("--check-docs", action="store_true", help="exit 1 when docs/deploying.md's diagram is stale")
    args = parser.parse_args(argv)
    from settings import ConfigError, load_environment, selected_environment

    doc_mode = args.write_docs or args.check_docs
    env_name = DOC_ENV if doc_mode else (args.env or selected_environment())
    try:
        graph = graph_of(build_stacks_of(load_environment(env_name)))
        text = render_text(env_name, graph)
    except (ConfigError, GraphError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if doc_mode:
        current, block = DOC.read_text(), doc_block(graph)
        embedded = embedded_block(current)
        if embedded is None:
            print(f"error: {DOC.relative_to(ROOT)} has no {BEGIN} ... {END} block", file=sys.stderr)
            return 1
        if args.check_docs:
            if embedded != block:
                print(f"{DOC.relative_to(ROOT)}'s deploy graph is out of date: run python -m tools.graph --write-docs")
                return 1
            print(f"{DOC.relative_to(ROOT)}'s deploy graph is current")
            return 0
        DOC.write_text(current.replace(embedded, block))
        print(f"wrote the deploy graph into {DOC.relative_to(ROOT)}")
        return 0
    if args.outputs:
        report, problems = outputs_report(load_environment(env_name))
        print(report)
        for problem in problems:
            print(f"  problem: {problem}")
        return 1 if problems else 0
    print(render_mermaid(graph) if args.mermaid else text)
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)
