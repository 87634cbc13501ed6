"""The one entry point of the speed machinery: load cdktf and the provider bindings fast, or the stock
way with one warning that names why."""
from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

EAGER_SWITCH = "PETCLINIC_EAGER_IMPORT"   # =1: the stock load, asked for (the tests' reference load)
_reasons: list[str] | None = None         # why this process loads the stock way; None: not decided yet


def install() -> list[str]:
    """Put the lazy import hook and the kernel's direct start in place, once per process, before
    anything imports the bindings; the reasons for each part that falls back to the stock load, which
    are warned about once, in one line. Nothing is warned when the stock load is asked for."""
    global _reasons
    if _reasons is not None:
        return _reasons
    from speed import kernel, lazy_import, lazy_tarball
    os.environ.setdefault(lazy_tarball.PACKAGE_CACHE_VARIABLE, str(lazy_tarball.package_cache_root()))
    if os.environ.get(EAGER_SWITCH):
        _reasons = []
        return _reasons
    reasons = lazy_import.install()
    kernel_reason = kernel.install()
    _reasons = [*reasons, *([kernel_reason] if kernel_reason else [])]
    if _reasons:
        print(f"warning: cdktf loads the stock way (slower): {'; '.join(_reasons)}", file=sys.stderr)
    return _reasons


@contextmanager
def paused_collection() -> Iterator[None]:
    """Garbage collection off while a block makes objects that all stay alive (the bindings' import,
    a synthesis' constructs): a collection would walk them all and find nothing to free."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_bindings() -> None:
    """Load cdktf and the provider bindings (once), then record construct paths as constructs are made."""
    install()
    with paused_collection():
        try:
            import cdktf  # noqa: F401
            import cdktf_cdktf_provider_aws  # noqa: F401
        finally:
            gc.freeze()   # what the import made is never garbage: keep it out of later collections
    from speed.construct_paths import track_paths
    track_paths()


def load_bindings_in_background() -> Callable[[], None]:
    """`load_bindings` in a thread, so that jsii's Node process starts and loads the assemblies while
    this one goes on (reading the settings, say); returns the wait for it, which raises what the
    load raised. Most of the load is Node's work, during which the thread holds no GIL."""
    install()   # the import hook in place before any other thread imports anything
    failure: list[BaseException] = []

    def load() -> None:
        try:
            load_bindings()
        except BaseException as error:  # noqa: BLE001 - handed to the caller by wait()
            failure.append(error)

    thread = threading.Thread(target=load, name="load-bindings", daemon=True)
    thread.start()

    def wait() -> None:
        thread.join()
        if failure:
            raise failure[0]

    return wait


def settle() -> None:
    """Wait for what jsii's kernel still owes this process before it exits (`speed.kernel.settle`)."""
    from speed import kernel
    kernel.settle()
