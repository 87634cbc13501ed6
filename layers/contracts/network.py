"""The contract of 01-network: the outputs it declares (other layers read them through this declaration)."""
from __future__ import annotations

from layers.outputs import LayerOutputs, Output, Shape

# Per-service convenience outputs, by the short service name they carry.
SERVICE_OUTPUTS = {
    "ssm_vpc_endpoint_id": "ssm",
    "secretsmanager_vpc_endpoint_id": "secretsmanager",
    "ecr_api_vpc_endpoint_id": "ecr.api",
    "ecr_dkr_vpc_endpoint_id": "ecr.dkr",
    "logs_vpc_endpoint_id": "logs",
    "xray_vpc_endpoint_id": "xray",
    "kms_vpc_endpoint_id": "kms",
    "monitoring_vpc_endpoint_id": "monitoring",
}

OUTPUTS = LayerOutputs("01-network", "network", (
    Output("vpc_id", Shape.STRING, "VPC ID"),
    Output("vpc_cidr", Shape.STRING, "VPC IPv4 CIDR block"),
    Output("vpc_ipv6_cidr", Shape.STRING, "VPC IPv6 CIDR block (null when IPv6 is off)"),
    Output("public_subnet_ids", Shape.MAP, "Public subnet IDs keyed by AZ index"),
    Output("private_app_subnet_ids", Shape.MAP, "Private app subnet IDs keyed by AZ index"),
    Output("private_db_subnet_ids", Shape.MAP, "Private DB subnet IDs keyed by AZ index"),
    Output("public_route_table_id", Shape.STRING, "Public route table ID"),
    Output("private_app_route_table_ids", Shape.MAP, "Private app route table IDs keyed by AZ index"),
    Output("private_db_route_table_ids", Shape.MAP, "Private DB route table IDs keyed by AZ index"),
    Output("nat_gateway_ids", Shape.MAP, "NAT gateway IDs keyed by AZ index"),
    Output("vpce_security_group_id", Shape.STRING, "Security group of the interface endpoints"),
    Output("s3_gateway_endpoint_id", Shape.STRING, "S3 gateway endpoint ID"),
    Output("interface_endpoint_ids", Shape.MAP, "Interface endpoint IDs keyed by full service name"),
    *(Output(name, Shape.STRING, f"Interface endpoint ID of {service} (null when it is not configured)")
      for name, service in SERVICE_OUTPUTS.items()),
))
