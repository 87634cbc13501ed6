"""Create (or reset) one database and one database user per PetClinic service on the Aurora cluster
(design §7.3: `petclinic_customers`, `petclinic_vets`, `petclinic_visits`): a one-time step after
`03-database` is deployed and before the services switch their JDBC URLs; again whenever the
passwords should change (docs/databases.md says when and what to restart).

usage: python tools/service_db_users.py --cluster-arn ARN --master-secret-arn ARN --prefix PREFIX
                                        [--service NAME ...] [--kms-key-id KEY] [--region REGION]
       python tools/service_db_users.py --print-move-statements [--drop-foreign-key TABLE.NAME ...]

For each service it makes a new random password and sends the cluster, through the RDS Data API
authenticated by the master secret's ARN (whose password this tool never reads), only the
password's `mysql_native_password` hash: the database if it is missing, the user if it is missing,
the new password, and rights on that service's own database and nothing else. Then it writes the
credentials (`username`, `password`, `dbname`) into the service's secret `<prefix>-<service>-db`:
03-database creates that secret empty where `database.service_users` is on (run this after 03 and
before 07-application); elsewhere the command creates it when it does not exist yet. Run twice, it
changes the passwords and creates nothing twice. It prints neither a password nor a hash, nor AWS's error messages (the Data API's
may quote the statement).

`--print-move-statements` prints, without calling AWS, the statements that move the services'
tables out of the shared `petclinic` database (docs/databases.md: order and downtime).
"""
from __future__ import annotations

import argparse
import json
import re
import secrets
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a file (python tools/service_db_users.py): find the `tools` package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.genai_db_user import HOST, PLAIN_NAME, native_password_hash

SHARED_DATABASE = "petclinic"
# What a service may do in its own database: read and write its rows, and create and alter its own
# tables (the Spring services run their schema.sql at start). No DROP, no GRANT, nothing outside it.
PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "INDEX", "REFERENCES",
              "CREATE TEMPORARY TABLES", "LOCK TABLES")
SECRET_PREFIX = re.compile(r"[a-z0-9][a-z0-9-]{0,200}")
FOREIGN_KEY = re.compile(r"([a-z_][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]{0,63})")


@dataclass(frozen=True)
class ServiceDatabase:
    """One service's database, user and secret; all names derive from the service's name."""
    service: str
    tables: tuple[str, ...]  # the tables it owns today in the shared database (for the move)

    @property
    def database(self) -> str:
        return f"{SHARED_DATABASE}_{self.service}"

    @property
    def user(self) -> str:
        return f"{SHARED_DATABASE}_{self.service}_app"

    def secret_name(self, prefix: str) -> str:
        return f"{prefix}-{self.service}-db"


# The Spring PetClinic microservices and their tables (the genai assistant only reads, it owns none).
SERVICES = (
    ServiceDatabase("customers", ("owners", "pets", "types")),
    ServiceDatabase("vets", ("vets", "specialties", "vet_specialties")),
    ServiceDatabase("visits", ("visits",)),
)
BY_NAME = {s.service: s for s in SERVICES}


class BadArgument(ValueError):
    """A command-line value the tool cannot use; the message names the argument."""


def service_statements(service: ServiceDatabase, password_hash: str) -> list[str]:
    """The statements that leave `service.user` with rights on `service.database` and nothing else."""
    for name in (service.database, service.user, *service.tables):
        if not PLAIN_NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a plain lower-case MySQL name")
    if not re.fullmatch(r"\*[0-9A-F]{40}", password_hash):
        raise ValueError("the password hash is not a mysql_native_password hash")
    account = f"'{service.user}'@'{HOST}'"
    identified = f"IDENTIFIED WITH mysql_native_password AS '{password_hash}'"
    return [
        f"CREATE DATABASE IF NOT EXISTS `{service.database}` CHARACTER SET utf8mb4",
        f"CREATE USER IF NOT EXISTS {account} {identified}",
        f"ALTER USER {account} {identified}",  # a second run changes the password
        f"REVOKE ALL PRIVILEGES, GRANT OPTION FROM {account}",  # and takes back anything granted by hand
        f"GRANT {', '.join(PRIVILEGES)} ON `{service.database}`.* TO {account}",
    ]


def secret_value(service: ServiceDatabase, password: str) -> str:
    """The secret's JSON: ECS reads `username` and `password` by key (`<arn>:password::`)."""
    return json.dumps({"engine": "mysql", "username": service.user, "password": password,
                       "dbname": service.database})


def store_secret(secretsmanager, name: str, value: str, kms_key_id: str | None = None) -> str:
    """Writes a new version of the secret, creating it only when it does not exist; says which."""
    from botocore.exceptions import ClientError

    try:
        secretsmanager.put_secret_value(SecretId=name, SecretString=value)
        return "updated"
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
    extra = {"KmsKeyId": kms_key_id} if kms_key_id else {}
    secretsmanager.create_secret(Name=name, SecretString=value, **extra,
                                 Description="PetClinic service database user (tools/service_db_users.py)")
    return "created"


@dataclass(frozen=True)
class Outcome:
    service: ServiceDatabase
    statements: int
    secret: str          # its name
    secret_action: str   # "created" or "updated"


