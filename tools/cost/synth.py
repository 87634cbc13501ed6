"""Synthesizing an environment into a scratch folder: from this checkout, from another git ref (a
temporary worktree) or under a design profile (settings.load_environment(..., profile=...)). Each returns the `stacks` folder it wrote."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class SynthError(Exception):
    """A synthesis that failed: the message is its last line."""


def synthesize(env: str, outdir: Path, root: Path = ROOT, envs_dir: Path | None = None) -> Path:
    environment = dict(os.environ, PETCLINIC_ENV=env, CDKTF_OUTDIR=str(outdir),
                       JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20")
    if envs_dir:
        environment["PETCLINIC_ENVS_DIR"] = str(envs_dir)
    done = subprocess.run([sys.executable, "-O", str(root / "main.py")], cwd=root, env=environment,
                          capture_output=True, text=True)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise SynthError(f"synthesis of {env} failed: {lines[-1] if lines else done.returncode}")
    return outdir / "stacks"


def synthesize_ref(ref: str, env: str, scratch: Path) -> Path:
    """The environment as synthesized by the code at `ref` (a detached worktree, removed afterwards)."""
    tree = scratch / "worktree"
    added = subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), ref],
                           capture_output=True, text=True)
    if added.returncode != 0:
        raise SynthError(f"--compare-ref {ref}: {added.stderr.strip().splitlines()[-1]}")
    try:
        return synthesize(env, scratch / "out", root=tree)
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], capture_output=True)


def synthesize_profile(env: str, profile: str, scratch: Path, envs_dir: Path | None = None) -> Path:
    """The environment under another design profile, through the settings' own mechanism
    (`load_environment(env, profile=...)`, issue 30), synthesized in this process into `scratch`."""
    from settings import ConfigError, load_environment
    from synthesis import synthesize as synthesize_stacks  # the provider bindings: loaded on first use only

    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    try:
        environment = load_environment(env, envs_dir, profile=profile)
    except ConfigError as error:
        raise SynthError(f"--profile {profile}: {error}") from None
    outdir = scratch / "profile"
    try:
        synthesize_stacks(environment, outdir)
    except Exception as error:  # noqa: BLE001 - a layer's or a check's error, said in one line
        first = (str(error).splitlines() or [type(error).__name__])[0]
        raise SynthError(f"synthesis of {env} with profile {profile} failed: {first}") from error
    return outdir / "stacks"


def scratch_folder() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="petclinic-cost-")
