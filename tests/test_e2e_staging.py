"""staging's end-to-end run, from nothing (its own region, names and state keys): every check of
tests/test_e2e.py, in a file of its own so that pytest-xdist (`--dist loadfile`, as bin/test runs)
gives it the other worker, beside dev's run instead of after it."""
from __future__ import annotations

import pytest

from tests import test_e2e
from tests.test_e2e import *  # noqa: F401,F403 -- the checks (and the e2e mark and skip) of dev's run

pytestmark = test_e2e.pytestmark   # in the default run: staging applies from nothing in about 8 minutes


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return test_e2e.run_of("staging", tmp_path_factory)
