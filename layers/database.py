"""Layer 03-database: the Aurora MySQL cluster of the platform. Reads 01-network (the private DB
subnets) and 02-security (the Aurora security group).

Addresses: the original `module.aurora_cluster.*` instances move to flat addresses of this stack;
the original's `null_resource` that switched the Data API on through the AWS CLI leaves the state
without being destroyed (the cluster's own `enable_http_endpoint` does that job now).
Outputs are the original layer's, by name, meaning and shape (including its sensitive ones).
"""
from __future__ import annotations

from cdktf import Fn, Token
from constructs import Construct

from layers.base import LayerStack, StateRemoval
from modules.aurora import Aurora, AuroraProps
from settings import Environment

NETWORK_STATE = "data.terraform_remote_state.network.outputs"
SECURITY_STATE = "data.terraform_remote_state.security.outputs"


class DatabaseStack(LayerStack):
    layer = "03-database"
    deployed_layer_tag = "01-network"

    def __init__(self, scope: Construct, env: Environment):
        super().__init__(scope, env)
        db = env.database
        self.network = self.remote_state("network", "01-network")
        self.security = self.remote_state("security", "02-security")
        self.subnet_ids = Token.as_list(Fn.values(self.network.get("private_db_subnet_ids")))
        self.security_group_id = self.security.get_string("aurora_security_group_id")
        self.aurora = Aurora(self, "aurora", AuroraProps(
            name_prefix=env.name_prefix,
            subnet_ids=self.subnet_ids,
            security_group_ids=[self.security_group_id],
            engine_version=db.engine_version,
            instance_class=db.instance_class,
            database_name=db.db_name,
            master_username=db.master_username,
            port=env.security.database_port,
            backup_retention_days=db.backup_retention_days,
            backup_window=db.backup_window,
            maintenance_window=db.maintenance_window,
            storage_encrypted=db.storage_encrypted,
            min_capacity=db.min_capacity,
            max_capacity=db.max_capacity,
            deletion_protection=db.deletion_protection,
            skip_final_snapshot=db.skip_final_snapshot,
            data_api=db.data_api,
            performance_insights=db.performance_insights,
            performance_insights_retention_days=db.performance_insights_retention_days,
            monitoring_interval=db.monitoring_interval,
            tags={**env.tags, "Layer": self.layer, "Component": "aurora-mysql",
                  "Purpose": "petclinic-microservices", "Environment": env.environment, "ManagedBy": "terraform"},
        ))
        self._outputs()
        self.carry_over_state(original_addresses(env), [
            StateRemoval("module.aurora_cluster.null_resource.enable_data_api",
                         "replaced by the cluster's enable_http_endpoint; the null provider is not needed"),
        ])

    def _outputs(self) -> None:
        db, cluster = self.env.database, self.aurora.cluster
        writer_url = f"jdbc:mysql://{cluster.endpoint}:{Fn.tostring(cluster.port)}/{cluster.database_name}"
        reader_url = f"jdbc:mysql://{cluster.reader_endpoint}:{Fn.tostring(cluster.port)}/{cluster.database_name}"
        # The original's readiness checks, on the values read from the other layers' states.
        network_ready = (f"${{length(values({NETWORK_STATE}.private_db_subnet_ids)) >= 2 && "
                         f"{NETWORK_STATE}.vpc_id != null && {NETWORK_STATE}.vpc_id != \"\"}}")
        security_ready = (f"${{{SECURITY_STATE}.aurora_security_group_id != null && "
                          f"{SECURITY_STATE}.aurora_security_group_id != \"\" && "
                          f"can(regex(\"^sg-[a-f0-9]+$\", {SECURITY_STATE}.aurora_security_group_id))}}")
        both_ready = f"${{{network_ready[2:-1]} && {security_ready[2:-1]}}}"

        self.output("cluster_id", cluster.id, "Aurora cluster ID")
        self.output("cluster_identifier", cluster.id, "Aurora cluster identifier (alias of cluster_id)")
        self.output("cluster_arn", cluster.arn, "Aurora cluster ARN")
        self.output("cluster_endpoint", cluster.endpoint, "Writer (cluster) endpoint")
        self.output("reader_endpoint", cluster.reader_endpoint, "Reader endpoint")
        self.output("cluster_port", cluster.port, "Database port")
        self.output("database_name", cluster.database_name, "Default database name")
        self.output("master_username", cluster.master_username, "Master user name", sensitive=True)
        self.output("master_user_secret_name", cluster.master_user_secret.get(0).secret_arn,
                    "ARN of the RDS-managed Secrets Manager secret of the master user", sensitive=True)
        self.output("writer_instance_id", self.aurora.writer.id, "Writer instance ID")
        self.output("reader_instance_id", self.aurora.reader.id, "Reader instance ID")
        self.output("db_subnet_group_name", self.aurora.subnet_group.name, "DB subnet group name")
        self.output("security_group_id", self.security_group_id, "Security group of the cluster")
        self.output("subnet_ids", self.subnet_ids, "Subnets of the cluster")
        self.output("connection_info", {
            "writer_jdbc_url": writer_url,
            "reader_jdbc_url": reader_url,
            "writer_endpoint": cluster.endpoint,
            "reader_endpoint": cluster.reader_endpoint,
            "port": cluster.port,
            "database_name": cluster.database_name,
            "username": cluster.master_username,
            "secrets_manager_arn": f"{cluster.arn}:secret:rds-db-credentials/{cluster.master_username}",
        }, "Connection details for the applications (the password stays in Secrets Manager)", sensitive=True)
        self.output("backup_info", {
            "backup_retention_period": db.backup_retention_days,
            "backup_window": db.backup_window,
            "maintenance_window": db.maintenance_window,
            "storage_encrypted": db.storage_encrypted,
        }, "Backup and maintenance settings")
        self.output("monitoring_info", {
            "performance_insights_enabled": db.performance_insights,
            "monitoring_interval": db.monitoring_interval,
        }, "Monitoring settings")
        self.output("layer_dependencies", {
            "network_layer_ready": network_ready,
            "security_layer_ready": security_ready,
            "dependencies_ready": both_ready,
            "referenced_subnets": Fn.length_of(self.subnet_ids),
            "security_group_id": self.security_group_id,
        }, "Whether the layers this one reads were ready")
        self.output("database_summary", {
            "cluster_id": cluster.id,
            "writer_endpoint": cluster.endpoint,
            "reader_endpoint": cluster.reader_endpoint,
            "port": cluster.port,
            "database_name": cluster.database_name,
            "connection_info": {"writer_url": writer_url, "reader_url": reader_url},
            "dependencies": {"network_ready": network_ready, "security_ready": security_ready},
        }, "Database connection summary (kept for older readers)", sensitive=True)



def original_addresses(env: Environment) -> dict[str, str]:
    """New address -> address in the original state, for every instance this layer keeps."""
    moves = {
        "aws_db_subnet_group.aurora_subnet_group": "module.aurora_cluster.aws_db_subnet_group.this",
        "aws_rds_cluster.aurora": "module.aurora_cluster.aws_rds_cluster.this",
        "aws_rds_cluster_instance.aurora_writer": "module.aurora_cluster.aws_rds_cluster_instance.writer",
        "aws_rds_cluster_instance.aurora_reader": "module.aurora_cluster.aws_rds_cluster_instance.reader",
    }
    if env.database.monitoring_interval > 0:
        moves["aws_iam_role.aurora_monitoring_role"] = "module.aurora_cluster.aws_iam_role.enhanced_monitoring[0]"
        moves["aws_iam_role_policy_attachment.aurora_monitoring_policy"] = \
            "module.aurora_cluster.aws_iam_role_policy_attachment.enhanced_monitoring[0]"
    return moves
