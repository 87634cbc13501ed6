"""The contract of 07-application: the outputs it declares (other layers read them through this declaration)."""
from __future__ import annotations

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


def alb_https_origin(env: Environment) -> str | None:
    """The host name at which 08-api-gateway calls the ALB over HTTPS, when `api_gateway.https_to_alb`
    is on and the ALB has a domain: 07-application makes this name an alias record of the ALB, and the
    ALB's certificate is issued for it. None: the integrations call http://<ALB DNS name> (as deployed,
    or a tool's view of an environment without a domain, where the switch cannot apply)."""
    alb = env.application.alb
    if env.api_gateway.https_to_alb and alb.domain_name and alb.hosted_zone_id:
        return alb.domain_name
    return None
