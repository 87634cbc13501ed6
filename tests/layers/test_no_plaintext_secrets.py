"""No plaintext secret in any synthesized stack of any environment: no literal value under a
password- or secret-like key, and no string that looks like a known kind of credential.

A reference (`${...}`) or an ARN under such a key is fine: it names a secret, it does not hold it.
The scanner itself is tested on planted secrets, so that a broken scanner cannot pass silently.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ENVIRONMENTS

SECRET_KEY = re.compile(r"(password|passwd|secret(?!s?[_-]?manager)|api_?key|private_?key|access_?key|token)", re.I)
# `api_key_source` says where API Gateway reads API keys from (HEADER or AUTHORIZER), not a key.
NOT_A_SECRET_KEY = re.compile(r"(_arn|_id|_ids|_name|arn|manage_master_user_password|api_key_source)$", re.I)
SECRET_VALUE = {
    "AWS access key id": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "password in a URL": re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@$]+@", re.I),
    "password in a JDBC URL": re.compile(r"[?&;](password|pwd)=[^&;$]", re.I),
    "Slack token": re.compile(r"\bxox[abposr]-[0-9A-Za-z-]{10,}"),
    "Slack webhook": re.compile(r"hooks\.slack\.com/services/T[0-9A-Z]{6,}/B[0-9A-Z]{6,}/[0-9A-Za-z]{16,}"),
    "GitHub token": re.compile(r"\bgh[pousr]_[0-9A-Za-z]{30,}"),
}


def strings(node: Any, path: str = "") -> Iterator[tuple[str, str, str]]:
    """(path, key, value) of every string in a JSON document; key is the nearest dict key."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str):
                yield f"{path}.{key}", str(key), value
            else:
                yield from strings(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            if isinstance(value, str):
                yield f"{path}[{i}]", path.rsplit(".", 1)[-1], value
            else:
                yield from strings(value, f"{path}[{i}]")


def is_reference(value: str) -> bool:
    return value.startswith("${") or value.startswith("arn:")


def secret_like(name: str) -> bool:
    return bool(SECRET_KEY.search(name)) and not NOT_A_SECRET_KEY.search(name)


def holder_names(stack: dict, path: str) -> list[str]:
    """For a `value` / `default`: the name of what holds it (an output, a variable, a parameter's `name`)."""
    parts = path.split(".")
    if parts[-1] not in ("value", "default") or len(parts) < 3:
        return []
    node: Any = stack
    for part in parts[1:-1]:
        node = node.get(part, {}) if isinstance(node, dict) else {}
    return [parts[-2]] + ([node["name"]] if isinstance(node, dict) and isinstance(node.get("name"), str) else [])


def plaintext_secrets(stack: dict) -> list[str]:
    found = []
    for path, key, value in strings(stack):
        if "//" in path.split("."):
            continue  # cdktf metadata
        named = [key] + holder_names(stack, path)
        if value and not is_reference(value) and any(secret_like(n) for n in named):
            found.append(f"{path}: literal value under a secret-like name ({', '.join(named)})")
        for kind, pattern in SECRET_VALUE.items():
            if pattern.search(value):
                found.append(f"{path}: looks like a {kind}")
    return found


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_no_stack_holds_a_plaintext_secret(synthesized, env):
    synthesis = synthesized(env)
    problems = [f"{layer}{p}" for layer in synthesis.layers() for p in plaintext_secrets(synthesis.stack(layer))]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("planted", [
    {"resource": {"aws_rds_cluster": {"x": {"master_password": "hunter2hunter2"}}}},
    {"output": {"db_password": {"value": "S3cr3t!"}}},
    {"resource": {"aws_ssm_parameter": {"x": {"value": "jdbc:mysql://h:3306/db?user=a&password=b"}}}},
    {"locals": {"creds": ["AKIAABCDEFGHIJKLMNOP"]}},
    {"variable": {"x": {"default": "postgres://admin:pa55word@db.example.com/app"}}},
])
def test_the_scanner_finds_a_planted_secret(planted):
    assert plaintext_secrets(planted)


def test_the_scanner_accepts_references_to_secrets():
    assert not plaintext_secrets({"output": {"master_user_secret_name": {"value": "${aws_rds_cluster.a.master_user_secret[0].secret_arn}"}},
                                  "resource": {"aws_rds_cluster": {"a": {"manage_master_user_password": True}},
                                               "aws_ssm_parameter": {"p": {"name": "/x/dev/db/secrets-manager-name",
                                                                           "value": "${data.terraform_remote_state.database.outputs.master_user_secret_name}"}}}})
