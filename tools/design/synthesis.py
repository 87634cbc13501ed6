"""Synthesizing environments for the design tool: in this process (the provider bindings load once,
then each environment costs well under a second), into a scratch folder the caller owns.

`variant` builds an environment as the tool needs it: as its file says, with its profile replaced
("this environment as designed"), or with some design switches forced (one ladder step).
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from settings import Environment, load_environment

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


def variant(name: str, *, profile: str | None = None, switch_values: Mapping[str, Any] | None = None,
            envs_dir: Path | None = None) -> Environment:
    return load_environment(name, envs_dir, profile=profile, switch_values=switch_values)


class SynthesisFailed(Exception):
    """The stacks of one environment could not be synthesized (the message names it, on one line)."""


def synthesize_into(env: Environment, outdir: Path) -> Path:
    """Synthesize `env` into `outdir` (a cdktf output folder); returns its `stacks` folder."""
    from synthesis import synthesize  # the provider bindings: imported on first use only

    try:
        synthesize(env, outdir)
    except Exception as error:  # noqa: BLE001 - a layer's or a check's error, said in one line
        first = (str(error).splitlines() or [type(error).__name__])[0]
        raise SynthesisFailed(f"synthesis of {env.name} failed: {first}") from error
    return outdir / "stacks"
