"""The app end to end, as `cdktf synth` runs it (`python -O main.py` in a fresh process, twice): the
first run writes every stack into `$CDKTF_OUTDIR`; the second finds nothing changed and leaves every
byte as it was; and neither the lazy loading of the provider bindings (Python and Node side) nor
`-O` changes a byte against the ordinary, eager load. (The runs start in the background as soon as
these tests are collected: `tests/fresh_process.py`.)"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from speed import synth_cache
from tests import fresh_process
from tests.test_synth import digest


def output(outdir: Path) -> dict[str, str]:
    return {name: sha for name, sha in digest(outdir).items() if name != synth_cache.RECORD}


def succeeded(run: fresh_process.Run) -> fresh_process.Run:
    assert run.returncode == 0, run.stderr[-3000:]
    assert f"into {run.outdir}/stacks" in run.stdout
    return run


@pytest.fixture(scope="module")
def as_cdktf_runs_it() -> tuple[fresh_process.Run, fresh_process.Run, dict[str, str]]:
    first = succeeded(fresh_process.result("first"))
    synthesized_files = output(first.outdir)
    second = succeeded(fresh_process.run_now(first.outdir, "-O"))
    return first, second, synthesized_files


def test_a_fresh_process_without_terraform_writes_what_the_test_session_wrote(as_cdktf_runs_it, synthesized):
    first, _, files = as_cdktf_runs_it
    assert shutil.which("terraform", path=fresh_process.path_without_terraform(Path(tempfile.mkdtemp()))) is None
    assert "unchanged" not in first.stdout
    assert files == digest(synthesized("dev").outdir)


def test_a_repeated_run_with_nothing_changed_is_a_hit_with_byte_identical_output(as_cdktf_runs_it, synthesized):
    first, second, files = as_cdktf_runs_it
    assert "unchanged since the last synthesis" in second.stdout
    assert output(first.outdir) == files == digest(synthesized("dev").outdir)


def test_the_lazy_load_writes_the_bytes_of_the_eager_load(as_cdktf_runs_it):
    first, _, files = as_cdktf_runs_it
    assert "warning" not in first.stderr, f"the lazy provider tarball was not used (run bin/setup): {first.stderr}"
    eager = succeeded(fresh_process.result("eager"))
    assert output(eager.outdir) == files
