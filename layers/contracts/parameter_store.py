"""The contract of 04-parameter-store: the outputs it declares, and the names of the database parameters
it creates, which 07-application's tasks read by name."""
from __future__ import annotations

from layers.outputs import LayerOutputs, Output, Shape
from settings import Environment

OUTPUTS = LayerOutputs("04-parameter-store", "parameter_store", (
    Output("parameter_count", Shape.NUMBER, "Number of parameters created"),
    Output("parameter_prefix", Shape.STRING, "Parameter prefix the read policy covers"),
    Output("database_connection_ready", Shape.BOOL, "Whether 03-database's endpoint was available"),
    Output("aurora_endpoint", Shape.STRING, "The Aurora endpoint read from 03-database", sensitive=True),
    Output("layer_dependencies", Shape.OBJECT, "Whether the layers this one reads were ready"),
    Output("migration_summary", Shape.OBJECT, "Spring Cloud Config migration summary"),
))


def service_database_url_parameter(env: Environment, service: str) -> str:
    """The Parameter Store name of one service's own JDBC URL (§7.3, one database per service)."""
    return f"{env.parameter_store.name_root}/{env.environment}/{service}/db/url"


def own_database_urls(env: Environment) -> bool:
    """Whether each service with a database reads its own JDBC URL: with one database per service, and
    with one user per service (whose rights cover its own database only)."""
    return env.parameter_store.per_service_databases or env.database.service_users


def service_database(env: Environment, service: str) -> str:
    """The service's own database, as tools/service_db_users.py creates it: `<db_name>_<service>`."""
    return f"{env.database.db_name}_{service}"


def database_parameter(env: Environment, leaf: str) -> str:
    """The Parameter Store name of a database setting (`url`, `username`, `secrets-manager-name`)."""
    return f"{env.parameter_store.name_root}/{env.environment}/db/{leaf}"
