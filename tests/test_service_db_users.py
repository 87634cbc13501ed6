"""tools/service_db_users.py, the one-time step that gives each PetClinic service its own database
and user: botocore's Stubber on `rds-data` and `secretsmanager` checks every call it makes (anything
not stubbed fails the test), so "the secret is created once" and "the master password is never
read" are checked by the stubs. The statements themselves run on a real MariaDB in
tests/test_service_db_users_mariadb.py."""
from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import ANY, Stubber

from tools import service_db_users
from tools.genai_db_user import native_password_hash
from tools.service_db_users import (SERVICES, create_users, cross_service_foreign_keys, move_statements,
                                    service_statements)

CLUSTER = "arn:aws:rds:us-west-2:123456789012:cluster:petclinic-dev-aurora-cluster"
MASTER = "arn:aws:secretsmanager:us-west-2:123456789012:secret:rds!cluster-0000-AbCdEf"
PREFIX = "petclinic-dev"


@pytest.fixture
def clients(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-west-2", "AWS_CONFIG_FILE": "/dev/null",
                        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true"}.items():
        monkeypatch.setenv(name, value)
    rds, sm = boto3.client("rds-data"), boto3.client("secretsmanager")
    sent, stored = [], []
    rds.meta.events.register("before-parameter-build.rds-data.ExecuteStatement",
                             lambda params, **_: sent.append(params["sql"]))
    for operation in ("PutSecretValue", "CreateSecret"):
        sm.meta.events.register(f"before-parameter-build.secrets-manager.{operation}",
                                lambda params, **_: stored.append((params.get("SecretId") or params["Name"],
                                                                   json.loads(params["SecretString"]))))
    with Stubber(rds) as rds_stub, Stubber(sm) as sm_stub:
        yield rds, sm, rds_stub, sm_stub, sent, stored
        rds_stub.assert_no_pending_responses()
        sm_stub.assert_no_pending_responses()


def expect_statements(rds_stub, count: int) -> None:
    for _ in range(count):  # the master secret's ARN authenticates; no `database` (it may not exist yet)
        rds_stub.add_response("execute_statement", {"numberOfRecordsUpdated": 0},
                              {"resourceArn": CLUSTER, "secretArn": MASTER, "sql": ANY})


def secret_arn(name: str) -> str:
    return f"arn:aws:secretsmanager:us-west-2:123456789012:secret:{name}-AbCdEf"


def test_each_service_has_its_own_database_user_and_secret_name():
    assert [(s.database, s.user, s.secret_name(PREFIX)) for s in SERVICES] == [
        ("petclinic_customers", "petclinic_customers_app", "petclinic-dev-customers-db"),
        ("petclinic_vets", "petclinic_vets_app", "petclinic-dev-vets-db"),
        ("petclinic_visits", "petclinic_visits_app", "petclinic-dev-visits-db"),
    ]
    tables = [t for s in SERVICES for t in s.tables]
    assert len(tables) == len(set(tables)), "a table belongs to one service"


def test_a_user_gets_rights_on_its_own_database_only():
    customers = SERVICES[0]
    statements = service_statements(customers, native_password_hash("p"))
    grants = [s for s in statements if s.startswith("GRANT")]
    assert grants == ["GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, REFERENCES, "
                      "CREATE TEMPORARY TABLES, LOCK TABLES ON `petclinic_customers`.* TO 'petclinic_customers_app'@'%'"]
    assert statements[0] == "CREATE DATABASE IF NOT EXISTS `petclinic_customers` CHARACTER SET utf8mb4"
    assert statements[3] == "REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'petclinic_customers_app'@'%'"
    assert all("'p'" not in s for s in statements), "only the hash travels"


def test_a_hash_that_is_not_one_is_refused():
    with pytest.raises(ValueError, match="mysql_native_password"):
        service_statements(SERVICES[0], "plain-password")


def test_the_first_run_creates_the_secrets_and_the_second_only_updates_them(clients, capsys):
    rds, sm, rds_stub, sm_stub, sent, stored = clients
    for service in SERVICES:  # first run: no secret exists yet
        expect_statements(rds_stub, 5)
        name = service.secret_name(PREFIX)
        sm_stub.add_client_error("put_secret_value", "ResourceNotFoundException", http_status_code=400,
                                 expected_params={"SecretId": name, "SecretString": ANY})
        sm_stub.add_response("create_secret", {"ARN": secret_arn(name), "Name": name},
                             {"Name": name, "SecretString": ANY, "Description": ANY})
    first = create_users(rds, sm, CLUSTER, MASTER, PREFIX)
    assert [(o.secret, o.secret_action) for o in first] == [(s.secret_name(PREFIX), "created") for s in SERVICES]
    for service in SERVICES:  # second run: create_secret is not stubbed, so a second create fails the test
        expect_statements(rds_stub, 5)
        name = service.secret_name(PREFIX)
        sm_stub.add_response("put_secret_value", {"ARN": secret_arn(name), "Name": name},
                             {"SecretId": name, "SecretString": ANY})
    second = create_users(rds, sm, CLUSTER, MASTER, PREFIX)
    assert [o.secret_action for o in second] == ["updated"] * 3

    written = [value for name, value in stored if value]  # put (refused) + create, then put
    by_run = [written[1:6:2], written[6:]]
    for run, values in enumerate(by_run):
        for service, value in zip(SERVICES, values):
            assert (value["username"], value["dbname"]) == (service.user, service.database)
            assert len(value["password"]) >= 24
            expected = service_statements(service, native_password_hash(value["password"]))
            start = run * 15 + SERVICES.index(service) * 5
            assert sent[start:start + 5] == expected, "the cluster got the hash of the stored password"
    assert {v["password"] for v in written[1:6:2]}.isdisjoint(v["password"] for v in written[6:]), \
        "a second run changes every password"
    printed = capsys.readouterr()
    for value in written:
        assert value["password"] not in printed.out + printed.err
        assert native_password_hash(value["password"]) not in printed.out + printed.err


def test_one_service_alone_and_a_kms_key_for_the_secret_it_creates(clients):
    rds, sm, rds_stub, sm_stub, sent, _ = clients
    expect_statements(rds_stub, 5)
    name = "petclinic-staging-visits-db"
    sm_stub.add_client_error("put_secret_value", "ResourceNotFoundException", http_status_code=400)
    sm_stub.add_response("create_secret", {"ARN": secret_arn(name), "Name": name},
                         {"Name": name, "SecretString": ANY, "Description": ANY, "KmsKeyId": "alias/petclinic"})
    (outcome,) = create_users(rds, sm, CLUSTER, MASTER, "petclinic-staging", [SERVICES[2]], "alias/petclinic")
    assert outcome.secret == name and all("petclinic_visits" in sql for sql in sent)


def test_a_refusal_other_than_not_found_is_not_answered_with_a_create(clients):
    rds, sm, rds_stub, sm_stub, _, _ = clients
    expect_statements(rds_stub, 5)
    sm_stub.add_client_error("put_secret_value", "AccessDeniedException", http_status_code=400)
    from botocore.exceptions import ClientError
    with pytest.raises(ClientError, match="AccessDenied"):
        create_users(rds, sm, CLUSTER, MASTER, PREFIX, [SERVICES[0]])


def test_the_command_prints_one_line_per_service_and_no_secret(clients, monkeypatch, capsys):
    rds, sm, rds_stub, sm_stub, _, stored = clients
    monkeypatch.setattr(boto3.session.Session, "client", lambda self, name, **kw: {"rds-data": rds,
                                                                                   "secretsmanager": sm}[name])
    for service in SERVICES:
        expect_statements(rds_stub, 5)
        sm_stub.add_response("put_secret_value", {"ARN": secret_arn("x"), "Name": "x"})
    code = service_db_users.main(["--cluster-arn", CLUSTER, "--master-secret-arn", MASTER, "--prefix", PREFIX])
    out = capsys.readouterr().out
    assert code == 0 and out.splitlines() == [
        f"{s.service}: database {s.database}, user {s.user} (new password, rights on its own database only), "
        f"5 statements run; secret {s.secret_name(PREFIX)} updated" for s in SERVICES]
    assert all(value["password"] not in out for _, value in stored)


def test_an_aws_refusal_is_one_line_and_exit_1_without_the_message(clients, monkeypatch, capsys):
    rds, sm, rds_stub, _, _, _ = clients
    monkeypatch.setattr(boto3.session.Session, "client", lambda self, name, **kw: {"rds-data": rds,
                                                                                   "secretsmanager": sm}[name])
    rds_stub.add_client_error("execute_statement", "BadRequestException", http_status_code=400,
                              service_message="CREATE USER 'x' IDENTIFIED WITH mysql_native_password AS '*ABC'")
    code = service_db_users.main(["--cluster-arn", CLUSTER, "--master-secret-arn", MASTER, "--prefix", PREFIX])
    err = capsys.readouterr().err
    assert code == 1 and err == "service_db_users: AWS refused: BadRequestException\n"


@pytest.mark.parametrize("argv, message", [
    (["--prefix", "Petclinic Dev", "--cluster-arn", CLUSTER, "--master-secret-arn", MASTER], "--prefix 'Petclinic Dev'"),
    (["--prefix", PREFIX, "--cluster-arn", CLUSTER], "--master-secret-arn is required"),
    (["--print-move-statements", "--drop-foreign-key", "visits;drop"], "--drop-foreign-key 'visits;drop'"),
])
def test_bad_arguments_are_one_line_naming_the_argument_and_exit_2(argv, message, capsys):
    assert service_db_users.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"service_db_users: {message}") and err.count("\n") == 1