def create_users(rds_data, secretsmanager, cluster_arn: str, master_secret_arn: str, prefix: str,
                 services: Sequence[ServiceDatabase] = SERVICES, kms_key_id: str | None = None) -> list[Outcome]:
    """For each service in turn: its statements on the cluster, then its new password in its secret.

    A service is finished before the next starts, so a failure leaves the earlier ones complete;
    running the command again repairs the one that failed (a new password, written to both places).
    """
    outcomes = []
    for service in services:
        password = secrets.token_urlsafe(24)
        statements = service_statements(service, native_password_hash(password))
        for sql in statements:  # no `database`: the first statement may be the one that creates it
            rds_data.execute_statement(resourceArn=cluster_arn, secretArn=master_secret_arn, sql=sql)
        name = service.secret_name(prefix)
        action = store_secret(secretsmanager, name, secret_value(service, password), kms_key_id)
        outcomes.append(Outcome(service, len(statements), name, action))
    return outcomes


def cross_service_foreign_keys(constraints: Sequence[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """(table, constraint) of each foreign key, given as (table, constraint, referenced table), whose
    two tables belong to different services: no constraint can span two of their databases."""
    owner = {table: s.service for s in SERVICES for table in s.tables}
    return [(table, name) for table, name, referenced in constraints
            if table in owner and referenced in owner and owner[table] != owner[referenced]]


def move_statements(foreign_keys: Sequence[tuple[str, str]] = (), source: str = SHARED_DATABASE) -> list[str]:
    """The move, in order: drop the cross-service foreign keys, move every service's tables in one
    atomic RENAME, and leave a view of the same name behind for each, so what still reads or writes
    `petclinic`.`<table>` (tasks not yet redeployed, the genai assistant) keeps working."""
    for name in (source, *(t for t, _ in foreign_keys)):
        if not PLAIN_NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a plain lower-case MySQL name")
    moves = [(s, table) for s in SERVICES for table in s.tables]
    return [
        # RENAME waits for the transactions holding the tables, and every new request queues behind
        # it: give up after a few seconds (and run again) rather than stall the services.
        f"SET SESSION lock_wait_timeout = {LOCK_WAIT_SECONDS}",
        *(f"ALTER TABLE `{source}`.`{table}` DROP FOREIGN KEY `{name}`" for table, name in foreign_keys),
        "RENAME TABLE " + ", ".join(f"`{source}`.`{t}` TO `{s.database}`.`{t}`" for s, t in moves),
        *(f"CREATE VIEW `{source}`.`{t}` AS SELECT * FROM `{s.database}`.`{t}`" for s, t in moves),
    ]


LOCK_WAIT_SECONDS = 5
FOREIGN_KEYS_QUERY = ("SELECT TABLE_NAME, CONSTRAINT_NAME, REFERENCED_TABLE_NAME "
                      "FROM information_schema.REFERENTIAL_CONSTRAINTS "
                      f"WHERE CONSTRAINT_SCHEMA = '{SHARED_DATABASE}' ORDER BY TABLE_NAME, CONSTRAINT_NAME")


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cluster-arn", help="the Aurora cluster (03-database output cluster_arn)")
    parser.add_argument("--master-secret-arn", help="the cluster's master secret (managed by RDS)")
    parser.add_argument("--prefix", help="the environment's name prefix: secrets are <prefix>-<service>-db")
    parser.add_argument("--service", action="append", choices=sorted(BY_NAME),
                        help="only this service (repeatable; default: all three)")
    parser.add_argument("--kms-key-id", help="the KMS key of secrets this command creates (default: AWS managed)")
    parser.add_argument("--region", default=None)
    parser.add_argument("--print-move-statements", action="store_true",
                        help="print the statements that move the tables to the service databases, and exit")
    parser.add_argument("--drop-foreign-key", action="append", default=[], metavar="TABLE.NAME",
                        help="a cross-service foreign key to drop before the move (see docs/databases.md)")
    args = parser.parse_args(argv)
    if args.print_move_statements:
        for value in args.drop_foreign_key:
            if not FOREIGN_KEY.fullmatch(value):
                raise BadArgument(f"--drop-foreign-key {value!r} is not TABLE.CONSTRAINT (for example "
                                  "visits.visits_ibfk_1)")
        return args
    for option in ("cluster_arn", "master_secret_arn", "prefix"):
        if not getattr(args, option):
            raise BadArgument(f"--{option.replace('_', '-')} is required")
    if not SECRET_PREFIX.fullmatch(args.prefix):
        raise BadArgument(f"--prefix {args.prefix!r} must be lower-case letters, digits and '-' "
                          "(for example petclinic-dev)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parse_arguments(argv)
    except BadArgument as exc:
        print(f"service_db_users: {exc}", file=sys.stderr)
        return 2
    if args.print_move_statements:
        keys = [tuple(value.split(".", 1)) for value in args.drop_foreign_key]
        print(";\n".join(move_statements(keys)) + ";")
        return 0
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    session = boto3.session.Session(region_name=args.region)
    services = [BY_NAME[name] for name in args.service] if args.service else list(SERVICES)
    try:
        outcomes = create_users(session.client("rds-data"), session.client("secretsmanager"), args.cluster_arn,
                                args.master_secret_arn, args.prefix, services, args.kms_key_id)
    except ClientError as exc:  # the code only: a Data API message may quote the statement
        print(f"service_db_users: AWS refused: {exc.response.get('Error', {}).get('Code', 'Unknown')}",
              file=sys.stderr)
        return 1
    except BotoCoreError as exc:
        print(f"service_db_users: {type(exc).__name__}", file=sys.stderr)
        return 1
    for outcome in outcomes:
        service = outcome.service
        print(f"{service.service}: database {service.database}, user {service.user} (new password, rights on "
              f"its own database only), {outcome.statements} statements run; secret {outcome.secret} "
              f"{outcome.secret_action}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
