"""The contract of 07-application: the outputs it declares (other layers read them through this declaration),
and what its tasks read for the database (02-security's execution role grants exactly that)."""
from __future__ import annotations

from dataclasses import dataclass

from layers.contracts import database, parameter_store
from layers.outputs import LayerOutputs, Output, Shape
from settings import Environment

OUTPUTS = LayerOutputs("07-application", "application", (
    Output("alb_dns_name", Shape.STRING, "DNS name of the ALB (the application's address)"),
    Output("alb_zone_id", Shape.STRING, "Hosted zone of the ALB (for Route 53 aliases)"),
    Output("alb_arn", Shape.STRING, "ARN of the ALB"),
    Output("alb_arn_suffix", Shape.STRING, "ARN suffix of the ALB (CloudWatch dimension)"),
    Output("target_group_arn", Shape.STRING, "ARN of the ALB's default target group"),
    Output("target_group_arns", Shape.MAP, "Per service: ARN and ARN suffix of its target group"),
    Output("ecr_repositories", Shape.MAP, "Per service: URL, ARN and name of its ECR repository"),
    Output("ecs_cluster_name", Shape.STRING, "Name of the ECS cluster"),
    Output("ecs_cluster_arn", Shape.STRING, "ARN of the ECS cluster"),
    Output("ecs_services", Shape.MAP, "Per service: ECS service name and id, task definition ARN, desired count"),
    Output("application_url", Shape.STRING, "URL of the application (through the ALB)"),
    Output("health_check_url", Shape.STRING, "Health-check URL on the ALB"),
    Output("deployment_info", Shape.OBJECT, "Repositories, cluster, services and ALB name, for deployments"),
    Output("debug_infrastructure", Shape.OBJECT, "Whether the debug host exists, and its public IP"),
    Output("alb_security_group_id", Shape.STRING,
           "Empty by design: the ALB -> ECS rules are this layer's; an id here would make 02-security "
           "create a duplicate of them"),
))


@dataclass(frozen=True)
class TaskDatabaseReads:
    """What one service's task reads to reach the database: the JDBC URL's parameter, and the user and
    password either from the master user (a parameter and the cluster's managed secret) or from the
    service's own secret (its `username` and `password` keys)."""

    url_parameter: str
    username_parameter: str | None   # None: the user name comes from the service's secret
    user_secret_name: str | None     # <name_prefix>-<service>-db; None: the master user's managed secret

    def __post_init__(self) -> None:
        if (self.username_parameter is None) == (self.user_secret_name is None):
            raise ValueError("TaskDatabaseReads: the user comes from a parameter or from a secret, exactly one")


def database_services(env: Environment) -> tuple[str, ...]:
    """The services whose tasks read the database settings, sorted."""
    return tuple(sorted(k for k, s in env.application.services.items() if s.database))


def task_database_reads(env: Environment, service: str) -> TaskDatabaseReads:
    """One service's reads, as the design switches set them; 07's task definitions take exactly these,
    and 02's execution role may read exactly these (nothing wider) when it is narrowed."""
    own = parameter_store.own_database_urls(env)
    url = (parameter_store.service_database_url_parameter(env, service) if own
           else parameter_store.database_parameter(env, "url"))
    if env.database.service_users:
        return TaskDatabaseReads(url, None, "-".join((env.name_prefix, *database.service_user_secret_parts(service))))
    return TaskDatabaseReads(url, parameter_store.database_parameter(env, "username"), None)


def alb_https_origin(env: Environment) -> str | None:
    """The host name at which 08-api-gateway calls the ALB over HTTPS, when `api_gateway.https_to_alb`
    is on and the ALB has a domain: 07-application makes this name an alias record of the ALB, and the
    ALB's certificate is issued for it. None: the integrations call http://<ALB DNS name> (as deployed,
    or a tool's view of an environment without a domain, where the switch cannot apply)."""
    alb = env.application.alb
    if env.api_gateway.https_to_alb and alb.domain_name and alb.hosted_zone_id:
        return alb.domain_name
    return None
