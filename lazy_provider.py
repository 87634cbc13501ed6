"""Load the AWS provider bindings' submodules on first use instead of all 2,212 at once, in Python and
in Node.

Python: the pinned `cdktf_cdktf_provider_aws/__init__.py` (21.22.1) defines its helpers, loads the jsii
assembly, publishes `__all__`, and then imports every submodule, which is nearly all of the ~12 s a
cold synthesis costs. This hook runs that file only up to the submodule imports; a submodule then
loads when the app imports it (`from cdktf_cdktf_provider_aws.vpc import Vpc`), and jsii (pinned
1.142.0) resolves types of modules not yet imported on demand. Synthesized output is byte-identical
with and without it (`tests/test_lazy_provider.py`). Any other version of the bindings, or
`PETCLINIC_EAGER_IMPORT=1`, loads them the ordinary way.

Node: jsii `require`s the provider's `lib/index.js`, which requires all 2,212 JS submodules. `python
lazy_tarball.py build` (run by `bin/setup`) derives from the installed, hash-checked tarball a copy
whose `lib/index.js` turns each `exports.x = require("./x")` into a getter that requires on first
use (`lazy_tarball.py`); the hook hands jsii that copy for the same assembly name and version. It is
never committed, and any mismatch (no copy, another source tarball, a changed copy) loads the stock
tarball with a warning.

Both run with jsii's package cache in the virtualenv (`JSII_RUNTIME_PACKAGE_CACHE_ROOT`, unless set),
which `bin/setup` warms, so that it lives and goes with the environment it was built from.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
from pathlib import Path

import lazy_tarball

PACKAGE = "cdktf_cdktf_provider_aws"
JSII_PACKAGE = f"{PACKAGE}._jsii"
PACKAGE_CACHE_VARIABLE = lazy_tarball.PACKAGE_CACHE_VARIABLE
PINNED_VERSION = lazy_tarball.VERSION
SUBMODULE_IMPORTS = b"\nfrom . import "


class _PrefixLoader(importlib.abc.Loader):
    """Executes the package's `__init__.py` up to its first `from . import <submodule>`."""

    def __init__(self, original: importlib.machinery.SourceFileLoader):
        self.original = original

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        source = self.original.get_data(self.original.path)
        cut = source.find(SUBMODULE_IMPORTS)
        prefix = source if cut < 0 else source[:cut + 1]
        exec(compile(prefix, self.original.path, "exec"), module.__dict__)


class _NodeSideLoader(importlib.machinery.SourceFileLoader):
    """Runs the bindings' `_jsii/__init__.py` as it is (a source loader of the same file, so that its
    resources resolve), but hands jsii the lazy tarball (`lazy_tarball`) for the provider's assembly
    when it is usable; warns and loads the stock tarball when not."""

    def __init__(self, original: importlib.machinery.SourceFileLoader):
        super().__init__(original.name, original.path)

    def exec_module(self, module) -> None:
        tarball, why = lazy_tarball.usable(Path(self.path).parent / lazy_tarball.TARBALL)
        if tarball is None:
            print(f"warning: {why}; loading the stock provider tarball (slower)", file=sys.stderr)
            super().exec_module(module)
            return
        from jsii._runtime import kernel
        stock = kernel.load

        def load(name: str, version: str, path: str) -> None:
            if (name, version) == (lazy_tarball.ASSEMBLY, lazy_tarball.VERSION):
                path = str(tarball)
            return stock(name, version, path)

        kernel.load = load
        try:
            super().exec_module(module)
        finally:
            del kernel.load


class _Finder(importlib.abc.MetaPathFinder):
    LOADERS = {PACKAGE: _PrefixLoader, JSII_PACKAGE: _NodeSideLoader}

    def find_spec(self, fullname, path=None, target=None):
        wrapper = self.LOADERS.get(fullname)
        if wrapper is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            spec.loader = wrapper(spec.loader)
        return spec


def install() -> bool:
    """Point jsii at the virtualenv's package cache (unless one is set) and install the hook unless
    disabled or the bindings are not the pinned version; True if the hook is installed."""
    os.environ.setdefault(PACKAGE_CACHE_VARIABLE, str(lazy_tarball.package_cache_root()))
    if os.environ.get("PETCLINIC_EAGER_IMPORT") or PACKAGE in sys.modules:
        return False
    from importlib.metadata import PackageNotFoundError, version  # 0.05 s, not needed on a cache hit
    try:
        if version("cdktf-cdktf-provider-aws") != PINNED_VERSION:
            return False
    except PackageNotFoundError:
        return False
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
    import jsii_direct
    jsii_direct.install()
    return True


def indexed_assemblies(root: Path) -> dict[str, bool]:
    """Every assembly extracted into jsii's package cache at `root` -> whether its type index is written
    (jsii writes it from a worker thread after a load, so a process that exits early never does)."""
    found = {}
    markers = [*root.glob("*/*/*/.jsii-runtime-package-cache"), *root.glob("@*/*/*/*/.jsii-runtime-package-cache")]
    for entry in sorted(markers):
        package = entry.parent
        found[str(package.relative_to(root))] = any(package.glob(".jsii.runtime.v*.json"))
    return found


def wait_for_type_indexes(timeout: float = 600.0) -> dict[str, bool]:
    """Wait (in a process that has loaded the assemblies) until jsii has indexed every one of them."""
    import time
    root = Path(os.environ[PACKAGE_CACHE_VARIABLE])
    deadline = time.monotonic() + timeout
    while True:
        found = indexed_assemblies(root)
        if (found and all(found.values())) or time.monotonic() > deadline:
            return found
        time.sleep(0.5)
