"""tools/genai_db_user.py, the one-time step that creates the assistant's read-only database user:
botocore's Stubber on `rds-data` and `secretsmanager` checks every call it makes (anything not
stubbed fails), and that neither the password nor its hash is printed. The statements themselves
run on a real MariaDB in tests/functions/test_mariadb_tier.py."""
from __future__ import annotations

import hashlib
import json

import boto3
import pytest
from botocore.stub import ANY, Stubber

from tools import genai_db_user
from tools.genai_db_user import TABLES, USERNAME, create_user, native_password_hash, user_statements

CLUSTER = "arn:aws:rds:us-west-2:123456789012:cluster:petclinic-dev-aurora-cluster"
MASTER = "arn:aws:secretsmanager:us-west-2:123456789012:secret:rds!cluster-0000-AbCdEf"
SECRET = "petclinic-dev-genai-db-readonly"


@pytest.fixture
def clients(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-west-2", "AWS_CONFIG_FILE": "/dev/null",
                        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true"}.items():
        monkeypatch.setenv(name, value)
    rds, sm = boto3.client("rds-data"), boto3.client("secretsmanager")
    with Stubber(rds) as rds_stub, Stubber(sm) as sm_stub:
        yield rds, sm, rds_stub, sm_stub
        rds_stub.assert_no_pending_responses()
        sm_stub.assert_no_pending_responses()


def test_the_native_password_hash_is_mysqls():
    # SELECT PASSWORD('password') on MySQL 5.7 / MariaDB gives this value.
    assert native_password_hash("password") == "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19"
    assert native_password_hash("x") == "*" + hashlib.sha1(hashlib.sha1(b"x").digest()).hexdigest().upper()


def test_the_user_gets_select_on_the_seven_tables_and_nothing_else():
    statements = user_statements(native_password_hash("p"))
    grants = [s for s in statements if s.startswith("GRANT")]
    assert grants == [f"GRANT SELECT ON `petclinic`.`{t}` TO '{USERNAME}'@'%'" for t in TABLES]
    assert statements[2] == f"REVOKE ALL PRIVILEGES, GRANT OPTION FROM '{USERNAME}'@'%'"
    assert all("'p'" not in s for s in statements), "only the hash travels"


@pytest.mark.parametrize("bad", ["petclinic; DROP", "Owners", "x'y", ""])
def test_names_must_be_plain(bad):
    with pytest.raises(ValueError, match="plain"):
        user_statements(native_password_hash("p"), database=bad)


def test_the_tool_runs_the_statements_with_the_master_secret_then_stores_the_new_password(clients, capsys):
    rds, sm, rds_stub, sm_stub = clients
    sent = []
    rds.meta.events.register("before-parameter-build.rds-data.ExecuteStatement",
                             lambda params, **_: sent.append(params["sql"]))
    for _ in range(3 + len(TABLES)):
        rds_stub.add_response("execute_statement", {"numberOfRecordsUpdated": 0},
                              {"resourceArn": CLUSTER, "secretArn": MASTER, "database": "petclinic", "sql": ANY})
    stored = []
    sm.meta.events.register("before-parameter-build.secrets-manager.PutSecretValue",
                            lambda params, **_: stored.append(params["SecretString"]))
    sm_stub.add_response("put_secret_value", {"ARN": f"arn:aws:secretsmanager:us-west-2:123456789012:secret:{SECRET}",
                                              "Name": SECRET}, {"SecretId": SECRET, "SecretString": ANY})
    assert create_user(rds, sm, CLUSTER, MASTER, SECRET) == 3 + len(TABLES)
    value = json.loads(stored[0])
    assert value["username"] == USERNAME and len(value["password"]) >= 24 and value["dbname"] == "petclinic"
    digest = native_password_hash(value["password"])
    assert sent == user_statements(digest), "the cluster got the hash of the stored password"
    assert value["password"] not in "".join(sent)
    printed = capsys.readouterr()
    assert value["password"] not in printed.out + printed.err and digest not in printed.out + printed.err


def test_an_aws_refusal_is_one_line_and_exit_1(monkeypatch, capsys):
    def refuse(*args, **kwargs):
        from botocore.exceptions import ClientError
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": f"no for {MASTER}"}}, "ExecuteStatement")

    monkeypatch.setattr(genai_db_user, "create_user", refuse)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    code = genai_db_user.main(["--cluster-arn", CLUSTER, "--master-secret-arn", MASTER, "--secret-id", SECRET])
    err = capsys.readouterr().err
    assert code == 1 and err.strip() == "genai_db_user: AWS refused: AccessDeniedException" and MASTER not in err
