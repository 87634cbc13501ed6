"""Warm what a synthesis reads, once, at setup, so that no synthesis pays for it:
- synthesizes every environment (into a temporary folder, under `python -O` as `cdktf.json` runs the
  app, so the optimized bytecode of every module in use is written, even where
  `PYTHONDONTWRITEBYTECODE` is set: without it each synthesis compiles the bindings it uses from
  source, ~0.8 s);
- stays alive until jsii has written the type index of every assembly into the virtualenv's package
  cache: a load that finds no index parses the provider's 130 MB assembly (seconds), and a process
  that exits within a few seconds never writes the index itself;
- with `--tests` only (bin/test), does the same for the stock provider tarball
  (`PETCLINIC_EAGER_IMPORT=1`, the tests' reference load), in a second process, since jsii loads one
  tarball of an assembly per process: ~50 s that a synthesis never needs (it loads the lazy tarball).
The type indexes are skipped when they are all there already; the synthesis (a few seconds) always runs.

usage: python -O -m speed.warm [--tests | --index-only]     (bin/setup runs it; bin/test with --tests)
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from speed import bindings, lazy_import, lazy_tarball

ROOT = Path(__file__).resolve().parent.parent
sys.dont_write_bytecode = False  # the point of warming (see above), whatever PYTHONDONTWRITEBYTECODE says


def expected_provider_digests(for_tests: bool = False) -> set[str]:
    """The provider tarballs to index: the one a synthesis hands jsii (the lazy one if usable, else the
    stock one), and, `for_tests`, the stock one as well (the tests' reference load)."""
    source = lazy_tarball.source_path()
    lazy, _ = lazy_tarball.usable(source)
    digests = {lazy_tarball.jsii_cache_digest(lazy if lazy is not None else source)}
    if for_tests:
        digests.add(lazy_tarball.jsii_cache_digest(source))
    return digests


def missing_indexes(for_tests: bool = False) -> list[str]:
    root = Path(os.environ.get(lazy_import.PACKAGE_CACHE_VARIABLE) or lazy_tarball.package_cache_root())
    found = lazy_import.indexed_assemblies(root)
    missing = [name for name, indexed in found.items() if not indexed]
    provider = f"{lazy_tarball.ASSEMBLY}/{lazy_tarball.VERSION}"
    missing += [f"{provider}/{d}" for d in expected_provider_digests(for_tests) if f"{provider}/{d}" not in found]
    return missing or ([] if found else ["every assembly"])


def remove_abandoned_index_files(root: Path) -> None:
    """A process that exits while jsii writes an index leaves `.jsii.runtime-*.<pid>.tmp` (35 MB) behind."""
    for partial in [*root.glob("*/*/*/.jsii.runtime-*.tmp"), *root.glob("@*/*/*/*/.jsii.runtime-*.tmp")]:
        pid = partial.name.rsplit(".", 2)[-2]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            partial.unlink(missing_ok=True)


def synthesize_every_environment(start: float) -> None:
    """The app itself (`python -O main.py`, as cdktf.json runs it) once per environment, cache off and
    bytecode writing on, so that it compiles every module a synthesis imports."""
    from settings import known_environments
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory(prefix="petclinic-warm-") as tmp:
        for name in known_environments():
            subprocess.run([sys.executable, "-O", str(ROOT / "main.py")], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL, env={**environ, "PETCLINIC_ENV": name, "PETCLINIC_CACHE": "off",
                                                           "CDKTF_OUTDIR": str(Path(tmp) / name)})
            print(f"  synthesized {name} ({time.perf_counter() - start:.1f} s)", flush=True)


def index_loaded_assemblies(start: float) -> None:
    bindings.install()
    import cdktf_cdktf_provider_aws.provider  # noqa: F401 - loads cdktf, constructs and the provider in jsii
    found = lazy_import.wait_for_type_indexes()
    late = [name for name, indexed in found.items() if not indexed]
    if late or not found:
        print(f"warning: jsii did not index {', '.join(late) or 'any assembly'}; synthesis works, more slowly",
              file=sys.stderr)
    else:
        print(f"  indexed by jsii ({time.perf_counter() - start:.1f} s)", flush=True)


def main(argv: list[str]) -> int:
    start = time.perf_counter()
    if argv == ["--index-only"]:
        index_loaded_assemblies(start)
        return 0
    if argv not in ([], ["--tests"]):
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    for_tests = argv == ["--tests"]
    remove_abandoned_index_files(Path(os.environ.get(lazy_import.PACKAGE_CACHE_VARIABLE)
                                      or lazy_tarball.package_cache_root()))
    missing = missing_indexes(for_tests)
    synthesize_every_environment(start)
    if not missing:
        print("  jsii's package cache is warm")
        return 0
    if missing_indexes(for_tests=False):   # what this process loaded: the synthesis's tarball
        print(f"  waiting for jsii to index {', '.join(missing_indexes(for_tests=False))}", flush=True)
        index_loaded_assemblies(start)
    if missing_indexes(for_tests):
        print("  indexing the stock provider tarball too (the tests' reference load)", flush=True)
        subprocess.run([sys.executable, "-O", "-m", "speed.warm", "--index-only"], check=False, cwd=ROOT,
                       env={**os.environ, "PETCLINIC_EAGER_IMPORT": "1"})
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    os._exit(code)  # as main.py: no interpreter teardown of the bindings
