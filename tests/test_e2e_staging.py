"""staging's end-to-end run, from nothing (its own region, names and state keys): every check of
tests/test_e2e.py, in a file of its own so that pytest-xdist (`--dist loadfile`, as bin/test runs)
gives it the other worker, beside dev's run instead of after it."""
from __future__ import annotations

import os

import pytest

from tests import test_e2e
from tests.test_e2e import *  # noqa: F401,F403 -- the checks (and the e2e mark and skip) of dev's run

# Left to PETCLINIC_E2E=full for one more whole run: the last one (issue 32) applied all 13 layers with
# every second plan clean, the tampering caught and the read-back claims confirmed, but the two drift
# false positives it found (NACL entries after a refresh, an S3 bucket key) were fixed after it started.
pytestmark = [*test_e2e.pytestmark, pytest.mark.skipif(
    os.environ.get("PETCLINIC_E2E") != "full",
    reason="staging's run awaits one whole clean run with the drift fixes of issue 32: PETCLINIC_E2E=full runs it")]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return test_e2e.run_of("staging", tmp_path_factory)
