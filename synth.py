"""Synthesis of one environment into a cdktf output folder, all or nothing.

The stacks are synthesized into a fresh temporary folder beside the target, which replaces the
target only once everything succeeded: a failed synthesis leaves an existing `cdktf.out` as it was.
"""
from __future__ import annotations

import gc
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import lazy_provider

if TYPE_CHECKING:  # the settings cost 0.2 s to import, which a cache hit (main.py) does without
    from settings import Environment

DEFAULT_OUTDIR = "cdktf.out"


def outdir_from_environment() -> Path:
    """`CDKTF_OUTDIR` as cdktf's own App reads it (the CLI sets it), else `cdktf.out`."""
    return Path(os.environ.get("CDKTF_OUTDIR") or DEFAULT_OUTDIR)


def import_cdktf() -> None:
    """Load cdktf and the AWS provider bindings once: their submodules lazily (`lazy_provider`), and
    with garbage collection paused, since the import allocates objects that all stay alive; then
    record construct paths as constructs are made (`modules.identity.track_paths`)."""
    lazy_provider.install()
    enabled = gc.isenabled()
    gc.disable()
    try:
        import cdktf  # noqa: F401
        import cdktf_cdktf_provider_aws  # noqa: F401
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
    from modules.identity import track_paths
    track_paths()


def import_cdktf_in_background() -> Callable[[], None]:
    """`import_cdktf` in a thread, so that jsii's Node process starts and loads the assemblies while
    this one goes on (reading the settings, say); returns the wait for it, which raises what the
    import raised. Most of the import is Node's work, during which the thread waits without the GIL."""
    lazy_provider.install()   # the import hook in place before any other thread imports anything
    failure: list[BaseException] = []

    def load() -> None:
        try:
            import_cdktf()
        except BaseException as error:  # noqa: BLE001 - handed to the caller by wait()
            failure.append(error)

    thread = threading.Thread(target=load, name="import-cdktf", daemon=True)
    thread.start()

    def wait() -> None:
        thread.join()
        if failure:
            raise failure[0]

    return wait


def synthesize(env: Environment, outdir: Path) -> list[str]:
    """Synthesize every layer of `env` into `outdir`; returns the stack names."""
    return [s.layer for s in synthesize_stacks(env, outdir)]


def synthesize_stacks(env: Environment, outdir: Path) -> list:
    """`synthesize`, returning the stacks themselves (the tests read them without building them again)."""
    import_cdktf()
    from cdktf import App

    from layers import build_stacks
    from layers.output_form import write_scan_readable

    outdir = outdir.resolve()
    outdir.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", dir=outdir.parent))
    collecting = gc.isenabled()
    gc.disable()   # the constructs all live until the synthesis ends: nothing for a collection to find
    try:
        app = App(outdir=str(scratch), skip_validation=True)  # validated just below, without one check
        stacks = build_stacks(app, env)
        validate(stacks)
        app.synth()
        run_checks(env, stacks, scratch / "stacks")
        # Each stack folder in the form Terraform and the scanners both read: what checkov's JSON parser
        # cannot read moves to a native `moved.tf` beside `cdk.tf.json` (layers/output_form.py). The
        # checks above read the stacks as cdktf wrote them; nothing is swapped in unless this succeeds.
        write_scan_readable(scratch / "stacks")
        _replace(outdir, scratch)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    finally:
        if collecting:
            gc.enable()
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
    """Every check of `layers.checks.SYNTHESIS_CHECKS`; all their problems, or nothing."""
    from layers.checks import SYNTHESIS_CHECKS

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
