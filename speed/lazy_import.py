"""Load the provider bindings' 2,212 submodules on first use instead of all at once, in Python and in
Node: an import hook runs the package's `__init__.py` only up to its submodule imports, and hands jsii
the derived tarball (`speed.lazy_tarball`) whose JS submodules are required on first use. Output is
byte-identical to the stock load (`tests/speed/test_lazy_import.py`); docs/speed.md has the details.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
from pathlib import Path

from speed import lazy_tarball, versions

PACKAGE = versions.PROVIDER_PACKAGE
JSII_PACKAGE = f"{PACKAGE}._jsii"
PACKAGE_CACHE_VARIABLE = lazy_tarball.PACKAGE_CACHE_VARIABLE
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
    resources resolve), but hands jsii the lazy tarball for the provider's assembly when there is one
    (`install` checked it); the stock tarball when not."""

    def __init__(self, original: importlib.machinery.SourceFileLoader, tarball: Path | None):
        super().__init__(original.name, original.path)
        self.tarball = tarball

    def exec_module(self, module) -> None:
        tarball = self.tarball
        if tarball is None:
            super().exec_module(module)
            return
        from jsii._runtime import kernel
        stock = kernel.load

        def load(name: str, version: str, path: str) -> None:
            if (name, version) == (versions.PROVIDER_ASSEMBLY, versions.PROVIDER):
                path = str(tarball)
            return stock(name, version, path)

        kernel.load = load
        try:
            super().exec_module(module)
        finally:
            del kernel.load


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self, tarball: Path | None):
        self.tarball = tarball

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in (PACKAGE, JSII_PACKAGE):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            spec.loader = _PrefixLoader(spec.loader) if fullname == PACKAGE \
                else _NodeSideLoader(spec.loader, self.tarball)
        return spec


def install() -> list[str]:
    """Install the hook unless the bindings are not the pinned version; the reasons for what falls
    back to the stock load (the whole hook, or the Node side's lazy tarball)."""
    if PACKAGE in sys.modules:
        return ["the provider bindings were imported before speed.load_bindings()"]
    from importlib.metadata import PackageNotFoundError, version
    try:
        installed = version(versions.PROVIDER_DISTRIBUTION)
    except PackageNotFoundError:
        return [f"{versions.PROVIDER_DISTRIBUTION} is not installed"]
    if installed != versions.PROVIDER:
        return [f"{versions.PROVIDER_DISTRIBUTION} is {installed}, the lazy import was written for {versions.PROVIDER}"]
    try:
        tarball, why = lazy_tarball.usable(lazy_tarball.source_path())
    except lazy_tarball.BuildError as error:
        tarball, why = None, str(error)
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder(tarball))
    return [] if tarball is not None else [f"the stock provider tarball: {why}"]


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