def test_only_foreign_keys_between_two_services_are_dropped():
    constraints = [("pets", "pets_ibfk_1", "owners"), ("pets", "pets_ibfk_2", "types"),
                   ("visits", "visits_ibfk_1", "pets"), ("vet_specialties", "vet_specialties_ibfk_1", "vets"),
                   ("staff_notes", "staff_notes_ibfk_1", "vets")]
    assert cross_service_foreign_keys(constraints) == [("visits", "visits_ibfk_1")]


def test_the_move_drops_first_renames_in_one_statement_and_leaves_views(capsys):
    statements = move_statements([("visits", "visits_ibfk_1")])
    assert statements[:2] == ["SET SESSION lock_wait_timeout = 5",
                              "ALTER TABLE `petclinic`.`visits` DROP FOREIGN KEY `visits_ibfk_1`"]
    assert [s.split(" ")[0] for s in statements] == ["SET", "ALTER", "RENAME"] + ["CREATE"] * 7
    assert statements[2].count(" TO ") == 7, "one atomic RENAME moves every table"
    assert service_db_users.main(["--print-move-statements", "--drop-foreign-key", "visits.visits_ibfk_1"]) == 0
    assert capsys.readouterr().out == ";\n".join(statements) + ";\n"


def test_the_docs_show_the_move_and_the_query_the_tool_prints(capsys):
    """docs/databases.md quotes the tool's output; this keeps the two the same."""
    from pathlib import Path
    docs = (Path(__file__).resolve().parents[1] / "docs" / "databases.md").read_text()
    assert service_db_users.main(["--print-move-statements", "--drop-foreign-key", "visits.visits_ibfk_1"]) == 0
    printed = capsys.readouterr().out
    quoted = "\n".join(line[3:] for line in docs.splitlines() if line.startswith("   ") and (
        line[3:].startswith(("SET ", "ALTER ", "RENAME ", "CREATE VIEW"))))
    assert quoted + "\n" == printed
    assert service_db_users.FOREIGN_KEYS_QUERY in docs
    for service in SERVICES:
        assert f"| {service.service} | `{service.database}` | `{service.user}` | `<prefix>-{service.service}-db` |" in docs
