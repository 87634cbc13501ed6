"""Layer 04-parameter-store: the Parameter Store hierarchy that replaces Spring Cloud Config.
Reads 03-database (the writer endpoint and the ARN of the RDS-managed master secret).

Names: `<name_root>/common/<key>`, `<name_root>/<environment>/<service>/server.port` and
`<name_root>/<environment>/db/{url,username,secrets-manager-name}`. `name_root` is a per-environment
setting because the deployed names depend on it (the Oregon tree wrote `/petclinic-seoul` while its
07-application tasks read `/petclinic/<environment>/...`; see `envs/`).
The secret itself stays in Secrets Manager: `db/secrets-manager-name` holds its ARN only.

Addresses: `module.parameter_store.*` instances move to flat addresses (`ORIGINAL_ADDRESSES`).
"""
from __future__ import annotations

from cdktf import TerraformOutput
from constructs import Construct

from layers.base import LayerStack
from modules.parameters import Parameters, ParameterSpec, ParametersProps
from settings import Environment

DATABASE_STATE = "data.terraform_remote_state.database.outputs"
# The original treated a missing or empty endpoint as "the database layer is not ready".
ENDPOINT = f'try({DATABASE_STATE}.cluster_endpoint, "")'
ENDPOINT_READY = f'{ENDPOINT} != "" && {ENDPOINT} != null'


# Recorded for the cross-layer check of 07-application: the original tasks read the database
# parameters under this root, whatever `name_root` the parameters were created under.
APPLICATION_READ_ROOT = "/petclinic"
APPLICATION_READ_KEYS = ("db/url", "db/username")


def application_reads_not_created(env: Environment) -> list[str]:
    """The parameter names the original 07-application tasks read that this layer does not create
    (non-empty where `name_root` differs from `APPLICATION_READ_ROOT`, e.g. dev and seoul as deployed)."""
    created = {spec.name for spec in common_parameters(env) + database_parameters(env, "", "")}
    reads = [f"{APPLICATION_READ_ROOT}/{env.environment}/{key}" for key in APPLICATION_READ_KEYS]
    return [name for name in reads if name not in created]


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
    root = f"{env.parameter_store.name_root}/{env.environment}/db"
    url = (f"jdbc:mysql://{endpoint}:{env.security.database_port}/{env.database.db_name}"
           "?useSSL=false&allowPublicKeyRetrieval=true")
    return (
        ParameterSpec("db_url", f"{root}/url", url),
        ParameterSpec("db_username", f"{root}/username", env.database.master_username),
        ParameterSpec("db_secrets_manager_name", f"{root}/secrets-manager-name", secret_arn),
    )


class ParameterStoreStack(LayerStack):
    layer = "04-parameter-store"
    deployed_layer_tag = "01-network"

    def __init__(self, scope: Construct, env: Environment):
        super().__init__(scope, env)
        ps = env.parameter_store
        database = self.remote_state("database", "03-database")
        self.parameters = Parameters(self, "parameters", ParametersProps(
            name_prefix=env.name_prefix,
            environment=env.environment,
            region=env.region,
            read_prefix=ps.read_prefix,
            common=common_parameters(env),
            environment_specific=database_parameters(
                env, database.get_string("cluster_endpoint"), database.get_string("master_user_secret_name")),
            overwrite=ps.overwrite,
            tags={**env.tags, "Layer": self.layer, "Component": "parameter-store",
                  "Purpose": "spring-config-replacement"},
        ))
        self._outputs()
        self.carry_over_state(original_addresses(env))

    def _outputs(self) -> None:
        ps = self.env.parameter_store
        ready = "${" + ENDPOINT_READY + "}"
        self.output("parameter_count", len(self.parameters.parameters), "Number of parameters created")
        self.output("parameter_prefix", ps.read_prefix, "Parameter prefix the read policy covers")
        self.output("database_connection_ready", ready, "Whether 03-database's endpoint was available")
        self.sensitive_output("aurora_endpoint", "${" + ENDPOINT + "}", "The Aurora endpoint read from 03-database")
        self.output("layer_dependencies", {
            "database_layer_ready": ready,
            "dependencies_ready": ready,
            "aurora_endpoint_available": "${" + ENDPOINT + ' != ""}',
        }, "Whether the layers this one reads were ready")
        self.output("migration_summary", {
            "config_server_replaced": True,
            "parameter_store_ready": True,
            # The original read its shared_config.environment, which equals the tags' Environment.
            "environment": self.env.tags["Environment"],
            "parameter_prefix": ps.read_prefix,
        }, "Spring Cloud Config migration summary")

    def sensitive_output(self, name: str, value: object, description: str) -> TerraformOutput:
        return TerraformOutput(self, name, value=value, description=description, sensitive=True)


def original_addresses(env: Environment) -> dict[str, str]:
    """New address -> address in the original state, for every instance this layer keeps."""
    module = "module.parameter_store"
    moves = {"aws_iam_policy.parameters_read_policy": f"{module}.aws_iam_policy.parameter_store_read[0]"}
    for spec in common_parameters(env):
        moves[f"aws_ssm_parameter.parameters_{spec.id}"] = f'{module}.aws_ssm_parameter.common_config["{spec.name}"]'
    for spec in database_parameters(env, "", ""):
        moves[f"aws_ssm_parameter.parameters_{spec.id}"] = \
            f'{module}.aws_ssm_parameter.environment_config["{spec.name}"]'
    return moves
