"""tools/service_db_users.py's statements on a real MySQL-compatible server: a private MariaDB of its
own (127.0.0.1, tests/functions/mariadb_server.py) loaded with the PetClinic schema and sample data in
the shared `petclinic` database, as the platform runs today.

The tool's statements run as root (the master user, as the Data API runs them); then each service's
user logs in over TCP with its password and must read and write its own database and be refused
everywhere else. A second run must change the passwords and create nothing twice. Then the move of
docs/databases.md runs as written (foreign keys found through information_schema, then
`--print-move-statements`' statements): the rows arrive, each service reads its own tables, what
still uses `petclinic`.`<table>` (tasks not yet redeployed, the genai assistant's read-only user)
keeps working through the views. Skips with the reason where mariadbd is not installed.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.functions import mariadb_server
from tests.functions.mariadb_server import MariaDB, QueryError
from tools import genai_db_user
from tools.genai_db_user import native_password_hash
from tools.service_db_users import (FOREIGN_KEYS_QUERY, PRIVILEGES, SERVICES, cross_service_foreign_keys, move_statements,
                                    service_statements)

FIXTURES = Path(__file__).resolve().parent / "functions" / "fixtures"
CUSTOMERS, VETS, VISITS = SERVICES
FIRST = {s.service: f"first-{s.service}-Pw-2026" for s in SERVICES}
SECOND = {s.service: f"second-{s.service}-Pw-2026" for s in SERVICES}
GENAI_PASSWORD = "test-only-genai-2026"


def run_tool(server: MariaDB, passwords: dict[str, str]) -> None:
    """What the tool sends through the Data API (tests/test_service_db_users.py holds the tool to
    exactly these statements), run as the master user."""
    for service in SERVICES:
        server.run(";\n".join(service_statements(service, native_password_hash(passwords[service.service]))))


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[MariaDB]:
    reason = mariadb_server.missing_reason()
    if reason:
        pytest.skip(reason)
    started = mariadb_server.start(tmp_path_factory.mktemp("service-dbs"))
    try:
        started.run((FIXTURES / "petclinic_schema.sql").read_text() + (FIXTURES / "petclinic_data.sql").read_text())
        started.run(";\n".join(genai_db_user.user_statements(native_password_hash(GENAI_PASSWORD))))
        run_tool(started, FIRST)
        yield started
    finally:
        started.stop()


def as_service(server: MariaDB, service, sql: str, passwords=None, database: str | None = None):
    password = (passwords or FIRST)[service.service]
    return server.run(sql, user=service.user, password=password, database=database or service.database)


def values(rows) -> list[tuple]:
    return [tuple(row.values()) for row in rows]


# The tests below run in file order on one server: the rights, then a second run, then the move.
@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.service)
def test_each_user_reads_and_writes_its_own_database(server, service):
    as_service(server, service, "CREATE TABLE probe (id INT PRIMARY KEY, note VARCHAR(20))")
    as_service(server, service, f"INSERT INTO probe VALUES (1, '{service.service}')")
    as_service(server, service, "UPDATE probe SET note = CONCAT(note, '!') WHERE id = 1")
    as_service(server, service, "CREATE INDEX probe_note ON probe (note)")
    assert values(as_service(server, service, "SELECT id, note FROM probe")) == [("1", f"{service.service}!")]


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.service)
@pytest.mark.parametrize("sql", [
    "SELECT * FROM {other}.probe",
    "INSERT INTO {other}.probe VALUES (2, 'x')",
    "SELECT * FROM petclinic.owners",
    "SELECT * FROM petclinic.staff_notes",
    "CREATE TABLE {other}.intruder (id INT)",
    "CREATE DATABASE petclinic_extra",
    "DROP TABLE probe",
    "SELECT user FROM mysql.user",
    "GRANT SELECT ON {own}.probe TO 'petclinic_genai'@'%'",
], ids=["read another", "write another", "read shared", "read staff notes", "create in another",
        "create database", "drop own table", "read mysql.user", "grant"])
def test_each_user_is_refused_everywhere_else(server, service, sql):
    other = next(s for s in SERVICES if s != service).database
    with pytest.raises(QueryError, match="denied"):
        as_service(server, service, sql.format(other=other, own=service.database))


def test_the_grants_are_exactly_the_tools(server):
    for service in SERVICES:
        grants = sorted(next(iter(row.values())) for row in as_service(server, service, "SHOW GRANTS"))
        assert len(grants) == 2 and grants[1].startswith(f"GRANT USAGE ON *.* TO `{service.user}`@`%`")
        privileges, _, target = grants[0].removeprefix("GRANT ").partition(" ON ")
        assert set(privileges.split(", ")) == set(PRIVILEGES)  # the server lists them in its own order
        assert target == f"`{service.database}`.* TO `{service.user}`@`%`"


def test_a_second_run_changes_the_passwords_and_creates_nothing_twice(server):
    run_tool(server, SECOND)
    users = server.run("SELECT COUNT(*) AS n FROM mysql.user WHERE User LIKE 'petclinic\\_%\\_app'")
    databases = server.run("SELECT COUNT(*) AS n FROM information_schema.SCHEMATA "
                           "WHERE SCHEMA_NAME IN ('petclinic_customers', 'petclinic_vets', 'petclinic_visits')")
    assert users == [{"n": "3"}] and databases == [{"n": "3"}]
    for service in SERVICES:
        with pytest.raises(QueryError, match="denied"):
            as_service(server, service, "SELECT 1")  # the first password no longer works
        assert values(as_service(server, service, "SELECT note FROM probe", SECOND)) == [(f"{service.service}!",)], \
            "the database and its rows are kept"
        server.run(f"DROP TABLE `{service.database}`.probe")  # the users may not drop; root clears up


def test_the_move_as_documented_moves_every_row_and_keeps_the_old_names_working(server):
    counts = {(s, t): server.run(f"SELECT COUNT(*) AS n FROM petclinic.`{t}`")[0]["n"] for s in SERVICES for t in s.tables}
    constraints = values(server.run(FOREIGN_KEYS_QUERY))
    keys = cross_service_foreign_keys(constraints)
    assert keys == [("visits", "visits_ibfk_1")]
    server.run(";\n".join(move_statements(keys)))

    for (service, table), count in counts.items():
        assert as_service(server, service, f"SELECT COUNT(*) AS n FROM `{table}`", SECOND) == [{"n": count}]
    kinds = server.run("SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'petclinic'")
    assert {r["TABLE_NAME"]: r["TABLE_TYPE"] for r in kinds} == {
        **{t: "VIEW" for s in SERVICES for t in s.tables}, "staff_notes": "BASE TABLE"}

    # Foreign keys inside a service moved with its tables and still hold.
    with pytest.raises(QueryError, match="foreign key constraint fails"):
        as_service(server, CUSTOMERS, "INSERT INTO pets (name, birth_date, type_id, owner_id) "
                                      "VALUES ('Ghost', '2020-01-01', 1, 999)", SECOND)
    # The visits service's own rows, and no read into the customers' database.
    assert as_service(server, VISITS, "SELECT COUNT(*) AS n FROM visits WHERE pet_id = 1", SECOND) == [{"n": "1"}]
    with pytest.raises(QueryError, match="denied"):
        as_service(server, VISITS, "SELECT name FROM petclinic_customers.pets", SECOND)

    # A task not yet redeployed writes through the view (as the master user, as tasks do today)...
    server.run("INSERT INTO petclinic.owners (first_name, last_name, address, city, telephone) "
               "VALUES ('Old', 'Task', '1 Main St.', 'Madison', '6085550000')")
    assert as_service(server, CUSTOMERS, "SELECT COUNT(*) AS n FROM owners WHERE last_name = 'Task'",
                      SECOND) == [{"n": "1"}], "the row written through the view is in the service's database"
    # ...and the genai assistant's read-only user still reads the seven names, and only through them.
    joined = server.run("SELECT o.first_name FROM owners o JOIN pets p ON p.owner_id = o.id WHERE p.name = 'Leo'",
                        user=genai_db_user.USERNAME, password=GENAI_PASSWORD, database="petclinic")
    assert joined == [{"first_name": "George"}]
    with pytest.raises(QueryError, match="denied"):
        server.run("SELECT * FROM petclinic_customers.owners", user=genai_db_user.USERNAME, password=GENAI_PASSWORD)
    with pytest.raises(QueryError, match="denied"):
        server.run("INSERT INTO owners (first_name, last_name, address, city, telephone) VALUES ('a','b','c','d','e')",
                   user=genai_db_user.USERNAME, password=GENAI_PASSWORD, database="petclinic")
