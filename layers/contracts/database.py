"""The contract of 03-database: the outputs it declares (other layers read them through this declaration)."""
from __future__ import annotations

from layers.outputs import LayerOutputs, Output, Shape

OUTPUTS = LayerOutputs("03-database", "database", (
    Output("cluster_id", Shape.STRING, "Aurora cluster ID"),
    Output("cluster_identifier", Shape.STRING, "Aurora cluster identifier (alias of cluster_id)"),
    Output("cluster_arn", Shape.STRING, "Aurora cluster ARN"),
    Output("cluster_endpoint", Shape.STRING, "Writer (cluster) endpoint"),
    Output("reader_endpoint", Shape.STRING, "Reader endpoint"),
    Output("cluster_port", Shape.NUMBER, "Database port"),
    Output("database_name", Shape.STRING, "Default database name"),
    Output("master_username", Shape.STRING, "Master user name", sensitive=True),
    Output("master_user_secret_name", Shape.STRING,
           "ARN of the RDS-managed Secrets Manager secret of the master user", sensitive=True),
    Output("writer_instance_id", Shape.STRING, "Writer instance ID"),
    Output("reader_instance_id", Shape.STRING, "Reader instance ID"),
    Output("db_subnet_group_name", Shape.STRING, "DB subnet group name"),
    Output("security_group_id", Shape.STRING, "Security group of the cluster"),
    Output("subnet_ids", Shape.LIST, "Subnets of the cluster"),
    Output("connection_info", Shape.OBJECT,
           "Connection details for the applications (the password stays in Secrets Manager)", sensitive=True),
    Output("backup_info", Shape.OBJECT, "Backup and maintenance settings"),
    Output("monitoring_info", Shape.OBJECT, "Monitoring settings"),
    Output("layer_dependencies", Shape.OBJECT, "Whether the layers this one reads were ready"),
    Output("database_summary", Shape.OBJECT, "Database connection summary (kept for older readers)",
           sensitive=True),
))


def service_user_secret_parts(service: str) -> tuple[str, str]:
    """The name parts of one service's database-user secret (`<name_prefix>-<service>-db`), which
    03-database creates empty (switch `database.service_users`) and tools/service_db_users.py fills."""
    return (service, "db")
