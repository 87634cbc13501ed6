"""Warm what a synthesis reads, once, at setup: synthesizes every environment (into a temporary folder,
under `python -O` as `cdktf.json` runs the app, so the optimized bytecode of every module in use is
written too), then stays alive until jsii has written the type index of every assembly into the
virtualenv's package cache. A synthesis that finds no index parses the provider's 130 MB assembly
(seconds), and one that exits within a few seconds never writes the index itself.

usage: python -O tools/warm.py      (bin/setup runs it)
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import lazy_provider  # noqa: E402
from settings import known_environments, load_environment  # noqa: E402
from synth import synthesize  # noqa: E402


def main() -> int:
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="petclinic-warm-") as tmp:
        for name in known_environments():
            synthesize(load_environment(name), Path(tmp) / name)
            print(f"  synthesized {name} ({time.perf_counter() - start:.1f} s)", flush=True)
    print(f"  waiting for jsii to index the assemblies in {os.environ[lazy_provider.PACKAGE_CACHE_VARIABLE]}",
          flush=True)
    found = lazy_provider.wait_for_type_indexes()
    missing = [name for name, indexed in found.items() if not indexed]
    if not found or missing:
        print(f"warning: jsii did not index {', '.join(missing) or 'any assembly'}; synthesis still works, "
              "more slowly", file=sys.stderr)
    else:
        print(f"  indexed {', '.join(found)} ({time.perf_counter() - start:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # as main.py: no interpreter teardown of the bindings
