"""The one entry point of the speed machinery (`speed.bindings`): one warning naming why when it falls
back to the stock load, none when the stock load is asked for, the background load's failure handed to
its waiter, and the same environment for every entry point."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from speed import ENVIRONMENT, bindings, kernel, lazy_import
from tests.conftest import ROOT


@pytest.fixture
def undecided(monkeypatch):
    """`install` as in a fresh process (it decides once per process)."""
    monkeypatch.setattr(bindings, "_reasons", None)
    monkeypatch.delenv(bindings.EAGER_SWITCH, raising=False)


def test_every_fallback_is_named_in_one_warning(undecided, monkeypatch, capsys):
    monkeypatch.setattr(lazy_import, "install", lambda: ["the stock provider tarball: it was not built"])
    monkeypatch.setattr(kernel, "install", lambda: "jsii is 1.999.0")
    assert bindings.install() == ["the stock provider tarball: it was not built", "jsii is 1.999.0"]
    assert bindings.install() == ["the stock provider tarball: it was not built", "jsii is 1.999.0"]
    warnings = capsys.readouterr().err.splitlines()
    assert len(warnings) == 1, "once per process, in one line"
    assert warnings[0].startswith("warning: cdktf loads the stock way")
    assert "it was not built" in warnings[0] and "jsii is 1.999.0" in warnings[0]


def test_the_fast_load_says_nothing(undecided, monkeypatch, capsys):
    monkeypatch.setattr(lazy_import, "install", lambda: [])
    monkeypatch.setattr(kernel, "install", lambda: None)
    assert bindings.install() == []
    assert capsys.readouterr().err == ""


def test_the_stock_load_asked_for_installs_nothing_and_warns_nothing(undecided, monkeypatch, capsys):
    monkeypatch.setenv(bindings.EAGER_SWITCH, "1")
    monkeypatch.setattr(lazy_import, "install", lambda: pytest.fail("the hook was installed"))
    monkeypatch.setattr(kernel, "install", lambda: pytest.fail("the direct start was installed"))
    assert bindings.install() == []
    assert capsys.readouterr().err == ""


def test_the_background_load_hands_its_failure_to_the_waiter(monkeypatch):
    def broken() -> None:
        raise ImportError("cdktf is not installed")

    monkeypatch.setattr(bindings, "load_bindings", broken)
    wait = bindings.load_bindings_in_background()
    with pytest.raises(ImportError, match="cdktf is not installed"):
        wait()


@pytest.mark.parametrize("entry_point", ["main", "tools", "tools.scan", "synthesis"])
def test_every_entry_point_gets_the_shared_environment(entry_point):
    """`python -m tools.scan` and the app get what bin/* used to export (jsii's Node 20 banner
    silenced), without a wrapper script setting it."""
    environment = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT}
    shown = subprocess.run(
        [sys.executable, "-c", f"import os, {entry_point}; print([os.environ.get(k) for k in {sorted(ENVIRONMENT)!r}])"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert shown.stdout.strip() == str([ENVIRONMENT[k] for k in sorted(ENVIRONMENT)])
