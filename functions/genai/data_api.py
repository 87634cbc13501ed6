"""Running one guarded SELECT through the RDS Data API and turning its records into plain rows.

It runs only what it is given, on the database named by `DB_NAME` (default `petclinic`), never one
chosen by the model; the statement must already have passed `sql_guard.guard`. It logs counts and
error codes, never rows or ARNs.
"""
from __future__ import annotations

import os

from botocore.exceptions import BotoCoreError, ClientError

import aws_clients
import jsonlog

DEFAULT_DATABASE = "petclinic"
MAX_ROWS = 50
TRANSIENT_CODES = frozenset({
    "ServiceUnavailableError", "StatementTimeoutException", "DatabaseUnavailableException",
    "DatabaseResumingException", "InternalServerErrorException", "ThrottlingException",
})
# The function cannot reach the database as deployed: an error for the caller (500), not "cannot answer".
MISCONFIGURED_CODES = frozenset({
    "AccessDeniedException", "ForbiddenException", "UnauthorizedException", "NotFoundException",
    "DatabaseNotFoundException", "HttpEndpointNotEnabledException", "InvalidSecretException", "SecretsErrorException",
})
TIME_CAP_MESSAGE = "maximum statement execution time exceeded"  # MySQL error 3024, the guard's time cap


class DatabaseUnavailable(Exception):
    """The Data API or the cluster is busy, paused or unreachable."""


class QueryFailed(Exception):
    """The database refused the statement (an unknown column, say)."""


class DatabaseMisconfigured(Exception):
    """The function was deployed without the cluster or secret it needs."""


def run_select(sql: str) -> list[dict]:
    cluster_arn = os.environ.get("DB_CLUSTER_ARN", "").strip()
    secret_arn = os.environ.get("DB_SECRET_ARN", "").strip()
    if not cluster_arn or not secret_arn:
        raise DatabaseMisconfigured("DB_CLUSTER_ARN or DB_SECRET_ARN is not set")
    try:
        response = aws_clients.client("rds-data").execute_statement(
            resourceArn=cluster_arn, secretArn=secret_arn, database=os.environ.get("DB_NAME") or DEFAULT_DATABASE,
            sql=sql, includeResultMetadata=True,
        )
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = error.get("Code", "Unknown")
        jsonlog.warning("data_api_error", code=code,
                        time_cap=TIME_CAP_MESSAGE in str(error.get("Message", "")).lower())
        if code in TRANSIENT_CODES:
            raise DatabaseUnavailable(code) from None
        if code in MISCONFIGURED_CODES:
            raise DatabaseMisconfigured(code) from None
        raise QueryFailed(code) from None
    except BotoCoreError as exc:
        jsonlog.warning("data_api_unreachable", error=type(exc).__name__)
        raise DatabaseUnavailable(type(exc).__name__) from None
    return rows_of(response)[:MAX_ROWS]


def rows_of(response: dict) -> list[dict]:
    names = [column.get("label") or column.get("name") or f"col_{i}"
             for i, column in enumerate(response.get("columnMetadata") or [])]
    rows = []
    for record in response.get("records") or []:
        rows.append({(names[i] if i < len(names) else f"col_{i}"): value_of(field) for i, field in enumerate(record)})
    return rows


def value_of(field: dict):
    if field.get("isNull"):
        return None
    for key in ("stringValue", "longValue", "doubleValue", "booleanValue"):
        if key in field:
            return field[key]
    if "blobValue" in field:
        return "<binary>"
    return str(field.get("arrayValue", ""))
