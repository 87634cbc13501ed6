"""bin/setup's user-facing behaviour: progress while pipenv installs (bin/lib/progress.sh), and a
synthesis that pays only what synthesis needs (speed/warm.py indexes the stock provider tarball, the
tests' reference load, only for bin/test)."""
from __future__ import annotations

import subprocess
from pathlib import Path

from speed import lazy_tarball
from tests.conftest import ROOT
from speed import warm


def test_the_install_step_shows_progress_and_keeps_the_installers_exit_code(tmp_path):
    installer = ("mkdir -p .venv/lib/python3.11/site-packages/one-1.0.dist-info; sleep 2.5; "
                 "mkdir -p .venv/lib/python3.11/site-packages/two-1.0.dist-info; sleep 2.5; exit 3")
    done = subprocess.run(["bash", "-c", f'. "{ROOT}/bin/lib/progress.sh"; with_install_progress 1 7 sh -c "$0"',
                           installer], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 3
    lines = done.stdout.splitlines()
    assert len(lines) >= 3, done.stdout
    assert lines[0].startswith("    ... 1 of 7 packages in .venv so far (")
    assert any(line.startswith("    ... 2 of 7 packages in .venv so far (") for line in lines)


def test_setup_refuses_an_unknown_option_before_installing_anything(tmp_path):
    done = subprocess.run([str(ROOT / "bin" / "setup"), "--bogus"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.strip() == "usage: bin/setup [--cli] [--tests]"


def test_only_the_tests_index_the_stock_provider_tarball(monkeypatch):
    monkeypatch.setattr(lazy_tarball, "source_path", lambda: Path("stock.tgz"))
    monkeypatch.setattr(lazy_tarball, "jsii_cache_digest", lambda path: path.name)
    monkeypatch.setattr(lazy_tarball, "usable", lambda source: (Path("lazy.tgz"), ""))
    assert warm.expected_provider_digests() == {"lazy.tgz"}
    assert warm.expected_provider_digests(for_tests=True) == {"lazy.tgz", "stock.tgz"}
    monkeypatch.setattr(lazy_tarball, "usable", lambda source: (None, "not built"))
    assert warm.expected_provider_digests() == {"stock.tgz"}   # what a synthesis then loads


def test_bin_synth_sets_up_without_the_tests_share_and_bin_test_with_it():
    synth = (ROOT / "bin" / "synth").read_text()
    assert "bin/setup --cli\n" in synth and "--tests" not in synth
    assert "bin/setup --tests" in (ROOT / "bin" / "test").read_text()


def test_the_skipped_tiers_are_named_in_one_line_with_what_enables_them():
    from types import SimpleNamespace

    from tests.skips import summary_line

    def skipped(reason: str, times: int) -> list:
        return [SimpleNamespace(longrepr=("tests/x.py", 3, f"Skipped: {reason}"))] * times

    mariadb = "mariadbd is not installed (apt-get install mariadb-server)"
    terraform = "needs terraform on PATH and a filesystem mirror of hashicorp/aws (TF_PROVIDER_MIRROR)"
    reports = skipped(mariadb, 43) + skipped(terraform, 1) + skipped("05-cloud-map has no removed block", 2)
    assert summary_line(reports) == ("skipped tiers, install what each names to run them: "
                                     f"43 tests ({mariadb}); 1 test ({terraform}); "
                                     "2 tests skipped for other reasons (-rs lists them)")
    assert summary_line(skipped("05-cloud-map has no removed block", 1)) == \
        "skipped: 1 test skipped for other reasons (-rs lists them)"
    assert summary_line([]) is None
