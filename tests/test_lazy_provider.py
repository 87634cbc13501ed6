"""The app end to end, as `cdktf synth` runs it (`python -O main.py` in a fresh process, twice): the
first run writes every stack into `$CDKTF_OUTDIR`; the second finds nothing changed and leaves every
byte as it was; and neither the lazy loading of the provider bindings (Python and Node side) nor
`-O` changes a byte against the ordinary, eager load."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import synth_cache
from tests.conftest import ROOT
from tests.test_synth import digest


def run_main(outdir: Path, *python_flags: str, **extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in (synth_cache.SWITCH, "PETCLINIC_EAGER_IMPORT")}
    env.update(PETCLINIC_ENV="dev", CDKTF_OUTDIR=str(outdir), **extra)
    result = subprocess.run([sys.executable, *python_flags, str(ROOT / "main.py")], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"into {outdir}/stacks" in result.stdout
    return result


def output(outdir: Path) -> dict[str, str]:
    return {name: sha for name, sha in digest(outdir).items() if name != synth_cache.RECORD}


@pytest.fixture(scope="module")
def as_cdktf_runs_it(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess, subprocess.CompletedProcess]:
    outdir = tmp_path_factory.mktemp("fresh-process") / "cdktf.out"
    first = run_main(outdir, "-O")
    synthesized_files = output(outdir)
    second = run_main(outdir, "-O")
    assert output(outdir) == synthesized_files, "the cache hit changed the output"
    return outdir, first, second


def test_a_fresh_process_writes_what_the_test_session_wrote(as_cdktf_runs_it, synthesized):
    outdir, first, _ = as_cdktf_runs_it
    assert "unchanged" not in first.stdout
    assert output(outdir) == digest(synthesized("dev").outdir)


def test_a_repeated_run_with_nothing_changed_is_a_hit_with_byte_identical_output(as_cdktf_runs_it, synthesized):
    outdir, _, second = as_cdktf_runs_it
    assert "unchanged since the last synthesis" in second.stdout
    assert output(outdir) == digest(synthesized("dev").outdir)


def test_the_lazy_load_writes_the_bytes_of_the_eager_load(as_cdktf_runs_it, tmp_path):
    outdir, first, _ = as_cdktf_runs_it
    assert "warning" not in first.stderr, "the lazy provider tarball was not used (run bin/setup)"
    eager = tmp_path / "eager"
    run_main(eager, PETCLINIC_EAGER_IMPORT="1", **{synth_cache.SWITCH: "off"})
    assert output(eager) == output(outdir)
