"""The cdktf app: synthesizes every ported layer of one environment (`PETCLINIC_ENV`, default dev)
into `cdktf.out/stacks/<layer>/` (`cdk.tf.json` and `moved.tf`; or `$CDKTF_OUTDIR`), or, when nothing
that shapes the output changed since the output folder was synthesized, leaves it as it is (`speed.synth_cache`)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from speed import load_bindings_in_background, settle, synth_cache
from synthesis import SynthesisCheckFailed, outdir_from_environment, synthesize


def synthesize_environment(outdir: Path) -> str | None:
    """Synthesize the selected environment into `outdir`; the summary line, or None after an error
    that was reported. The bindings load in the background while the settings are read."""
    bindings_loaded = load_bindings_in_background()
    from settings import ConfigError, load_environment, selected_environment  # not imported on a cache hit

    try:
        env = load_environment(selected_environment())
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        _let_the_load_finish(bindings_loaded)
        return None
    try:
        bindings_loaded()
        stacks = synthesize(env, outdir)
    except Exception as error:
        from layers.base import LayerError  # imported by the synthesis (after the provider's import hook)
        if not isinstance(error, (LayerError, SynthesisCheckFailed)):
            raise
        print(f"error: {env.name}: {error}", file=sys.stderr)
        return None
    return f"synthesized {len(stacks)} stacks for {env.name} into {outdir}/stacks: {', '.join(stacks)}"


def _let_the_load_finish(bindings_loaded) -> None:
    """Exiting while jsii's Node process is still answering the loads would have it print a crash
    (a write to a closed socket) after our error message; they take a fraction of a second."""
    try:
        bindings_loaded()
        settle()
    except Exception:  # noqa: BLE001 - the settings error is the one to report
        pass


def main() -> int:
    outdir = outdir_from_environment()
    if not synth_cache.enabled():
        summary = synthesize_environment(outdir)
    else:
        parts = synth_cache.inputs()
        key = synth_cache.key_of(parts)
        cached = synth_cache.lookup(outdir, key)
        if cached is not None:
            print(f"{cached} (unchanged since the last synthesis; {synth_cache.SWITCH}=off synthesizes anyway)")
            return 0
        summary = synthesize_environment(outdir)
        if summary is not None:
            synth_cache.record(outdir, key, parts, summary)
    if summary is None:
        return 1
    print(summary)
    return 0


if __name__ == "__main__":
    code = main()
    # Skip the interpreter's slow teardown of the bindings' objects (nothing to release that the OS
    # does not); the output is complete and flushed at this point.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
