"""Function tests: the genai sources on `sys.path` as the Lambda runtime sees them (top-level
modules), fake credentials and region, and stubbed clients. No cdktf, no network, no real AWS."""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

GENAI = Path(__file__).resolve().parents[2] / "functions" / "genai"
sys.path.insert(0, str(GENAI))

CLUSTER_ARN = "arn:aws:rds:us-west-2:123456789012:cluster:petclinic-test-aurora-cluster"
SECRET_ARN = "arn:aws:secretsmanager:us-west-2:123456789012:secret:rds!cluster-test-AbCdEf"
MODEL_ID = "anthropic.claude-3-sonnet-20240229-v1:0"


@pytest.fixture(autouse=True)
def aws_test_environment(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-west-2", "AWS_REGION": "us-west-2",
                        "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
                        "AWS_EC2_METADATA_DISABLED": "true", "BEDROCK_MODEL_ID": MODEL_ID, "LOG_LEVEL": "INFO",
                        "DB_CLUSTER_ARN": CLUSTER_ARN, "DB_SECRET_ARN": SECRET_ARN}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DB_NAME", raising=False)
    import aws_clients
    aws_clients.reset()
    yield
    aws_clients.reset()


class FakeContext:
    aws_request_id = "req-0001"


def streaming(payload: dict):
    from botocore.response import StreamingBody
    data = json.dumps(payload).encode()
    return StreamingBody(io.BytesIO(data), len(data))


def claude_reply(text: str) -> dict:
    return {"body": streaming({"content": [{"type": "text", "text": text}], "stop_reason": "end_turn"}),
            "contentType": "application/json"}


FIXTURES = Path(__file__).resolve().parent / "fixtures"
GENAI_TEST_PASSWORD = "test-only-Readonly-2026"


@pytest.fixture(scope="session")
def mariadb(tmp_path_factory):
    """A private MariaDB (127.0.0.1, port 23040-23099, its own datadir) with the PetClinic schema, the
    sample data and the assistant's read-only user made by `tools/genai_db_user.py`'s statements;
    stopped at the end of the session. Skips with the reason where mariadbd is not installed."""
    from tests.functions import mariadb_server
    from tools.genai_db_user import native_password_hash, user_statements

    reason = mariadb_server.missing_reason()
    if reason:
        pytest.skip(reason)
    server = mariadb_server.start(tmp_path_factory.mktemp("mariadb"))
    try:
        server.run((FIXTURES / "petclinic_schema.sql").read_text() + (FIXTURES / "petclinic_data.sql").read_text())
        server.run(";\n".join(user_statements(native_password_hash(GENAI_TEST_PASSWORD))))
        yield server
    finally:
        server.stop()
