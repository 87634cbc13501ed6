"""Create (or reset) the GenAI assistant's read-only database user on the Aurora cluster: a one-time
step after `06-lambda-genai` is deployed, and again whenever its password should change.

usage: python tools/genai_db_user.py --cluster-arn ARN --master-secret-arn ARN --secret-id NAME_OR_ARN
                                     [--database petclinic] [--region REGION]

It makes a new random password, sends the cluster only its `mysql_native_password` hash (through
the RDS Data API, authenticated by the cluster's master secret, whose password this tool never reads),
grants the user `SELECT` on the seven PetClinic tables and nothing else, and writes the credentials
into the assistant's own secret. It prints neither the password nor its hash. The statements are
plain MySQL 8 (Aurora MySQL 3) that MariaDB also reads; the tests run them on a local MariaDB.

It deliberately creates no AWS resource: the secret, the IAM policy and the function's settings are
Terraform's (layer 06-lambda-genai).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import secrets
import sys
from collections.abc import Sequence

USERNAME = "petclinic_genai"
HOST = "%"
DATABASE = "petclinic"
# The assistant's tables (the SQL guard's allow-list; a test keeps the two equal).
TABLES = ("owners", "pets", "types", "vets", "specialties", "vet_specialties", "visits")
PLAIN_NAME = re.compile(r"[a-z_][a-z0-9_]{0,31}")


def native_password_hash(password: str) -> str:
    """MySQL's `mysql_native_password` hash: `*` and the upper-case hex of SHA1(SHA1(password))."""
    return "*" + hashlib.sha1(hashlib.sha1(password.encode("utf-8")).digest()).hexdigest().upper()


def user_statements(password_hash: str, username: str = USERNAME, database: str = DATABASE,
                    tables: Sequence[str] = TABLES) -> list[str]:
    """The statements that leave `username` able to SELECT from `tables` and to do nothing else."""
    for name in (username, database, *tables):
        if not PLAIN_NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a plain lower-case MySQL name")
    if not re.fullmatch(r"\*[0-9A-F]{40}", password_hash):
        raise ValueError("the password hash is not a mysql_native_password hash")
    account = f"'{username}'@'{HOST}'"
    identified = f"IDENTIFIED WITH mysql_native_password AS '{password_hash}'"
    return [
        f"CREATE USER IF NOT EXISTS {account} {identified}",
        f"ALTER USER {account} {identified}",  # a second run resets the password
        f"REVOKE ALL PRIVILEGES, GRANT OPTION FROM {account}",
        *(f"GRANT SELECT ON `{database}`.`{table}` TO {account}" for table in tables),
    ]


def secret_value(password: str, username: str = USERNAME, database: str = DATABASE) -> str:
    """The secret's JSON, in the shape the RDS Data API reads (`username`, `password`)."""
    return json.dumps({"engine": "mysql", "username": username, "password": password, "dbname": database})


def create_user(rds_data, secretsmanager, cluster_arn: str, master_secret_arn: str, secret_id: str,
                database: str = DATABASE) -> int:
    """Runs the statements on the cluster, then stores the new password; returns the statement count."""
    password = secrets.token_urlsafe(24)
    statements = user_statements(native_password_hash(password), database=database)
    for sql in statements:
        rds_data.execute_statement(resourceArn=cluster_arn, secretArn=master_secret_arn, database=database, sql=sql)
    secretsmanager.put_secret_value(SecretId=secret_id, SecretString=secret_value(password, database=database))
    return len(statements)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cluster-arn", required=True, help="the Aurora cluster (03-database output cluster_arn)")
    parser.add_argument("--master-secret-arn", required=True, help="the cluster's master secret (managed by RDS)")
    parser.add_argument("--secret-id", required=True, help="the assistant's secret (06-lambda-genai output)")
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--region", default=None)
    args = parser.parse_args(argv)
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    session = boto3.session.Session(region_name=args.region)
    try:
        count = create_user(session.client("rds-data"), session.client("secretsmanager"), args.cluster_arn,
                            args.master_secret_arn, args.secret_id, args.database)
    except ClientError as exc:
        print(f"genai_db_user: AWS refused: {exc.response.get('Error', {}).get('Code', 'Unknown')}", file=sys.stderr)
        return 1
    except BotoCoreError as exc:
        print(f"genai_db_user: {type(exc).__name__}", file=sys.stderr)
        return 1
    print(f"user {USERNAME}: {count} statements run, SELECT on {len(TABLES)} tables; secret updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
