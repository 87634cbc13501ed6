"""Layer 04-parameter-store: the Parameter Store hierarchy that replaces Spring Cloud Config.
Reads 03-database (the writer endpoint and the ARN of the RDS-managed master secret).

Names: `<name_root>/common/<key>`, `<name_root>/<environment>/<service>/server.port` and
`<name_root>/<environment>/db/{url,username,secrets-manager-name}`. `name_root` is a per-environment
setting because the deployed names depend on it (the Oregon tree wrote `/petclinic-seoul` while its
07-application tasks read `/petclinic/<environment>/...`; see `envs/`).
The secret itself stays in Secrets Manager: `db/secrets-manager-name` holds its ARN only.

Addresses: the `Parameters` construct declares where each resource was in `module.parameter_store`.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from layers.base import LayerStack
from layers.contracts import database
from layers.contracts.parameter_store import (
    OUTPUTS,
    database_parameter,
    own_database_urls,
    service_database,
    service_database_url_parameter,
)
from modules.origin import Origin
from modules.parameters import Parameters, ParameterSpec, ParametersProps
from settings import Environment


def parameter_id(key: str) -> str:
    return key.lower().replace(".", "_").replace("-", "_").replace("/", "_")


def common_parameters(env: Environment) -> tuple[ParameterSpec, ...]:
    ps = env.parameter_store
    specs = [ParameterSpec(parameter_id(f"common_{key}"), f"{ps.name_root}/common/{key}", value)
             for key, value in ps.common.items()]
    specs += [ParameterSpec(parameter_id(f"{service}_server_port"),
                            f"{ps.name_root}/{env.environment}/{service}/server.port", str(port))
              for service, port in ps.server_ports.items()]
    return tuple(specs)


def database_parameters(env: Environment, endpoint: str, secret_arn: str) -> tuple[ParameterSpec, ...]:
    # As deployed TLS is off; the design (§7.6) requires it, and Connector/J then needs no public key.
    options = "sslMode=REQUIRED" if env.parameter_store.jdbc_tls else "useSSL=false&allowPublicKeyRetrieval=true"
    url = f"jdbc:mysql://{endpoint}:{env.security.database_port}/{env.database.db_name}?{options}"
    secure = env.parameter_store.secure_database_parameters
    own = tuple(
        ParameterSpec(f"{key}_db_url", service_database_url_parameter(env, key),
                      f"jdbc:mysql://{endpoint}:{env.security.database_port}/{service_database(env, key)}?{options}",
                      secure)
        for key, svc in sorted(env.application.services.items())
        if svc.database and own_database_urls(env))
    return own + (
        ParameterSpec("db_url", database_parameter(env, "url"), url, secure),
        ParameterSpec("db_username", database_parameter(env, "username"), env.database.master_username, secure),
        ParameterSpec("db_secrets_manager_name", database_parameter(env, "secrets-manager-name"), secret_arn, secure),
    )


class ParameterStoreStack(LayerStack):
    layer = "04-parameter-store"
    outputs = OUTPUTS
    deployed_layer_tag = "01-network"

    def build(self) -> None:
        env, ps = self.env, self.env.parameter_store
        db = self.read(database.OUTPUTS)
        self.endpoint = f'try({db.expression("cluster_endpoint")}, "")'
        self.parameters = Parameters(self, "parameters", ParametersProps(
            naming=self.naming,
            origin=Origin("module.parameter_store"),
            region=env.region,
            read_prefix=ps.read_prefix,
            common=common_parameters(env),
            environment_specific=database_parameters(
                env, db.string("cluster_endpoint"), db.string("master_user_secret_name")),
            overwrite=ps.overwrite,
        ))

    def output_values(self) -> Mapping[str, Any]:
        ps = self.env.parameter_store
        # The original treated a missing or empty endpoint as "the database layer is not ready".
        ready = f'${{{self.endpoint} != "" && {self.endpoint} != null}}'
        return {
            "parameter_count": len(self.parameters.parameters),
            "parameter_prefix": ps.read_prefix,
            "database_connection_ready": ready,
            "aurora_endpoint": f"${{{self.endpoint}}}",
            "layer_dependencies": {
                "database_layer_ready": ready,
                "dependencies_ready": ready,
                "aurora_endpoint_available": f'${{{self.endpoint} != ""}}',
            },
            "migration_summary": {
                "config_server_replaced": True,
                "parameter_store_ready": True,
                # The original read its shared_config.environment, which equals the tags' Environment.
                "environment": self.env.tags["Environment"],
                "parameter_prefix": ps.read_prefix,
            },
        }
