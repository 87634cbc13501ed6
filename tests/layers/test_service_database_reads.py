"""What each service's task reads for the database (layers/contracts/application.py), which 07's task
definitions take and 02's narrowed execution role grants, each way of the switches; and its agreement
with tools/service_db_users.py, which creates the users and fills the secrets those reads name."""
from __future__ import annotations

import json

import pytest

from layers.contracts.application import TaskDatabaseReads, database_services, task_database_reads
from layers.contracts.parameter_store import service_database
from settings import load_environment
from tests.conftest import ENVIRONMENTS
from tools.service_db_users import BY_NAME, SERVICES, secret_value


def test_as_deployed_every_service_reads_the_shared_url_and_the_master_user():
    env = load_environment("dev")
    assert task_database_reads(env, "vets") == TaskDatabaseReads(
        "/petclinic-seoul/dev/db/url", "/petclinic-seoul/dev/db/username", None)


def test_in_to_be_each_service_reads_its_own_url_and_its_own_users_secret():
    env = load_environment("staging")
    assert task_database_reads(env, "vets") == TaskDatabaseReads(
        "/petclinic/staging/vets/db/url", None, "petclinic-staging-vets-db")


def test_a_services_own_user_brings_its_own_database_url_alone():
    """The ladder flips database.service_users by itself: the user's rights cover its own database
    only, so its URL is the service's own even with parameter_store.per_service_databases off."""
    env = load_environment("dev", switch_values={"database.service_users": True})
    assert not env.parameter_store.per_service_databases
    assert task_database_reads(env, "visits") == TaskDatabaseReads(
        "/petclinic-seoul/dev/visits/db/url", None, "petclinic-dev-visits-db")


def test_reads_name_the_user_in_exactly_one_place():
    with pytest.raises(ValueError, match="exactly one"):
        TaskDatabaseReads("/p/dev/db/url", "/p/dev/db/username", "petclinic-dev-vets-db")
    with pytest.raises(ValueError, match="exactly one"):
        TaskDatabaseReads("/p/dev/db/url", None, None)


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_the_tool_serves_exactly_the_services_that_read_the_database(name):
    env = load_environment(name)
    assert database_services(env) == tuple(sorted(s.service for s in SERVICES))
    for service in database_services(env):
        tool = BY_NAME[service]
        assert service_database(env, service) == tool.database          # the URL's database
        assert f"{env.name_prefix}-{service}-db" == tool.secret_name(env.name_prefix)
        if env.database.service_users:
            assert task_database_reads(env, service).user_secret_name == tool.secret_name(env.name_prefix)


def test_the_secret_holds_the_keys_the_tasks_read():
    value = json.loads(secret_value(BY_NAME["vets"], "not-a-real-password"))
    assert {"username", "password"} <= set(value) and value["username"] == "petclinic_vets_app"
