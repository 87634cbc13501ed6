"""The contract of 02-security: the outputs it declares (other layers read them through this declaration)."""
from __future__ import annotations

from layers.outputs import LayerOutputs, Output, Shape

OUTPUTS = LayerOutputs("02-security", "security", (
    Output("ecs_security_group_id", Shape.STRING, "Security group of the ECS tasks"),
    Output("aurora_security_group_id", Shape.STRING, "Security group of the Aurora cluster"),
    Output("alb_security_group_id", Shape.STRING, "ALB security group (owned by 07-application; empty here)"),
    Output("vpce_security_group_id", Shape.STRING, "Security group of the VPC endpoints"),
    Output("rds_secret_access_policy_arn", Shape.STRING, "Policy that reads the database's secrets"),
    Output("parameter_store_access_policy_arn", Shape.STRING, "Policy that reads the parameter hierarchy"),
    Output("cloudwatch_logs_access_policy_arn", Shape.STRING, "Policy that writes the workloads' logs"),
    Output("ecs_task_execution_role_arn", Shape.STRING, "ECS task execution role"),
))
