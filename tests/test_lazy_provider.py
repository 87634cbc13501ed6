"""The app end to end, as `cdktf synth` runs it: `main.py` in a fresh process writes every stack
into `$CDKTF_OUTDIR`, and the lazy loading of the provider bindings changes no byte of the output."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT
from tests.test_synth import digest


def run_main(tmp_path, name: str, **extra: str) -> dict[str, str]:
    outdir = tmp_path / name
    env = dict(os.environ, PETCLINIC_ENV="seoul", CDKTF_OUTDIR=str(outdir), **extra)
    result = subprocess.run([sys.executable, str(ROOT / "main.py")], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"into {outdir}/stacks" in result.stdout
    return digest(outdir)


def test_lazy_and_eager_provider_imports_synthesize_identical_bytes(tmp_path, synthesized):
    lazy = run_main(tmp_path, "lazy")
    eager = run_main(tmp_path, "eager", PETCLINIC_EAGER_IMPORT="1")
    assert lazy == eager
    assert lazy == digest(synthesized("seoul").outdir), "a fresh process writes what the test session wrote"
