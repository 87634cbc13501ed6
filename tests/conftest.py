"""One synthesis per environment per test session, shared by every test.

`synthesized("dev")` synthesizes the app for that environment once (into a session temp folder)
and returns a `Synthesis` whose `stack(layer)` is the whole configuration of one stack folder as one
document: its `cdk.tf.json` with the blocks of the native `moved.tf` beside it (`synthesis/output_form.py`).
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import speed.bindings  # noqa: E402 - also the environment every entry point shares

speed.bindings.install()  # before a test module imports cdktf or the provider at collection time

from tools.stack_form import read_stack  # noqa: E402  (by path: the `layers` package loads cdktf)
from settings import load_environment  # noqa: E402
from synthesis import synthesize_stacks  # noqa: E402

ENVIRONMENTS = ("dev", "staging", "prod", "seoul")
REFERENCE_ENVIRONMENTS = ("dev", "seoul")  # the environments the original was planned for
EXIT_STATUS = pytest.StashKey[int]()


@dataclass(frozen=True)
class Synthesis:
    env: str
    outdir: Path
    stacks: tuple = ()  # the LayerStack objects that wrote it (read them; never synthesize them again)

    def stack_dir(self, layer: str) -> Path:
        return self.outdir / "stacks" / layer

    def stack(self, layer: str) -> dict:
        return read_stack(self.stack_dir(layer))

    def layers(self) -> list[str]:
        return sorted(p.name for p in (self.outdir / "stacks").iterdir())


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Synthesis]:
    cache: dict[str, Synthesis] = {}

    def get(env: str) -> Synthesis:
        if env not in cache:
            outdir = tmp_path_factory.mktemp(f"synth-{env}") / "cdktf.out"
            stacks = synthesize_stacks(load_environment(env), outdir)
            cache[env] = Synthesis(env, outdir, tuple(stacks))
        return cache[env]

    return get


FRESH_PROCESS_TESTS = "tests/speed/test_lazy_import.py"


def is_xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    from tests import fresh_process
    if not is_xdist_worker(config):
        fresh_process.folder()   # named in the environment before any worker starts
        if config.pluginmanager.hasplugin("xdist"):
            config.pluginmanager.register(_StartFreshRunsOnCollection(), "petclinic-fresh-runs")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Start the fresh-process runs as soon as a test that needs them is selected (tests/fresh_process.py);
    under pytest-xdist the controller does (below), once, whichever worker runs the tests."""
    if not is_xdist_worker(config) and any(item.nodeid.startswith(FRESH_PROCESS_TESTS) for item in items):
        from tests import fresh_process
        fresh_process.start()


class _StartFreshRunsOnCollection:
    """pytest-xdist's controller collects nothing itself: it starts the runs once a worker reports
    that it collected a test that needs them."""

    @staticmethod
    def pytest_xdist_node_collection_finished(node, ids: list[str]) -> None:
        if any(nodeid.startswith(FRESH_PROCESS_TESTS) for nodeid in ids):
            from tests import fresh_process
            fresh_process.start()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from tests import fresh_process
    fresh_process.stop()
    session.config.stash[EXIT_STATUS] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """As main.py: once every report is written, skip the interpreter's teardown of the provider
    bindings' objects (seconds, and nothing the OS does not release)."""
    if "cdktf_cdktf_provider_aws" in sys.modules and EXIT_STATUS in config.stash:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(config.stash[EXIT_STATUS])


def pytest_terminal_summary(terminalreporter) -> None:
    """One line naming the skipped tiers and what enables them (tests/skips.py)."""
    from tests.skips import summary_line
    line = summary_line(terminalreporter.stats.get("skipped", []))
    if line:
        terminalreporter.write_line(line, yellow=True)
