"""The cdktf app: synthesizes every ported layer of one environment (`PETCLINIC_ENV`, default dev)
into `cdktf.out/stacks/<layer>/cdk.tf.json` (or `$CDKTF_OUTDIR`)."""
from __future__ import annotations

import os
import sys

from settings import ConfigError, load_environment, selected_environment
from synth import SynthesisCheckFailed, outdir_from_environment, synthesize


def main() -> int:
    try:
        env = load_environment(selected_environment())
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    outdir = outdir_from_environment()
    try:
        stacks = synthesize(env, outdir)
    except Exception as error:
        from layers.base import LayerError  # imported by the synthesis (after the provider's import hook)
        if not isinstance(error, (LayerError, SynthesisCheckFailed)):
            raise
        print(f"error: {env.name}: {error}", file=sys.stderr)
        return 1
    print(f"synthesized {len(stacks)} stacks for {env.name} into {outdir}/stacks: {', '.join(stacks)}")
    return 0


if __name__ == "__main__":
    code = main()
    # Skip the interpreter's teardown of the bindings' objects (seconds, and nothing to release that
    # the OS does not); the output is complete and flushed at this point.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
