"""Layer 07-application: declared outputs only, until the layer is ported (issue 18).

02-security reads `alb_security_group_id` from this layer's state when ALB integration is on; the
declaration below is what that read is checked against. The names are the original layer's (the
inventory), plus `alb_security_group_id`, which the original never exported.
"""
from __future__ import annotations

from layers.outputs import LayerOutputs, Output, Shape

OUTPUTS = LayerOutputs("07-application", "application", (
    Output("alb_security_group_id", Shape.STRING, "Security group of the application load balancer"),
    # Read by 10-monitoring (declared here from the inventory until issue 18 declares them all).
    Output("alb_arn_suffix", Shape.STRING, "ALB ARN suffix (CloudWatch metrics)"),
    Output("target_group_arns", Shape.MAP, "Per service: target group ARN and ARN suffix"),
    Output("ecs_cluster_name", Shape.STRING, "ECS cluster name"),
    Output("ecs_services", Shape.MAP, "Per service: ECS service name and id, task definition ARN, desired count"),
))
