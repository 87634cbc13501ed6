"""staging's end-to-end run, from nothing (its own region, names and state keys): every check of
tests/test_e2e.py, in a file of its own so that pytest-xdist (`--dist loadfile`, as bin/test runs)
gives it the other worker, beside dev's run instead of after it."""
from __future__ import annotations

import os

import pytest

from tests import test_e2e
from tests.test_e2e import *  # noqa: F401,F403 -- the checks (and the e2e mark and skip) of dev's run

# The To-Be stacks of staging (an ACM certificate validated in a Route 53 zone the environment file
# names as a placeholder, API Gateway's account role, Bedrock invocation logging, CloudFront origin
# access control) have not yet been measured against the local AWS: their moto gaps are not listed, so
# the default run leaves staging to PETCLINIC_E2E=full until they are.
pytestmark = [*test_e2e.pytestmark, pytest.mark.skipif(
    os.environ.get("PETCLINIC_E2E") != "full",
    reason="staging's To-Be stacks are not yet measured against moto (moto gaps unlisted): PETCLINIC_E2E=full runs it")]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return test_e2e.run_of("staging", tmp_path_factory)
