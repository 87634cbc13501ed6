"""Synthesizing an environment into a scratch folder: from this checkout, from another git ref (a
temporary worktree) or under a design profile. Each returns the `stacks` folder it wrote."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROFILES_DIR = "_profiles"  # envs/_profiles/<profile>.toml: the overlay a profile merges (issue 30)


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


def synthesize_profile(env: str, profile: str, scratch: Path, envs: Path = ROOT / "envs") -> Path:
    """The environment under another design profile: a scratch copy of envs/ whose <env>.toml says
    `profile = "<profile>"`. The one place to wire when the profile setting (issue 30) lands."""
    from settings import Environment  # the package, not its files (model.py is being split)

    if "profile" not in Environment.model_fields:
        raise SynthError(f"--profile {profile}: this checkout's settings have no 'profile' field yet (issue 30)")
    if not (envs / PROFILES_DIR / f"{profile}.toml").exists():
        raise SynthError(f"--profile {profile}: no {envs / PROFILES_DIR / (profile + '.toml')}")
    copy = scratch / "envs"
    shutil.copytree(envs, copy)
    path = copy / f"{env}.toml"
    lines = [line for line in path.read_text().splitlines() if not line.startswith("profile")]
    path.write_text(f'profile = "{profile}"\n' + "\n".join(lines) + "\n")
    return synthesize(env, scratch / "out", envs_dir=copy)


def scratch_folder() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="petclinic-cost-")
