"""Load the AWS provider bindings' submodules on first use instead of all 2,212 at once.

The pinned `cdktf_cdktf_provider_aws/__init__.py` (21.22.1) defines its helpers, loads the jsii
assembly, publishes `__all__`, and then imports every submodule, which is nearly all of the ~12 s a
cold synthesis costs. This hook runs that file only up to the submodule imports; a submodule then
loads when the app imports it (`from cdktf_cdktf_provider_aws.vpc import Vpc`), and jsii (pinned
1.142.0) resolves types of modules not yet imported on demand. Synthesized output is byte-identical
with and without it (`tests/test_lazy_provider.py`). Any other version of the bindings, or
`PETCLINIC_EAGER_IMPORT=1`, loads them the ordinary way.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
from importlib.metadata import PackageNotFoundError, version

PACKAGE = "cdktf_cdktf_provider_aws"
PINNED_VERSION = "21.22.1"
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


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname != PACKAGE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            spec.loader = _PrefixLoader(spec.loader)
        return spec


def install() -> bool:
    """Install the hook unless disabled or the bindings are not the pinned version; True if installed."""
    if os.environ.get("PETCLINIC_EAGER_IMPORT") or PACKAGE in sys.modules:
        return False
    try:
        if version("cdktf-cdktf-provider-aws") != PINNED_VERSION:
            return False
    except PackageNotFoundError:
        return False
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
    return True
