"""Synthesis of one environment into a cdktf output folder, all or nothing.

The stacks are synthesized into a fresh temporary folder beside the target, which replaces the
target only once everything succeeded: a failed synthesis leaves an existing `cdktf.out` as it was.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from speed import load_bindings, paused_collection

if TYPE_CHECKING:  # the settings are slow to import, which a cache hit (main.py) does without
    from settings import Environment

DEFAULT_OUTDIR = "cdktf.out"


def outdir_from_environment() -> Path:
    """`CDKTF_OUTDIR` as cdktf's own App reads it (the CLI sets it), else `cdktf.out`."""
    return Path(os.environ.get("CDKTF_OUTDIR") or DEFAULT_OUTDIR)


def synthesize(env: Environment, outdir: Path) -> list[str]:
    """Synthesize every layer of `env` into `outdir`; returns the stack names."""
    return [s.layer for s in synthesize_stacks(env, outdir)]


def synthesize_stacks(env: Environment, outdir: Path) -> list:
    """`synthesize`, returning the stacks themselves (the tests read them without building them again)."""
    load_bindings()
    from cdktf import App

    from layers import build_stacks
    from synthesis.output_form import write_scan_readable

    outdir = outdir.resolve()
    outdir.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", dir=outdir.parent))
    try:
        with paused_collection():   # the constructs all live until the synthesis ends
            app = App(outdir=str(scratch), skip_validation=True)  # validated just below, without one check
            stacks = build_stacks(app, env)
            validate(stacks)
            app.synth()
            run_checks(env, stacks, scratch / "stacks")
            # Each stack folder in the form Terraform and the scanners both read: what checkov's JSON parser
            # cannot read moves to a native `moved.tf` beside `cdk.tf.json` (synthesis/output_form.py). The
            # checks above read the stacks as cdktf wrote them; nothing is swapped in unless this succeeds.
            write_scan_readable(scratch / "stacks")
            _replace(outdir, scratch)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return stacks


def validate(stacks: list) -> None:
    """cdktf's construct validations of every stack, run before `app.synth()` rather than by it.

    During `synth()` cdktf adds one more validation to every stack with a resource moved through
    `move_from_id` (the stacks write their `moved` blocks themselves, but a construct may still use
    it): it runs `terraform version` (a process per stack) and fails where terraform is not
    installed, although synthesizing needs no terraform. The stacks require terraform >= 1.12 themselves
    (`required_version`), which terraform checks where it runs; every other validation runs here."""
    for stack in stacks:
        stack.run_all_validations()


class SynthesisCheckFailed(Exception):
    """The stacks were written but do not hold together; nothing was swapped in."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) across the stacks:\n  " + "\n  ".join(problems))


def run_checks(env: Environment, stacks: list, stacks_dir: Path) -> None:
    """Every check of `synthesis.checks.SYNTHESIS_CHECKS`; all their problems, or nothing."""
    from synthesis.checks import SYNTHESIS_CHECKS

    problems = [problem for check in SYNTHESIS_CHECKS for problem in check(env, stacks, stacks_dir)]
    if problems:
        raise SynthesisCheckFailed(problems)


def _replace(target: Path, fresh: Path) -> None:
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old.{os.getpid()}")
        target.rename(old)
    fresh.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
