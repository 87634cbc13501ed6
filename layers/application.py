"""Layer 07-application: declared outputs only, until the layer is ported (issue 18).

02-security reads `alb_security_group_id` from this layer's state when ALB integration is on;
08-api-gateway reads `alb_dns_name`; the declaration below is what those reads are checked against.
The names are the original layer's (the inventory, shapes from its `outputs.tf`), plus
`alb_security_group_id`, which the original never exported. The 07 port replaces this file.
"""
from __future__ import annotations

from layers.outputs import LayerOutputs, Output, Shape

OUTPUTS = LayerOutputs("07-application", "application", (
    Output("alb_security_group_id", Shape.STRING, "Security group of the application load balancer"),
    Output("alb_dns_name", Shape.STRING, "ALB DNS name (the application's address)"),
    Output("alb_zone_id", Shape.STRING, "ALB hosted zone id (for Route 53)"),
    Output("alb_arn", Shape.STRING, "ALB ARN"),
    Output("alb_arn_suffix", Shape.STRING, "ALB ARN suffix (CloudWatch metrics)"),
    Output("target_group_arn", Shape.STRING, "The ALB's default target group ARN"),
    Output("target_group_arns", Shape.MAP, "Per service: target group ARN and ARN suffix"),
    Output("ecr_repositories", Shape.MAP, "Per service: ECR repository URL, ARN and name"),
    Output("ecs_cluster_name", Shape.STRING, "ECS cluster name"),
    Output("ecs_cluster_arn", Shape.STRING, "ECS cluster ARN"),
    Output("ecs_services", Shape.MAP, "Per service: ECS service name and id, task definition ARN, desired count"),
    Output("application_url", Shape.STRING, "Application URL (http://<alb dns name>)"),
    Output("health_check_url", Shape.STRING, "Health check URL"),
    Output("deployment_info", Shape.OBJECT, "ECR URLs, cluster name, service names and ALB DNS name"),
    Output("debug_infrastructure", Shape.OBJECT, "Bastion host: enabled, public IP"),
))
